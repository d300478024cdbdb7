@testable import EWMIO
import Foundation

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("ewmio-tests-\(getpid())-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `body` and returns the `IOError` it throws (nil if it throws nothing or something else).
func ioError(_ body: () throws -> Void) -> IOError? {
    do {
        try body()
        return nil
    } catch let error as IOError {
        return error
    } catch {
        return nil
    }
}

/// CRC-32 computed bit by bit, independent of zlib and of the code under test.
func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}

/// One PNG chunk as read back from a file.
struct TestChunk {
    var type: String
    var payload: [UInt8]
    var storedCRC: UInt32
}

func bigEndian32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
    (0..<4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
}

/// Splits a PNG file (after its signature) into chunks, checking lengths.
func parseChunks(_ data: Data) -> [TestChunk]? {
    let bytes = [UInt8](data)
    guard bytes.count >= 8, Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
    var chunks: [TestChunk] = []
    var offset = 8
    while offset < bytes.count {
        guard offset + 12 <= bytes.count else { return nil }
        let length = Int(bigEndian32(bytes, offset))
        guard offset + 12 + length <= bytes.count else { return nil }
        let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
        let payload = Array(bytes[(offset + 8)..<(offset + 8 + length)])
        chunks.append(TestChunk(type: type, payload: payload, storedCRC: bigEndian32(bytes, offset + 8 + length)))
        offset += 12 + length
    }
    return chunks
}

/// Reverses PNG filtering (all five filter types) for 8-bit RGB scanlines.
func unfilter(_ filtered: [UInt8], width: Int, height: Int) -> [UInt8]? {
    let stride = width * 3
    guard filtered.count == height * (stride + 1) else { return nil }
    var out = [UInt8](repeating: 0, count: height * stride)
    for y in 0..<height {
        let type = filtered[y * (stride + 1)]
        for i in 0..<stride {
            let x = Int(filtered[y * (stride + 1) + 1 + i])
            let a = i >= 3 ? Int(out[y * stride + i - 3]) : 0
            let b = y > 0 ? Int(out[(y - 1) * stride + i]) : 0
            let c = i >= 3 && y > 0 ? Int(out[(y - 1) * stride + i - 3]) : 0
            let predictor: Int
            switch type {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4:
                let p = a + b - c
                let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
            default: return nil
            }
            out[y * stride + i] = UInt8((x + predictor) & 0xFF)
        }
    }
    return out
}
