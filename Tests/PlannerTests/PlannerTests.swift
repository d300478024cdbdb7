import Agents
import Envs
import Foundation
import Testing
@testable import Planner

/// An exactly SO(2)-equivariant toy world model on PushT keypoints (Double): latents are the 9 points
/// relative to the centre; the agent moves halfway to the action; the T's points are dragged along the
/// agent's motion with a weight that decays with the agent's distance to the T's centroid.
final class ToyEquivariantModel: LatentWorldModel {
    let latentRep = Rep(vectors: 9, dim: 2)
    let observationSize = 18
    let actionSize = 2
    let isEquivariant = true

    func encode(_ o: [Double], batch: Int) -> [Double] {
        (0..<(batch * 18)).map { i in (o[i] - 256) / 100 }
    }

    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        var out = z
        for b in 0..<batch {
            let base = b * 18
            let ax = z[base + 16], ay = z[base + 17]
            let tx = (actions[2 * b] - 256) / 100, ty = (actions[2 * b + 1] - 256) / 100
            let mx = 0.5 * (tx - ax), my = 0.5 * (ty - ay)
            var cx = 0.0, cy = 0.0
            for k in 0..<8 { cx += z[base + 2 * k] / 8; cy += z[base + 2 * k + 1] / 8 }
            let d2 = (ax - cx) * (ax - cx) + (ay - cy) * (ay - cy)
            let w = exp(-d2)
            for k in 0..<8 { out[base + 2 * k] += w * mx; out[base + 2 * k + 1] += w * my }
            out[base + 16] = ax + mx
            out[base + 17] = ay + my
        }
        return out
    }
}

/// The toy model with every result rounded to Float (rounding is not equivariant), and the exact toy as its Double twin.
final class ToyFloatModel: LatentWorldModel {
    let exact = ToyEquivariantModel()
    let withTwin: Bool
    init(withTwin: Bool) { self.withTwin = withTwin }
    var latentRep: Rep { exact.latentRep }
    var observationSize: Int { 18 }
    var actionSize: Int { 2 }
    var isEquivariant: Bool { true }
    var doubleTwin: (any LatentWorldModel)? { withTwin ? exact : nil }
    func encode(_ o: [Double], batch: Int) -> [Double] { exact.encode(o.map { Double(Float($0)) }, batch: batch).map { Double(Float($0)) } }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        exact.predict(z, actions: actions.map { Double(Float($0)) }, batch: batch).map { Double(Float($0)) }
    }
}

@Suite struct PlannerTests {
    static func smallConfig() -> MPCConfig {
        var c = try! MPCConfig(env: "pusht")
        c.cem.samples = 64
        c.cem.elites = 8
        c.cem.iterations = 6
        c.mppi.samples = 64
        c.mppi.elites = 16
        c.mppi.iterations = 4
        return c
    }

    static func randomObservation(_ rng: inout SplitMix64) -> [Double] {
        let pose = Pose(
            x: Double.random(in: 150...350, using: &rng), y: Double.random(in: 150...350, using: &rng),
            angle: Double.random(in: -3...3, using: &rng))
        return PushTGeometry.keypoints(at: pose).flatMap { [$0.x, $0.y] } + [
            Double.random(in: 60...450, using: &rng), Double.random(in: 60...450, using: &rng),
        ]
    }

    static func rotate(_ o: [Double], _ g: PlanarRotation) -> [Double] { g.apply(toPoints: o) }

    /// max over `angles` of |g^-1 a(g) - a(identity)| (px), a(g) = the first action `kind` plans from g.obs towards g.goal
    /// with the same seed: 0 to rounding for an equivariant planner on an equivariant model.
    static func firstActionDeviation(
        model: any LatentWorldModel, kind: PlannerKind = .equivariant, config: MPCConfig = smallConfig(),
        observation obs: [Double], goal goalObs: [Double], seed: UInt64, angles: [Double], vectors: Bool = false
    ) -> Double {
        func firstAction(_ g: PlanarRotation) -> [Double] {
            let mpc = LatentMPC(model: model, kind: kind, config: config, goal: { _ in rotate(goalObs, g) })
            mpc.reset(seed: seed)
            return mpc.plan(observation: rotate(obs, g))[0]
        }
        let reference = firstAction(PlanarRotation(angle: 0, center: Vec2(256, 256)))
        return angles.map { angle -> Double in
            let g = PlanarRotation(angle: angle, center: Vec2(256, 256))
            let a = firstAction(g)
            let back = vectors ? g.inverse.apply(toVectors: a) : g.inverse.apply(toPoints: a)
            return (Vec2(back[0], back[1]) - Vec2(reference[0], reference[1])).length
        }.max() ?? 0
    }

    @Test func cemAndMPPIFindTheMinimumOfAQuadratic() {
        let target = [100.0, 200, 300, 400]
        let cost: SequenceCost = { a, n in (0..<n).map { s in (0..<4).map { pow(a[s * 4 + $0] - target[$0], 2) }.reduce(0, +) } }
        var c = CEM.Config(); c.horizon = 2
        let cem = CEM(config: c).plan(initialMean: [[256, 256], [256, 256]], actionDim: 2, bounds: .none, seed: 1, cost: cost)
        var m = MPPI.Config(); m.horizon = 2; m.iterations = 12
        let mppi = MPPI(config: m).plan(initialMean: [[256, 256], [256, 256]], actionDim: 2, bounds: .none, seed: 1, cost: cost)
        for (plan, tol) in [(cem, 2.0), (mppi, 5.0)] {
            for (i, v) in plan.actions.flatMap({ $0 }).enumerated() { #expect(abs(v - target[i]) < tol) }
        }
    }

    @Test func boundsKeepActionsInsideAndTheDiscIsRotationInvariant() {
        var a = [600.0, -20, 256, 256]
        ActionBounds.box(low: [0, 0], high: [512, 512]).apply(&a, dim: 2)
        #expect(a == [512, 0, 256, 256])
        var b = [256.0 + 300, 256]
        ActionBounds.disc(center: (256, 256), radius: 256).apply(&b, dim: 2)
        #expect(abs(b[0] - 512) < 1e-12 && abs(b[1] - 256) < 1e-12)
    }

    /// The equivariant planner's first action at orientation g, rotated back, equals the one at orientation 0.
    @Test func equivariantPlannerIsExactlyEquivariant() {
        let model = ToyEquivariantModel()
        var rng = SplitMix64(seed: 11)
        var worst = 0.0, worstPlain = 0.0
        for s in 0..<8 {
            let obs = Self.randomObservation(&rng), goalObs = Self.randomObservation(&rng)
            let angles = (1..<16).map { 2 * Double.pi * Double($0) / 16 }
            worst = max(worst, Self.firstActionDeviation(model: model, observation: obs, goal: goalObs, seed: UInt64(s), angles: angles))
            worstPlain = max(
                worstPlain,
                Self.firstActionDeviation(
                    model: model, kind: .cem, observation: obs, goal: goalObs,
                    seed: UInt64(s), angles: angles))
        }
        print("equivariant planner, toy Double model: max |g^-1 plan(g.o) - plan(o)| = \(worst) px (plain CEM: \(worstPlain) px)")
        #expect(worst < 1e-9)
        #expect(worstPlain > 1e-3)  // the plain planner is not equivariant: the check has teeth
    }

    /// A Float model plans exactly too: the frame comes from its Double twin and the rollouts start from the
    /// observations mapped into that frame, so they see the same numbers at every orientation.
    @Test func floatModelWithADoubleTwinPlansEquivariantly() {
        var rng = SplitMix64(seed: 12)
        var worst = [0.0, 0.0]
        for s in 0..<6 {
            let obs = Self.randomObservation(&rng), goalObs = Self.randomObservation(&rng)
            for (i, model) in [ToyFloatModel(withTwin: true), ToyFloatModel(withTwin: false)].enumerated() {
                let angles = (1..<16).map { 2 * Double.pi * Double($0) / 16 + 0.1 }
                worst[i] = max(worst[i], Self.firstActionDeviation(model: model, observation: obs, goal: goalObs, seed: UInt64(s), angles: angles))
            }
        }
        print("equivariant planner, toy Float model: max deviation \(worst[0]) px with its Double twin's frame, \(worst[1]) px with a Float frame")
        #expect(worst[0] < 1e-9)
        #expect(worst[1] > worst[0])
    }

    /// The rollout costs: min <= final, sum = mean over steps + final, and the equivariant planner stays exact with each.
    @Test func costModesAreConsistentAndKeepTheEquivariantPlannerExact() {
        let model = ToyEquivariantModel()
        var rng = SplitMix64(seed: 5)
        let obs = Self.randomObservation(&rng), goalObs = Self.randomObservation(&rng)
        let z0 = model.encode(obs, batch: 1), goal = model.encode(goalObs, batch: 1)
        let n = 6, h = 3
        let actions = (0..<(n * h * 2)).map { _ in Double.random(in: 100...400, using: &rng) }
        let final = LatentMPC.rolloutCost(model: model, z0: z0, goal: goal, actions: actions, batch: n, horizon: h, hold: 2, mode: .final)
        let least = LatentMPC.rolloutCost(model: model, z0: z0, goal: goal, actions: actions, batch: n, horizon: h, hold: 2, mode: .min)
        let sum = LatentMPC.rolloutCost(model: model, z0: z0, goal: goal, actions: actions, batch: n, horizon: h, hold: 2, mode: .sum)
        #expect(final == LatentMPC.rolloutCost(model: model, z0: z0, goal: goal, actions: actions, batch: n, horizon: h, hold: 2))
        for i in 0..<n { #expect(least[i] <= final[i] && sum[i] >= final[i]) }
        for mode in [PlanCost.sum, .min] {
            var c = Self.smallConfig()
            c.cost = mode
            c.actionRepeat = 2
            #expect(Self.firstActionDeviation(model: model, config: c, observation: obs, goal: goalObs, seed: 3, angles: [2.1]) < 1e-9)
        }
    }

    @Test func frameIsEquivariantAndDegenerateFramesAreCounted() {
        let rep = Rep(vectors: 2, dim: 2)
        let z = [1.0, 0.5, -0.2, 0.3], goal = [0.4, -0.1, 0.0, 0.2]
        let f = PlanningFrame.from(z, goal: goal, rep: rep, center: (0, 0))
        let g = PlanarRotation(angle: 0.9, center: Vec2(0, 0))
        func rot(_ v: [Double]) -> [Double] {
            stride(from: 0, to: v.count, by: 2).flatMap { i -> [Double] in
                let p = g.apply(vector: Vec2(v[i], v[i + 1])); return [p.x, p.y]
            }
        }
        let fg = PlanningFrame.from(rot(z), goal: rot(goal), rep: rep, center: (0, 0))
        let turned = g.apply(vector: Vec2(f.axis.x, f.axis.y))
        #expect(abs(turned.x - fg.axis.x) < 1e-15 && abs(turned.y - fg.axis.y) < 1e-15)
        // Opposite channels cancel: the sum is degenerate, the largest channel takes over.
        let cancel = PlanningFrame.from([1, 0, -1, 0], goal: [0, 0, 0, 0], rep: rep, center: (0, 0))
        #expect(cancel.source == .largestChannel)
        #expect(PlanningFrame.from([0, 0, 0, 0], goal: [0, 0, 0, 0], rep: rep, center: (0, 0)).source == .identity)
    }

    @Test func oracleMovesTheAgentTowardsTheGoal() throws {
        let env = try Registry.make("pusht", options: MakeOptions(observation: "keypoints", orientation: 0.4))
        var config = Self.smallConfig()
        config.cem.samples = 32
        config.cem.iterations = 3
        let (obs, _) = try env.reset(seed: 3)
        var goalObs = obs.values
        goalObs[16] = 256; goalObs[17] = 256  // same T, agent at the centre
        let oracle = try SimulatorMPC(env: env, config: config, goal: { _ in goalObs })
        oracle.reset(seed: 0)
        var o = obs, info = Info()
        let startDistance = hypot(o.values[16] - 256, o.values[17] - 256)
        for _ in 0..<10 { let r = try env.step(try oracle.action(observation: o, info: info)); o = r.observation; info = r.info }
        #expect(hypot(o.values[16] - 256, o.values[17] - 256) < 0.5 * startDistance)
        #expect(oracle.stats.plans == 2)
    }

    /// The noisy oracle: plans that are a function of the seed; and, when the
    /// rollouts push the T, plans that differ from the exact simulator's.
    @Test func oracleNoiseIsSeededAndChangesPushingPlans() throws {
        func firstPlan(noise: Double?) throws -> [[Double]] {
            let env = try Registry.make("pusht", options: MakeOptions(observation: "keypoints"))
            _ = try env.reset(seed: 0, options: ResetOptions(state: [256, 282, 256, 300, 0]))  // agent just below the bar
            var config = Self.smallConfig()
            config.cem.samples = 32
            config.cem.iterations = 3
            config.actionRepeat = 5
            config.oracleNoise = noise
            let goal: [Double] = PushTGeometry.keypoints(at: Pose(x: 256, y: 340, angle: 0.3)).flatMap { [$0.x, $0.y] } + [256.0, 300.0]
            let oracle = try SimulatorMPC(env: env, config: config, goal: { _ in goal })
            oracle.reset(seed: 4)
            return oracle.plan(goalObservation: goal)
        }
        let exact = try firstPlan(noise: nil), noisy = try firstPlan(noise: 12)
        #expect(try firstPlan(noise: 12) == noisy)
        #expect(noisy != exact)
    }
}

/// The toy model at a frameskip, counting its predictions.
final class CountingFrameskipModel: LatentWorldModel {
    let inner = ToyEquivariantModel()
    let frameskip: Int
    var predictions = 0
    init(frameskip: Int) { self.frameskip = frameskip }
    var latentRep: Rep { inner.latentRep }
    var observationSize: Int { inner.observationSize }
    var actionSize: Int { inner.actionSize }
    var isEquivariant: Bool { true }
    func encode(_ o: [Double], batch: Int) -> [Double] { inner.encode(o, batch: batch) }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        predictions += 1
        return inner.predict(z, actions: actions, batch: batch)
    }
}

@Suite struct FrameskipPlanningTests {
    /// A model trained at frameskip k advances k env steps per prediction: an action held for r env steps is
    /// r / k predictions, and the executed actions are still held for r env steps each.
    @Test func actionRepeatCountsEnvStepsNotPredictions() throws {
        var c = PlannerTests.smallConfig()
        c.cem.horizon = 3
        c.cem.iterations = 2
        c.actionRepeat = 10
        c.executeSteps = 20
        let model = CountingFrameskipModel(frameskip: 5)
        var rng = SplitMix64(seed: 4)
        let obs = PlannerTests.randomObservation(&rng), goal = PlannerTests.randomObservation(&rng)
        let mpc = LatentMPC(model: model, kind: .cem, config: c, goal: { _ in goal })
        mpc.reset(seed: 1)
        var actions: [[Double]] = []
        for _ in 0..<20 { actions.append(try mpc.action(observation: Observation(obs), info: Info())) }
        // One plan: 2 iterations x 3 actions x (10 / 5) predictions.
        #expect(mpc.stats.plans == 1)
        #expect(model.predictions == 2 * 3 * 2)
        #expect(Set(actions[0..<10].map { $0.description }).count == 1 && Set(actions[10..<20].map { $0.description }).count == 1)
    }
}

/// The toy model reading observations that end with one more point, the previous action or the agent one env step
/// before (`observesAgentVelocity`); it records what it was given.
final class ExtraPointModel: LatentWorldModel {
    enum Extra { case previousAction, agentVelocity }
    let inner = ToyEquivariantModel()
    let extra: Extra
    var encoded: [[Double]] = []
    init(_ extra: Extra) { self.extra = extra }
    var latentRep: Rep { inner.latentRep }
    var observationSize: Int { 20 }
    var actionSize: Int { 2 }
    var isEquivariant: Bool { true }
    var observesPreviousAction: Bool { extra == .previousAction }
    var observesAgentVelocity: Bool { extra == .agentVelocity }
    func encode(_ o: [Double], batch: Int) -> [Double] {
        encoded.append(o)
        return inner.encode((0..<batch).flatMap { Array(o[($0 * 20)..<($0 * 20 + 18)]) }, batch: batch)
    }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] { inner.predict(z, actions: actions, batch: batch) }
}

@Suite struct AgentVelocityPlanningTests {
    /// The planner appends the agent's own position after a reset and to the goal (at rest), then the agent of the
    /// observation it was given one env step before.
    @Test func plannerSuppliesTheAgentOneStepBefore() throws {
        var rng = SplitMix64(seed: 9)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        let model = ExtraPointModel(.agentVelocity)
        var c = PlannerTests.smallConfig()
        c.executeSteps = 1
        let mpc = LatentMPC(model: model, kind: .cem, config: c, goal: { _ in goalObs })
        mpc.reset(seed: 1)
        _ = try mpc.action(observation: Observation(obs), info: Info())
        #expect(Array(model.encoded[0][18..<20]) == Array(obs[16..<18]) && Array(model.encoded[1][18..<20]) == Array(goalObs[16..<18]))
        var next = obs
        next[16] += 7; next[17] -= 3
        model.encoded.removeAll()
        _ = try mpc.action(observation: Observation(next), info: Info())
        #expect(Array(model.encoded[0][16..<20]) == [next[16], next[17], obs[16], obs[17]])
        #expect(throws: EnvError.self) { _ = try mpc.action(observation: Observation(Array(obs.prefix(16))), info: Info()) }
        mpc.reset(seed: 1)
        model.encoded.removeAll()
        _ = try mpc.action(observation: Observation(next), info: Info())
        #expect(Array(model.encoded[0][18..<20]) == Array(next[16..<18]))  // a reset forgets the agent before
        #expect(throws: EnsembleError.self) { try EnsembleWorldModel([model, ToyEquivariantModel()]) }
    }
}

@Suite struct PreviousActionPlanningTests {
    /// The planner appends the agent's position after a reset (and to the goal), then the action it executed last.
    @Test func plannerSuppliesThePreviousAction() throws {
        var rng = SplitMix64(seed: 8)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        for kind in [PlannerKind.cem, .equivariant] {
            let model = ExtraPointModel(.previousAction)
            let mpc = LatentMPC(model: model, kind: kind, config: PlannerTests.smallConfig(), goal: { _ in goalObs })
            mpc.reset(seed: 1)
            let first = try mpc.action(observation: Observation(obs), info: Info())
            // Encoded: the current and goal observations (canonical frame for the equivariant planner: compare norms).
            func tail(_ o: [Double]) -> [Double] { Array(o[18..<20]) }
            if kind == .cem {
                #expect(tail(model.encoded[0]) == Array(obs[16..<18]) && tail(model.encoded[1]) == Array(goalObs[16..<18]))
            }
            #expect(throws: EnvError.self) { _ = try mpc.action(observation: Observation(Array(obs.prefix(16))), info: Info()) }
            mpc.reset(seed: 1)
            model.encoded.removeAll()
            var c = PlannerTests.smallConfig(); c.executeSteps = 1
            let replanning = LatentMPC(model: model, kind: .cem, config: c, goal: { _ in goalObs })
            replanning.reset(seed: 1)
            let a = try replanning.action(observation: Observation(obs), info: Info())
            _ = try replanning.action(observation: Observation(obs), info: Info())
            #expect(tail(model.encoded[2]) == a)  // the second plan's current observation carries the first action
            #expect(first.count == 2)
        }
    }
}

/// A latent [E(o), o] like `--observation-in-latent`: two learned channels (the T's centroid about the centre, and the
/// agent relative to it), then the toy's 9 observation channels, predicted by the toy and re-encoded.
final class ObservedLatentModel: LatentWorldModel {
    let inner = ToyEquivariantModel()
    var latentRep: Rep { Rep(vectors: 11, dim: 2) }
    var observationSize: Int { 18 }
    var actionSize: Int { 2 }
    var isEquivariant: Bool { true }
    var observedLatentChannels: Int { 9 }
    static func withLearned(_ x: [Double], batch: Int) -> [Double] {
        (0..<batch).flatMap { b -> [Double] in
            let o = Array(x[(b * 18)..<((b + 1) * 18)])
            var cx = 0.0, cy = 0.0
            for k in 0..<8 { cx += o[2 * k] / 8; cy += o[2 * k + 1] / 8 }
            return [cx, cy, o[16] - cx, o[17] - cy] + o
        }
    }
    static func observed(_ z: [Double], batch: Int) -> [Double] { (0..<batch).flatMap { Array(z[($0 * 22 + 4)..<(($0 + 1) * 22)]) } }
    func encode(_ o: [Double], batch: Int) -> [Double] { Self.withLearned(inner.encode(o, batch: batch), batch: batch) }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        Self.withLearned(inner.predict(Self.observed(z, batch: batch), actions: actions, batch: batch), batch: batch)
    }
}

@Suite struct LatentCostWeightTests {
    /// Weight 0 on the learned channels scores the predicted observation alone; any per-channel weight keeps the
    /// equivariant planner exact.
    @Test func learnedChannelWeightScoresTheObservationAndKeepsThePlannerExact() {
        let model = ObservedLatentModel(), toy = ToyEquivariantModel()
        #expect(model.latentCostWeights(learned: 1) == nil && toy.latentCostWeights(learned: 0) == nil)
        let w = model.latentCostWeights(learned: 0.25)!
        #expect(w.count == 22 && w[0..<4].allSatisfy { $0 == 0.25 } && w[4...].allSatisfy { $0 == 1 })
        var rng = SplitMix64(seed: 11)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        let n = 5, h = 3
        let actions = (0..<(n * h * 2)).map { _ in Double.random(in: 100...400, using: &rng) }
        let observedOnly = LatentMPC.rolloutCost(
            model: model, z0: model.encode(obs, batch: 1), goal: model.encode(goalObs, batch: 1),
            actions: actions, batch: n, horizon: h, mode: .min,
            weights: model.latentCostWeights(learned: 0))
        let plainToy = LatentMPC.rolloutCost(
            model: toy, z0: toy.encode(obs, batch: 1), goal: toy.encode(goalObs, batch: 1),
            actions: actions, batch: n, horizon: h, mode: .min)
        for i in 0..<n { #expect(abs(observedOnly[i] - plainToy[i]) <= 1e-12 * max(1, plainToy[i])) }
        var c = PlannerTests.smallConfig()
        c.learnedChannelWeight = 0.25
        let worst = PlannerTests.firstActionDeviation(model: model, config: c, observation: obs, goal: goalObs, seed: 2, angles: [0.7, 2.2, 4.0])
        print("weighted latent cost: equivariant planner max first-action deviation \(worst) px")
        #expect(worst < 1e-9)
    }
}

@Suite struct EnsembleTests {
    /// The ensemble's latent is its members' side by side, its rollout cost the sum of theirs, the equivariant planner
    /// stays exact with it, and members that disagree on the observation are refused.
    @Test func ensembleSumsItsMembersCostsAndKeepsThePlannerExact() throws {
        let a = ToyEquivariantModel(), b = ObservedLatentModel()
        let ensemble = try EnsembleWorldModel([a, b])
        #expect(ensemble.latentRep == Rep(vectors: 20, dim: 2) && ensemble.isEquivariant)
        var rng = SplitMix64(seed: 21)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        let two = obs + goalObs
        let z = ensemble.encode(two, batch: 2), za = a.encode(two, batch: 2), zb = b.encode(two, batch: 2)
        #expect(Array(z[0..<18]) == Array(za[0..<18]) && Array(z[18..<40]) == Array(zb[0..<22]) && Array(z[58..<80]) == Array(zb[22..<44]))
        let n = 4, h = 3
        let actions = (0..<(n * h * 2)).map { _ in Double.random(in: 100...400, using: &rng) }
        func cost(_ m: any LatentWorldModel) -> [Double] {
            LatentMPC.rolloutCost(model: m, z0: m.encode(obs, batch: 1), goal: m.encode(goalObs, batch: 1), actions: actions, batch: n, horizon: h)
        }
        let sum = zip(cost(a), cost(b)).map { $0 + $1 }
        for (e, s) in zip(cost(ensemble), sum) { #expect(abs(e - s) <= 1e-12 * max(1, s)) }
        #expect(PlannerTests.firstActionDeviation(model: ensemble, observation: obs, goal: goalObs, seed: 6, angles: [1.3]) < 1e-9)
        #expect(throws: EnsembleError.self) { try EnsembleWorldModel([a, ExtraPointModel(.previousAction)]) }
        #expect(throws: EnsembleError.self) { try EnsembleWorldModel([]) }
    }

    /// The disagreement penalty is the members' variance about the observation they predict, added to the distance at
    /// every scored step; it keeps the equivariant planner exact; it is refused without shared observation channels.
    @Test func disagreementPenaltyIsTheMembersVarianceAndKeepsThePlannerExact() throws {
        let a = ObservedLatentModel(), b = ScaledObservedModel(gain: 1.2)
        let ensemble = try EnsembleWorldModel([a, b])
        #expect(ensemble.sharedObservedChannels == 9)
        #expect(try EnsembleWorldModel([ToyEquivariantModel(), a]).observationDisagreement() == nil)
        #expect(try EnsembleWorldModel([a]).observationDisagreement() == nil)
        var rng = SplitMix64(seed: 31)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        let n = 4, h = 3
        let actions = (0..<(n * h * 2)).map { _ in Double.random(in: 100...400, using: &rng) }
        let z0 = ensemble.encode(obs, batch: 1), goal = ensemble.encode(goalObs, batch: 1)
        let weight = 3.0
        let penalty = LatentMPC.disagreementPenalty(model: ensemble, weight: weight)
        let plain = LatentMPC.rolloutCost(model: ensemble, z0: z0, goal: goal, actions: actions, batch: n, horizon: h)
        let penalised = LatentMPC.rolloutCost(model: ensemble, z0: z0, goal: goal, actions: actions, batch: n, horizon: h, penalty: penalty)
        // By hand: roll each member out, then the variance of their 18 observation numbers (population, 2 members).
        let za0 = a.encode(obs, batch: 1), zb0 = b.encode(obs, batch: 1)
        var za: [Double] = [], zb: [Double] = []
        for _ in 0..<n { za += za0; zb += zb0 }
        for t in 0..<h {
            var step: [Double] = []
            for s in 0..<n {
                let i = (s * h + t) * 2
                step += [actions[i], actions[i + 1]]
            }
            za = a.predict(za, actions: step, batch: n); zb = b.predict(zb, actions: step, batch: n)
        }
        for s in 0..<n {
            var variance = 0.0
            for j in 0..<18 {
                let base = s * 22 + 4 + j
                let d: Double = za[base] - zb[base]
                variance += d * d / 4
            }
            #expect(variance > 1e-6)
            #expect(abs(penalised[s] - plain[s] - weight * variance) <= 1e-12 * max(1, penalised[s]))
        }
        var c = PlannerTests.smallConfig()
        c.disagreementWeight = weight
        let worst = PlannerTests.firstActionDeviation(model: ensemble, config: c, observation: obs, goal: goalObs, seed: 4, angles: [0.9, 3.1])
        print("disagreement penalty: equivariant planner max first-action deviation \(worst) px")
        #expect(worst < 1e-9)
        var settings = SearchSettings()
        settings.disagreementWeight = 1
        #expect(throws: PlanningSetupError.self) { _ = try settings.config(env: "pusht", model: a) }
        #expect(try settings.config(env: "pusht", model: ensemble).disagreementWeight == 1)
    }
}

/// The toy model seeing its actions as offsets from the agent (observation numbers 16, 17), as `--relative-actions`
/// models do: the same dynamics, so offset o from agent p is the toy's target p + o.
final class RelativeToyModel: LatentWorldModel {
    let inner = ToyEquivariantModel()
    var latentRep: Rep { inner.latentRep }
    var observationSize: Int { 18 }
    var actionSize: Int { 2 }
    var isEquivariant: Bool { true }
    var actionOrigin: Int? { 16 }
    func encode(_ o: [Double], batch: Int) -> [Double] { inner.encode(o, batch: batch) }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        var targets = actions
        for b in 0..<batch {
            targets[2 * b] += z[b * 18 + 16] * 100
            targets[2 * b + 1] += z[b * 18 + 17] * 100
        }
        return inner.predict(z, actions: targets, batch: batch)
    }
}

@Suite struct RelativeActionPlanningTests {
    /// A model of offsets from the agent: both planners plan offsets in a ball, the equivariant planner's offsets turn
    /// with the world as vectors (exact), and the controller executes agent + offset, held for the block.
    @Test func offsetsFromTheAgentArePlannedExactlyAndExecutedFromTheAgent() throws {
        let model = RelativeToyModel()
        var rng = SplitMix64(seed: 41)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        let worst = PlannerTests.firstActionDeviation(model: model, observation: obs, goal: goalObs, seed: 3, angles: [0.8, 2.9, 5.0], vectors: true)
        print("relative actions: equivariant planner max first-action deviation \(worst) px")
        #expect(worst < 1e-9)
        var c = PlannerTests.smallConfig()
        c.actionRepeat = 5
        c.executeSteps = 10
        for kind in [PlannerKind.cem, .equivariant] {
            let mpc = LatentMPC(model: model, kind: kind, config: c, goal: { _ in goalObs })
            mpc.reset(seed: 2)
            #expect(mpc.plansOffsets)
            let plan = mpc.plan(observation: obs)
            #expect(plan.allSatisfy { ($0[0] * $0[0] + $0[1] * $0[1]).squareRoot() <= c.discRadius + 1e-9 })
            mpc.reset(seed: 2)
            var moved = obs
            var executed: [[Double]] = []
            for step in 0..<10 {
                moved[16] = obs[16] + Double(step); moved[17] = obs[17] - Double(step)  // the agent moves along
                executed.append(try mpc.action(observation: Observation(moved), info: Info()))
            }
            // Block 1 from the agent where it starts, held; block 2 from where the agent is at step 5.
            #expect(executed[0] == [obs[16] + plan[0][0], obs[17] + plan[0][1]] && executed[1..<5].allSatisfy { $0 == executed[0] })
            #expect(executed[5] == [obs[16] + 5 + plan[1][0], obs[17] - 5 + plan[1][1]] && executed[6..<10].allSatisfy { $0 == executed[5] })
        }
    }
}

/// `ObservedLatentModel` with every prediction scaled by `gain` about the centre (equivariant): a member that disagrees.
final class ScaledObservedModel: LatentWorldModel {
    let inner = ObservedLatentModel()
    let gain: Double
    init(gain: Double) { self.gain = gain }
    var latentRep: Rep { inner.latentRep }
    var observationSize: Int { 18 }
    var actionSize: Int { 2 }
    var isEquivariant: Bool { true }
    var observedLatentChannels: Int { 9 }
    func encode(_ o: [Double], batch: Int) -> [Double] { inner.encode(o, batch: batch) }
    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] { inner.predict(z, actions: actions, batch: batch).map { gain * $0 } }
}
