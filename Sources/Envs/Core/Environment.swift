import EWMIO
/// The environment protocol: Gymnasium's contract in Swift's idioms.
///
/// - `reset(seed:options:)` starts an episode. A seed reseeds the env's generator; `nil` continues it.
/// - `step(_:)` advances one control step. Actions are validated at this boundary: a wrongly shaped or
///   non-finite action throws `EnvError.invalidAction` and leaves the env exactly as it was.
/// - `terminated`: the task reached a terminal state (success or failure); `truncated`: a limit outside
///   the task (time limit) ended the episode. Either one means the caller must reset.
/// Envs are reference types (they own simulators); an env is used from one thread at a time.
public protocol Environment: AnyObject {
    /// Registry id and metadata.
    var spec: EnvSpec { get }
    var observationSpace: BoxSpace { get }
    var actionSpace: BoxSpace { get }
    func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info)
    func step(_ action: [Double]) throws -> StepResult
    /// An RGB picture of the current scene (for recording and dumps), if the env can draw itself.
    func render(width: Int, height: Int) -> RGBImage?
    /// The largest magnitude of an action element this env accepts (nil: every finite value). Envs whose actions are
    /// not clipped document a bound far outside their action space, beyond which the dynamics would overflow or leave
    /// any meaningful range; `validate(action:)` rejects larger elements before the step.
    var actionLimit: Double? { get }
}

extension Environment {
    public func reset(seed: UInt64? = nil, options: ResetOptions = ResetOptions()) throws -> (observation: Observation, info: Info) {
        try reset(seed: seed, options: options)
    }
    public func render(width: Int, height: Int) -> RGBImage? { nil }
    public var actionLimit: Double? { nil }

    /// The shared action check: right size, finite, within `actionLimit`. Every env calls it before touching its state.
    public func validate(action: [Double]) throws {
        guard action.count == actionSpace.count else {
            throw EnvError.invalidAction("expected \(actionSpace.count) values, got \(action.count)")
        }
        if let i = action.firstIndex(where: { !$0.isFinite }) {
            throw EnvError.invalidAction("element \(i) is \(action[i]); actions must be finite")
        }
        if let limit = actionLimit, let i = action.firstIndex(where: { abs($0) > limit }) {
            throw EnvError.invalidAction(
                "element \(i) is \(action[i]); \(spec.id) accepts elements within +-\(limit) (far outside its action space; beyond it the state would overflow to non-finite numbers)"
            )
        }
    }
}

/// Registry id and fixed facts of an env.
public struct EnvSpec: Equatable, Sendable, Codable {
    public var id: String
    /// The time limit the registry's `make` applies (nil: none).
    public var maxEpisodeSteps: Int?
    /// Control frequency, Hz.
    public var controlHz: Double?
    public var summary: String
    public init(id: String, maxEpisodeSteps: Int? = nil, controlHz: Double? = nil, summary: String = "") {
        self.id = id; self.maxEpisodeSteps = maxEpisodeSteps; self.controlHz = controlHz; self.summary = summary
    }
}

/// Options for `reset`.
public struct ResetOptions: Equatable, Sendable {
    /// Start from this state instead of sampling one (PushT: `[agent_x, agent_y, block_x, block_y, block_angle]`,
    /// the reference's `reset_to_state`).
    public var state: [Double]?
    public init(state: [Double]? = nil) { self.state = state }
}

public struct StepResult: Sendable {
    public var observation: Observation
    public var reward: Double
    public var terminated: Bool
    public var truncated: Bool
    public var info: Info
    public init(observation: Observation, reward: Double, terminated: Bool, truncated: Bool, info: Info) {
        self.observation = observation; self.reward = reward; self.terminated = terminated
        self.truncated = truncated; self.info = info
    }
    public var done: Bool { terminated || truncated }
}

/// Step/reset info: named numbers, flags and small arrays, in insertion order (so JSON is stable).
/// A handful of entries: stored as a list, looked up by a linear scan (cheaper than hashing strings
/// on every step).
public struct Info: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case double(Double), int(Int), bool(Bool), doubles([Double])
    }
    public private(set) var entries: [(key: String, value: Value)] = []

    public init() { entries.reserveCapacity(8) }

    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> Value? {
        get { entries.first { $0.key == key }?.value }
        set {
            let index = entries.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let i?, let v?): entries[i].value = v
            case (let i?, nil): entries.remove(at: i)
            case (nil, let v?): entries.append((key, v))
            case (nil, nil): break
            }
        }
    }

    public func double(_ key: String) -> Double? {
        switch self[key] {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    public func bool(_ key: String) -> Bool? {
        if case .bool(let b) = self[key] { return b }
        return nil
    }
    public func doubles(_ key: String) -> [Double]? {
        if case .doubles(let d) = self[key] { return d }
        return nil
    }

    public static func == (a: Info, b: Info) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

public enum EnvError: Error, Equatable, CustomStringConvertible {
    case invalidAction(String)
    case invalidState(String)
    case unknownEnvironment(String, known: [String])
    case invalidArgument(String)
    case needsReset(String)

    public var description: String {
        switch self {
        case .invalidAction(let m): return "invalid action: \(m)"
        case .invalidState(let m): return "invalid state: \(m)"
        case .unknownEnvironment(let id, let known): return "unknown environment '\(id)'; registered: \(known.joined(separator: ", "))"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .needsReset(let m): return "needs reset: \(m)"
        }
    }
}
