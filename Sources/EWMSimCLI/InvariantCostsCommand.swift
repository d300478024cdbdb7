import ArgumentParser
import EWMIO
import Experiments
import Foundation
import Planner

/// `ewm-sim experiment invariant-costs` (issue 17, experiment 5: C3).
struct InvariantCosts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invariant-costs",
        abstract: "C3, planning under G-invariant costs: the equivariant closed loop with each latent cost, at several orientations.",
        discussion: """
            Costs: euclidean (|z - y|^2, invariant under all of O(n)); irrep-weighted (one weight per irrep copy, 1 / its
            mean squared norm over the probe tasks' latents: G-invariant, not O(n)-invariant); norms (distance of the copies'
            squared norms); gram (distance of the latents' Gram matrices: norms and inner products). For each: the success on
            tasks 0 ... --episodes - 1 at every orientation (Wilson 95%), the trajectory deviation from orientation 0's run
            turned back, and the cost's invariance residual under O(d) and under random O(n) maps, on the probe tasks'
            latents (tasks from --probe-offset, disjoint from the evaluated ones).
            """)

    @Option(help: "Env (planar, with a goal protocol).") var env: String = "pusht"
    @Option(name: .customLong("protocol"), help: "Goal protocol (default: the env's first; pusht: goal25).") var protocolName: String?
    @Option(help: "World model checkpoint (default: assets/pusht-vn-expert/checkpoint.safetensors).") var model: String?
    @Option(help: "Orientations in radians, comma-separated, 0 first.") var orientations: String = "0,0.7"
    @Option(help: "Tasks per orientation and cost.") var episodes: Int = 3
    @Option(help: "Costs, comma-separated: euclidean, irrep-weighted, norms, gram.") var costs: String = "euclidean,irrep-weighted,norms,gram"
    @Option(help: "Probe tasks for the whitening weights and the invariance residuals.") var probeTasks: Int = 32
    @Option(help: "First probe task index.") var probeOffset: Int = 10_000
    @OptionGroup var search: SearchOptions
    @OptionGroup var output: OutputOptions

    var orientationList: [Double]? {
        let v = orientations.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        return v.contains(nil) ? nil : v.map { $0! }
    }
    var costList: [String] { costs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func validate() throws {
        guard let o = orientationList, o.count >= 2, o.first == 0, o.allSatisfy(\.isFinite) else {
            throw ValidationError("--orientations: '\(orientations)' must be two or more angles in radians, 0 first")
        }
        guard !costList.isEmpty, costList.allSatisfy(InvariantCostsExperiment.costNames.contains) else {
            throw ValidationError("--costs: '\(costs)'; choose from \(InvariantCostsExperiment.costNames.joined(separator: ", "))")
        }
        guard episodes > 0, probeTasks > 0, probeOffset >= episodes else {
            throw ValidationError("--episodes and --probe-tasks must be positive, --probe-offset at least --episodes")
        }
    }

    func run() throws {
        search.configureThreads()
        var s = InvariantCostsExperiment.Settings()
        (s.env, s.protocolName, s.model, s.orientations, s.episodes) = (env, protocolName, model, orientationList!, episodes)
        (s.costs, s.probeTasks, s.probeOffset, s.search) = (costList, probeTasks, probeOffset, search.settings)
        let progress = ProgressLine(label: "invariant-costs", total: s.costs.count * s.orientations.count * episodes, enabled: !output.json)
        var done = 0
        let report = try InvariantCostsExperiment.run(s) { message in
            done += 1
            progress.update(done, detail: message)
        }
        progress.finish()
        try emit(report, json: output.json)
    }
}
