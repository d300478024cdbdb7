import Foundation
import ZIPFoundation
#if canImport(CZlib)
    import CZlib  // system zlib, the module ZIPFoundation links on Linux (Debian's zlib1g-dev)
#elseif canImport(zlib)
    import zlib  // Apple SDKs
#endif

/// zlib streams (RFC 1950) and checksums. PNG's IDAT/fdAT payloads are zlib streams.
///
/// Where the system zlib module is importable (Linux: ZIPFoundation's `CZlib`; Apple: `zlib`),
/// it is called directly: one-shot `deflate` into a `deflateBound` buffer, zlib's fast CRC-32.
/// Otherwise the same bytes come from ZIPFoundation's public raw-deflate API plus a header and
/// Adler-32 trailer written here; stored blocks are the last resort if deflate fails.
enum Zlib {
    /// Compresses `data` into a zlib stream (header, deflate data, Adler-32 trailer).
    /// - Parameter level: zlib level 0 (stored) ... 9 (smallest); default 6. Clamped to that range.
    ///   The ZIPFoundation fallback always uses level 6.
    static func compress(_ data: Data, level: Int = 6) -> Data {
        #if canImport(CZlib) || canImport(zlib)
            if let out = systemCompress(data, level: Int32(min(max(level, 0), 9))) { return out }
        #endif
        var out = Data([0x78, 0x9C])
        out.append(rawDeflate(data))
        appendBigEndian(adler32(data), to: &out)
        return out
    }

    /// A raw deflate stream (RFC 1951) of `data`.
    static func rawDeflate(_ data: Data) -> Data {
        if data.isEmpty { return Data([0x03, 0x00]) }  // one empty fixed-Huffman final block
        var out = Data()
        out.reserveCapacity(data.count / 4 + 64)
        do {
            _ = try Data.compress(
                size: Int64(data.count), bufferSize: max(data.count, 1 << 14),
                provider: { position, size in
                    let start = data.startIndex + Int(position)
                    return data.subdata(in: start..<(start + size))
                }, consumer: { chunk in out.append(chunk) })
            return out
        } catch {
            return storedDeflate(data)
        }
    }

    /// Deflate "stored" blocks (no compression), at most 65535 bytes each.
    static func storedDeflate(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var out = Data(capacity: bytes.count + 5 * (bytes.count / 65535 + 1))
        var offset = 0
        repeat {
            let length = min(65535, bytes.count - offset)
            let final: UInt8 = offset + length == bytes.count ? 1 : 0
            out.append(final)
            out.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)])
            out.append(contentsOf: bytes[offset..<(offset + length)])
            offset += length
        } while offset < bytes.count
        return out
    }

    /// Inflates a zlib stream, checking the header and the Adler-32 trailer.
    /// - Throws: `IOError.malformedHeader` / `.corruptEntry` with `name` and the reason.
    static func decompress(_ data: Data, name: String) throws -> Data {
        let bytes = [UInt8](data)
        guard bytes.count >= 6 else { throw IOError.truncated(path: name, reason: "zlib stream of \(bytes.count) bytes") }
        guard bytes[0] & 0x0F == 8, (Int(bytes[0]) << 8 | Int(bytes[1])) % 31 == 0, bytes[1] & 0x20 == 0 else {
            throw IOError.malformedHeader(path: name, reason: "bad zlib header \(hexPrefix(data, count: 2))")
        }
        let inflated = try rawInflate(Data(bytes[2..<(bytes.count - 4)]), name: name)
        let stored = bytes[(bytes.count - 4)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard stored == adler32(inflated) else {
            throw IOError.corruptEntry(path: name, entry: "zlib", reason: "Adler-32 mismatch")
        }
        return inflated
    }

    /// Inflates a raw deflate stream.
    static func rawInflate(_ data: Data, name: String) throws -> Data {
        var out = Data()
        do {
            _ = try Data.decompress(
                size: Int64(data.count), bufferSize: 1 << 16, skipCRC32: true,
                provider: { position, size in
                    let start = data.startIndex + Int(position)
                    let end = min(start + size, data.endIndex)
                    guard start < end else { throw IOError.truncated(path: name, reason: "deflate stream ends early") }
                    return data.subdata(in: start..<end)
                }, consumer: { out.append($0) })
        } catch {
            throw IOError.corruptEntry(path: name, entry: "deflate", reason: "\(error)")
        }
        return out
    }

    /// Adler-32 (RFC 1950) of `data`.
    static func adler32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { raw -> UInt32 in
            var a: UInt32 = 1, b: UInt32 = 0
            var index = 0
            let count = raw.count
            while index < count {
                // 5552 is the largest block for which b cannot overflow 32 bits before the modulo.
                let end = min(index + 5552, count)
                while index < end {
                    a &+= UInt32(raw[index])
                    b &+= a
                    index += 1
                }
                a %= 65521
                b %= 65521
            }
            return b << 16 | a
        }
    }

    /// CRC-32 (ISO 3309, as used by PNG and zip) of `data`, continuing from `seed`.
    static func crc32(_ data: Data, seed: UInt32 = 0) -> UInt32 {
        #if canImport(CZlib) || canImport(zlib)
            return data.withUnsafeBytes { raw in
                UInt32(truncatingIfNeeded: zlibCRC32(UInt(seed), raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
            }
        #else
            return data.crc32(checksum: seed)
        #endif
    }

    #if canImport(CZlib) || canImport(zlib)
        /// One-shot zlib-format deflate; nil if zlib reports an error.
        static func systemCompress(_ data: Data, level: Int32, strategy: Int32 = Z_DEFAULT_STRATEGY) -> Data? {
            var stream = z_stream()
            guard deflateInit2_(&stream, level, Z_DEFLATED, MAX_WBITS, 8, strategy, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                return nil
            }
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, uLong(data.count)))
            var out = Data(count: bound)
            let status: Int32 = data.withUnsafeBytes { input in
                out.withUnsafeMutableBytes { output in
                    stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                    stream.avail_in = uInt(input.count)
                    stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(output.count)
                    return deflate(&stream, Z_FINISH)
                }
            }
            guard status == Z_STREAM_END else { return nil }
            out.count = Int(stream.total_out)
            return out
        }
    #endif

    static func appendBigEndian(_ value: UInt32, to data: inout Data) {
        data.append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}

#if canImport(CZlib) || canImport(zlib)
    /// zlib's `crc32`, renamed so it does not clash with `Zlib.crc32`.
    @inline(__always)
    private func zlibCRC32(_ crc: UInt, _ buffer: UnsafePointer<Bytef>?, _ length: uInt) -> UInt {
        UInt(crc32(uLong(crc), buffer, length))
    }
#endif
