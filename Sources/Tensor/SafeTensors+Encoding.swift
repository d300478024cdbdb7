import EWMIO
import Foundation
#if canImport(Glibc)
    import Glibc
#endif

extension SafeTensors {
    /// The file's bytes: 8-byte little-endian header length, JSON header padded with spaces to a
    /// multiple of 8, then the tensors' little-endian data in name order.
    public func encoded() throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        var data: [UInt8] = []
        for name in names {
            let t = tensors[name]!
            let bytes: [UInt8]
            switch t {
            case .f32(let x): bytes = x.scalars.withUnsafeBytes { Array($0) }
            case .f64(let x): bytes = x.scalars.withUnsafeBytes { Array($0) }
            }
            header[name] = ["dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, offset + bytes.count]] as [String: Any]
            data += bytes
            offset += bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + json.count + data.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out += $0 }
        out += json
        out += data
        return out
    }

    /// Writes atomically: a temporary file in the same directory, then rename over `url`.
    public func write(to url: URL) throws {
        let bytes = try encoded()
        try writeAtomically(bytes, to: url)
    }

    /// Reads and validates a file; a defect is reported with the file's path (`SafeTensorsError.inFile`).
    public static func read(from url: URL) throws -> SafeTensors {
        let data: Data
        do { data = try readInputFile(url) } catch {
            throw SafeTensorsError.io("cannot read \(url.path): \(fileErrorReason(error))")
        }
        do { return try decode([UInt8](data)) } catch let e as SafeTensorsError {
            throw SafeTensorsError.inFile(path: url.path, e)
        }
    }

    /// The first non-finite number in any tensor (tensors in name order), or nil.
    public var firstNonFinite: (tensor: String, index: Int, value: Double)? {
        for name in tensors.keys.sorted() {
            switch tensors[name]! {
            case .f32(let t):
                if let i = t.scalars.firstIndex(where: { !$0.isFinite }) { return (name, i, Double(t.scalars[i])) }
            case .f64(let t):
                if let i = t.scalars.firstIndex(where: { !$0.isFinite }) { return (name, i, t.scalars[i]) }
            }
        }
        return nil
    }

    /// Reads a file that holds model weights: as `read(from:)`, and every number must be finite
    /// (`SafeTensorsError.nonFinite` in `inFile`, naming the file and the tensor).
    public static func readWeights(from url: URL) throws -> SafeTensors {
        let state = try read(from: url)
        if let bad = state.firstNonFinite {
            throw SafeTensorsError.inFile(path: url.path, .nonFinite(tensor: bad.tensor, index: bad.index, value: bad.value))
        }
        return state
    }

    /// Parses and validates bytes. Never traps on malformed input: every defect is a thrown error.
    public static func decode(_ bytes: [UInt8]) throws -> SafeTensors {
        guard bytes.count >= 8 else {
            throw SafeTensorsError.truncated("\(bytes.count) bytes, fewer than the 8-byte header length")
        }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(headerLimit) else { throw SafeTensorsError.headerTooLarge(length: n, limit: headerLimit) }
        let headerLength = Int(n)
        guard 8 + headerLength <= bytes.count else {
            throw SafeTensorsError.truncated("header announces \(headerLength) bytes, only \(bytes.count - 8) follow")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]), options: [])
        } catch {
            throw SafeTensorsError.invalidHeader("not valid JSON")
        }
        guard let header = object as? [String: Any] else { throw SafeTensorsError.invalidHeader("not a JSON object") }

        var metadata: [String: String] = [:]
        if let m = header["__metadata__"] {
            guard let mm = m as? [String: String] else {
                throw SafeTensorsError.invalidHeader("__metadata__ must map strings to strings")
            }
            metadata = mm
        }
        struct Entry { var name: String; var dtype: String; var shape: [Int]; var begin: Int; var end: Int }
        var entries: [Entry] = []
        for (name, value) in header where name != "__metadata__" {
            guard let info = value as? [String: Any] else { throw SafeTensorsError.invalidHeader("entry '\(name)' is not an object") }
            guard let dtype = info["dtype"] as? String else { throw SafeTensorsError.invalidHeader("entry '\(name)' has no string dtype") }
            guard let shapeAny = info["shape"] as? [Any], let offAny = info["data_offsets"] as? [Any] else {
                throw SafeTensorsError.invalidHeader("entry '\(name)' needs shape and data_offsets arrays")
            }
            let shape = shapeAny.compactMap(exactInt)
            let offsets = offAny.compactMap(exactInt)
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError.invalidHeader("entry '\(name)' has a shape that is not a list of non-negative integers")
            }
            guard offsets.count == 2, offsets.count == offAny.count, offsets[0] >= 0, offsets[0] <= offsets[1] else {
                throw SafeTensorsError.invalidHeader("entry '\(name)' needs data_offsets [begin, end] with 0 <= begin <= end")
            }
            let size: Int
            switch dtype {
            case "F32": size = 4
            case "F64": size = 8
            default: throw SafeTensorsError.unsupportedDType(tensor: name, dtype: dtype)
            }
            var expected = size, overflow = false
            for d in shape where !overflow {
                (expected, overflow) = expected.multipliedReportingOverflow(by: d)
            }
            let actual = offsets[1] - offsets[0]
            if overflow || expected != actual {
                throw SafeTensorsError.sizeMismatch(tensor: name, expectedBytes: overflow ? Int.max : expected, actualBytes: actual)
            }
            entries.append(Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        var previous = ""
        for e in entries {
            if e.begin < position { throw SafeTensorsError.overlappingTensors(previous, e.name) }
            if e.begin > position {
                throw SafeTensorsError.invalidOffsets("hole of \(e.begin - position) bytes before tensor '\(e.name)'")
            }
            position = e.end
            previous = e.name
        }
        let dataLength = bytes.count - 8 - headerLength
        if position > dataLength {
            throw SafeTensorsError.truncated("tensors need \(position) data bytes, the file has \(dataLength)")
        }
        if position < dataLength { throw SafeTensorsError.oversized(expectedBytes: position, actualBytes: dataLength) }

        var tensors: [String: AnyTensor] = [:]
        let base = 8 + headerLength
        bytes.withUnsafeBytes { raw in
            for e in entries {
                let slice = UnsafeRawBufferPointer(rebasing: raw[(base + e.begin)..<(base + e.end)])
                if e.dtype == "F32" {
                    let count = (e.end - e.begin) / 4
                    let values = (0..<count).map {
                        Float(bitPattern: UInt32(littleEndian: slice.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
                    }
                    tensors[e.name] = .f32(Tensor(unchecked: e.shape, values))
                } else {
                    let count = (e.end - e.begin) / 8
                    let values = (0..<count).map {
                        Double(bitPattern: UInt64(littleEndian: slice.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
                    }
                    tensors[e.name] = .f64(Tensor(unchecked: e.shape, values))
                }
            }
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }
}

/// An integer from a JSON number only if it is exactly an integer.
private func exactInt(_ value: Any) -> Int? {
    if let n = value as? NSNumber {
        let d = n.doubleValue
        guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return n.intValue
    }
    return nil
}

/// Writes bytes atomically with EWMIO's `writeAtomically`: a temporary file beside `url`, fsynced, renamed over it, so
/// a reader sees either the old file or the complete new one; the temporary file is removed on every failure, and an
/// unsafe target (a symbolic link, a FIFO, a device, a directory) is refused, not replaced.
public func writeAtomically(_ bytes: [UInt8], to url: URL) throws {
    try EWMIO.writeAtomically(Data(bytes), to: url)
}
