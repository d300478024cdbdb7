/// What the layers above Envs need to know of an env, registered once beside the env (in its `EnvRegistration`):
/// how its observations become points and vectors for the world models, how data is collected in it, and the
/// planners' presets. Train and Planner reach envs only through these, never through an env's name; a new env
/// gets collection, training, evaluation and planning by filling them in.
public struct EnvAdapters: Sendable {
    public var model: ModelReading
    public var collection: CollectionAdapter
    public var planning: PlanningPresets
    /// Goal-reaching protocols for closed-loop evaluation (the first is the default).
    public var goalProtocols: [any GoalProtocol]

    public init(
        model: ModelReading, collection: CollectionAdapter = CollectionAdapter(), planning: PlanningPresets,
        goalProtocols: [any GoalProtocol] = []
    ) {
        self.model = model; self.collection = collection; self.planning = planning; self.goalProtocols = goalProtocols
    }

    /// The goal protocol called `name` (nil: the default, the first registered).
    public func goalProtocol(_ name: String? = nil) throws -> any GoalProtocol {
        guard let first = goalProtocols.first else { throw EnvError.invalidArgument("this env registers no goal-reaching protocol") }
        guard let name else { return first }
        guard let found = goalProtocols.first(where: { $0.name == name }) else {
            throw EnvError.invalidArgument("unknown protocol '\(name)'; this env has \(goalProtocols.map(\.name).joined(separator: ", "))")
        }
        return found
    }
}

/// How a world model reads an env's observations: every observation is `pointsPerFrame` points of the world's
/// d-dimensional space (x0, y0, [z0,] x1, ...), centred either at a fixed point of the group (PushT's workspace
/// centre) or at an equivariant reference point (the centroid of the first `referencePoints` points), and divided by
/// `scale`. Centring makes the inputs transform linearly by R(g).
public struct ModelReading: Sendable, Equatable {
    /// How the model sees the action.
    public enum Action: String, Sendable {
        /// A target point in the world (centred like the observation's points).
        case point
        /// A vector (scaled only).
        case vector
        /// A target point, seen as its offset from the observation's reference point.
        case offsetFromReference = "offset"
    }

    /// The observation type the env is built with for the models.
    public var observationType: String
    /// d: 2 (planar) or 3.
    public var dimension: Int
    public var pointsPerFrame: Int
    /// The fixed centre (d numbers), or nil when the observation's own reference point is the centre.
    public var center: [Double]?
    /// With no fixed centre: the reference point is the centroid of these first points.
    public var referencePoints: Int
    public var scale: Double
    public var action: Action
    /// Index of the agent's position in an observation (d numbers), if the env has an agent driven towards its
    /// actions (PushT): models may then read the previous action as one more point, and planners start from
    /// "stay where you are".
    public var agentIndex: Int?
    /// The first points that belong to the manipulated body (PushT: the T's 8 keypoints), if any: collection reports
    /// the fraction of transitions that moved it.
    public var bodyPoints: Int?

    public init(
        observationType: String, dimension: Int, pointsPerFrame: Int, center: [Double]?, referencePoints: Int = 0,
        scale: Double, action: Action, agentIndex: Int? = nil, bodyPoints: Int? = nil
    ) {
        self.observationType = observationType; self.dimension = dimension; self.pointsPerFrame = pointsPerFrame
        self.center = center; self.referencePoints = referencePoints; self.scale = scale; self.action = action
        self.agentIndex = agentIndex; self.bodyPoints = bodyPoints
    }
}

/// The planners' presets for an env: where its actions may go and the frame the equivariant planner turns about.
public struct PlanningPresets: Sendable, Equatable {
    /// The fixed point of the group's rotations (PushT: (256, 256)).
    public var center: [Double]
    /// The env's action box (plain planners clip to it).
    public var actionLow: [Double]
    public var actionHigh: [Double]
    /// The largest ball about `center` inside the box: the rotation-invariant bound of the equivariant planner.
    public var invariantRadius: Double

    public init(center: [Double], actionLow: [Double], actionHigh: [Double], invariantRadius: Double) {
        self.center = center; self.actionLow = actionLow; self.actionHigh = actionHigh; self.invariantRadius = invariantRadius
    }
}

/// How data is collected in an env: where episodes start and which exploratory policy acts. Starts and policies
/// are given for the world at orientation theta (the frame build), from the collection's seeded generator, so the
/// data is a pure function of the collection's config.
public struct CollectionAdapter: Sendable {
    /// Start distributions by name (besides "reference", the env's own reset): the state to reset to at orientation
    /// theta, drawn with `angleSpread` as the spread of the start's angle.
    public var starts: [String: @Sendable (_ theta: Double, _ angleSpread: Double, _ rng: inout SplitMix64) -> [Double]]
    /// The exploratory policy at orientation theta (nil: uniform random actions over the action space).
    public var explorer: (@Sendable (_ settings: ExplorerSettings) -> any Policy)?
    /// Further named policies (PushT: "expert"), built from the same settings: `collect --policy NAME` and
    /// `run ENV --policy NAME` reach them by name.
    public var policies: [String: @Sendable (_ settings: ExplorerSettings) -> any Policy]
    /// Worlds whose group is SE(3): the env at g (frame build) and its start state there, drawn with `spread` (the
    /// radius of the start's rotation ball, radians) from the collection's generator.
    public var spatialEpisode: (@Sendable (_ g: SE3Transform, _ spread: Double, _ rng: inout SplitMix64) -> SpatialEpisode)?

    public init(
        starts: [String: @Sendable (_ theta: Double, _ angleSpread: Double, _ rng: inout SplitMix64) -> [Double]] = [:],
        explorer: (@Sendable (_ settings: ExplorerSettings) -> any Policy)? = nil,
        policies: [String: @Sendable (_ settings: ExplorerSettings) -> any Policy] = [:],
        spatialEpisode: (@Sendable (_ g: SE3Transform, _ spread: Double, _ rng: inout SplitMix64) -> SpatialEpisode)? = nil
    ) {
        self.starts = starts; self.explorer = explorer; self.policies = policies; self.spatialEpisode = spatialEpisode
    }

    /// The named policy `name` built from `settings`; a clear error naming the env's policies if there is none.
    public func policy(_ name: String, settings: ExplorerSettings) throws -> any Policy {
        guard let make = policies[name] else {
            let known = policies.keys.sorted()
            throw EnvError.invalidArgument(
                "no policy '\(name)' is registered for this env\(known.isEmpty ? "" : " (it has \(known.joined(separator: ", ")))")")
        }
        return make(settings)
    }
}

/// A collection episode of a 3D world at g: the env to run and the state to reset it to, both in the world at g.
public struct SpatialEpisode {
    public var env: any Environment
    public var start: [Double]
    public init(env: any Environment, start: [Double]) { self.env = env; self.start = start }
}

/// What an exploratory collection policy is built from.
public struct ExplorerSettings: Sendable {
    public var orientation: Double
    /// Fraction of random actions mixed into the policy's own.
    public var randomFraction: Double
    /// nil: random actions uniform over the action space; else Gaussian about the agent with this std.
    public var localRandomStd: Double?
    public var seed: UInt64
    /// Std of Gaussian noise on every action (px for PushT), drawn in the canonical frame; 0: none. Named policies
    /// honour it (the explorer has its own noise).
    public var actionNoise: Double
    /// 3D worlds: the element g the episode runs at (frame build); a policy draws its noise in the canonical frame and
    /// turns it by g's rotation. nil: planar (`orientation`).
    public var element: SE3Transform?
    public init(
        orientation: Double, randomFraction: Double = 0, localRandomStd: Double? = nil, seed: UInt64, actionNoise: Double = 0,
        element: SE3Transform? = nil
    ) {
        self.orientation = orientation; self.randomFraction = randomFraction; self.localRandomStd = localRandomStd; self.seed = seed
        self.actionNoise = actionNoise; self.element = element
    }
}
