/// Element type of an array-valued space or observation.
public enum DType: String, Sendable, Codable {
    case float64, uint8
}

/// A box in R^n (Gymnasium's `Box`): elementwise bounds on an array of a fixed shape.
///
/// Spaces are values: `contains` tells membership, `sample(using:)` draws uniformly (for bounded
/// dimensions; unbounded ones draw from a standard normal, as Gymnasium does).
public struct BoxSpace: Equatable, Sendable, Codable, CustomStringConvertible {
    public let shape: [Int]
    public let low: [Double]
    public let high: [Double]
    public let dtype: DType

    public init(low: [Double], high: [Double], shape: [Int]? = nil, dtype: DType = .float64) {
        precondition(low.count == high.count, "BoxSpace: low and high differ in size")
        self.shape = shape ?? [low.count]
        precondition(self.shape.reduce(1, *) == low.count, "BoxSpace: shape does not match bounds")
        self.low = low
        self.high = high
        self.dtype = dtype
    }

    /// The same bounds for every element.
    public init(low: Double, high: Double, shape: [Int], dtype: DType = .float64) {
        let n = shape.reduce(1, *)
        self.init(low: Array(repeating: low, count: n), high: Array(repeating: high, count: n), shape: shape, dtype: dtype)
    }

    public var count: Int { low.count }

    public func contains(_ values: [Double], tolerance: Double = 0) -> Bool {
        guard values.count == count else { return false }
        for i in 0..<count where !(values[i] >= low[i] - tolerance && values[i] <= high[i] + tolerance) { return false }
        return true
    }

    public func contains(_ observation: Observation, tolerance: Double = 0) -> Bool {
        guard observation.shape == shape, observation.dtype == dtype else { return false }
        switch observation.storage {
        case .float64(let v): return contains(v, tolerance: tolerance)
        case .uint8(let v):
            for i in 0..<count where !(Double(v[i]) >= low[i] && Double(v[i]) <= high[i]) { return false }
            return true
        }
    }

    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> [Double] {
        (0..<count).map { i in
            let lo = low[i], hi = high[i]
            if lo.isFinite && hi.isFinite { return lo == hi ? lo : Double.random(in: lo...hi, using: &rng) }
            let u1 = Double.random(in: Double.ulpOfOne...1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            if lo.isFinite { return lo + abs(z) }
            if hi.isFinite { return hi - abs(z) }
            return z
        }
    }

    public var description: String {
        let lo = Set(low), hi = Set(high)
        let bounds =
            lo.count == 1 && hi.count == 1
            ? "\(low.first.map(Self.format) ?? "-"), \(high.first.map(Self.format) ?? "-")"
            : "low [\(low.map(Self.format).joined(separator: ", "))], high [\(high.map(Self.format).joined(separator: ", "))]"
        return "Box(\(bounds), shape \(shape), \(dtype.rawValue))"
    }

    private static func format(_ x: Double) -> String {
        if x == x.rounded() && abs(x) < 1e9 { return String(Int(x)) }
        return String(format: "%.4g", x)
    }
}

import Foundation
