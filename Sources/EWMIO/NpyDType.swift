import Foundation

/// The numpy dtypes EWMIO reads and writes; the raw value is numpy's `descr` string.
///
/// All multi-byte types are little-endian (`<`), as numpy writes them on every common machine.
public enum NpyDType: String, CaseIterable, Sendable {
    case float64 = "<f8"
    case float32 = "<f4"
    case int64 = "<i8"
    case int32 = "<i4"
    case uint8 = "|u1"
    case bool = "|b1"

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .uint8, .bool: return 1
        }
    }

    /// True for `float64` and `float32`.
    public var isFloatingPoint: Bool { self == .float64 || self == .float32 }

    /// Parses a numpy `descr` string, accepting the spellings numpy and other writers use
    /// (`'<f8'`, `'|u1'`, `'<u1'`, `'|b1'`, `'=i8'` on little-endian hosts, ...).
    ///
    /// - Parameter path: used in the error message only.
    /// - Throws: `IOError.unsupportedDType` with the reason (big-endian, object, string, other kinds/sizes).
    static func parse(_ descr: String, path: String) throws -> NpyDType {
        guard let order = descr.first, descr.count >= 2 else {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "not a numpy type string")
        }
        let body = String(descr.dropFirst())
        let kind = body.first!
        let size = Int(body.dropFirst())
        if body == "O" || kind == "O" {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "object arrays (pickled Python objects) are not supported")
        }
        if "USaV".contains(kind) {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "string/bytes/void dtypes are not supported")
        }
        guard let size else {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "not a numpy type string")
        }
        if order == ">" && size > 1 {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "big-endian data is not supported (use arr.astype('<\(body)'))")
        }
        guard "<>|=".contains(order) else {
            throw IOError.unsupportedDType(path: path, dtype: descr, reason: "unknown byte order '\(order)'")
        }
        switch (kind, size) {
        case ("f", 8): return .float64
        case ("f", 4): return .float32
        case ("i", 8): return .int64
        case ("i", 4): return .int32
        case ("u", 1): return .uint8
        case ("b", 1): return .bool
        default:
            throw IOError.unsupportedDType(
                path: path, dtype: descr,
                reason: "supported dtypes are " + NpyDType.allCases.map(\.rawValue).joined(separator: ", "))
        }
    }
}
