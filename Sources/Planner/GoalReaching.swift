import Envs
import Foundation

/// The closed loop of one goal-reaching episode, for any env with a `GoalProtocol`: reset the controller and the env,
/// act until the protocol says success or the budget runs out, and keep every observation.
public enum GoalReaching {
    public struct Outcome {
        public var success: Bool
        public var steps: Int
        /// The protocol's progress after the last step (after the reset if no step was taken).
        public var progress: GoalProgress
        /// Observations, index 0 = after the reset.
        public var trajectory: [[Double]]
    }

    /// Runs `episode` on `env` (the episode's env, or a wrapper of it such as a recorder) with `controller`, which is
    /// reset with `controllerSeed` before the env is reset.
    public static func run(
        _ episode: GoalEpisode, env: any Environment, controller: any Policy, controllerSeed: UInt64,
        budget: Int
    ) throws -> Outcome {
        controller.reset(seed: controllerSeed)
        var (obs, info) = try env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
        var trajectory = [obs.values]
        var progress = episode.progress(obs.values, info, nil)
        var success = false, steps = 0
        while steps < budget && !success {
            let r = try env.step(try controller.action(observation: obs, info: info))
            steps += 1
            obs = r.observation; info = r.info
            trajectory.append(obs.values)
            progress = episode.progress(obs.values, info, progress)
            success = progress.success
        }
        return Outcome(success: success, steps: steps, progress: progress, trajectory: trajectory)
    }
}
