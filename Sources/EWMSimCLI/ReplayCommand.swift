import ArgumentParser
import EWMIO
import Envs
import Foundation

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay action sequences through an env and write everything it reports.",
        discussion: """
            Input .npz: actions (E,T,2) float64 and either seed (E,) int64 or reset_to_state (E,5) float64.
            Output .npz: obs (E,T+1,5), keypoints (E,T+1,8,2), agent_velocity (E,T+1,2), coverage (E,T+1),
            reward (E,T), terminated (E,T) bool, as the env reports them at the given orientation. Every action is
            stepped (no time limit).
            """)

    @Argument(help: "Env id (pusht).")
    var env: String
    @Option(help: "Input .npz.")
    var input: String
    @Option(help: "Output .npz (written atomically; never the input, a symbolic link, a FIFO or a device).")
    var output: String
    @Option(help: "Orientation theta, radians.")
    var orientation: Double = 0
    @Option(help: "frame (exact) or world (Box2D world rotated).")
    var rotation: RotationBuild = .frame
    @Flag(help: "Print a JSON summary.")
    var json = false

    func validate() throws {
        guard env == "pusht" else { throw ValidationError("replay supports pusht (got '\(env)')") }
        guard orientation.isFinite else { throw ValidationError("--orientation must be finite") }
        guard input != output else { throw ValidationError("--input and --output must differ") }
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: input) else { throw CLIError("no such input file: \(input)") }
        let environment = try Registry.make(
            env, options: MakeOptions(observation: "state", orientation: orientation, rotation: rotation, timeLimit: false))
        let data = try Envs.Replay.replay(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: output), env: environment)
        let steps = data.actions.first?.count ?? 0
        if json {
            try printJSON(["episodes": data.episodes, "steps": steps])
        } else {
            print("replayed \(data.episodes) episodes x \(steps) steps -> \(output)")
        }
    }
}
