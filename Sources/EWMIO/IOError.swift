import Foundation

/// Every error thrown by EWMIO.
///
/// Each case carries the file (or, for in-memory data, the name the caller gave it) and a
/// reason, so `description` reads like `"runs/a.npz/obs.npy: truncated: header says 96 bytes, 40 left"`.
public enum IOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The data ends before the format says it should.
    case truncated(path: String, reason: String)
    /// The file does not start with the expected signature (e.g. `\x93NUMPY`, PNG's 8 bytes).
    case badMagic(path: String, expected: String, found: String)
    /// A header that cannot be parsed or is inconsistent with itself.
    case malformedHeader(path: String, reason: String)
    /// A dtype EWMIO does not read or write (big-endian, object, strings, structured, ...).
    case unsupportedDType(path: String, dtype: String, reason: String)
    /// A memory layout EWMIO does not read (e.g. `fortran_order: True`).
    case unsupportedLayout(path: String, reason: String)
    /// The number of bytes does not match what the shape and dtype require.
    case sizeMismatch(path: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    /// An array requested by name is not in the archive.
    case missingArray(path: String, name: String, available: [String])
    /// The file is not a (readable) zip archive.
    case notAZip(path: String, reason: String)
    /// A zip entry could not be extracted (bad CRC, bad deflate stream, ...).
    case corruptEntry(path: String, entry: String, reason: String)
    /// A value conversion that would lose meaning (e.g. `int64s()` on a float array).
    case conversion(path: String, reason: String)
    /// A caller passed an argument that is out of range (negative dimension, empty frame list, ...).
    case invalidArgument(String)
    /// The operating system refused a read, write, rename, ... (`reason` is `strerror(errno)`).
    case fileSystem(path: String, operation: String, reason: String)
    /// An output path that must not be written (an input, a symbolic link, a FIFO, a device, a directory).
    case unsafeOutput(path: String, reason: String)
    /// A run directory another process is writing (it holds the directory's lock; `holder` its pid, if known).
    case directoryInUse(path: String, holder: Int?)
    /// A run directory whose files do not match its manifest, or whose writer did not finish.
    case inconsistentDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(path, reason):
            return "\(path): truncated: \(reason)"
        case let .badMagic(path, expected, found):
            return "\(path): bad magic: expected \(expected), found \(found)"
        case let .malformedHeader(path, reason):
            return "\(path): malformed header: \(reason)"
        case let .unsupportedDType(path, dtype, reason):
            return "\(path): unsupported dtype '\(dtype)': \(reason)"
        case let .unsupportedLayout(path, reason):
            return "\(path): unsupported layout: \(reason)"
        case let .sizeMismatch(path, shape, expected, actual):
            return "\(path): shape/data size mismatch: shape \(shape) needs \(expected) bytes, got \(actual)"
        case let .missingArray(path, name, available):
            let list = available.sorted().joined(separator: ", ")
            return "\(path): missing array '\(name)' (available: \(list.isEmpty ? "none" : list))"
        case let .notAZip(path, reason):
            return "\(path): not a zip archive: \(reason)"
        case let .corruptEntry(path, entry, reason):
            return "\(path): corrupt entry '\(entry)': \(reason)"
        case let .conversion(path, reason):
            return "\(path): cannot convert: \(reason)"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason)"
        case let .fileSystem(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case let .unsafeOutput(path, reason):
            return "\(path): refusing to write the output there: \(reason)"
        case let .directoryInUse(path, holder):
            return "\(path): another process\(holder.map { " (pid \($0))" } ?? "") is writing this directory; wait for it or choose another"
        case let .inconsistentDirectory(path, reason):
            return "\(path): \(reason)"
        }
    }
}

extension IOError: LocalizedError {
    public var errorDescription: String? { description }
}

/// Renders the first bytes of `data` for error messages, e.g. `"50 4b 03 04"`.
func hexPrefix(_ data: Data, count: Int = 8) -> String {
    if data.isEmpty { return "<empty>" }
    return data.prefix(count).map { String(format: "%02x", $0) }.joined(separator: " ")
}

/// The C library's message for `errno`.
func errnoDescription(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
