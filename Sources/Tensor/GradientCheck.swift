/// Central finite-difference check of reverse-mode gradients, for tests and tools.
public struct GradientCheckResult: Sendable {
    /// max over inputs and elements of |analytic - numeric| / max(1, |analytic|, |numeric|)... see `relativeError`.
    public var maxRelativeError: Double
    public var maxAbsoluteError: Double
}

/// Checks d(sum(w * f(inputs)))/d(inputs) against central differences, for a fixed random
/// weighting w so that every output element matters.
///
/// The relative error is |a - n| / max(|a|, |n|, floor) per element, maximised; `floor` keeps
/// near-zero gradients from dividing by rounding noise.
public func checkGradients<S: TensorScalar>(
    inputs: [Tensor<S>], step: Double = 1e-6, floor: Double = 1e-3, seed: UInt64 = 1,
    _ f: ([Variable<S>]) -> Variable<S>
) -> GradientCheckResult {
    var rng = Xoshiro256(seed: seed)
    let vars = inputs.map { Variable($0, requiresGrad: true) }
    let out = f(vars)
    let weight = Tensor<S>.randomNormal(out.shape, using: &rng)
    out.backward(seed: weight)
    func evaluate(_ xs: [Tensor<S>]) -> Double {
        let y = f(xs.map { Variable($0) }).value
        var s = 0.0
        for i in 0..<y.count { s += Double(y.scalars[i]) * Double(weight.scalars[i]) }
        return s
    }
    var maxRel = 0.0, maxAbs = 0.0
    for (idx, x) in inputs.enumerated() {
        let analytic = vars[idx].grad ?? Tensor(shape: x.shape)
        for e in 0..<x.count {
            var plus = inputs, minus = inputs
            var xp = x.scalars, xm = x.scalars
            let h = step * max(1, abs(Double(x.scalars[e])))
            xp[e] += S(h); xm[e] -= S(h)
            plus[idx] = try! Tensor(shape: x.shape, scalars: xp)
            minus[idx] = try! Tensor(shape: x.shape, scalars: xm)
            let numeric = (evaluate(plus) - evaluate(minus)) / (Double(xp[e]) - Double(xm[e]))
            let a = Double(analytic.scalars[e])
            let err = abs(a - numeric)
            maxAbs = max(maxAbs, err)
            maxRel = max(maxRel, err / max(abs(a), abs(numeric), floor))
        }
    }
    return GradientCheckResult(maxRelativeError: maxRel, maxAbsoluteError: maxAbs)
}
