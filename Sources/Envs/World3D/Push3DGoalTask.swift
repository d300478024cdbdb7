import Foundation

/// A closed-loop goal-reaching task of `push3d` / `push3d-multi` (`scripted-goal`; `scripted-segment`: see
/// `Settings.startSteps`): from an oriented canonical start
/// (`Push3DEnv.orientedStart`), the goal is the scene the env's scripted pusher (`Push3DPusher`, no noise) reaches
/// `pushSteps` steps later while pushing towards the env's fixed goals. So the goal is reachable by construction (the
/// scripted actions replayed reach it exactly: the oracle's success is 1 at every element of the group), and it asks
/// for real pushing: tasks whose objects move less than `minimumMotion` (set point error, m) are redrawn, so doing
/// nothing never succeeds. Success = the set point error (`Push3DEnv.setPointError`, objects interchangeable) to the
/// goal clouds below `tolerance` within `budget` steps.
public struct Push3DGoalTask: Sendable {
    public static let heldOutSeedBase: UInt64 = 3_000_000
    public var index: Int
    /// Canonical start state (the env's state layout; the goal poses are the task's) and goal `scene` observation.
    public var start: [Double]
    public var goal: [Double]

    public struct Settings: Sendable, Codable, Equatable {
        public var pushSteps = 15
        public var budget = 30
        public var tolerance = 0.05
        public var minimumMotion = 0.15
        public var startSpread = 0.25
        /// 0: the task starts at the oriented start (`scripted-goal`). > 0: the start is the scene after s scripted
        /// steps, s uniform in 0...startSteps (drawn per task; the pusher already on its way, as PushT's goal25-expert
        /// starts inside an expert episode), and the goal `pushSteps` steps later (`scripted-segment`).
        public var startSteps = 0
        public init() {}

        /// `scripted-segment`: a 10-step segment of the scripted pusher's first 30 steps, objects moved >= 0.1 m.
        public static var segment: Settings {
            var s = Settings()
            s.startSteps = 20; s.pushSteps = 10; s.minimumMotion = 0.1
            return s
        }

        /// The protocol's name.
        public var protocolName: String { startSteps > 0 ? "scripted-segment" : "scripted-goal" }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Settings()
            pushSteps = try c.decodeIfPresent(Int.self, forKey: .pushSteps) ?? d.pushSteps
            budget = try c.decodeIfPresent(Int.self, forKey: .budget) ?? d.budget
            tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? d.tolerance
            minimumMotion = try c.decodeIfPresent(Double.self, forKey: .minimumMotion) ?? d.minimumMotion
            startSpread = try c.decodeIfPresent(Double.self, forKey: .startSpread) ?? d.startSpread
            startSteps = try c.decodeIfPresent(Int.self, forKey: .startSteps) ?? d.startSteps
        }
    }

    /// Task `index` of the world `config` (its observation type is set to `scene`), a pure function of the index.
    public static func make(index: Int, config: Push3DEnv.Config, settings: Settings) throws -> Push3DGoalTask {
        var rng = SplitMix64(seed: heldOutSeedBase &+ UInt64(index))
        var config = config
        config.observationType = .scene
        config.world = .identity
        let env = Push3DEnv(config: config)
        let pusher = Push3DPusher(env: env)
        let k = env.shape.keypoints.count, o = env.objectCount
        for _ in 0..<100 {
            var start = env.orientedStart(spread: settings.startSpread, using: &rng)
            var (obs, info) = try env.reset(seed: 0, options: ResetOptions(state: start))
            if settings.startSteps > 0 {
                for _ in 0..<Int.random(in: 0...settings.startSteps, using: &rng) {
                    let r = try env.step(try pusher.action(observation: obs, info: info))
                    (obs, info) = (r.observation, r.info)
                }
                start = env.state
            }
            let first = obs.values
            for _ in 0..<settings.pushSteps {
                let r = try env.step(try pusher.action(observation: obs, info: info))
                (obs, info) = (r.observation, r.info)
            }
            guard Push3DEnv.setPointError(first, obs.values, objects: o, keypoints: k) >= settings.minimumMotion else { continue }
            var state = start
            for (j, pose) in env.objectPoses.enumerated() { state.replaceSubrange((6 + 12 * (o + j))..<(18 + 12 * (o + j)), with: pose.poseArray) }
            return Push3DGoalTask(index: index, start: state, goal: obs.values)
        }
        throw EnvError.invalidArgument("push3d goal task \(index): no start in 100 draws moves the objects \(settings.minimumMotion) m")
    }
}

/// push3d's goal-reaching protocol over SE(3) (`Push3DGoalTask`): task `index` of the world `config`, its start state
/// and goal scene moved by the element g into the world at g (frame build, `scene` observations); progress is the set
/// point error to the goal clouds, success below `settings.tolerance` within `settings.budget` steps
/// (`eval closed-loop --env push3d`, `--env push3d-multi`).
public struct Push3DGoalProtocol: GoalProtocol {
    public var settings: Push3DGoalTask.Settings
    public var config: Push3DEnv.Config

    public init(config: Push3DEnv.Config, settings: Push3DGoalTask.Settings = Push3DGoalTask.Settings()) {
        var config = config
        config.observationType = .scene
        config.world = .identity
        self.config = config; self.settings = settings
    }

    public var name: String { settings.protocolName }
    public var budget: Int { settings.budget }

    /// The world at orientation theta (about z through the origin), in either build.
    public func episode(index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild) throws -> GoalEpisode {
        let g = SE3Transform(rotation: .rotation(axis: Vec3(0, 0, 1), angle: theta))
        var world = config
        if build == .world { world.world = g }
        let base = Push3DEnv(config: config)
        let env: any Environment = build == .world ? Push3DEnv(config: world) : base.oriented(at: g)
        return episode(task: try Push3DGoalTask.make(index: index, config: config, settings: settings), element: g, env: env)
    }

    public func episode(index: Int, seed: UInt64, element g: any GroupElement) throws -> GoalEpisode {
        guard let g = g as? SE3Transform else { throw EnvError.invalidArgument("push3d's goal protocol takes SE(3) elements") }
        return episode(task: try Push3DGoalTask.make(index: index, config: config, settings: settings), element: g)
    }

    /// `task` in the world at g (`env`: the world to run, nil: the frame build at g).
    public func episode(task: Push3DGoalTask, element g: SE3Transform, env: (any Environment)? = nil) -> GoalEpisode {
        let base = Push3DEnv(config: config)
        var moved = task.goal
        g.apply(points: &moved, range: 0..<moved.count)
        let goal = moved
        let start = base.act(g, onState: task.start)
        let (tolerance, objects, keypoints) = (settings.tolerance, base.objectCount, base.shape.keypoints.count)
        return GoalEpisode(env: env ?? base.oriented(at: g), resetSeed: 0, resetState: start, goal: { _ in goal }, goalState: goal) {
            obs, _, _ in
            let error = Push3DEnv.setPointError(obs, goal, objects: objects, keypoints: keypoints)
            return GoalProgress(success: error < tolerance, measures: [("error", error)])
        }
    }
}
