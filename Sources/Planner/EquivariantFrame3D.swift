import Agents
import Envs
import Foundation

/// The canonical frame of the 3D equivariant planner, computed from the current and goal latents (vector channels
/// of 3-vectors; rho(g) turns every channel by R(g)).
///
/// Two fixed combinations of the channels of s_c = z_c + z*_c are equivariant vectors: v1 = sum_c s_c and
/// v2 = sum_c (-1)^c s_c. Gram-Schmidt gives e1 = v1 / |v1|, e2 = (v2 - <v2, e1> e1) / |...|, and e3 = e1 x e2
/// (a proper rotation: the world's group is SE(3), det R = +1). For rho(g) on both latents the frame becomes
/// R(g) F, so canonical samples map to the world as F a_c and the plan turns with g.
///
/// Degenerate frames (|v1| or the part of v2 orthogonal to v1 below `relativeTolerance` times the channels' total
/// norm: near-zero or near-parallel vectors) fall back deterministically to the Gram-Schmidt of the two largest
/// channels of s that are not parallel (still equivariant, up to ties in the norms), and if there is none, to the
/// identity (not equivariant). Both are counted by the planner.
public struct PlanningFrame3D: Sendable, Equatable {
    /// Columns e1, e2, e3 (canonical -> world rotation).
    public var rotation: Mat3
    public enum Source: String, Sendable, Codable { case combinations, largestChannels, identity }
    public var source: Source

    public static let identity = PlanningFrame3D(rotation: .identity, source: .identity)

    static func gramSchmidt(_ a: Vec3, _ b: Vec3, tolerance: Double) -> Mat3? {
        let na = a.length
        guard na > tolerance, na > 0 else { return nil }
        let e1 = a * (1 / na)
        let u = b - b.dot(e1) * e1
        let nu = u.length
        guard nu > tolerance, nu > 0 else { return nil }
        let e2 = u * (1 / nu)
        return Mat3(columns: e1, e2, e1.cross(e2))
    }

    /// The frame of latents `z` and `goal` (layout of `rep`, dim 3).
    public static func from(_ z: [Double], goal: [Double], rep: Rep, relativeTolerance: Double = 1e-6) -> PlanningFrame3D {
        precondition(rep.dim == 3, "the 3D canonical frame needs 3D vector channels")
        var channels: [Vec3] = []
        var v1 = Vec3.zero, v2 = Vec3.zero, scale = 0.0
        for c in 0..<rep.vectors {
            let i = rep.scalars + 3 * c
            let s = Vec3(z[i] + goal[i], z[i + 1] + goal[i + 1], z[i + 2] + goal[i + 2])
            channels.append(s)
            v1 += s
            v2 += c % 2 == 0 ? s : -s
            scale += s.length
        }
        let tol = relativeTolerance * scale
        if let r = gramSchmidt(v1, v2, tolerance: tol) { return PlanningFrame3D(rotation: r, source: .combinations) }
        let order = channels.indices.sorted { channels[$0].length > channels[$1].length || (channels[$0].length == channels[$1].length && $0 < $1) }
        for (n, i) in order.enumerated() {
            for j in order.dropFirst(n + 1) {
                if let r = gramSchmidt(channels[i], channels[j], tolerance: tol) { return PlanningFrame3D(rotation: r, source: .largestChannels) }
            }
        }
        return .identity
    }

    /// Canonical -> world for every consecutive 3-vector of `a`, in place.
    public func toWorld(_ a: inout [Double]) { Self.apply(rotation, &a) }
    /// World -> canonical (the transpose), in place.
    public func toCanonical(_ a: inout [Double]) { Self.apply(rotation.transpose, &a) }

    static func apply(_ r: Mat3, _ a: inout [Double]) {
        var i = 0
        while i + 2 < a.count {
            let w = r * Vec3(a, at: i)
            a[i] = w.x; a[i + 1] = w.y; a[i + 2] = w.z
            i += 3
        }
    }
}
