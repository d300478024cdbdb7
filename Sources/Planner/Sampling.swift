import Foundation

/// A seeded Gaussian source (xoshiro256** with Box-Muller), so a planner with the same seed draws the
/// same noise whatever the world's orientation.
public struct GaussianNoise: Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spare: Double?

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    private mutating func nextUInt64() -> UInt64 {
        func rotl(_ v: UInt64, _ k: UInt64) -> UInt64 { (v << k) | (v >> (64 - k)) }
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// Uniform in (0, 1].
    public mutating func uniform() -> Double { (Double(nextUInt64() >> 11) + 1) * (1.0 / 9007199254740992.0) }

    public mutating func next() -> Double {
        if let v = spare { spare = nil; return v }
        let r = (-2 * log(uniform())).squareRoot(), phi = 2 * Double.pi * uniform()
        spare = r * sin(phi)
        return r * cos(phi)
    }

    public mutating func fill(_ out: inout [Double]) {
        for i in out.indices { out[i] = next() }
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
