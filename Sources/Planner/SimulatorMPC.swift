import Agents
import Envs
import Foundation

/// Model-predictive control with PushT's simulator as the model: every sampled action sequence is rolled
/// out from a snapshot of the real env's state. The ceiling any learned model is compared with.
///
/// It plans in the frame of the physical PushT inside the env (the canonical frame for the `frame` build,
/// the rotated world for the `world` build): observations and goals are mapped in through `rotation^-1`,
/// plans out through `rotation`. Cost: squared distance of the final keypoint observation to the goal's.
public final class SimulatorMPC: Policy {
    public let name = "oracle"
    public let config: MPCConfig
    public var goal: (_ observation: [Double]) -> [Double]
    public private(set) var stats = PlannerStats()
    private let physical: PushTEnv
    private let rotation: PlanarRotation
    private let simulator: PushTEnv
    private var lastPlan: [[Double]] = []
    private var executed = 0
    private var episodeSeed: UInt64 = 0
    /// With `oracleNoiseSmooth`: the episode's fixed error field, a function for the whole episode as a learned model's
    /// error is (built at each reset, not at each plan).
    private var errorField: SmoothErrorField?
    /// Diagnostic: measure the cost in this model's latent space (E(sim obs) vs E(goal)) instead of keypoint
    /// space, so the simulator's exact dynamics are combined with the learned encoder's metric.
    public var latentMetric: (any LatentWorldModel)?

    /// `env`: the env the controller acts on (any wrappers around a PushT).
    public init(env: any Environment, config: MPCConfig, goal: @escaping (_ observation: [Double]) -> [Double]) throws {
        guard let (physical, rotation) = PushTEnv.locate(in: env) else {
            throw EnvError.invalidArgument("the oracle planner needs a PushT env")
        }
        self.physical = physical
        self.rotation = rotation
        var simConfig = physical.config
        simConfig.observationType = .keypoints
        simulator = PushTEnv(config: simConfig)
        self.config = config
        self.goal = goal
        errorField = Self.errorField(config, seed: episodeSeed)
    }

    private static func errorField(_ config: MPCConfig, seed: UInt64) -> SmoothErrorField? {
        config.oracleNoiseSmooth ? config.oracleNoise.map { SmoothErrorField(meanLength: $0, seed: seed) } : nil
    }

    public func reset(seed: UInt64) {
        lastPlan.removeAll()
        executed = 0
        episodeSeed = seed
        errorField = Self.errorField(config, seed: seed)
        stats = PlannerStats()
    }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        let r = max(1, config.actionRepeat)
        if lastPlan.isEmpty || executed >= min(config.executeSteps, lastPlan.count * r) {
            lastPlan = plan(goalObservation: goal(observation.values))
            executed = 0
        }
        executed += 1
        return lastPlan[(executed - 1) / r]
    }

    func plan(goalObservation: [Double]) -> [[Double]] {
        let start = DispatchTime.now().uptimeNanoseconds
        let inverse = rotation.inverse
        let target = inverse.apply(toPoints: goalObservation)
        let origin = physical.snapshot()
        let h = config.cem.horizon, r = max(1, config.actionRepeat)
        var mean = lastPlan.dropFirst(executed / r).prefix(h).map { a -> [Double] in
            let p = inverse.apply(point: Vec2(a[0], a[1])); return [p.x, p.y]
        }
        let hold = mean.last ?? [physical.physics.agentPosition.x, physical.physics.agentPosition.y]
        while mean.count < h { mean.append(hold) }
        let sim = simulator, mode = config.cost, metric = latentMetric, noise = config.oracleNoise
        let seed = episodeSeed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(stats.plans)
        var calls: UInt64 = 0
        let field = errorField
        let agent = config.agentIndex
        let zGoal = metric.map { $0.encode($0.reading(target, previousAction: nil, agentIndex: agent), batch: 1) }
        let weights = metric?.latentCostWeights(learned: config.learnedChannelWeight)
        let cost: SequenceCost = { actions, n in
            calls += 1
            return (0..<n).map { s in
                sim.restore(origin)
                var rng = SplitMix64(seed: seed ^ (calls &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(s) &* 0x8CB9_2BA7_2F3D_8DD7))
                var before = sim.physics.blockOrigin, agentBefore = sim.physics.agentPosition
                var obs: [Double] = []
                var acc = mode == .min ? Double.infinity : 0
                var action: [Double] = []
                func distance() -> Double {
                    if let m = metric, let zGoal {
                        let z = m.encode(m.reading(obs, previousAction: action, agentIndex: agent), batch: 1)
                        return z.withUnsafeBufferPointer { squaredDistance($0, zGoal, weights: weights) }
                    }
                    var c = 0.0
                    for j in 0..<min(obs.count, target.count) { let e = obs[j] - target[j]; c += e * e }
                    return c
                }
                for t in 0..<(h * r) {
                    action = [actions[(s * h + t / r) * 2], actions[(s * h + t / r) * 2 + 1]]
                    obs = (try? sim.step(action).observation.values) ?? []
                    if let noise, t % r == r - 1 {
                        if (sim.physics.blockOrigin - before).length > 1 {
                            let offset = field?.offset(agent: agentBefore, action: Vec2(action[0], action[1]), block: before)
                                ?? Self.gaussianOffset(meanLength: noise, using: &rng)
                            sim.physics.setBlockOrigin(sim.physics.blockOrigin + offset)
                            obs = sim.currentObservation.values
                        }
                        before = sim.physics.blockOrigin
                        agentBefore = sim.physics.agentPosition
                    }
                    if mode != .final { acc = PlanCost.accumulate(mode, [acc], [distance()])[0] }
                }
                return PlanCost.finish(mode, [acc], final: [distance()], steps: h * r)[0]
            }
        }
        let result = CEM(config: config.cem).plan(
            initialMean: mean, actionDim: 2, bounds: .box(low: config.low, high: config.high), seed: seed, cost: cost)
        stats.plans += 1
        stats.modelEvaluations += result.evaluations
        stats.planSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result.actions.map { a in let p = rotation.apply(point: Vec2(a[0], a[1])); return [p.x, p.y] }
    }
}

extension SimulatorMPC {
    /// An isotropic 2D Gaussian offset with mean length `meanLength` (per-axis std meanLength / sqrt(pi / 2)).
    static func gaussianOffset(meanLength: Double, using rng: inout SplitMix64) -> Vec2 {
        let std = meanLength / (Double.pi / 2).squareRoot()
        // Both Box-Muller branches of one pair of uniforms (the figures in the README were drawn this way).
        let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
        let r = std * (-2 * log(u1)).squareRoot()
        return Vec2(r * cos(2 * Double.pi * u2), r * sin(2 * Double.pi * u2))
    }
}

/// A fixed, smooth, random error field for the noisy oracle: the T's offset after an action is a sum of 64 random
/// Fourier features of (agent, action) relative to the T's origin and of the T's origin itself, on a 40 px length
/// scale, scaled so the offset's mean length over random workspace inputs is `meanLength`. Deterministic in its inputs, so a search can
/// exploit it as it can exploit a learned model's errors (random offsets average out over the search).
struct SmoothErrorField {
    private var frequencies: [[Double]] = [], phases: [Double] = [], amplitudes: [Vec2] = []

    init(meanLength: Double, seed: UInt64, features: Int = 64, lengthScale: Double = 40) {
        var rng = SplitMix64(seed: seed ^ 0x5EED_F1E1_D000_0001)
        func gaussian() -> Double { rng.standardNormal() }
        // Per-axis std of the offset meanLength / sqrt(pi/2); each feature's sine has variance 1/2.
        let axisStd = meanLength / (Double.pi / 2).squareRoot(), amplitudeStd = axisStd * (2 / Double(features)).squareRoot()
        for _ in 0..<features {
            frequencies.append((0..<6).map { _ in gaussian() / lengthScale })
            phases.append(Double.random(in: 0..<(2 * Double.pi), using: &rng))
            amplitudes.append(Vec2(amplitudeStd * gaussian(), amplitudeStd * gaussian()))
        }
        // Rescale so the mean length over 2000 random workspace inputs is exactly `meanLength`.
        var mean = 0.0
        for _ in 0..<2000 {
            func point() -> Vec2 { Vec2(Double.random(in: 50...450, using: &rng), Double.random(in: 50...450, using: &rng)) }
            mean += offset(agent: point(), action: point(), block: point()).length / 2000
        }
        if mean > 0 { amplitudes = amplitudes.map { (meanLength / mean) * $0 } }
    }

    func offset(agent: Vec2, action: Vec2, block: Vec2) -> Vec2 {
        let x = [agent.x - block.x, agent.y - block.y, action.x - block.x, action.y - block.y, block.x - 256, block.y - 256]
        var out = Vec2(0, 0)
        for (k, w) in frequencies.enumerated() {
            var arg = phases[k]
            for j in 0..<6 { arg += w[j] * x[j] }
            out = out + sin(arg) * amplitudes[k]
        }
        return out
    }
}

extension PushTEnv {
    /// The physical PushT inside `env`'s wrappers, and the rotation from its frame to `env`'s observations.
    public static func locate(in env: any Environment) -> (PushTEnv, PlanarRotation)? {
        var current: any Environment = env
        while true {
            if let p = current as? PushTEnv { return (p, PlanarRotation(angle: 0, center: PushTGeometry.workspaceCenter)) }
            if let o = current as? OrientationWrapper<PushTEnv> { return (o.base, o.element) }
            guard let w = current as? Wrapper else { return nil }
            current = w.inner
        }
    }
}
