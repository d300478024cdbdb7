import ArgumentParser
import EWMIO
import Envs
import Foundation
import Planner

/// `ewm-sim pusht`: the design card's command, PushT with a scripted or random controller (`run pusht`) or a planner.
struct PushT: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "pusht",
        abstract: "Run PushT episodes headless and print a summary (coverage, success, steps).",
        discussion: """
            Examples:
              ewm-sim pusht --orientation 0.7 --policy scripted --episodes 10
              ewm-sim pusht --orientation 0.7 --rotation world --dump run.npz --render frames/
              ewm-sim pusht --orientation 0.7 --planner equivariant            (default model, goal25-expert protocol)
              ewm-sim pusht --orientation 0.7 --planner equivariant --protocol goal25
              ewm-sim pusht --planner oracle --protocol full
            """)

    @OptionGroup var world: WorldOptions
    @Option(help: "PushT reset order: legacy (the reference's evaluation default) or angle-first.") var resetOrder: String = "legacy"
    @Option(help: "Controller without a model: scripted (the reference's feedback pusher), expert (push-to-pose) or random (default: scripted).")
    var policy: PolicyName?
    @OptionGroup var planning: PlannerOptions
    @Flag(
        inversion: .prefixedNo, help: "With --planner at a non-zero orientation, also run the seen orientation 0 and report the trajectory deviation."
    )
    var compare = true
    @OptionGroup var batch: EpisodeBatch
    @OptionGroup var sharding: ShardOptions

    static let sweepName = "pusht"

    /// The flags that define a planning run's episodes (--threads, --dump, --render, --json do not).
    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("obs", world.obs); a.add("orientation", world.orientation); a.add("rotation", world.rotation)
        for o in world.envOptions { a.add("env-option", o) }
        a.add("reset-order", resetOrder); a.add("planner", planning.planner); a.add("model", planning.model); a.add("protocol", planning.protocol)
        a.append(planning.search.sweepArguments); a.flag("allow-non-equivariant", planning.allowNonEquivariant)
        a.flag("oracle-latent-cost", planning.oracleLatentCost); a.add("oracle-noise", planning.oracleNoise)
        a.flag("oracle-noise-smooth", planning.oracleNoiseSmooth); a.add("precision", planning.precision); a.flag("no-compare", !compare)
        a.add("episodes", batch.episodes); a.add("seed", batch.seed); a.append(sharding.sweepArguments)
        return a.list
    }

    var planningRun: PlanningRun { PlanningRun(planner: planning, world: world, compare: compare, batch: batch, timings: !sharding.noTimings) }

    func validate() throws {
        guard ["legacy", "angle-first"].contains(resetOrder) else { throw ValidationError("--reset-order must be legacy or angle-first") }
        if world.se3 != nil { throw ValidationError("--se3 applies to 3D worlds; PushT's group is the planar rotations (--orientation)") }
        if planning.planner != nil {
            if policy != nil { throw ValidationError("--policy and --planner exclude each other: a run has one controller") }
            if batch.maxSteps != nil { throw ValidationError("with --planner the protocol sets the budget; --max-steps does not apply") }
            if let obs = world.obs, obs != "state" && obs != "keypoints" {
                throw ValidationError("planners observe keypoints; --obs \(obs) does not apply")
            }
            try planning.validatePlanner()
        } else if planning.model != nil {
            throw ValidationError("--model needs --planner")
        }
    }

    func run() throws {
        if let shard = try sharding.resolved() {
            guard planning.planner != nil else { throw CLIError("pusht shards planning runs (--planner); a scripted or random run is one process") }
            guard batch.dump == nil, batch.render == nil else {
                throw CLIError("a shard writes its part only; --dump and --render run without --shard")
            }
            let run = planningRun
            let (episodes, _, threads) = try run.episodes(only: shard.units(of: batch.episodes))
            return try writePart(
                GoalReachingRun.Part(episodes: episodes, threads: threads), shard: shard, units: batch.episodes,
                to: try sharding.partsDirectory(for: shard), quiet: batch.output.json)
        }
        guard planning.planner != nil else {
            var options = world.makeOptions()
            options.extra["reset-order"] = resetOrder
            return try batch.run(env: "pusht", options: options, policy: policy ?? .scripted)
        }
        try planningRun.run()
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        let parts = try ShardParts.read(directory, as: GoalReachingRun.Part.self)
        let episodes = parts.flatMap { part in zip(part.header.units, part.body.episodes).map { $0 } }.sorted { $0.0 < $1.0 }.map(\.1)
        guard episodes.count == batch.episodes else {
            throw CLIError("\(directory.path): the parts hold \(episodes.count) of \(batch.episodes) episodes")
        }
        try emit(planningRun.report(episodes, threads: parts[0].body.threads), json: options.output.json)
    }
}
