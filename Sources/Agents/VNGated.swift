import Tensor

/// An exactly O(d)-equivariant map of vector channels whose coefficients are functions of invariants:
/// out_o = sum_c alpha_{o,c}(s) v_c, with s = <v_c, t_j> the inner products of every channel with k learned
/// directions t = V W^T (`VNInvariant`) and alpha an MLP of s. Every O(d)-equivariant function of vectors has
/// this form (the "scalars are universal" construction), whereas a VN-LeakyReLU stack reaches inner products
/// only through its gates; the invariants are unchanged by g and the output is a combination of the inputs,
/// so f(g.V) = g.f(V) exactly. Features [B, d, C] -> [B, d, O].
public struct VNGatedMap<Scalar: TensorScalar>: EquivariantLayer {
    public let invariants: VNInvariant<Scalar>
    public let coefficients: MLP<Scalar>
    public let outChannels: Int

    /// `directions` = k; `widths` = the coefficient MLP's hidden widths (leaky ReLU 0.2).
    public init(input: Int, directions: Int, widths: [Int], output: Int, dim: Int, using rng: inout Xoshiro256) {
        invariants = VNInvariant(channels: input, directions: directions, dim: dim, using: &rng)
        coefficients = MLP(sizes: [input * directions] + widths + [output * input], activation: .leakyRelu, using: &rng)
        outChannels = output
    }

    public var inChannels: Int { invariants.frame.inChannels }
    public var dim: Int { invariants.frame.dim }
    public var inputRep: Rep { .vectors(inChannels, dim: dim) }
    public var outputRep: Rep { .vectors(outChannels, dim: dim) }
    public var namedParameters: [(String, Variable<Scalar>)] {
        prefixed("invariants", invariants.namedParameters) + prefixed("coefficients", coefficients.namedParameters)
    }

    /// v: [B, d, C] -> [B, d, O].
    public func callAsFunction(_ v: Variable<Scalar>) -> Variable<Scalar> {
        let b = v.shape[0], c = inChannels, o = outChannels, d = dim
        precondition(v.shape == [b, d, c], "VNGatedMap: expected [B, \(d), \(c)], got \(v.shape)")
        let alpha = coefficients(invariants(v)).reshaped([b, o, c])  // [B, O, C], invariant
        let weights = alpha.expand(axis: 1, count: d)  // [B, d, O, C]
        let vectors = v.expand(axis: 2, count: o)  // [B, d, O, C]
        return (weights * vectors).sum(axis: 3)  // [B, d, O]
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { .vectors(self(x.vectors!)) }
}
