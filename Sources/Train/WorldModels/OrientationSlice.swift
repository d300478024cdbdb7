import Envs
import Foundation

/// A closed arc of orientations [lo, hi] in radians (lo <= hi, width at most 2 pi): the "slice" a model is
/// trained on. Written and parsed in degrees: "-15:15", "0:90", or "15" for the symmetric arc [-15, 15];
/// "0" is the single orientation 0.
public struct OrientationSlice: Codable, Equatable, Sendable, CustomStringConvertible {
    public var lo: Double
    public var hi: Double

    public init(lo: Double, hi: Double) throws {
        guard lo.isFinite, hi.isFinite, lo <= hi else { throw SliceError("slice needs finite lo <= hi, got \(lo)...\(hi)") }
        guard hi - lo <= 2 * Double.pi + 1e-12 else { throw SliceError("slice is wider than the whole circle") }
        self.lo = lo; self.hi = hi
    }

    /// The default: a small arc around 0, +-15 degrees.
    public static let defaultSlice = try! OrientationSlice(degrees: "15")

    public struct SliceError: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Parses "lo:hi" or "w" (meaning -w:w), in degrees.
    public init(degrees text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func number(_ s: String) throws -> Double {
            guard let v = Double(s), v.isFinite else { throw SliceError("'\(text)' is not a slice in degrees (e.g. -15:15 or 15)") }
            return v * Double.pi / 180
        }
        switch parts.count {
        case 1:
            let w = try number(parts[0])
            try self.init(lo: -abs(w), hi: abs(w))
        case 2:
            try self.init(lo: try number(parts[0]), hi: try number(parts[1]))
        default:
            throw SliceError("'\(text)' is not a slice in degrees (e.g. -15:15 or 15)")
        }
    }

    public var width: Double { hi - lo }
    public var degrees: (lo: Double, hi: Double) { (lo * 180 / Double.pi, hi * 180 / Double.pi) }
    public var description: String { String(format: "[%g, %g] deg", degrees.lo, degrees.hi) }

    /// Whether angle theta (any real) lies in the arc, modulo 2 pi, with a small tolerance.
    public func contains(_ theta: Double, tolerance: Double = 1e-9) -> Bool {
        if width >= 2 * Double.pi - tolerance { return true }
        let twoPi = 2 * Double.pi
        var t = (theta - lo).truncatingRemainder(dividingBy: twoPi)
        if t < 0 { t += twoPi }
        return t <= width + tolerance || t >= twoPi - tolerance
    }

    /// A uniform draw in the arc.
    public func sample<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        width == 0 ? lo : Double.random(in: lo...hi, using: &rng)
    }

    /// `count` evenly spaced orientations across the arc (both ends included when count > 1).
    public func grid(_ count: Int) -> [Double] {
        guard count > 1, width > 0 else { return [0.5 * (lo + hi)] }
        return (0..<count).map { lo + width * Double($0) / Double(count - 1) }
    }
}
