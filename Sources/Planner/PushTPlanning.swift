import Agents
import Envs
import Foundation

/// PushT's planning protocols (`shared/spec/experiments.md`).
public enum PushTProtocol: String, CaseIterable, Sendable {
    /// DINO-WM / LeWM goal reaching: the goal is the observation 25 steps later along held-out data;
    /// success = |(agent xy, block xy) - goal| < 20 px and block angle error < pi/9, within 50 steps.
    case goal25
    /// The full task: push the T onto the fixed goal (coverage > 0.95) within 300 steps.
    case full

    public var budget: Int { self == .goal25 ? 50 : PushTGeometry.maxEpisodeSteps }
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
        return (d2.squareRoot(), abs(remainder(s[4] - goal[4], 2 * Double.pi)),
                hypot(s[0] - goal[0], s[1] - goal[1]), hypot(s[2] - goal[2], s[3] - goal[3]))
    }
}

/// The goal observation the latent planners aim at in the full task: the T at the goal pose (in the env's
/// frame) with the agent where it is now (the task says nothing about the agent).
public func fullTaskGoal(goalPose: Pose) -> ([Double]) -> [Double] {
    let keypoints = PushTGeometry.keypoints(at: goalPose).flatMap { [$0.x, $0.y] }
    return { observation in keypoints + [observation[16], observation[17]] }
}

/// What one planning episode came to.
public struct PlanningEpisode: Codable, Sendable {
    public var seed: UInt64
    public var orientation: Double
    public var success: Bool
    public var steps: Int
    public var finalCoverage: Double
    public var plans: Int
    public var secondsPerPlan: Double
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
        case seed, orientation, success, steps, finalCoverage, plans, secondsPerPlan, degenerateFrames, deviation, finalPositionError, finalAngleError, finalAgentError, finalBlockError, goalState
    }
}

/// Runs planning episodes of PushT at an orientation.
public enum PushTPlanning {
    /// Builds the controller for `kind`; `model` is required except for the oracle.
    public static func controller(kind: PlannerKind, model: (any LatentWorldModel)?, env: any Environment, config: MPCConfig,
                                  goal: @escaping ([Double]) -> [Double]) throws -> any Policy {
        if kind == .oracle {
            // With a model, the oracle measures its cost in the model's latent space (a diagnostic of the encoder).
            let oracle = try SimulatorMPC(env: env, config: config, goal: goal)
            oracle.latentMetric = model
            return oracle
        }
        guard let model else { throw EnvError.invalidArgument("planner \(kind.rawValue) needs a world model (--model)") }
        return LatentMPC(model: model, kind: kind, config: config, goal: goal)
    }

    /// One episode at orientation `theta` (build `rotation`): goal25 uses task `index`, full uses seed `seed`.
    /// With `record`, the episode's observations, actions, info (and frames of side `frameSize`) are kept.
    public static func episode(protocol proto: PushTProtocol, index: Int, seed: UInt64, theta: Double, rotation: RotationBuild,
                               kind: PlannerKind, model: (any LatentWorldModel)?, config: MPCConfig,
                               record: Bool = false, frameSize: Int? = nil) throws -> (PlanningEpisode, Episode?) {
        var options = MakeOptions(observation: "keypoints", orientation: theta, rotation: rotation)
        options.timeLimit = false
        let base = try Registry.make("pusht", options: options)
        let recorder = record ? RecordEpisodes(base, frameSize: frameSize) : nil
        let env: any Environment = recorder ?? base
        let g = PlanarRotation(angle: theta, center: PushTGeometry.workspaceCenter)
        let task = proto == .goal25 ? try GoalReachingTask.make(index: index) : nil
        let episodeSeed = task?.seed ?? seed
        let goal: ([Double]) -> [Double]
        if let task {
            let rotated = g.apply(toPoints: task.goalObservation)
            goal = { _ in rotated }
        } else {
            goal = fullTaskGoal(goalPose: g.act(onPose: PushTGeometry.goalPose))
        }
        let controller = try controller(kind: kind, model: model, env: env, config: config, goal: goal)
        controller.reset(seed: episodeSeed)
        var (obs, info) = try env.reset(seed: episodeSeed)
        var trajectory = [obs.values]
        var success = false, steps = 0, coverage = info.double("coverage") ?? 0
        var finalState: [Double]?
        let goalState = task.map { g.act(onState: $0.goalState) }
        while steps < proto.budget && !success {
            let r = try env.step(try controller.action(observation: obs, info: info))
            steps += 1
            obs = r.observation; info = r.info
            trajectory.append(obs.values)
            coverage = info.double("coverage") ?? coverage
            if let goalState, let a = info.doubles("pos_agent"), let p = info.doubles("block_pose") {
                finalState = a + p
                success = GoalReachingTask.reached(state: a + p, goal: goalState)
            } else {
                success = info.bool("is_success") ?? false
            }
        }
        let finalErrors = finalState.flatMap { s in goalState.map { GoalReachingTask.errors(state: s, goal: $0) } }
        let stats = (controller as? LatentMPC)?.stats ?? (controller as? SimulatorMPC)?.stats ?? PlannerStats()
        let result = PlanningEpisode(
            seed: episodeSeed, orientation: theta, success: success, steps: steps, finalCoverage: coverage, plans: stats.plans,
            secondsPerPlan: stats.secondsPerPlan, degenerateFrames: stats.degenerateFrames, deviation: nil,
            finalPositionError: finalErrors?.position, finalAngleError: finalErrors?.angle,
            finalAgentError: finalErrors?.agent, finalBlockError: finalErrors?.block,
            goalState: goalState, trajectory: trajectory)
        return (result, recorder?.episodes.last)
    }

    /// max over common steps of |g^-1 a(t) - b(t)| over the 9 points of keypoint observations.
    public static func deviation(_ rotated: [[Double]], from reference: [[Double]], theta: Double) -> Double {
        let inverse = PlanarRotation(angle: -theta, center: PushTGeometry.workspaceCenter)
        var worst = 0.0
        for (a, b) in zip(rotated, reference) {
            for k in 0..<(min(a.count, b.count) / 2) {
                let p = inverse.apply(point: Vec2(a[2 * k], a[2 * k + 1]))
                worst = max(worst, hypot(p.x - b[2 * k], p.y - b[2 * k + 1]))
            }
        }
        return worst
    }
}

/// Wilson score interval for a success rate (95% by default).
public func wilsonInterval(successes: Int, trials: Int, z: Double = 1.96) -> (low: Double, high: Double) {
    guard trials > 0 else { return (0, 1) }
    let n = Double(trials), p = Double(successes) / n
    let denominator = 1 + z * z / n
    let centre = (p + z * z / (2 * n)) / denominator
    let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
    return (max(0, centre - half), min(1, centre + half))
}
