import Envs
import Foundation

extension ReachPlaneEnv {
    /// The registry's factory: only the `points` observation; the orientation through the exact `OrientationWrapper`
    /// in both builds (the dynamics are exact, so the `world` build has nothing else to rotate).
    public static func make(_ options: MakeOptions) throws -> any Environment {
        if let obs = options.observation, obs != "points" { throw EnvError.invalidArgument("unknown reach-plane observation '\(obs)' (points)") }
        let env = ReachPlaneEnv()
        return options.orientation == 0 ? env : OrientationWrapper(env, angle: options.orientation)
    }

    /// reach-plane's registration: the env, and how the world models, the collection and the planners read it.
    public static let registration = EnvRegistration(
        id: "reach-plane", summary: "A point agent pushes a disc puck in the unit disc; exactly SO(2)-equivariant",
        observationTypes: ["points"],
        adapters: EnvAdapters(
            // Two points (agent, puck) about the origin, unscaled; actions are target points; the agent is point 0.
            model: ModelReading(
                observationType: "points", dimension: 2, pointsPerFrame: 2, center: [0, 0], scale: 1,
                action: .point, agentIndex: 0),
            // `collect --start half-plane`: an anisotropic start (so a slice of orientations restricts the data);
            // other starts use the env's own isotropic reset. No explorer: uniform random target points.
            collection: CollectionAdapter(starts: ["half-plane": { theta, _, rng in halfPlaneStart(theta: theta, using: &rng) }]),
            planning: PlanningPresets(center: [0, 0], actionLow: [-1, -1], actionHigh: [1, 1], invariantRadius: 1),
            goalProtocols: [ReachProtocol()])
    ) { options in try ReachPlaneEnv.make(options) }

    /// The puck in the right half of the disc (x in [0.2, 0.6], y in [-0.4, 0.4]), the agent 0.16 to 0.4 from it on
    /// its left; the whole state turned by theta.
    static func halfPlaneStart(theta: Double, using rng: inout SplitMix64) -> [Double] {
        let puck = Vec2(Double.random(in: 0.2...0.6, using: &rng), Double.random(in: -0.4...0.4, using: &rng))
        let phi = Double.random(in: 0.5 * Double.pi...1.5 * Double.pi, using: &rng)
        let agent = clamp(puck + Double.random(in: 0.16...0.4, using: &rng) * Vec2(cos(phi), sin(phi)))
        return PlanarRotation(angle: theta, center: .zero).apply(toPoints: [agent.x, agent.y, puck.x, puck.y])
    }
}

/// Goal reaching in reach-plane. Episode i starts from the env's reset with the held-out seed 3_000_000 + i; its goal
/// is the world after `offsetSteps` uniform random target points drawn from `SplitMix64(seed:)` of the same seed.
/// Success: the puck within 0.05 of the goal puck and the agent within 0.1 of the goal agent, in `budget` steps. At
/// orientation theta the start and the goal are the canonical ones turned by theta (distances are invariant).
public struct ReachProtocol: GoalProtocol {
    public static let heldOutSeedBase: UInt64 = 3_000_000
    public static let offsetSteps = 10
    public static let puckTolerance = 0.05
    public static let agentTolerance = 0.1
    public let name = "reach"
    public let budget = 30

    public init() {}

    /// Task `index` in the canonical frame: its reset seed and goal state [agent x, agent y, puck x, puck y].
    public static func task(index: Int) throws -> (seed: UInt64, goal: [Double]) {
        let seed = heldOutSeedBase &+ UInt64(index)
        let env = ReachPlaneEnv()
        _ = try env.reset(seed: seed)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<offsetSteps { _ = try env.step(env.actionSpace.sample(using: &rng)) }
        return (seed, env.state)
    }

    public func episode(index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild) throws -> GoalEpisode {
        var options = MakeOptions(observation: "points", orientation: theta, rotation: build)
        options.timeLimit = false
        let env = try ReachPlaneEnv.make(options)
        let task = try Self.task(index: index)
        // The observation is the state, so the goal observation is the goal state, turned by theta.
        let goal = PlanarRotation(angle: theta, center: .zero).apply(toPoints: task.goal)
        return GoalEpisode(env: env, resetSeed: task.seed, goal: { _ in goal }, goalState: goal) { observation, _, _ in
            let agent = hypot(observation[0] - goal[0], observation[1] - goal[1])
            let puck = hypot(observation[2] - goal[2], observation[3] - goal[3])
            return GoalProgress(
                success: puck < Self.puckTolerance && agent < Self.agentTolerance,
                measures: [
                    ("position_error", (agent * agent + puck * puck).squareRoot()),
                    ("agent_error", agent), ("puck_error", puck),
                ])
        }
    }
}
