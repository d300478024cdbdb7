import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Chi-square test of homogeneity of success rates across groups: are the success probabilities of all groups (e.g.
/// the group elements of a closed-loop sweep) the same?
public enum Homogeneity {
    /// The p-value of the chi-square homogeneity test for `successes[k]` out of `trials[k]` per group, with
    /// `groups - 1` degrees of freedom; 1 when there is no variation to test (one group, no trials, all or no successes).
    public static func pValue(successes: [Int], trials: [Int]) -> Double {
        let s = successes.reduce(0, +), n = trials.reduce(0, +)
        guard n > 0, s > 0, s < n, successes.count > 1 else { return 1 }
        let p = Double(s) / Double(n)
        var x2 = 0.0
        for (k, t) in zip(successes, trials) {
            let e1 = Double(t) * p, e0 = Double(t) * (1 - p)
            x2 += (Double(k) - e1) * (Double(k) - e1) / e1 + (Double(t - k) - e0) * (Double(t - k) - e0) / e0
        }
        return upperIncompleteGamma(Double(successes.count - 1) / 2, x2 / 2)
    }

    /// Upper regularised incomplete gamma Q(a, x) (Numerical Recipes' gammq): the series below a + 1, the continued
    /// fraction above. The chi-square survival function with k degrees of freedom is Q(k / 2, x / 2).
    public static func upperIncompleteGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let gln: Double = lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, del = sum, ap = a
            for _ in 0..<500 { ap += 1; del *= x / ap; sum += del; if abs(del) < abs(sum) * 1e-15 { break } }
            return max(0, 1 - sum * exp(-x + a * log(x) - gln))
        }
        var b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d
        for i in 1...500 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < 1e-300 { d = 1e-300 }
            c = b + an / c; if abs(c) < 1e-300 { c = 1e-300 }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-15 { break }
        }
        return exp(-x + a * log(x) - gln) * h
    }
}
