import Foundation

/// PNG encoding of `RGBImage` (8-bit truecolour, no interlace).
///
/// The filtered scanlines form one zlib stream in a single IDAT chunk; work is linear in the
/// pixel count. Rendered pictures (flat colours, thin anti-aliased edges) compress best with
/// filter None, the default; `.adaptive` (per-row minimum-sum choice among the five PNG filters)
/// suits photographs and smooth gradients, at about 3 ns per byte extra.
public enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// How scanlines are filtered before deflate.
    public enum Filtering: Sendable {
        /// Filter type 0 on every row (fastest; best for rendered frames and plots).
        case none
        /// Per row, the filter with the smallest sum of absolute signed bytes (the PNG spec's heuristic).
        case adaptive
    }

    /// A valid PNG file (8-bit RGB) with zlib-deflated IDAT and correct CRC/Adler checksums
    /// (filter None, zlib level 6).
    public static func encode(_ image: RGBImage) -> Data {
        encode(image, filtering: .none, compressionLevel: 6)
    }

    /// A PNG with explicit filtering and zlib level (0 = stored ... 9 = smallest; clamped to 0...9).
    public static func encode(_ image: RGBImage, filtering: Filtering, compressionLevel: Int) -> Data {
        var out = Data(signature)
        appendChunk("IHDR", header(width: image.width, height: image.height), to: &out)
        appendChunk("IDAT", Zlib.compress(filteredScanlines(image, filtering: filtering), level: compressionLevel), to: &out)
        appendChunk("IEND", Data(), to: &out)
        return out
    }

    /// Encodes and writes atomically (see `writeAtomically`).
    /// - Throws: `IOError.fileSystem` if the file cannot be written.
    public static func write(_ image: RGBImage, to url: URL) throws {
        try writeAtomically(encode(image), to: url)
    }

    /// The 13-byte IHDR payload: width, height, bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    static func header(width: Int, height: Int) -> Data {
        var data = Data()
        Zlib.appendBigEndian(UInt32(width), to: &data)
        Zlib.appendBigEndian(UInt32(height), to: &data)
        data.append(contentsOf: [8, 2, 0, 0, 0])
        return data
    }

    /// Appends length, type, payload and CRC-32 (over type and payload).
    static func appendChunk(_ type: String, _ payload: Data, to out: inout Data) {
        let typeBytes = Data(type.utf8)
        precondition(typeBytes.count == 4, "PNG chunk type must be 4 ASCII letters")
        Zlib.appendBigEndian(UInt32(payload.count), to: &out)
        out.append(typeBytes)
        out.append(payload)
        Zlib.appendBigEndian(Zlib.crc32(payload, seed: Zlib.crc32(typeBytes)), to: &out)
    }

    /// The bytes that get deflated: for each row, a filter-type byte then `3 * width` filtered bytes.
    static func filteredScanlines(_ image: RGBImage, filtering: Filtering = .none) -> Data {
        let stride = image.width * 3
        let rows = image.height
        var out = Data(count: rows * (stride + 1))
        if filtering == .none {
            image.pixels.withUnsafeBytes { pixels in
                out.withUnsafeMutableBytes { dst in
                    for y in 0..<rows {
                        // Filter byte stays 0 (Data(count:) is zeroed).
                        (dst.baseAddress! + y * (stride + 1) + 1).copyMemory(from: pixels.baseAddress! + y * stride, byteCount: stride)
                    }
                }
            }
            return out
        }
        var candidates = [UInt8](repeating: 0, count: 5 * stride)
        let zeroRow = [UInt8](repeating: 0, count: stride)
        image.pixels.withUnsafeBufferPointer { pixels in
            zeroRow.withUnsafeBufferPointer { zero in
                candidates.withUnsafeMutableBufferPointer { cand in
                    out.withUnsafeMutableBytes { (dst: UnsafeMutableRawBufferPointer) in
                        for y in 0..<rows {
                            let cur = UnsafeBufferPointer(rebasing: pixels[(y * stride)..<((y + 1) * stride)])
                            let up = y == 0 ? zero : UnsafeBufferPointer(rebasing: pixels[((y - 1) * stride)..<(y * stride)])
                            let best = filterRow(cur, up: up, into: cand, stride: stride)
                            let rowStart = y * (stride + 1)
                            dst[rowStart] = UInt8(best)
                            (dst.baseAddress! + rowStart + 1).copyMemory(from: cand.baseAddress! + best * stride, byteCount: stride)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Writes all five filtered versions of a row into `cand` (filter `f` at `f * stride`) and
    /// returns the filter whose bytes, read as signed, have the smallest absolute sum.
    @inline(__always)
    private static func filterRow(
        _ cur: UnsafeBufferPointer<UInt8>, up: UnsafeBufferPointer<UInt8>,
        into cand: UnsafeMutableBufferPointer<UInt8>, stride: Int
    ) -> Int {
        let x = cur.baseAddress!, b = up.baseAddress!
        let none = cand.baseAddress!, sub = none + stride, upF = sub + stride, avg = upF + stride, paeth = avg + stride
        var s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0
        for i in 0..<stride {
            let xi = x[i], bi = Int32(b[i])
            let a: Int32 = i >= 3 ? Int32(x[i - 3]) : 0
            let c: Int32 = i >= 3 ? Int32(b[i - 3]) : 0
            let f0 = xi
            let f1 = xi &- UInt8(truncatingIfNeeded: a)
            let f2 = xi &- UInt8(truncatingIfNeeded: bi)
            let f3 = xi &- UInt8(truncatingIfNeeded: (a + bi) >> 1)
            let f4 = xi &- UInt8(truncatingIfNeeded: paethPredictor(a, bi, c))
            none[i] = f0
            sub[i] = f1
            upF[i] = f2
            avg[i] = f3
            paeth[i] = f4
            s0 &+= Int(Int8(bitPattern: f0).magnitude)
            s1 &+= Int(Int8(bitPattern: f1).magnitude)
            s2 &+= Int(Int8(bitPattern: f2).magnitude)
            s3 &+= Int(Int8(bitPattern: f3).magnitude)
            s4 &+= Int(Int8(bitPattern: f4).magnitude)
        }
        var best = 0, bestSum = s0
        if s1 < bestSum { best = 1; bestSum = s1 }
        if s2 < bestSum { best = 2; bestSum = s2 }
        if s3 < bestSum { best = 3; bestSum = s3 }
        if s4 < bestSum { best = 4 }
        return best
    }

    /// The Paeth predictor from the PNG specification: whichever of left (`a`), above (`b`),
    /// upper-left (`c`) is closest to `a + b - c`, ties in that order. Branch-free.
    @inline(__always)
    static func paethPredictor(_ a: Int32, _ b: Int32, _ c: Int32) -> Int32 {
        let pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c)
        let useA = pa <= pb && pa <= pc
        let bOrC = pb <= pc ? b : c
        return useA ? a : bOrC
    }
}
