import Foundation

/// iCEM's changes to CEM (Pinneri et al., "Sample-efficient cross-entropy method for real-time planning", 2020), each a
/// value here so that they can be measured one by one: coloured noise along the horizon, a fraction of each iteration's
/// elites carried into the next iteration's samples, a sample count that decays by a factor per iteration (never below
/// twice the elites), and the best sequence seen executed instead of the final mean. The defaults are the paper's.
public struct ImprovedCEM: Sendable, Equatable {
    /// Exponent of the noise's 1/f^exponent power spectrum along the plan's steps (0: white, as plain CEM).
    public var noiseExponent = 2.0
    /// Fraction of the elites kept into the next iteration (re-scored with the new samples).
    public var keptEliteFraction = 0.3
    /// Samples at iteration i: samples / decay^i, at least 2 x elites.
    public var sampleDecay = 1.25
    /// Return the cheapest sequence evaluated in any iteration rather than the refitted mean.
    public var executeBest = true

    public init() {}

    /// Samples at iteration `i` (0-based) from a budget of `samples` and `elites` elites.
    func samples(iteration i: Int, of samples: Int, elites: Int) -> Int {
        max(Int((Double(samples) / pow(sampleDecay, Double(i))).rounded()), min(2 * elites, samples))
    }
}
