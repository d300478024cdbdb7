import Foundation

/// How a registered env should be built: the common knobs every env may honour.
public struct MakeOptions: Equatable, Sendable {
    /// Observation type name (env-specific; PushT: state, keypoints, pixels). nil: the env's default.
    public var observation: String?
    /// Orientation of the world (radians) for symmetric envs. PushT: about the workspace centre. 3D worlds:
    /// about the z axis through the origin, composed with `extra["se3"]` (see `MakeOptions.se3Transform`).
    public var orientation: Double = 0
    /// Which build realises the orientation.
    public var rotation: RotationBuild = .frame
    /// Apply the env's time limit (Gymnasium's `max_episode_steps`).
    public var timeLimit = true
    /// Env-specific extras, e.g. PushT's `reset-order` = legacy | angle-first.
    public var extra: [String: String] = [:]
    public init(observation: String? = nil, orientation: Double = 0, rotation: RotationBuild = .frame, timeLimit: Bool = true) {
        self.observation = observation; self.orientation = orientation; self.rotation = rotation; self.timeLimit = timeLimit
    }
}

/// The two builds of an oriented world (`shared/spec/experiments.md`).
public enum RotationBuild: String, CaseIterable, Sendable {
    /// Physics in the canonical frame; observations leave through g, actions enter through g^-1. Exact.
    case frame
    /// The simulated world itself built rotated. Exact only up to the simulator's arithmetic.
    case world
}

/// A registered env: its id, one-line summary, a factory, and the adapters the model, training and planning layers
/// use (nil: the env runs, but no world model can be collected for, trained or planned with).
public struct EnvRegistration: Sendable {
    public let id: String
    public let summary: String
    public let observationTypes: [String]
    /// The keys of `MakeOptions.extra` the factory reads (bindings reject any other key by name).
    public let extraOptions: [String]
    public let factory: @Sendable (MakeOptions) throws -> any Environment
    public let adapters: EnvAdapters?
    /// How `run` drives and reports it.
    public let run: RunPresets
    public init(
        id: String, summary: String, observationTypes: [String], extraOptions: [String] = [], adapters: EnvAdapters? = nil,
        run: RunPresets = RunPresets(), factory: @escaping @Sendable (MakeOptions) throws -> any Environment
    ) {
        self.id = id; self.summary = summary; self.observationTypes = observationTypes; self.extraOptions = extraOptions
        self.adapters = adapters; self.run = run; self.factory = factory
    }
}

/// The env registry: a new env plugs in with one `register` call.
public enum Registry {
    /// The table, behind a lock: registration may happen from any thread (an outside package's entry point).
    private final class Table: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String: EnvRegistration]
        init(_ entries: [String: EnvRegistration]) { self.entries = entries }
        func withLock<T>(_ body: (inout [String: EnvRegistration]) throws -> T) rethrows -> T {
            lock.lock(); defer { lock.unlock() }
            return try body(&entries)
        }
    }
    private static let table = Table(builtins())

    public static func register(_ registration: EnvRegistration) {
        table.withLock { $0[registration.id] = registration }
    }

    public static var registrations: [EnvRegistration] {
        table.withLock { $0.values.sorted { $0.id < $1.id } }
    }

    public static var ids: [String] { registrations.map(\.id) }

    public static func registration(_ id: String) throws -> EnvRegistration {
        try table.withLock { entries in
            guard let r = entries[id] else { throw EnvError.unknownEnvironment(id, known: entries.keys.sorted()) }
            return r
        }
    }

    /// Builds env `id`, wrapped in its time limit unless `options.timeLimit` is false.
    public static func make(_ id: String, options: MakeOptions = MakeOptions()) throws -> any Environment {
        let registration = try registration(id)
        if let obs = options.observation, !registration.observationTypes.contains(obs) {
            throw EnvError.invalidArgument("\(id) has no observation type '\(obs)'; it has \(registration.observationTypes.joined(separator: ", "))")
        }
        guard options.orientation.isFinite else { throw EnvError.invalidArgument("orientation must be finite") }
        for key in options.extra.keys.sorted() where !registration.extraOptions.contains(key) {
            let known = registration.extraOptions.isEmpty ? "none" : registration.extraOptions.joined(separator: ", ")
            throw EnvError.invalidArgument("\(id) has no option '\(key)' (its options: \(known))")
        }
        let env = try registration.factory(options)
        if options.timeLimit, let limit = env.spec.maxEpisodeSteps { return TimeLimit(env, maxSteps: limit) }
        return env
    }

    /// The adapters of env `id`, with a clear error when it has none.
    public static func adapters(_ id: String) throws -> EnvAdapters {
        guard let adapters = try registration(id).adapters else {
            let usable = registrations.filter { $0.adapters != nil }.map(\.id)
            throw EnvError.invalidArgument("env '\(id)' registers no world-model adapters (envs with them: \(usable.joined(separator: ", ")))")
        }
        return adapters
    }

    /// Each env's registration lives beside the env.
    private static func builtins() -> [String: EnvRegistration] {
        let all =
            [PushTEnv.registration, Teacher2DEnv.registration, Push3DEnv.registration, Push3DEnv.multiRegistration]
            + Push3DEnv.shapeRegistrations + [Teacher3DEnv.registration]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    }
}
