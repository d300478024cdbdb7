import Tensor

/// The degree-ladder predictor: an exactly O(d)-equivariant polynomial map of vector channels whose maximum degree is
/// set by its number of rungs L.
///
/// Construction, on input vectors x [B, d, C] (every VN-Linear below is a channel map, the same on every spatial
/// component, so it commutes with rho(g)):
///
///     h_0 = W_in x                                         (VN-Linear C -> H)
///     q_l = < P_l x, Q_l x >  (per channel, over the d axis)  (two VN-Linears C -> H; invariant, degree 2)
///     h_l = A_l h_{l-1} + (G_l h_{l-1}) * q_l               (VN-Linears H -> H; q_l scales each channel)
///     f(x) = W_out h_L                                     (VN-Linear H -> O)
///
/// Each rung multiplies by one quadratic invariant, so f(x) = M(x) x with a gain M(x) (an O x C matrix per sample,
/// acting on channels) whose entries are polynomials of degree d_max(L) = 2L in x: L = 0 is the linear map, and every
/// rung adds two degrees of nonlinearity. The map itself then has degree 2L + 1, and only odd degrees: -I lies in O(d)
/// (and in SO(2)), so f(-x) = -f(x), and no equivariant vector-valued polynomial has an even degree. Scaling the input
/// by t therefore scales the gain's highest-order part, M(tx) x = f(tx) / t, by exactly t^(2L) (`PolynomialDegree`
/// measures it). Equivariance is exact in real arithmetic: q_l(g.x) = q_l(x) because g is orthogonal, and everything
/// else is a channel map times invariant scalars.
public struct VNDegreeLadder<Scalar: TensorScalar>: EquivariantLayer {
    /// One rung: the carried part A, the gained part G, and the two maps whose inner product is the gain q.
    public struct Rung {
        public let carry: VNLinear<Scalar>
        public let gain: VNLinear<Scalar>
        public let left: VNLinear<Scalar>
        public let right: VNLinear<Scalar>
    }

    public let input: VNLinear<Scalar>
    public let rungs: [Rung]
    public let head: VNLinear<Scalar>
    public let dim: Int

    /// The gained part's initial weights are scaled by this, so the polynomial starts close to the linear map and a
    /// deep ladder does not begin with a large high-degree term.
    public static var initialGainScale: Double { 0.1 }

    /// `input` channels C -> `width` H per rung -> `output` O, with `layers` rungs L (d_max = 2L).
    public init(input c: Int, width h: Int, layers: Int, output o: Int, dim: Int, using rng: inout Xoshiro256) {
        precondition(c > 0 && h > 0 && o > 0 && layers >= 0, "VNDegreeLadder: channels and width must be positive, layers >= 0")
        self.input = VNLinear(c, h, dim: dim, using: &rng)
        rungs = (0..<layers).map { _ in
            let carry = VNLinear<Scalar>(h, h, dim: dim, using: &rng)
            let gain = VNLinear<Scalar>(h, h, dim: dim, using: &rng)
            let w = gain.weight.value
            gain.weight.value = try! Tensor(shape: w.shape, scalars: w.scalars.map { $0 * Scalar(Self.initialGainScale) })
            return Rung(carry: carry, gain: gain, left: VNLinear(c, h, dim: dim, using: &rng), right: VNLinear(c, h, dim: dim, using: &rng))
        }
        head = VNLinear(h, o, dim: dim, using: &rng)
        self.dim = dim
    }

    /// L, the number of rungs.
    public var layers: Int { rungs.count }
    /// d_max(L) = 2L: the degree of the gain M(x) (the map's degree is 2L + 1).
    public var gainDegree: Int { 2 * layers }
    public var inChannels: Int { input.inChannels }
    public var outChannels: Int { head.outChannels }
    public var inputRep: Rep { .vectors(inChannels, dim: dim) }
    public var outputRep: Rep { .vectors(outChannels, dim: dim) }

    public var namedParameters: [(String, Variable<Scalar>)] {
        var out = prefixed("input", input.namedParameters)
        for (i, r) in rungs.enumerated() {
            out += prefixed("\(i).carry", r.carry.namedParameters) + prefixed("\(i).gain", r.gain.namedParameters)
            out += prefixed("\(i).left", r.left.namedParameters) + prefixed("\(i).right", r.right.namedParameters)
        }
        return out + prefixed("head", head.namedParameters)
    }

    /// x: [B, d, C] -> [B, d, O].
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let b = x.shape[0], d = dim
        precondition(x.shape == [b, d, inChannels], "VNDegreeLadder: expected [B, \(d), \(inChannels)], got \(x.shape)")
        var h = input(x)
        for r in rungs {
            let q = (r.left(x) * r.right(x)).sum(axis: 1)  // [B, H], invariant
            h = r.carry(h) + r.gain(h) * q.expand(axis: 1, count: d)
        }
        return head(h)
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { .vectors(self(x.vectors!)) }
}
