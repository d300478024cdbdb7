import Foundation

/// An output directory a run owns while it writes (`collect --out`, `train --out`): an exclusive lock held for the run
/// (`DIR/.lock`, a `FileLock`, released by the kernel when the process ends however it ends, SIGKILL included), and a
/// manifest (`DIR/manifest.json`) that says whether the writer finished and, when it did, every file it wrote with its
/// size and CRC-32. Readers use the manifest instead of globbing and check what they read against it.
public final class RunDirectory: @unchecked Sendable {
    public let url: URL
    private let lock: FileLock

    /// Locks `url` (created if missing) for this process. Throws, naming the directory and the holder's pid, when
    /// another process holds it. Stale temporary files of earlier runs that were killed (`.*.tmp-*`) are removed:
    /// holding the lock, no one else can be writing them.
    public init(locking url: URL) throws {
        self.url = url.standardizedFileURL
        try createOutputDirectory(self.url)
        do { lock = try FileLock(self.url.appendingPathComponent(".lock")) } catch let held as FileLock.Held {
            throw IOError.directoryInUse(path: self.url.path, holder: held.holder?.pid)
        }
        removeStaleTemporaries()
    }

    /// Releases the lock (also done when the object goes away or the process ends).
    public func release() { lock.release() }

    public var manifestURL: URL { url.appendingPathComponent(RunManifest.fileName) }

    /// The manifest of the directory's last completed write (nil: none yet).
    public func manifest() throws -> RunManifest? { try RunManifest.read(in: url) }

    /// Marks the directory as being written by `writer` (an incomplete manifest, which readers refuse), before any file.
    public func begin(writer: String) throws {
        try RunManifest(writer: writer, complete: false, files: []).write(in: url)
    }

    /// Records `files` (names inside the directory) as the directory's complete content, atomically: written last,
    /// after the files themselves, so a reader sees the finished set or an unfinished write it refuses.
    public func commit(files: [String], writer: String) throws {
        let entries = try files.map { try RunManifest.Entry(file: url.appendingPathComponent($0)) }
        try RunManifest(writer: writer, complete: true, files: entries).write(in: url)
    }

    /// The names in the directory besides its lock and temporaries (what a new writer would mix with).
    public func contents() throws -> [String] {
        try listInputDirectory(url).filter { $0 != ".lock" && !($0.hasPrefix(".") && $0.contains(".tmp-")) }.sorted()
    }

    /// Removes `names` from the directory (a writer replacing earlier content; the manifest first, so a reader never
    /// takes the half-removed set for the old one).
    public func remove(_ names: [String]) throws {
        for name in names.filter({ $0 == RunManifest.fileName }) + names.filter({ $0 != RunManifest.fileName }) {
            let path = url.appendingPathComponent(name).path
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw IOError.fileSystem(path: path, operation: "remove", reason: fileErrorReason(error))
            }
        }
    }

    func removeStaleTemporaries() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return }
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") {
            try? FileManager.default.removeItem(at: url.appendingPathComponent(name))
        }
    }
}

/// What a run directory holds when its writer finished: each file with its size and CRC-32 (zlib's).
public struct RunManifest: Codable, Equatable, Sendable {
    public static let fileName = "manifest.json"

    public struct Entry: Codable, Equatable, Sendable {
        public var name: String
        public var bytes: Int
        public var crc32: UInt32

        /// Measures the file at `file`.
        public init(file: URL) throws {
            let data = try readInputFile(file)
            name = file.lastPathComponent; bytes = data.count; crc32 = Zlib.crc32(data)
        }
    }

    public var writer: String
    /// Whether the writer finished (false while it writes, and after it was killed).
    public var complete: Bool
    public var files: [Entry]

    public init(writer: String, complete: Bool, files: [Entry]) { self.writer = writer; self.complete = complete; self.files = files }

    /// The manifest in `directory` (nil when it has none; throws when it is unreadable or not a manifest).
    public static func read(in directory: URL) throws -> RunManifest? {
        let url = directory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(RunManifest.self, from: try readInputFile(url))
        } catch let error as IOError {
            throw error
        } catch {
            throw IOError.inconsistentDirectory(path: url.path, reason: "not a run manifest (\(error))")
        }
    }

    public func write(in directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }

    /// Throws unless the writer finished.
    public func requireComplete(in directory: URL) throws {
        guard complete else {
            throw IOError.inconsistentDirectory(
                path: directory.path, reason: "its \(writer) did not finish (\(Self.fileName) says so); run it again with --replace")
        }
    }

    /// Reads the listed file `name` and checks it against its entry: present, same size, same CRC-32.
    public func read(_ name: String, in directory: URL) throws -> Data {
        guard let entry = files.first(where: { $0.name == name }) else {
            throw IOError.inconsistentDirectory(
                path: directory.appendingPathComponent(name).path, reason: "not listed in the directory's \(Self.fileName)")
        }
        let url = directory.appendingPathComponent(name)
        let data = try readInputFile(url)
        guard data.count == entry.bytes, Zlib.crc32(data) == entry.crc32 else {
            throw IOError.inconsistentDirectory(
                path: url.path,
                reason: "its \(data.count) bytes do not match the \(entry.bytes) bytes and CRC-32 \(entry.crc32) that \(Self.fileName) records")
        }
        return data
    }
}
