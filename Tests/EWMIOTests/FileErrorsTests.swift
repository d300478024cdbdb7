import Foundation
import Testing

@testable import EWMIO

#if canImport(Glibc)
    import Glibc
#endif

/// File errors in words (issue 14): every one names the path and says what is wrong, never "NSCocoaErrorDomain".
@Suite struct FileErrorsTests {
    func expectWords(_ error: IOError?, path: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = error?.description ?? "no error"
        #expect(text.contains(path) && text.contains(words) && !text.contains("NSCocoaErrorDomain"), "\(text)", sourceLocation: sourceLocation)
    }

    @Test func readingSomethingThatIsNotAFileSaysWhat() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        expectWords(ioError { _ = try readInputFile(dir) }, path: dir.path, "is a directory")
        expectWords(ioError { _ = try Npz.read(from: dir) }, path: dir.path, "is a directory")
        expectWords(ioError { _ = try readInputFile(fifo) }, path: fifo.path, "FIFO")  // refused, never opened (no hang)
        expectWords(ioError { _ = try readInputFile(dir.appendingPathComponent("missing")) }, path: "missing", "no such file")
        expectWords(ioError { _ = try readInputFile(file.appendingPathComponent("x")) }, path: "file/x", "is a file, not a directory")
    }

    @Test func outputDirectoriesThatAreFilesSayWhat() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        expectWords(ioError { try createOutputDirectory(file) }, path: file.path, "a file of that name exists")
        expectWords(ioError { try createOutputDirectory(file.appendingPathComponent("a/b")) }, path: file.path, "is a file, not a directory")
        try createOutputDirectory(dir.appendingPathComponent("new/deeper"))
        try createOutputDirectory(dir)  // an existing directory is fine
        expectWords(ioError { _ = try listInputDirectory(file) }, path: file.path, "is a file, not a directory")
        expectWords(ioError { _ = try listInputDirectory(dir.appendingPathComponent("none")) }, path: "none", "no such directory")
        #expect(try Data(contentsOf: file) == Data("x".utf8))
    }

    @Test func foundationErrorsBecomeWords() {
        let cocoa = NSError(
            domain: NSCocoaErrorDomain, code: NSFileWriteFileExistsError,
            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EEXIST))])
        #expect(fileErrorReason(cocoa) == String(cString: strerror(EEXIST)))
        #expect(fileErrorReason(NSError(domain: NSCocoaErrorDomain, code: NSFileReadNoSuchFileError)) == "no such file or directory")
    }
}
