import Foundation

/// One plot axis: the data range it shows, its ticks and labels.
struct PlotAxis {
    /// Shown range in axis units (log10 of the value for a log axis).
    var lower: Double
    var upper: Double
    /// Tick positions in axis units, with their labels.
    var ticks: [(position: Double, label: String)]

    /// A linear axis covering `[minimum, maximum]`, widened to "nice" tick multiples (1, 2, 5 x 10^k),
    /// with about `targetTicks` ticks.
    static func linear(minimum: Double, maximum: Double, targetTicks: Int) -> PlotAxis {
        var (lo, hi) = (minimum, maximum)
        if !(lo.isFinite && hi.isFinite) || lo > hi { (lo, hi) = (0, 1) }
        if hi - lo < 1e-12 * max(1, abs(lo)) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let step = niceStep((hi - lo) / Double(max(1, targetTicks)))
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        var ticks: [(Double, String)] = []
        var k = first
        while k <= last + 0.5 {
            let value = k * step
            ticks.append((value, formatTick(value, step: step)))
            k += 1
        }
        return PlotAxis(lower: first * step, upper: last * step, ticks: ticks)
    }

    /// A log10 axis for positive values in `[minimum, maximum]`, widened to whole decades;
    /// ticks at powers of ten (and 2, 5 multiples when it spans a single decade).
    static func logarithmic(minimum: Double, maximum: Double) -> PlotAxis {
        var (lo, hi) = (log10(minimum), log10(maximum))
        if !(lo.isFinite && hi.isFinite) || lo > hi { (lo, hi) = (0, 1) }
        var first = lo.rounded(.down), last = hi.rounded(.up)
        if last - first < 1 { last = first + 1 }
        if last - first < 1 { first -= 1 }
        let decades = Int(last - first)
        let stride = max(1, (decades + 7) / 8)
        var ticks: [(Double, String)] = []
        var exponent = Int(first)
        while exponent <= Int(last) {
            ticks.append((Double(exponent), formatPower(exponent)))
            if decades == 1 && exponent < Int(last) {
                for m in [2.0, 5.0] {
                    let value = m * pow(10, Double(exponent))
                    ticks.append((log10(value), formatTick(value, step: pow(10, Double(exponent)))))
                }
            }
            exponent += stride
        }
        return PlotAxis(lower: first, upper: last, ticks: ticks)
    }

    /// Maps an axis-unit value to a pixel coordinate between `start` (at `lower`) and `end` (at `upper`).
    func pixel(_ value: Double, start: Double, end: Double) -> Double {
        start + (value - lower) / (upper - lower) * (end - start)
    }

    /// The smallest of 1, 2, 5 x 10^k that is >= `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2.0, 5.0, 10.0] where m * magnitude >= raw * (1 - 1e-9) {
            return m * magnitude
        }
        return 10 * magnitude
    }

    /// A short label: enough decimals for `step`, exponent form for very large or small values.
    static func formatTick(_ value: Double, step: Double) -> String {
        if abs(value) < step * 1e-6 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let exponent = Int(log10(magnitude).rounded(.down))
            let mantissa = value / pow(10, Double(exponent))
            let digits = max(0, min(3, Int(-log10(step / pow(10, Double(exponent))).rounded(.down))))
            return String(format: "%.\(digits)fe%d", mantissa, exponent)
        }
        let decimals = max(0, min(6, Int(-log10(step).rounded(.down))))
        return String(format: "%.\(decimals)f", value)
    }

    /// `10^exponent` as a short label: plain for 0.001 ... 10000, else `1e-5`.
    static func formatPower(_ exponent: Int) -> String {
        switch exponent {
        case -3 ... -1: return String(format: "%.\(-exponent)f", pow(10, Double(exponent)))
        case 0...4: return String(Int(pow(10, Double(exponent))))
        default: return "1e\(exponent)"
        }
    }
}
