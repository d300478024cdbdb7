import ArgumentParser
import EWMIO
import Envs
import Experiments
import Foundation
import Planner
import Tensor
import Train

// The 3D worlds (teacher3d) through `collect`, `train` and `eval`: slices are rungs of the SE(3) ladder.

extension Collect {
    func run3D() throws {
        let rung = try SE3Ladder.Rung.parse(slice)
        let config = Collect3DConfig(
            env: env, episodes: episodes, stepsPerEpisode: steps, rung: rung, startSpread: startSpread,
            actionRadius: actionRadius, seed: seed)
        let progress = ProgressLine(label: "collect", total: episodes, enabled: !output.json)
        let (data, report) = try CollectionRun.collect(config, to: URL(fileURLWithPath: out), shardSize: shardSize) { progress.update($0) }
        progress.finish()
        if output.json { return try printJSON(report) }
        print(
            "\(env): \(data.count) transitions from \(episodes) episodes on the \(rung.rawValue) rung -> \(out) (\(report.shards.count) shard(s), \(fmt(report.seconds, 2)) s)"
        )
    }
}

extension TrainCommand {
    func run3D() throws {
        BLAS.setThreadCount(threads)
        MemoryTuning.retainFreedMemory()
        let rung = try SE3Ladder.Rung.parse(sliceText ?? "identity")
        let layout = try CloudLayout.forEnv(env)
        let spec = try modelOverrides(planar: false).cloudSpec(kind: model, points: layout.channels, scale: scale)
        let requested = Collect3DConfig(env: env, episodes: episodes, stepsPerEpisode: episodeSteps, rung: rung, seed: seed)
        let (dataset, collect) = try DatasetCompatibility.trainingData(data, requested: requested)
        let config = Train3DConfig(
            env: env, model: spec, rung: rung, steps: steps, batch: batch, regularizer: loss, regWeight: regWeight,
            muonLearningRate: muonLr, adamLearningRate: adamLr, weightDecay: weightDecay, emaDecay: ema,
            warmup: warmup, seed: seed, collect: collect, dataDirectory: data)
        let trainer = try CloudJEPATrainer(config: config, data: dataset)
        try trainAndReport(trainer, transitions: dataset.count, description: "rung \(rung.rawValue)")
    }
}

private let rungLabels = ["identity", "SO(2)", "SO(3)", "SE(3)"]

struct EvalLadder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ladder",
        abstract: "3D world models over the SE(3) ladder: one-step relMSE per rung, flatness, OOD ratios, residuals, parameters.",
        discussion: """
            L(g) = mean relMSE(f(E(g.o), g.a), E_ema(g.o')) (Float) on held-out canonical transitions of each checkpoint's
            collection settings (another seed), at the identity and --samples seeded elements of each of SO(2) about z,
            SO(3) and SE(3). In-slice = the checkpoint's training rung; OOD ratio = mean L over the higher rungs' samples /
            mean L over the training rung's; ladder ratio = mean L on SE(3) / mean L on the training rung; flatness =
            max L / min L - 1 over all samples. Composed residual as `eval one-step`, with rho(R) on 3-vector channels.
            The plot shows mean L per rung with 95% intervals over the rung's samples.
            """)

    @Option(name: .long, help: "3D checkpoint (repeat to compare).") var checkpoint: [String] = []
    @Option(help: "Elements per rung (identity is one).") var samples: Int = 16
    @Option(help: "Held-out canonical episodes.") var episodes: Int = 40
    @Option(help: "Seed of the held-out data (default: the run's seed + 1000003).") var dataSeed: UInt64?
    @Option(help: "Seed of the group samples.") var sampleSeed: UInt64 = 7
    @Option(help: "Write the ladder plot here (.png).") var plot: String?
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !checkpoint.isEmpty else { throw ValidationError("give at least one --checkpoint") }
        guard samples >= 2, episodes >= 1, threads >= 1 else { throw ValidationError("--samples must be >= 2, --episodes and --threads positive") }
        if let plot, !plot.lowercased().hasSuffix(".png") { throw ValidationError("--plot must name a .png file") }
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        var reports: [LadderReport] = []
        for path in checkpoint {
            let model = try TrainedCloudModel(url: URL(fileURLWithPath: path))
            let data = try heldOutTransitions3D(for: model, episodes: episodes, seed: dataSeed)
            reports.append(evaluateLadder(model, data: data, samplesPerRung: samples, seed: sampleSeed))
        }
        if let plot { try PNG.write(EvaluationPlots.ladder(reports).render(), to: URL(fileURLWithPath: plot)) }
        if output.json { return try printJSON(reports) }
        print(
            table(
                ["model", "trained on", "params"] + rungLabels + ["OOD ratio", "ladder ratio", "flatness", "resid F32", "resid F64"],
                reports.map { r in
                    [r.model, r.trainingRung, "\(r.parameters)"] + r.rungs.map { sci($0.mean) + ($0.inSlice ? "*" : "") }
                        + [fmt(r.oodRatio, 2), fmt(r.ladderRatio, 2), sci(r.flatness), sci(r.residualFloat), sci(r.residualDouble)]
                }))
        print(
            "(* rung inside the training slice; \(reports[0].transitions) held-out transitions; identity + \(samples) samples per rung; target = EMA encoder)"
        )
        for r in reports where r.model != "vn" {
            if let vn = reports.first(where: { $0.model == "vn" }) {
                print("parameter ratio \(r.model)/vn: \(fmt(Double(r.parameters) / Double(vn.parameters), 2))x")
            }
        }
        if let plot { print("plot: \(plot)") }
    }
}
