import Agents
import ArgumentParser
import EWMIO
import Envs
import Foundation
import Planner
import Tensor
import Train

/// One controller to sweep: a planner and (unless it is the oracle) a model.
struct ControllerSpec: ExpressibleByArgument, CustomStringConvertible {
    var planner: PlannerKind
    var model: String?

    /// "equivariant", "cem:path/to/checkpoint.safetensors", "oracle".
    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kind = PlannerKind(rawValue: parts[0]) else { return nil }
        planner = kind
        model = parts.count > 1 ? parts[1] : nil
    }

    var description: String { model.map { "\(planner.rawValue):\($0)" } ?? planner.rawValue }
}

struct EvalClosedLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "closed-loop",
        abstract: "Closed-loop success of planners across the group of orientations, with 95% intervals.",
        discussion: """
            Each --controller is planner[:model], e.g. equivariant (default VN model),
            cem:assets/pusht-mlp-fs5/checkpoint.safetensors, oracle. Per orientation: success rate with Wilson 95% interval,
            mean final coverage, time per plan, and the largest trajectory deviation from orientation 0 (same seeds,
            rotated back). Flat success = max - min across orientations within the interval width.
            """)

    @Option(name: .customLong("controller"), help: "planner[:model]; repeat to compare (default: equivariant and cem with the MLP).")
    var controllers: [ControllerSpec] = []
    @Option(help: "Orientations evenly spaced over the circle (0 included).")
    var orientations: Int = 16
    @Option(help: "Episodes per orientation.")
    var episodes: Int = 50
    @Option(help: "goal25 or full.")
    var `protocol`: PushTProtocol = .goal25
    @Option(help: "frame (exact) or world (Box2D world rotated).")
    var rotation: RotationBuild = .frame
    @OptionGroup var search: SearchOptions
    @Option(help: "Write a plot of success vs orientation here (.png).")
    var plot: String?
    @Option(help: "Write an animation of the first controller's first episode at two orientations side by side (.html).")
    var animation: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard orientations >= 1, episodes >= 1 else { throw ValidationError("--orientations and --episodes must be positive") }
        if let p = plot, !p.hasSuffix(".png") { throw ValidationError("--plot needs a .png path") }
        if let a = animation, !a.hasSuffix(".html") { throw ValidationError("--animation needs a .html path") }
    }

    struct Row: Encodable {
        var controller: String
        var orientation: Double
        var successRate: Double
        var interval95: [Double]
        var meanFinalCoverage: Double
        var secondsPerPlan: Double
        var maxDeviation: Double
    }

    struct Report: Encodable {
        var `protocol`: String
        var rotation: String
        var episodes: Int
        var rows: [Row]
        /// Per controller: max - min success across orientations, and the mean interval width.
        var spread: [String: [String: Double]]
    }

    func run() throws {
        search.configureThreads()
        MemoryTuning.retainFreedMemory()
        let specs = controllers.isEmpty
            ? [ControllerSpec(argument: "equivariant")!, ControllerSpec(argument: "cem:" + DefaultModel.baselinePath)!]
            : controllers
        let thetas = (0..<orientations).map { 2 * Double.pi * Double($0) / Double(orientations) }
        var rows: [Row] = []
        var spread: [String: [String: Double]] = [:]
        let progress = ProgressLine(label: "closed loop", total: specs.count * orientations * episodes, enabled: !output.json)
        var done = 0
        var first: (model: (any LatentWorldModel)?, config: MPCConfig)?
        for spec in specs {
            // The default baseline is found like the default model: in the working directory, else the source tree.
            let path = spec.model == DefaultModel.baselinePath ? try DefaultModel.url(DefaultModel.baselinePath).path : spec.model
            let model = spec.planner == .oracle ? nil : try DefaultModel.load(path, precision: .double)
            let config = try search.config(model: model, oracle: spec.planner == .oracle)
            if first == nil { first = (model, config) }
            var reference: [Int: [[Double]]] = [:]
            var specRows: [Row] = []
            for theta in thetas {
                var successes = 0, coverage = 0.0, seconds = 0.0, plans = 0, deviation = 0.0
                for e in 0..<episodes {
                    let (ep, _) = try PushTPlanning.episode(protocol: self.protocol, index: e, seed: UInt64(e), theta: theta, rotation: rotation,
                                                            kind: spec.planner, model: model, config: config)
                    if ep.success { successes += 1 }
                    coverage += ep.finalCoverage / Double(episodes)
                    seconds += ep.secondsPerPlan * Double(ep.plans)
                    plans += ep.plans
                    if theta == 0 { reference[e] = ep.trajectory } else if let r = reference[e] {
                        deviation = max(deviation, PushTPlanning.deviation(ep.trajectory, from: r, theta: theta))
                    }
                    done += 1
                    progress.update(done, detail: "\(spec) theta \(fmt(theta, 2))")
                }
                let ci = wilsonInterval(successes: successes, trials: episodes)
                specRows.append(Row(controller: spec.description, orientation: theta, successRate: Double(successes) / Double(episodes),
                                    interval95: [ci.low, ci.high], meanFinalCoverage: coverage,
                                    secondsPerPlan: plans == 0 ? 0 : seconds / Double(plans), maxDeviation: deviation))
            }
            let rates = specRows.map(\.successRate)
            spread[spec.description] = [
                "maxMinusMin": (rates.max() ?? 0) - (rates.min() ?? 0),
                "meanIntervalWidth": specRows.map { $0.interval95[1] - $0.interval95[0] }.reduce(0, +) / Double(specRows.count),
                "meanSuccess": rates.reduce(0, +) / Double(rates.count),
            ]
            rows += specRows
        }
        progress.finish()
        if let plot {
            var p = LinePlot(title: "PushT \(self.protocol.rawValue), \(rotation.rawValue) build: success",
                             xLabel: "orientation (rad)", yLabel: "success rate")
            let colors = [RGB(30, 90, 200), RGB(220, 80, 30), RGB(40, 160, 60), RGB(120, 60, 160)]
            for (i, spec) in specs.enumerated() {
                let r = rows.filter { $0.controller == spec.description }
                p.addSeries(name: spec.description, x: r.map(\.orientation), y: r.map(\.successRate), color: colors[i % colors.count],
                            intervals: r.map { (low: $0.interval95[0], high: $0.interval95[1]) })
            }
            try PNG.write(p.render(), to: URL(fileURLWithPath: plot))
        }
        if let animation, let spec = specs.first, let first {
            try writeSideBySide(spec: spec, model: first.model, config: first.config, to: URL(fileURLWithPath: animation))
        }
        let report = Report(protocol: self.protocol.rawValue, rotation: rotation.rawValue, episodes: episodes, rows: rows, spread: spread)
        if output.json { return try printJSON(report) }
        print(table(["controller", "theta", "success", "95% CI", "final cov", "s/plan", "deviation (px)"], rows.map {
            [$0.controller, fmt($0.orientation, 3), fmt($0.successRate, 2), "\(fmt($0.interval95[0], 2))-\(fmt($0.interval95[1], 2))",
             fmt($0.meanFinalCoverage), fmt($0.secondsPerPlan, 3), String(format: "%.3g", $0.maxDeviation)]
        }))
        for (name, s) in spread.sorted(by: { $0.key < $1.key }) {
            print("\(name): mean success \(fmt(s["meanSuccess"], 3)), max - min across orientations \(fmt(s["maxMinusMin"], 3)), mean 95% interval width \(fmt(s["meanIntervalWidth"], 3))")
        }
    }

    /// The first episode at orientation 0 and at 0.7 rad, frames side by side.
    private func writeSideBySide(spec: ControllerSpec, model: (any LatentWorldModel)?, config: MPCConfig, to url: URL) throws {
        var runs: [[RGBImage]] = []
        for theta in [0.0, 0.7] {
            let (_, trace) = try PushTPlanning.episode(protocol: self.protocol, index: 0, seed: 0, theta: theta, rotation: rotation,
                                                       kind: spec.planner, model: model, config: config, record: true, frameSize: 256)
            runs.append(trace?.frames ?? [])
        }
        let n = min(runs[0].count, runs[1].count)
        var frames: [RGBImage] = []
        for t in 0..<n {
            var joined = RGBImage(width: 2 * 256 + 8, height: 256, fill: RGB(255, 255, 255))
            for (k, frame) in [runs[0][t], runs[1][t]].enumerated() {
                for y in 0..<256 { for x in 0..<256 { joined[x + k * 264, y] = frame[x, y] } }
            }
            frames.append(joined)
        }
        try HTMLAnimation.write(frames: frames, fps: 10, title: "\(spec): orientation 0 (left) and 0.7 rad (right)",
                                captions: (0..<n).map { "step \($0)" }, to: url)
    }
}
