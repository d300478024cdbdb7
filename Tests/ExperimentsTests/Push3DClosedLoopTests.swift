import Envs
import Foundation
import Planner
import Testing
@testable import Experiments
@testable import Train

/// The push3d closed loop end to end at a tiny size: a VN trained for a few steps on identity-slice push3d data, the
/// equivariant planner over the identity and one SE(3) sample (its trajectories map onto each other exactly), and a
/// checkpoint of another env refused by name.
@Suite struct Push3DClosedLoopTests {
    static func checkpoint(env: String, name: String, observationInLatent: Bool = false, residual: Bool = false) throws -> URL {
        let layout = try CloudLayout.forEnv(env)
        var spec = ModelSpec.defaults3D(kind: .vn, points: layout.channels)
        spec.config.encoderWidths = [4]; spec.config.predictorWidths = [6]; spec.config.latentChannels = 3
        spec.config.observationInLatent = observationInLatent
        spec.config.residual = residual
        let collect = Collect3DConfig(env: env, episodes: 3, stepsPerEpisode: 6, actionRadius: 0.6, seed: 5)
        let config = Train3DConfig(
            env: env, model: spec, rung: .identity, steps: 3, batch: 8, warmup: 1, seed: 5, collect: collect,
            observationWeight: observationInLatent ? 1 : nil)
        let trainer = try CloudJEPATrainer(config: config, data: try collectTransitions3D(collect))
        for _ in 0..<3 { trainer.trainStep() }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ewm-push3d-cl-\(ProcessInfo.processInfo.processIdentifier)-\(name).safetensors")
        try trainer.save(to: url, command: "test")
        return url
    }

    static var search: SE3ClosedLoop.Search {
        var s = SE3ClosedLoop.Search()
        s.horizon = 2; s.samples = 8; s.iterations = 2
        return s
    }

    static var proto: Push3DGoalProtocol {
        var settings = Push3DGoalTask.Settings()
        settings.pushSteps = 8; settings.minimumMotion = 0.02; settings.budget = 4
        return Push3DGoalProtocol(config: Push3DEnv.defaultConfig(multi: false), settings: settings)
    }

    @Test func equivariantPlannerIsExactAcrossElements() throws {
        let url = try Self.checkpoint(env: "push3d", name: "vn")
        defer { try? FileManager.default.removeItem(at: url) }
        let spec = try #require(ControllerSpec(parsing: "equivariant:\(url.path)"))
        let report = try SE3ClosedLoop.run(
            env: "push3d", controllers: [spec], samples: 1, sampleSeed: 11, episodes: 1, protocol: Self.proto, search: Self.search)
        #expect(report.rows.count == 2 && report.rows.allSatisfy { $0.plans > 0 })
        #expect(report.rows.map(\.maxDeviation).max()! < 1e-9)
        #expect(report.rows[0].meanFinal == report.rows[1].meanFinal || abs(report.rows[0].meanFinal - report.rows[1].meanFinal) < 1e-9)
    }

    /// A latent that carries the observation, z = [E(o), o], predicted by a residual predictor z + g(z, a) and scored with
    /// the learned channels down-weighted: still exact.
    @Test func observationInTheLatentKeepsThePlannerExact() throws {
        let url = try Self.checkpoint(env: "push3d", name: "vn-observed", observationInLatent: true, residual: true)
        defer { try? FileManager.default.removeItem(at: url) }
        let trained = try TrainedCloudModel(url: url)
        #expect(trained.spec.config.observationInLatent && trained.spec.config.residual && trained.train.observationWeight == 1)
        let loaded = LoadedCloudModel<Double>(trained)
        let channels = try CloudLayout.forEnv("push3d").channels
        #expect(loaded.observedLatentChannels == channels)
        #expect(loaded.latentRep.vectors == 3 + loaded.observedLatentChannels)
        var search = Self.search
        search.learnedWeight = 0.25
        let spec = try #require(ControllerSpec(parsing: "equivariant:\(url.path)"))
        let report = try SE3ClosedLoop.run(
            env: "push3d", controllers: [spec], samples: 1, sampleSeed: 11, episodes: 1, protocol: Self.proto, search: search)
        #expect(report.rows.count == 2 && report.rows.allSatisfy { $0.plans > 0 })
        let deviation = report.rows.map(\.maxDeviation).max()!
        print("push3d, observation in the latent, residual predictor, learned weight 0.25: largest deviation \(deviation)")
        #expect(deviation < 1e-9)
    }

    @Test func aLearnedWeightNeedsALatentThatCarriesTheObservation() throws {
        let url = try Self.checkpoint(env: "push3d", name: "vn-plain")
        defer { try? FileManager.default.removeItem(at: url) }
        var search = Self.search
        search.learnedWeight = 0.5
        let spec = try #require(ControllerSpec(parsing: "equivariant:\(url.path)"))
        #expect(throws: PlanningSetupError.self) {
            try SE3ClosedLoop.run(
                env: "push3d", controllers: [spec], samples: 1, sampleSeed: 11, episodes: 1, protocol: Self.proto, search: search)
        }
    }

    @Test func aCheckpointOfAnotherEnvIsRefused() throws {
        let url = try Self.checkpoint(env: "teacher3d", name: "teacher")
        defer { try? FileManager.default.removeItem(at: url) }
        let spec = try #require(ControllerSpec(parsing: "cem:\(url.path)"))
        #expect(throws: (any Error).self) {
            try SE3ClosedLoop.run(
                env: "push3d", controllers: [spec], samples: 1, sampleSeed: 11, episodes: 1, protocol: Self.proto, search: Self.search)
        }
    }
}
