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
    enum CodingKeys: String, CodingKey {
        case index, success, steps, finalError, initialError, plans, degenerateFrames, identityFrames, secondsPerPlan
    }
}

public enum Teacher3DPlanning {
    /// Runs `task` in the world at g with `controller` (its goal is set to g.goal), through teacher3d's goal protocol
    /// (`Teacher3DGoalProtocol`): no step is taken when the start already meets the goal.
    public static func episode(task: Teacher3DGoalTask, g: SE3Transform, settings: Teacher3DGoalTask.Settings, controller: CloudMPC) throws
        -> Teacher3DEpisode
    {
        let episode = Teacher3DGoalProtocol(settings: settings).episode(task: task, element: g)
        controller.goal = episode.goalState ?? []
        (controller.model as? WorldCentred)?.origin = g.apply(point: .zero).array
        controller.reset(seed: UInt64(task.index) &+ 17)
        var (obs, info) = try episode.env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
        var trajectory = [obs.values]
        var progress = episode.progress(obs.values, info, nil)
        let initial = progress["error"] ?? 0
        var steps = 0
        while steps < settings.budget && !progress.success {
            let r = try episode.env.step(try controller.action(observation: obs, info: info))
            obs = r.observation; info = r.info
            steps += 1
            trajectory.append(obs.values)
            progress = episode.progress(obs.values, info, progress)
        }
        let s = controller.stats
        return Teacher3DEpisode(
            index: task.index, success: progress.success, steps: steps, finalError: progress["error"] ?? 0,
            initialError: initial, plans: s.plans, degenerateFrames: s.degenerateFrames, identityFrames: s.identityFrames,
            secondsPerPlan: s.secondsPerPlan, trajectory: trajectory)
    }
}
