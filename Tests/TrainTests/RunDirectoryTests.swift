import EWMIO
import Foundation
import Testing
@testable import Train

/// Run directories (issue 14): one writer at a time, a manifest that readers trust instead of globbing, no mixing of
/// an earlier collection with a new one, and `--resume` naming the flags that differ.
@Suite struct RunDirectoryTests {
    static func tmp(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ewm-rundir-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
    }

    static let collect = CollectConfig(env: "teacher2d", episodes: 5, stepsPerEpisode: 10, seed: 4)

    @Test func oneWriterAtATimeAndStaleTemporariesGo() throws {
        let dir = Self.tmp("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try RunDirectory(locking: dir)
        // flock locks belong to the open file: a second open of the lock, even in this process, is refused.
        let refusal = TrainingRunTests.message { _ = try RunDirectory(locking: dir) }
        #expect(refusal == IOError.directoryInUse(path: dir.standardizedFileURL.path, holder: Int(getpid())).description)
        first.release()
        try Data("partial".utf8).write(to: dir.appendingPathComponent(".shard-00000.npz.tmp-1-ab"))
        let second = try RunDirectory(locking: dir)
        #expect(try second.contents().isEmpty)
        // A training run on a locked directory is refused before it touches anything.
        let (config, data) = try TrainingRunTests.tiny(steps: 2)
        let run = TrainingRun(directory: dir, steps: 2, command: "c", env: "teacher2d", model: "vn")
        #expect(throws: IOError.self) { try run.run(try JEPATrainer(config: config, data: data), transitions: data.count) }
        #expect(!FileManager.default.fileExists(atPath: run.checkpointURL.path))
    }

    @Test func collectRefusesANonEmptyDirectoryAndReplacesOnlyWhenAsked() throws {
        let dir = Self.tmp("collect")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (first, _) = try CollectionRun.collect(Self.collect, to: dir, shardSize: 20)
        #expect(first.count == 50)
        let manifest = try #require(try RunManifest.read(in: dir))
        #expect(manifest.complete && manifest.files.map(\.name) == ["shard-00000.npz", "shard-00001.npz", "shard-00002.npz", "collect.json"])
        // A second, smaller collection into the same directory: refused; with replace, the stale third shard goes too.
        var smaller = Self.collect
        smaller.episodes = 2
        let refusal = TrainingRunTests.message { _ = try CollectionRun.collect(smaller, to: dir, shardSize: 20) }
        #expect(refusal?.contains("pass --replace") == true)
        #expect(try TransitionSet.readShards(from: dir, env: "teacher2d").count == 50)
        let (second, report) = try CollectionRun.collect(smaller, to: dir, shardSize: 20, replace: true)
        #expect(second.count == 20 && report.shards == ["shard-00000.npz"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("shard-00002.npz").path))
        #expect(try TransitionSet.readShards(from: dir, env: "teacher2d").count == 20)
    }

    @Test func readersCheckTheManifest() throws {
        let dir = Self.tmp("manifest")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CollectionRun.collect(Self.collect, to: dir, shardSize: 100)
        // A shard dropped in by hand is not read: only the listed ones are.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("shard-00000.npz"), to: dir.appendingPathComponent("shard-00009.npz"))
        #expect(try TransitionSet.readShards(from: dir, env: "teacher2d").count == 50)
        // A listed shard whose bytes changed is refused, naming it.
        let url = dir.appendingPathComponent("shard-00000.npz")
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: url)
        let changed = TrainingRunTests.message { _ = try TransitionSet.readShards(from: dir, env: "teacher2d") }
        #expect(changed?.contains("shard-00000.npz") == true && changed?.contains("CRC-32") == true)
        // A collection that did not finish (its manifest says so) is refused as a whole.
        try RunManifest(writer: "collect", complete: false, files: []).write(in: dir)
        let unfinished = TrainingRunTests.message { _ = try TransitionSet.readShards(from: dir, env: "teacher2d") }
        #expect(unfinished?.contains("did not finish") == true)
    }

    @Test func resumeNamesTheFlagsThatDiffer() throws {
        let dir = Self.tmp("resume-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (config, data) = try TrainingRunTests.tiny(steps: 2)
        try TrainingRun(directory: dir, steps: 2, command: "c", env: "teacher2d", model: "vn").run(
            try JEPATrainer(config: config, data: data), transitions: 1)
        var other = config
        other.batch = 8
        other.collect.episodes = 7
        let run = TrainingRun(directory: dir, steps: 2, resume: true, command: "c", env: "teacher2d", model: "vn")
        let message = TrainingRunTests.message { try run.run(try JEPATrainer(config: other, data: data), transitions: 1) }
        #expect(message?.contains("--batch (batch): the checkpoint has 16, this run 8") == true, "\(message ?? "")")
        #expect(message?.contains("--episodes (collect.episodes): the checkpoint has 6, this run 7") == true)
        #expect(message?.contains("steps") == false || message?.contains("--steps") == false)
    }
}

@Suite struct AtomicWriteLeftoversTests {
    /// A write killed before its rename leaves `.<name>.tmp-<pid>-<random>`; the next write of that file removes it
    /// when its writer is gone, and leaves a live writer's alone.
    @Test func temporariesOfDeadWritersAreRemovedByTheNextWrite() throws {
        let dir = RunDirectoryTests.tmp("leftovers")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dead = dir.appendingPathComponent(".plot.png.tmp-2147483646-1f")  // no such pid
        let live = dir.appendingPathComponent(".plot.png.tmp-\(getpid())-2e")
        try Data("x".utf8).write(to: dead)
        try Data("y".utf8).write(to: live)
        try writeAtomically(Data("png".utf8), to: dir.appendingPathComponent("plot.png"))
        #expect(!FileManager.default.fileExists(atPath: dead.path) && FileManager.default.fileExists(atPath: live.path))
    }
}
