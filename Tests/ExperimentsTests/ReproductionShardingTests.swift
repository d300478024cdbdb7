import EWMIO
import Foundation
import Testing
@testable import Experiments

#if canImport(Glibc)
    import Glibc
#endif

/// `ewm-sim reproduce --shard I/N` on test-only parts (seconds): the assignment is a stable partition closed under
/// `needs`, shards sharing one directory give the unsharded run's files, a part has one writer at a time, and the
/// index comes from the run that completes the set.
@Suite struct ReproductionShardingTests {
    typealias Runs = ReproductionTests.Runs

    /// A part that writes `data.bin`, bytes seeded from its name (and, with needs, from its inputs' bytes).
    static func part(_ name: String, needs: [String] = [], cost: Double, runs: Runs) -> ReproductionPart {
        ReproductionPart(
            name: name, regenerates: "the \(name) figure", needs: needs, sizes: { "\($0.rawValue) of \(name)" }, cost: { _ in cost },
            run: { c in
                runs.add(name)
                var bytes = Array(name.utf8)
                for n in needs { bytes += try readInputFile(c.input(n, "data.bin")) }
                var state = bytes.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
                let data = Data(
                    (0..<256).map { _ in
                        state = state &* 6364136223846793005 &+ 1442695040888963407
                        return UInt8(truncatingIfNeeded: state >> 33)
                    })
                try data.write(to: c.file("data.bin"))
                return PartOutput(
                    report: ReproductionTests.Figure(value: Double(data.reduce(0) { $0 + Int($1) })),
                    files: [PartFile("data.bin", kind: .data, caption: "seeded bytes")])
            })
    }

    /// Six parts in four groups: {a, b, d} (b needs a, d needs b), {c}, {e, f} (f needs e), {g}; two shards: {a, b, d, g} and {c, e, f}.
    static func catalogue(_ runs: Runs) -> [ReproductionPart] {
        [
            part("a", cost: 2, runs: runs), part("b", needs: ["a"], cost: 3, runs: runs), part("c", cost: 6, runs: runs),
            part("d", needs: ["b"], cost: 1, runs: runs), part("e", cost: 1, runs: runs), part("f", needs: ["e"], cost: 1, runs: runs),
            part("g", cost: 4, runs: runs),
        ]
    }

    func run(_ parts: [ReproductionPart], _ out: URL, shard: Shard? = nil) throws -> Reproduction.Report {
        try Reproduction.run(parts: parts, out: out, scale: .smoke, settings: ReproductionSettings(), shard: shard, showProgress: false)
    }

    /// Every part in exactly one shard, with the parts it needs; the same assignment every time.
    static func checkPartition(_ parts: [ReproductionPart], scale: ReproductionScale, count: Int) {
        let sharding = ReproductionSharding(parts, scale: scale, count: count)
        let shards = (0..<count).map { sharding.parts(of: $0) }
        #expect(shards.flatMap { $0 }.sorted() == Array(parts.indices), "N = \(count): not a partition")
        for (i, p) in parts.enumerated() {
            for need in p.needs {
                let j = parts.firstIndex { $0.name == need }!
                #expect(sharding.shardOfPart[i] == sharding.shardOfPart[j], "N = \(count): \(p.name) and its need \(need) apart")
            }
        }
        #expect(ReproductionSharding(parts, scale: scale, count: count).shardOfPart == sharding.shardOfPart, "N = \(count): not stable")
    }

    @Test func theShardsArePartitionsClosedUnderNeedsAndStable() {
        let stub = Self.catalogue(Runs())
        #expect(ReproductionSharding.groups(stub) == [[0, 1, 3], [2], [4, 5], [6]])
        for n in 1...9 { Self.checkPartition(stub, scale: .smoke, count: n) }
        // Longest group first to the least loaded shard (ties: the lower shard): {a, b, d} = 6 and {c} = 6 on 0 and 1,
        // then {g} = 4 and {e, f} = 2 on the least loaded.
        #expect(ReproductionSharding(stub, scale: .smoke, count: 3).shardOfPart == [0, 0, 1, 0, 2, 2, 2])
        #expect(ReproductionSharding(stub, scale: .smoke, count: 2).shardOfPart == [0, 0, 1, 0, 1, 1, 0])
        // More shards than groups: the extra shards are empty.
        #expect(ReproductionSharding(stub, scale: .smoke, count: 6).parts(of: 5).isEmpty)

        let parts = ReproductionCatalog.parts
        for scale in ReproductionScale.allCases { for n in 1...parts.count + 1 { Self.checkPartition(parts, scale: scale, count: n) } }
        let groups = ReproductionSharding.groups(parts).map { $0.map { parts[$0].name } }
        #expect(groups.contains(["teacher3d-models", "ladder", "closed-loop-3d", "block-isotropy"]) && groups.count == 16)
        // Balanced by the estimates: at quick scale no shard of 2 or 4 exceeds the mean by more than its largest group.
        for n in [2, 4] {
            let sharding = ReproductionSharding(parts, scale: .quick, count: n)
            let loads = (0..<n).map { sharding.parts(of: $0).reduce(0.0) { $0 + parts[$1].cost(.quick) } }
            let largest = sharding.groups.map { $0.reduce(0.0) { $0 + parts[$1].cost(.quick) } }.max()!
            #expect(loads.max()! <= loads.reduce(0, +) / Double(n) + largest, "N = \(n): loads \(loads)")
        }
    }

    /// Every file under `root` but locks and temporaries, by relative path, with `part.json`'s timing and finish time
    /// blanked and index.html's times (the wall-clock figures) masked.
    static func files(_ root: URL) throws -> [String: Data] {
        var found: [String: Data] = [:]
        let base = root.standardizedFileURL.path
        let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in e where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let path = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            if path.hasPrefix(".") { continue }
            var data = try Data(contentsOf: url)
            if url.lastPathComponent == PartRecord.fileName {
                var record = try JSONDecoder().decode(PartRecord.self, from: data)
                (record.seconds, record.finished) = (0, "")
                data = try ReportJSON.encode(record)
            } else if url.lastPathComponent == ReproductionIndex.fileName {
                let text = String(decoding: data, as: UTF8.self)
                    .replacingOccurrences(of: #"[0-9]+\.[0-9] s"#, with: "T s", options: .regularExpression)
                    .replacingOccurrences(of: #"finished [0-9TZ:-]+"#, with: "finished T", options: .regularExpression)
                data = Data(text.utf8)
            }
            found[path] = data
        }
        return found
    }

    @Test func twoShardsSharingADirectoryWriteWhatOneRunWrites() throws {
        let tmp = try ReproductionTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let out = tmp.appendingPathComponent("out"), single = tmp.appendingPathComponent("single")
        // The unsharded run, moved aside, so both runs name the same directory (reports may hold paths).
        let one = try run(Self.catalogue(Runs()), out)
        #expect(one.failed == 0 && one.index != nil)
        try FileManager.default.moveItem(at: out, to: single)

        // The two shards at once, in two threads, into one directory.
        let runs = Runs()
        let reports = Reports()
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            reports.set(i, Result { try run(Self.catalogue(runs), out, shard: try Shard(index: i, count: 2)) })
        }
        let shards = try (0..<2).map { try reports.get($0).get() }
        #expect(shards.map { $0.parts.map(\.part) } == [["a", "b", "d", "g"], ["c", "e", "f"]])
        #expect(shards.allSatisfy { $0.failed == 0 && $0.parts.allSatisfy { $0.state == .ran } })
        // At least the shard that finished last found the set complete and wrote the index.
        #expect(shards.contains { $0.index != nil })
        for name in ["a", "b", "c", "d", "e", "f", "g"] { #expect(runs[name] == 1) }

        let expected = try Self.files(single), got = try Self.files(out)
        #expect(got.keys.sorted() == expected.keys.sorted())
        for (path, data) in expected { #expect(got[path] == data, "\(path) differs") }
        #expect(expected.keys.contains("index.html") && expected.keys.contains("d/data.bin"))
    }

    @Test func theShardThatCompletesTheSetWritesTheIndexAndAFinalRunComputesNothing() throws {
        let out = try ReproductionTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let runs = Runs()
        let index = out.appendingPathComponent(ReproductionIndex.fileName)
        let first = try run(Self.catalogue(runs), out, shard: try Shard(index: 1, count: 2))
        #expect(first.index == nil && first.awaiting == ["a", "b", "d", "g"] && first.shard == "1/2")
        #expect(first.text.contains("index.html not written: 4 parts of other shards are not finished"))
        #expect(!FileManager.default.fileExists(atPath: index.path))
        let second = try run(Self.catalogue(runs), out, shard: try Shard(index: 0, count: 2))
        #expect(second.index == index.standardizedFileURL.path && second.awaiting.isEmpty)
        let page = try String(contentsOf: index, encoding: .utf8)
        #expect(!page.contains("not run") && page.components(separatedBy: "<td>finished</td>").count == 8)

        // The index step: every part kept, nothing computed, the page written again.
        try FileManager.default.removeItem(at: index)
        let final = try run(Self.catalogue(runs), out)
        #expect(final.parts.allSatisfy { $0.state == .kept } && final.index != nil)
        for name in ["a", "b", "c", "d", "e", "f", "g"] { #expect(runs[name] == 1) }
        #expect(try String(contentsOf: index, encoding: .utf8) == page)
    }

    @Test func aSecondWriterOfAPartIsRefusedNamingTheHolder() throws {
        let out = try ReproductionTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let runs = Runs()
        // Another run holds part b (flock locks belong to the open file: a second open in this process is refused too).
        let holder = try Reproduction.lockPart("b", in: out.standardizedFileURL)
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".b.tmp-999999-1"), withIntermediateDirectories: false)
        let refused = try run(Self.catalogue(runs), out, shard: try Shard(index: 0, count: 2))
        let b = try #require(refused.parts.first { $0.part == "b" })
        #expect(b.state == .failed && runs["b"] == 0)
        let message = b.error ?? ""
        #expect(message.contains("part 'b' is being written by another run (pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"), "\(message)")
        #expect(message.contains(".locks/b.lock"))
        // Its needer fails for want of it; the holder's temporary directory is left alone; the other groups ran.
        #expect(refused.parts.first { $0.part == "d" }?.error?.contains("needs part 'b'") == true)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(".b.tmp-999999-1").path))
        #expect(runs["a"] == 1 && runs["g"] == 1 && runs["e"] == 0 && refused.index == nil)

        // Released (the holder ended): the next run writes b and d, and removes b's stale temporary directory.
        holder.release()
        let again = try run(Self.catalogue(runs), out, shard: try Shard(index: 0, count: 2))
        #expect(again.parts.map(\.state) == [.kept, .ran, .ran, .kept])
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(".b.tmp-999999-1").path))
    }

    @Test func aLockFileNamesItsHolder() throws {
        let dir = try ReproductionTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.lock")
        let lock = try FileLock(url)
        #expect(FileLock.holder(of: url) == FileLock.Holder.current)
        #expect(throws: FileLock.Held(path: url.path, holder: .current)) { _ = try FileLock(url) }
        lock.release()
        #expect(try FileLock(url).isHeld)
    }

    /// The two shards' reports, set from concurrent threads.
    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [Int: Result<Reproduction.Report, any Error>] = [:]
        func set(_ i: Int, _ r: Result<Reproduction.Report, any Error>) { lock.lock(); results[i] = r; lock.unlock() }
        func get(_ i: Int) -> Result<Reproduction.Report, any Error> { lock.lock(); defer { lock.unlock() }; return results[i]! }
    }
}
