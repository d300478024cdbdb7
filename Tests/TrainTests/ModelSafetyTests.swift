import Agents
import Envs
import Foundation
import Planner
import Tensor
import Testing

@testable import Train

/// Models (issue 14): a checkpoint with a non-finite weight is refused naming the file and the tensor; the equivariant
/// planner refuses a model that is not equivariant by construction unless told to allow it.
@Suite struct ModelSafetyTests {
    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-model-safety-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [Double.nan, .infinity])
    func nonFiniteWeightIsRefusedNamingFileAndTensor(bad: Double) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var state = try SafeTensors.read(from: try DefaultModel.url(DefaultModel.baselinePath))
        let name = try #require(state.tensors.keys.sorted().first { $0.hasPrefix("online.") })
        guard case .f32(var t) = state.tensors[name]! else { Issue.record("expected F32 weights"); return }
        var values = t.scalars
        values[values.count / 2] = Float(bad)
        t = try Tensor(shape: t.shape, scalars: values)
        state.tensors[name] = .f32(t)
        let url = dir.appendingPathComponent("poisoned.safetensors")
        try state.write(to: url)
        for load in [{ _ = try TrainedWorldModel(url: url) }, { _ = try DefaultModel.load(url.path, precision: .double) }] {
            #expect {
                try load()
            } throws: { error in
                let text = "\(error)"
                return text.contains(url.path) && text.contains("'\(name)'") && text.contains("non-finite")
            }
        }
    }

    @Test func equivariantPlannerRefusesANonEquivariantModelUnlessAllowed() throws {
        let mlp = try DefaultModel.load(DefaultModel.baselinePath, precision: .double)
        #expect(!mlp.isEquivariant)
        let env = try Registry.make("pusht", options: MakeOptions(observation: "keypoints"))
        var config = try MPCConfig(env: "pusht")
        #expect {
            try PlanningEpisodes.controller(kind: .equivariant, model: mlp, env: env, config: config, goal: { $0 })
        } throws: { error in
            error is PlanningSetupError && "\(error)".contains("not") && "\(error)".contains("equivariant by construction")
        }
        // Other planners take it; allowed, the equivariant planner takes it and says its plans are not exact.
        _ = try PlanningEpisodes.controller(kind: .cem, model: mlp, env: env, config: config, goal: { $0 })
        config.allowNonEquivariantModel = true
        _ = try PlanningEpisodes.controller(kind: .equivariant, model: mlp, env: env, config: config, goal: { $0 })
        let warning = try PlannerKind.equivariant.check(model: mlp, allowNonEquivariant: true, name: "m.safetensors")
        #expect(warning?.contains("m.safetensors") == true && warning?.contains("not be exact") == true)
        // A VN model is equivariant: nothing to say.
        let vn = try DefaultModel.load(nil, precision: .double)
        #expect(try PlannerKind.equivariant.check(model: vn, allowNonEquivariant: false) == nil)
    }
}
