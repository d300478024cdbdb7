import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes `data` to `url` atomically.
///
/// The bytes go to a fresh temporary file in the same directory (`.<name>.tmp-<pid>-<random>`),
/// which is flushed with `fsync` and then renamed over the target, so a reader sees either the old
/// file or the complete new one, never a partial write. The containing directory is fsynced too
/// (best effort). New files get mode `0666 & ~umask`, like an ordinary `open(2)`.
///
/// - Throws: `IOError.invalidArgument` for a non-file URL, `IOError.fileSystem` naming the path and
///   the OS reason if the directory is missing or not writable, the disk is full, etc.
///   On failure the temporary file is removed and the target is untouched.
public func writeAtomically(_ data: Data, to url: URL) throws {
    guard url.isFileURL else { throw IOError.invalidArgument("writeAtomically needs a file URL, got \(url)") }
    let target = url.standardizedFileURL
    let path = target.path
    let name = target.lastPathComponent
    guard !name.isEmpty, name != "/" else { throw IOError.invalidArgument("writeAtomically: '\(path)' is not a file path") }
    let directory = target.deletingLastPathComponent().path

    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw IOError.fileSystem(path: path, operation: "write", reason: "directory '\(directory)' does not exist")
    }

    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    let tempPath = (directory as NSString).appendingPathComponent(".\(name).tmp-\(getpid())-\(suffix)")
    let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
    guard fd >= 0 else {
        throw IOError.fileSystem(path: path, operation: "create temporary file", reason: errnoDescription())
    }
    var succeeded = false
    defer {
        if !succeeded { unlink(tempPath) }
    }
    do {
        defer { close(fd) }
        try writeAll(data, fd: fd, path: path)
        guard fsync(fd) == 0 else {
            throw IOError.fileSystem(path: path, operation: "fsync", reason: errnoDescription())
        }
    }
    guard rename(tempPath, path) == 0 else {
        throw IOError.fileSystem(path: path, operation: "rename temporary file", reason: errnoDescription())
    }
    succeeded = true
    // Make the rename itself durable; failure here does not undo the write, so it is ignored.
    let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
    if dirFD >= 0 {
        _ = fsync(dirFD)
        close(dirFD)
    }
}

/// Writes every byte, retrying short writes and `EINTR`.
private func writeAll(_ data: Data, fd: Int32, path: String) throws {
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        guard var cursor = raw.baseAddress else { return }
        var remaining = raw.count
        while remaining > 0 {
            let written = write(fd, cursor, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw IOError.fileSystem(path: path, operation: "write", reason: errnoDescription())
            }
            remaining -= written
            cursor += written
        }
    }
}

/// Reads a whole file, mapping OS failures to `IOError.fileSystem`.
func readFile(_ url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        let reason: String
        if !FileManager.default.fileExists(atPath: url.path) {
            reason = "no such file"
        } else {
            reason = (error as NSError).localizedDescription
        }
        throw IOError.fileSystem(path: url.path, operation: "read", reason: reason)
    }
}
