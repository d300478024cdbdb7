import ArgumentParser
import EWMIO
import Envs
import Foundation
import Planner
import Tensor
import Train

struct CheckPlanner: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Planner exactness: first planned action at orientation g, rotated back, vs orientation 0 (same seed).",
        discussion:
            "Held-out goal-reaching states (goal25 tasks 0..<states); the model evaluated in Float and in Double (a Float model plans from the canonical frame of its Double twin)."
    )

    @Option(help: "World model checkpoint (default: assets/pusht-vn-expert/checkpoint.safetensors).")
    var model: String?
    @Option(help: "Planner: equivariant, cem or mppi.")
    var planner: PlannerKind = .equivariant
    @Option(help: "Orientations, evenly spaced over the circle (0 included as the reference).")
    var orientations: Int = 16
    @Option(help: "States (held-out goal-reaching starts).")
    var states: Int = 50
    @OptionGroup var search: SearchOptions
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    static let sweepName = "check planner"

    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("model", model); a.add("planner", planner); a.add("orientations", orientations); a.add("states", states)
        a.append(search.sweepArguments); a.append(sharding.sweepArguments)
        return a.list
    }

    /// Units: (arithmetic p, state i), u = p * states + i, arithmetics in `InferencePrecision.allCases` order.
    var units: Int { InferencePrecision.allCases.count * states }

    func validate() throws {
        guard orientations >= 2, states >= 1 else { throw ValidationError("need --orientations >= 2 and --states >= 1") }
        guard planner != .oracle else {
            throw ValidationError("the oracle plans in the physical frame; its exactness is that of the env build (see check orbit)")
        }
    }

    func run() throws {
        search.configureThreads()
        MemoryTuning.retainFreedMemory()
        let shard = try sharding.resolved()
        let mine = (shard ?? .whole).units(of: units)
        var results: [PlannerExactness.StateResult] = []
        for (p, precision) in InferencePrecision.allCases.enumerated() {
            let states = mine.filter { $0 / self.states == p }.map { $0 % self.states }
            guard !states.isEmpty else { continue }
            let m = try DefaultModel.load(model, precision: precision)
            let config = try search.config(model: m)
            let line = ProgressLine(label: "planner exactness (\(precision.rawValue))", total: states.count, enabled: !output.json)
            for (done, i) in states.enumerated() {
                results.append(
                    try PlannerExactness.measureState(i, model: m, kind: planner, orientations: orientations, config: config, env: "pusht"))
                line.update(done + 1)
            }
            line.finish()
        }
        if let shard { return try writePart(results, shard: shard, units: units, to: try sharding.partsDirectory(for: shard), quiet: output.json) }
        try emit(report(results), json: output.json)
    }

    /// One report per arithmetic from all units' results (unit order).
    func report(_ results: [PlannerExactness.StateResult]) -> ReportList<PlannerExactness.Report> {
        let reports = InferencePrecision.allCases.enumerated().map { p, precision in
            PlannerExactness.report(
                Array(results[p * states..<(p + 1) * states]), planner: planner, precision: precision.rawValue, orientations: orientations)
        }
        return ReportList(reports, render: PlannerExactness.text)
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        try emit(report(try ShardParts.byUnit(try ShardParts.read(directory, as: [PlannerExactness.StateResult].self))), json: options.output.json)
    }
}
