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

struct EvalClosedLoop3D: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "closed-loop3d",
        abstract: "Closed-loop goal reaching on teacher3d across SE(3) samples: VN + equivariant planner vs MLP + CEM, Wilson 95% intervals.",
        discussion: """
            Each --controller is planner:checkpoint with planner equivariant (CEM in the canonical frame of
            Gram-Schmidt of two equivariant latent vectors) or cem (CEM in the world's axes). Both plan offsets from the
            cloud's centroid (the equivariant reference point), so translations are handled alike. Task: from the oriented
            canonical start, reach the cloud that --offset-steps random steps lead to (mean point distance < --tolerance
            within --budget steps); at g the whole task is moved by g (frame build). Group: the identity and --samples
            seeded SE(3) elements. Per controller and g: success rate, Wilson 95% interval, degenerate frames, and the
            largest deviation max_t |g^-1 obs_g(t) - obs_id(t)| from the identity run with the same task.
            Summary: success at the identity, pooled off-slice success (g outside the model's training rung) with its
            interval, and a chi-square homogeneity test across all g (p > 0.05: no evidence against flat).
            """)

    @Option(name: .customLong("controller"), help: "planner:checkpoint (planner: equivariant or cem); repeat.") var controllers: [String] = []
    @Option(help: "SE(3) samples besides the identity.") var samples: Int = 16
    @Option(help: "Seed of the group samples.") var sampleSeed: UInt64 = 11
    @Option(help: "Episodes (tasks) per group element.") var episodes: Int = 24
    @Option(help: "Random steps from start to goal.") var offsetSteps: Int = 12
    @Option(help: "Step budget.") var budget: Int = 20
    @Option(help: "Success: mean point distance below this.") var tolerance: Double = 0.01
    @Option(help: "CEM horizon.") var horizon: Int = 4
    @Option(help: "CEM samples.") var cemSamples: Int = 100
    @Option(help: "CEM iterations.") var iterations: Int = 8
    @Option(help: "Steps executed per plan.") var execute: Int = 1
    @Option(help: "Write success per group element with 95% intervals here (.png).") var plot: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !controllers.isEmpty else { throw ValidationError("give at least one --controller planner:checkpoint") }
        for c in controllers { _ = try Self.parse(c) }
        guard samples >= 1, episodes >= 1, offsetSteps >= 1, budget >= 1, tolerance > 0, horizon >= 1, cemSamples >= 2, iterations >= 1, execute >= 1
        else {
            throw ValidationError("counts and the tolerance must be positive")
        }
        if let plot, !plot.hasSuffix(".png") { throw ValidationError("--plot needs a .png path") }
    }

    static func parse(_ text: String) throws -> (equivariant: Bool, path: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["equivariant", "cem"].contains(parts[0]) else {
            throw ValidationError("--controller must be equivariant:CHECKPOINT or cem:CHECKPOINT, not '\(text)'")
        }
        return (parts[0] == "equivariant", parts[1])
    }

    func run() throws {
        MemoryTuning.retainFreedMemory()
        BLAS.setThreadCount(1)
        var settings = Teacher3DGoalTask.Settings()
        settings.offsetSteps = offsetSteps; settings.budget = budget; settings.tolerance = tolerance
        var search = Teacher3DClosedLoop.Search()
        search.horizon = horizon; search.samples = cemSamples; search.iterations = iterations; search.execute = execute
        let specs = try controllers.map { try Self.parse($0) }.map { Teacher3DController(equivariant: $0.equivariant, checkpoint: $0.path) }
        let progress = ProgressLine(label: "closed loop 3D", total: controllers.count * (samples + 1) * episodes, enabled: !output.json)
        var done = 0
        let report = try Teacher3DClosedLoop.run(
            controllers: specs, samples: samples, sampleSeed: sampleSeed, episodes: episodes,
            settings: settings, search: search
        ) { name in
            done += 1
            progress.update(done, detail: name)
        }
        progress.finish()
        let (rows, summaries, disjoint) = (report.rows, report.summaries, report.disjoint)
        if let plot { try PNG.write(EvaluationPlots.closedLoop3D(report).render(), to: URL(fileURLWithPath: plot)) }
        if output.json { return try printJSON(report) }
        print(
            table(
                ["controller", "g", "in slice", "success", "95% CI", "final err", "degenerate", "deviation"],
                rows.enumerated().map { i, r in
                    [
                        r.controller, "\(i % (samples + 1))", r.inSlice ? "yes" : "no", fmt(r.successRate, 3),
                        "[\(fmt(r.interval95[0], 3)), \(fmt(r.interval95[1], 3))]", sci(r.meanFinalError), "\(r.degenerateFrames)/\(r.plans)",
                        sci(r.maxDeviation),
                    ]
                }))
        print("")
        print(
            table(
                [
                    "controller", "params", "identity", "off-slice", "off-slice 95% CI", "all", "all 95% CI", "min..max", "chi2 p", "degenerate",
                    "s/plan",
                ],
                summaries.map { s in
                    [
                        s.controller, "\(s.parameters)", fmt(s.identitySuccess, 3), fmt(s.offSliceSuccess, 3),
                        s.offSliceInterval95.map { "[\(fmt($0[0], 3)), \(fmt($0[1], 3))]" } ?? "-", fmt(s.allSuccess, 3),
                        "[\(fmt(s.allInterval95[0], 3)), \(fmt(s.allInterval95[1], 3))]", "\(fmt(s.minSuccess, 2))..\(fmt(s.maxSuccess, 2))",
                        fmt(s.homogeneityP, 3), "\(s.degenerateFrames)/\(s.plans)", fmt(s.secondsPerPlan, 3),
                    ]
                }))
        for (k, v) in disjoint.sorted(by: { $0.key < $1.key }) {
            print("equivariant (all g) vs \(k) off-slice: 95% intervals \(v ? "disjoint" : "overlap")")
        }
        if let plot { print("plot: \(plot)") }
    }
}
