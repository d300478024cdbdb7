import ArgumentParser
import EWMIO
import Envs
import Foundation

struct CheckOrbit: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "orbit",
        abstract: "How exactly the env at a group element is the moved canonical env, in both builds.",
        discussion: """
            Planar worlds (pusht): deviation = max over T keypoints and agent of |g^-1 obs_theta(t) - obs_0(t)| in px,
            scripted pusher, same seeds, at --elements orientations 2 pi k / (n + 1) (0 excluded), --episodes seeds each.
            3D worlds (push3d, push3d-multi, teacher3d): the residual |step(g.s, g.a) - g.step(s, a)| / 1 m over the scene
            points at --elements states (after 5-40 noisy scripted steps from seeded resets), g from the SE(3) ladder's top
            rung; and --episodes rollouts of the world built at g driven by g.a_t against the canonical episode.
            Example: ewm-sim check orbit --env push3d --elements 500 --steps 50
            """)

    @Option(help: "Env id (its registration provides the check).") var env: String = "pusht"
    @Option(name: [.customLong("elements"), .customLong("orientations")], help: "Planar: orientations; 3D: one-step samples.")
    var elements: Int = 8
    @Option(name: [.customLong("episodes"), .customLong("seeds")], help: "Planar: seeds per orientation; 3D: rollout episodes.")
    var episodes: Int = 4
    @Option(help: "Steps per episode.") var steps: Int = 100
    @Option(help: "3D: seed of states, actions and group elements.") var seed: UInt64 = 0
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    static let sweepName = "check orbit"

    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("env", env); a.add("elements", elements); a.add("episodes", episodes); a.add("steps", steps); a.add("seed", seed)
        a.append(sharding.sweepArguments)
        return a.list
    }

    var settings: RunPresets.OrbitCheckSettings { RunPresets.OrbitCheckSettings(elements: elements, episodes: episodes, steps: steps, seed: seed) }

    /// The env's check by units (`RunPresets.orbitUnits`).
    func units() throws -> OrbitCheckUnits {
        guard let units = try Registry.registration(env).run.orbitUnits else {
            throw CLIError("\(env)'s orbit check is not cut into units; run it without --shard")
        }
        return units
    }

    func validate() throws {
        guard elements > 0, episodes >= 0, steps > 0 else { throw ValidationError("--elements and --steps must be positive, --episodes >= 0") }
    }

    func run() throws {
        if let shard = try sharding.resolved() {
            let check = try units(), total = check.count(settings), mine = shard.units(of: total)
            let progress = ProgressLine(label: "check orbit \(shard)", total: mine.count, enabled: !output.json)
            let figures = try mine.enumerated().map { done, u in
                defer { progress.update(done + 1) }
                return try check.measure(settings, u)
            }
            progress.finish()
            return try writePart(figures, shard: shard, units: total, to: try sharding.partsDirectory(for: shard), quiet: output.json)
        }
        guard let check = try Registry.registration(env).run.orbitCheck else { throw CLIError("\(env) registers no orbit check") }
        try emit(try check(RunPresets.OrbitCheckSettings(elements: elements, episodes: episodes, steps: steps, seed: seed)), json: output.json)
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        try emit(try units().report(settings, try ShardParts.byUnit(try ShardParts.read(directory, as: [[Double]].self))), json: options.output.json)
    }
}
