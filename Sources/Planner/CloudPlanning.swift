import Agents
import Envs
import Foundation

/// Goal reaching in a 3D cloud world with `CloudMPC`, through the env's goal protocol at an element of SE(3).
public enum CloudPlanning {
    /// Runs the protocol's episode `index` in the world at g with `controller` (its goal set to the episode's goal
    /// state, its world centre to g.0). No step is taken when the start already meets the goal; the outcome's `final`
    /// is the protocol's first measure (teacher3d: the mean point error; push3d: the set point error).
    public static func episode(protocol proto: any GoalProtocol, index: Int, g: SE3Transform, controller: CloudMPC) throws -> ClosedLoopOutcome {
        let episode = try proto.episode(index: index, seed: UInt64(index), element: g)
        controller.goal = episode.goalState ?? []
        (controller.model as? WorldCentred)?.origin = g.apply(point: .zero).array
        controller.reset(seed: UInt64(index) &+ 17)
        var (obs, info) = try episode.env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
        var trajectory = [obs.values]
        var progress = episode.progress(obs.values, info, nil)
        while trajectory.count <= proto.budget && !progress.success {
            let r = try episode.env.step(try controller.action(observation: obs, info: info))
            obs = r.observation; info = r.info
            trajectory.append(obs.values)
            progress = episode.progress(obs.values, info, progress)
        }
        let s = controller.stats
        return ClosedLoopOutcome(
            success: progress.success, final: progress.measures.first?.value ?? 0, plans: s.plans, secondsPerPlan: s.secondsPerPlan,
            degenerateFrames: s.degenerateFrames, identityFrames: s.identityFrames, trajectory: trajectory)
    }
}
