@testable import EWMIO
import Foundation
import Testing
import ZIPFoundation

@Suite struct NpzTests {
    static func sampleArrays() throws -> [(String, NpyArray)] {
        [
            ("observation.state", try NpyArray(float32: [1, 2, 3, 4, 5, 6], shape: [3, 2])),
            ("action", try NpyArray(float64: [0.5, -0.5], shape: [1, 2])),
            ("episode_index", try NpyArray(int64: [0, 0, 1], shape: [3])),
            ("next.success", try NpyArray(bool: [false, true, true], shape: [3])),
            ("frames", try NpyArray(uint8: Array(repeating: 200, count: 4 * 32 * 32 * 3), shape: [4, 32, 32, 3])),
            ("scalar", try NpyArray(int32: [42], shape: [])),
            ("empty", try NpyArray(float64: [], shape: [0, 5])),
        ]
    }

    @Test(arguments: [false, true])
    func roundTrip(compressed: Bool) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("dump.npz")
        let arrays = try Self.sampleArrays()
        try Npz.write(arrays, to: url, compressed: compressed)

        let read = try Npz.read(from: url)
        #expect(read.count == arrays.count)
        for (name, array) in arrays {
            #expect(read[name] == array, "array \(name)")
        }
        // Entry names, order and compression method as numpy expects them.
        let archive = try Archive(url: url, accessMode: .read)
        let entries = Array(archive)
        #expect(entries.map(\.path) == arrays.map { $0.0 + ".npy" })
        #expect(entries.allSatisfy { $0.isCompressed == compressed })
        // No temporary files left behind by the atomic write.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["dump.npz"])
    }

    @Test func compressionShrinksRepetitiveData() throws {
        let arrays = try Self.sampleArrays()
        let stored = try Npz.encode(arrays, compressed: false)
        let deflated = try Npz.encode(arrays, compressed: true)
        #expect(deflated.count < stored.count / 2)
        #expect(try Npz.encode(arrays) == stored)  // deterministic (fixed timestamps)
    }

    @Test(arguments: [false, true])
    func readsNumpyWrittenFiles(compressed: Bool) throws {
        let arrays = try Npz.decode(compressed ? NumpyFixtures.savezCompressed : NumpyFixtures.savez, path: "fixture.npz")
        #expect(Set(arrays.keys) == ["obs", "act", "idx", "small", "pix", "done", "scalar", "empty", "next.reward"])
        let obs = try #require(arrays["obs"])
        #expect(obs.dtype == .float64 && obs.shape == [2, 3])
        let values = try obs.doubles()
        #expect(values[0..<4] == [0.5, -1.25, 3.0, 1e-300])
        #expect(values[4] == .infinity)
        #expect(values[5] == 0 && values[5].sign == .minus)
        #expect(try arrays["act"]?.floats() == [1.5, -2.5])
        #expect(try arrays["idx"]?.int64s() == [0, -7, 1 << 40])
        #expect(arrays["small"]?.dtype == .int32)
        #expect(try arrays["small"]?.int64s() == [1, -2, 3, Int64(Int32.max)])
        #expect(arrays["pix"]?.shape == [1, 2, 3])
        #expect(try arrays["pix"]?.int64s() == [0, 1, 2, 3, 4, 5])
        #expect(try arrays["done"]?.bools() == [true, false, true])
        #expect(arrays["scalar"]?.shape == [])
        #expect(try arrays["scalar"]?.doubles() == [2.5])
        #expect(arrays["empty"]?.shape == [0, 3])
        #expect(arrays["empty"]?.dtype == .float32)
        #expect(try arrays["next.reward"]?.doubles() == [0.25])
    }

    @Test func errorsNameFileAndReason() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let text = directory.appendingPathComponent("notes.npz")
        try Data("hello, this is not a zip archive at all".utf8).write(to: text)
        let notZip = ioError { _ = try Npz.read(from: text) }
        #expect(notZip.map { "\($0)" } == "\(text.path): not a zip archive: starts with 68 65 6c 6c, expected 50 4b 03 04 ('PK')")

        let empty = directory.appendingPathComponent("empty.npz")
        try Data().write(to: empty)
        #expect(
            ioError { _ = try Npz.read(from: empty) }.map { "\($0)" } == "\(empty.path): not a zip archive: only 0 bytes; a zip needs at least 22")

        let good = try Npz.encode(try Self.sampleArrays())
        let cut = directory.appendingPathComponent("cut.npz")
        try good.prefix(good.count / 2).write(to: cut)
        let truncated = ioError { _ = try Npz.read(from: cut) }
        guard case let .notAZip(path, reason)? = truncated else { Issue.record("got \(String(describing: truncated))"); return }
        #expect(path == cut.path && reason.contains("no readable central directory"))

        let missing = directory.appendingPathComponent("missing.npz")
        #expect(ioError { _ = try Npz.read(from: missing) } == .fileSystem(path: missing.path, operation: "read", reason: "no such file"))

        // Flip one payload byte of a stored entry: the CRC check must catch it.
        var corrupted = try Npz.encode([("x", try NpyArray(uint8: Array(0..<200), shape: [200]))])
        corrupted[30 + "x.npy".count + 150] ^= 0xFF
        let crc = ioError { _ = try Npz.decode(corrupted, path: "bad.npz") }
        guard case let .corruptEntry(crcPath, entry, crcReason)? = crc else { Issue.record("got \(String(describing: crc))"); return }
        #expect(crcPath == "bad.npz" && entry == "x.npy" && crcReason.contains("CRC-32"))

        // A bad .npy inside an archive names archive/entry.
        let wrapped = try Npz.encode([("y", try NpyArray(float64: [1, 2], shape: [2]))])
        var bytes = [UInt8](wrapped)
        let magicOffset = 30 + "y.npy".count
        bytes[magicOffset + 1] = 0x00
        let inner = ioError { _ = try Npz.decode(Data(bytes), path: "w.npz") }
        // The corrupted byte also breaks the CRC, which is checked first.
        guard case .corruptEntry? = inner else { Issue.record("got \(String(describing: inner))"); return }

        let arrays = try Npz.decode(good, path: "g.npz")
        let absent = ioError { _ = try Npz.require("reward", in: arrays, file: "g.npz") }
        #expect(absent.map { "\($0)" }?.hasPrefix("g.npz: missing array 'reward' (available: action, empty, episode_index,") == true)
        #expect(try Npz.require("action", in: arrays, file: "g.npz") == arrays["action"])
    }

    @Test func writeValidatesNames() throws {
        let a = try NpyArray(float64: [1], shape: [1])
        #expect(ioError { _ = try Npz.encode([("a", a), ("a", a)], path: "d.npz") } == .invalidArgument("d.npz: duplicate array name 'a'"))
        #expect(ioError { _ = try Npz.encode([("", a)], path: "d.npz") } == .invalidArgument("d.npz: array names must not be empty"))
        var broken = a
        broken.shape = [2]
        #expect(
            ioError { _ = try Npz.encode([("b", broken)], path: "d.npz") }
                == .sizeMismatch(path: "d.npz/b.npy", shape: [2], expectedBytes: 16, actualBytes: 8))
        let none = try Npz.encode([])
        #expect(try Npz.decode(none, path: "none.npz").isEmpty)
    }
}

@Suite struct AtomicWriteTests {
    @Test func writesAndReplaces() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("file.bin")
        try writeAtomically(Data([1, 2, 3]), to: url)
        #expect(try Data(contentsOf: url) == Data([1, 2, 3]))
        try writeAtomically(Data([9]), to: url)
        #expect(try Data(contentsOf: url) == Data([9]))
        try writeAtomically(Data(), to: url)
        #expect(try Data(contentsOf: url).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["file.bin"])
    }

    @Test func reportsMissingDirectory() throws {
        let url = URL(fileURLWithPath: "/nonexistent-ewmio-dir/sub/out.png")
        let error = ioError { try writeAtomically(Data([1]), to: url) }
        #expect(error.map { "\($0)" } == "/nonexistent-ewmio-dir/sub/out.png: write failed: directory '/nonexistent-ewmio-dir/sub' does not exist")
        #expect(ioError { try writeAtomically(Data(), to: URL(string: "https://example.com/x")!) } != nil)
    }
}
