import ArgumentParser
import EWMIO
import Envs
import Foundation
import Planner
import Tensor
import Train

struct CheckPlanner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Planner exactness: first planned action at orientation g, rotated back, vs orientation 0 (same seed).",
        discussion:
            "Held-out goal-reaching states (goal25 tasks 0..<states); the model evaluated in Float and in Double (a Float model plans from the canonical frame of its Double twin)."
    )

    @Option(help: "World model checkpoint (default: assets/pusht-vn-fs5/checkpoint.safetensors).")
    var model: String?
    @Option(help: "Planner: equivariant, cem or mppi.")
    var planner: PlannerKind = .equivariant
    @Option(help: "Orientations, evenly spaced over the circle (0 included as the reference).")
    var orientations: Int = 16
    @Option(help: "States (held-out goal-reaching starts).")
    var states: Int = 50
    @OptionGroup var search: SearchOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard orientations >= 2, states >= 1 else { throw ValidationError("need --orientations >= 2 and --states >= 1") }
        guard planner != .oracle else {
            throw ValidationError("the oracle plans in the physical frame; its exactness is that of the env build (see check orbit)")
        }
    }

    func run() throws {
        search.configureThreads()
        MemoryTuning.retainFreedMemory()
        var reports: [PlannerExactness.Report] = []
        for precision in InferencePrecision.allCases {
            let m = try DefaultModel.load(model, precision: precision)
            let config = try search.config(model: m)
            let line = ProgressLine(label: "planner exactness (\(precision.rawValue))", total: states, enabled: !output.json)
            reports.append(
                try PlannerExactness.measure(
                    model: m, kind: planner, precision: precision.rawValue,
                    orientations: orientations, states: states, config: config, env: "pusht",
                    progress: { line.update($0) }))
            line.finish()
        }
        try emit(ReportList(reports, render: PlannerExactness.text), json: output.json)
    }
}
