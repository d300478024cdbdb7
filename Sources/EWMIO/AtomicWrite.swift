import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's identity: its device and inode (`stat`), so that two spellings of one file (`in.npz`, `./in.npz`, an
/// absolute path, a symbolic or hard link) compare equal.
public struct FileIdentity: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of the file at `path` (symbolic links followed), or nil if there is none.
    public init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Checks that `url` is a safe place for an output file, before any work is done:
/// - nothing is there yet, or a regular file that is none of `inputs` (compared by `FileIdentity`, not by spelling);
/// - not a symbolic link (replacing it would put a regular file where the link was and leave its target as it was),
///   a directory, a FIFO, a socket or a device node.
///
/// - Throws: `IOError.unsafeOutput` naming the path and saying what is there.
public func checkOutputPath(_ url: URL, notOverwriting inputs: [URL] = []) throws {
    guard url.isFileURL else { throw IOError.invalidArgument("an output needs a file URL, got \(url)") }
    let path = url.path
    var st = stat()
    guard lstat(path, &st) == 0 else {
        if errno == ENOENT || errno == ENOTDIR { return }  // nothing there: the write reports a missing directory itself
        throw IOError.fileSystem(path: path, operation: "inspect output", reason: errnoDescription())
    }
    let kind = st.st_mode & S_IFMT
    guard kind == S_IFREG else {
        let what: String
        switch kind {
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map { " (to '\($0)')" } ?? ""
            what = "a symbolic link\(target); give the file it points to, or another path"
        case S_IFDIR: what = "a directory; give a file path"
        case S_IFIFO: what = "a FIFO (named pipe); outputs are written to regular files"
        case S_IFCHR, S_IFBLK: what = "a device node; outputs are written to regular files"
        case S_IFSOCK: what = "a socket; outputs are written to regular files"
        default: what = "not a regular file"
        }
        throw IOError.unsafeOutput(path: path, reason: "it is \(what)")
    }
    guard !inputs.isEmpty, let identity = FileIdentity(path: path) else { return }
    for input in inputs where FileIdentity(path: input.path) == identity {
        throw IOError.unsafeOutput(path: path, reason: "it is the input '\(input.path)' (the same file); refusing to overwrite an input")
    }
}

/// Writes `data` to `url` atomically.
///
/// The bytes go to a fresh temporary file in the same directory (`.<name>.tmp-<pid>-<random>`),
/// which is flushed with `fsync` and then renamed over the target, so a reader sees either the old
/// file or the complete new one, never a partial write. The containing directory is fsynced too
/// (best effort). New files get mode `0666 & ~umask`, like an ordinary `open(2)`.
///
/// The target must be a safe output (`checkOutputPath`): a new path or a regular file that is none of `inputs`;
/// a symbolic link, FIFO, device node or directory there is refused, not replaced.
///
/// - Throws: `IOError.unsafeOutput` for an unsafe target, `IOError.invalidArgument` for a non-file URL,
///   `IOError.fileSystem` naming the path and the OS reason if the directory is missing or not writable,
///   the disk is full, etc. On every failure the temporary file is removed and the target is untouched.
public func writeAtomically(_ data: Data, to url: URL, notOverwriting inputs: [URL] = []) throws {
    guard url.isFileURL else { throw IOError.invalidArgument("writeAtomically needs a file URL, got \(url)") }
    let target = url.standardizedFileURL
    let path = target.path
    let name = target.lastPathComponent
    guard !name.isEmpty, name != "/" else { throw IOError.invalidArgument("writeAtomically: '\(path)' is not a file path") }
    let directory = target.deletingLastPathComponent().path

    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
        throw IOError.fileSystem(path: path, operation: "write", reason: "directory '\(directory)' does not exist")
    }
    guard isDirectory.boolValue else {
        throw IOError.fileSystem(path: path, operation: "write", reason: "'\(directory)' is a file, not a directory")
    }
    try checkOutputPath(target, notOverwriting: inputs)
    removeTemporariesOfDeadWriters(of: name, in: directory)

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
    // Checked again just before the rename: something may have appeared there while the bytes were written.
    try checkOutputPath(target, notOverwriting: inputs)
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

/// Removes `.<name>.tmp-<pid>-<random>` files in `directory` whose writer process no longer exists: what a write that
/// was killed between creating its temporary file and renaming it leaves behind. Files of live processes are kept.
func removeTemporariesOfDeadWriters(of name: String, in directory: String) {
    let prefix = ".\(name).tmp-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for candidate in names where candidate.hasPrefix(prefix) {
        guard let pid = Int32(candidate.dropFirst(prefix.count).split(separator: "-").first ?? "") else { continue }
        if kill(pid, 0) != 0 && errno == ESRCH { unlink((directory as NSString).appendingPathComponent(candidate)) }
    }
}
