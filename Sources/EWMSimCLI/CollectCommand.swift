import ArgumentParser
import EWMIO
import Envs
import Foundation
import Train

extension OrientationSlice: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(degrees: argument) }
}
extension CollectConfig.PolicyKind: ExpressibleByArgument {}
extension CollectConfig.Start: ExpressibleByArgument {}

/// `ewm-sim collect <env>`: transition shards for world-model training.
struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect transitions (o, a, o') at orientations drawn from a slice; write .npz shards.",
        discussion: """
            Each episode runs at one orientation drawn uniformly from --orientations (degrees, `lo:hi`, or `w` for -w:w;
            write negative bounds as --orientations=-15:15), in the exact `frame` build. PushT: keypoint observations
            (18 numbers) and the exploratory pusher mixed with uniform random actions (--policy mixed), starting near the
            goal region (--start goal-region; `half-plane`: T and agent in the right half; `reference` = gym-pusht's own reset). teacher2d: random actions.
            Shards: DIR/shard-00000.npz ... with observation, action, next_observation, orientation (rad),
            episode_index, frame_index; DIR/collect.json records the settings.
            """)

    @Argument(help: "Env id: any registered env with world-model adapters (pusht, teacher2d, teacher3d, ...).") var env: String
    @Option(help: "Episodes.") var episodes: Int = 400
    @Option(help: "Steps per episode.") var steps: Int = 50
    @Option(help: "Policy: mixed, pusher, random.") var policy: CollectConfig.PolicyKind = .mixed
    @Option(help: "Fraction of uniform random actions in the mixed policy.") var randomFraction: Double = 0.25
    @Option(
        help:
            "PushT mixed policy: random actions are the agent's position plus Gaussian noise of this std (px), like a sampling planner's proposals (default: uniform over the box)."
    ) var randomStd: Double?
    @Option(help: "Orientation slice in degrees (lo:hi, or w for -w:w).") var orientations: OrientationSlice = .defaultSlice
    @Option(help: "PushT start distribution: goal-region or reference.") var start: CollectConfig.Start = .goalRegion
    @Option(help: "PushT goal-region start: half-width of the T's angle around pi/4, radians.") var angleSpread: Double = 0.6
    @Option(help: "3D envs: the rung of the SE(3) ladder episodes are drawn from (identity, so2, so3, se3).") var slice: String = "identity"
    @Option(help: "3D envs: canonical start = the template turned by a rotation vector uniform in this ball (radians).") var startSpread: Double =
        0.25
    @Option(help: "3D envs: actions = reference point + an offset uniform in the ball of this radius.") var actionRadius: Double = 1
    @Option(help: "Frames stacked per recorded observation (newest first).") var history: Int = 1
    @Option(help: "Env steps each action is held for; transitions are (o_t, a, o_t+k) and --steps counts them (DINO-WM: 5).") var frameskip: Int = 1
    @Flag(help: "PushT: record the previous action as one more observation point (see `train --previous-action`).") var previousAction = false
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Transitions per shard.") var shardSize: Int = 100_000
    @Option(help: "Output directory.") var out: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard episodes > 0, steps > 0, shardSize > 0 else { throw ValidationError("--episodes, --steps and --shard-size must be positive") }
        guard (0...1).contains(randomFraction) else { throw ValidationError("--random-fraction must be in [0, 1]") }
        if let s = randomStd, !(s > 0 && s.isFinite) { throw ValidationError("--random-std must be a positive number") }
        guard CollectConfig.frameskips.contains(frameskip) else { throw ValidationError("--frameskip must be in \(CollectConfig.frameskips)") }
        try validateModelEnv(env, frameskip: frameskip, history: history, previousAction: previousAction)
        if CloudLayout.isSupported(env) { _ = try SE3Ladder.Rung.parse(slice) }
    }

    func run() throws {
        if CloudLayout.isSupported(env) { return try run3D() }
        let config = CollectConfig(
            env: env, episodes: episodes, stepsPerEpisode: steps, policy: policy, randomFraction: randomFraction,
            orientations: orientations, seed: seed, start: start, angleSpread: angleSpread,
            history: history, frameskip: frameskip, previousAction: previousAction, randomStd: randomStd)
        let progress = ProgressLine(label: "collect", total: episodes, enabled: !output.json)
        let (data, report) = try CollectionRun.collect(config, to: URL(fileURLWithPath: out), shardSize: shardSize) { progress.update($0) }
        progress.finish()
        if output.json { return try printJSON(report) }
        print(
            "\(env): \(data.count) transitions from \(episodes) episodes at orientations \(orientations) -> \(out) (\(report.shards.count) shard(s), \(fmt(report.seconds, 2)) s)"
        )
        if let moved = report.tMovedFraction { print("the T moved (> 1 px) in \(fmt(100 * moved, 1))% of the transitions") }
    }
}
