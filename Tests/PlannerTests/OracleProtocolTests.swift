import Agents
import Envs
import Foundation
import Testing
@testable import Planner

/// A toy simulatable world, not PushT: an agent in the plane moves halfway to its action each step; observation =
/// the agent's position. Symmetric under rotations about the origin.
final class HalfwayAgentWorld: SimulatableEnvironment {
    var position = Vec2(3, -2)
    let spec = EnvSpec(id: "halfway-agent")
    let observationSpace = BoxSpace(low: -100, high: 100, shape: [2])
    let actionSpace = BoxSpace(low: -100, high: 100, shape: [2])
    /// Perturbations applied, counted.
    var perturbations = 0

    func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let s = options.state { position = Vec2(s[0], s[1]) }
        return (currentObservation, Info())
    }
    func step(_ action: [Double]) throws -> StepResult {
        position = position + 0.5 * (Vec2(action[0], action[1]) - position)
        return StepResult(observation: currentObservation, reward: 0, terminated: false, truncated: false, info: Info())
    }
    var currentObservation: Observation { Observation([position.x, position.y]) }

    func element(orientation theta: Double) -> PlanarRotation { PlanarRotation(angle: theta, center: Vec2(0, 0)) }
    func validate(resetState state: [Double]) throws {}
    func act(_ g: PlanarRotation, onAction action: [Double]) -> [Double] { g.apply(toPoints: action) }
    func act(_ g: PlanarRotation, onState state: [Double]) -> [Double] { g.apply(toPoints: state) }
    func act(_ g: PlanarRotation, onInfo info: Info) -> Info { info }
    func observation(under g: PlanarRotation) -> Observation { Observation(g.apply(toPoints: [position.x, position.y])) }

    func snapshot() -> Vec2 { position }
    func restore(_ snapshot: Vec2) { position = snapshot }
    func makeSimulator() -> HalfwayAgentWorld { HalfwayAgentWorld() }
    var identityElement: PlanarRotation { PlanarRotation(angle: 0, center: Vec2(0, 0)) }
    var restAction: [Double] { [position.x, position.y] }
    func modelError(meanLength: Double, smooth: Bool, seed: UInt64) -> (any SimulatorModelError<HalfwayAgentWorld>)? {
        DriftError(drift: meanLength)
    }
}

/// The toy world's model error: the agent drifts by `drift` along x after every planned action.
final class DriftError: SimulatorModelError {
    let drift: Double
    init(drift: Double) { self.drift = drift }
    func begin(_ simulator: HalfwayAgentWorld) {}
    func perturb(_ simulator: HalfwayAgentWorld, action: [Double], rng: inout SplitMix64) -> Bool {
        simulator.position = simulator.position + Vec2(drift, 0)
        simulator.perturbations += 1
        return true
    }
}

struct OracleProtocolTests {
    static func config() -> MPCConfig {
        var c = MPCConfig(
            presets: PlanningPresets(center: [0, 0], actionLow: [-100, -100], actionHigh: [100, 100], invariantRadius: 100),
            agentIndex: 0)
        c.cem.horizon = 3; c.cem.samples = 40; c.cem.elites = 6; c.cem.iterations = 5; c.cem.initialStd = 10; c.cem.minStd = 0.1
        c.executeSteps = 2
        c.cost = .sum  // every step counts: the first actions head for the goal too
        return c
    }

    /// The oracle plans with any simulatable env: it drives the toy agent to its goal, and its first action in the world
    /// at g, turned back, is the one at the identity (it plans in the simulator's frame).
    @Test func oracleWorksThroughTheProtocolAndTurnsWithTheWorld() throws {
        let goal: [Double] = [-4, 5]
        func firstAction(_ theta: Double) throws -> [Double] {
            let base = HalfwayAgentWorld()
            let g = base.element(orientation: theta)
            let env = base.oriented(at: g)
            let (obs, info) = try env.reset(seed: 0, options: ResetOptions(state: g.apply(toPoints: [3, -2])))
            let oracle = try SimulatorMPC(env: env, config: Self.config(), goal: { _ in g.apply(toPoints: goal) })
            oracle.reset(seed: 7)
            return g.inverse.apply(toPoints: try oracle.action(observation: obs, info: info))
        }
        let a0 = try firstAction(0)
        for theta in [0.7, 2.5, -1.2] {
            let a = try firstAction(theta)
            #expect(hypot(a[0] - a0[0], a[1] - a0[1]) < 1e-9)
        }
        let env = HalfwayAgentWorld()
        let oracle = try SimulatorMPC(env: TimeLimit(env, maxSteps: 50), config: Self.config(), goal: { _ in goal })
        oracle.reset(seed: 1)
        var (obs, info) = try env.reset(seed: 0)
        for _ in 0..<12 { let r = try env.step(try oracle.action(observation: obs, info: info)); obs = r.observation; info = r.info }
        #expect(hypot(obs.values[0] - goal[0], obs.values[1] - goal[1]) < 1)  // from 9.9
        #expect(oracle.stats.plans == 6)
        #expect(env.perturbations == 0)
    }

    /// The model-error hook: with `oracleNoise` the env's error perturbs the planning rollouts (never the real env) and
    /// changes the plan.
    @Test func oracleNoiseGoesThroughTheModelErrorHook() throws {
        func plan(noise: Double?) throws -> ([[Double]], Int) {
            let env = HalfwayAgentWorld()
            var config = Self.config()
            config.oracleNoise = noise
            let oracle = try SimulatorMPC(env: env, config: config, goal: { _ in [-4, 5] })
            oracle.reset(seed: 2)
            let p = oracle.plan(goalObservation: [-4, 5])
            return (p, env.position == Vec2(3, -2) ? 0 : 1)
        }
        let (exact, moved0) = try plan(noise: nil), (noisy, moved1) = try plan(noise: 1)
        #expect(exact != noisy)
        #expect(moved0 == 0 && moved1 == 0)
        #expect(throws: EnvError.self) { try SimulatorMPC(env: try Registry.make("teacher3d"), config: Self.config(), goal: { $0 }) }
    }
}
