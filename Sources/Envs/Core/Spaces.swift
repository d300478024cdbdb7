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

/// A box space in machine-readable form (`ewm-sim list --json`, the step server's `spaces` request), in Gymnasium's
/// `Box` terms: `{"type": "Box", "dtype": "float64", "shape": [5], "low": [0, 0, 0, 0, 0], "high": [512, ..., 6.283185307179586]}`.
/// `low` and `high` are exact: every number is the Double itself, written so that parsing it gives back the same
/// Double (6.283185307179586 is 2 pi, not a display string rounded to 4 digits). A bound equal for every element is
/// one number (Gymnasium broadcasts it over `shape`); otherwise a flat array in row-major order. Unbounded
/// elements are the strings "inf" and "-inf" (JSON has no infinity).
public struct SpaceDescription: Encodable, Equatable, Sendable {
    public enum Bound: Equatable, Sendable {
        case uniform(Double)
        case elementwise([Double])
    }
    public let type = "Box"
    public let dtype: String
    public let shape: [Int]
    public let low: Bound
    public let high: Bound

    public init(_ space: BoxSpace) {
        dtype = space.dtype.rawValue
        shape = space.shape
        low = Self.bound(space.low)
        high = Self.bound(space.high)
    }

    private static func bound(_ values: [Double]) -> Bound {
        if let first = values.first, values.allSatisfy({ $0 == first }) { return .uniform(first) }
        return .elementwise(values)
    }

    /// The bound's elements, one per element of the space.
    public func values(_ bound: Bound) -> [Double] {
        switch bound {
        case .uniform(let d): return Array(repeating: d, count: shape.reduce(1, *))
        case .elementwise(let v): return v
        }
    }

    private enum CodingKeys: String, CodingKey { case type, dtype, shape, low, high }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(dtype, forKey: .dtype)
        try c.encode(shape, forKey: .shape)
        try encode(low, to: &c, key: .low)
        try encode(high, to: &c, key: .high)
    }

    private func encode(_ bound: Bound, to c: inout KeyedEncodingContainer<CodingKeys>, key: CodingKeys) throws {
        switch bound {
        case .uniform(let d) where d.isFinite: try c.encode(d, forKey: key)
        case .uniform(let d): try c.encode(Self.infinityName(d), forKey: key)
        case .elementwise(let v) where v.allSatisfy(\.isFinite): try c.encode(v, forKey: key)
        case .elementwise(let v):
            var list = c.nestedUnkeyedContainer(forKey: key)
            for d in v {
                if d.isFinite { try list.encode(d) } else { try list.encode(Self.infinityName(d)) }
            }
        }
    }

    private static func infinityName(_ d: Double) -> String { d > 0 ? "inf" : d < 0 ? "-inf" : "nan" }

    /// The same as a JSONSerialization object.
    public var jsonValue: [String: Any] {
        func json(_ bound: Bound) -> Any {
            func one(_ d: Double) -> Any { d.isFinite ? d : Self.infinityName(d) }
            switch bound {
            case .uniform(let d): return one(d)
            case .elementwise(let v): return v.map(one)
            }
        }
        return ["type": type, "dtype": dtype, "shape": shape, "low": json(low), "high": json(high)]
    }
}
