import Foundation

/// A 3-vector in Double (the 3D point-cloud worlds' positions, velocities and directions).
public struct Vec3: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var z: Double

    @inlinable public init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }
    public static let zero = Vec3(0, 0, 0)

    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static func * (s: Double, a: Vec3) -> Vec3 { Vec3(s * a.x, s * a.y, s * a.z) }
    @inlinable public static func * (a: Vec3, s: Double) -> Vec3 { Vec3(s * a.x, s * a.y, s * a.z) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable public static func -= (a: inout Vec3, b: Vec3) { a = a - b }

    @inlinable public func dot(_ b: Vec3) -> Double { x * b.x + y * b.y + z * b.z }
    @inlinable public func cross(_ b: Vec3) -> Vec3 { Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x) }
    @inlinable public var squaredLength: Double { x * x + y * y + z * z }
    @inlinable public var length: Double { squaredLength.squareRoot() }
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
    /// The unit vector along self (self unchanged if it has zero length).
    @inlinable public var normalized: Vec3 { let l = length; return l > 0 ? self * (1 / l) : self }
    @inlinable public var array: [Double] { [x, y, z] }

    /// The vector at `values[offset...offset+2]`.
    @inlinable public init(_ values: [Double], at offset: Int) { self.init(values[offset], values[offset + 1], values[offset + 2]) }

    public var description: String { "(\(x), \(y), \(z))" }
}

/// A 3 x 3 matrix in Double, row-major (`m[3 * row + col]`); in these worlds mostly a rotation.
public struct Mat3: Equatable, Hashable, Sendable, Codable {
    public var m: (Double, Double, Double, Double, Double, Double, Double, Double, Double)

    @inlinable public init(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ e: Double, _ f: Double, _ g: Double, _ h: Double, _ i: Double) {
        m = (a, b, c, d, e, f, g, h, i)
    }
    /// Rows given as vectors.
    @inlinable public init(rows r0: Vec3, _ r1: Vec3, _ r2: Vec3) { self.init(r0.x, r0.y, r0.z, r1.x, r1.y, r1.z, r2.x, r2.y, r2.z) }
    /// Columns given as vectors.
    @inlinable public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) { self.init(c0.x, c1.x, c2.x, c0.y, c1.y, c2.y, c0.z, c1.z, c2.z) }
    /// Nine numbers in row-major order from `values[offset...]`.
    @inlinable public init(_ v: [Double], at o: Int) {
        self.init(v[o], v[o + 1], v[o + 2], v[o + 3], v[o + 4], v[o + 5], v[o + 6], v[o + 7], v[o + 8])
    }

    public static let identity = Mat3(1, 0, 0, 0, 1, 0, 0, 0, 1)
    public static let zero = Mat3(0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// diag(a, b, c).
    @inlinable public static func diagonal(_ a: Double, _ b: Double, _ c: Double) -> Mat3 { Mat3(a, 0, 0, 0, b, 0, 0, 0, c) }

    @inlinable public var row0: Vec3 { Vec3(m.0, m.1, m.2) }
    @inlinable public var row1: Vec3 { Vec3(m.3, m.4, m.5) }
    @inlinable public var row2: Vec3 { Vec3(m.6, m.7, m.8) }
    @inlinable public var column0: Vec3 { Vec3(m.0, m.3, m.6) }
    @inlinable public var column1: Vec3 { Vec3(m.1, m.4, m.7) }
    @inlinable public var column2: Vec3 { Vec3(m.2, m.5, m.8) }
    /// Row-major elements.
    @inlinable public var array: [Double] { [m.0, m.1, m.2, m.3, m.4, m.5, m.6, m.7, m.8] }

    @inlinable public var transpose: Mat3 { Mat3(m.0, m.3, m.6, m.1, m.4, m.7, m.2, m.5, m.8) }
    @inlinable public var trace: Double { m.0 + m.4 + m.8 }
    @inlinable public var determinant: Double {
        m.0 * (m.4 * m.8 - m.5 * m.7) - m.1 * (m.3 * m.8 - m.5 * m.6) + m.2 * (m.3 * m.7 - m.4 * m.6)
    }
    @inlinable public var isFinite: Bool { array.allSatisfy(\.isFinite) }

    @inlinable public static func * (a: Mat3, v: Vec3) -> Vec3 {
        Vec3(a.m.0 * v.x + a.m.1 * v.y + a.m.2 * v.z, a.m.3 * v.x + a.m.4 * v.y + a.m.5 * v.z, a.m.6 * v.x + a.m.7 * v.y + a.m.8 * v.z)
    }
    @inlinable public static func * (a: Mat3, b: Mat3) -> Mat3 {
        let c0 = a * b.column0, c1 = a * b.column1, c2 = a * b.column2
        return Mat3(columns: c0, c1, c2)
    }
    @inlinable public static func + (a: Mat3, b: Mat3) -> Mat3 {
        Mat3(a.m.0 + b.m.0, a.m.1 + b.m.1, a.m.2 + b.m.2, a.m.3 + b.m.3, a.m.4 + b.m.4, a.m.5 + b.m.5, a.m.6 + b.m.6, a.m.7 + b.m.7, a.m.8 + b.m.8)
    }
    @inlinable public static func * (s: Double, a: Mat3) -> Mat3 {
        Mat3(s * a.m.0, s * a.m.1, s * a.m.2, s * a.m.3, s * a.m.4, s * a.m.5, s * a.m.6, s * a.m.7, s * a.m.8)
    }

    /// The inverse of a general invertible matrix (adjugate / determinant).
    public var inverse: Mat3 {
        let c0 = row1.cross(row2), c1 = row2.cross(row0), c2 = row0.cross(row1)
        return (1 / determinant) * Mat3(columns: c0, c1, c2)
    }

    /// [v]x, the matrix of v x (.).
    @inlinable public static func skew(_ v: Vec3) -> Mat3 { Mat3(0, -v.z, v.y, v.z, 0, -v.x, -v.y, v.x, 0) }

    /// The rotation exp([phi]x) by |phi| radians about phi/|phi| (Rodrigues' formula; a Taylor series
    /// near 0). It is equivariant: exp([R phi]x) = R exp([phi]x) R^T for any rotation R.
    public static func rotation(vector phi: Vec3) -> Mat3 {
        let t2 = phi.squaredLength
        let a: Double, b: Double
        if t2 < 1e-8 {
            a = 1 - t2 / 6 + t2 * t2 / 120
            b = 0.5 - t2 / 24 + t2 * t2 / 720
        } else {
            let t = t2.squareRoot()
            a = sin(t) / t
            b = (1 - cos(t)) / t2
        }
        // I + a K + b K^2, K^2 = phi phi^T - |phi|^2 I.
        let x = phi.x, y = phi.y, z = phi.z
        return Mat3(
            1 + b * (x * x - t2), -a * z + b * x * y, a * y + b * x * z,
            a * z + b * x * y, 1 + b * (y * y - t2), -a * x + b * y * z,
            -a * y + b * x * z, a * x + b * y * z, 1 + b * (z * z - t2))
    }

    /// Rotation by `angle` radians about the unit vector along `axis` (right-handed).
    public static func rotation(axis: Vec3, angle: Double) -> Mat3 { rotation(vector: axis.normalized * angle) }

    /// Gram-Schmidt on the columns (c0, then c1, then c2 = c0 x c1): the nearest-by-construction rotation.
    /// Equivariant under left multiplication by a rotation, so it never breaks the world's symmetry.
    public var orthonormalized: Mat3 {
        let c0 = column0.normalized
        let c1 = (column1 - c0 * c0.dot(column1)).normalized
        return Mat3(columns: c0, c1, c0.cross(c1))
    }

    /// The rotation angle of a rotation matrix, in [0, pi] (robust near 0 and pi).
    public var rotationAngle: Double {
        let c = (trace - 1) / 2
        let s = Vec3(m.7 - m.5, m.2 - m.6, m.3 - m.1).length / 2
        return atan2(s, c)
    }

    /// The rotation vector (axis * angle) of a rotation matrix, the inverse of `rotation(vector:)` for
    /// angles below pi.
    public var rotationVector: Vec3 {
        let angle = rotationAngle
        let v = Vec3(m.7 - m.5, m.2 - m.6, m.3 - m.1)
        if angle < 1e-6 { return v * 0.5 }
        if angle < Double.pi - 1e-6 { return v * (angle / (2 * sin(angle))) }
        // Near pi: the axis from the largest diagonal of (R + I) / 2 = n n^T.
        let d = [m.0, m.4, m.8]
        let k = d.firstIndex(of: d.max()!)!
        let col = [column0, column1, column2][k] + [Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1)][k]
        return col.normalized * angle
    }

    /// max |R^T R - I| over elements, and the determinant: how far from a rotation.
    public var orthogonalityError: Double {
        let p = transpose * self
        return zip(p.array, Mat3.identity.array).map { abs($0 - $1) }.max()!
    }

    /// A uniformly distributed rotation (Shoemake's quaternion method).
    public static func randomRotation<G: RandomNumberGenerator>(using rng: inout G) -> Mat3 {
        let u1 = Double.random(in: 0..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng), u3 = Double.random(in: 0..<1, using: &rng)
        let a = (1 - u1).squareRoot(), b = u1.squareRoot()
        return fromQuaternion(
            w: b * cos(2 * Double.pi * u3), x: a * sin(2 * Double.pi * u2),
            y: a * cos(2 * Double.pi * u2), z: b * sin(2 * Double.pi * u3))
    }

    /// The rotation of a unit quaternion (w, x, y, z).
    public static func fromQuaternion(w: Double, x: Double, y: Double, z: Double) -> Mat3 {
        Mat3(
            1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y))
    }

    public static func == (a: Mat3, b: Mat3) -> Bool { a.array == b.array }
    public func hash(into hasher: inout Hasher) { hasher.combine(array) }

    enum CodingKeys: CodingKey { case rows }
    public init(from decoder: Decoder) throws {
        let v = try decoder.container(keyedBy: CodingKeys.self).decode([Double].self, forKey: .rows)
        guard v.count == 9 else { throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Mat3 needs 9 numbers")) }
        self.init(v, at: 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(array, forKey: .rows)
    }
}

/// A uniform point in the ball of radius `radius` about the origin (rejection from the cube: the
/// distribution is rotation invariant).
func randomPointInBall<G: RandomNumberGenerator>(radius: Double, using rng: inout G) -> Vec3 {
    while true {
        let p = Vec3(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng))
        if p.squaredLength <= 1 { return p * radius }
    }
}
