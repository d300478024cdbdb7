import Agents
import Envs
import Foundation
import Planner
import Tensor
import Testing
@testable import Train

@Suite struct Ladder3DTests {
    static func tiny(_ kind: ModelKind, rung: SE3Ladder.Rung = .identity, steps: Int = 5) throws -> CloudJEPATrainer {
        var spec = ModelSpec.defaults3D(kind: kind, points: 17)
        spec.config.encoderWidths = [4]; spec.config.predictorWidths = [6]; spec.config.latentChannels = 3
        if kind.isMLP { spec.hiddenScale = 2 }
        let collect = Collect3DConfig(env: "teacher3d", episodes: 4, stepsPerEpisode: 8, rung: rung, seed: 5)
        let config = Train3DConfig(env: "teacher3d", model: spec, rung: rung, steps: steps, batch: 8, warmup: 1, seed: 5, collect: collect)
        let trainer = try CloudJEPATrainer(config: config, data: try collectTransitions3D(collect))
        for _ in 0..<steps { trainer.trainStep() }
        return trainer
    }

    static func saved(_ trainer: CloudJEPATrainer, _ name: String) throws -> TrainedCloudModel {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ewm-ladder3d-\(ProcessInfo.processInfo.processIdentifier)-\(name).safetensors")
        try trainer.save(to: url, command: "test")
        defer { try? FileManager.default.removeItem(at: url) }
        return try TrainedCloudModel(url: url)
    }

    @Test func layoutCentresAndCollectionIsSeeded() throws {
        let layout = try CloudLayout.forEnv("teacher3d")
        let a = try collectTransitions3D(Collect3DConfig(env: "teacher3d", episodes: 3, stepsPerEpisode: 4, rung: .se3, seed: 2))
        let b = try collectTransitions3D(Collect3DConfig(env: "teacher3d", episodes: 3, stepsPerEpisode: 4, rung: .se3, seed: 2))
        #expect(a.count == 12 && a.observations == b.observations && a.actions == b.actions)
        // Translations drop out of the model's inputs; rotations turn them.
        let g = SE3Transform(rotationVector: Vec3(0.3, -1.1, 2.0), translation: Vec3(0.2, 0.4, -0.3))
        let obs = Array(a.observations[0..<48])
        let x: Tensor<Double> = layout.pointsTensor(obs, batch: 1)
        let gx: Tensor<Double> = layout.pointsTensor(layout.act(g, observations: obs), batch: 1, origins: g.translation.array)
        #expect(x.shape == [1, 1, 3, 17])
        x.withUnsafeBufferPointer { p in
            gx.withUnsafeBufferPointer { q in
                for k in 0..<17 {
                    let v = g.rotation * Vec3(p[k], p[17 + k], p[34 + k])
                    #expect((v - Vec3(q[k], q[17 + k], q[34 + k])).length < 1e-12)
                }
            }
        }
        #expect(throws: (any Error).self) { try CloudLayout.forEnv("pusht") }
        #expect(throws: (any Error).self) { try SE3Ladder.Rung.parse("so4") }
    }

    @Test func vnIsFlatAcrossTheLadderAndTheMLPIsNot() throws {
        let vn = try Self.saved(try Self.tiny(.vn), "vn")
        let mlp = try Self.saved(try Self.tiny(.mlp), "mlp")
        #expect(vn.parameterCount < mlp.parameterCount)
        let data = try heldOutTransitions3D(for: vn, episodes: 3)
        let r = evaluateLadder(vn, data: data, samplesPerRung: 3)
        #expect(r.samples.count == 10 && r.rungs.count == 4)
        #expect(r.flatness < 1e-4)
        #expect(r.residualDouble < 1e-12 && r.residualFloat < 1e-4)
        let m = evaluateLadder(mlp, data: data, samplesPerRung: 3)
        #expect(m.residualDouble > 1e-3 && m.flatness > 1e-2)
    }

    @Test func resumeNeedsTheSameConfig() throws {
        let a = try Self.tiny(.vn, steps: 3)
        let state = try a.checkpoint(command: "test")
        let b = try Self.tiny(.vn, steps: 0 + 1)
        #expect(throws: (any Error).self) { try b.resume(from: state) }  // different steps in the config
    }

    @Test func equivariantPlannerTurnsWithTheWorld() throws {
        let trained = try Self.saved(try Self.tiny(.vn), "planner")
        let model = LoadedCloudModel<Double>(trained)
        var settings = Teacher3DGoalTask.Settings()
        settings.offsetSteps = 3
        let task = try Teacher3DGoalTask.make(index: 0, settings: settings)
        let layout = trained.layout
        var config = CloudMPC.Config()
        config.cem.samples = 12; config.cem.elites = 3; config.cem.iterations = 3; config.cem.horizon = 2
        func firstAction(_ g: SE3Transform) throws -> [Double] {
            model.origin = g.apply(point: .zero).array
            let mpc = CloudMPC(
                model: model, config: config, goal: layout.act(g, observations: task.goal), reference: { layout.reference($0, row: 0) })
            mpc.reset(seed: 1)
            let a = try mpc.action(observation: Observation(layout.act(g, observations: task.start)), info: Info())
            #expect(mpc.stats.degenerateFrames == 0)
            return a
        }
        let a0 = try firstAction(.identity)
        for g in SE3Ladder().sample(.se3, count: 3, seed: 4) {
            let ag = try firstAction(g)
            #expect((Vec3(ag, at: 0) - g.apply(point: Vec3(a0, at: 0))).length < 1e-9)
        }
    }

    @Test func closedLoopEpisodeRuns() throws {
        let trained = try Self.saved(try Self.tiny(.vn), "episode")
        var settings = Teacher3DGoalTask.Settings()
        settings.offsetSteps = 2; settings.budget = 3
        let task = try Teacher3DGoalTask.make(index: 1, settings: settings)
        var config = CloudMPC.Config()
        config.cem.samples = 8; config.cem.elites = 2; config.cem.iterations = 2; config.cem.horizon = 2
        let layout = trained.layout
        let mpc = CloudMPC(model: LoadedCloudModel<Double>(trained), config: config, goal: [], reference: { layout.reference($0, row: 0) })
        let g = SE3Ladder().sample(.se3, count: 1, seed: 9)[0]
        let proto = Teacher3DGoalProtocol(settings: settings)
        let e0 = try CloudPlanning.episode(protocol: proto, index: task.index, g: .identity, controller: mpc)
        let eg = try CloudPlanning.episode(protocol: proto, index: task.index, g: g, controller: mpc)
        #expect(e0.trajectory.count == eg.trajectory.count && e0.plans == e0.trajectory.count - 1)
        #expect(PlanningEpisodes.deviation(eg.trajectory, from: e0.trajectory, g: g) < 1e-9)
        #expect(abs(e0.final - eg.final) < 1e-9 && e0.final == Teacher3DGoalTask.meanPointError(e0.trajectory.last!, task.goal))
    }
}
