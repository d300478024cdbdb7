import Agents

/// The canonical frame of the equivariant planner, computed from the current and goal latents.
///
/// v = sum over vector channels of (z_c + z*_c) is an equivariant vector: for rho(g) acting on both latents
/// it turns into R(g) v. Its direction u = v / |v| and u's perpendicular are the frame's axes, so a canonical
/// action maps to the world as c + [u, u_perp] (a - c), and R(g) [u, u_perp] = [u', u'_perp]: the planner's
/// canonical samples, costs and statistics are the same for every g, and the world plan turns with g.
/// When |v| is tiny against the latents' size the direction is noise; the frame then falls back to the
/// largest-norm vector channel, and if that is zero too, to the identity (not equivariant): both counted.
public struct PlanningFrame: Sendable, Equatable {
    /// Unit x axis of the canonical frame, in world coordinates.
    public var axis: (x: Double, y: Double)
    public var center: (x: Double, y: Double)
    public enum Source: String, Sendable { case channelSum, largestChannel, identity }
    public var source: Source

    public static func == (a: PlanningFrame, b: PlanningFrame) -> Bool {
        a.axis == b.axis && a.center == b.center && a.source == b.source
    }

    public static func identity(center: (x: Double, y: Double)) -> PlanningFrame {
        PlanningFrame(axis: (1, 0), center: center, source: .identity)
    }

    /// The frame of latents `z` and `goal` (layout of `rep`, which must have dim 2).
    public static func from(_ z: [Double], goal: [Double], rep: Rep, center: (x: Double, y: Double), relativeTolerance: Double = 1e-9)
        -> PlanningFrame
    {
        precondition(rep.dim == 2, "the planar canonical frame needs 2D vector channels")
        var vx = 0.0, vy = 0.0, scale = 0.0
        var best = (x: 0.0, y: 0.0, norm: 0.0)
        for c in 0..<rep.vectors {
            let i = rep.scalars + 2 * c
            for (x, y) in [(z[i], z[i + 1]), (goal[i], goal[i + 1])] {
                vx += x; vy += y
                let n = (x * x + y * y).squareRoot()
                scale += n
                if n > best.norm { best = (x, y, n) }
            }
        }
        let norm = (vx * vx + vy * vy).squareRoot()
        if norm > relativeTolerance * scale, norm > 0 {
            return PlanningFrame(axis: (vx / norm, vy / norm), center: center, source: .channelSum)
        }
        if best.norm > 0 {
            return PlanningFrame(axis: (best.x / best.norm, best.y / best.norm), center: center, source: .largestChannel)
        }
        return .identity(center: center)
    }

    /// Canonical -> world, for every consecutive (x, y) pair in place.
    public func toWorld(_ a: inout [Double]) {
        var i = 0
        while i + 1 < a.count {
            let dx = a[i] - center.x, dy = a[i + 1] - center.y
            a[i] = center.x + axis.x * dx - axis.y * dy
            a[i + 1] = center.y + axis.y * dx + axis.x * dy
            i += 2
        }
    }

    /// Canonical -> world for vectors (the rotation alone), in place.
    public func toWorld(vectors a: inout [Double]) {
        var i = 0
        while i + 1 < a.count {
            let dx = a[i], dy = a[i + 1]
            a[i] = axis.x * dx - axis.y * dy
            a[i + 1] = axis.y * dx + axis.x * dy
            i += 2
        }
    }

    /// World -> canonical for vectors, in place.
    public func toCanonical(vectors a: inout [Double]) {
        var i = 0
        while i + 1 < a.count {
            let dx = a[i], dy = a[i + 1]
            a[i] = axis.x * dx + axis.y * dy
            a[i + 1] = -axis.y * dx + axis.x * dy
            i += 2
        }
    }

    /// World -> canonical (the transpose), in place.
    public func toCanonical(_ a: inout [Double]) {
        var i = 0
        while i + 1 < a.count {
            let dx = a[i] - center.x, dy = a[i + 1] - center.y
            a[i] = center.x + axis.x * dx + axis.y * dy
            a[i + 1] = center.y - axis.y * dx + axis.x * dy
            i += 2
        }
    }
}
