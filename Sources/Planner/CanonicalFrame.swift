import Agents

/// The canonical frame of the equivariant planner, whatever the group: built from the latents of the current and goal
/// observations (their vector channels turn by R(g) under rho(g)), it maps the planner's canonical actions to the world
/// and back. `PlanningFrame` (planar: one axis, about the planners' centre) and `PlanningFrame3D` (SE(3): a rotation,
/// acting on offsets) are the builders; `ModelPredictiveCore` plans with either.
public protocol CanonicalFrame: Sendable {
    /// The frame of latents `z` and `goal` (layout `rep`), about `center` (the planners' `PlanningPresets.center`).
    static func from(latent z: [Double], goal: [Double], rep: Rep, center: [Double]) -> Self
    /// The identity frame (the plain planners' frame).
    static func identity(center: [Double]) -> Self
    /// Canonical -> world, in place, for every consecutive action of the group's dimension.
    func toWorld(_ a: inout [Double])
    /// World -> canonical, in place.
    func toCanonical(_ a: inout [Double])
    /// Canonical -> world for vectors (offsets: the frame's rotation alone, no centre), in place.
    func toWorld(vectors a: inout [Double])
    /// World -> canonical for vectors, in place.
    func toCanonical(vectors a: inout [Double])
    /// Built from the builder's first choice (not a fallback for degenerate latents).
    var isPrimary: Bool { get }
    /// The identity fallback (not equivariant).
    var isIdentity: Bool { get }
    /// How the frame was built, for counts.
    var sourceName: String { get }
}

extension PlanningFrame: CanonicalFrame {
    public static func from(latent z: [Double], goal: [Double], rep: Rep, center: [Double]) -> PlanningFrame {
        from(z, goal: goal, rep: rep, center: (center[0], center[1]))
    }
    public static func identity(center: [Double]) -> PlanningFrame { identity(center: (center[0], center[1])) }
    public var isPrimary: Bool { source == .channelSum }
    public var isIdentity: Bool { source == .identity }
    public var sourceName: String { source.rawValue }
}

extension PlanningFrame3D: CanonicalFrame {
    /// The 3D frame is a rotation acting on offsets (vectors): `center` is not used.
    public static func from(latent z: [Double], goal: [Double], rep: Rep, center: [Double]) -> PlanningFrame3D {
        from(z, goal: goal, rep: rep)
    }
    public static func identity(center: [Double]) -> PlanningFrame3D { .identity }
    /// Actions already are offsets: the same rotation.
    public func toWorld(vectors a: inout [Double]) { toWorld(&a) }
    public func toCanonical(vectors a: inout [Double]) { toCanonical(&a) }
    public var isPrimary: Bool { source == .combinations }
    public var isIdentity: Bool { source == .identity }
    public var sourceName: String { source.rawValue }
}
