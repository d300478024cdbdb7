import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An exclusive, non-blocking lock on a file (`flock`) that names its holder: the file records "PID HOST" of the
/// process that holds it, so a refused writer can say who holds it, also on a filesystem shared by several machines
/// (NFS's Linux client maps `flock` to its byte-range locks). The kernel releases the lock when the process ends,
/// however it ends (SIGKILL included); the file itself stays (removing a lock file races with the next locker).
public final class FileLock: @unchecked Sendable {
    /// Who holds a lock, as its file records it.
    public struct Holder: Equatable, Sendable, CustomStringConvertible {
        public var pid: Int?
        public var host: String?

        public init(pid: Int?, host: String?) { self.pid = pid; self.host = host }

        /// This process.
        public static var current: Holder { Holder(pid: Int(getpid()), host: ProcessInfo.processInfo.hostName) }

        /// Parses the lock file's "PID HOST" (an older file's bare "PID" too); nil when it names no one.
        init?(record: String) {
            let fields = record.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = fields.first else { return nil }
            pid = Int(first)
            host = fields.count > 1 ? fields[1] : nil
            if pid == nil && host == nil { return nil }
        }

        var record: String { "\(pid.map(String.init) ?? "?") \(host ?? "?")\n" }

        public var description: String {
            [pid.map { "pid \($0)" }, host.map { "on \($0)" }].compactMap { $0 }.joined(separator: " ")
        }
    }

    /// The lock was held by another process (or another open of the same file).
    public struct Held: Error, CustomStringConvertible, Equatable, Sendable {
        public let path: String
        public let holder: Holder?
        public init(path: String, holder: Holder?) { self.path = path; self.holder = holder }
        public var description: String { "\(path) is locked by \(holder?.description ?? "another process")" }
    }

    public let url: URL
    private var fd: Int32

    /// Takes the lock on `url` (the file is created if missing; its directory must exist) and records this process
    /// as the holder. Throws `Held` naming the holder when another process (or another `FileLock` here) holds it.
    public init(_ url: URL) throws {
        self.url = url
        let path = url.path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw IOError.fileSystem(path: path, operation: "open the lock file", reason: errnoDescription()) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(of: url)
            close(fd)
            throw Held(path: path, holder: holder)
        }
        self.fd = fd
        _ = ftruncate(fd, 0)
        let record = Data(Holder.current.record.utf8)
        _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { release() }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { fd >= 0 }

    /// Releases the lock (also done when the object goes away or the process ends).
    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    /// The holder that the lock file at `url` records (nil when it records none). The record of a released lock
    /// stays until the next holder overwrites it: only a refused `init` tells that the lock is held.
    public static func holder(of url: URL) -> Holder? {
        (try? String(contentsOfFile: url.path, encoding: .utf8)).flatMap(Holder.init(record:))
    }
}
