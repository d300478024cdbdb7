import Agents
import Foundation
import Seeded

/// How far a `LatentCost` is from invariant under a map of the latent, measured on pairs (z, y) of latent rows:
/// max over pairs of |c(M z, M y) - c(z, y)| / |c(z, y)|, in Double. Under rho(g) (the world's group acting on every
/// irrep copy) each cost is invariant to rounding; under a random orthogonal map of the whole latent (Haar on O(n)),
/// only `euclidean` is.
public enum LatentCostInvariance {
    /// rho(g) on one latent row of `rep`: scalars unchanged, every vector channel turned by g.
    public static func act(_ g: OrthogonalTransform, on row: [Double], rep: Rep) -> [Double] {
        precondition(g.dim == rep.dim && row.count == rep.size, "LatentCostInvariance.act: element or row does not fit \(rep)")
        var out = row
        let d = rep.dim
        for c in 0..<rep.vectors {
            let base = rep.scalars + c * d
            for i in 0..<d { out[base + i] = (0..<d).map { g.matrix[i * d + $0] * row[base + $0] }.reduce(0, +) }
        }
        return out
    }

    /// A Haar-random orthogonal n x n matrix (row-major): Gram-Schmidt of a Gaussian matrix's rows.
    public static func randomOrthogonal(_ n: Int, using rng: inout Xoshiro256) -> [Double] {
        var rows: [[Double]] = []
        while rows.count < n {
            var v = (0..<n).map { _ in rng.nextNormal() }
            for r in rows {
                let p = zip(v, r).map { $0 * $1 }.reduce(0, +)
                v = zip(v, r).map { $0 - p * $1 }
            }
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            if norm > 1e-8 { rows.append(v.map { $0 / norm }) }
        }
        return rows.flatMap { $0 }
    }

    /// max over `pairs` of |c(M z, M y) - c(z, y)| / |c(z, y)| for the map `transform` of latent rows.
    public static func residual(
        _ cost: LatentCost, rep: Rep, pairs: [(z: [Double], y: [Double])], transform: ([Double]) -> [Double]
    ) -> Double {
        var worst = 0.0
        for (z, y) in pairs {
            let before = z.withUnsafeBufferPointer { cost.against(goal: y, rep: rep)($0) }
            let after = transform(z).withUnsafeBufferPointer { cost.against(goal: transform(y), rep: rep)($0) }
            worst = max(worst, abs(after - before) / max(abs(before), Double.leastNormalMagnitude))
        }
        return worst
    }

    /// The residual under `elements` random elements of the world's group (rotations and rotation-reflections of O(d)).
    public static func groupResidual(_ cost: LatentCost, rep: Rep, pairs: [(z: [Double], y: [Double])], elements: Int = 8, seed: UInt64 = 0) -> Double
    {
        var rng = Xoshiro256(seed: seed)
        var worst = 0.0
        for k in 0..<elements {
            let g = OrthogonalTransform.random(dim: rep.dim, reflect: k % 2 == 1, using: &rng)
            worst = max(worst, residual(cost, rep: rep, pairs: pairs) { act(g, on: $0, rep: rep) })
        }
        return worst
    }

    /// The residual under `elements` Haar-random orthogonal maps of the whole latent (O(n), n = rep.size).
    public static func orthogonalResidual(
        _ cost: LatentCost, rep: Rep, pairs: [(z: [Double], y: [Double])], elements: Int = 8, seed: UInt64 = 0
    ) -> Double {
        var rng = Xoshiro256(seed: seed)
        let n = rep.size
        var worst = 0.0
        for _ in 0..<elements {
            let q = randomOrthogonal(n, using: &rng)
            worst = max(
                worst, residual(cost, rep: rep, pairs: pairs) { row in (0..<n).map { i in (0..<n).map { q[i * n + $0] * row[$0] }.reduce(0, +) } })
        }
        return worst
    }
}
