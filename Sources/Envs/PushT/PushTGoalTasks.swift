import Foundation

/// PushT's planning protocols (`shared/spec/experiments.md`).
public enum PushTProtocol: String, CaseIterable, Sendable {
    /// DINO-WM / LeWM goal reaching: the goal is the observation 25 steps later along held-out data;
    /// success = |(agent xy, block xy) - goal| < 20 px and block angle error < pi/9, within 50 steps.
    case goal25
    /// DINO-WM's protocol on expert data: start and goal from held-out noisy expert episodes (`ExpertGoalTask`), the
    /// goal 25 env steps after the start; success, budget and per-step check as goal25.
    case goal25Expert = "goal25-expert"
    /// The full task: push the T onto the fixed goal (coverage > 0.95) within 300 steps.
    case full

    public var budget: Int { self == .full ? PushTGeometry.maxEpisodeSteps : 50 }
}

/// One goal-reaching episode: the start is `reset(seed:)`; the goal is where the exploratory pusher
/// took the world `offset` steps later. Seeds are offset far from the training collection's.
public struct GoalReachingTask: Sendable {
    public static let heldOutSeedBase: UInt64 = 1_000_000
    public var seed: UInt64
    /// Canonical goal state [agent_x, agent_y, block_x, block_y, block_angle] and keypoint observation (18).
    public var goalState: [Double]
    public var goalObservation: [Double]

    public static func make(index: Int, offset: Int = 25) throws -> GoalReachingTask {
        let seed = heldOutSeedBase + UInt64(index)
        let env = PushTEnv(observationType: .keypoints)
        var (obs, info) = try env.reset(seed: seed)
        let pusher = ExploratoryPusher(seed: seed)
        for _ in 0..<offset {
            let r = try env.step(try pusher.action(observation: obs, info: info))
            obs = r.observation
            info = r.info
        }
        return GoalReachingTask(seed: seed, goalState: env.state, goalObservation: obs.values)
    }

    /// Success test in any frame: distances are rotation invariant.
    public static func reached(state s: [Double], goal: [Double]) -> Bool {
        var d2 = 0.0
        for i in 0..<4 { d2 += (s[i] - goal[i]) * (s[i] - goal[i]) }
        let angle = abs(remainder(s[4] - goal[4], 2 * Double.pi))
        return d2.squareRoot() < 20 && angle < Double.pi / 9
    }

    /// (|(agent xy, block xy) - goal| in px, |block angle error| in rad): the two quantities of the success test;
    /// and the agent's and the block's own position errors (px), which the position error combines.
    public static func errors(state s: [Double], goal: [Double]) -> (position: Double, angle: Double, agent: Double, block: Double) {
        var d2 = 0.0
        for i in 0..<4 { d2 += (s[i] - goal[i]) * (s[i] - goal[i]) }
        return (
            d2.squareRoot(), abs(remainder(s[4] - goal[4], 2 * Double.pi)),
            hypot(s[0] - goal[0], s[1] - goal[1]), hypot(s[2] - goal[2], s[3] - goal[3])
        )
    }
}

/// The goal observation the latent planners aim at in the full task: the T at the goal pose (in the env's
/// frame) with the agent where it is now (the task says nothing about the agent).
public func fullTaskGoal(goalPose: Pose) -> @Sendable ([Double]) -> [Double] {
    let keypoints = PushTGeometry.keypoints(at: goalPose).flatMap { [$0.x, $0.y] }
    return { observation in keypoints + [observation[16], observation[17]] }
}

extension PushTProtocol: GoalProtocol {
    public var name: String { rawValue }

    /// goal25's success test and measures towards `goalState` (in the env's frame), read from PushT's info.
    static func progress(towards goalState: [Double]) -> @Sendable ([Double], Info, GoalProgress?) -> GoalProgress {
        { _, info, previous in
            let coverage = info.double("coverage") ?? previous?["coverage"] ?? 0
            guard let a = info.doubles("pos_agent"), let p = info.doubles("block_pose") else {
                return GoalProgress(success: info.bool("is_success") ?? false, measures: [("coverage", coverage)])
            }
            let e = GoalReachingTask.errors(state: a + p, goal: goalState)
            return GoalProgress(
                success: GoalReachingTask.reached(state: a + p, goal: goalState),
                measures: [
                    ("coverage", coverage), ("position_error", e.position), ("angle_error", e.angle), ("agent_error", e.agent),
                    ("block_error", e.block),
                ])
        }
    }

    /// goal25: task `index` (start `reset(seed:)` of its held-out seed, goal the state 25 exploratory steps on);
    /// goal25-expert: task `index` of `ExpertGoalTask` (start and goal from a held-out expert episode); full:
    /// `reset(seed:)`, the goal the T at the goal pose with the agent where it is. Both moved into the world at theta.
    public func episode(index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild) throws -> GoalEpisode {
        try episode(
            index: index, seed: seed, orientation: theta, build: build,
            rotation: PlanarRotation(angle: theta, center: PushTGeometry.workspaceCenter))
    }

    /// The task as made, not moved (its goal observation and pose not passed through the identity rotation).
    public func canonicalEpisode(index: Int, seed: UInt64) throws -> GoalEpisode {
        try episode(index: index, seed: seed, orientation: 0, build: .frame, rotation: nil)
    }

    /// The episode at theta, its goal moved by `rotation` (nil: left as made).
    private func episode(
        index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild,
        rotation: PlanarRotation?
    ) throws -> GoalEpisode {
        var options = MakeOptions(observation: PushTEnv.ObservationType.keypoints.rawValue, orientation: theta, rotation: build)
        options.timeLimit = false
        let env = try Registry.make(PushTEnv.registration.id, options: options)
        switch self {
        case .goal25:
            let task = try GoalReachingTask.make(index: index)
            let goalObservation = rotation?.apply(toPoints: task.goalObservation) ?? task.goalObservation
            let goalState = rotation?.act(onState: task.goalState) ?? task.goalState
            return GoalEpisode(
                env: env, resetSeed: task.seed, goal: { _ in goalObservation }, goalState: goalState, progress: Self.progress(towards: goalState))
        case .goal25Expert:
            let task = try ExpertGoalTask.make(index: index)
            let goalObservation = rotation?.apply(toPoints: task.goalObservation) ?? task.goalObservation
            let goalState = rotation?.act(onState: task.goalState) ?? task.goalState
            // The frame build's wrapper takes reset states in the world at theta; the world build's PushTEnv takes them
            // in the canonical frame and turns them into its rotated world itself.
            let start = build == .frame ? (rotation?.act(onState: task.resetState) ?? task.resetState) : task.resetState
            return GoalEpisode(
                env: env, resetSeed: task.seed, resetState: start, goal: { _ in goalObservation }, goalState: goalState,
                progress: Self.progress(towards: goalState))
        case .full:
            return GoalEpisode(
                env: env, resetSeed: seed, goal: fullTaskGoal(goalPose: rotation?.act(onPose: PushTGeometry.goalPose) ?? PushTGeometry.goalPose)
            ) { _, info, previous in
                GoalProgress(
                    success: info.bool("is_success") ?? false,
                    measures: [("coverage", info.double("coverage") ?? previous?["coverage"] ?? 0)])
            }
        }
    }
}
