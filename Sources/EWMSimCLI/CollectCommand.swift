import ArgumentParser
import EWMIO
import Envs
import Foundation
import Train

/// `ewm-sim collect <env>`: transition shards for world-model training.
struct Collect: ShardedSweep {
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
            episode_index, frame_index; DIR/collect.json records the settings. With --shard I/N: episodes e with
            e mod N = I, written as part-I-of-N.npz and .json into --parts (default DIR/parts); `ewm-sim merge DIR/parts`
            writes DIR as one run writes it.
            """)

    @Argument(help: "Env id: any registered env with world-model adapters (pusht, teacher2d, teacher3d, push3d, push3d-multi, ...).") var env: String
    @OptionGroup var collection: CollectionOptions
    @Option(help: "Transitions per shard.") var shardSize: Int = 100_000
    @Option(help: "Output directory (locked while collecting; refused if it holds anything, unless --replace).") var out: String
    @Flag(help: "Remove what --out holds first (an earlier collection, stale shards).") var replace = false
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    static let sweepName = "collect"

    var sweepArguments: [String] {
        var a = SweepArguments([env])
        a.append(collection.sweepArguments); a.add("shard-size", shardSize); a.add("out", out); a.append(sharding.sweepArguments)
        return a.list
    }

    func validate() throws {
        guard shardSize > 0 else { throw ValidationError("--shard-size must be positive") }
        try collection.validate(env: env)
    }

    func run() throws {
        if let shard = try sharding.resolved(defaultParts: true) {
            return try CloudLayout.isSupported(env)
                ? collectPart(try collection.cloudConfig(env: env), shard: shard) : collectPart(try collection.planarConfig(env: env), shard: shard)
        }
        let progress = ProgressLine(label: "collect", total: collection.episodes, enabled: !output.json)
        let directory = URL(fileURLWithPath: out)
        let timings = !sharding.noTimings
        let report: any TextReport =
            CloudLayout.isSupported(env)
            ? try CollectionRun.collect(try collection.cloudConfig(env: env), to: directory, shardSize: shardSize, replace: replace, timings: timings)
            {
                progress.update($0)
            }.report
            : try CollectionRun.collect(
                try collection.planarConfig(env: env), to: directory, shardSize: shardSize, replace: replace, timings: timings
            ) {
                progress.update($0)
            }.report
        progress.finish()
        try emit(report, json: output.json)
        if !output.json { print("shards: \(out)/") }
    }

    /// The shard's episodes, into --parts (default OUT/parts): part-I-of-N.npz, then part-I-of-N.json.
    func collectPart<Config: CollectionSettings>(_ config: Config, shard: Shard) throws {
        let parts = try sharding.partsDirectory(for: shard, fallback: URL(fileURLWithPath: out).appendingPathComponent("parts"))
        let episodes = shard.units(of: collection.episodes)
        let progress = ProgressLine(label: "collect \(shard)", total: episodes.count, enabled: !output.json)
        let npz = parts.appendingPathComponent(shard.partFileName.replacingOccurrences(of: ".json", with: ".npz"))
        let part = try CollectionRun.collectPart(config, episodes: episodes, npz: npz) { progress.update($0) }
        progress.finish()
        try writePart(part, shard: shard, units: collection.episodes, to: parts, quiet: output.json)
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        let target = options.out ?? out
        let outURL = URL(fileURLWithPath: target).standardizedFileURL, partsURL = directory.standardizedFileURL
        let keeping = partsURL.deletingLastPathComponent().path == outURL.path ? [partsURL.lastPathComponent] : []
        let parts = try ShardParts.read(directory, as: CollectionPart.self).map(\.body)
        func join<Config: CollectionSettings>(_ config: Config) throws -> any TextReport {
            try CollectionRun.join(
                parts, from: directory, config: config, to: outURL, shardSize: shardSize, replace: options.replace, keeping: keeping,
                timings: !sharding.noTimings
            ).report
        }
        let report = try CloudLayout.isSupported(env) ? join(try collection.cloudConfig(env: env)) : join(try collection.planarConfig(env: env))
        try emit(report, json: options.output.json)
        if !options.output.json { print("shards: \(target)/") }
    }
}
