import Agents
import Envs
import Foundation
import Testing
@testable import Train

/// The library side of `train` and `collect`: the training run (log, checkpoints, resume, refusal), the rules for
/// training on collected data, the model flags shared by 2D and 3D, and the collection run.
@Suite struct TrainingRunTests {
    static func tmp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ewm-run-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    static func tiny(steps: Int) throws -> (TrainConfig, TransitionSet) {
        try WorldModelTrainingTests.tinyConfig(.vn, steps: steps)
    }

    @Test func trainsLogsCheckpointsAndRefusesToOverwrite() throws {
        let dir = Self.tmp("run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (config, data) = try Self.tiny(steps: 7)
        let run = TrainingRun(
            directory: dir, steps: 7, logEvery: 3, checkpointEvery: 4, command: "ewm-sim train --test", env: "teacher2d", model: "vn")
        var seen: [Int] = []
        let summary = try run.run(try JEPATrainer(config: config, data: data), transitions: data.count) { seen.append($0.step) }
        #expect(seen == Array(1...7))
        #expect(summary.steps == 7 && summary.transitions == data.count && summary.first?.step == 1 && summary.last?.step == 7)
        #expect(summary.model == "vn" && summary.env == "teacher2d" && summary.command == "ewm-sim train --test")
        // Logged: the first step, every third, the last.
        let lines = try String(contentsOf: run.metricsURL, encoding: .utf8).split(separator: "\n")
        let steps = try lines.map { try JSONDecoder().decode(TrainMetrics.self, from: Data($0.utf8)).step }
        #expect(steps == [1, 3, 6, 7])
        #expect(FileManager.default.fileExists(atPath: run.checkpointURL.path))
        #expect(FileManager.default.fileExists(atPath: run.summaryURL.path))
        // The same weights as training by hand.
        let manual = try JEPATrainer(config: config, data: data)
        for _ in 0..<7 { manual.trainStep() }
        let other = Self.tmp("manual")
        defer { try? FileManager.default.removeItem(at: other) }
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try manual.save(
            to: other.appendingPathComponent("c.safetensors"), command: "ewm-sim train --test",
            extra: ["command_line": "ewm-sim train --test", "env": "teacher2d"])
        #expect(try Data(contentsOf: other.appendingPathComponent("c.safetensors")) == Data(contentsOf: run.checkpointURL))

        #expect(throws: TrainingRunError("\(run.checkpointURL.path) exists; pass --resume to continue it or choose another --out")) {
            try run.run(try JEPATrainer(config: config, data: data), transitions: data.count)
        }
    }

    /// The message of the error `body` throws (nil if it does not throw).
    static func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func resumesFromTheCheckpointAndKeepsTheLogUpToIt() throws {
        let dir = Self.tmp("resume"), straight = Self.tmp("straight")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: straight) }
        let (config, data) = try Self.tiny(steps: 6)
        var run = TrainingRun(directory: dir, steps: 6, resume: true, logEvery: 1, checkpointEvery: 100, command: "c", env: "teacher2d", model: "vn")
        #expect(
            Self.message { try run.run(try JEPATrainer(config: config, data: data), transitions: 1) }
                == "--resume: no checkpoint at \(run.checkpointURL.path)")
        // Interrupted after the step-4 checkpoint, with log lines beyond it.
        var first = run
        first.resume = false; first.steps = 4
        try first.run(try JEPATrainer(config: config, data: data), transitions: 1)
        let logged = try String(contentsOf: run.metricsURL, encoding: .utf8)
        let stale = try #require(logged.split(separator: "\n").last?.replacingOccurrences(of: #""step":4"#, with: #""step":5"#))
        #expect(TrainingRun.metricLines(logged + stale + "\n", upTo: 100).count == 5)
        try (logged + stale + "\n").write(to: run.metricsURL, atomically: true, encoding: .utf8)
        var resumed: [Int] = []
        let summary = try run.run(try JEPATrainer(config: config, data: data), transitions: 1) { resumed.append($0.step) }
        #expect(resumed == [5, 6] && summary.steps == 6 && summary.first?.step == 5)
        let text = try String(contentsOf: run.metricsURL, encoding: .utf8)
        #expect(TrainingRun.metricLines(text, upTo: 100).count == 6)
        #expect(TrainingRun.metricLines(text, upTo: 4).count == 4)
        #expect(TrainingRun.metricLines(text + "not json\n", upTo: 100).count == 6)
        // The same weights as training straight through.
        let whole = TrainingRun(directory: straight, steps: 6, command: "c", env: "teacher2d", model: "vn")
        try whole.run(try JEPATrainer(config: config, data: data), transitions: 1)
        #expect(try Data(contentsOf: whole.checkpointURL) == Data(contentsOf: run.checkpointURL))
    }

    @Test func trainingDataMustMatchTheRecordedCollection() throws {
        let dir = Self.tmp("compat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let collect = CollectConfig(env: "teacher2d", episodes: 3, stepsPerEpisode: 4, seed: 5)
        let (data, report) = try CollectionRun.collect(collect, to: dir, shardSize: 5)
        #expect(report.transitions == 12 && data.count == 12 && report.shards.count == 3 && report.tMovedFraction == nil)
        #expect(try DatasetCompatibility.recordedConfig(in: dir, as: CollectConfig.self) == collect)

        var requested = collect
        requested.seed = 99  // ignored: the recorded settings win
        let (loaded, recorded) = try DatasetCompatibility.load(dir.path, requested: requested)
        #expect(loaded.count == 12 && recorded == collect)

        requested.history = 2
        #expect(
            Self.message { _ = try DatasetCompatibility.load(dir.path, requested: requested) }
                == "--data \(dir.path) holds 1-frame observations; pass --history 1")
        var frameskip = collect
        frameskip.frameskip = 5
        #expect(
            Self.message { try DatasetCompatibility.check(collect, against: frameskip, path: "x") }
                == "--data x holds transitions with frameskip 1; pass --frameskip 1")
        var previous = collect
        previous.previousAction = true
        #expect(
            Self.message { try DatasetCompatibility.check(collect, against: previous, path: "x") }
                == "--data x was collected without --previous-action; pass the same")
        #expect(Self.message { try DatasetCompatibility.check(collect, against: collect, path: "x") } == nil)
        // Shards of another env are refused (by their shapes, or by the recorded env).
        var pusht = collect
        pusht.env = "pusht"
        #expect(Self.message { _ = try DatasetCompatibility.load(dir.path, requested: pusht) } != nil)
        // A listed collect.json that went missing is refused; a directory without a manifest or collect.json (written by
        // another tool) is read with the run's own settings.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("collect.json"))
        #expect(Self.message { _ = try DatasetCompatibility.load(dir.path, requested: requested) }?.contains("collect.json") == true)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("manifest.json"))
        #expect(try DatasetCompatibility.load(dir.path, requested: requested).collect == requested)
    }

    @Test func cloudDataMustComeFromTheSameRung() throws {
        let dir = Self.tmp("compat3d")
        defer { try? FileManager.default.removeItem(at: dir) }
        let collect = Collect3DConfig(env: "teacher3d", episodes: 2, stepsPerEpisode: 3, rung: .identity, seed: 1)
        let (_, report) = try CollectionRun.collect(collect, to: dir, shardSize: 100)
        #expect(report.transitions == 6 && report.tMovedFraction == nil)
        #expect(try DatasetCompatibility.load(dir.path, requested: collect).collect == collect)
        var so3 = collect
        so3.rung = .so3
        #expect(
            Self.message { _ = try DatasetCompatibility.load(dir.path, requested: so3) }
                == "--data \(dir.path) was collected on the identity rung, not so3")
    }

    @Test func modelOverridesApplyTheSameWayIn2DAnd3D() {
        let o = ModelOverrides(
            hiddenScale: 3, eps: 0.5, mlpBias: true, encoderWidths: [5, 6], predictorWidths: [7], latentChannels: 4,
            residual: true, observationInLatent: true, gatedDirections: 2)
        let planar = o.planarSpec(kind: .mlp, points: 9, scale: 4)
        let cloud = o.cloudSpec(kind: .mlp, points: 9, scale: 4)
        for s in [planar, cloud] {
            #expect(s.hiddenScale == 3 && s.mlpBias && s.config.eps == 0.5)
            #expect(s.config.encoderWidths == [5, 6] && s.config.predictorWidths == [7] && s.config.latentChannels == 4)
        }
        #expect(planar.config.dim == 2 && cloud.config.dim == 3)
        #expect(planar.config.residual && planar.config.observationInLatent && planar.config.gatedDirections == 2)
        // The residual predictor and the observation in the latent apply to both; the gated predictor is planar only.
        #expect(cloud.config.residual && cloud.config.observationInLatent && cloud.config.gatedDirections == nil)
        // Without overrides of the width factor, the kind's default stays.
        #expect(ModelOverrides().planarSpec(kind: .mlp, points: 9, scale: 4).hiddenScale == ModelSpec.defaults(kind: .mlp, points: 9).hiddenScale)
        #expect(ModelOverrides().planarSpec(kind: .vn, points: 9, scale: 4) == ModelSpec.defaults(kind: .vn, points: 9))
    }

    @Test func heldOutDataIsCanonicalWithAnotherSeed() throws {
        let collect = CollectConfig(env: "pusht", episodes: 100, stepsPerEpisode: 10, orientations: .defaultSlice, seed: 7)
        let held = try EvaluationData.heldOutConfig(collect, episodes: 3, seed: nil)
        #expect(held.episodes == 3 && held.seed == 7 + EvaluationData.seedOffset && held.orientations.width == 0)
        #expect(try EvaluationData.heldOutConfig(collect, episodes: 3, seed: 42).seed == 42)
    }

    @Test func defaultModelIsFoundInTheSourceTree() throws {
        let url = try DefaultModel.url()
        #expect(url.path.hasSuffix(DefaultModel.relativePath))
        #expect(DefaultModel.candidates("x").count == 2)
        #expect(throws: ModelLoadingError("no such model file: '/nonexistent.safetensors'")) {
            _ = try DefaultModel.load("/nonexistent.safetensors", precision: .double)
        }
    }
}
