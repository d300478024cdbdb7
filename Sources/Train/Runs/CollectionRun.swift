import EWMIO
import Envs
import Foundation

/// A collection's settings, as its report names them.
public protocol CollectionSettings: Codable, Sendable {
    var env: String { get }
    var episodes: Int { get }
    /// Where in the symmetry group the episodes run (planar: the orientations; 3D: the ladder rung).
    var sliceName: String { get }
    /// The transitions of episodes `only` (nil: all), each a function of the settings and its index alone.
    func transitions(only: [Int]?, progress: ((Int) -> Void)?) throws -> TransitionSet
    /// PushT: the share of transitions in which the T moved (nil for envs without a body to watch).
    func movedFraction(_ data: TransitionSet) throws -> Double?
    /// Episodes the env ended before their step budget (nil where episodes always run their budget).
    func episodesEnded(_ data: TransitionSet) -> Int?
}

extension CollectConfig: CollectionSettings {
    public var sliceName: String { "orientations \(orientations)" }
    public func transitions(only: [Int]?, progress: ((Int) -> Void)?) throws -> TransitionSet {
        try collectTransitions(self, only: only, progress: progress)
    }
    public func movedFraction(_ data: TransitionSet) throws -> Double? {
        try Registry.adapters(env).model.bodyPoints.map { data.movedFraction(points: $0) }
    }
    public func episodesEnded(_ data: TransitionSet) -> Int? { data.episodesEnded(budget: stepsPerEpisode) }
}

extension Collect3DConfig: CollectionSettings {
    public var sliceName: String { "the \(rung.rawValue) rung" }
    public func transitions(only: [Int]?, progress: ((Int) -> Void)?) throws -> TransitionSet {
        try collectTransitions3D(self, only: only, progress: progress)
    }
    public func movedFraction(_ data: TransitionSet) throws -> Double? { nil }
    public func episodesEnded(_ data: TransitionSet) -> Int? { nil }
}

/// What `collect` reports and records as `DIR/collect.json`: the settings, the transitions and the shards written.
public struct CollectionReport<Config: CollectionSettings>: Codable, Sendable, TextReport {
    public var config: Config
    public var transitions: Int
    public var shards: [String]
    /// PushT: the share of transitions in which the T moved by more than 1 px (absent for other envs).
    public var tMovedFraction: Double?
    /// Episodes the env ended before their step budget (PushT: the T reached the goal, coverage > 0.95); planar envs.
    public var episodesEnded: Int?
    /// Wall-clock time (nil with `--no-timings`; a merged collection: the shards' times summed).
    public var seconds: Double?

    public var text: String {
        var lines = [
            "\(config.env): \(transitions) transitions from \(config.episodes) episodes at \(config.sliceName) (\(shards.count) shard(s)\(seconds.map { ", \(TextTable.fixed($0, 2)) s" } ?? ""))"
        ]
        if let moved = tMovedFraction { lines.append("the T moved (> 1 px) in \(TextTable.fixed(100 * moved, 1))% of the transitions") }
        if let ended = episodesEnded, ended > 0 {
            let ci = wilsonInterval(successes: ended, trials: config.episodes)
            lines.append(
                "\(ended) of \(config.episodes) episodes ended before their step budget (the env terminated them), 95% CI \(TextTable.fixed(ci.low, 3))-\(TextTable.fixed(ci.high, 3))"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// Collects transitions (planar or 3D), writes them as `.npz` shards into a directory and records the settings
/// beside them (`collect.json`); the one path of `collect` for every env. The directory is locked for the run
/// (`RunDirectory`); a directory that already holds anything is refused unless `replace`, which removes what is there
/// first. Its manifest is marked unfinished before the first shard and lists the shards and `collect.json` with their
/// sizes and CRC-32s once all are written, so readers never mix runs or read a killed one.
public enum CollectionRun {
    /// Planar envs (pusht, teacher2d); `progress` sees the episodes done.
    public static func collect(
        _ config: CollectConfig, to directory: URL, shardSize: Int, replace: Bool = false, timings: Bool = true,
        progress: ((Int) -> Void)? = nil
    ) throws -> (data: TransitionSet, report: CollectionReport<CollectConfig>) {
        try run(config, to: directory, shardSize: shardSize, replace: replace, timings: timings, progress: progress)
    }

    /// 3D envs (teacher3d): the settings are validated first.
    public static func collect(
        _ config: Collect3DConfig, to directory: URL, shardSize: Int, replace: Bool = false, timings: Bool = true,
        progress: ((Int) -> Void)? = nil
    ) throws -> (data: TransitionSet, report: CollectionReport<Collect3DConfig>) {
        try config.validate()
        return try run(config, to: directory, shardSize: shardSize, replace: replace, timings: timings, progress: progress)
    }

    static func run<Config: CollectionSettings>(
        _ config: Config, to directory: URL, shardSize: Int, replace: Bool, timings: Bool, progress: ((Int) -> Void)?
    ) throws -> (data: TransitionSet, report: CollectionReport<Config>) {
        let run = try prepare(directory, replace: replace)
        let t0 = Date()
        let data = try config.transitions(only: nil, progress: progress)
        let report = try write(data, config: config, to: run, shardSize: shardSize) { timings ? Date().timeIntervalSince(t0) : nil }
        return (data, report)
    }

    /// Locks `directory` and makes it empty: refuses one that holds anything unless `replace`. Done before the work.
    /// `keeping`: names left in place and out of the check (a merge's parts folder inside its output).
    static func prepare(_ directory: URL, replace: Bool, keeping: [String] = []) throws -> RunDirectory {
        let run = try RunDirectory(locking: directory)
        let existing = try run.contents().filter { !keeping.contains($0) }
        if !existing.isEmpty {
            guard replace else {
                throw IOError.inconsistentDirectory(
                    path: directory.path,
                    reason:
                        "it already holds \(existing.count) file(s) (\(existing.prefix(3).joined(separator: ", "))\(existing.count > 3 ? ", ..." : "")); "
                        + "pass --replace to remove them first, or choose an empty --out")
            }
            try run.remove(existing)
        }
        return run
    }

    /// Writes the shards and `collect.json`, then commits the manifest; `seconds` is asked once the shards are written.
    static func write<Config: CollectionSettings>(
        _ data: TransitionSet, config: Config, to run: RunDirectory, shardSize: Int, seconds: () -> Double?
    ) throws -> CollectionReport<Config> {
        let directory = run.url
        try run.begin(writer: "collect")
        let urls = try data.writeShards(to: directory, shardSize: shardSize)
        let report = CollectionReport(
            config: config, transitions: data.count, shards: urls.map(\.lastPathComponent),
            tMovedFraction: try config.movedFraction(data), episodesEnded: config.episodesEnded(data), seconds: seconds())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(report), to: directory.appendingPathComponent("collect.json"))
        try run.commit(files: report.shards + ["collect.json"], writer: "collect")
        return report
    }
}
