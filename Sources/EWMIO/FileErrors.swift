import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// File operations whose errors name the path and say in words what is wrong ("it is a directory, not a file"), never
// Foundation's "NSCocoaErrorDomain error 256". Every library that reads inputs or makes output directories uses them.

/// What is at `path` (symbolic links followed), in words for an error: nil for a regular file.
private func notARegularFile(_ path: String) -> String? {
    var st = stat()
    guard stat(path, &st) == 0 else {
        return errno == ENOENT ? "no such file" : errno == ENOTDIR ? "a component of the path is a file, not a directory" : errnoDescription()
    }
    switch st.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "it is a directory, not a file"
    case S_IFIFO: return "it is a FIFO (named pipe), not a regular file"
    case S_IFCHR, S_IFBLK: return "it is a device, not a regular file"
    case S_IFSOCK: return "it is a socket, not a regular file"
    default: return "it is not a regular file"
    }
}

/// Words for an error thrown by Foundation's file APIs: the operating system's reason behind a Cocoa error code, or a
/// sentence for the code itself.
public func fileErrorReason(_ error: Error) -> String {
    if let io = error as? IOError, case .fileSystem(_, _, let reason) = io { return reason }
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return errnoDescription(Int32(underlying.code))
    }
    if ns.domain == NSPOSIXErrorDomain { return errnoDescription(Int32(ns.code)) }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        case NSFileWriteFileExistsError: return "a file of that name already exists"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
        case NSFileReadTooLargeError: return "the file is too large to read"
        case NSFileReadCorruptFileError: return "the file is corrupt"
        default: break
        }
    }
    return ns.localizedDescription
}

/// Reads a whole input file. A missing file, a directory, a FIFO (which would block), a device or an unreadable file
/// is an `IOError.fileSystem` naming the path and saying what is wrong.
public func readInputFile(_ url: URL) throws -> Data {
    let path = url.path
    if let what = notARegularFile(path) { throw IOError.fileSystem(path: path, operation: "read", reason: what) }
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        throw IOError.fileSystem(path: path, operation: "read", reason: fileErrorReason(error))
    }
}

/// Makes `url` a directory for outputs (and its missing parents); an existing directory is fine. A file of that name
/// (or a file where a parent should be) is an `IOError.fileSystem` naming the path and saying so.
public func createOutputDirectory(_ url: URL) throws {
    let path = url.path
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue { return }
        throw IOError.fileSystem(path: path, operation: "create output directory", reason: "a file of that name exists; give a directory")
    }
    var parent = url.deletingLastPathComponent()
    while parent.path != "/" && !parent.path.isEmpty {
        if FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                throw IOError.fileSystem(
                    path: path, operation: "create output directory", reason: "'\(parent.path)' is a file, not a directory")
            }
            break
        }
        parent = parent.deletingLastPathComponent()
    }
    do {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    } catch {
        throw IOError.fileSystem(path: path, operation: "create output directory", reason: fileErrorReason(error))
    }
}

/// The names in an input directory. A missing path or a file is an `IOError.fileSystem` naming the path and saying so.
public func listInputDirectory(_ url: URL) throws -> [String] {
    let path = url.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw IOError.fileSystem(path: path, operation: "list", reason: "no such directory")
    }
    guard isDirectory.boolValue else { throw IOError.fileSystem(path: path, operation: "list", reason: "it is a file, not a directory") }
    do {
        return try FileManager.default.contentsOfDirectory(atPath: path)
    } catch {
        throw IOError.fileSystem(path: path, operation: "list", reason: fileErrorReason(error))
    }
}
