import Tensor

/// The non-equivariant baseline: MLPs of the same depth and activation (leaky ReLU 0.2) on the
/// flattened inputs. Encoder: points [B, P, d, C] -> [B, P d C] -> widths -> latent [B, d, L];
/// predictor: [latent, action] flattened -> widths -> [B, d, L].
public struct MLPWorldModel<Scalar: TensorScalar>: ParameterContainer {
    public let config: VNWorldModelConfig
    public let points: Int
    public let encoder: MLP<Scalar>
    public let predictor: MLP<Scalar>

    public init(_ config: VNWorldModelConfig, points: Int, hiddenScale: Int = 1, seed: UInt64 = 0) {
        var rng = Xoshiro256(seed: seed)
        self.config = config
        self.points = points
        let d = config.dim
        encoder = MLP(
            sizes: [points * d * config.inputChannels] + config.encoderWidths.map { $0 * hiddenScale } + [d * config.latentChannels],
            activation: .leakyRelu, using: &rng)
        predictor = MLP(
            sizes: [d * (config.latentWidth + config.actionChannels)] + config.predictorWidths.map { $0 * hiddenScale }
                + [d * config.latentWidth], activation: .leakyRelu, using: &rng)
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        prefixed("encoder", encoder.namedParameters) + prefixed("predictor", predictor.namedParameters)
    }

    public func encode(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let b = x.shape[0]
        let z = encoder(x.reshaped([b, x.value.count / b])).reshaped([b, config.dim, config.latentChannels])
        return config.observationInLatent ? Variable.concat([z, x.mean(axis: -3)], axis: -1) : z
    }

    public func predict(_ latent: Variable<Scalar>, action: Variable<Scalar>) -> Variable<Scalar> {
        let b = latent.shape[0]
        let z = Variable.concat([latent, action], axis: -1)
        let next = predictor(z.reshaped([b, z.value.count / b])).reshaped([b, config.dim, config.latentWidth])
        return config.residual ? latent + next : next
    }
}
