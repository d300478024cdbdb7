import ArgumentParser
import EWMIO
import Envs
import Experiments
import Foundation
import Tensor
import Train

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure trained world models across the whole group of orientations.",
        subcommands: [EvalOneStep.self, EvalRollout.self, EvalClosedLoop.self, EvalLadder.self])
}

/// Options shared by the eval subcommands.
struct EvalOptions: ParsableArguments {
    @Option(name: .long, help: "Checkpoint (repeat to compare models).") var checkpoint: [String] = []
    @Option(help: "Orientations evenly spaced over the whole circle.") var orientations: Int = 16
    @Option(help: "Held-out canonical-frame episodes (collected with the run's settings and another seed).") var episodes: Int = 60
    @Option(help: "Seed of the held-out data (default: the run's seed + 1000003).") var dataSeed: UInt64?
    @Option(
        help:
            "Evaluate on the transitions in this directory's shard-*.npz (canonical frame, orientation 0; e.g. a planner's own, see tools/dump_to_shards.py) instead of collecting held-out data."
    ) var data: String?
    @Option(help: "Write a PNG plot here.") var plot: String?
    @Option(help: "OpenBLAS threads.") var threads: Int = 1

    func validate() throws {
        guard !checkpoint.isEmpty else { throw ValidationError("give at least one --checkpoint") }
        guard orientations >= 2 else { throw ValidationError("--orientations must be at least 2") }
        guard episodes > 0, threads > 0 else { throw ValidationError("--episodes and --threads must be positive") }
        if let plot, !plot.lowercased().hasSuffix(".png") { throw ValidationError("--plot must name a .png file") }
    }

    func load() throws -> [(TrainedWorldModel, TransitionSet)] {
        BLAS.setThreadCount(threads)
        return try EvaluationData.load(checkpoints: checkpoint, data: data, episodes: episodes, dataSeed: dataSeed)
    }
}

func sci(_ x: Double?) -> String { x.map { String(format: "%.4e", $0) } ?? "-" }

struct EvalOneStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "one-step",
        abstract: "One-step relMSE per orientation, flatness, OOD ratio, composed residual, parameter count.",
        discussion: """
            L(g) = mean relMSE(f(E(g.o), g.a), E_ema(g.o')) over held-out canonical-frame transitions, g applied to the
            points and the action about the symmetry centre; E = online encoder, target = EMA target encoder; Float.
            In-slice mean: 5 orientations spread over the training slice; out-of-slice mean: the orbit orientations
            outside it. Flatness = max L / min L - 1 over the orbit. Composed residual
            r = max_{g, batch} |f(E(g.o), g.a) - rho(g) f(E(o), a)| / |f(E(o), a)| (Float weights; same weights in Double).
            """)

    @OptionGroup var options: EvalOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        var reports: [OneStepReport] = []
        for (model, data) in try options.load() {
            reports.append(evaluateOneStep(model, data: data, orientations: options.orientations))
        }
        let labels = EvaluationPlots.modelLabels(reports.map { ($0.model, $0.checkpoint) })
        if let plot = options.plot { try PNG.write(EvaluationPlots.oneStep(reports, labels: labels).render(), to: URL(fileURLWithPath: plot)) }
        if output.json { return try printJSON(reports) }
        print(
            table(
                ["model", "params", "in-slice L", "out-of-slice L", "OOD ratio", "flatness", "residual F32", "residual F64", "enc resid F32"],
                zip(labels, reports).map { label, r in
                    [
                        label, "\(r.parameters)", sci(r.inSliceMean), sci(r.outOfSliceMean), fmt(r.oodRatio, 3), sci(r.flatness),
                        sci(r.residualFloat), sci(r.residualDouble), sci(r.encoderResidualFloat),
                    ]
                }))
        print("")
        let header = ["deg"] + labels
        let rows = reports[0].orbit.indices.map { i in
            [fmt(reports[0].orbit[i].degrees, 1) + (reports[0].orbit[i].inSlice ? "*" : "")] + reports.map { sci($0.orbit[i].relMSE) }
        }
        print(table(header, rows))
        print("(* inside the training slice; \(reports[0].samples) held-out transitions; target = EMA encoder)")
        if reports.count > 1, let vn = reports.first(where: { $0.model == "vn" }) {
            for r in reports where r.model != "vn" {
                print("parameter ratio \(r.model)/vn: \(fmt(Double(r.parameters) / Double(vn.parameters), 2))x")
            }
        }
        if let plot = options.plot { print("plot: \(plot)") }
    }
}

/// Parses "1..16", "1,2,4,8,16" or "16".
func parseHorizons(_ text: String) throws -> [Int] {
    if let r = text.range(of: "..") {
        guard let a = Int(text[..<r.lowerBound]), let b = Int(text[r.upperBound...]), a >= 1, b >= a else {
            throw ValidationError("--horizons: '\(text)' is not a range like 1..16")
        }
        return Array(a...b)
    }
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
        throw ValidationError("--horizons: '\(text)' is not a list of positive integers")
    }
    return parts.map { $0! }.sorted()
}

struct EvalRollout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "H-step open-loop latent rollout relMSE per horizon per orientation.",
        discussion: """
            z_0 = E(g.o_0), z_h = f(z_{h-1}, g.a_{h-1}), compared with E_ema(g.o_h) on held-out canonical-frame episode
            segments (g applied to every observation and action). Reported per horizon: the in-slice mean (3 orientations
            in the slice), the out-of-slice mean (orbit orientations outside it), their ratio, and the spread
            max L / min L - 1 over all orientations.
            """)

    @OptionGroup var options: EvalOptions
    @Option(help: "Horizons: 1..16, or a list 1,2,4,8,16.") var horizons: String = "1..16"
    @Option(help: "Most episode segments per orientation.") var segments: Int = 512
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try parseHorizons(horizons)
        guard segments > 0 else { throw ValidationError("--segments must be positive") }
    }

    func run() throws {
        let hs = try parseHorizons(horizons)
        var reports: [RolloutReport] = []
        for (model, data) in try options.load() {
            reports.append(try evaluateRollout(model, data: data, horizons: hs, orientations: options.orientations, maxSegments: segments))
        }
        let labels = EvaluationPlots.modelLabels(reports.map { ($0.model, $0.checkpoint) })
        if let plot = options.plot { try PNG.write(EvaluationPlots.rollout(reports, labels: labels).render(), to: URL(fileURLWithPath: plot)) }
        if output.json { return try printJSON(reports) }
        var header = ["H"]
        for l in labels { header += ["\(l) in", "\(l) out", "\(l) ratio", "\(l) spread"] }
        let rows = reports[0].horizons.indices.map { j in
            ["\(reports[0].horizons[j])"]
                + reports.flatMap { r in [sci(r.inSliceMean[j]), sci(r.outOfSliceMean[j]), fmt(r.oodRatio[j], 2), sci(r.spread[j])] }
        }
        print(table(header, rows))
        print(
            "(\(reports[0].segments) held-out segments, \(reports[0].orientationsDegrees.count) orientations; spread = max L / min L - 1 over all of them; target = EMA encoder)"
        )
        for (label, r) in zip(labels, reports) {
            guard let agent = r.agentErrorPx, let body = r.bodyErrorPx else { continue }
            var line = "\(label): predicted observation error at orientation 0 (mean px), agent "
            line += agent.map { fmt($0, 1) }.joined(separator: " ") + "; T keypoints " + body.map { fmt($0, 1) }.joined(separator: " ")
            if let ratio = r.bodyMotionRatio { line += "; T motion predicted / true " + ratio.map { fmt($0, 2) }.joined(separator: " ") }
            print(line)
        }
        if let plot = options.plot { print("plot: \(plot)") }
    }
}
