import Foundation
import Testing

/// `--shard I/N` + `ewm-sim merge`: a sweep cut in shards and merged prints what it prints in one process, byte for
/// byte (with --no-timings, which keeps wall-clock seconds out of both), and merge refuses parts that are not one sweep.
@Suite(.serialized) struct ShardingTests {
    static let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("assets")

    /// Runs `arguments` whole, then as `shards` shards into `parts` and merges them; returns both stdouts.
    func wholeAndMerged(_ arguments: [String], shards: Int, in dir: URL, parts: String = "parts", json: Bool = true) throws -> (
        whole: String, merged: String
    ) {
        let flags = json ? ["--json"] : []
        let whole = try CLI.run(arguments + flags, in: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        for i in 0..<shards {
            let part = try CLI.run(arguments + ["--shard", "\(i)/\(shards)", "--parts", parts], in: dir)
            #expect(part.status == 0, "\(part.stderr)")
        }
        let merged = try CLI.run(["merge", parts] + flags, in: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
        return (whole.stdout, merged.stdout)
    }

    @Test func closedLoopShardedEqualsWhole() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The default pair (VN + equivariant CEM, MLP + CEM) x 2 orientations x 2 episodes = 8 units over 3 shards, a tiny search.
        let args = [
            "eval", "closed-loop", "--elements", "2", "--episodes", "2", "--samples", "8", "--iterations", "1", "--elites", "2", "--threads", "1",
            "--no-timings",
        ]
        let (whole, merged) = try wholeAndMerged(args, shards: 3, in: dir)
        #expect(!whole.isEmpty && whole == merged)
        // Deviations need the reference orientation's runs, which another shard made: merge measures them from the parts.
        let rows = (try JSONSerialization.jsonObject(with: Data(merged.utf8)) as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(rows.count == 4 && rows.allSatisfy { $0["secondsPerPlan"] == nil })
        #expect(rows.map { ($0["maxDeviation"] as? Double ?? -1) > 0 } == [false, true, false, true])
        let text = try CLI.run(["merge", "parts"], in: dir)
        #expect(text.status == 0 && text.stdout.contains("chi2 p"))
    }

    @Test func oneStepShardedEqualsWhole() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = [
            "eval", "one-step", "--checkpoint", Self.assets.appendingPathComponent("pusht-vn/checkpoint.safetensors").path, "--checkpoint",
            Self.assets.appendingPathComponent("pusht-mlp/checkpoint.safetensors").path, "--elements", "3", "--episodes", "2",
        ]
        let (whole, merged) = try wholeAndMerged(args, shards: 3, in: dir)
        #expect(whole.contains("\"residualDouble\"") && whole == merged)
        let (wholeText, mergedText) = try wholeAndMerged(args, shards: 2, in: dir, parts: "text-parts", json: false)
        #expect(wholeText.contains("OOD ratio") && wholeText == mergedText)
    }

    @Test func collectShardedEqualsWhole() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = { (out: String) in
            ["collect", "pusht", "--episodes", "5", "--episode-steps", "4", "--shard-size", "7", "--slice=-15:15", "--no-timings", "--out", out]
        }
        let whole = try CLI.run(args("whole") + ["--json"], in: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        for i in 0..<3 { #expect(try CLI.run(args("sharded") + ["--shard", "\(i)/3"], in: dir).status == 0) }
        let merged = try CLI.run(["merge", "sharded/parts", "--json"], in: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(whole.stdout.contains("\"transitions\" : 20") && whole.stdout == merged.stdout)
        // The dataset itself: the same files, byte for byte (shards, collect.json, the manifest).
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("whole").path).filter { !$0.hasPrefix(".") }
            .sorted()
        #expect(names == ["collect.json", "manifest.json", "shard-00000.npz", "shard-00001.npz", "shard-00002.npz"])
        for name in names {
            let a = try Data(contentsOf: dir.appendingPathComponent("whole/\(name)"))
            #expect(a == (try Data(contentsOf: dir.appendingPathComponent("sharded/\(name)"))), "\(name)")
        }
    }

    @Test func mergeRefusesMissingDuplicatedAndForeignParts() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = { (episodes: String, shard: String) in
            ["collect", "pusht", "--episodes", episodes, "--episode-steps", "2", "--out", "data", "--parts", "parts", "--shard", shard]
        }
        #expect(try CLI.run(args("4", "0/2"), in: dir).status == 0)
        var r = try CLI.run(["merge", "parts"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("misses 1 of 2 parts (part-1-of-2.json)"), "\(r.stderr)")

        let parts = dir.appendingPathComponent("parts")
        try FileManager.default.copyItem(at: parts.appendingPathComponent("part-0-of-2.json"), to: parts.appendingPathComponent("part-1-of-2.json"))
        r = try CLI.run(["merge", "parts"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("part-1-of-2.json holds shard 0/2"), "\(r.stderr)")
        try FileManager.default.removeItem(at: parts.appendingPathComponent("part-1-of-2.json"))

        // Shard 1 of a sweep with other flags: refused, naming the part and the flag.
        #expect(try CLI.run(args("6", "1/2"), in: dir).status == 0)
        r = try CLI.run(["merge", "parts"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("part-1-of-2.json was made with other flags than part-0-of-2.json"), "\(r.stderr)")
        #expect(r.stderr.contains("--episodes=6") && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("data/collect.json").path))

        #expect(try CLI.run(args("4", "1/2"), in: dir).status == 0)
        r = try CLI.run(["merge", "parts", "--json"], in: dir)
        #expect(r.status == 0 && r.stdout.contains("\"transitions\" : 8"), "\(r.stderr)")
        // A bad shard, a shard without --parts and --parts without a shard are clear usage errors, before any work.
        r = try CLI.run(args("4", "2/2"), in: dir)
        #expect(r.status != 0 && r.stderr.contains("shard index 2 is outside 0..<2"), "\(r.stderr)")
        r = try CLI.run(["eval", "closed-loop", "--episodes", "1", "--shard", "0/2"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("give --parts DIR"), "\(r.stderr)")
        r = try CLI.run(["eval", "closed-loop", "--episodes", "1", "--parts", "parts"], in: dir)
        #expect(r.status != 0 && r.stderr.contains("--parts parts without a shard"), "\(r.stderr)")
    }

    @Test func shardComesFromTheArrayJobEnvironment() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["collect", "pusht", "--episodes", "3", "--episode-steps", "2", "--out", "data", "--parts", "parts"]
        let slurm = try CLI.run(
            args, in: dir, environment: ["SLURM_ARRAY_TASK_ID": "11", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "2"])
        #expect(slurm.status == 0, "\(slurm.stderr)")
        let k8s = try CLI.run(args, in: dir, environment: ["JOB_COMPLETION_INDEX": "0", "EWM_SIM_SHARD_COUNT": "2"])
        #expect(k8s.status == 0, "\(k8s.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("parts").path).sorted()
        #expect(names == ["part-0-of-2.json", "part-0-of-2.npz", "part-1-of-2.json", "part-1-of-2.npz"])
    }
}
