import Tensor

/// VN-Linear: a linear map over vector channels, applied to every spatial component alike
/// (no bias, which would break equivariance). Features [..., d, Cin] -> [..., d, Cout] as one
/// GEMM [rows * d, Cin] x W^T.
public struct VNLinear<Scalar: TensorScalar>: EquivariantLayer {
    public let weight: Variable<Scalar>  // [Cout, Cin]
    public let dim: Int

    public init(_ inChannels: Int, _ outChannels: Int, dim: Int, using rng: inout Xoshiro256) {
        weight = initWeight([outChannels, inChannels], fanIn: inChannels, name: "weight", using: &rng)
        self.dim = dim
    }

    public var inChannels: Int { weight.shape[1] }
    public var outChannels: Int { weight.shape[0] }
    public var inputRep: Rep { .vectors(inChannels, dim: dim) }
    public var outputRep: Rep { .vectors(outChannels, dim: dim) }
    public var namedParameters: [(String, Variable<Scalar>)] { [("weight", weight)] }

    /// x: [..., d, Cin] -> [..., d, Cout].
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { VNLinear.apply(weight, to: x, dim: dim) }

    /// A channel map m [Cout, Cin] applied to vector features x [..., d, Cin] as one GEMM.
    public static func apply(_ m: Variable<Scalar>, to x: Variable<Scalar>, dim: Int) -> Variable<Scalar> {
        let s = x.shape, cin = m.shape[1], cout = m.shape[0]
        precondition(
            s.count >= 2 && s[s.count - 1] == cin && s[s.count - 2] == dim,
            "VNLinear: expected [..., \(dim), \(cin)], got \(s)")
        let rows = x.value.count / max(1, cin)
        let y = x.reshaped([rows, cin]).matmul(m, transposeOther: true)
        return y.reshaped(Array(s.dropLast()) + [cout])
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { .vectors(self(x.vectors!)) }
}

/// VN-LeakyReLU with a learned direction: k = U q (its own C -> C map), then per channel
/// q if <q,k> >= 0 else q - (1 - slope) <q,k>/(|k|^2 + eps) k.
public struct VNLeakyReLU<Scalar: TensorScalar>: EquivariantLayer {
    public let direction: VNLinear<Scalar>
    public let slope: Double
    public let eps: Double

    public init(channels: Int, dim: Int, slope: Double = 0.2, eps: Double = 1e-6, using rng: inout Xoshiro256) {
        direction = VNLinear(channels, channels, dim: dim, using: &rng)
        self.slope = slope
        self.eps = eps
    }

    public var inputRep: Rep { direction.inputRep }
    public var outputRep: Rep { direction.inputRep }
    public var namedParameters: [(String, Variable<Scalar>)] { prefixed("direction", direction.namedParameters) }

    public func callAsFunction(_ q: Variable<Scalar>) -> Variable<Scalar> {
        q.vnLeakyReLU(direction: direction(q), slope: slope, eps: eps)
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { .vectors(self(x.vectors!)) }
}

/// Invariant mean pooling over the last batch axis (the points axis): vectors [..., P, d, C] ->
/// [..., d, C], scalars [..., P, n0] -> [..., n0]. No parameters.
public struct VNMeanPool<Scalar: TensorScalar>: EquivariantLayer {
    public let rep: Rep
    public init(_ rep: Rep) { self.rep = rep }
    public var inputRep: Rep { rep }
    public var outputRep: Rep { rep }
    public var namedParameters: [(String, Variable<Scalar>)] { [] }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> {
        Features(scalars: x.scalars.map { $0.mean(axis: -2) }, vectors: x.vectors.map { $0.mean(axis: -3) })
    }
}

/// Invariant features from inner products: with k learned directions T = V W^T (a VN-Linear
/// C -> k), the scalars <v_c, t_j> for all channels c and directions j: [..., d, C] -> [..., C k].
public struct VNInvariant<Scalar: TensorScalar>: EquivariantLayer {
    public let frame: VNLinear<Scalar>

    public init(channels: Int, directions: Int, dim: Int, using rng: inout Xoshiro256) {
        frame = VNLinear(channels, directions, dim: dim, using: &rng)
    }

    public var inputRep: Rep { frame.inputRep }
    public var outputRep: Rep { .scalars(frame.inChannels * frame.outChannels, dim: frame.dim) }
    public var namedParameters: [(String, Variable<Scalar>)] { prefixed("frame", frame.namedParameters) }

    public func callAsFunction(_ v: Variable<Scalar>) -> Variable<Scalar> {
        let c = frame.inChannels, k = frame.outChannels
        let t = frame(v)  // [..., d, k]
        let vv = v.expand(axis: -1, count: k)  // [..., d, C, k]
        let tt = t.expand(axis: v.shape.count - 1, count: c)  // [..., d, C, k]
        let dots = (vv * tt).sum(axis: v.shape.count - 2)  // [..., C, k]
        return dots.reshaped(Array(v.shape.dropLast(2)) + [c * k])
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { Features(scalars: self(x.vectors!)) }
}
