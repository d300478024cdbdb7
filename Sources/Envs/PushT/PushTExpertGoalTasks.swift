import Foundation

/// One goal25-expert task, DINO-WM's protocol on expert data: a held-out expert episode (the noisy `PushTExpert` from
/// gym-pusht's `reset(seed:)` of a held-out seed, acting every `actionRepeat` env steps as `collect --policy expert
/// --frameskip 5` does), a start step drawn uniformly from it, and the goal the state `offset` env steps later. The
/// start is set with `ResetOptions.state` (as DINO-WM sets its starts), so the agent starts at rest.
///
/// gym-pusht's `reset_to_state` (our legacy order) places the T's origin at angle 0 and then turns the T about its
/// centre of gravity, so a recorded pose is not its own reset state: `resetState` is the state that this reset turns
/// into the recorded start pose.
public struct ExpertGoalTask: Sendable, Equatable {
    /// The held-out reset seeds are `seedBase + index`: far from goal25's (1,000,000 + index) and, like them, never a
    /// collection seed (those are full 64-bit SplitMix draws).
    public static let seedBase: UInt64 = 2_000_000
    /// The expert's action noise in the held-out episodes (px): the noise of the expert dataset in docs/results.md.
    public static let actionNoise = 10.0
    /// Env steps each expert action is held for (the models' frameskip).
    public static let actionRepeat = 5

    public var index: Int
    /// The reset seed of the expert episode.
    public var seed: UInt64
    /// Env steps of the expert episode (it stops at success or after 300 steps) and the start step drawn from it.
    public var episodeSteps: Int
    public var startStep: Int
    /// Canonical states [agent_x, agent_y, block_x, block_y, block_angle] and the goal's keypoint observation (18).
    public var startState: [Double]
    /// The state to hand `reset(options: state)` (legacy order) so that the env starts at `startState`.
    public var resetState: [Double]
    public var goalState: [Double]
    public var goalObservation: [Double]

    /// Task `index`. The start step is uniform over the steps that have a goal `offset` steps on (the episode's first
    /// state when the expert finished in fewer than `offset` steps; the goal is then its last state).
    public static func make(index: Int, offset: Int = 25) throws -> ExpertGoalTask {
        guard index >= 0 else { throw EnvError.invalidArgument("task index must be >= 0, got \(index)") }
        let seed = seedBase + UInt64(index)
        let env = PushTEnv(observationType: .keypoints)
        var (obs, info) = try env.reset(seed: seed)
        let expert = PushTExpert(actionNoise: actionNoise, seed: seed)
        var states = [env.state], observations = [obs.values]
        var action: [Double] = []
        for t in 0..<PushTGeometry.maxEpisodeSteps {
            if t % actionRepeat == 0 { action = try expert.action(observation: obs, info: info) }
            let r = try env.step(action)
            obs = r.observation; info = r.info
            states.append(env.state); observations.append(obs.values)
            if r.terminated { break }
        }
        let steps = states.count - 1
        var rng = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C908)
        let start = steps >= offset ? Int(rng.next() % UInt64(steps - offset + 1)) : 0
        let goal = min(start + offset, steps)
        return ExpertGoalTask(
            index: index, seed: seed, episodeSteps: steps, startStep: start, startState: states[start],
            resetState: legacyResetState(forPose: states[start]), goalState: states[goal], goalObservation: observations[goal])
    }

    /// The legacy-order reset state that ends at pose `s` = [agent_x, agent_y, block_x, block_y, block_angle]: the T is
    /// placed at angle 0 with its origin at (x, y), then turned by the angle about its centre of gravity (x, y) + cog,
    /// so (x, y) = origin + R(angle) cog - cog. It commutes with the planar rotations (the world build turns it itself).
    public static func legacyResetState(forPose s: [Double]) -> [Double] {
        let cog = PushTGeometry.centerOfGravity
        let origin = Vec2(s[2], s[3]) + cog.rotated(s[4]) - cog
        return [s[0], s[1], origin.x, origin.y, s[4]]
    }
}
