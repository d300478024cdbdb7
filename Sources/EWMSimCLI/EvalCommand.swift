import ArgumentParser
import EWMIO
import Envs
import Experiments
import Foundation
import Tensor
import Train

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure trained world models and planners across the whole symmetry group.",
        subcommands: [EvalOneStep.self, EvalRollout.self, EvalClosedLoop.self])
}

/// Options shared by the model evaluations.
struct EvalOptions: ParsableArguments {
    @Option(name: .long, help: "Checkpoint (repeat to compare models of one kind: planar or 3D).") var checkpoint: [String] = []
    @Option(name: [.customLong("elements"), .customLong("orientations")], help: "Planar: orientations over the circle; 3D: samples per ladder rung.")
    var elements: Int = 16
    @Option(help: "Held-out canonical episodes, collected with the run's settings and another seed (default: 60; 3D 40).") var episodes: Int?
    @Option(help: "Seed of the held-out data (default: the run's seed + 1000003).") var dataSeed: UInt64?
    @Option(help: "3D: seed of the ladder's samples.") var groupSeed: UInt64 = 7
    @Option(
        help:
            "Planar: evaluate on the transitions in this directory's shard-*.npz (canonical frame, orientation 0; e.g. a planner's own, see tools/dump_to_shards.py) instead of collecting held-out data."
    ) var data: String?
    @Option(help: "Write a PNG plot here.") var plot: String?
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    /// The flags that define an evaluation sweep (--threads too: OpenBLAS may sum in another order on more threads).
    var sweepArguments: [String] {
        var a = SweepArguments()
        for c in checkpoint { a.add("checkpoint", c) }
        a.add("elements", elements); a.add("episodes", episodes); a.add("data-seed", dataSeed); a.add("group-seed", groupSeed)
        a.add("data", data); a.add("threads", threads); a.append(sharding.sweepArguments)
        return a.list
    }

    func validate() throws {
        guard !checkpoint.isEmpty else { throw ValidationError("give at least one --checkpoint") }
        guard elements >= 2 else { throw ValidationError("--elements must be at least 2") }
        guard (episodes ?? 1) > 0, threads > 0 else { throw ValidationError("--episodes and --threads must be positive") }
        if let plot, !plot.lowercased().hasSuffix(".png") { throw ValidationError("--plot must name a .png file") }
    }

    var settings: ModelEvaluation.Settings {
        BLAS.setThreadCount(threads)
        return ModelEvaluation.Settings(elements: elements, episodes: episodes, dataSeed: dataSeed, groupSeed: groupSeed, data: data)
    }

    func emit(_ report: some PlottedReport) throws { try Self.emit(report, plot: plot, json: output.json) }

    static func emit(_ report: some PlottedReport, plot: String?, json: Bool) throws {
        if let plot { try PNG.write(report.plot.render(), to: URL(fileURLWithPath: plot)) }
        try EWMSimCLI.emit(report, json: json)
        if let plot, !json { print("plot: \(plot)") }
    }

    /// Runs `shard`'s units of a sweep of `units` units (`part(units, progress)`) and writes its part.
    func runShard<Sweep: ShardedSweep, Body: Codable>(
        _ sweep: Sweep, _ shard: Shard, units total: Int, part: ([Int], (Int) -> Void) throws -> Body
    ) throws {
        let units = shard.units(of: total)
        let progress = ProgressLine(label: "\(Sweep.sweepName) \(shard)", total: units.count, enabled: !output.json)
        let body = try part(units) { progress.update($0) }
        progress.finish()
        try sweep.writePart(body, shard: shard, units: total, to: try sharding.partsDirectory(for: shard), quiet: output.json)
    }

    /// The shard to run (nil: the whole sweep); a shard draws no plot (merge does).
    func resolvedShard() throws -> Shard? {
        let shard = try sharding.resolved()
        if shard != nil, plot != nil { throw CLIError("a shard writes its part only: draw --plot with `ewm-sim merge DIR --plot FILE`") }
        return shard
    }
}

struct EvalOneStep: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "one-step",
        abstract: "One-step relMSE across the group, flatness, OOD ratio, composed residual, parameter count.",
        discussion: """
            L(g) = mean relMSE(f(E(g.o), g.a), E_ema(g.o')) over held-out canonical-frame transitions, g applied to the
            points and the action; E = online encoder, target = EMA target encoder; Float. Planar models: in-slice mean
            over 5 orientations spread over the training slice, out-of-slice mean over the orbit orientations outside
            it, flatness = max L / min L - 1 over the orbit. 3D models: the identity and --elements seeded elements of
            each of SO(2) about z, SO(3) and SE(3); OOD ratio = mean L over the higher rungs / the training rung's,
            ladder ratio = SE(3) / training rung. Composed residual
            r = max_{g, batch} |f(E(g.o), g.a) - rho(g) f(E(o), a)| / |f(E(o), a)| (Float weights; same weights in Double).
            """)

    @OptionGroup var options: EvalOptions

    static let sweepName = "eval one-step"
    var sweepArguments: [String] { options.sweepArguments }

    func run() throws {
        guard let shard = try options.resolvedShard() else {
            return try options.emit(try ModelEvaluation.oneStep(checkpoints: options.checkpoint, settings: options.settings))
        }
        let total = ModelEvaluation.oneStepUnits(models: options.checkpoint.count, elements: options.elements)
        try options.runShard(self, shard, units: total) { units, progress in
            try ModelEvaluation.oneStepPart(checkpoints: options.checkpoint, settings: options.settings, units: units, progress: progress)
        }
    }

    func merge(_ directory: URL, options merge: MergeOptions) throws {
        let parts = try ShardParts.read(directory, as: ModelSweep.Part<OneStepModelInfo>.self).map(\.body)
        try EvalOptions.emit(try ModelEvaluation.oneStep(parts: parts), plot: merge.plot, json: merge.output.json)
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

struct EvalRollout: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "H-step open-loop latent rollout relMSE per horizon per orientation (planar models).",
        discussion: """
            z_0 = E(g.o_0), z_h = f(z_{h-1}, g.a_{h-1}), compared with E_ema(g.o_h) on held-out canonical-frame episode
            segments (g applied to every observation and action). Reported per horizon: the in-slice mean (3 orientations
            in the slice), the out-of-slice mean (orbit orientations outside it), their ratio, and the spread
            max L / min L - 1 over all orientations.
            """)

    @OptionGroup var options: EvalOptions
    @Option(help: "Horizons: 1..16, or a list 1,2,4,8,16.") var horizons: String = "1..16"
    @Option(help: "Most episode segments per orientation.") var segments: Int = 512

    func validate() throws {
        _ = try parseHorizons(horizons)
        guard segments > 0 else { throw ValidationError("--segments must be positive") }
    }

    static let sweepName = "eval rollout"
    var sweepArguments: [String] {
        var a = SweepArguments()
        a.append(options.sweepArguments); a.add("horizons", horizons); a.add("segments", segments)
        return a.list
    }

    func run() throws {
        let horizons = try parseHorizons(self.horizons)
        guard let shard = try options.resolvedShard() else {
            return try options.emit(
                try ModelEvaluation.rollout(checkpoints: options.checkpoint, settings: options.settings, horizons: horizons, maxSegments: segments))
        }
        let total = ModelEvaluation.rolloutUnits(models: options.checkpoint.count, elements: options.elements)
        try options.runShard(self, shard, units: total) { units, progress in
            try ModelEvaluation.rolloutPart(
                checkpoints: options.checkpoint, settings: options.settings, horizons: horizons, maxSegments: segments, units: units,
                progress: progress)
        }
    }

    func merge(_ directory: URL, options merge: MergeOptions) throws {
        let parts = try ShardParts.read(directory, as: ModelSweep.Part<RolloutModelInfo>.self).map(\.body)
        try EvalOptions.emit(try ModelEvaluation.rollout(parts: parts), plot: merge.plot, json: merge.output.json)
    }
}
