import ArgumentParser
import EWMIO
import Foundation

/// `--shard I/N`, `--parts DIR` and `--no-timings`, shared by every sweep command.
struct ShardOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Run shard I of N of the sweep (0-based) and write its part into --parts.",
            discussion:
                "Default: from an array job's environment (Slurm: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN over SLURM_ARRAY_TASK_COUNT; Kubernetes: JOB_COMPLETION_INDEX over EWM_SIM_SHARD_COUNT); none: the whole sweep. `ewm-sim merge DIR` joins the parts.",
            valueName: "I/N"))
    var shard: String?
    @Option(help: ArgumentHelp("Directory the shard's part goes to, as part-I-of-N.json (needed when sharded).", valueName: "DIR"))
    var parts: String?
    @Flag(help: "Leave wall-clock figures out of the report (seconds): a merged sweep then prints what one process prints, to the byte.")
    var noTimings = false

    func validate() throws {
        if let shard {
            do { _ = try Shard(parsing: shard) } catch let error as ShardError { throw ValidationError("--shard: \(error.message)") }
        }
    }

    /// The shard to run: --shard, else the array job's environment, else nil (the whole sweep, no part written).
    /// Checked before any work: a shard needs --parts, unless the command has a default place for its part
    /// (`defaultParts`).
    func resolved(defaultParts: Bool = false) throws -> Shard? {
        let shard: Shard?
        do {
            shard = try self.shard.map(Shard.init(parsing:)) ?? Shard.fromEnvironment()
        } catch let error as ShardError {
            throw CLIError("sharding: \(error.message)")
        }
        if let shard { _ = try partsDirectory(for: shard, fallback: defaultParts ? URL(fileURLWithPath: ".") : nil) }
        if shard == nil, let parts {
            throw CLIError(
                "--parts \(parts) without a shard: give --shard I/N (or run as a Slurm or Kubernetes array task); without them the whole sweep runs and prints"
            )
        }
        return shard
    }

    /// Where the part goes (`parts`, else `fallback`); throws when a sharded run has nowhere to write it.
    func partsDirectory(for shard: Shard, fallback: URL? = nil) throws -> URL {
        guard let dir = parts.map({ URL(fileURLWithPath: $0) }) ?? fallback else {
            throw CLIError("shard \(shard) of a sweep writes its part into a directory: give --parts DIR (then `ewm-sim merge DIR`)")
        }
        return dir
    }

    /// The sweep-defining flags these options add to a part's header (only --no-timings: it changes the report).
    var sweepArguments: [String] { noTimings ? ["--no-timings"] : [] }
}

/// The flags that define a sweep, in a fixed order, as a command line its command parses again (`ewm-sim merge`
/// parses a part's header with them). Values are written so that parsing gives them back exactly.
struct SweepArguments {
    private(set) var list: [String] = []

    init(_ leading: [String] = []) { list = leading }

    mutating func add(_ name: String, _ value: (any CustomStringConvertible)?) {
        guard let value else { return }
        list.append("--\(name)=\(value.description)")  // one token: a value may start with a dash (--slice=-15:15)
    }

    mutating func add<V: RawRepresentable>(_ name: String, _ value: V?) where V.RawValue == String { add(name, value?.rawValue) }

    mutating func flag(_ name: String, _ on: Bool) { if on { list.append("--\(name)") } }

    mutating func append(_ more: [String]) { list += more }
}

/// A command whose work is a sweep of seeded units that shards can share: it writes parts with `--shard`, and
/// `ewm-sim merge` finds it by `sweepName`, parses the part header's arguments into it and calls `merge`.
protocol ShardedSweep: ParsableCommand {
    /// The command as a part's header names it, e.g. "eval closed-loop".
    static var sweepName: String { get }
    /// The flags that define the sweep (`SweepArguments`), as the part header records them.
    var sweepArguments: [String] { get }
    /// Joins the checked parts in `directory` into the whole sweep's result and prints it as the unsharded command does.
    func merge(_ directory: URL, options: MergeOptions) throws
}

extension ShardedSweep {
    /// The header of this command's part for `shard` of a sweep of `units` units.
    func partHeader(_ shard: Shard, units: Int) -> ShardPartHeader {
        ShardPartHeader(command: Self.sweepName, arguments: sweepArguments, shard: shard, totalUnits: units)
    }

    /// Writes `body` as this shard's part into `directory` and says where (on stderr, unless `quiet`).
    func writePart<Body: Codable>(_ body: Body, shard: Shard, units: Int, to directory: URL, quiet: Bool) throws {
        let url = try ShardPart(header: partHeader(shard, units: units), body: body).write(to: directory)
        if !quiet {
            FileHandle.standardError.write(
                Data(
                    "part \(shard) (\(shard.units(of: units).count) of \(units) units): \(url.path); join with `ewm-sim merge \(directory.path)`\n"
                        .utf8))
        }
    }
}
