import EWMIO
import Foundation

/// Replays action sequences through PushT and writes what the env reports (`ewm-sim replay pusht`).
///
/// Input `.npz`: `actions` (E, T, 2) float64, and either `seed` (E,) integers or `reset_to_state` (E, 5)
/// float64. Output `.npz`: `obs` (E, T+1, 5), `keypoints` (E, T+1, 8, 2), `agent_velocity` (E, T+1, 2),
/// `coverage` (E, T+1), `reward` (E, T), `terminated` (E, T) bool, all as the env reports them at its
/// orientation. Every action is stepped (no time limit, and stepping goes on after success), so rows
/// line up with the input.
public enum Replay {
    public struct Input {
        public var seeds: [UInt64]?
        public var states: [[Double]]?
        public var actions: [[[Double]]]
        public var episodes: Int { actions.count }
    }

    public static func read(_ url: URL) throws -> Input {
        let path = url.path
        let arrays = try Npz.read(from: url)
        let actionsArray = try Npz.require("actions", in: arrays, file: path)
        guard actionsArray.shape.count == 3, actionsArray.shape[2] == 2 else {
            throw EnvError.invalidArgument("\(path): 'actions' must have shape (E, T, 2), got \(actionsArray.shape)")
        }
        let (e, t) = (actionsArray.shape[0], actionsArray.shape[1])
        let flat = try actionsArray.doubles()
        if let i = flat.firstIndex(where: { !$0.isFinite }) {
            throw EnvError.invalidAction("\(path): actions[\(i / (2 * max(t, 1))), \((i / 2) % max(t, 1))] is \(flat[i]); actions must be finite")
        }
        let actions = (0..<e).map { ep in (0..<t).map { s in [flat[(ep * t + s) * 2], flat[(ep * t + s) * 2 + 1]] } }
        var input = Input(actions: actions)
        switch (arrays["seed"], arrays["reset_to_state"]) {
        case (.some, .some):
            throw EnvError.invalidArgument("\(path): give either 'seed' or 'reset_to_state', not both")
        case (nil, nil):
            throw EnvError.invalidArgument("\(path): needs 'seed' (E,) or 'reset_to_state' (E, 5) beside 'actions'")
        case (let s?, nil):
            guard s.shape == [e] else { throw EnvError.invalidArgument("\(path): 'seed' must have shape (\(e),), got \(s.shape)") }
            let values = try s.int64s()
            if let bad = values.first(where: { $0 < 0 }) { throw EnvError.invalidArgument("\(path): seeds must be non-negative, got \(bad)") }
            input.seeds = values.map { UInt64($0) }
        case (nil, let s?):
            guard s.shape == [e, 5] else { throw EnvError.invalidArgument("\(path): 'reset_to_state' must have shape (\(e), 5), got \(s.shape)") }
            let v = try s.doubles()
            input.states = (0..<e).map { Array(v[($0 * 5)..<($0 * 5 + 5)]) }
            for (i, state) in input.states!.enumerated() {
                do { try PushTEnv.validate(state: state) } catch { throw EnvError.invalidState("\(path): reset_to_state[\(i)]: \(error)") }
            }
        }
        return input
    }

    /// `ewm-sim replay`: reads `input`, runs it through `env` and writes the outputs to `output` atomically. The output
    /// is checked first (`checkOutputPath`): the input itself under any spelling (`./in.npz`, an absolute path, a link),
    /// a symbolic link, a FIFO or a device there is refused before any work, and again at the write.
    @discardableResult
    public static func replay(input: URL, output: URL, env: any Environment) throws -> Input {
        try checkOutputPath(output, notOverwriting: [input])
        let data = try read(input)
        let arrays = try run(data, env: env)
        try Npz.write(arrays, to: output, notOverwriting: [input])
        return data
    }

    /// Runs the input through `env` (a PushT at some orientation, state observations, no time limit).
    public static func run(_ input: Input, env: any Environment) throws -> [(String, NpyArray)] {
        let e = input.episodes, t = input.actions.first?.count ?? 0
        var obs: [Double] = [], keypoints: [Double] = [], velocity: [Double] = [], coverage: [Double] = []
        var rewards: [Double] = [], terminated: [Bool] = []
        func record(_ o: Observation, _ info: Info) {
            obs += o.values
            let pose = info.doubles("block_pose") ?? [.nan, .nan, .nan]
            keypoints += PushTGeometry.keypoints(at: Pose(x: pose[0], y: pose[1], angle: pose[2])).flatMap { [$0.x, $0.y] }
            velocity += info.doubles("vel_agent") ?? [.nan, .nan]
            coverage.append(info.double("coverage") ?? .nan)
        }
        for i in 0..<e {
            let start = try env.reset(seed: input.seeds?[i], options: ResetOptions(state: input.states?[i]))
            record(start.observation, start.info)
            for (t, a) in input.actions[i].enumerated() {
                let r: StepResult
                do { r = try env.step(a) } catch let error as EnvError {
                    throw EnvError.invalidAction("episode \(i), step \(t): \(error)")
                }
                record(r.observation, r.info)
                rewards.append(r.reward)
                terminated.append(r.terminated)
            }
        }
        return [
            ("obs", try NpyArray(float64: obs, shape: [e, t + 1, obs.count / max(e * (t + 1), 1)])),
            ("keypoints", try NpyArray(float64: keypoints, shape: [e, t + 1, 8, 2])),
            ("agent_velocity", try NpyArray(float64: velocity, shape: [e, t + 1, 2])),
            ("coverage", try NpyArray(float64: coverage, shape: [e, t + 1])),
            ("reward", try NpyArray(float64: rewards, shape: [e, t])),
            ("terminated", try NpyArray(bool: terminated, shape: [e, t])),
        ]
    }
}
