import ArgumentParser
import EWMIO
import Envs
import Foundation

enum PolicyName: String, ExpressibleByArgument, CaseIterable {
    case scripted, random
}

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
    @Option(help: "Controller without a model: scripted (the reference's feedback pusher) or random (default: scripted).")
    var policy: PolicyName?
    @OptionGroup var planning: PlannerOptions
    @Flag(
        inversion: .prefixedNo, help: "With --planner at a non-zero orientation, also run the seen orientation 0 and report the trajectory deviation."
    )
    var compare = true
    @Option(help: "Number of episodes; episode i is reset with seed + i.")
    var episodes: Int = 1
    @Option(help: "Seed of the first episode.")
    var seed: UInt64 = 0
    @Option(help: "Stop an episode after this many steps (default: the env's 300-step limit).")
    var maxSteps: Int?
    @Option(help: "Write the trajectories to this .npz (numpy.load reads it).")
    var dump: String?
    @Option(help: "Write PNG frames, an APNG and an HTML player per episode into this directory.")
    var render: String?
    @Option(help: "Side of the rendered frames, pixels.")
    var frameSize: Int = 256
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be at least 1") }
        if planning.planner != nil {
            if policy != nil { throw ValidationError("--policy and --planner exclude each other: a run has one controller") }
            if maxSteps != nil { throw ValidationError("with --planner the protocol sets the budget; --max-steps does not apply") }
            if world.obs != "state" && world.obs != "keypoints" {
                throw ValidationError("planners observe keypoints; --obs \(world.obs) does not apply")
            }
            try planning.validatePlanner()
        } else if planning.model != nil {
            throw ValidationError("--model needs --planner")
        }
        if let m = maxSteps, m <= 0 { throw ValidationError("--max-steps must be positive") }
        guard (16...2048).contains(frameSize) else { throw ValidationError("--frame-size must be in 16...2048") }
        if let d = dump, !d.hasSuffix(".npz") { throw ValidationError("--dump needs a .npz path, got '\(d)'") }
    }

    func run() throws {
        if planning.planner != nil {
            return try PlanningRun(
                planner: planning, world: world, episodes: episodes, seed: seed, compare: compare, dump: dump, render: render,
                frameSize: frameSize, json: output.json
            ).run()
        }
        let policy = self.policy ?? .scripted
        let base = try Registry.make("pusht", options: world.makeOptions())
        let recorder = dump != nil || render != nil ? RecordEpisodes(base, frameSize: render != nil ? frameSize : nil) : nil
        let env: any Environment = recorder ?? base
        let controller: any Policy =
            policy == .scripted
            ? ScriptedPusher(rotation: world.rotationValue) : RandomPolicy(space: env.actionSpace, seed: seed)
        let start = Date()
        let progress = ProgressLine(label: "pusht", total: episodes, enabled: !output.json)
        let summaries = try EpisodeRuns.run(env: env, policy: controller, episodes: episodes, seed: seed, maxSteps: maxSteps) {
            progress.update($0.count, detail: "coverage \(fmt($0.last?.summary.finalCoverage))")
        }.map(\.summary)
        progress.finish()
        if let recorder, let dump {
            try TrajectoryDump.write(recorder.episodes, orientation: world.orientation, build: world.rotation, to: URL(fileURLWithPath: dump))
        }
        if let recorder, let render {
            try TrajectoryDump.writePictures(recorder.episodes, to: URL(fileURLWithPath: render, isDirectory: true))
        }
        let report = PushTRunReport(
            orientation: world.orientation, rotation: world.rotation, policy: policy.rawValue,
            episodes: summaries, seconds: Date().timeIntervalSince(start))
        if output.json { return try printJSON(report) }
        print("pusht at orientation \(world.orientation) (\(world.rotation.rawValue) build), policy \(policy.rawValue)")
        print(
            table(
                ["seed", "steps", "final cov", "max cov", "success"],
                summaries.map {
                    [String($0.seed), String($0.steps), fmt($0.finalCoverage), fmt($0.maxCoverage), $0.success ? "yes" : "no"]
                }))
        let s = report.summary
        print(
            "episodes \(s.episodes)  success rate \(fmt(s.successRate, 2))  mean final coverage \(fmt(s.meanFinalCoverage))  mean steps \(fmt(s.meanSteps, 1))"
        )
        if let dump { print("trajectories: \(dump)") }
        if let render { print("pictures: \(render)/ (frame_*.png, episode_*.png animated, episode_*.html)") }
    }
}
