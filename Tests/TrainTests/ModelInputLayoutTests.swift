import Agents
import Envs
import Foundation
import Tensor
import Testing
@testable import Train

/// The generic layer (`ModelInputLayout`, `LayoutJEPATrainer`, `TrainedModel`, `ModelInference`, `LoadedModel`): each
/// layout's protocol tensors and draws are those of the dedicated 2D and 3D code they replace, bit for bit.
@Suite struct ModelInputLayoutTests {
    static func scalars(_ t: Tensor<Double>) -> [Double] { t.withUnsafeBufferPointer { Array($0) } }

    static func random(_ n: Int, _ rng: inout Envs.SplitMix64, scale: Double = 3) -> [Double] {
        (0..<n).map { _ in Double.random(in: -scale...scale, using: &rng) }
    }

    @Test func planarLayoutTensorsAreTheDedicatedOnes() throws {
        var rng = Envs.SplitMix64(seed: 11)
        for layout in [
            try ObservationLayout.forEnv("teacher2d"), try ObservationLayout.forEnv("pusht"),
            try ObservationLayout.forEnv("pusht", history: 2, previousAction: true),
        ] {
            let b = 5
            let obs = Self.random(b * layout.observationSize, &rng, scale: 300), act = Self.random(b * 2, &rng, scale: 300)
            let origins = Self.random(3 * b, &rng)
            #expect(layout.dimension == 2 && layout.inputChannels == layout.points && layout.originSize == 0)
            #expect(layout.observesPreviousAction == layout.previousAction)
            // Origins are ignored; model actions are the raw actions.
            #expect(
                Self.scalars(layout.pointsTensor(obs, batch: b, origins: origins, as: Double.self))
                    == Self.scalars(layout.pointsTensor(obs, batch: b, as: Double.self)))
            #expect(layout.modelActions(act, observations: obs, batch: b) == act)
        }
    }

    @Test func planarAugmentationDrawsAsTheDedicatedTrainer() throws {
        let layout = try ObservationLayout.forEnv("pusht")
        var data = Envs.SplitMix64(seed: 3)
        let b = 7, os = layout.observationSize
        let o = Self.random(b * os, &data, scale: 400), n = Self.random(b * os, &data, scale: 400), a = Self.random(2 * b, &data, scale: 400)
        var go = o, gn = n, ga = a
        var rng = Xoshiro256(seed: 99)
        layout.augment(observations: &go, next: &gn, actions: &ga, origins: [], batch: b, using: &rng)
        // The 2D trainer's own loop before the generic layer.
        var eo = o, en = n, ea = a
        var ref = Xoshiro256(seed: 99)
        for i in 0..<b {
            let g = layout.rotation(2 * Double.pi * ref.nextUnit())
            eo.replaceSubrange(i * os..<(i + 1) * os, with: g.apply(toPoints: Array(o[i * os..<(i + 1) * os])))
            en.replaceSubrange(i * os..<(i + 1) * os, with: g.apply(toPoints: Array(n[i * os..<(i + 1) * os])))
            ea.replaceSubrange(2 * i..<2 * i + 2, with: g.apply(toPoints: Array(a[2 * i..<2 * i + 2])))
        }
        #expect(go == eo && gn == en && ga == ea)
        #expect(rng.next() == ref.next())  // the same number of draws
        // mlp-soft: angles drawn in the same way, the batch rotated by them.
        var s1 = Xoshiro256(seed: 5), s2 = Xoshiro256(seed: 5)
        let orbit = try #require(layout.softOrbit(observations: o, actions: a, batch: b, using: &s1))
        let angles = (0..<b).map { _ in 2 * Double.pi * s2.nextUnit() }
        let g0 = layout.rotation(angles[0])
        #expect(Array(orbit.observations[0..<os]) == g0.apply(toPoints: Array(o[0..<os])))
        #expect(Array(orbit.actions[0..<2]) == g0.apply(toPoints: Array(a[0..<2])))
        #expect(s1.next() == s2.next())
    }

    @Test func cloudLayoutTensorsAreTheDedicatedOnes() throws {
        let layout = try CloudLayout.forEnv("teacher3d")
        var rng = Envs.SplitMix64(seed: 7)
        let b = 4
        let obs = Self.random(b * layout.observationSize, &rng), act = Self.random(3 * b, &rng), origins = Self.random(3 * b, &rng)
        #expect(layout.dimension == 3 && layout.inputChannels == layout.channels && layout.originSize == 3 && !layout.observesPreviousAction)
        let offsets = layout.modelActions(act, observations: obs, batch: b)
        #expect(offsets == layout.offsets(actions: act, observations: obs, batch: b))
        #expect(
            Self.scalars(layout.actionTensor(offsets, batch: b, as: Double.self))
                == Self.scalars(layout.offsetTensor(offsets, batch: b, as: Double.self)))
        #expect(Self.scalars(layout.pointsTensor(obs, batch: b, origins: origins, as: Double.self)).count == b * 3 * layout.channels)
        var none = Xoshiro256(seed: 1)
        #expect(layout.softOrbit(observations: obs, actions: offsets, batch: b, using: &none) == nil)
    }

    @Test func cloudAugmentationDrawsAsTheDedicatedTrainer() throws {
        let layout = try CloudLayout.forEnv("teacher3d")
        var data = Envs.SplitMix64(seed: 8)
        let b = 5, os = layout.observationSize
        let o = Self.random(b * os, &data), n = Self.random(b * os, &data), a = Self.random(3 * b, &data), w = Self.random(3 * b, &data)
        var go = o, gn = n, ga = a
        var rng = Xoshiro256(seed: 42)
        layout.augment(observations: &go, next: &gn, actions: &ga, origins: w, batch: b, using: &rng)
        // The 3D trainer's own loop before the generic layer.
        var eo = o, en = n, ea = a
        var ref = Xoshiro256(seed: 42)
        for i in 0..<b {
            let r = Mat3.randomRotation(using: &ref), t = Vec3(w, at: 3 * i)
            let g = SE3Transform(rotation: r, translation: t - r * t)
            eo.replaceSubrange(i * os..<(i + 1) * os, with: layout.act(g, observations: Array(o[i * os..<(i + 1) * os])))
            en.replaceSubrange(i * os..<(i + 1) * os, with: layout.act(g, observations: Array(n[i * os..<(i + 1) * os])))
            ea.replaceSubrange(3 * i..<3 * i + 3, with: layout.rotate(g.rotation, vectors: Array(a[3 * i..<3 * i + 3])))
        }
        #expect(go == eo && gn == en && ga == ea)
        #expect(rng.next() == ref.next())
    }

    @Test func formatsAndKeysStayWithTheLayoutKind() {
        #expect(JEPATrainer.format == "ewm-world-model/1" && CloudJEPATrainer.format == "ewm-world-model-3d/1")
        #expect(ObservationLayout.checkpointKind.layoutKey == "layout" && ObservationLayout.checkpointKind.trainKey == "train")
        #expect(CloudLayout.checkpointKind.layoutKey == "layout3d" && CloudLayout.checkpointKind.trainKey == "train3d")
    }

    /// The generic trainer writes each layout's format and keys, and the generic reader and view read them back: the 3D
    /// view is world-centred and has no Double twin, the 2D Float view has one.
    @Test func genericTrainerAndViewsOnBothLayouts() throws {
        let cloud = try Ladder3DTests.tiny(.mlpAug, steps: 2)
        let state3 = try cloud.checkpoint(command: "t")
        #expect(state3.metadata["format"] == "ewm-world-model-3d/1" && state3.metadata["layout3d"] != nil && state3.metadata["train3d"] != nil)
        #expect(state3.metadata["layout"] == nil && state3.metadata["train"] == nil)
        let trained3 = try Ladder3DTests.saved(cloud, "generic")
        #expect(trained3.name.hasPrefix("mlp-aug@identity (") && trained3.train == cloud.config && trained3.layout == cloud.layout)
        let view3 = LoadedCloudModel<Float>(trained3)
        // Planners find the world centre by a dynamic cast of `any LatentWorldModel` (Teacher3DPlanning).
        #expect((view3 as any LatentWorldModel) is WorldCentred && view3.doubleTwin == nil && view3.origin == [0, 0, 0] && view3.actionSize == 3)

        let (config, data) = try WorldModelTrainingTests.tinyConfig(.mlpAug, steps: 2)
        let url = try WorldModelTrainingTests.trainedCheckpoint(config, data, name: "generic")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let trained2 = try TrainedWorldModel(url: url)
        #expect(trained2.metadata["format"] == "ewm-world-model/1" && trained2.metadata["layout3d"] == nil && trained2.train == config)
        #expect(!TrainedCloudModel.isCloudCheckpoint(url) && TrainedWorldModel.isCheckpoint(url))
        let view2 = LoadedWorldModel<Float>(trained2)
        #expect(!((view2 as any LatentWorldModel) is WorldCentred) && view2.doubleTwin != nil && view2.origin.isEmpty)
        // The 3D reader refuses a 2D checkpoint and the other way round.
        #expect(throws: SafeTensorsError.self) { try TrainedCloudModel(url: url) }
        let cloudTrainer = try Ladder3DTests.tiny(.vn, steps: 1)
        #expect(throws: SafeTensorsError.self) { try cloudTrainer.resume(from: try SafeTensors.read(from: url)) }
    }

    /// One step of the generic trainer on a 3D layout equals the dedicated 3D step written out (indices, offsets,
    /// origins, tensors, loss), checked on the loss it reports.
    @Test func genericStepMatchesTheDedicated3DStep() throws {
        var spec = ModelSpec.defaults3D(kind: .mlp, points: 17)
        spec.config.encoderWidths = [4]; spec.config.predictorWidths = [6]; spec.config.latentChannels = 3
        spec.hiddenScale = 2
        let collect = Collect3DConfig(env: "teacher3d", episodes: 3, stepsPerEpisode: 6, rung: .se3, seed: 9)
        let config = Train3DConfig(env: "teacher3d", model: spec, rung: .se3, steps: 3, batch: 8, warmup: 1, seed: 9, collect: collect)
        let data = try collectTransitions3D(collect)
        let trainer = try CloudJEPATrainer(config: config, data: data)
        let metrics = trainer.trainStep()
        // The dedicated step's forward pass, from a fresh net with the same seed.
        let layout = trainer.layout
        let net = WorldNet<Float>(spec, seed: config.seed)
        var rng = Xoshiro256(seed: CloudJEPATrainer.stepSeed(config.seed, 0))
        let indices = (0..<8).map { _ in Int(rng.next() % UInt64(data.count)) }
        let offsets = layout.offsets(actions: data.actions, observations: data.observations, batch: data.count)
        let (o, _, n) = data.gather(indices)
        var a = [Double](), w = [Double]()
        for i in indices { a += offsets[3 * i..<3 * i + 3]; w += data.origins[3 * i..<3 * i + 3] }
        let z = net.encode(Variable(layout.pointsTensor(o, batch: 8, origins: w, as: Float.self)))
        let p = net.predict(z, action: Variable(layout.offsetTensor(a, batch: 8, as: Float.self)))
        let goal = net.encode(Variable(layout.pointsTensor(n, batch: 8, origins: w, as: Float.self)))
        let prediction = Loss.relativeMSE(p, goal)
        let reg = config.regularizer.loss(z, rep: spec.latentRep, using: &rng)
        #expect(metrics.prediction == Double(prediction.value.scalar))
        #expect(metrics.regularizer == Double(reg.value.scalar))
    }
}
