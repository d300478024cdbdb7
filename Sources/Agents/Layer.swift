import Tensor

/// Something with trainable parameters, each with a stable name (used by optimisers, EMA and
/// checkpoints).
public protocol ParameterContainer {
    associatedtype Scalar: TensorScalar
    /// Parameters in a fixed order with dotted names ("0.weight", "encoder.2.direction.weight").
    var namedParameters: [(String, Variable<Scalar>)] { get }
}

extension ParameterContainer {
    public var parameters: [Variable<Scalar>] { namedParameters.map { $0.1 } }
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.1.value.count } }
    public func zeroGrad() { for (_, p) in namedParameters { p.zeroGrad() } }
}

/// Prefixes parameter names of a child.
func prefixed<S>(_ prefix: String, _ list: [(String, Variable<S>)]) -> [(String, Variable<S>)] {
    list.map { ("\(prefix).\($0.0)", $0.1) }
}

/// A layer that declares how the group acts on its input and output (e3nn-style), so one generic
/// `assertEquivariant` can test it: f(rho_in(g) x) = rho_out(g) f(x).
public protocol EquivariantLayer: ParameterContainer {
    var inputRep: Rep { get }
    var outputRep: Rep { get }
    func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar>
}

/// A fresh trainable weight, uniform in [-1/sqrt(fanIn), 1/sqrt(fanIn)] (PyTorch's Linear default).
func initWeight<S: TensorScalar>(_ shape: [Int], fanIn: Int, name: String, using rng: inout Xoshiro256) -> Variable<S> {
    let bound = S(1) / S(max(1, fanIn)).squareRoot()
    return Variable(Tensor.randomUniform(shape, low: -bound, high: bound, using: &rng), requiresGrad: true, name: name)
}
