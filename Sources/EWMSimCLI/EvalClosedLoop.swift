import Agents
import ArgumentParser
import EWMIO
import Envs
import Experiments
import Foundation
import Planner
import Tensor
import Train

extension ControllerSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
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
    @Option(help: "Env id: any registered env with world-model adapters and a goal protocol.")
    var env: String = "pusht"
    @Option(help: "The env's goal protocol (pusht: goal25 or full; default: the env's first).")
    var `protocol`: String?
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

    func run() throws {
        search.configureThreads()
        MemoryTuning.retainFreedMemory()
        let adapters = try Registry.adapters(env)
        let goalProtocol = try adapters.goalProtocol(self.protocol)
        let specs =
            controllers.isEmpty
            ? [ControllerSpec(planner: .equivariant), ControllerSpec(planner: .cem, model: DefaultModel.baselinePath)]
            : controllers
        let progress = ProgressLine(label: "closed loop", total: specs.count * orientations * episodes, enabled: !output.json)
        var done = 0
        var first: (model: (any LatentWorldModel)?, config: MPCConfig)?
        let report = try ClosedLoop.run(
            controllers: specs, orientations: orientations, episodes: episodes, protocol: goalProtocol, rotation: rotation,
            center: adapters.planning.center,
            load: { spec in
                // The default baseline is found like the default model: in the working directory, else the source tree.
                let path = spec.model == DefaultModel.baselinePath ? try DefaultModel.url(DefaultModel.baselinePath).path : spec.model
                let model = spec.planner == .oracle ? nil : try DefaultModel.load(path, precision: .double)
                if let trained = model?.trainedEnv, trained != env {
                    throw ValidationError("\(path ?? "the model") was trained on \(trained), not \(env)")
                }
                let loaded = (model: model, config: try search.config(env: env, model: model, oracle: spec.planner == .oracle))
                if first == nil { first = loaded }
                return loaded
            },
            progress: { spec, theta in
                done += 1
                progress.update(done, detail: "\(spec) theta \(fmt(theta, 2))")
            })
        progress.finish()
        let (rows, spread) = (report.rows, report.spread)
        if let plot {
            try PNG.write(EvaluationPlots.closedLoop(report, controllers: specs.map(\.description)).render(), to: URL(fileURLWithPath: plot))
        }
        if let animation, let spec = specs.first, let first {
            let frames = try ClosedLoop.sideBySideFrames(
                controller: spec, model: first.model, config: first.config,
                protocol: goalProtocol, rotation: rotation)
            try HTMLAnimation.write(
                frames: frames, fps: 10, title: "\(spec): orientation 0 (left) and 0.7 rad (right)",
                captions: frames.indices.map { "step \($0)" }, to: URL(fileURLWithPath: animation))
        }
        if output.json { return try printJSON(report) }
        print(
            table(
                ["controller", "theta", "success", "95% CI", "final cov", "s/plan", "deviation (px)"],
                rows.map {
                    [
                        $0.controller, fmt($0.orientation, 3), fmt($0.successRate, 2), "\(fmt($0.interval95[0], 2))-\(fmt($0.interval95[1], 2))",
                        fmt($0.meanFinalCoverage), fmt($0.secondsPerPlan, 3), String(format: "%.3g", $0.maxDeviation),
                    ]
                }))
        for (name, s) in spread.sorted(by: { $0.key < $1.key }) {
            print(
                "\(name): mean success \(fmt(s["meanSuccess"], 3)), max - min across orientations \(fmt(s["maxMinusMin"], 3)), mean 95% interval width \(fmt(s["meanIntervalWidth"], 3))"
            )
        }
    }
}
