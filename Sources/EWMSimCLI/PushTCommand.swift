import ArgumentParser
import Envs
import Foundation

/// `ewm-sim pusht`: the design card's command, PushT with a scripted or random controller (`run pusht`) or a planner.
struct PushT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pusht",
        abstract: "Run PushT episodes headless and print a summary (coverage, success, steps).",
        discussion: """
            Examples:
              ewm-sim pusht --orientation 0.7 --policy scripted --episodes 10
              ewm-sim pusht --orientation 0.7 --rotation world --dump run.npz --render frames/
              ewm-sim pusht --orientation 0.7 --planner equivariant            (default model, goal25 protocol)
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
        guard planning.planner != nil else {
            var options = world.makeOptions()
            options.extra["reset-order"] = resetOrder
            return try batch.run(env: "pusht", options: options, policy: policy ?? .scripted)
        }
        try PlanningRun(planner: planning, world: world, compare: compare, batch: batch).run()
    }
}
