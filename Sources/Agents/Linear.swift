import Tensor

/// Dense layer y = x W^T + b on [N, in] -> [N, out].
public struct Linear<Scalar: TensorScalar>: ParameterContainer {
    public let weight: Variable<Scalar>  // [out, in]
    public let bias: Variable<Scalar>?  // [out]

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using rng: inout Xoshiro256) {
        weight = initWeight([outFeatures, inFeatures], fanIn: inFeatures, name: "weight", using: &rng)
        self.bias = bias ? initWeight([outFeatures], fanIn: inFeatures, name: "bias", using: &rng) : nil
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }
    public var namedParameters: [(String, Variable<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        precondition(x.shape.count == 2 && x.shape[1] == inFeatures, "Linear: expected [N, \(inFeatures)], got \(x.shape)")
        let y = x.matmul(weight, transposeOther: true)
        guard let bias else { return y }
        return y + bias.expand(axis: 0, count: x.shape[0])
    }
}

/// Elementwise activations for MLPs.
public enum Activation: String, Codable, Sendable {
    case relu, leakyRelu, tanh

    public func callAsFunction<S>(_ x: Variable<S>) -> Variable<S> {
        switch self {
        case .relu: return x.relu()
        case .leakyRelu: return x.leakyRelu(slope: 0.2)
        case .tanh: return x.tanh()
        }
    }
}

/// Multi-layer perceptron: Linear, activation, ..., Linear (no activation after the last).
public struct MLP<Scalar: TensorScalar>: ParameterContainer {
    public let layers: [Linear<Scalar>]
    public let activation: Activation

    /// `sizes` = [in, hidden..., out].
    public init(sizes: [Int], activation: Activation = .leakyRelu, using rng: inout Xoshiro256) {
        precondition(sizes.count >= 2, "MLP: need at least input and output sizes")
        layers = (0..<(sizes.count - 1)).map { Linear(sizes[$0], sizes[$0 + 1], using: &rng) }
        self.activation = activation
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        layers.enumerated().flatMap { prefixed("\($0.offset)", $0.element.namedParameters) }
    }

    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = activation(h) }
        }
        return h
    }
}
