import Foundation
import Testing

@testable import EWMIO

@Suite struct ShardTests {
    @Test func parsesValidatesAndSplitsUnits() throws {
        let s = try Shard(parsing: "1/3")
        #expect(s.index == 1 && s.count == 3 && s.partFileName == "part-1-of-3.json")
        #expect(s.units(of: 8) == [1, 4, 7])
        // The shards of a sweep are disjoint and cover it.
        let all = try (0..<3).flatMap { try Shard(index: $0, count: 3).units(of: 8) }.sorted()
        #expect(all == Array(0..<8))
        #expect(try Shard(index: 3, count: 4).units(of: 2).isEmpty)
        for bad in ["3/3", "-1/2", "1", "a/b", "1/0", "1/2/3"] {
            #expect(throws: ShardError.self) { try Shard(parsing: bad) }
        }
        #expect(throws: ShardError("shard index 3 is outside 0..<3 (indices are 0-based)")) { try Shard(parsing: "3/3") }
    }

    @Test func comesFromSlurmOrKubernetesEnvironment() throws {
        #expect(try Shard.fromEnvironment([:]) == nil)
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 2, count: 4))
        #expect(
            try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 2, count: 4))
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "0", "EWM_SIM_SHARD_COUNT": "3"]) == Shard(index: 0, count: 3))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1"]) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"]) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"]) }
        // A non-contiguous array (task 9 of a 4-task array starting at 0) is refused, not wrapped.
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "9", "SLURM_ARRAY_TASK_COUNT": "4"]) }
    }

    /// Writes the parts `shards` of a 5-unit sweep (each unit's result = its number squared) made with `arguments`.
    func writeParts(_ dir: URL, count: Int, shards: [Int], command: String = "eval closed-loop", arguments: [String] = ["--episodes=2"]) throws {
        for i in shards {
            let shard = try Shard(index: i, count: count)
            let units = shard.units(of: 5)
            try ShardPart(header: ShardPartHeader(command: command, arguments: arguments, shard: shard, totalUnits: 5), body: units.map { $0 * $0 })
                .write(to: dir)
        }
    }

    func refusal(_ dir: URL) -> String? {
        do {
            _ = try ShardParts.read(dir, as: [Int].self)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func readsACompleteSetInUnitOrder() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeParts(dir, count: 2, shards: [1, 0])
        let parts = try ShardParts.read(dir, as: [Int].self)
        #expect(parts.map(\.header.shard) == [0, 1])
        #expect(parts.map(\.header.units) == [[0, 2, 4], [1, 3]] && parts.map(\.body) == [[0, 4, 16], [1, 9]])
    }

    @Test func refusesMissingDuplicatedAndForeignParts() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try writeParts(dir, count: 3, shards: [0, 2])
        #expect(refusal(dir)?.contains("misses 1 of 3 parts (part-1-of-3.json)") == true)

        // A copy of shard 0 under shard 1's name: a duplicate.
        try FileManager.default.copyItem(at: dir.appendingPathComponent("part-0-of-3.json"), to: dir.appendingPathComponent("part-1-of-3.json"))
        #expect(refusal(dir)?.contains("part-1-of-3.json holds shard 0/3") == true)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("part-1-of-3.json"))

        // Shard 1 of another sweep (other flags), of another command, or of another N.
        try writeParts(dir, count: 3, shards: [1], arguments: ["--episodes=3"])
        #expect(refusal(dir)?.contains("part-1-of-3.json was made with other flags than part-0-of-3.json (--episodes=3 vs --episodes=2)") == true)
        try writeParts(dir, count: 3, shards: [1], command: "eval one-step")
        #expect(refusal(dir)?.contains("part-1-of-3.json is a part of 'eval one-step', part-0-of-3.json of 'eval closed-loop'") == true)
        try writeParts(dir, count: 3, shards: [1])
        try writeParts(dir, count: 2, shards: [1])
        #expect(refusal(dir)?.contains("part-1-of-2.json is shard 1/2, part-0-of-3.json is of 3 shards") == true)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("part-1-of-2.json"))
        #expect(refusal(dir) == nil)
        #expect(refusal(dir.appendingPathComponent("none"))?.contains("none") == true)
    }
}
