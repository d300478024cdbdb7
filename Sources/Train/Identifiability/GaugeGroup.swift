import Foundation

/// A subgroup of O(n) of the form prod_b (Q_b (x) I_{d_b}): block b is `copies` x `components` coordinates
/// (indices into R^n), and Q_b in O(copies) mixes the copies alike in every component; coordinates in no block are
/// left fixed. O(n) is one block of n copies of one component; the stabiliser of a block-isotropic law with distinct
/// scales, prod_i O(d_i m_i), has one block per isotypic block with d_i m_i copies of one component; the commutant
/// prod_i O(m_i) has m_i copies of d_i components; the identity has no blocks.
///
/// `align` is orthogonal Procrustes restricted to the group: min over Q in G of ||X Q - Y||_F for latents X, Y
/// (rows are samples). The blocks decouple, and within one the objective is -tr(Q_b^T sum_k X_k^T Y_k) + const with
/// X_k the copies' columns of component k, so Q_b is the polar factor of sum_k X_k^T Y_k (Procrustes on the
/// stacked components).
public struct GaugeGroup: Sendable, Equatable {
    public var name: String
    /// blocks[b][copy][component]: a coordinate index.
    public var blocks: [[[Int]]]
    public var dimension: Int

    public init(name: String, dimension: Int, blocks: [[[Int]]]) {
        let all = blocks.flatMap { $0.flatMap { $0 } }
        precondition(Set(all).count == all.count && all.allSatisfy { (0..<dimension).contains($0) }, "GaugeGroup: overlapping or bad indices")
        precondition(
            blocks.allSatisfy { b in !b.isEmpty && b.allSatisfy { $0.count == b[0].count } }, "GaugeGroup: every copy needs the same components")
        self.name = name; self.dimension = dimension; self.blocks = blocks
    }

    /// Dimension of the group as a manifold: sum_b copies(copies - 1)/2.
    public var gaugeDimension: Int { blocks.map { IsotypicLayout.orthogonalDimension($0.count) }.reduce(0, +) }

    public static func orthogonal(_ n: Int) -> GaugeGroup { GaugeGroup(name: "O(n)", dimension: n, blocks: [(0..<n).map { [$0] }]) }
    public static func identity(_ n: Int) -> GaugeGroup { GaugeGroup(name: "identity", dimension: n, blocks: []) }

    /// The orthogonal map Q (n x n) in the group nearest to aligning `x` onto `y` (rows of n, same count).
    public func align(_ x: [Double], _ y: [Double]) -> [[Double]] {
        let n = dimension
        precondition(x.count == y.count && x.count % n == 0, "GaugeGroup.align: \(x.count) and \(y.count) numbers for rows of \(n)")
        let rows = x.count / n
        var q = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for block in blocks {
            let m = block.count
            var a = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for k in block[0].indices {
                for r in 0..<rows {
                    let o = r * n
                    for c in 0..<m {
                        let xc = x[o + block[c][k]]
                        for c2 in 0..<m { a[c][c2] += xc * y[o + block[c2][k]] }
                    }
                }
            }
            let qb = JacobiSVD.polarFactor(a)
            for k in block[0].indices {
                for c in 0..<m { for c2 in 0..<m { q[block[c][k]][block[c2][k]] = qb[c][c2] } }
            }
        }
        return q
    }

    /// ||X Q - Y||_F / ||Y||_F over rows of n.
    public static func relativeResidual(_ x: [Double], _ q: [[Double]], _ y: [Double]) -> Double {
        let n = q.count, rows = x.count / n
        var num = 0.0, den = 0.0
        for r in 0..<rows {
            let o = r * n
            for j in 0..<n {
                var s = 0.0
                for i in 0..<n { s += x[o + i] * q[i][j] }
                num += (s - y[o + j]) * (s - y[o + j])
                den += y[o + j] * y[o + j]
            }
        }
        return den == 0 ? 0 : (num / den).squareRoot()
    }
}

extension IsotypicLayout {
    /// The block stabiliser prod_i O(d_i m_i) as a group on this layout's coordinates.
    public func stabiliserGroup(name: String = "stabiliser") -> GaugeGroup {
        GaugeGroup(
            name: name, dimension: dimension,
            blocks: zip(blocks, offsets).map { b, o in (0..<(b.irrepDimension * b.copies)).map { [o + $0] } })
    }

    /// The commutant prod_i (O(m_i) (x) I_{d_i}) (copy c's component k at offset + c d_i + k).
    public func commutantGroup(name: String = "commutant") -> GaugeGroup {
        GaugeGroup(
            name: name, dimension: dimension,
            blocks: zip(blocks, offsets).map { b, o in (0..<b.copies).map { c in (0..<b.irrepDimension).map { o + c * b.irrepDimension + $0 } } })
    }
}
