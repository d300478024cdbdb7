import Foundation
import Seeded

/// Standard normal draws from the shared seeded generator, so a planner with the same seed draws the
/// same noise whatever the world's orientation.
public struct GaussianNoise: Sendable {
    private var rng: Xoshiro256
    public init(seed: UInt64) { rng = Xoshiro256(seed: seed) }
    public mutating func next() -> Double { rng.nextNormal() }
    public mutating func fill(_ out: inout [Double]) {
        for i in out.indices { out[i] = rng.nextNormal() }
    }
}

/// Where sampled 2D actions may go.
public enum ActionBounds: Sendable, Equatable {
    /// The env's box (what the plain planners use): clip each coordinate.
    case box(low: [Double], high: [Double])
    /// A disc: project onto it. Invariant under rotations about its centre, so the equivariant planner
    /// uses the largest disc about the symmetry centre inside the box (PushT: centre (256,256), radius 256).
    case disc(center: (x: Double, y: Double), radius: Double)
    /// A ball about the origin in any dimension: project each action onto it. Invariant under every
    /// rotation, so the 3D equivariant planner samples offsets (actions relative to a reference point) in it.
    case ball(radius: Double)
    case none

    public static func == (a: ActionBounds, b: ActionBounds) -> Bool {
        switch (a, b) {
        case let (.box(l1, h1), .box(l2, h2)): return l1 == l2 && h1 == h2
        case let (.disc(c1, r1), .disc(c2, r2)): return c1 == c2 && r1 == r2
        case let (.ball(r1), .ball(r2)): return r1 == r2
        case (.none, .none): return true
        default: return false
        }
    }

    /// Applies the bound to every consecutive `dim`-tuple of `actions` in place.
    public func apply(_ actions: inout [Double], dim: Int) {
        switch self {
        case .none: return
        case let .ball(r):
            var i = 0
            while i + dim <= actions.count {
                var n2 = 0.0
                for j in i..<(i + dim) { n2 += actions[j] * actions[j] }
                let n = n2.squareRoot()
                if n > r { for j in i..<(i + dim) { actions[j] *= r / n } }
                i += dim
            }
        case let .box(low, high):
            for i in actions.indices { actions[i] = min(max(actions[i], low[i % dim]), high[i % dim]) }
        case let .disc(c, r):
            precondition(dim == 2, "disc bounds are for 2D actions")
            var i = 0
            while i + 1 < actions.count {
                let dx = actions[i] - c.x, dy = actions[i + 1] - c.y
                let d = (dx * dx + dy * dy).squareRoot()
                if d > r {
                    actions[i] = c.x + dx * (r / d)
                    actions[i + 1] = c.y + dy * (r / d)
                }
                i += 2
            }
        }
    }
}
