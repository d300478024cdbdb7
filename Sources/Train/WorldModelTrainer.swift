import Agents
import Tensor

/// JEPA-style training of a `VNWorldModel`: relative MSE of f(E(o_t), a_t) to the EMA encoder's
/// E_ema(o_{t+1}) (no gradient), plus VICReg variance and covariance terms on the per-channel
/// norms of E(o_t) (norms are invariant, so the loss is invariant); AdamW; then the EMA update.
public final class WorldModelTrainer<Scalar: TensorScalar> {
    public let model: VNWorldModel<Scalar>
    /// Frozen copy whose encoder tracks `model.encoder` by EMA.
    public let target: VNWorldModel<Scalar>
    public let optimizer: AdamW<Scalar>
    public let ema: EMA<Scalar>
    public var varianceWeight: Double
    public var covarianceWeight: Double
    public private(set) var steps = 0

    public init(
        config: VNWorldModelConfig, seed: UInt64 = 0, learningRate: Double = 1e-3, weightDecay: Double = 0.01,
        emaDecay: Double = 0.99, varianceWeight: Double = 1, covarianceWeight: Double = 1
    ) {
        model = VNWorldModel(config, seed: seed)
        target = model.frozenCopy()
        optimizer = AdamW(parameters: model.parameters, learningRate: learningRate, weightDecay: weightDecay)
        ema = EMA(source: model.encoder.parameters, target: target.encoder.parameters, decay: emaDecay)
        self.varianceWeight = varianceWeight
        self.covarianceWeight = covarianceWeight
    }

    public struct Losses {
        public var total: Variable<Scalar>
        public var prediction: Variable<Scalar>
        public var variance: Variable<Scalar>
        public var covariance: Variable<Scalar>
    }

    /// points, nextPoints [B, P, d, 1]; action [B, d, 1].
    public func losses(points: Tensor<Scalar>, action: Tensor<Scalar>, nextPoints: Tensor<Scalar>) -> Losses {
        let z = model.encode(Variable(points))
        let prediction = model.predict(z, action: Variable(action))
        let goal = target.encode(Variable(nextPoints))
        let rel = Loss.relativeMSE(prediction, goal)
        let (variance, covariance) = Loss.vicreg(Loss.vectorNorms(z))
        let total = rel + varianceWeight * variance + covarianceWeight * covariance
        return Losses(total: total, prediction: rel, variance: variance, covariance: covariance)
    }

    /// One training step; returns the loss before the update.
    @discardableResult
    public func step(points: Tensor<Scalar>, action: Tensor<Scalar>, nextPoints: Tensor<Scalar>) -> Double {
        model.zeroGrad()
        let l = losses(points: points, action: action, nextPoints: nextPoints)
        l.total.backward()
        optimizer.step()
        ema.update()
        steps += 1
        return Double(l.total.value.scalar)
    }

    /// A random batch of the benchmark's shape (points relative to their centroid are not needed
    /// for timing, so plain Gaussian points).
    public static func randomBatch(batch: Int, points: Int, config: VNWorldModelConfig, using rng: inout Xoshiro256)
        -> (points: Tensor<Scalar>, action: Tensor<Scalar>, nextPoints: Tensor<Scalar>)
    {
        let d = config.dim
        return (
            Tensor.randomNormal([batch, points, d, config.inputChannels], using: &rng),
            Tensor.randomNormal([batch, d, config.actionChannels], using: &rng),
            Tensor.randomNormal([batch, points, d, config.inputChannels], using: &rng)
        )
    }
}
