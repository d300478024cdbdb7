import Agents
import Foundation
import Tensor

/// An encoder of point-cloud inputs [B, 1, 3, C] (one point of C vector channels, as `CloudLayout` reads a cloud) to
/// a mixed SO(3) latent of `scalars` invariant channels and `vectors` three-vectors, as rows [B, m0 + 3 m1] in
/// `IsotypicLayout` order: the m0 scalars, then vector 0's x, y, z, vector 1's, ...
///
/// - `equivariant`: a VN stack pooled to H vector channels, the vectors a VN-Linear of them and the scalars an MLP of
///   their inner products with k learned directions (`VNInvariant`): exactly rho(R)-equivariant, E(R.x) = rho(R) E(x)
///   with rho(R) = I_m0 (+) (I_m1 (x) R).
/// - `mlp`: the non-equivariant baseline, an MLP of the flattened input with the same output.
///
/// With `objects` > 1 the input is [B, O, 3, C] and one encoder of either kind is applied to every object alike
/// (shared weights: S_O-equivariant), giving rows [B, O (m0 + 3 m1)], object after object.
public struct MixedLatentEncoder<Scalar: TensorScalar>: ParameterContainer {
    public enum Kind: String, Codable, Sendable { case equivariant, mlp }

    public let kind: Kind
    public let channels: Int
    public let scalars: Int
    public let vectors: Int
    public let objects: Int
    let trunk: VNStack<Scalar>?
    let vectorHead: VNLinear<Scalar>?
    let invariants: VNInvariant<Scalar>?
    let scalarHead: MLP<Scalar>?
    let flat: MLP<Scalar>?
    /// [3 m1, 3 m1]: VN's component-major vectors (k m1 + c) to copy-major (3 c + k).
    let toCopyMajor: Variable<Scalar>

    public init(
        _ kind: Kind, channels: Int, scalars: Int, vectors: Int, objects: Int = 1, hidden: Int = 32, widths: [Int] = [32, 32],
        directions: Int = 4, seed: UInt64
    ) {
        precondition(channels > 0 && scalars >= 0 && vectors > 0 && objects >= 1, "MixedLatentEncoder: bad sizes")
        var rng = Xoshiro256(seed: seed)
        (self.kind, self.channels, self.scalars, self.vectors, self.objects) = (kind, channels, scalars, vectors, objects)
        toCopyMajor = Variable(Self.copyMajor(vectors))
        switch kind {
        case .equivariant:
            trunk = VNStack(input: channels, widths: widths, output: hidden, dim: 3, pool: true, slope: 0.2, eps: 1e-6, using: &rng)
            vectorHead = VNLinear(hidden, vectors, dim: 3, using: &rng)
            invariants = scalars > 0 ? VNInvariant(channels: hidden, directions: directions, dim: 3, using: &rng) : nil
            scalarHead = scalars > 0 ? MLP(sizes: [hidden * directions, widths.last ?? 32, scalars], activation: .leakyRelu, using: &rng) : nil
            flat = nil
        case .mlp:
            (trunk, vectorHead, invariants, scalarHead) = (nil, nil, nil, nil)
            flat = MLP(sizes: [3 * channels] + widths.map { 2 * $0 } + [scalars + 3 * vectors], activation: .leakyRelu, using: &rng)
        }
    }

    /// Latent width of one object, m0 + 3 m1.
    public var objectWidth: Int { scalars + 3 * vectors }
    /// Latent width, O (m0 + 3 m1).
    public var width: Int { objects * objectWidth }
    /// One object's isotypic layout.
    public var objectLayout: IsotypicLayout {
        IsotypicLayout([.init(irrepDimension: 1, copies: scalars), .init(irrepDimension: 3, copies: vectors)].filter { $0.copies > 0 })
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        var out: [(String, Variable<Scalar>)] = []
        func add<P: ParameterContainer>(_ name: String, _ p: P?) where P.Scalar == Scalar {
            if let p { out += p.namedParameters.map { ("\(name).\($0.0)", $0.1) } }
        }
        add("trunk", trunk); add("vectors", vectorHead); add("invariants", invariants); add("scalars", scalarHead); add("mlp", flat)
        return out
    }

    /// x [B, O, 3, C] -> [B, O (m0 + 3 m1)].
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let b = x.shape[0]
        precondition(x.shape == [b, objects, 3, channels], "MixedLatentEncoder: expected [B, \(objects), 3, \(channels)], got \(x.shape)")
        let rows = b * objects
        let z: Variable<Scalar>
        switch kind {
        case .equivariant:
            let h = trunk!(x.reshaped([rows, 1, 3, channels]))  // [rows, 3, H]
            let v = vectorHead!(h).reshaped([rows, 3 * vectors]).matmul(toCopyMajor)
            if let invariants, let scalarHead {
                z = Variable.concat([scalarHead(invariants(h)), v], axis: 1)
            } else {
                z = v
            }
        case .mlp:
            z = flat!(x.reshaped([rows, 3 * channels]))
        }
        return z.reshaped([b, width])
    }

    /// The permutation matrix P with (v P)[3 c + k] = v[k m + c].
    static func copyMajor(_ m: Int) -> Tensor<Scalar> {
        var p = Tensor<Scalar>(shape: [3 * m, 3 * m])
        for c in 0..<m { for k in 0..<3 { p[k * m + c, 3 * c + k] = 1 } }
        return p
    }
}
