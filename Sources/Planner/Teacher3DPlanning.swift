import Agents
import Envs
import Foundation

/// One closed-loop episode's outcome.
public struct Teacher3DEpisode: Codable, Sendable {
    public var index: Int
    public var success: Bool
    public var steps: Int
    public var finalError: Double
    public var initialError: Double
    public var plans: Int
    public var degenerateFrames: Int
    public var identityFrames: Int
    public var secondsPerPlan: Double
    /// Observations, index 0 = after reset (not in JSON).
    public var trajectory: [[Double]] = []
    enum CodingKeys: String, CodingKey { case index, success, steps, finalError, initialError, plans, degenerateFrames, identityFrames, secondsPerPlan }
}


public enum Teacher3DPlanning {
    /// Runs `task` in the world at g with `controller` (its goal is set to g.goal).
    public static func episode(task: Teacher3DGoalTask, g: SE3Transform, settings: Teacher3DGoalTask.Settings, controller: CloudMPC) throws -> Teacher3DEpisode {
        let base = Teacher3DEnv()
        let env: any Environment = g.isIdentity ? base : OrientationWrapper(base, element: g)
        let goal = base.act(g, onState: task.goal)
        controller.goal = goal
        (controller.model as? WorldCentred)?.origin = g.apply(point: .zero).array
        controller.reset(seed: UInt64(task.index) &+ 17)
        var (obs, info) = try env.reset(seed: 0, options: ResetOptions(state: base.act(g, onState: task.start)))
        var trajectory = [obs.values]
        let initial = Teacher3DGoalTask.meanPointError(obs.values, goal)
        var error = initial, steps = 0
        while steps < settings.budget && error >= settings.tolerance {
            let r = try env.step(try controller.action(observation: obs, info: info))
            obs = r.observation; info = r.info
            steps += 1
            trajectory.append(obs.values)
            error = Teacher3DGoalTask.meanPointError(obs.values, goal)
        }
        let s = controller.stats
        return Teacher3DEpisode(index: task.index, success: error < settings.tolerance, steps: steps, finalError: error, initialError: initial,
                                plans: s.plans, degenerateFrames: s.degenerateFrames, identityFrames: s.identityFrames,
                                secondsPerPlan: s.secondsPerPlan, trajectory: trajectory)
    }
}
