import Agents
import Tensor

/// An optimiser updates a fixed list of parameters from their gradients.
public protocol Optimizer: AnyObject {
    associatedtype Scalar: TensorScalar
    var learningRate: Double { get set }
    /// One update from the current gradients (parameters without a gradient are skipped).
    func step()
}

/// SGD with optional (Nesterov) momentum and decoupled weight decay.
public final class SGD<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Variable<Scalar>]
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    var buffers: [Tensor<Scalar>?]

    public init(
        parameters: [Variable<Scalar>], learningRate: Double, momentum: Double = 0, nesterov: Bool = false,
        weightDecay: Double = 0
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        let lr = Scalar(learningRate), mu = Scalar(momentum)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            var update = g
            if momentum != 0 {
                if buffers[i] == nil { buffers[i] = g } else { buffers[i]!.axpby(1, g, mu) }
                if nesterov { update.axpby(mu, buffers[i]!, 1) } else { update = buffers[i]! }
            }
            p.value.axpby(-lr, update, 1 - lr * Scalar(weightDecay))
        }
    }
}

/// AdamW (Loshchilov & Hutter): Adam moments with bias correction, decoupled weight decay.
public final class AdamW<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Variable<Scalar>]
    public var learningRate: Double
    public var beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double
    public internal(set) var stepCount = 0
    var m: [Tensor<Scalar>], v: [Tensor<Scalar>]

    public init(
        parameters: [Variable<Scalar>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        m = parameters.map { Tensor(shape: $0.shape) }
        v = parameters.map { Tensor(shape: $0.shape) }
    }

    public func step() {
        stepCount += 1
        let bc1 = 1 - Double.pow(beta1, Double(stepCount)), bc2 = 1 - Double.pow(beta2, Double(stepCount))
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            Scalar._adamW(
                parameter: &p.value, gradient: g, m: &m[i], v: &v[i], learningRate: Scalar(learningRate),
                beta1: Scalar(beta1), beta2: Scalar(beta2), epsilon: Scalar(epsilon),
                weightDecay: Scalar(weightDecay), biasCorrection1: Scalar(bc1), biasCorrection2: Scalar(bc2))
        }
    }
}

/// Exponential moving average of parameters: target = decay * target + (1 - decay) * source.
public struct EMA<Scalar: TensorScalar> {
    public let source: [Variable<Scalar>]
    public let target: [Variable<Scalar>]
    public var decay: Double

    public init(source: [Variable<Scalar>], target: [Variable<Scalar>], decay: Double = 0.99) {
        precondition(
            source.count == target.count && zip(source, target).allSatisfy { $0.shape == $1.shape },
            "EMA: source and target parameter lists differ")
        self.source = source
        self.target = target
        self.decay = decay
    }

    public func update() {
        let d = Scalar(decay)
        for (s, t) in zip(source, target) { t.value.axpby(1 - d, s.value, d) }
    }
}

/// Learning-rate schedules as a factor of the base rate.
public enum LRSchedule: Equatable, Sendable {
    case constant
    /// Linear warm-up from 0 over `warmup` steps, then constant.
    case warmup(steps: Int)
    /// Linear warm-up, then cosine decay to `minFactor` at `total` steps.
    case warmupCosine(warmup: Int, total: Int, minFactor: Double)

    /// Factor at step `t` (0-based).
    public func factor(at t: Int) -> Double {
        switch self {
        case .constant:
            return 1
        case .warmup(let w):
            return w > 0 ? min(1, Double(t + 1) / Double(w)) : 1
        case .warmupCosine(let w, let total, let minFactor):
            if w > 0 && t < w { return Double(t + 1) / Double(w) }
            let span = max(1, total - w)
            let progress = min(1, Double(t - w) / Double(span))
            return minFactor + (1 - minFactor) * 0.5 * (1 + Double.cos(Double.pi * progress))
        }
    }
}
