import ArgumentParser
import EWMIO
import Envs
import Foundation

/// A controller without a model: `scripted` (the env's own), `random`, or a policy the env registers by name in its
/// collection adapter (PushT: `expert`).
struct PolicyName: ExpressibleByArgument, Equatable {
    var rawValue: String
    init(_ rawValue: String) { self.rawValue = rawValue }
    init?(argument: String) { self.init(argument) }
    static let scripted = PolicyName("scripted")
    static let random = PolicyName("random")
}

/// `ewm-sim run ENV`: episodes of any registered env under its scripted controller or random actions.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run episodes of any registered env headless; print a summary, dump and draw them.",
        discussion: """
            The world is built at the element --orientation (and, for 3D worlds, --se3) in the frame build (exact
            wrapper) or the world build. Examples:
              ewm-sim run pusht --orientation 0.7 --episodes 10
              ewm-sim run push3d --env-option shape=box --render out/push3d
              ewm-sim run push3d-multi --se3 0.3,-1.2,0.8,0.2,0,0.1 --rotation world
              ewm-sim run teacher3d --policy random --max-steps 40
            """)

    @Argument(help: "Env id (see `ewm-sim list`).") var env: String
    @OptionGroup var world: WorldOptions
    @Option(
        help:
            "Controller: scripted (the env's own, where it has one), random, or a policy the env registers (pusht: expert) (default: scripted if the env has one)."
    )
    var policy: PolicyName?
    @OptionGroup var batch: EpisodeBatch

    func run() throws { try batch.run(env: env, options: world.makeOptions(), policy: policy) }
}

/// The episode-batch options and loop shared by `run` and `pusht` without a planner.
struct EpisodeBatch: ParsableArguments {
    @Option(help: "Number of episodes; episode i is reset with seed + i.") var episodes: Int = 1
    @Option(help: "Seed of the first episode.") var seed: UInt64 = 0
    @Option(help: "Stop an episode after this many steps (default: the env's time limit).") var maxSteps: Int?
    @Option(help: "Write the trajectories to this .npz (numpy.load reads it).") var dump: String?
    @Option(help: "Write PNG frames, an APNG and an HTML player per episode into this directory.") var render: String?
    @Option(help: "Side of the rendered frames, pixels.") var frameSize: Int = 256
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be at least 1") }
        if let m = maxSteps, m <= 0 { throw ValidationError("--max-steps must be positive") }
        guard (16...2048).contains(frameSize) else { throw ValidationError("--frame-size must be in 16...2048") }
        if let d = dump, !d.hasSuffix(".npz") { throw ValidationError("--dump needs a .npz path, got '\(d)'") }
    }

    func run(env id: String, options: MakeOptions, policy: PolicyName?) throws {
        let registration = try Registry.registration(id)
        let base = try Registry.make(id, options: options)
        let recorder = dump != nil || render != nil ? RecordEpisodes(base, frameSize: render != nil ? frameSize : nil) : nil
        let env: any Environment = recorder ?? base
        let scripted = registration.run.scriptedPolicy?(base, options)
        let name = policy ?? (scripted != nil ? .scripted : .random)
        let controller: any Policy
        switch name {
        case .scripted:
            guard let scripted else { throw CLIError("\(id) has no scripted controller; use --policy random") }
            controller = scripted
        case .random: controller = RandomPolicy(space: env.actionSpace, seed: seed)
        default:
            guard let collection = registration.adapters?.collection else { throw CLIError("\(id) registers no policy '\(name.rawValue)'") }
            controller = try collection.policy(name.rawValue, settings: ExplorerSettings(orientation: options.orientation, seed: seed))
        }
        let figures = registration.run.figures
        let start = Date()
        let progress = ProgressLine(label: id, total: episodes, enabled: !output.json)
        let records = try EpisodeRuns.run(env: env, policy: controller, episodes: episodes, seed: seed, maxSteps: maxSteps) {
            records in
            let last = records.last?.lastInfo
            progress.update(records.count, detail: figures.first.map { "\($0.label) \(TextTable.fixed(last?.double($0.key)))" } ?? "")
        }
        progress.finish()
        if let recorder, let dump {
            try TrajectoryDump.write(recorder.episodes, orientation: options.orientation, build: options.rotation, to: URL(fileURLWithPath: dump))
        }
        if let recorder, let render { try EpisodePictures.write(recorder.episodes, env: id, to: URL(fileURLWithPath: render, isDirectory: true)) }
        let report = RunReport(
            env: id, options: options, policy: name.rawValue, records: records,
            figures: figures, seconds: Date().timeIntervalSince(start))
        try emit(report, json: output.json)
        if output.json { return }
        if let dump { print("trajectories: \(dump)") }
        if let render { print("pictures: \(render)/ (frame_*.png, episode_*.png animated, episode_*.html)") }
    }
}
