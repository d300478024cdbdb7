import Foundation
import Testing

@testable import EWMIO

#if canImport(Glibc)
    import Glibc
#endif

/// Safe outputs (issue 14): an output never replaces an input (by file identity), a symbolic link, a FIFO or a
/// device; temporary files never outlive a write.
@Suite struct SafeOutputTests {
    func leftovers(in dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    }

    @Test func anInputUnderAnotherSpellingIsRefused() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.npz")
        try Data("input bytes".utf8).write(to: input)
        let hardLink = dir.appendingPathComponent("hard.npz")
        try FileManager.default.linkItem(at: input, to: hardLink)
        let spellings = [
            URL(fileURLWithPath: dir.path + "/./in.npz"), URL(fileURLWithPath: dir.path + "/sub/../in.npz"), hardLink,
            URL(fileURLWithPath: input.path),
        ]
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for output in spellings {
            let error = ioError { try writeAtomically(Data("output".utf8), to: output, notOverwriting: [input]) }
            guard case .unsafeOutput(let path, let reason)? = error else {
                Issue.record("\(output.path): expected unsafeOutput, got \(String(describing: error))")
                continue
            }
            #expect(reason.contains("input") && !path.isEmpty)
        }
        // The input may also be named through a link: its identity is the file's.
        let link = dir.appendingPathComponent("link-to-in.npz")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: input)
        #expect(ioError { try writeAtomically(Data("x".utf8), to: input, notOverwriting: [link]) } != nil)
        #expect(try Data(contentsOf: input) == Data("input bytes".utf8))
        #expect(try leftovers(in: dir).isEmpty)
        // Another file is fine.
        try writeAtomically(Data("output".utf8), to: dir.appendingPathComponent("out.npz"), notOverwriting: [input])
    }

    @Test func symbolicLinksFIFOsDevicesAndDirectoriesAreRefused() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let elsewhere = dir.appendingPathComponent("elsewhere.txt")
        try Data("keep".utf8).write(to: elsewhere)
        let link = dir.appendingPathComponent("link.npz")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: elsewhere)
        let fifo = dir.appendingPathComponent("fifo.npz")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let subdirectory = dir.appendingPathComponent("adir")
        try FileManager.default.createDirectory(at: subdirectory, withIntermediateDirectories: true)
        // A device node of our own (never /dev/null: a broken check would replace the machine's): needs the right to
        // make one (root); otherwise the device case is checked without writing, on /dev/null.
        let device = dir.appendingPathComponent("device.npz")
        var cases: [(URL, String)] = [(link, "symbolic link"), (fifo, "FIFO"), (subdirectory, "directory")]
        if mknod(device.path, S_IFCHR | 0o600, dev_t(0x103) /* major 1, minor 3: a null device */) == 0 { cases.append((device, "device")) }
        let null = ioError { try checkOutputPath(URL(fileURLWithPath: "/dev/null")) }
        #expect(null?.description.contains("device") == true)
        for (url, words) in cases {
            let error = ioError { try writeAtomically(Data("data".utf8), to: url) }
            #expect(error?.description.contains(url.path) == true, "\(String(describing: error))")
            #expect(error?.description.contains(words) == true, "\(String(describing: error))")
            let npzError = ioError { try Npz.write([("a", try NpyArray(float64: [1], shape: [1]))], to: url) }
            #expect(npzError?.description.contains(words) == true)
        }
        // Nothing was replaced: the link is still a link to the same file, the FIFO still a FIFO.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == elsewhere.path)
        #expect(try Data(contentsOf: elsewhere) == Data("keep".utf8))
        var st = stat()
        #expect(lstat(fifo.path, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(try leftovers(in: dir).isEmpty)
    }

    @Test func aFileWhereTheDirectoryShouldBeIsNamedInWords() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain")
        try Data().write(to: file)
        let error = ioError { try writeAtomically(Data("x".utf8), to: file.appendingPathComponent("out.npz")) }
        #expect(error?.description.contains("is a file, not a directory") == true, "\(String(describing: error))")
    }

    @Test func identityComparesFilesNotSpellings() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try Data("1".utf8).write(to: a)
        try Data("1".utf8).write(to: b)
        #expect(FileIdentity(path: a.path) == FileIdentity(path: dir.path + "/./a"))
        #expect(FileIdentity(path: a.path) != FileIdentity(path: b.path))
        #expect(FileIdentity(path: dir.appendingPathComponent("missing").path) == nil)
    }
}
