import Agents
import Envs
import Foundation
import Tensor
import Testing
@testable import Train

@Suite struct WorldModelTrainingTests {
    static func tinyConfig(_ kind: ModelKind, steps: Int = 6, seed: UInt64 = 3) throws -> (TrainConfig, TransitionSet) {
        var spec = ModelSpec.defaults(kind: kind, points: 6)
        spec.config.encoderWidths = [4]; spec.config.predictorWidths = [6]; spec.config.latentChannels = 3
        if kind.isMLP { spec.hiddenScale = 2 }
        let collect = CollectConfig(env: "teacher2d", episodes: 6, stepsPerEpisode: 20, orientations: .defaultSlice, seed: seed)
        let config = TrainConfig(env: "teacher2d", model: spec, steps: steps, batch: 16, warmup: 2, seed: seed, collect: collect)
        return (config, try collectTransitions(collect))
    }

    static func tmp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ewm-train-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    /// Trains `config.steps` steps and saves the checkpoint in a fresh directory `tmp(name)` (the caller removes it).
    static func trainedCheckpoint(_ config: TrainConfig, _ data: TransitionSet, name: String) throws -> URL {
        let trainer = try JEPATrainer(config: config, data: data)
        for _ in 0..<config.steps { trainer.trainStep() }
        let dir = tmp(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("checkpoint.safetensors")
        try trainer.save(to: url, command: "test")
        return url
    }

    @Test func teacherStepIsExactlyEquivariant() throws {
        let env = Teacher2DEnv()
        var rng = Envs.SplitMix64(seed: 1)
        let x = (0..<6).map { _ in Vec2(Double.random(in: -2...2, using: &rng), Double.random(in: -2...2, using: &rng)) }
        let a = Vec2(0.3, -0.7)
        for theta in [0.4, 2.0, -2.9] {
            let g = PlanarRotation(angle: theta, center: .zero)
            let lhs = env.next(x.map { g.apply(point: $0) }, action: g.apply(vector: a))
            let rhs = env.next(x, action: a).map { g.apply(point: $0) }
            for (p, q) in zip(lhs, rhs) { #expect((p - q).length < 1e-12) }
        }
    }

    @Test func sliceParsingAndMembership() throws {
        let s = try OrientationSlice(degrees: "-15:15")
        #expect(s == OrientationSlice.defaultSlice)
        #expect(s.contains(0) && s.contains(2 * Double.pi + 0.1) && !s.contains(Double.pi))
        #expect(try OrientationSlice(degrees: "0").width == 0)
        #expect(throws: (any Error).self) { try OrientationSlice(degrees: "a:b") }
        #expect(throws: (any Error).self) { try OrientationSlice(degrees: "20:10") }
    }

    @Test func shardsRoundTrip() throws {
        let (_, data) = try Self.tinyConfig(.vn)
        let dir = Self.tmp("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        try data.writeShards(to: dir, shardSize: 50)
        let back = try TransitionSet.readShards(from: dir, env: "teacher2d")
        #expect(back.observations == data.observations && back.actions == data.actions && back.orientations == data.orientations)
        #expect(back.rolloutStarts(horizon: 5).count == data.rolloutStarts(horizon: 5).count)
        #expect(throws: (any Error).self) { try TransitionSet.readShards(from: Self.tmp("missing"), env: "teacher2d") }
    }

    @Test func pushtCollectionMovesTheT() throws {
        let data = try collectTransitions(CollectConfig(env: "pusht", episodes: 4, stepsPerEpisode: 30, seed: 1))
        #expect(data.count == 120 && data.observationSize == 18)
        #expect(data.movedFraction(points: 8) > 0.2)
    }

    /// `history` stacks frames newest first (the first frame repeated at a reset), the next observation is the
    /// same stack one step later, and single-frame configs and layouts keep their JSON (old checkpoints load).
    @Test func historyStacksFramesAndKeepsSingleFrameJSON() throws {
        let one = try collectTransitions(CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 6, seed: 2, start: .halfPlane))
        let three = try collectTransitions(CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 6, seed: 2, start: .halfPlane, history: 3))
        #expect(three.observationSize == 54 && three.count == one.count)
        for i in 0..<three.count {
            let o = Array(three.observation(i)), n = Array(three.nextObservations[i * 54..<(i + 1) * 54])
            #expect(Array(o[0..<18]) == Array(one.observation(i)))
            #expect(Array(n[0..<18]) == Array(one.nextObservations[i * 18..<(i + 1) * 18]))
            #expect(Array(n[18..<54]) == Array(o[0..<36]))
            if three.steps[i] == 0 { #expect(Array(o[18..<36]) == Array(o[0..<18]) && Array(o[36..<54]) == Array(o[0..<18])) }
        }
        let layout = try ObservationLayout.forEnv("pusht", history: 3)
        #expect(layout.points == 27 && layout.framePoints == 9 && layout.observationSize == 54)
        let single = try String(decoding: JSONEncoder().encode(CollectConfig(env: "pusht", episodes: 1)), as: UTF8.self)
        #expect(!single.contains("history"))
        #expect(!(try String(decoding: JSONEncoder().encode(ObservationLayout.forEnv("pusht")), as: UTF8.self)).contains("history"))
        let old = #"{"actionIsPoint":true,"center":[256,256],"env":"pusht","points":9,"scale":100}"#
        #expect(try JSONDecoder().decode(ObservationLayout.self, from: Data(old.utf8)) == ObservationLayout.forEnv("pusht"))
        var c = CollectConfig(env: "pusht", episodes: 1, history: 2)
        #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
        c.history = 1
        #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
    }

    /// With frameskip k a transition is k env steps under one held action: replaying the recorded action k times
    /// from the recorded state reproduces the next observation exactly, and k = 1 keeps the old JSON.
    @Test func frameskipHoldsEachActionForKSteps() throws {
        let data = try collectTransitions(CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 4, seed: 5, frameskip: 5))
        #expect(data.count == 8)
        for e in 0..<2 {
            let rows = (0..<data.count).filter { data.episodes[$0] == Int64(e) }
            #expect(rows.count == 4)
            for (i, j) in zip(rows, rows.dropFirst()) {
                #expect(Array(data.nextObservations[i * 18..<(i + 1) * 18]) == Array(data.observation(j)))
            }
        }
        // One transition replayed at orientation 0 from the episode's reset: the recorded action, held 3 steps.
        let env = PushTEnv(observationType: .keypoints)
        var c = CollectConfig(
            env: "pusht", episodes: 1, stepsPerEpisode: 1, orientations: try OrientationSlice(degrees: "0:0"), seed: 9,
            start: .reference, frameskip: 3)
        let one = try collectTransitions(c)
        var rng = Envs.SplitMix64(seed: c.seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        _ = c.orientations.sample(using: &rng)
        var (obs, _) = try env.reset(seed: rng.next())
        #expect(obs.values == Array(one.observation(0)))
        for _ in 0..<3 { obs = try env.step(Array(one.actions[0..<2])).observation }
        #expect(obs.values == Array(one.nextObservations[0..<18]))
        #expect(!(try String(decoding: JSONEncoder().encode(CollectConfig(env: "pusht", episodes: 1)), as: UTF8.self)).contains("frameskip"))
        #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
        c.frameskip = 0
        #expect(throws: DataError.self) { try c.validate() }
    }

    /// With the previous action recorded, every observation ends with the action held during the step before (the
    /// agent's own position after a reset), and every next observation with the action of its transition.
    @Test func previousActionIsRecordedAsOneMorePoint() throws {
        let c = CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 3, seed: 4, frameskip: 5, previousAction: true)
        let data = try collectTransitions(c)
        #expect(try c.layout.points == 10 && c.layout.framePoints == 9 && data.observationSize == 20)
        for i in 0..<data.count {
            let o = Array(data.observation(i)), n = Array(data.nextObservations[i * 20..<(i + 1) * 20])
            #expect(Array(n[18..<20]) == Array(data.actions[2 * i..<2 * i + 2]))
            if data.steps[i] == 0 {
                #expect(Array(o[18..<20]) == Array(o[16..<18]))
            } else {
                #expect(Array(o[18..<20]) == Array(data.actions[2 * (i - 1)..<2 * i]))
            }
        }
        #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
        #expect(throws: EnvError.self) { try ObservationLayout.forEnv("teacher2d", previousAction: true) }
    }

    /// `--agent-velocity`: every observation ends with where the agent was one env step before (after a reset, where it
    /// is); with frameskip 1 the next observation's point is the agent of the observation before, with frameskip 5 it is
    /// the agent four steps into the block (the next transition starts from it). The flag round-trips, is absent from
    /// configs without it, and envs without an agent refuse it.
    @Test func agentVelocityIsTheAgentOneEnvStepBefore() throws {
        for frameskip in [1, 5] {
            let c = CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 4, seed: 6, frameskip: frameskip, agentVelocity: true)
            let data = try collectTransitions(c)
            #expect(try c.layout.points == 10 && c.layout.extraPoints == 1 && data.observationSize == 20)
            var moved = 0
            for i in 0..<data.count {
                let o = Array(data.observation(i)), n = Array(data.nextObservations[i * 20..<(i + 1) * 20])
                if data.steps[i] == 0 { #expect(Array(o[18..<20]) == Array(o[16..<18])) }
                if frameskip == 1 { #expect(Array(n[18..<20]) == Array(o[16..<18])) }
                if i + 1 < data.count, data.episodes[i + 1] == data.episodes[i] {
                    #expect(Array(Array(data.observation(i + 1))[18..<20]) == Array(n[18..<20]))
                }
                if n[18] != n[16] || n[19] != n[17] { moved += 1 }
            }
            #expect(moved > 0)
            #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
        }
        let plain = CollectConfig(env: "pusht", episodes: 1)
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("agentVelocity"))
        #expect(throws: EnvError.self) { try ObservationLayout.forEnv("teacher2d", agentVelocity: true) }
    }

    /// `--relative-actions`: the model sees a - agent (a vector), the checkpoint's layout says so, the trained VN stays
    /// exactly equivariant with offsets turned as vectors, and envs without an agent refuse it.
    @Test func relativeActionsAreOffsetsFromTheAgent() throws {
        let collect = CollectConfig(env: "pusht", episodes: 2, stepsPerEpisode: 4, seed: 5, frameskip: 5)
        let data = try collectTransitions(collect)
        var spec = ModelSpec.defaults(kind: .vn, points: 9)
        spec.config.encoderWidths = [4]; spec.config.predictorWidths = [6]; spec.config.latentChannels = 3
        let config = TrainConfig(env: "pusht", model: spec, steps: 3, batch: 4, warmup: 1, seed: 2, collect: collect, relativeActions: true)
        let layout = try config.inputLayout()
        #expect(layout.actionOrigin == 16)
        let offsets = layout.modelActions(data.actions, observations: data.observations, batch: data.count)
        for i in 0..<data.count {
            #expect(offsets[2 * i] == data.actions[2 * i] - data.observations[18 * i + 16])
            #expect(offsets[2 * i + 1] == data.actions[2 * i + 1] - data.observations[18 * i + 17])
        }
        // Offsets are vectors: the action tensor is scaled, not centred.
        let t = layout.actionTensor([3, -4], batch: 1, as: Double.self)
        #expect(t.scalars == [3 / layout.scale, -4 / layout.scale])
        let url = try Self.trainedCheckpoint(config, data, name: "relative")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let trained = try TrainedWorldModel(url: url)
        #expect(trained.layout.actionOrigin == 16 && trained.train.relativeActions == true)
        #expect(try loadWorldModel(checkpoint: url).actionOrigin == 16)
        let r = composedResidual(trained, data: data, orientations: [0.7, 2.5], as: Double.self).composed
        print("relative actions: composed residual (Double) \(r)")
        #expect(r <= 1e-12)
        let absolute = try ObservationLayout.forEnv("pusht")
        #expect(!String(decoding: try JSONEncoder().encode(absolute), as: UTF8.self).contains("actionOrigin"))
        #expect(try JSONDecoder().decode(ObservationLayout.self, from: JSONEncoder().encode(layout)) == layout)
        #expect(
            !String(decoding: try JSONEncoder().encode(TrainConfig(env: "pusht", model: spec, collect: collect)), as: UTF8.self).contains(
                "relativeActions"))
        #expect(throws: EnvError.self) { try ObservationLayout.forEnv("teacher2d", relativeActions: true) }
    }

    /// With a random std, the mixed policy's random actions are local moves of the agent (here every action, within
    /// 6 std of where the agent was); without it they are uniform over the box (some far away). The field round-trips
    /// and is absent from configs that do not set it.
    @Test func localRandomActionsStayNearTheAgent() throws {
        func farthest(_ c: CollectConfig) throws -> Double {
            let data = try collectTransitions(c)
            return (0..<data.count).map { i -> Double in
                let o = Array(data.observation(i))
                return hypot(data.actions[2 * i] - o[16], data.actions[2 * i + 1] - o[17])
            }.max()!
        }
        var c = CollectConfig(env: "pusht", episodes: 3, stepsPerEpisode: 10, randomFraction: 1, seed: 9, start: .reference, randomStd: 10)
        #expect(try farthest(c) < 60)
        #expect(try JSONDecoder().decode(CollectConfig.self, from: JSONEncoder().encode(c)) == c)
        c.randomStd = nil
        #expect(try farthest(c) > 100)
        #expect(!String(decoding: try JSONEncoder().encode(c), as: UTF8.self).contains("randomStd"))
        c.randomStd = -1
        #expect(throws: DataError.self) { try c.validate() }
    }

    /// The rollout's px figures: a latent whose observation channels sit halfway between the start and the truth has
    /// errors of half the motion, and a predicted / true motion of 0.5 for the T's points.
    @Test func observationErrorsMeasureErrorAndMotionInPixels() throws {
        let layout = try ObservationLayout.forEnv("pusht")
        var rng = Envs.SplitMix64(seed: 12)
        let b = 3, l = 4 + layout.points
        let start = (0..<(b * 18)).map { _ in Double.random(in: 100...400, using: &rng) }
        let truth = start.map { $0 + Double.random(in: -30...30, using: &rng) }
        var z = [Double](repeating: 0, count: b * 2 * l)
        for i in 0..<b {
            for k in 0..<9 {
                for axis in 0..<2 {
                    let half = (start[i * 18 + 2 * k + axis] + truth[i * 18 + 2 * k + axis]) / 2
                    z[i * 2 * l + axis * l + 4 + k] = (half - 256) / layout.scale
                }
            }
        }
        let e = observationErrors(try Tensor<Double>(shape: [b, 2, l], scalars: z), truth: truth, start: start, layout: layout)
        var agentMotion = 0.0
        for i in 0..<b { agentMotion += hypot(truth[i * 18 + 16] - start[i * 18 + 16], truth[i * 18 + 17] - start[i * 18 + 17]) / Double(b) }
        #expect(abs(e.last - agentMotion / 2) < 1e-9)
        #expect(abs(e.predictedMotion / e.trueMotion - 0.5) < 1e-9 && abs(e.others - e.trueMotion / 2) < 1e-9)
    }

    /// A residual VN predictor stays exactly equivariant; configs without the field decode as non-residual.
    @Test func residualPredictorIsEquivariant() throws {
        var (config, data) = try Self.tinyConfig(.vn)
        config.model.config.residual = true
        let url = try Self.trainedCheckpoint(config, data, name: "residual")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let model = try TrainedWorldModel(url: url)
        #expect(model.spec.config.residual)
        let held = try heldOutTransitions(for: model, episodes: 2)
        let r = composedResidual(model, data: held, orientations: [0.7, 2.5], as: Double.self).composed
        print("residual predictor: composed residual (Double) \(r)")
        #expect(r <= 1e-12)
        var plain = config.model.config
        plain.residual = false
        let json = try JSONEncoder().encode(plain)
        #expect(!String(decoding: json, as: UTF8.self).contains("residual"))
        #expect(try JSONDecoder().decode(VNWorldModelConfig.self, from: json) == plain)
    }

    /// With the observation in the latent, the latent ends with the observation itself (in model units), the VN
    /// model stays exactly equivariant, and the MLP baseline gets the same latent and the residual skip too.
    @Test func observationInLatentKeepsTheObservationAndExactness() throws {
        for kind in [ModelKind.vn, .mlp] {
            var (config, data) = try Self.tinyConfig(kind)
            config.model.config.observationInLatent = true
            config.model.config.residual = true
            #expect(config.model.latentRep.vectors == 3 + 6)
            let url = try Self.trainedCheckpoint(config, data, name: "observation-\(kind.rawValue)")
            defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
            let model = try loadWorldModel(checkpoint: url, precision: .double)
            let obs = Array(data.observations[0..<12])
            let z = model.encode(obs, batch: 1)
            #expect(z.count == 2 * 9)
            // Channels 3..8 are the 6 teacher points (centre 0, scale 1), laid out (x_c, y_c).
            for k in 0..<6 { #expect(z[2 * (3 + k)] == obs[2 * k] && z[2 * (3 + k) + 1] == obs[2 * k + 1]) }
            // The residual skip: a zero predictor output would leave z unchanged, so the prediction differs from
            // the plain network's by exactly z (checked through the trained net against a non-residual twin).
            let trained = try TrainedWorldModel(url: url)
            var plainSpec = trained.spec
            plainSpec.config.residual = false
            let plain = WorldNet<Double>(plainSpec, seed: 0)
            for ((_, dst), (_, src)) in zip(plain.namedParameters, trained.online.namedParameters) {
                dst.value = src.value.converted(to: Double.self)
            }
            let zt = try Tensor<Double>(shape: [1, 2, 9], scalars: (0..<18).map { Double($0) / 10 })
            let a = try Tensor<Double>(shape: [1, 2, 1], scalars: [0.3, -0.2])
            let withSkip = trained.online.copy(as: Double.self).predict(Variable(zt), action: Variable(a)).value
            let without = plain.predict(Variable(zt), action: Variable(a)).value
            for i in 0..<18 { #expect(abs(withSkip.scalars[i] - without.scalars[i] - zt.scalars[i]) < 1e-12) }
            if kind == .vn {
                let held = try heldOutTransitions(for: trained, episodes: 2)
                let r = composedResidual(trained, data: held, orientations: [0.7, 2.5], as: Double.self).composed
                print("observation in the latent: composed residual (Double) \(r)")
                #expect(r <= 1e-12)
            }
        }
        var c = VNWorldModelConfig(dim: 2)
        #expect(!String(decoding: try JSONEncoder().encode(c), as: UTF8.self).contains("observationInLatent"))
        c.observationInLatent = true
        #expect(try JSONDecoder().decode(VNWorldModelConfig.self, from: JSONEncoder().encode(c)) == c)
    }

    /// The observation weight adds w * relMSE over the latent's observation channels alone (computed here by hand from
    /// the numbers), needs the observation in the latent, and is absent from configs that do not set it.
    @Test func observationWeightAddsTheObservationChannelsRelMSE() throws {
        var (config, data) = try Self.tinyConfig(.vn)
        config.model.config.observationInLatent = true
        config.observationWeight = 2.5
        let trainer = try JEPATrainer(config: config, data: data)
        var rng = Envs.SplitMix64(seed: 4)
        let l = config.model.config.latentWidth, c = config.model.config.inputChannels, b = 3
        let p = try Tensor<Float>(shape: [b, 2, l], scalars: (0..<(b * 2 * l)).map { _ in Float.random(in: -1...1, using: &rng) })
        let t = try Tensor<Float>(shape: [b, 2, l], scalars: (0..<(b * 2 * l)).map { _ in Float.random(in: -1...1, using: &rng) })
        let extra = Double(trainer.predictionLoss(Variable(p), Variable(t)).value.scalar - Loss.relativeMSE(Variable(p), Variable(t)).value.scalar)
        var byHand = 0.0
        for i in 0..<b {
            var num = 0.0, den = 1e-8
            for axis in 0..<2 {
                for k in (l - c)..<l {
                    let j = (i * 2 + axis) * l + k
                    num += Double((p.scalars[j] - t.scalars[j]) * (p.scalars[j] - t.scalars[j])); den += Double(t.scalars[j] * t.scalars[j])
                }
            }
            byHand += 2.5 * num / den / Double(b)
        }
        #expect(abs(extra - byHand) < 1e-5 * max(1, byHand))
        trainer.trainStep()
        config.model.config.observationInLatent = false
        #expect(throws: DataError.self) { try config.validate() }
        config.observationWeight = 0
        let plain = TrainConfig(env: config.env, model: config.model, collect: config.collect, observationWeight: 0)
        #expect(plain.observationWeight == nil)
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("observationWeight"))
    }

    /// Tiny VN training: exactly equivariant after training, and a resumed run equals an uninterrupted one.
    @Test func vnTrainingStaysExactAndResumesBitForBit() throws {
        let (config, data) = try Self.tinyConfig(.vn)
        let straight = try JEPATrainer(config: config, data: data)
        for _ in 0..<config.steps { straight.trainStep() }

        let first = try JEPATrainer(config: config, data: data)
        for _ in 0..<3 { first.trainStep() }
        let dir = Self.tmp("resume")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("checkpoint.safetensors")
        try first.save(to: url, command: "test")
        let resumed = try JEPATrainer(config: config, data: data)
        try resumed.resume(from: try SafeTensors.read(from: url))
        while resumed.step < config.steps { resumed.trainStep() }
        for ((_, a), (_, b)) in zip(straight.online.namedParameters, resumed.online.namedParameters) { #expect(a.value == b.value) }
        try straight.save(to: url, command: "test")

        let model = try TrainedWorldModel(url: url)
        let held = try heldOutTransitions(for: model, episodes: 2)
        let angles = [0.7, 2.5, -1.9]
        #expect(composedResidual(model, data: held, orientations: angles, as: Float.self).composed <= 1e-6)
        #expect(composedResidual(model, data: held, orientations: angles, as: Double.self).composed <= 1e-12)
        let report = evaluateOneStep(model, data: held, orientations: 8)
        #expect(report.flatness <= 1e-5 && abs(report.oodRatio! - 1) <= 1e-5)

        // The planner's view: raw observations in, equivariant latents out.
        let wm = try loadWorldModel(checkpoint: url)
        #expect(wm.isEquivariant && wm.observationSize == 12 && wm.actionSize == 2 && wm.latentRep.vectors == 3)
        let n = 4
        let obs = Array(held.observations.prefix(n * 12)), act = Array(held.actions.prefix(n * 2))
        let z = wm.encode(obs, batch: n)
        let next = wm.predict(z, actions: act, batch: n)
        let g = PlanarRotation(angle: 1.1, center: .zero)
        let gz = wm.encode(model.layout.rotate(observations: obs, by: g), batch: n)
        let gnext = wm.predict(gz, actions: model.layout.rotate(actions: act, by: g), batch: n)
        for c in 0..<(next.count / 2) {
            let p = g.apply(vector: Vec2(next[2 * c], next[2 * c + 1]))
            #expect(abs(p.x - gnext[2 * c]) < 1e-4 && abs(p.y - gnext[2 * c + 1]) < 1e-4)
            let q = g.apply(vector: Vec2(z[2 * c], z[2 * c + 1]))
            #expect(abs(q.x - gz[2 * c]) < 1e-4 && abs(q.y - gz[2 * c + 1]) < 1e-4)
        }
        let rollout = try evaluateRollout(model, data: held, horizons: [1, 4], orientations: 4)
        #expect(rollout.spread.allSatisfy { $0 < 1e-4 })
    }

    /// The rollout loss trains, keeps the VN model exact, and a config without the field (old checkpoints) decodes as one-step.
    @Test func rolloutLossTrainsAndOldConfigsDecode() throws {
        var (config, data) = try Self.tinyConfig(.vn, steps: 3)
        config.rolloutSteps = 4
        let t = try JEPATrainer(config: config, data: data)
        var last: TrainMetrics?
        for _ in 0..<config.steps { last = t.trainStep() }
        #expect(last!.loss.isFinite && last!.prediction > 0)
        let url = Self.tmp("rollout.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try t.save(to: url, command: "test")
        let model = try TrainedWorldModel(url: url)
        #expect(model.train.horizon == 4)
        let held = try heldOutTransitions(for: model, episodes: 2)
        #expect(composedResidual(model, data: held, orientations: [0.7, 2.5], as: Double.self).composed <= 1e-12)
        let one = TrainConfig(env: "teacher2d", model: config.model, steps: 3, batch: 16, collect: config.collect, rolloutSteps: 1)
        #expect(one.rolloutSteps == nil && one.horizon == 1)
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(one)) as! [String: Any]
        json.removeValue(forKey: "rolloutSteps")
        let decoded = try JSONDecoder().decode(TrainConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded == one)
        var bad = config
        bad.model.kind = .mlpAug
        #expect(throws: DataError.self) { try bad.validate() }
    }

    @Test func mlpVariantsTrainAndAreNotEquivariant() throws {
        for kind in [ModelKind.mlp, .mlpAug, .mlpSoft] {
            let (config, data) = try Self.tinyConfig(kind, steps: 3)
            let t = try JEPATrainer(config: config, data: data)
            var last: TrainMetrics?
            for _ in 0..<config.steps { last = t.trainStep() }
            #expect(last!.loss.isFinite)
            if kind == .mlpSoft { #expect(last!.soft != nil) }
        }
    }

    @Test func badCheckpointsAreClearErrors() throws {
        #expect(throws: DataError.self) { try loadWorldModel(checkpoint: Self.tmp("nope.safetensors")) }
        let bad = Self.tmp("bad.safetensors")
        try Data([1, 2, 3]).write(to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect(throws: SafeTensorsError.self) { try loadWorldModel(checkpoint: bad) }
        let other = Self.tmp("other.safetensors")
        try SafeTensors(tensors: ["x": AnyTensor(Tensor<Float>.zeros([2]))], metadata: [:]).write(to: other)
        defer { try? FileManager.default.removeItem(at: other) }
        #expect(throws: SafeTensorsError.self) { try loadWorldModel(checkpoint: other) }
    }

    @Test func latentRotationMatchesRho() throws {
        var rng = Xoshiro256(seed: 4)
        let z = Tensor<Double>.randomNormal([3, 2, 5], using: &rng)
        let angles = [0.3, -1.2, 2.8]
        let out = rotateLatents(Variable(z), angles: angles).value
        for b in 0..<3 {
            let single = try Tensor<Double>(shape: [1, 2, 5], scalars: Array(z.scalars[b * 10..<(b + 1) * 10]))
            let ref = rotateLatent(single, angle: angles[b])
            for j in 0..<10 { #expect(abs(out.scalars[b * 10 + j] - ref[j]) < 1e-12) }
        }
    }
}
