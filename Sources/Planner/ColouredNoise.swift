import Foundation

/// Gaussian noise coloured along a plan's steps (iCEM, Pinneri et al. 2020): each action coordinate's sequence over
/// the horizon has power spectrum 1/f^exponent, so neighbouring steps are correlated (exponent 0 is white noise, 2 is
/// Brownian-like). Each coordinate is drawn independently with the same law, so the noise is isotropic in the action
/// plane and the equivariant planner's canonical-frame search stays exact. Every step has unit variance.
struct ColouredNoise: Sendable {
    let horizon: Int
    let dim: Int
    /// Amplitude of the cosine (and, where it exists, the sine) term of each frequency k = 0 ... horizon / 2, already
    /// divided by the total so that every step has variance 1.
    private let amplitudes: [Double]
    /// Whether frequency k has a sine term (not k = 0, not the Nyquist frequency of an even horizon).
    private let hasSine: [Bool]
    /// cos and sin of the phase 2 pi k t / horizon, at [t * frequencies + k].
    private let cosines: [Double], sines: [Double]

    init(horizon: Int, dim: Int, exponent: Double) {
        precondition(horizon >= 1 && dim >= 1, "coloured noise needs horizon >= 1 and dim >= 1")
        self.horizon = horizon
        self.dim = dim
        let top = horizon / 2
        let sine = (0...top).map { k in k > 0 && !(horizon % 2 == 0 && k == top) }
        // The real Fourier basis of a length-`horizon` sequence: a frequency with a cosine and a sine term stands for
        // the two conjugate frequencies k and horizon - k, so its power counts twice. The zero frequency gets the
        // lowest non-zero frequency's power, as the power-law generators do. With exponent 0 this is white noise.
        let power = (0...top).map { k in pow(Double(max(k, 1)) / Double(horizon), -exponent) * (sine[k] ? 2 : 1) }
        // Variance at step t: a term with both cosine and sine contributes a^2 (cos^2 + sin^2) = a^2, a cosine alone
        // (k = 0, Nyquist) a^2 cos^2 = a^2. So the total is the sum of the powers at every step.
        let total = power.reduce(0, +)
        amplitudes = power.map { ($0 / total).squareRoot() }
        hasSine = sine
        let phases = (0..<horizon).flatMap { t in (0...top).map { k in 2 * Double.pi * Double(k * t) / Double(horizon) } }
        cosines = phases.map { cos($0) }
        sines = phases.map { sin($0) }
    }

    /// Fills `out` (rows of `horizon` steps x `dim` coordinates, step-major within a row) from `noise`.
    func fill(_ out: inout [Double], using noise: inout GaussianNoise) {
        let width = horizon * dim
        precondition(out.count % width == 0, "coloured noise: buffer is not a whole number of plans")
        let frequencies = amplitudes.count
        var coefficients = [Double](repeating: 0, count: 2 * frequencies)
        for row in 0..<(out.count / width) {
            for c in 0..<dim {
                for k in amplitudes.indices {
                    coefficients[2 * k] = noise.next()
                    coefficients[2 * k + 1] = hasSine[k] ? noise.next() : 0
                }
                for t in 0..<horizon {
                    var x = 0.0
                    for k in 0..<frequencies {
                        let j = t * frequencies + k
                        x += amplitudes[k] * (coefficients[2 * k] * cosines[j] + coefficients[2 * k + 1] * sines[j])
                    }
                    out[row * width + t * dim + c] = x
                }
            }
        }
    }
}
