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

/// A registered env: its id, one-line summary, and a factory.
public struct EnvRegistration: Sendable {
    public let id: String
    public let summary: String
    public let observationTypes: [String]
    public let factory: @Sendable (MakeOptions) throws -> any Environment
    public init(id: String, summary: String, observationTypes: [String], factory: @escaping @Sendable (MakeOptions) throws -> any Environment) {
        self.id = id; self.summary = summary; self.observationTypes = observationTypes; self.factory = factory
    }
}

/// The env registry: a new env plugs in with one `register` call.
public enum Registry {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var table: [String: EnvRegistration] = builtins()

    public static func register(_ registration: EnvRegistration) {
        lock.lock(); defer { lock.unlock() }
        table[registration.id] = registration
    }

    public static var registrations: [EnvRegistration] {
        lock.lock(); defer { lock.unlock() }
        return table.values.sorted { $0.id < $1.id }
    }

    public static var ids: [String] { registrations.map(\.id) }

    public static func registration(_ id: String) throws -> EnvRegistration {
        lock.lock(); defer { lock.unlock() }
        guard let r = table[id] else { throw EnvError.unknownEnvironment(id, known: table.keys.sorted()) }
        return r
    }

    /// Builds env `id`, wrapped in its time limit unless `options.timeLimit` is false.
    public static func make(_ id: String, options: MakeOptions = MakeOptions()) throws -> any Environment {
        let registration = try registration(id)
        if let obs = options.observation, !registration.observationTypes.contains(obs) {
            throw EnvError.invalidArgument("\(id) has no observation type '\(obs)'; it has \(registration.observationTypes.joined(separator: ", "))")
        }
        guard options.orientation.isFinite else { throw EnvError.invalidArgument("orientation must be finite") }
        let env = try registration.factory(options)
        if options.timeLimit, let limit = env.spec.maxEpisodeSteps { return TimeLimit(env, maxSteps: limit) }
        return env
    }

    private static func builtins() -> [String: EnvRegistration] {
        let pusht = EnvRegistration(
            id: "pusht", summary: "Push the T onto the goal; gym-pusht 0.1.8 dynamics on Box2D",
            observationTypes: PushTEnv.ObservationType.allCases.map(\.rawValue)
        ) { options in try PushTEnv.make(options) }
        let push3d = EnvRegistration(
            id: "push3d", summary: "Push a 3D T (or box, L, tripod) to a goal pose in free space; SE(3)-exact quasi-static pushing",
            observationTypes: Push3DEnv.ObservationType.allCases.map(\.rawValue)
        ) { options in try Push3DEnv.make(options, multi: false) }
        let push3dMulti = EnvRegistration(
            id: "push3d-multi", summary: "Push 3 interchangeable 3D boxes onto 3 goal poses; symmetry S_3 x SE(3)",
            observationTypes: Push3DEnv.ObservationType.allCases.map(\.rawValue)
        ) { options in try Push3DEnv.make(options, multi: true) }
        let teacher3d = EnvRegistration(
            id: "teacher3d", summary: "Synthetic: an exactly SE(3)-equivariant random teacher map on a 3D point cloud",
            observationTypes: ["points"]
        ) { options in try Teacher3DEnv.make(options) }
        let teacher = EnvRegistration(
            id: "teacher2d", summary: "Synthetic 2D point cloud; an exactly SO(2)-equivariant random teacher",
            observationTypes: ["points"]
        ) { options in try Teacher2DEnv.make(options) }
        return [pusht.id: pusht, teacher.id: teacher, push3d.id: push3d, push3dMulti.id: push3dMulti, teacher3d.id: teacher3d]
    }
}

extension PushTEnv {
    /// The registry's factory: the orientation in the requested build.
    public static func make(_ options: MakeOptions) throws -> any Environment {
        var config = Config()
        if let name = options.observation {
            guard let type = ObservationType(rawValue: name) else { throw EnvError.invalidArgument("unknown PushT observation '\(name)'") }
            config.observationType = type
        }
        if let order = options.extra["reset-order"] {
            guard let o = ResetOrder(rawValue: order) else { throw EnvError.invalidArgument("unknown reset order '\(order)' (legacy, angle-first)") }
            config.resetOrder = o
        }
        switch options.rotation {
        case .world:
            config.worldRotation = options.orientation
            return PushTEnv(config: config)
        case .frame:
            let env = PushTEnv(config: config)
            return options.orientation == 0 ? env : OrientationWrapper(env, angle: options.orientation)
        }
    }
}
