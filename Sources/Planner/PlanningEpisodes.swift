import Agents
import Envs
import Foundation

/// What one planning episode came to.
public struct PlanningEpisode: Codable, Sendable {
    public var seed: UInt64
    public var orientation: Double
    public var success: Bool
    public var steps: Int
    public var finalCoverage: Double
    public var plans: Int
    /// Wall-clock planning time (nil with `--no-timings`).
    public var secondsPerPlan: Double?
    public var degenerateFrames: Int
    /// max over t of |g^-1 obs_g(t) - obs_0(t)| against the run at orientation 0 with the same seed (px), if measured.
    public var deviation: Double?
    /// goal25: position error (px) and angle error (rad) to the goal at the end of the episode.
    public var finalPositionError: Double?
    public var finalAngleError: Double?
    /// goal25: the agent's and the block's own position errors (px) at the end (the position error combines both).
    public var finalAgentError: Double?
    public var finalBlockError: Double?
    /// goal25: the goal state [agent_x, agent_y, block_x, block_y, block_angle] in the env's frame.
    public var goalState: [Double]?
    /// Keypoint observations, one per step (index 0 = after reset); not encoded in JSON.
    public var trajectory: [[Double]] = []

    enum CodingKeys: String, CodingKey {
        case seed, orientation, success, steps, finalCoverage, plans, secondsPerPlan, degenerateFrames, deviation, finalPositionError,
            finalAngleError, finalAgentError, finalBlockError, goalState
    }
}

/// Planning episodes of an env with goal protocols, at an orientation.
public enum PlanningEpisodes {
    /// Builds the controller for `kind`; `model` is required except for the oracle.
    public static func controller(
        kind: PlannerKind, model: (any LatentWorldModel)?, env: any Environment, config: MPCConfig,
        goal: @escaping ([Double]) -> [Double]
    ) throws -> any Policy {
        if kind == .oracle {
            // With a model, the oracle measures its cost in the model's latent space (a diagnostic of the encoder).
            let oracle = try SimulatorMPC(env: env, config: config, goal: goal)
            oracle.latentMetric = model
            return oracle
        }
        guard let model else { throw EnvError.invalidArgument("planner \(kind.rawValue) needs a world model (--model)") }
        try kind.check(model: model, allowNonEquivariant: config.allowNonEquivariantModel)
        return LatentMPC(model: model, kind: kind, config: config, goal: goal)
    }

    /// One episode of the goal protocol `proto` (an env's, from its adapters) at orientation `theta` (build `rotation`): task `index`, or
    /// seed `seed` for protocols whose tasks are reset seeds. With `record`, the episode's observations, actions, info
    /// (and frames of side `frameSize`) are kept.
    public static func episode(
        protocol proto: any GoalProtocol, index: Int, seed: UInt64, theta: Double,
        rotation: RotationBuild, kind: PlannerKind, model: (any LatentWorldModel)?, config: MPCConfig,
        record: Bool = false, frameSize: Int? = nil
    ) throws -> (PlanningEpisode, Episode?) {
        let episode = try proto.episode(index: index, seed: seed, orientation: theta, build: rotation)
        let recorder = record ? RecordEpisodes(episode.env, frameSize: frameSize) : nil
        let env: any Environment = recorder ?? episode.env
        let controller = try controller(kind: kind, model: model, env: env, config: config, goal: episode.goal)
        let outcome = try GoalReaching.run(episode, env: env, controller: controller, controllerSeed: episode.resetSeed, budget: proto.budget)
        let stats = (controller as? any PlanningController)?.stats ?? PlannerStats()
        let p = outcome.progress
        let result = PlanningEpisode(
            seed: episode.resetSeed, orientation: theta, success: outcome.success, steps: outcome.steps, finalCoverage: p["coverage"] ?? 0,
            plans: stats.plans, secondsPerPlan: stats.secondsPerPlan, degenerateFrames: stats.degenerateFrames, deviation: nil,
            finalPositionError: p["position_error"], finalAngleError: p["angle_error"], finalAgentError: p["agent_error"],
            finalBlockError: p["block_error"], goalState: episode.goalState, trajectory: outcome.trajectory)
        return (result, recorder?.episodes.last)
    }

    /// max over common steps and points of |g^-1 a(t) - b(t)|: how far a trajectory of the world at g is from the
    /// identity's, turned back (observations are points of the group's space).
    public static func deviation<G: GroupElement>(_ transformed: [[Double]], from reference: [[Double]], g: G) -> Double {
        let inverse = g.inverse, d = G.spaceDimension
        var worst = 0.0
        for (a, b) in zip(transformed, reference) {
            let n = min(a.count, b.count) / d * d
            let back = inverse.apply(toPoints: Array(a.prefix(n)))
            for k in 0..<(n / d) {
                let e = (0..<d).map { back[d * k + $0] - b[d * k + $0] }
                worst = max(worst, d == 2 ? hypot(e[0], e[1]) : e.map { $0 * $0 }.reduce(0, +).squareRoot())
            }
        }
        return worst
    }

    /// `deviation` for a planar world at orientation theta about `center`.
    public static func deviation(_ rotated: [[Double]], from reference: [[Double]], theta: Double, center: [Double]) -> Double {
        deviation(rotated, from: reference, g: PlanarRotation(angle: theta, center: Vec2(center[0], center[1])))
    }
}
