import Foundation

/// A point uniform in the ball of radius `radius` about the origin (the generator the 3D worlds use).
public func uniformPointInBall<G: RandomNumberGenerator>(radius: Double, using rng: inout G) -> Vec3 {
    randomPointInBall(radius: radius, using: &rng)
}

extension Teacher3DEnv {
    /// An anisotropic canonical start for world-model data and planning tasks: the template cloud turned by a
    /// rotation vector uniform in the ball of radius `spread` (radians; near the template's own orientation,
    /// unlike `reset`'s uniform rotation) and moved to a point uniform in the ball of radius `centreRadius`.
    /// With a small spread the canonical data covers a small piece of SO(3), so a slice of the ladder is a
    /// real restriction (as PushT's goal-region start). Returns the 3 N coordinates (`ResetOptions.state`).
    public func orientedStart<G: RandomNumberGenerator>(spread: Double, centreRadius: Double = 0.5, using rng: inout G) -> [Double] {
        let r = Mat3.rotation(vector: randomPointInBall(radius: spread, using: &rng))
        let c = randomPointInBall(radius: centreRadius, using: &rng)
        return template.flatMap { (r * $0 + c).array }
    }

    /// The centroid of a flat cloud `points[range]` (x, y, z triples).
    public static func centroid(_ values: [Double], points: Int, offset: Int = 0) -> Vec3 {
        var c = Vec3.zero
        for k in 0..<points { c += Vec3(values, at: offset + 3 * k) }
        return c * (1 / Double(points))
    }
}
