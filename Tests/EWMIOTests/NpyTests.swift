@testable import EWMIO
import Foundation
import Testing

@Suite struct NpyTests {
    static let shapes: [[Int]] = [[], [0], [3], [2, 3], [2, 0, 4], [1, 2, 1, 2]]

    /// One array of each dtype for `shape`, with values that exercise signs, extremes and NaN-free floats.
    static func arrays(shape: [Int]) throws -> [NpyArray] {
        let n = shape.reduce(1, *)
        return [
            try NpyArray(float64: (0..<n).map { Double($0) * -1.5 + 1e-9 }, shape: shape),
            try NpyArray(float32: (0..<n).map { Float($0) * 0.25 - 3 }, shape: shape),
            try NpyArray(int64: (0..<n).map { Int64($0) * (Int64.max / 7) - 5 }, shape: shape),
            try NpyArray(int32: (0..<n).map { Int32($0) - 2 }, shape: shape),
            try NpyArray(uint8: (0..<n).map { UInt8(($0 * 97) % 256) }, shape: shape),
            try NpyArray(bool: (0..<n).map { $0 % 3 == 0 }, shape: shape),
        ]
    }

    @Test(arguments: shapes)
    func roundTripEveryDType(shape: [Int]) throws {
        let arrays = try Self.arrays(shape: shape)
        #expect(Set(arrays.map(\.dtype)) == Set(NpyDType.allCases))
        for array in arrays {
            let encoded = Npy.encode(array)
            #expect(Array(encoded.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
            let headerLength = Int(encoded[8]) | Int(encoded[9]) << 8
            #expect((10 + headerLength) % 64 == 0)
            #expect(encoded.count == 10 + headerLength + array.count * array.dtype.itemSize)
            let decoded = try Npy.decode(encoded, name: "x.npy")
            #expect(decoded == array)
            #expect(decoded.shape == shape)
            #expect(decoded.count == shape.reduce(1, *))
        }
    }

    @Test func decodesFromDataSlices() throws {
        let array = try NpyArray(int32: [5, -6, 7], shape: [3])
        let padded = Data([1, 2, 3]) + Npy.encode(array) + Data([9])
        let slice = padded[3..<(padded.count - 1)]
        #expect(slice.startIndex == 3)
        #expect(try Npy.decode(slice, name: "s.npy") == array)
    }

    @Test func headerTextMatchesNumpy() throws {
        let array = try NpyArray(float64: [1, 2], shape: [2])
        let text = String(decoding: Npy.encode(array)[10..<128], as: UTF8.self)
        #expect(text.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"))
        #expect(text.hasSuffix(" \n"))
        let scalar = try NpyArray(int64: [7], shape: [])
        #expect(String(decoding: Npy.encode(scalar), as: UTF8.self).contains("'shape': ()"))
        let matrix = try NpyArray(uint8: [1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(String(decoding: Npy.encode(matrix), as: UTF8.self).contains("'descr': '|u1', 'fortran_order': False, 'shape': (2, 3)"))
    }

    @Test func conversions() throws {
        let f8 = try NpyArray(float64: [1.5, -2], shape: [2])
        #expect(try f8.doubles() == [1.5, -2])
        #expect(try f8.floats() == [1.5, -2])
        #expect(ioError { _ = try f8.int64s() }.map { "\($0)".contains("int64s() on a <f8 array") } == true)
        #expect(ioError { _ = try f8.bools() } != nil)
        let f4 = try NpyArray(float32: [0.25, 3], shape: [2, 1])
        #expect(try f4.doubles() == [0.25, 3])
        let i8 = try NpyArray(int64: [Int64.min, 0, 5], shape: [3])
        #expect(try i8.int64s() == [Int64.min, 0, 5])
        #expect(try i8.doubles() == [Double(Int64.min), 0, 5])
        #expect(try i8.bools() == [true, false, true])
        let i4 = try NpyArray(int32: [-3, 4], shape: [2])
        #expect(try i4.int64s() == [-3, 4])
        #expect(try i4.doubles() == [-3, 4])
        let u1 = try NpyArray(uint8: [0, 255], shape: [2])
        #expect(try u1.int64s() == [0, 255])
        #expect(try u1.doubles() == [0, 255])
        let b1 = try NpyArray(bool: [true, false], shape: [2])
        #expect(try b1.bools() == [true, false])
        #expect(try b1.int64s() == [1, 0])
        #expect(try b1.doubles() == [1, 0])
    }

    @Test func initialisersValidate() throws {
        #expect(
            ioError { _ = try NpyArray(float64: [1, 2, 3], shape: [2, 2]) } == .invalidArgument("3 values do not fill shape [2, 2] (4 elements)"))
        #expect(ioError { _ = try NpyArray(uint8: [], shape: [-1]) }.map { "\($0)".contains("negative dimension") } == true)
        let mismatch = ioError { _ = try NpyArray(dtype: .float32, shape: [3], data: Data(count: 8)) }
        #expect(mismatch == .sizeMismatch(path: "<array>", shape: [3], expectedBytes: 12, actualBytes: 8))
        var array = try NpyArray(int64: [1, 2], shape: [2])
        array.shape = [3]
        #expect(ioError { _ = try array.doubles() } != nil)
    }

    /// A hand-built `.npy` with the given header dict text and payload.
    static func npy(_ header: String, payload: [UInt8], major: UInt8 = 1) -> Data {
        var data = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0])
        let text = Array((header + "\n").utf8)
        if major == 1 {
            data.append(contentsOf: [UInt8(text.count & 0xFF), UInt8(text.count >> 8)])
        } else {
            data.append(contentsOf: [UInt8(text.count & 0xFF), UInt8(text.count >> 8), 0, 0])
        }
        data.append(contentsOf: text)
        data.append(contentsOf: payload)
        return data
    }

    @Test func headerVariantsAreAccepted() throws {
        let payload: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]
        let variants = [
            Self.npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", payload: payload),
            Self.npy("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i8\"}", payload: payload),
            Self.npy("{'descr':'<i8','fortran_order':True,'shape':(2,)}", payload: payload),  // 1-D: same layout
            Self.npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }", payload: payload, major: 2),
            Self.npy("{'descr': '=i8', 'fortran_order': False, 'shape': (2, 1), }", payload: payload, major: 3),
        ]
        for data in variants {
            let array = try Npy.decode(data, name: "v.npy")
            #expect(try array.int64s() == [1, 2])
        }
        let bytes = try Npy.decode(Self.npy("{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }", payload: [7, 8]), name: "u.npy")
        #expect(bytes.dtype == .uint8)
    }

    @Test func decodeErrorsAreSpecific() throws {
        let good = Npy.encode(try NpyArray(float64: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        let payload = [UInt8](repeating: 0, count: 48)

        let truncatedHeader = ioError { _ = try Npy.decode(good.prefix(40), name: "a.npy") }
        guard case let .truncated(path, reason)? = truncatedHeader else { Issue.record("got \(String(describing: truncatedHeader))"); return }
        #expect(path == "a.npy")
        #expect(reason.contains("header says 118 bytes, only 30 left"))

        let tiny = ioError { _ = try Npy.decode(good.prefix(5), name: "a.npy") }
        #expect(tiny.map { "\($0)" } == "a.npy: truncated: 5 bytes, an .npy preamble needs at least 10")

        var wrongMagic = good
        wrongMagic[1] = 0x4F
        let magic = ioError { _ = try Npy.decode(wrongMagic, name: "b.npy") }
        #expect(magic.map { "\($0)" }?.hasPrefix("b.npy: bad magic: expected 93 4e 55 4d 50 59") == true)
        let png = ioError { _ = try Npy.decode(Data(PNG.signature + [0, 0]), name: "c.npy") }
        guard case .badMagic? = png else { Issue.record("PNG bytes: \(String(describing: png))"); return }

        let complex = ioError {
            _ = try Npy.decode(Self.npy("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", payload: payload), name: "d.npy")
        }
        #expect(complex.map { "\($0)" }?.hasPrefix("d.npy: unsupported dtype '<c16': supported dtypes are <f8, <f4, <i8, <i4, |u1, |b1") == true)
        let bigEndian = ioError {
            _ = try Npy.decode(Self.npy("{'descr': '>f8', 'fortran_order': False, 'shape': (6,), }", payload: payload), name: "e.npy")
        }
        #expect(bigEndian.map { "\($0)" }?.contains("big-endian data is not supported") == true)
        let object = ioError {
            _ = try Npy.decode(Self.npy("{'descr': '|O', 'fortran_order': False, 'shape': (6,), }", payload: payload), name: "f.npy")
        }
        #expect(object.map { "\($0)" }?.contains("object arrays (pickled Python objects) are not supported") == true)
        let structured = ioError {
            _ = try Npy.decode(Self.npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6,), }", payload: payload), name: "g.npy")
        }
        #expect(structured.map { "\($0)" }?.contains("structured (record) dtypes are not supported") == true)

        let fortran = ioError {
            _ = try Npy.decode(Self.npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", payload: payload), name: "h.npy")
        }
        #expect(fortran.map { "\($0)" } == "h.npy: unsupported layout: fortran_order is True for shape [2, 3]; save with np.ascontiguousarray")

        let extra = ioError { _ = try Npy.decode(good + Data([1, 2, 3]), name: "i.npy") }
        #expect(extra == .sizeMismatch(path: "i.npy", shape: [2, 3], expectedBytes: 48, actualBytes: 51))
        #expect(extra.map { "\($0)" } == "i.npy: shape/data size mismatch: shape [2, 3] needs 48 bytes, got 51")

        let shortData = ioError { _ = try Npy.decode(good.dropLast(8), name: "j.npy") }
        #expect(shortData.map { "\($0)" } == "j.npy: truncated: shape [2, 3] of <f8 needs 48 data bytes, only 40 present")

        let garbage = ioError { _ = try Npy.decode(Self.npy("{'descr': '<f8', 'shape': (6,)", payload: payload), name: "k.npy") }
        guard case .malformedHeader? = garbage else { Issue.record("got \(String(describing: garbage))"); return }
        let missingKey = ioError { _ = try Npy.decode(Self.npy("{'descr': '<f8', 'shape': (6,)}", payload: payload), name: "l.npy") }
        #expect(missingKey.map { "\($0)" } == "l.npy: malformed header: missing key 'fortran_order'")
        var version = good
        version[6] = 4
        #expect(
            ioError { _ = try Npy.decode(version, name: "m.npy") }.map { "\($0)" } == "m.npy: malformed header: unsupported .npy format version 4.0")
    }
}
