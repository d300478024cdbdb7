import Foundation

extension Push3DEnv {
    /// An anisotropic canonical start for world-model data and goal tasks (the `teacher3d` recipe): every object at
    /// the shape's own orientation turned by a rotation vector uniform in the ball of radius `spread` (radians; unlike
    /// `reset`'s uniform rotations, so the identity slice covers a small piece of SO(3) and a slice is a real
    /// restriction), its centre uniform in the ball of `reset` (radius 0.6, + 0.25 per extra object), bounding spheres
    /// disjoint; the pusher at rest, uniform in the ball of radius 0.9 and clear of every object; the canonical goals.
    /// Returns a full state (`ResetOptions.state`). Draws only from `rng`: a pure function of the generator.
    public func orientedStart<G: RandomNumberGenerator>(spread: Double, using rng: inout G) -> [Double] {
        startState(using: &rng) { Mat3.rotation(vector: randomPointInBall(radius: spread, using: &$0)) }
    }

    /// A start state as `reset` and `orientedStart` draw it: object centres uniform in the ball of radius 0.6 (+ 0.25
    /// per extra object) with disjoint bounding spheres, each object's orientation from `orientation` (drawn right after
    /// its centre), the pusher at rest, uniform in the ball of radius 0.9 and clear of every object, the canonical goals.
    func startState<G: RandomNumberGenerator>(using rng: inout G, orientation: (inout G) -> Mat3) -> [Double] {
        let o = objectCount
        var centres: [Vec3] = [], orientations: [Mat3] = []
        let radius = 0.6 + 0.25 * Double(o - 1)
        while centres.count < o {
            let c = randomPointInBall(radius: radius, using: &rng)
            let r = orientation(&rng)
            if centres.allSatisfy({ ($0 - c).length > 2 * shape.boundingRadius + 0.02 }) { centres.append(c); orientations.append(r) }
        }
        var pusher = Vec3.zero
        repeat {
            pusher = randomPointInBall(radius: 0.9, using: &rng)
        } while !centres.allSatisfy({ ($0 - pusher).length > shape.boundingRadius + physics.config.pusherRadius + 0.02 })
        var s = pusher.array + Vec3.zero.array
        for k in 0..<o { s += Pose3D(position: centres[k], orientation: orientations[k]).poseArray }
        for g in Self.canonicalGoals(count: o) { s += g.poseArray }
        return s
    }

    /// The mean keypoint distance between the object clouds of two observations (`points` or `scene` layout: the
    /// first `objects` x `keypoints` points), minimised over the assignments of objects to objects: the objects are
    /// interchangeable, so it depends only on the two sets of clouds (invariant under S_O on either side and under
    /// SE(3) on both).
    public static func setPointError(_ a: [Double], _ b: [Double], objects: Int, keypoints: Int) -> Double {
        precondition(a.count >= 3 * objects * keypoints && b.count >= 3 * objects * keypoints, "setPointError: clouds too short")
        var table = [[Double]](repeating: [Double](repeating: 0, count: objects), count: objects)
        for i in 0..<objects {
            for j in 0..<objects {
                var s = 0.0
                for k in 0..<keypoints { s += (Vec3(a, at: 3 * (i * keypoints + k)) - Vec3(b, at: 3 * (j * keypoints + k))).length }
                table[i][j] = s / Double(keypoints)
            }
        }
        var best = Double.infinity
        for perm in permutations(objects) {
            var d = 0.0
            for i in 0..<objects { d += table[i][perm[i]] }
            best = min(best, d / Double(objects))
        }
        return best
    }
}
