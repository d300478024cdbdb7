import Agents
import Foundation
import Tensor

/// The JEPA predictor of the gauge experiment (C2): next latent from the latent of `MixedLatentEncoder` (rows
/// [B, m0 + 3 m1] in `IsotypicLayout` order) and an action vector [B, 3, 1], exactly rho(R)-equivariant. The vectors
/// and the action are A = (v_1, ..., v_m1, a); invariants s = (scalars, <A_c, t_j>) with k learned directions t
/// (`VNInvariant`); an MLP of s gives the scalar increments and coefficients alpha [m1, m1 + 1], and the next latent
/// is z + (ds, sum_c alpha_oc A_c) (residual). Invariant coefficients times vectors: g-equivariant exactly.
public struct MixedLatentPredictor<Scalar: TensorScalar>: ParameterContainer {
    public let scalars: Int
    public let vectors: Int
    let invariants: VNInvariant<Scalar>
    let head: MLP<Scalar>
    /// Constant selections of the latent's parts: scalars [n, m0], vectors component-major [n, 3 m1].
    let pickScalars: Variable<Scalar>
    let pickVectors: Variable<Scalar>
    /// [m0 + m1 (m1 + 1), m0] and [.., m1 (m1 + 1)]: the MLP output's parts.
    let pickIncrement: Variable<Scalar>
    let pickCoefficients: Variable<Scalar>
    let toCopyMajor: Variable<Scalar>

    public init(scalars: Int, vectors: Int, directions: Int = 4, widths: [Int] = [64, 64], seed: UInt64) {
        var rng = Xoshiro256(seed: seed &+ 0x5EED)
        self.scalars = scalars
        self.vectors = vectors
        let n = scalars + 3 * vectors, a = vectors + 1, out = scalars + vectors * a
        invariants = VNInvariant(channels: a, directions: directions, dim: 3, using: &rng)
        head = MLP(sizes: [scalars + a * directions] + widths + [out], activation: .leakyRelu, using: &rng)
        var s = Tensor<Scalar>(shape: [n, max(scalars, 1)]), v = Tensor<Scalar>(shape: [n, 3 * vectors])
        for j in 0..<scalars { s[j, j] = 1 }
        for c in 0..<vectors { for k in 0..<3 { v[scalars + 3 * c + k, k * vectors + c] = 1 } }
        pickScalars = Variable(s)
        pickVectors = Variable(v)
        var i = Tensor<Scalar>(shape: [out, max(scalars, 1)]), w = Tensor<Scalar>(shape: [out, vectors * a])
        for j in 0..<scalars { i[j, j] = 1 }
        for j in 0..<(vectors * a) { w[scalars + j, j] = 1 }
        pickIncrement = Variable(i)
        pickCoefficients = Variable(w)
        toCopyMajor = Variable(MixedLatentEncoder<Scalar>.copyMajor(vectors))
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        invariants.namedParameters.map { ("invariants.\($0.0)", $0.1) } + head.namedParameters.map { ("head.\($0.0)", $0.1) }
    }

    /// z [B, m0 + 3 m1], action [B, 3, 1] -> next z.
    public func callAsFunction(_ z: Variable<Scalar>, action: Variable<Scalar>) -> Variable<Scalar> {
        let b = z.shape[0], m = vectors, a = vectors + 1
        let v = z.matmul(pickVectors).reshaped([b, 3, m])
        let all = Variable.concat([v, action], axis: 2)  // [B, 3, m1 + 1]
        let inv = invariants(all)
        let h = head(scalars > 0 ? Variable.concat([z.matmul(pickScalars), inv], axis: 1) : inv)
        let alpha = h.matmul(pickCoefficients).reshaped([b, m, a])
        let dv = (alpha.expand(axis: 1, count: 3) * all.expand(axis: 2, count: m)).sum(axis: 3)  // [B, 3, m1]
        let dvRows = dv.reshaped([b, 3 * m]).matmul(toCopyMajor)
        let step = scalars > 0 ? Variable.concat([h.matmul(pickIncrement), dvRows], axis: 1) : dvRows
        return z + step
    }
}
