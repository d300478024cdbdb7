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
            """)

    @Option(help: "quick (minutes) or paper (the results' sizes).") var scale: ReproductionScale = .quick
    @Option(help: "Output directory (created; locked while the run writes).") var out: String?
    @Option(help: "PushT reference fixtures (default: ../shared/reference/pusht, else Tests/EnvsTests/Fixtures/pusht).") var fixtures: String?
    @Flag(help: "List the parts and their sizes at --scale without running anything.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if !dryRun, out?.isEmpty ?? true { throw ValidationError("give --out DIR (or --dry-run to list the parts)") }
    }

    func run() throws {
        let parts = ReproductionCatalog.parts
        guard !dryRun, let out else { return try emit(Reproduction.plan(parts, scale: scale), json: output.json) }
        let settings = ReproductionSettings(fixtures: fixtures.map { URL(fileURLWithPath: $0) })
        let report = try Reproduction.run(
            parts: parts, out: URL(fileURLWithPath: out), scale: scale, settings: settings, showProgress: !output.json)
        try emit(report, json: output.json)
        if report.failed > 0 { throw ExitCode(1) }
    }
}
