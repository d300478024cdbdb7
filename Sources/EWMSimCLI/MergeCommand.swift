import ArgumentParser
import EWMIO
import Foundation

/// How `merge` shows and writes the joined result (the unsharded command's --json, --plot and, for collect, --out).
struct MergeOptions: ParsableArguments {
    @Option(help: "Write the sweep's plot here (.png), as the unsharded command's --plot does.") var plot: String?
    @Option(help: "collect: the directory the joined dataset goes to (default: the --out the shards were given).") var out: String?
    @Flag(help: "collect: remove what the output directory holds first.") var replace = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let plot, !plot.lowercased().hasSuffix(".png") { throw ValidationError("--plot needs a .png path") }
    }
}

/// `ewm-sim merge DIR`: joins the parts a sharded sweep wrote into what the sweep run in one process prints.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the parts of a sharded sweep (--shard I/N --parts DIR) into the result of the whole sweep.",
        discussion: """
            Reads DIR/part-I-of-N.json, checks that they are the N parts of one sweep (same command, same sweep-defining
            flags, each shard exactly once: a missing, duplicated or foreign part is refused, naming it), and prints the
            report the command prints when it runs the sweep in one process (with --json the same JSON; with --no-timings
            given to the shards, byte for byte). Nothing is rerun. Sweeps: \(sweeps.map(\.name).joined(separator: ", ")).
            """)

    /// The commands whose parts merge joins: each by its name, parsing a part header's arguments into it.
    static var sweeps: [Joiner] {
        [
            joiner(EvalClosedLoop.self), joiner(EvalOneStep.self), joiner(EvalRollout.self), joiner(Collect.self), joiner(PushT.self),
            joiner(CheckPlanner.self), joiner(CheckOrbit.self), joiner(BlockIsotropy.self),
        ]
    }

    typealias Joiner = (name: String, merge: @Sendable (_ arguments: [String], _ directory: URL, _ options: MergeOptions) throws -> Void)

    static func joiner<Sweep: ShardedSweep>(_: Sweep.Type) -> Joiner {
        (
            Sweep.sweepName,
            { arguments, directory, options in
                let command: Sweep
                do { command = try Sweep.parse(arguments) } catch {
                    throw CLIError(
                        "\(directory.path): the parts' flags (\(arguments.joined(separator: " "))) no longer parse: \(Sweep.message(for: error))")
                }
                try command.merge(directory, options: options)
            }
        )
    }

    @Argument(help: "The parts directory the shards wrote (--parts DIR).") var directory: String
    @OptionGroup var options: MergeOptions

    func run() throws {
        let dir = URL(fileURLWithPath: directory)
        let header = try ShardParts.headers(in: dir)[0].header
        guard let sweep = Self.sweeps.first(where: { $0.name == header.command }) else {
            throw CLIError("\(directory): its parts are of '\(header.command)', which merge does not join (it joins \(Self.sweeps.map(\.name)))")
        }
        try sweep.merge(header.arguments, dir, options)
    }
}
