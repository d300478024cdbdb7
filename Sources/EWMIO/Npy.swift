import Foundation

/// The `.npy` file format (numpy format versions 1.0, 2.0 and 3.0; little-endian, C order).
///
/// Layout: `\x93NUMPY`, major and minor version bytes, a little-endian header length
/// (2 bytes for 1.0, 4 bytes for 2.0/3.0), an ASCII (3.0: UTF-8) Python dict literal
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a
/// newline to a multiple of 64 bytes, then the raw element bytes.
public enum Npy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
    static let alignment = 64

    /// Serialises `array` as format 1.0 (2.0 if the header would exceed 65535 bytes).
    ///
    /// - Precondition: `array.data` matches `array.shape` (always true unless the mutable fields
    ///   were changed inconsistently; `Npz.write` checks this and throws instead).
    public static func encode(_ array: NpyArray) -> Data {
        do { try array.validate() } catch { preconditionFailure("Npy.encode: \(error)") }
        let dims = array.shape.map(String.init)
        let shapeText = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        var prefixLength = magic.count + 2 + 2
        var major: UInt8 = 1
        if header.utf8.count + 1 + prefixLength + alignment > 65535 {
            major = 2
            prefixLength = magic.count + 2 + 4
        }
        let unpadded = prefixLength + header.utf8.count + 1
        let padding = (alignment - unpadded % alignment) % alignment
        header += String(repeating: " ", count: padding) + "\n"
        let headerBytes = Array(header.utf8)

        var out = Data(capacity: prefixLength + headerBytes.count + array.data.count)
        out.append(contentsOf: magic)
        out.append(contentsOf: [major, 0])
        let length = headerBytes.count
        if major == 1 {
            out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        } else {
            out.append(contentsOf: (0..<4).map { UInt8((length >> (8 * $0)) & 0xFF) })
        }
        out.append(contentsOf: headerBytes)
        out.append(array.data)
        return out
    }

    /// Parses an `.npy` file's bytes.
    ///
    /// - Parameters:
    ///   - data: the whole file.
    ///   - name: names the source in errors (a path, or `archive.npz/obs.npy`).
    /// - Throws: `IOError` with `name` and the reason: `.truncated` (header or data cut short),
    ///   `.badMagic`, `.malformedHeader` (unknown version, unparsable dict, missing keys),
    ///   `.unsupportedDType` (big-endian, object, strings, ...), `.unsupportedLayout`
    ///   (`fortran_order: True` for a genuinely multi-dimensional array), `.sizeMismatch` (extra bytes).
    public static func decode(_ data: Data, name: String) throws -> NpyArray {
        // Only the preamble and header are copied; the payload is sliced once at the end.
        let total = data.count
        let bytes = [UInt8](data.prefix(12))
        guard total >= 10 else {
            if total >= 1, !bytes.elementsEqual(magic.prefix(total)) {
                throw IOError.badMagic(path: name, expected: "93 4e 55 4d 50 59 (\\x93NUMPY)", found: hexPrefix(data))
            }
            throw IOError.truncated(path: name, reason: "\(total) bytes, an .npy preamble needs at least 10")
        }
        guard Array(bytes[0..<6]) == magic else {
            throw IOError.badMagic(path: name, expected: "93 4e 55 4d 50 59 (\\x93NUMPY)", found: hexPrefix(data))
        }
        let major = bytes[6], minor = bytes[7]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard total >= 12 else {
                throw IOError.truncated(path: name, reason: "\(total) bytes, a version \(major).0 preamble needs 12")
            }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw IOError.malformedHeader(path: name, reason: "unsupported .npy format version \(major).\(minor)")
        }
        guard total - headerStart >= headerLength else {
            throw IOError.truncated(path: name, reason: "header says \(headerLength) bytes, only \(total - headerStart) left")
        }
        let base = data.startIndex
        let headerBytes = [UInt8](data[(base + headerStart)..<(base + headerStart + headerLength)])
        let text = major == 3 ? String(decoding: headerBytes, as: UTF8.self) : String(headerBytes.map { Character(Unicode.Scalar($0)) })
        let header = try NpyHeader.parse(text, path: name)

        let dtype = try NpyDType.parse(header.descr, path: name)
        let count = try NpyArray.elementCount(header.shape, path: name)
        if header.fortranOrder && header.shape.filter({ $0 > 1 }).count > 1 {
            throw IOError.unsupportedLayout(path: name, reason: "fortran_order is True for shape \(header.shape); save with np.ascontiguousarray")
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw IOError.malformedHeader(path: name, reason: "shape \(header.shape) is too large") }
        let dataStart = headerStart + headerLength
        let available = total - dataStart
        if available < expected {
            throw IOError.truncated(
                path: name, reason: "shape \(header.shape) of \(dtype.rawValue) needs \(expected) data bytes, only \(available) present")
        }
        if available > expected {
            throw IOError.sizeMismatch(path: name, shape: header.shape, expectedBytes: expected, actualBytes: available)
        }
        return try NpyArray(dtype: dtype, shape: header.shape, data: data.subdata(in: (base + dataStart)..<(base + total)))
    }
}
