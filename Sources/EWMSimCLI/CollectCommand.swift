import ArgumentParser
import EWMIO
import Envs
import Foundation
import Train

/// `ewm-sim collect <env>`: transition shards for world-model training.
struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Collect transitions (o, a, o') at group elements drawn from a slice; write .npz shards.",
        discussion: """
            Each episode runs at one element drawn uniformly from --slice in the exact `frame` build: planar envs, an
            orientation in degrees (`lo:hi`, or `w` for -w:w; write negative bounds as --slice=-15:15); 3D worlds, an
            element of a rung of the SE(3) ladder. PushT: keypoint observations (18 numbers) and the exploratory pusher
            mixed with uniform random actions (--policy mixed), starting near the goal region (--start goal-region;
            `half-plane`: T and agent in the right half; `reference` = gym-pusht's own reset); --policy expert: the
            push-to-pose expert with Gaussian noise of --action-noise px on every action. teacher2d: random actions.
            Shards: DIR/shard-00000.npz ... with observation, action, next_observation, orientation (rad),
            episode_index, frame_index; DIR/collect.json records the settings.
            """)

    @Argument(help: "Env id: any registered env with world-model adapters (pusht, teacher2d, teacher3d, ...).") var env: String
    @OptionGroup var collection: CollectionOptions
    @Option(help: "Transitions per shard.") var shardSize: Int = 100_000
    @Option(help: "Output directory (locked while collecting; refused if it holds anything, unless --replace).") var out: String
    @Flag(help: "Remove what --out holds first (an earlier collection, stale shards).") var replace = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard shardSize > 0 else { throw ValidationError("--shard-size must be positive") }
        try collection.validate(env: env)
    }

    func run() throws {
        let progress = ProgressLine(label: "collect", total: collection.episodes, enabled: !output.json)
        let directory = URL(fileURLWithPath: out)
        let report: any TextReport =
            CloudLayout.isSupported(env)
            ? try CollectionRun.collect(try collection.cloudConfig(env: env), to: directory, shardSize: shardSize, replace: replace) {
                progress.update($0)
            }.report
            : try CollectionRun.collect(try collection.planarConfig(env: env), to: directory, shardSize: shardSize, replace: replace) {
                progress.update($0)
            }.report
        progress.finish()
        try emit(report, json: output.json)
        if !output.json { print("shards: \(out)/") }
    }
}
