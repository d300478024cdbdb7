import Foundation

/// Closed-loop goal reaching on `teacher3d`, the controllable 3D system the SE(3) closed-loop sweep uses: start
/// from the oriented canonical start, the goal is the cloud reached `offsetSteps` steps later under uniform random
/// offsets (the collection's action distribution); success = mean point distance to the goal cloud below
/// `tolerance` within `budget` steps. At g in SE(3) the world is the frame build at g, the start and goal moved by g.
public struct Teacher3DGoalTask: Sendable {
    public static let heldOutSeedBase: UInt64 = 2_000_000
    public var index: Int
    /// Canonical start state (3 N coordinates) and goal cloud.
    public var start: [Double]
    public var goal: [Double]

    public struct Settings: Sendable, Codable, Equatable {
        public var offsetSteps = 12
        public var budget = 20
        public var tolerance = 0.01
        public var startSpread = 0.25
        public var actionRadius = 1.0
        public init() {}
    }

    public static func make(index: Int, settings: Settings) throws -> Teacher3DGoalTask {
        var rng = SplitMix64(seed: heldOutSeedBase &+ UInt64(index))
        let env = Teacher3DEnv()
        let start = env.orientedStart(spread: settings.startSpread, using: &rng)
        var (obs, _) = try env.reset(seed: 0, options: ResetOptions(state: start))
        for _ in 0..<settings.offsetSteps {
            let c = Teacher3DEnv.centroid(obs.values, points: env.config.pointCount)
            obs = try env.step((c + uniformPointInBall(radius: settings.actionRadius, using: &rng)).array).observation
        }
        return Teacher3DGoalTask(index: index, start: start, goal: obs.values)
    }

    /// Mean point distance between two clouds (invariant under SE(3)).
    public static func meanPointError(_ a: [Double], _ b: [Double]) -> Double {
        let n = a.count / 3
        var s = 0.0
        for k in 0..<n { s += (Vec3(a, at: 3 * k) - Vec3(b, at: 3 * k)).length }
        return s / Double(n)
    }
}

/// teacher3d's goal-reaching protocol over SE(3) (`Teacher3DGoalTask`): task `index` made with `settings`, its start
/// and goal clouds moved by the element g into the world at g; progress is the mean point error to the goal cloud,
/// success below `settings.tolerance` within `settings.budget` steps (`eval closed-loop --env teacher3d`).
public struct Teacher3DGoalProtocol: GoalProtocol {
    public var settings: Teacher3DGoalTask.Settings
    public init(settings: Teacher3DGoalTask.Settings = Teacher3DGoalTask.Settings()) { self.settings = settings }

    public var name: String { "offset-goal" }
    public var budget: Int { settings.budget }

    /// The world at orientation theta (about z, composed with nothing), in either build.
    public func episode(index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild) throws -> GoalEpisode {
        var options = MakeOptions(orientation: theta, rotation: build)
        options.timeLimit = false
        let env = try Registry.make(Teacher3DEnv.registration.id, options: options)
        return episode(task: try Teacher3DGoalTask.make(index: index, settings: settings), element: try options.se3Transform(), env: env)
    }

    public func episode(index: Int, seed: UInt64, element g: any GroupElement) throws -> GoalEpisode {
        guard let g = g as? SE3Transform else { throw EnvError.invalidArgument("teacher3d's goal protocol takes SE(3) elements") }
        return episode(task: try Teacher3DGoalTask.make(index: index, settings: settings), element: g)
    }

    /// `task` in the world at g (`env`: the world to run, nil: the frame build at g).
    public func episode(task: Teacher3DGoalTask, element g: SE3Transform, env: (any Environment)? = nil) -> GoalEpisode {
        let base = Teacher3DEnv()
        let goal = base.act(g, onState: task.goal), start = base.act(g, onState: task.start)
        let tolerance = settings.tolerance
        return GoalEpisode(env: env ?? base.oriented(at: g), resetSeed: 0, resetState: start, goal: { _ in goal }, goalState: goal) { obs, _, _ in
            let error = Teacher3DGoalTask.meanPointError(obs, goal)
            return GoalProgress(success: error < tolerance, measures: [("error", error)])
        }
    }
}
