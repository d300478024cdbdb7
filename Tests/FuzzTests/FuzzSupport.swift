import Foundation
import Seeded

/// How many cases each fuzz property runs: `EWM_FUZZ_CASES` (a positive integer) for a longer opt-in run, else
/// `standard` (the CI figure, sized for a debug build in well under a minute).
func fuzzCases(_ standard: Int) -> Int {
    if let text = ProcessInfo.processInfo.environment["EWM_FUZZ_CASES"], let n = Int(text), n > 0 { return n }
    return standard
}

/// Seeded adversarial draws: every case is reproducible from (property seed, case index).
struct Fuzz {
    var rng: SplitMix64

    init(seed: UInt64, index: Int) { rng = SplitMix64(seed: seed &* 0x9E37_79B9 &+ UInt64(index)) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// A number from the whole range of Double: ordinary values, the box's edges, huge and tiny magnitudes, signed zeros,
    /// and (if `nonFinite`) NaN and infinities.
    mutating func double(typical: ClosedRange<Double>, nonFinite: Bool) -> Double {
        switch int(0...9) {
        case 0...3: return Double.random(in: typical, using: &rng)
        case 4: return pick([typical.lowerBound, typical.upperBound, 0, -0.0])
        case 5, 6:
            let magnitude = pow(10, Double(int(0...308))) * Double.random(in: 1..<1.79, using: &rng)
            return (chance(0.5) ? 1 : -1) * (magnitude.isFinite ? magnitude : .greatestFiniteMagnitude)
        case 7: return pick([.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, 1e154, -1e154])
        default:
            if nonFinite { return pick([.nan, .infinity, -.infinity, -.nan, .signalingNaN]) }
            return Double.random(in: typical, using: &rng)
        }
    }

    /// Mutates bytes: truncation, bit flips, overwritten runs, insertions, deletions, digits planted in text headers.
    mutating func mutate(_ bytes: [UInt8]) -> (bytes: [UInt8], truncatedOnly: Bool) {
        var b = bytes
        switch int(0...5) {
        case 0:
            return (Array(b.prefix(int(0...max(0, b.count - 1)))), true)
        case 1:
            for _ in 0..<int(1...8) where !b.isEmpty { b[int(0...(b.count - 1))] ^= UInt8(1 << int(0...7)) }
        case 2:
            guard !b.isEmpty else { break }
            let start = int(0...(b.count - 1))
            for i in start..<min(b.count, start + int(1...16)) { b[i] = UInt8.random(in: 0...255, using: &rng) }
        case 3:
            let at = int(0...b.count)
            b.insert(contentsOf: (0..<int(1...16)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
        case 4:
            guard !b.isEmpty else { break }
            let start = int(0...(b.count - 1))
            b.removeSubrange(start..<min(b.count, start + int(1...16)))
        default:
            // Plant a long run of digits (a huge shape, length or offset) somewhere in the first 256 bytes.
            guard !b.isEmpty else { break }
            let start = int(0...min(255, b.count - 1))
            let digits = Array(String(pick(["9999999999999999999", "4294967296", "-1", "18446744073709551615", "1e308"])).utf8)
            for (k, d) in digits.enumerated() where start + k < b.count { b[start + k] = d }
        }
        return (b, false)
    }
}
