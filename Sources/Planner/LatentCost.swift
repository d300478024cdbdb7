import Agents
import Foundation

/// The distance the latent planners score a predicted latent z against the goal latent y with (`MPCConfig.latentCost`).
///
/// The latent is a representation rho = I_n0 (+) (I_n1 (x) g) of the world's group G (`Rep`: n0 invariant scalars, then
/// n1 vectors). Every cost here is G-invariant, c(rho(g) z, rho(g) y) = c(z, y), which is what keeps the equivariant
/// planner exact; only `euclidean` is invariant under all of O(n) (the hypothesis of LeJEPA's planning theorem):
/// - `euclidean`: |z - y|^2, O(n)-invariant (times the per-number weights of `MPCConfig.learnedChannelWeight`, if any).
/// - `irrepWeighted`: sum over irrep copies c of w_c |z_c - y_c|^2, one weight per scalar channel and per vector
///   channel. Weights per isotypic block are the case where the copies of one irrep share a weight; on a latent with one
///   isotypic type (PushT's: vectors only) that case is `euclidean` scaled, so the weights go on the copies, the
///   commutant's freedom. G-invariant (each copy's distance is), not O(n)-invariant unless all weights are equal.
/// - `norms`: sum_c (|z_c|^2 - |y_c|^2)^2 over vector channels, plus (z_s - y_s)^2 over scalars: a distance of invariants.
/// - `gram`: sum_{i <= j} (<z_i, z_j> - <y_i, y_j>)^2 over vector channels (norms and inner products), plus the scalars'
///   squared differences: the distance of the latents' Gram matrices. Zero exactly when z = h y for some h in O(d), so
///   it cannot tell the goal from the goal turned about the world's centre.
public enum LatentCost: Sendable, Equatable, CustomStringConvertible {
    case euclidean
    case irrepWeighted(copies: [Double])
    case norms
    case gram

    public var name: String {
        switch self {
        case .euclidean: return "euclidean"
        case .irrepWeighted: return "irrep-weighted"
        case .norms: return "norms"
        case .gram: return "gram"
        }
    }

    public var description: String { name }

    /// True only for the cost that every orthogonal map of the whole latent leaves unchanged.
    public var isOrthogonallyInvariant: Bool { self == .euclidean }

    /// Weights per isotypic block (the scalars' and the vectors'), as one weight per copy.
    public static func blockWeighted(rep: Rep, scalars: Double, vectors: Double) -> LatentCost {
        .irrepWeighted(copies: [Double](repeating: scalars, count: rep.scalars) + [Double](repeating: vectors, count: rep.vectors))
    }

    /// Per-copy weights 1 / mean |z_c|^2 over `latents` (`count` rows of `rep.size` numbers): each irrep copy scored in
    /// units of its own spread (the commutant's diagonal whitening). Norms are invariant, so these weights are the same
    /// whether the latents were taken at one orientation or another.
    public static func whitened(latents: [Double], count: Int, rep: Rep) -> LatentCost {
        precondition(count > 0 && latents.count == count * rep.size, "LatentCost.whitened: \(latents.count) numbers for \(count) x \(rep.size)")
        var power = [Double](repeating: 0, count: rep.scalars + rep.vectors)
        for r in 0..<count {
            let row = Array(latents[(r * rep.size)..<((r + 1) * rep.size)])
            for (c, block) in Self.copies(rep).enumerated() { power[c] += block.map { row[$0] * row[$0] }.reduce(0, +) / Double(count) }
        }
        return .irrepWeighted(copies: power.map { 1 / max($0, 1e-12) })
    }

    /// The index ranges of the irrep copies of a latent row: each scalar, then each vector's `rep.dim` numbers.
    static func copies(_ rep: Rep) -> [Range<Int>] {
        (0..<rep.scalars).map { $0..<($0 + 1) } + (0..<rep.vectors).map { rep.scalars + $0 * rep.dim..<rep.scalars + ($0 + 1) * rep.dim }
    }

    /// Throws unless the cost fits latents of `rep`.
    public func validate(rep: Rep) throws {
        if case .irrepWeighted(let w) = self {
            guard w.count == rep.scalars + rep.vectors else {
                throw PlanningSetupError("irrep-weighted cost: \(w.count) weights for a latent of \(rep.scalars + rep.vectors) irrep copies")
            }
            guard w.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw PlanningSetupError("irrep-weighted cost: weights must be finite and >= 0") }
        }
    }

    /// The cost against a fixed goal (its invariants computed once): a function of one latent row. `weights` are the
    /// per-number weights `euclidean` uses (nil: plain).
    public func against(goal: [Double], rep: Rep, weights: [Double]? = nil) -> (UnsafeBufferPointer<Double>) -> Double {
        precondition(goal.count == rep.size, "LatentCost: a goal of \(goal.count) numbers for a latent of \(rep.size)")
        let n0 = rep.scalars
        func scalarPart(_ z: UnsafeBufferPointer<Double>) -> Double {
            var c = 0.0
            for s in 0..<n0 { let e = z[s] - goal[s]; c += e * e }
            return c
        }
        switch self {
        case .euclidean:
            return { z in squaredDistance(z, goal, weights: weights) }
        case .irrepWeighted(let w):
            let ranges = Self.copies(rep)
            return { z in
                var c = 0.0
                for (k, range) in ranges.enumerated() {
                    var e2 = 0.0
                    for j in range { let e = z[j] - goal[j]; e2 += e * e }
                    c += w[k] * e2
                }
                return c
            }
        case .norms:
            let goalNorms = Self.gram(goal, rep: rep, crossTerms: false)
            return { z in
                let norms = Self.gram(z, rep: rep, crossTerms: false)
                return scalarPart(z) + zip(norms, goalNorms).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }
        case .gram:
            let goalGram = Self.gram(goal, rep: rep, crossTerms: true)
            return { z in
                let g = Self.gram(z, rep: rep, crossTerms: true)
                return scalarPart(z) + zip(g, goalGram).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            }
        }
    }

    /// <v_i, v_j> for i <= j over the vector channels of one row (only i == j without `crossTerms`).
    static func gram<C: Collection>(_ row: C, rep: Rep, crossTerms: Bool) -> [Double] where C.Element == Double, C.Index == Int {
        let n0 = rep.scalars, d = rep.dim, n1 = rep.vectors
        let base = row.startIndex
        var out: [Double] = []
        out.reserveCapacity(crossTerms ? n1 * (n1 + 1) / 2 : n1)
        for i in 0..<n1 {
            for j in i..<(crossTerms ? n1 : i + 1) {
                var s = 0.0
                for k in 0..<d { s += row[base + n0 + i * d + k] * row[base + n0 + j * d + k] }
                out.append(s)
            }
        }
        return out
    }
}
