import Foundation
import ZIPFoundation

/// `.npz` archives: a zip file holding one `<name>.npy` entry per array, as `numpy.savez` /
/// `numpy.savez_compressed` write them and `numpy.load` reads them.
public enum Npz {
    /// Chunk size for zip reads, writes and deflate, in bytes (256 KiB).
    static let chunkSize = 256 * 1024
    /// Fixed entry timestamp (2000-01-01 UTC) so identical arrays give identical files.
    static let entryDate = Date(timeIntervalSince1970: 946_684_800)

    /// Writes arrays (in the given order) as `<name>.npy` entries of a zip that `numpy.load` reads; atomically.
    ///
    /// - Parameters:
    ///   - arrays: `(name, array)` pairs; names must be non-empty and unique (they may contain
    ///     dots and slashes, e.g. LeRobot-style `observation.state`).
    ///   - url: destination file, replaced atomically (see `writeAtomically`).
    ///   - compressed: deflate each entry (like `savez_compressed`); default `false` (stored, like `savez`).
    ///   - inputs: files the output must not replace (compared by identity, see `checkOutputPath`).
    /// - Throws: `IOError.invalidArgument` for bad names, `IOError.sizeMismatch` for an array whose
    ///   data no longer matches its shape, `IOError.unsafeOutput` for an input, a symbolic link, a FIFO, ...
    ///   at `url`, `IOError.fileSystem` if the file cannot be written.
    public static func write(_ arrays: [(String, NpyArray)], to url: URL, compressed: Bool = false, notOverwriting inputs: [URL] = []) throws {
        try checkOutputPath(url, notOverwriting: inputs)
        try writeAtomically(encode(arrays, compressed: compressed, path: url.path), to: url, notOverwriting: inputs)
    }

    /// The bytes `write` would put in a file.
    /// - Parameter path: names the destination in errors only.
    public static func encode(_ arrays: [(String, NpyArray)], compressed: Bool = false, path: String = "<npz>") throws -> Data {
        var seen = Set<String>()
        for (name, array) in arrays {
            guard !name.isEmpty else { throw IOError.invalidArgument("\(path): array names must not be empty") }
            guard !name.contains("\0") else { throw IOError.invalidArgument("\(path): array name \(name.debugDescription) contains NUL") }
            guard seen.insert(name).inserted else { throw IOError.invalidArgument("\(path): duplicate array name '\(name)'") }
            try array.validate(path: "\(path)/\(name).npy")
        }
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw IOError.fileSystem(path: path, operation: "create zip in memory", reason: "\(error)")
        }
        for (name, array) in arrays {
            let payload = Npy.encode(array)
            do {
                try archive.addEntry(
                    with: name + ".npy", type: .file, uncompressedSize: Int64(payload.count),
                    modificationDate: entryDate, compressionMethod: compressed ? .deflate : .none,
                    bufferSize: chunkSize
                ) { position, size in
                    let start = payload.startIndex + Int(position)
                    return payload.subdata(in: start..<(start + size))
                }
            } catch {
                throw IOError.fileSystem(path: path, operation: "add zip entry '\(name).npy'", reason: "\(error)")
            }
        }
        guard let bytes = archive.data else {
            throw IOError.fileSystem(path: path, operation: "finish zip", reason: "in-memory archive has no data")
        }
        return bytes
    }

    /// Reads every array; supports `numpy.savez` and `numpy.savez_compressed` output.
    ///
    /// Keys are entry names without the `.npy` suffix; directories and entries not ending in
    /// `.npy` are ignored. Errors name the file and the reason.
    /// - Throws: `IOError.fileSystem` (missing/unreadable file), `.notAZip`, `.corruptEntry`
    ///   (bad CRC or deflate stream), or any `Npy.decode` error with path `file.npz/name.npy`.
    public static func read(from url: URL) throws -> [String: NpyArray] {
        let data = try readInputFile(url)
        try checkPreamble(data, path: url.path)
        return try decodeArchive(at: url, path: url.path)
    }

    /// Parses `.npz` bytes. - Parameter path: names the source in errors.
    ///
    /// The bytes are read through a temporary file: ZIPFoundation's in-memory archive traps on an offset past the end
    /// of the data (a corrupt central directory), its file-backed one reports it as an error.
    public static func decode(_ data: Data, path: String) throws -> [String: NpyArray] {
        try checkPreamble(data, path: path)
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent(".ewm-npz-\(getpid())-\(UUID().uuidString)")
        do { try data.write(to: temporary) } catch {
            throw IOError.fileSystem(path: temporary.path, operation: "write temporary copy of \(path)", reason: fileErrorReason(error))
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        return try decodeArchive(at: temporary, path: path)
    }

    private static func checkPreamble(_ data: Data, path: String) throws {
        guard data.count >= 22 else {
            throw IOError.notAZip(path: path, reason: "only \(data.count) bytes; a zip needs at least 22")
        }
        let signature = [UInt8](data.prefix(4))
        guard signature == [0x50, 0x4B, 0x03, 0x04] || signature == [0x50, 0x4B, 0x05, 0x06] else {
            throw IOError.notAZip(path: path, reason: "starts with \(hexPrefix(data, count: 4)), expected 50 4b 03 04 ('PK')")
        }
    }

    private static func decodeArchive(at url: URL, path: String) throws -> [String: NpyArray] {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw IOError.notAZip(path: path, reason: "no readable central directory (truncated file?): \(error)")
        }
        var arrays: [String: NpyArray] = [:]
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            let entryName = entry.path
            var payload = Data()
            payload.reserveCapacity(Int(clamping: min(entry.uncompressedSize, 1 << 26)))  // a corrupt size must not reserve exabytes
            let crc: CRC32
            do {
                crc = try archive.extract(entry, bufferSize: chunkSize, skipCRC32: false) { payload.append($0) }
            } catch {
                throw IOError.corruptEntry(path: path, entry: entryName, reason: "cannot extract: \(error)")
            }
            guard crc == entry.checksum else {
                throw IOError.corruptEntry(
                    path: path, entry: entryName,
                    reason: String(format: "CRC-32 %08x does not match the recorded %08x", crc, entry.checksum))
            }
            arrays[String(entryName.dropLast(4))] = try Npy.decode(payload, name: "\(path)/\(entryName)")
        }
        return arrays
    }

    /// Looks up a required array.
    /// - Throws: `IOError.missingArray` naming `file`, the missing name and the names present.
    public static func require(_ name: String, in arrays: [String: NpyArray], file: String) throws -> NpyArray {
        guard let array = arrays[name] else {
            throw IOError.missingArray(path: file, name: name, available: Array(arrays.keys))
        }
        return array
    }
}
