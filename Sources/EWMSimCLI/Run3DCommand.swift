import ArgumentParser
import EWMIO
import Envs
import Foundation

enum Policy3DName: String, ExpressibleByArgument, CaseIterable {
    case scripted, random
}

struct Run3D: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run3d",
        abstract: "Run episodes of a 3D point-cloud world (push3d, push3d-multi, teacher3d); print a summary, draw them.",
        discussion: """
            The world is built at g = T(--se3) * Rot(z, --orientation), in the frame build (exact wrapper) or the
            world build (the simulated world itself transformed). Pictures: a fixed perspective camera, spheres as
            depth-sorted discs (objects by colour, goals pale green, pusher blue, target red, the workspace cube grey).
            Examples:
              ewm-sim run3d push3d --render out/push3d
              ewm-sim run3d push3d-multi --se3 0.3,-1.2,0.8,0.2,0,0.1 --rotation world --render out/multi
              ewm-sim run3d teacher3d --policy random --max-steps 40 --render out/teacher
            """)

    @Argument(help: "Env id.")
    var env: String = "push3d"
    @Option(help: "Observation type (push3d: points, state; teacher3d: points).")
    var obs: String?
    @Option(help: "Object shape for push3d / push3d-multi: t, box, l, tripod.")
    var shape: String?
    @Option(help: "Rotation about z through the workspace centre, radians.")
    var orientation: Double = 0
    @Option(help: "Any element of SE(3): 'wx,wy,wz,tx,ty,tz' (rotation vector, radians; translation, m), applied after --orientation.")
    var se3: String?
    @Option(help: "How g is realised: frame (exact wrapper) or world (the world built transformed).")
    var rotation: RotationBuild = .frame
    @Option(help: "Controller: scripted (the 3D feedback pusher; push3d only) or random.")
    var policy: Policy3DName = .scripted
    @Option(help: "Number of episodes; episode i is reset with seed + i.")
    var episodes: Int = 1
    @Option(help: "Seed of the first episode.")
    var seed: UInt64 = 0
    @Option(help: "Stop an episode after this many steps (default: the env's time limit).")
    var maxSteps: Int?
    @Option(help: "Write PNG frames, an APNG and an HTML player per episode into this directory.")
    var render: String?
    @Option(help: "Side of the rendered frames, pixels.")
    var frameSize: Int = 320
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard episodes > 0 else { throw ValidationError("--episodes must be at least 1") }
        if let m = maxSteps, m <= 0 { throw ValidationError("--max-steps must be positive") }
        guard (16...2048).contains(frameSize) else { throw ValidationError("--frame-size must be in 16...2048") }
        guard orientation.isFinite else { throw ValidationError("--orientation must be finite") }
        if let s = se3, SE3Transform(parsing: s) == nil { throw ValidationError("--se3 needs six finite numbers 'wx,wy,wz,tx,ty,tz'") }
    }

    func run() throws {
        var options = MakeOptions(observation: obs, orientation: orientation, rotation: rotation)
        if let se3 { options.extra["se3"] = se3 }
        if let shape { options.extra["shape"] = shape }
        let g = try options.se3Transform()
        let base = try Registry.make(env, options: options)
        let recorder = RecordEpisodes(base, frameSize: render != nil ? frameSize : nil)
        let controller: any Policy
        switch (policy, EpisodeRuns.scriptedPush3D(for: base)) {
        case (.scripted, let p?): controller = p
        case (.scripted, nil): throw CLIError("the scripted policy drives push3d and push3d-multi; use --policy random for \(env)")
        case (.random, _): controller = RandomPolicy(space: base.actionSpace, seed: seed)
        }
        let start = Date()
        let progress = ProgressLine(label: env, total: episodes, enabled: !output.json)
        let records = try EpisodeRuns.run(env: recorder, policy: controller, episodes: episodes, seed: seed, maxSteps: maxSteps) {
            progress.update($0.count, detail: "error \(fmt($0.last?.lastInfo.double("mean_point_error")))")
        }
        progress.finish()
        if let render { try EpisodePictures.write3D(recorder.episodes, env: env, to: URL(fileURLWithPath: render, isDirectory: true)) }
        let report = Run3DReport(
            env: env, transform: g, rotation: rotation, policy: policy.rawValue, records: records,
            seconds: Date().timeIntervalSince(start))
        if output.json { return try printJSON(report) }
        print("\(env) at \(g) (\(rotation.rawValue) build), policy \(policy.rawValue)")
        print(
            table(
                ["seed", "steps", "point err (m)", "pos err (m)", "angle err", "contacts", "success"],
                report.episodes.map {
                    [
                        String($0.seed), String($0.steps), fmt($0.finalPointError), fmt($0.finalPositionError), fmt($0.finalAngleError),
                        String($0.contacts), $0.success ? "yes" : "no",
                    ]
                }))
        print("success rate \(fmt(report.successRate, 2)), \(fmt(report.secondsPerEpisode, 3)) s per episode")
        if let render { print("pictures: \(render)/ (frame_*.png, episode_*.png animated, episode_*.html)") }
    }
}
