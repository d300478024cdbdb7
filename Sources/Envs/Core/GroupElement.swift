import Foundation

/// An element g of a world's symmetry group: what the orientation wrapper, the world models' representations,
/// the planners' canonical frames and the exactness checks need to know of the group, and nothing about the env.
///
/// Every group here acts on the world's d-dimensional space by rigid motions x -> R x + t (R orthogonal), possibly
/// together with a relabelling of interchangeable objects. Vector Neuron latents transform through the orthogonal part
/// alone: rho(g) turns every vector channel by R(g) (translations are removed by the models' centring, relabellings by
/// their pooling). Instances: `PlanarRotation` (SO(2) about a centre), `SE3Transform` (SE(3)), and `PermutedTransform`
/// (S_O x SE(3)).
public protocol GroupElement: Equatable, Sendable {
    /// Dimension d of the space the group acts on.
    static var spaceDimension: Int { get }
    var isIdentity: Bool { get }
    var inverse: Self { get }
    /// self * other: apply `other` first, then `self`.
    func composed(with other: Self) -> Self
    /// R(g), d x d, row-major: how g turns vectors (and, through rho, a latent's vector channels).
    var orthogonalPart: [Double] { get }
    /// g applied to every consecutive d-tuple of `flat`, as points.
    func apply(toPoints flat: [Double]) -> [Double]
    /// R(g) applied to every consecutive d-tuple of `flat`, as vectors (directions, velocities, offsets).
    func apply(toVectors flat: [Double]) -> [Double]
    /// Short, parseable text (JSON reports, tables): PushT's angle, SE(3)'s six coordinates.
    var label: String { get }
}

extension GroupElement {
    public var spaceDimension: Int { Self.spaceDimension }
}

extension PlanarRotation: GroupElement {
    public static var spaceDimension: Int { 2 }

    /// Rotations about the same centre compose by adding angles (the identity, angle 0, composes with any centre).
    public func composed(with other: PlanarRotation) -> PlanarRotation {
        if other.isIdentity { return self }
        if isIdentity { return other }
        precondition(center == other.center, "PlanarRotation: composing rotations about different centres")
        return PlanarRotation(angle: angle + other.angle, center: center)
    }

    public var orthogonalPart: [Double] { [cos, -sin, sin, cos] }

    public var label: String { "\(angle)" }
}

extension SE3Transform: GroupElement {
    public static var spaceDimension: Int { 3 }

    public func composed(with other: SE3Transform) -> SE3Transform { self * other }

    public var orthogonalPart: [Double] { rotation.array }

    public func apply(toPoints flat: [Double]) -> [Double] {
        var out = flat
        apply(points: &out, range: 0..<(flat.count - flat.count % 3))
        return out
    }

    public func apply(toVectors flat: [Double]) -> [Double] {
        var out = flat
        var i = 0
        while i + 2 < flat.count {
            let v = apply(vector: Vec3(flat, at: i))
            out[i] = v.x; out[i + 1] = v.y; out[i + 2] = v.z
            i += 3
        }
        return out
    }

    public var label: String { coordinates.map { "\($0)" }.joined(separator: ",") }
}
