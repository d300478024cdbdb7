import ArgumentParser
import EWMIO
import Experiments
import Foundation

extension ReproductionScale: ExpressibleByArgument {
    /// `smoke` (seconds; the tests' scale) is accepted but not advertised.
    public static var allValueStrings: [String] { ["quick", "paper"] }
}

struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Regenerate the tables and figures of docs/results.md into one directory with an index.html.",
        discussion: """
            Runs every part of the results in-process (fidelity, speed, exactness, one-step and ladder, rollouts,
            stress tests, closed loops, C1) into OUT/PART/ (report.txt, report.json, plots, players, part.json with the
            commit, machine, CPU, BLAS kernel and time), then writes OUT/index.html, one self-contained page over all of
            them. Resumable: a part already finished at this scale is kept; an interrupted one left nothing and runs
            again. --scale quick finishes in minutes (same tables, wider intervals); paper uses the sizes of
            docs/results.md (--dry-run lists them). A failed part is reported and the command exits non-zero.

            --shard I/N runs one shard: the parts cut into N groups closed under their needs (a part that reads another's
            files runs in the same shard), balanced by each part's estimated time; several shards may write one OUT at
            once (each part is locked while it is written; a second writer of a part is refused). The run that finds
            every part finished writes index.html: the last shard, or a later `reproduce --out OUT` without a shard,
            which then only writes the page. A part's files do not depend on the shard that ran it.
            deploy/slurm/reproduce.sbatch submits the shards as a Slurm array and the index step after them.
            """)

    @Option(help: "quick (minutes) or paper (the results' sizes).") var scale: ReproductionScale = .quick
    @Option(help: "Output directory (created; each part is locked while it is written).") var out: String?
    @Option(
        help: ArgumentHelp(
            "Run only shard I of N (0-based) of the parts into --out; the shards may share --out.",
            discussion:
                "Default: from an array job's environment (Slurm: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN over SLURM_ARRAY_TASK_COUNT; Kubernetes: JOB_COMPLETION_INDEX over EWM_SIM_SHARD_COUNT); none: every part.",
            valueName: "I/N"))
    var shard: String?
    @Option(help: "PushT reference fixtures (default: ../shared/reference/pusht, else Tests/EnvsTests/Fixtures/pusht).") var fixtures: String?
    @Flag(help: "List the parts and their sizes at --scale without running anything.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !dryRun, out?.isEmpty ?? true { throw ValidationError("give --out DIR (or --dry-run to list the parts)") }
        if let shard {
            do { _ = try Shard(parsing: shard) } catch let error as ShardError { throw ValidationError("--shard: \(error.message)") }
        }
    }

    /// --shard, else the array job's environment, else nil (every part).
    func resolvedShard() throws -> Shard? {
        do { return try shard.map(Shard.init(parsing:)) ?? Shard.fromEnvironment() } catch let error as ShardError {
            throw CLIError("sharding: \(error.message)")
        }
    }

    func run() throws {
        let parts = ReproductionCatalog.parts
        let shard = try resolvedShard()
        guard !dryRun, let out else { return try emit(Reproduction.plan(parts, scale: scale, shard: shard), json: output.json) }
        let settings = ReproductionSettings(fixtures: fixtures.map { URL(fileURLWithPath: $0) })
        let report = try Reproduction.run(
            parts: parts, out: URL(fileURLWithPath: out), scale: scale, settings: settings, shard: shard, showProgress: !output.json)
        try emit(report, json: output.json)
        if report.failed > 0 { throw ExitCode(1) }
    }
}
