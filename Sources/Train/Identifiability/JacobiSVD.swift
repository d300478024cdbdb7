import Foundation

/// The singular value decomposition A = U diag(s) V^T of a real m x n matrix with m >= n, in Double, by one-sided
/// Jacobi (Hestenes): plane rotations applied to A's columns until every pair is orthogonal; the rotations
/// accumulate into V, the column norms are the singular values and the normalised columns are U. Accurate to a few
/// ulps relative to the largest singular value, and simple: the matrices of the identifiability experiments are at
/// most a few dozen wide. Columns of U for zero singular values are completed to an orthonormal basis, so U is
/// always m x n with orthonormal columns (what the polar factor needs).
public struct JacobiSVD: Sendable {
    /// m x n, orthonormal columns.
    public var u: [[Double]]
    /// n singular values, not sorted.
    public var singularValues: [Double]
    /// n x n orthogonal.
    public var v: [[Double]]

    public init(_ a: [[Double]], maxSweeps: Int = 60) {
        let m = a.count, n = a.first?.count ?? 0
        precondition(m >= n && n > 0 && a.allSatisfy { $0.count == n }, "JacobiSVD: need a rectangular m x n matrix with m >= n >= 1")
        // Work on columns: w[j] is column j of A (rotated in place).
        var w = (0..<n).map { j in a.map { $0[j] } }
        var vc = (0..<n).map { j in (0..<n).map { $0 == j ? 1.0 : 0.0 } }  // columns of V
        for _ in 0..<maxSweeps {
            var rotated = false
            for p in 0..<n {
                for q in (p + 1)..<max(n, p + 1) {
                    var alpha = 0.0, beta = 0.0, gamma = 0.0
                    for i in 0..<m {
                        alpha += w[p][i] * w[p][i]
                        beta += w[q][i] * w[q][i]
                        gamma += w[p][i] * w[q][i]
                    }
                    guard abs(gamma) > 1e-15 * (alpha * beta).squareRoot(), gamma != 0 else { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + (1 + zeta * zeta).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = c * t
                    for i in 0..<m {
                        let x = w[p][i], y = w[q][i]
                        w[p][i] = c * x - s * y
                        w[q][i] = s * x + c * y
                    }
                    for i in 0..<n {
                        let x = vc[p][i], y = vc[q][i]
                        vc[p][i] = c * x - s * y
                        vc[q][i] = s * x + c * y
                    }
                }
            }
            if !rotated { break }
        }
        let norms = w.map { col in col.map { $0 * $0 }.reduce(0, +).squareRoot() }
        let largest = norms.max() ?? 0
        var uc: [[Double]] = []  // columns of U
        var missing: [Int] = []
        for j in 0..<n {
            if norms[j] > 1e-13 * largest && norms[j] > 0 {
                uc.append(w[j].map { $0 / norms[j] })
            } else {
                uc.append([Double](repeating: 0, count: m))
                missing.append(j)
            }
        }
        // Complete U for (numerically) zero singular values: Gram-Schmidt of standard basis vectors.
        var e = 0
        for j in missing {
            while e < m {
                var x = (0..<m).map { $0 == e ? 1.0 : 0.0 }
                e += 1
                for k in 0..<n where k != j {  // unfilled columns are zero and change nothing
                    for _ in 0..<2 {  // twice is enough (Kahan)
                        let dot = (0..<m).map { x[$0] * uc[k][$0] }.reduce(0, +)
                        for i in 0..<m { x[i] -= dot * uc[k][i] }
                    }
                }
                let norm = x.map { $0 * $0 }.reduce(0, +).squareRoot()
                if norm > 1e-8 {
                    uc[j] = x.map { $0 / norm }
                    break
                }
            }
        }
        u = (0..<m).map { i in uc.map { $0[i] } }
        singularValues = norms.enumerated().map { missing.contains($0.offset) ? 0 : $0.element }
        v = (0..<n).map { i in vc.map { $0[i] } }
    }

    /// The orthogonal polar factor U V^T of a square matrix: the orthogonal matrix nearest to it (Frobenius), and the
    /// solution Q of orthogonal Procrustes, argmin over O(n) of ||X Q - Y|| with `a` = X^T Y.
    public static func polarFactor(_ a: [[Double]]) -> [[Double]] {
        precondition(a.count == a.first?.count, "polarFactor: need a square matrix")
        let svd = JacobiSVD(a)
        let n = a.count
        return (0..<n).map { i in (0..<n).map { j in (0..<n).map { svd.u[i][$0] * svd.v[j][$0] }.reduce(0, +) } }
    }
}
