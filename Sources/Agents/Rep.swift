import Foundation
import Tensor

/// A representation of O(d) on features: `scalars` invariant channels (n0) and `vectors`
/// channels of d-vectors (n1), i.e. rho(g) = I_n0 (+) (I_n1 (x) g). It is orthogonal, so norms
/// are invariant. Features are laid out as scalars [..., n0] and vectors [..., d, n1] (channels
/// last, so a VN-Linear over channels is one GEMM).
public struct Rep: Equatable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var scalars: Int
    public var vectors: Int
    public var dim: Int

    public init(scalars: Int = 0, vectors: Int = 0, dim: Int) {
        precondition(scalars >= 0 && vectors >= 0 && dim >= 1, "Rep: invalid (\(scalars), \(vectors), \(dim))")
        self.scalars = scalars
        self.vectors = vectors
        self.dim = dim
    }

    public static func vectors(_ n: Int, dim: Int) -> Rep { Rep(vectors: n, dim: dim) }
    public static func scalars(_ n: Int, dim: Int) -> Rep { Rep(scalars: n, dim: dim) }

    /// Total real dimension n0 + n1 d.
    public var size: Int { scalars + vectors * dim }

    /// Isotypic blocks: (multiplicity, irrep dimension) for the trivial and the standard irrep.
    public var isotypicBlocks: [(multiplicity: Int, irrepDim: Int)] {
        var b: [(Int, Int)] = []
        if scalars > 0 { b.append((scalars, 1)) }
        if vectors > 0 { b.append((vectors, dim)) }
        return b
    }

    public var description: String { "\(scalars)x0e + \(vectors)x1 (d=\(dim))" }

    /// rho(g) applied to features of this representation.
    public func act<S: TensorScalar>(_ g: OrthogonalTransform, on x: Features<S>) -> Features<S> {
        precondition(g.dim == dim, "Rep.act: group element of dimension \(g.dim) on a representation of dimension \(dim)")
        return Features(scalars: x.scalars, vectors: x.vectors.map { Variable(g.apply(to: $0.value)) })
    }

    /// Checks that features match this representation, with leading batch shape `batch`.
    public func validate<S>(_ x: Features<S>) throws {
        if scalars > 0 {
            guard let s = x.scalars, s.shape.last == scalars else {
                throw TensorError.shapeMismatch("expected \(scalars) scalar channels, got \(x.scalars?.shape.description ?? "none")")
            }
        }
        if vectors > 0 {
            guard let v = x.vectors, v.shape.count >= 2, v.shape[v.shape.count - 1] == vectors, v.shape[v.shape.count - 2] == dim else {
                throw TensorError.shapeMismatch("expected vectors [..., \(dim), \(vectors)], got \(x.vectors?.shape.description ?? "none")")
            }
        }
    }
}

/// Features of a representation: scalars [..., n0] and vectors [..., d, n1] (either may be absent).
public struct Features<Scalar: TensorScalar> {
    public var scalars: Variable<Scalar>?
    public var vectors: Variable<Scalar>?

    public init(scalars: Variable<Scalar>? = nil, vectors: Variable<Scalar>? = nil) {
        self.scalars = scalars
        self.vectors = vectors
    }

    public static func vectors(_ v: Variable<Scalar>) -> Features { Features(vectors: v) }

    /// Random features of `rep` with leading shape `batch`.
    public static func random(_ rep: Rep, batch: [Int], using rng: inout Xoshiro256) -> Features {
        Features(
            scalars: rep.scalars > 0 ? Variable(Tensor.randomNormal(batch + [rep.scalars], using: &rng)) : nil,
            vectors: rep.vectors > 0 ? Variable(Tensor.randomNormal(batch + [rep.dim, rep.vectors], using: &rng)) : nil)
    }
}

/// An element g of O(d) as a d x d orthogonal matrix (row-major, in Double).
public struct OrthogonalTransform: Sendable, Equatable {
    public var dim: Int
    public var matrix: [Double]

    public init(dim: Int, matrix: [Double]) {
        precondition(matrix.count == dim * dim, "OrthogonalTransform: \(matrix.count) entries for d = \(dim)")
        self.dim = dim
        self.matrix = matrix
    }

    public static func identity(dim: Int) -> OrthogonalTransform {
        var m = [Double](repeating: 0, count: dim * dim)
        for i in 0..<dim { m[i * dim + i] = 1 }
        return OrthogonalTransform(dim: dim, matrix: m)
    }

    /// Rotation by `angle` in the plane (d = 2).
    public static func rotation2D(_ angle: Double) -> OrthogonalTransform {
        let c = cos(angle), s = sin(angle)
        return OrthogonalTransform(dim: 2, matrix: [c, -s, s, c])
    }

    /// A uniformly random rotation (Haar on SO(d), d = 2 or 3); with `reflect`, composed with
    /// the reflection diag(1, ..., 1, -1) so the determinant is -1.
    public static func random(dim: Int, reflect: Bool = false, using rng: inout Xoshiro256) -> OrthogonalTransform {
        var g: OrthogonalTransform
        switch dim {
        case 2:
            g = rotation2D(2 * Double.pi * rng.nextUnit())
        case 3:
            // Unit quaternion with Gaussian components is uniform on S^3.
            var q = (0..<4).map { _ in rng.nextNormal() }
            let n = q.map { $0 * $0 }.reduce(0, +).squareRoot()
            q = q.map { $0 / n }
            let (w, x, y, z) = (q[0], q[1], q[2], q[3])
            g = OrthogonalTransform(
                dim: 3,
                matrix: [
                    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
                ])
        default:
            preconditionFailure("OrthogonalTransform.random: d = \(dim) is not supported (2 or 3)")
        }
        if reflect {
            for i in 0..<dim { g.matrix[i * dim + dim - 1] = -g.matrix[i * dim + dim - 1] }
        }
        return g
    }

    public var determinant: Double {
        switch dim {
        case 1: return matrix[0]
        case 2: return matrix[0] * matrix[3] - matrix[1] * matrix[2]
        default:
            let m = matrix
            return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
        }
    }

    /// g acting on the d axis of a tensor [..., d, C]: out[r, i, c] = sum_j g[i, j] x[r, j, c].
    /// Computed in Double and rounded once, so in Float the result is the correctly rounded g.x
    /// (up to Double's rounding), not a product with a rounded, slightly non-orthogonal g.
    public func apply<S: TensorScalar>(to x: Tensor<S>) -> Tensor<S> {
        precondition(x.rank >= 2 && x.shape[x.rank - 2] == dim, "OrthogonalTransform.apply: need [..., \(dim), C], got \(x.shape)")
        let c = x.shape[x.rank - 1]
        let rows = x.count / max(1, dim * c)
        let m = matrix
        var out = [S](repeating: 0, count: x.count)
        var acc = [Double](repeating: 0, count: dim * c)
        x.withUnsafeBufferPointer { xx in
            for r in 0..<rows {
                let base = r * dim * c
                for e in 0..<(dim * c) { acc[e] = 0 }
                for i in 0..<dim {
                    for j in 0..<dim {
                        let gij = m[i * dim + j]
                        for ch in 0..<c { acc[i * c + ch] += gij * Double(xx[base + j * c + ch]) }
                    }
                }
                for e in 0..<(dim * c) { out[base + e] = S(acc[e]) }
            }
        }
        return try! Tensor(shape: x.shape, scalars: out)
    }
}
