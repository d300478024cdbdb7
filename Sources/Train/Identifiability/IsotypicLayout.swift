import Foundation

/// A latent laid out in isotypic blocks of a group representation: block i is `copies` (m_i) copies of an irrep of
/// dimension `irrepDimension` (d_i), stored copy by copy (index = block offset + copy * d_i + component). The paper's
/// minimal SO(3) latent (experiment C1) is 4 invariant scalars and 6 vectors: rho(R) = I_4 (+) (I_6 (x) R) on R^22.
///
/// By Schur's lemma a G-invariant covariance has the form (+)_i (B_i (x) I_{d_i}) with B_i a symmetric m_i x m_i
/// matrix, and the orthogonal maps that commute with rho (the commutant, the gauge an equivariant latent keeps) are
/// (+)_i (Q_i (x) I_{d_i}) with Q_i in O(m_i).
public struct IsotypicLayout: Sendable, Equatable {
    public struct Block: Sendable, Equatable {
        public var irrepDimension: Int
        public var copies: Int
        public init(irrepDimension: Int, copies: Int) { self.irrepDimension = irrepDimension; self.copies = copies }
    }

    public var blocks: [Block]
    public init(_ blocks: [Block]) { self.blocks = blocks }

    /// C1's latent: 4 scalars and 6 three-vectors.
    public static let c1 = IsotypicLayout([Block(irrepDimension: 1, copies: 4), Block(irrepDimension: 3, copies: 6)])

    public var dimension: Int { blocks.map { $0.irrepDimension * $0.copies }.reduce(0, +) }
    /// Where each block starts.
    public var offsets: [Int] { blocks.indices.map { i in blocks[..<i].map { $0.irrepDimension * $0.copies }.reduce(0, +) } }

    /// dim O(n) = n(n-1)/2: the gauge of a latent identified only up to an orthogonal map.
    public var orthogonalGaugeDimension: Int { Self.orthogonalDimension(dimension) }
    /// dim prod_i O(d_i m_i): the orthogonal maps that keep a block-isotropic law with distinct per-block scales.
    public var stabiliserGaugeDimension: Int { blocks.map { Self.orthogonalDimension($0.irrepDimension * $0.copies) }.reduce(0, +) }
    /// dim prod_i O(m_i) = sum_i m_i(m_i-1)/2: the commutant of rho, the gauge left with equivariance.
    public var commutantGaugeDimension: Int { blocks.map { Self.orthogonalDimension($0.copies) }.reduce(0, +) }

    static func orthogonalDimension(_ n: Int) -> Int { n * (n - 1) / 2 }

    /// rho(R) for a 3 x 3 rotation R: the identity on scalar blocks, R on every vector copy (irreps of dimension 1 and 3).
    public func action(_ r: [[Double]]) -> [[Double]] {
        precondition(blocks.allSatisfy { $0.irrepDimension == 1 || $0.irrepDimension == 3 }, "action: irreps of dimension 1 or 3 only")
        var m = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: dimension)
        for (block, offset) in zip(blocks, offsets) {
            for c in 0..<block.copies {
                let o = offset + c * block.irrepDimension
                for i in 0..<block.irrepDimension {
                    for j in 0..<block.irrepDimension { m[o + i][o + j] = block.irrepDimension == 1 ? 1 : r[i][j] }
                }
            }
        }
        return m
    }

    /// The nearest matrix of Schur's form (+)_i (B_i (x) I_{d_i}) to a symmetric `sigma` (Frobenius), and the share of
    /// `sigma`'s Frobenius norm outside that form: 0 for a G-invariant covariance.
    public func schurResidual(_ sigma: [[Double]]) -> Double {
        var outside = 0.0, total = 0.0
        for row in sigma { for x in row { total += x * x } }
        var projected = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: dimension)
        for (block, offset) in zip(blocks, offsets) {
            let d = block.irrepDimension
            for c in 0..<block.copies {
                for c2 in 0..<block.copies {
                    let b = (0..<d).map { sigma[offset + c * d + $0][offset + c2 * d + $0] }.reduce(0, +) / Double(d)
                    for k in 0..<d { projected[offset + c * d + k][offset + c2 * d + k] = b }
                }
            }
        }
        for i in 0..<dimension { for j in 0..<dimension { outside += (sigma[i][j] - projected[i][j]) * (sigma[i][j] - projected[i][j]) } }
        return total == 0 ? 0 : (outside / total).squareRoot()
    }
}

/// The orthogonal Helmert basis on R^n: row 0 is the mean direction (1, ..., 1)/sqrt(n), the trivial irrep of the
/// permutation group S_n; rows 1...n-1 are an orthonormal basis of its complement, the standard irrep. Used to make
/// the blocks of S_O x SO(3) contiguous on the object axis (experiment 3).
public enum HelmertBasis {
    public static func matrix(_ n: Int) -> [[Double]] {
        precondition(n >= 1, "Helmert basis of R^\(n)")
        var h = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for j in 0..<n { h[0][j] = 1 / Double(n).squareRoot() }
        for k in 1..<max(n, 1) {
            let norm = (Double(k) * Double(k + 1)).squareRoot()
            for j in 0..<k { h[k][j] = 1 / norm }
            h[k][k] = -Double(k) / norm
        }
        return h
    }
}

/// The rotation group of the cube (24 signed permutation matrices of determinant 1). Exact in floating point, and on
/// it the vector irrep of SO(3) stays irreducible, so averaging over it gives exactly what the Haar average over SO(3)
/// gives for covariances of scalars and vectors: Schur's form.
public enum OctahedralGroup {
    public static let rotations: [[[Double]]] = {
        let permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        var out: [[[Double]]] = []
        for p in permutations {
            for signs in 0..<8 {
                var m = [[Double]](repeating: [0, 0, 0], count: 3)
                for i in 0..<3 { m[i][p[i]] = (signs >> i) & 1 == 1 ? -1 : 1 }
                if determinant(m) == 1 { out.append(m) }
            }
        }
        return out
    }()

    static func determinant(_ m: [[Double]]) -> Double {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }

    /// (1/|G|) sum_g rho(g) sigma rho(g)^T over the group, for a covariance of `layout`.
    public static func average(_ sigma: [[Double]], layout: IsotypicLayout) -> [[Double]] {
        let n = layout.dimension
        var sum = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for r in rotations {
            let g = layout.action(r)
            let conjugated = multiply(multiply(g, sigma), transpose(g))
            for i in 0..<n { for j in 0..<n { sum[i][j] += conjugated[i][j] / Double(rotations.count) } }
        }
        return sum
    }

    static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        a.map { row in b[0].indices.map { j in row.indices.map { row[$0] * b[$0][j] }.reduce(0, +) } }
    }

    static func transpose(_ a: [[Double]]) -> [[Double]] { a[0].indices.map { j in a.map { $0[j] } } }
}
