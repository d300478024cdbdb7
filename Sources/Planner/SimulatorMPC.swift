import Agents
import Envs
import Foundation

/// Model-predictive control with the env's simulator as the model (any `SimulatableEnvironment`): every sampled
/// action sequence is rolled out from a snapshot of the real env's state. The ceiling any learned model is compared with.
///
/// It plans in the frame of the simulator inside the env (the canonical frame for the `frame` build, the transformed
/// world for the `world` build): observations and goals are mapped in through `element^-1`, plans out through
/// `element` (actions as the env acts on them). Cost: squared distance of the final point observation to the goal's.
public final class SimulatorMPC: PlanningController {
    public let name = "oracle"
    public let config: MPCConfig
    public var goal: (_ observation: [Double]) -> [Double]
    public private(set) var stats = PlannerStats()
    private let simulation: any OracleSimulation
    private var lastPlan: [[Double]] = []
    private var executed = 0
    private var episodeSeed: UInt64 = 0
    /// Diagnostic: measure the cost in this model's latent space (E(sim obs) vs E(goal)) instead of keypoint
    /// space, so the simulator's exact dynamics are combined with the learned encoder's metric.
    public var latentMetric: (any LatentWorldModel)?

    /// `env`: the env the controller acts on (any wrappers around a simulatable env).
    public init(env: any Environment, config: MPCConfig, goal: @escaping (_ observation: [Double]) -> [Double]) throws {
        guard let location = locateSimulator(in: env) else {
            throw EnvError.invalidArgument("the oracle planner needs an env whose simulator can be planned with")
        }
        func open<L: SimulatorLocation>(_ l: L) -> any OracleSimulation {
            OracleSimulator(physical: l.simulator, element: l.element, config: config)
        }
        simulation = open(location)
        self.config = config
        self.goal = goal
        simulation.resetModelError(seed: episodeSeed)
    }

    public func reset(seed: UInt64) {
        lastPlan.removeAll()
        executed = 0
        episodeSeed = seed
        simulation.resetModelError(seed: seed)
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
        let r = max(1, config.actionRepeat)
        let warm = Array(lastPlan.dropFirst(executed / r).prefix(config.cem.horizon))
        let seed = episodeSeed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(stats.plans)
        let result = simulation.plan(goalObservation: goalObservation, warmStart: warm, seed: seed, metric: latentMetric)
        stats.plans += 1
        stats.modelEvaluations += result.evaluations
        stats.planSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return result.actions
    }
}

/// The oracle's search with one simulatable env, whatever its type.
private protocol OracleSimulation: AnyObject {
    func resetModelError(seed: UInt64)
    func plan(goalObservation: [Double], warmStart: [[Double]], seed: UInt64, metric: (any LatentWorldModel)?)
        -> (actions: [[Double]], evaluations: Int)
}

private final class OracleSimulator<S: SimulatableEnvironment>: OracleSimulation {
    let physical: S
    let element: S.Group
    let simulator: S
    let config: MPCConfig
    /// With `oracleNoise`: the diagnostic model error (with `oracleNoiseSmooth`, the episode's fixed error field, a
    /// function for the whole episode as a learned model's error is: built at each reset, not at each plan).
    var modelError: (any SimulatorModelError<S>)?

    init(physical: S, element: S.Group, config: MPCConfig) {
        self.physical = physical; self.element = element; self.config = config
        simulator = physical.makeSimulator()
    }

    func resetModelError(seed: UInt64) {
        modelError = config.oracleNoise.flatMap { physical.modelError(meanLength: $0, smooth: config.oracleNoiseSmooth, seed: seed) }
    }

    func plan(goalObservation: [Double], warmStart: [[Double]], seed: UInt64, metric: (any LatentWorldModel)?)
        -> (actions: [[Double]], evaluations: Int)
    {
        let inverse = element.inverse
        let target = inverse.apply(toPoints: goalObservation)
        let origin = physical.snapshot()
        let h = config.cem.horizon, r = max(1, config.actionRepeat)
        var mean = warmStart.map { physical.act(inverse, onAction: $0) }
        let hold = mean.last ?? physical.restAction
        while mean.count < h { mean.append(hold) }
        let d = hold.count
        let sim = simulator, mode = config.cost, error = modelError
        var calls: UInt64 = 0
        let agent = config.agentIndex
        let zGoal = metric.map { $0.encode($0.reading(target, previousAction: nil, agentIndex: agent), batch: 1) }
        let weights = metric?.latentCostWeights(learned: config.learnedChannelWeight)
        let cost: SequenceCost = { actions, n in
            calls += 1
            return (0..<n).map { s in
                sim.restore(origin)
                var rng = SplitMix64(seed: seed ^ (calls &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(s) &* 0x8CB9_2BA7_2F3D_8DD7))
                error?.begin(sim)
                var obs: [Double] = []
                var acc = mode == .min ? Double.infinity : 0
                var action: [Double] = []
                var previousAgent: [Double]?
                func distance() -> Double {
                    if let m = metric, let zGoal {
                        let z = m.encode(m.reading(obs, previousAction: action, previousAgent: previousAgent, agentIndex: agent), batch: 1)
                        return z.withUnsafeBufferPointer { squaredDistance($0, zGoal, weights: weights) }
                    }
                    var c = 0.0
                    for j in 0..<min(obs.count, target.count) { let e = obs[j] - target[j]; c += e * e }
                    return c
                }
                for t in 0..<(h * r) {
                    let base = (s * h + t / r) * d
                    action = Array(actions[base..<(base + d)])
                    if metric?.observesAgentVelocity == true {
                        let before = obs.isEmpty ? sim.currentObservation.values : obs
                        previousAgent = [before[agent], before[agent + 1]]
                    }
                    obs = (try? sim.step(action).observation.values) ?? []
                    if let error, t % r == r - 1, error.perturb(sim, action: action, rng: &rng) {
                        obs = sim.currentObservation.values
                    }
                    if mode != .final { acc = PlanCost.accumulate(mode, [acc], [distance()])[0] }
                }
                return PlanCost.finish(mode, [acc], final: [distance()], steps: h * r)[0]
            }
        }
        let result = CEM(config: config.cem).plan(
            initialMean: mean, actionDim: d, bounds: .box(low: config.low, high: config.high), seed: seed, cost: cost)
        return (result.actions.map { physical.act(element, onAction: $0) }, result.evaluations)
    }
}
