import Foundation

/// A 2-vector in Double (pixels in PushT).
public struct Vec2: Equatable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var x: Double
    public var y: Double

    @inlinable public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    public static let zero = Vec2(0, 0)

    @inlinable public static func + (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x + b.x, a.y + b.y) }
    @inlinable public static func - (a: Vec2, b: Vec2) -> Vec2 { Vec2(a.x - b.x, a.y - b.y) }
    @inlinable public static func * (s: Double, a: Vec2) -> Vec2 { Vec2(s * a.x, s * a.y) }
    @inlinable public static func * (a: Vec2, s: Double) -> Vec2 { Vec2(s * a.x, s * a.y) }
    @inlinable public static prefix func - (a: Vec2) -> Vec2 { Vec2(-a.x, -a.y) }
    @inlinable public static func += (a: inout Vec2, b: Vec2) { a = a + b }
    @inlinable public static func -= (a: inout Vec2, b: Vec2) { a = a - b }

    @inlinable public func dot(_ b: Vec2) -> Double { x * b.x + y * b.y }
    /// z-component of the 3D cross product.
    @inlinable public func cross(_ b: Vec2) -> Double { x * b.y - y * b.x }
    /// Rotated by +90 degrees (Chipmunk's `cpvperp`).
    @inlinable public var perp: Vec2 { Vec2(-y, x) }
    @inlinable public var length: Double { (x * x + y * y).squareRoot() }
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite }

    /// Rotated by `angle` radians (counter-clockwise in a y-up frame).
    @inlinable public func rotated(_ angle: Double) -> Vec2 { rotated(cos: cos(angle), sin: sin(angle)) }
    @inlinable public func rotated(cos c: Double, sin s: Double) -> Vec2 { Vec2(c * x - s * y, s * x + c * y) }

    public var description: String { "(\(x), \(y))" }
}

/// A planar rotation about a fixed centre: the SO(2) action PushT's orbit variants use.
public struct PlanarRotation: Equatable, Sendable, Codable {
    public let angle: Double
    public let center: Vec2
    public let cos: Double
    public let sin: Double

    public init(angle: Double, center: Vec2) {
        self.angle = angle
        self.center = center
        self.cos = Foundation.cos(angle)
        self.sin = Foundation.sin(angle)
    }

    public var isIdentity: Bool { angle == 0 }
    public var inverse: PlanarRotation { PlanarRotation(angle: -angle, center: center) }

    /// c + R(theta)(p - c)
    @inlinable public func apply(point p: Vec2) -> Vec2 { center + (p - center).rotated(cos: cos, sin: sin) }
    /// R(theta) v (for directions and velocities).
    @inlinable public func apply(vector v: Vec2) -> Vec2 { v.rotated(cos: cos, sin: sin) }

    /// g applied to every consecutive (x, y) pair of a flat array, as points about the centre
    /// (PushT keypoint observations, batches of actions).
    public func apply(toPoints flat: [Double]) -> [Double] { Self.mapPairs(flat, apply(point:)) }

    /// R(theta) applied to every consecutive (x, y) pair of a flat array, as vectors.
    public func apply(toVectors flat: [Double]) -> [Double] { Self.mapPairs(flat, apply(vector:)) }

    /// `f` applied to every consecutive (x, y) pair of `flat` (a trailing odd number is kept as it is).
    @inline(__always) static func mapPairs(_ flat: [Double], _ f: (Vec2) -> Vec2) -> [Double] {
        var out = flat
        for k in 0..<(flat.count / 2) {
            let p = f(Vec2(flat[2 * k], flat[2 * k + 1]))
            out[2 * k] = p.x
            out[2 * k + 1] = p.y
        }
        return out
    }
}

/// Python's float `%` (the sign of the result follows the divisor), as the reference applies to angles.
@inlinable public func pythonMod(_ a: Double, _ m: Double) -> Double {
    var r = fmod(a, m)
    if r != 0 {
        if (m < 0) != (r < 0) { r += m }
    } else {
        r = copysign(0, m)
    }
    return r
}
