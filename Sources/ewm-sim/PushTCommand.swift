import ArgumentParser
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
            """)

    @OptionGroup var world: WorldOptions
    @Option(help: "Controller: scripted (the reference's feedback pusher) or random.")
    var policy: PolicyName = .scripted
    @Option(help: "Number of episodes; episode i is reset with seed + i.")
    var episodes: Int = 1
    @Option(help: "Seed of the first episode.")
    var seed: UInt64 = 0
    @Option(help: "Stop an episode after this many steps (default: the env's 300-step limit).")
    var maxSteps: Int?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be at least 1") }
        if let m = maxSteps, m <= 0 { throw ValidationError("--max-steps must be positive") }
    }

    struct Report: Encodable {
        var env: String
        var orientation: Double
        var rotation: String
        var policy: String
        var summary: RunSummary
        var episodes: [EpisodeSummary]
        var secondsPerEpisode: Double
    }

    func run() throws {
        let env = try Registry.make("pusht", options: world.makeOptions())
        let controller: any Policy = policy == .scripted
            ? ScriptedPusher(rotation: world.rotationValue) : RandomPolicy(space: env.actionSpace, seed: seed)
        let start = Date()
        var summaries: [EpisodeSummary] = []
        for i in 0..<episodes {
            summaries.append(try Rollout.episode(env: env, policy: controller, seed: seed &+ UInt64(i), maxSteps: maxSteps))
        }
        let report = Report(
            env: "pusht", orientation: world.orientation, rotation: world.rotation.rawValue, policy: policy.rawValue,
            summary: RunSummary(summaries), episodes: summaries,
            secondsPerEpisode: Date().timeIntervalSince(start) / Double(episodes))
        if output.json { return try printJSON(report) }
        print("pusht at orientation \(world.orientation) (\(world.rotation.rawValue) build), policy \(policy.rawValue)")
        print(table(["seed", "steps", "final cov", "max cov", "success"], summaries.map {
            [String($0.seed), String($0.steps), fmt($0.finalCoverage), fmt($0.maxCoverage), $0.success ? "yes" : "no"]
        }))
        let s = report.summary
        print("episodes \(s.episodes)  success rate \(fmt(s.successRate, 2))  mean final coverage \(fmt(s.meanFinalCoverage))  mean steps \(fmt(s.meanSteps, 1))")
    }
}
