import Foundation

/// Reading element values out of an `NpyArray`.
extension NpyArray {
    /// Every element as `Double`, converted from any dtype (`f8`, `f4`, `i8`, `i4`, `u1`, `b1` → 0/1).
    ///
    /// `Int64` values beyond 2^53 round to the nearest representable `Double`.
    /// - Throws: `IOError.sizeMismatch` if `data` no longer matches `shape`.
    public func doubles() throws -> [Double] {
        try validate()
        return data.withUnsafeBytes { raw -> [Double] in
            let n = count
            switch dtype {
            case .float64: return (0..<n).map { Double(bitPattern: NpyArray.load(raw, $0, as: UInt64.self)) }
            case .float32: return (0..<n).map { Double(Float(bitPattern: NpyArray.load(raw, $0, as: UInt32.self))) }
            case .int64: return (0..<n).map { Double(NpyArray.load(raw, $0, as: Int64.self)) }
            case .int32: return (0..<n).map { Double(NpyArray.load(raw, $0, as: Int32.self)) }
            case .uint8: return (0..<n).map { Double(raw[$0]) }
            case .bool: return (0..<n).map { raw[$0] != 0 ? 1 : 0 }
            }
        }
    }

    /// Every element as `Float`, converted like `doubles()` (precision loss for `f8` and large integers).
    public func floats() throws -> [Float] {
        try validate()
        if dtype == .float32 {
            return data.withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: NpyArray.load(raw, $0, as: UInt32.self)) }
            }
        }
        return try doubles().map { Float($0) }
    }

    /// Every element as `Int64`, from integer and bool dtypes (`b1` → 0/1).
    /// - Throws: `IOError.conversion` for float dtypes (convert with `doubles()` and round explicitly).
    public func int64s() throws -> [Int64] {
        try validate()
        return try data.withUnsafeBytes { raw -> [Int64] in
            let n = count
            switch dtype {
            case .int64: return (0..<n).map { NpyArray.load(raw, $0, as: Int64.self) }
            case .int32: return (0..<n).map { Int64(NpyArray.load(raw, $0, as: Int32.self)) }
            case .uint8: return (0..<n).map { Int64(raw[$0]) }
            case .bool: return (0..<n).map { raw[$0] != 0 ? 1 : 0 }
            case .float64, .float32:
                throw IOError.conversion(path: "<array>", reason: "int64s() on a \(dtype.rawValue) array; use doubles()")
            }
        }
    }

    /// Every element as `Bool`: `b1` directly, integer dtypes as `value != 0`.
    /// - Throws: `IOError.conversion` for float dtypes.
    public func bools() throws -> [Bool] {
        if dtype.isFloatingPoint {
            throw IOError.conversion(path: "<array>", reason: "bools() on a \(dtype.rawValue) array")
        }
        return try int64s().map { $0 != 0 }
    }
}
