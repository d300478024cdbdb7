import Agents
import Tensor

/// Muon: momentum SGD whose update for a weight matrix is orthogonalised by five Newton-Schulz
/// iterations (quintic coefficients 3.4445, -4.7750, 2.0315), with Nesterov momentum 0.95, the
/// update scaled by sqrt(max(1, rows/cols)), and decoupled weight decay.
public final class Muon<Scalar: TensorScalar>: Optimizer {
    public let parameters: [Variable<Scalar>]
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public var newtonSchulzSteps: Int
    var buffers: [Tensor<Scalar>]

    public init(
        parameters: [Variable<Scalar>], learningRate: Double = 0.02, momentum: Double = 0.95,
        nesterov: Bool = true, weightDecay: Double = 0, newtonSchulzSteps: Int = 5
    ) {
        for p in parameters {
            precondition(p.shape.count == 2, "Muon: parameter '\(p.name)' has shape \(p.shape); Muon takes matrices only")
        }
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.newtonSchulzSteps = newtonSchulzSteps
        buffers = parameters.map { Tensor(shape: $0.shape) }
    }

    /// Approximately U V^T for G = U S V^T (the quintic iteration pushes singular values near 1).
    public static func orthogonalize(_ g: Tensor<Scalar>, steps: Int = 5) -> Tensor<Scalar> {
        let (a, b, c): (Scalar, Scalar, Scalar) = (3.4445, -4.7750, 2.0315)
        let rows = g.shape[0], cols = g.shape[1]
        var x = g
        let n = x.norm + Scalar(1e-7)
        x = Tensor(shape: x.shape)
        x.axpby(1 / n, g, 0)
        let wide = rows <= cols
        for _ in 0..<steps {
            // Wide: A = X X^T, X <- aX + (bA + cA^2) X.  Tall: A = X^T X, X <- aX + X (bA + cA^2).
            let am = wide ? x.matmul(x, transposeOther: true) : x.matmul(x, transposeSelf: true)
            var bm = am.matmul(am)
            bm.axpby(b, am, c)
            var next = wide ? bm.matmul(x) : x.matmul(bm)
            next.axpby(a, x, 1)
            x = next
        }
        return x
    }

    public func step() {
        let lr = Scalar(learningRate), mu = Scalar(momentum)
        for (i, p) in parameters.enumerated() {
            guard let g = p.grad else { continue }
            buffers[i].axpby(1, g, mu)  // B = mu B + G
            var update = g
            if nesterov { update.axpby(mu, buffers[i], 1) } else { update = buffers[i] }  // G + mu B
            let o = Muon.orthogonalize(update, steps: newtonSchulzSteps)
            let rows = Double(p.shape[0]), cols = Double(p.shape[1])
            let scale = Scalar(max(1, rows / cols).squareRoot())
            p.value.axpby(-lr * scale, o, 1 - lr * Scalar(weightDecay))
        }
    }
}

/// The usual Muon split: Muon on hidden weight matrices, AdamW on everything else (vectors,
/// biases, and matrices with a dimension of 1 such as a first layer from one input channel).
public final class MuonAdamW<Scalar: TensorScalar>: Optimizer {
    public let muon: Muon<Scalar>
    public let adamW: AdamW<Scalar>
    public let muonNames: [String]
    public let adamNames: [String]

    /// The default rule for "hidden matrix": rank 2 with both dimensions > 1.
    public static func isHiddenMatrix(_ name: String, _ p: Variable<Scalar>) -> Bool {
        p.shape.count == 2 && p.shape.allSatisfy { $0 > 1 }
    }

    public init(
        namedParameters: [(String, Variable<Scalar>)], muonLearningRate: Double = 0.02,
        adamLearningRate: Double = 1e-3, weightDecay: Double = 0.01,
        isHidden: (String, Variable<Scalar>) -> Bool = MuonAdamW.isHiddenMatrix
    ) {
        let hidden = namedParameters.filter { isHidden($0.0, $0.1) }
        let rest = namedParameters.filter { !isHidden($0.0, $0.1) }
        muon = Muon(parameters: hidden.map(\.1), learningRate: muonLearningRate, weightDecay: weightDecay)
        adamW = AdamW(parameters: rest.map(\.1), learningRate: adamLearningRate, weightDecay: weightDecay)
        muonNames = hidden.map(\.0)
        adamNames = rest.map(\.0)
    }

    /// Setting scales both rates by the same factor (schedules act on both groups).
    public var learningRate: Double {
        get { muon.learningRate }
        set {
            let f = muon.learningRate == 0 ? 0 : newValue / muon.learningRate
            adamW.learningRate *= f
            muon.learningRate = newValue
        }
    }

    public func step() {
        muon.step()
        adamW.step()
    }
}
