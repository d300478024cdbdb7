import Foundation

/// An element g = (R, t) of SE(3): x -> R x + t on points, v -> R v on vectors (directions, velocities,
/// angular velocities), R_body -> R R_body on orientations. The 3D worlds' counterpart of
/// `PlanarRotation`; the workspace centre is the origin, so a pure rotation turns the world about it.
public struct SE3Transform: Equatable, Sendable, Codable, CustomStringConvertible {
    public let rotation: Mat3
    public let translation: Vec3

    public init(rotation: Mat3 = .identity, translation: Vec3 = .zero) {
        self.rotation = rotation
        self.translation = translation
    }

    /// From a rotation vector (axis * angle, radians) and a translation.
    public init(rotationVector: Vec3, translation: Vec3 = .zero) {
        self.init(rotation: .rotation(vector: rotationVector), translation: translation)
    }

    public static let identity = SE3Transform()

    public var isIdentity: Bool { rotation == .identity && translation == .zero }

    /// g^-1 = (R^T, -R^T t). The transpose is exact, so g^-1 rounds only in the translation.
    public var inverse: SE3Transform {
        let rt = rotation.transpose
        return SE3Transform(rotation: rt, translation: -(rt * translation))
    }

    /// (self * other) x = self(other(x)).
    public static func * (a: SE3Transform, b: SE3Transform) -> SE3Transform {
        SE3Transform(rotation: a.rotation * b.rotation, translation: a.rotation * b.translation + a.translation)
    }

    @inlinable public func apply(point p: Vec3) -> Vec3 { rotation * p + translation }
    @inlinable public func apply(vector v: Vec3) -> Vec3 { rotation * v }
    /// An orientation (body-to-world rotation) seen in the transformed world.
    @inlinable public func apply(orientation r: Mat3) -> Mat3 { rotation * r }

    /// Points stored as consecutive (x, y, z) triples in `values[range]`, transformed in place.
    public func apply(points values: inout [Double], range: Range<Int>) {
        precondition(range.count % 3 == 0, "points come in triples")
        var i = range.lowerBound
        while i < range.upperBound {
            let p = apply(point: Vec3(values, at: i))
            values[i] = p.x; values[i + 1] = p.y; values[i + 2] = p.z
            i += 3
        }
    }

    /// A pose block `[x, y, z, r00, r01, ..., r22]` (position, then the rotation row-major) at `offset`.
    public func apply(pose values: inout [Double], at offset: Int) {
        let p = apply(point: Vec3(values, at: offset))
        let r = apply(orientation: Mat3(values, at: offset + 3))
        values.replaceSubrange(offset..<(offset + 12), with: p.array + r.array)
    }

    /// The six numbers (rotation vector, translation) of this element.
    public var coordinates: [Double] { rotation.rotationVector.array + translation.array }

    /// Parses "wx,wy,wz,tx,ty,tz" (rotation vector in radians, then translation).
    public init?(parsing text: String) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 6, parts.allSatisfy({ $0?.isFinite == true }) else { return nil }
        let v = parts.map { $0! }
        self.init(rotationVector: Vec3(v[0], v[1], v[2]), translation: Vec3(v[3], v[4], v[5]))
    }

    public var description: String {
        let c = coordinates.map { String(format: "%.4g", $0) }
        return "SE3(rotvec (\(c[0]), \(c[1]), \(c[2])), t (\(c[3]), \(c[4]), \(c[5])))"
    }
}

/// The SE(3) ladder of nested slices used for training and evaluation: identity ⊂ SO(2) about one axis
/// ⊂ SO(3) ⊂ SE(3). Rotations are about the workspace centre (the origin); the SE(3) rung adds a
/// translation uniform in the ball of radius `translationRadius`. `sample` draws from a rung with a seed,
/// so the same call gives the same elements everywhere.
public struct SE3Ladder: Equatable, Sendable, Codable {
    public enum Rung: String, CaseIterable, Sendable, Codable, Comparable {
        case identity, so2, so3, se3
        public static func < (a: Rung, b: Rung) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }

    /// The axis of the SO(2) rung (unit length).
    public var axis: Vec3
    /// Radius of the ball the SE(3) rung's translations are drawn from.
    public var translationRadius: Double

    public init(axis: Vec3 = Vec3(0, 0, 1), translationRadius: Double = 0.5) {
        precondition(axis.length > 0 && axis.isFinite, "SE3Ladder needs a finite non-zero axis")
        precondition(translationRadius >= 0 && translationRadius.isFinite, "SE3Ladder needs a finite translation radius >= 0")
        self.axis = axis.normalized
        self.translationRadius = translationRadius
    }

    /// One element of `rung`: identity; a rotation by an angle uniform in [-pi, pi) about `axis`;
    /// a uniform (Haar) rotation; a uniform rotation and a translation uniform in the ball.
    public func sample<G: RandomNumberGenerator>(_ rung: Rung, using rng: inout G) -> SE3Transform {
        switch rung {
        case .identity: return .identity
        case .so2: return SE3Transform(rotation: .rotation(axis: axis, angle: Double.random(in: -Double.pi..<Double.pi, using: &rng)))
        case .so3: return SE3Transform(rotation: .randomRotation(using: &rng))
        case .se3:
            let r = Mat3.randomRotation(using: &rng)
            return SE3Transform(rotation: r, translation: randomPointInBall(radius: translationRadius, using: &rng))
        }
    }

    /// `count` seeded elements of `rung` (the same seed gives the same elements).
    public func sample(_ rung: Rung, count: Int, seed: UInt64) -> [SE3Transform] {
        var rng = SplitMix64(seed: seed ^ (0xA5A5_0000 &+ UInt64(Rung.allCases.firstIndex(of: rung)!)))
        return (0..<count).map { _ in sample(rung, using: &rng) }
    }

    /// The smallest rung that contains g (within `tolerance`), nil if g is outside the ladder (a
    /// translation longer than `translationRadius`).
    public func rung(of g: SE3Transform, tolerance: Double = 1e-9) -> Rung? {
        let t = g.translation.length
        if t > tolerance { return t <= translationRadius + tolerance ? .se3 : nil }
        if g.rotation.rotationAngle <= tolerance { return .identity }
        // About `axis` iff the axis is fixed.
        if (g.rotation * axis - axis).length <= tolerance { return .so2 }
        return .so3
    }

    public func contains(_ g: SE3Transform, in rung: Rung, tolerance: Double = 1e-9) -> Bool {
        guard let r = self.rung(of: g, tolerance: tolerance) else { return false }
        return r <= rung
    }
}

/// A rigid body's pose: where its body frame sits in the world (rotation = orientation, translation =
/// position of the centre of mass). A pose is itself an element of SE(3), and g acts on it by composition.
public typealias Pose3D = SE3Transform

extension SE3Transform {
    /// The pose's position.
    @inlinable public var position: Vec3 { translation }
    /// A pose from its position and orientation.
    public init(position: Vec3, orientation: Mat3) { self.init(rotation: orientation, translation: position) }
    /// `[x, y, z, r00, ..., r22]`.
    public var poseArray: [Double] { translation.array + rotation.array }
    /// The pose stored at `values[offset..<offset+12]` (position, then rotation row-major).
    public init(pose values: [Double], at offset: Int) {
        self.init(rotation: Mat3(values, at: offset + 3), translation: Vec3(values, at: offset))
    }
}
