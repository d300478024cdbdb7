import EWMIO
import Foundation
import Parallel
import Testing
@testable import Envs

/// The library side of `run ENV` (and `pusht` without a planner), `serve` and `bench env`.
@Suite struct EpisodeRunsTests {
    @Test func batchOfEpisodesMatchesSingleRollouts() throws {
        let env = try Registry.make("pusht", options: MakeOptions(observation: "state", orientation: 0.7))
        let g = PlanarRotation(angle: 0.7, center: PushTGeometry.workspaceCenter)
        var progress: [Int] = []
        let records = try EpisodeRuns.run(env: env, policy: ScriptedPusher(rotation: g), episodes: 3, seed: 5, maxSteps: 6) {
            progress.append($0.count)
        }
        #expect(progress == [1, 2, 3] && records.map(\.summary.seed) == [5, 6, 7])
        for r in records {
            let alone = try Rollout.episode(env: env, policy: ScriptedPusher(rotation: g), seed: r.summary.seed, maxSteps: 6)
            #expect(alone == r.summary && r.summary.steps == 6 && r.lastInfo.double("coverage") == r.summary.finalCoverage)
        }
        let options = MakeOptions(observation: "state", orientation: 0.7)
        let report = RunReport(
            env: "pusht", options: options, policy: "scripted", records: records, figures: try Registry.registration("pusht").run.figures,
            seconds: 3)
        #expect(report.env == "pusht" && report.secondsPerEpisode == 1 && report.summary.episodes == 3 && report.rotation == "frame")
        #expect(report.episodes.map { $0.final["coverage"] } == records.map(\.summary.finalCoverage))
    }

    @Test func push3dRunCountsContactsAndReportsErrors() throws {
        let env = try Registry.make("push3d", options: MakeOptions())
        let presets = try Registry.registration("push3d").run
        let pusher = try #require(presets.scriptedPolicy?(RecordEpisodes(env), MakeOptions()))
        let records = try EpisodeRuns.run(env: env, policy: pusher, episodes: 2, seed: 0, maxSteps: 30)
        #expect(records.count == 2 && records.allSatisfy { $0.summary.steps == 30 && $0.contacts >= 0 })
        #expect(records.contains { $0.contacts > 0 })
        let report = RunReport(env: "push3d", options: MakeOptions(), policy: "scripted", records: records, figures: presets.figures, seconds: 1)
        #expect(report.episodes.map { $0.final["mean_point_error"] } == records.map { $0.lastInfo.double("mean_point_error") })
        #expect(report.episodes.map(\.contacts) == records.map(\.contacts) && report.secondsPerEpisode == 0.5)
        #expect(try Registry.registration("teacher3d").run.scriptedPolicy == nil)
    }

    @Test func picturesOfRecordedEpisodes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-pictures-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let recorder = RecordEpisodes(try Registry.make("push3d", options: MakeOptions()), frameSize: 24)
        _ = try EpisodeRuns.run(env: recorder, policy: RandomPolicy(space: recorder.actionSpace, seed: 1), episodes: 1, seed: 0, maxSteps: 2)
        try EpisodePictures.write(recorder.episodes, env: "push3d", to: dir)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names == ["episode_000.html", "episode_000.png", "frame_000_0000.png", "frame_000_0001.png", "frame_000_0002.png"])
        let html = try String(contentsOf: dir.appendingPathComponent("episode_000.html"), encoding: .utf8)
        #expect(html.contains("push3d episode 0 (seed 0)") && html.contains("point error"))
    }

    @Test func stepServerAnswersAndSurvivesBadRequests() throws {
        let server = StepServer(env: try Registry.make("pusht", options: MakeOptions()))
        let (reset, closeAfterReset) = server.handle(#"{"reset": {"seed": 3}}"#)
        #expect(!closeAfterReset && reset.hasPrefix(#"{"info":"#) && reset.contains(#""obs":["#))
        let step = server.handle("{\"step\": [100, 200]}").reply
        #expect(step.contains(#""reward":"#) && step.contains(#""terminated":false"#))
        #expect(server.handle("not json").reply == #"{"error":"request is not a JSON object (numbers must be finite)"}"#)
        #expect(server.handle(#"{"reset": {"seed": -1}}"#).reply == #"{"error":"seed must be a non-negative integer"}"#)
        #expect(server.handle(#"{"step": "x"}"#).reply == #"{"error":"step must be an array of numbers"}"#)
        #expect(server.handle(#"{"foo": 1}"#).reply == #"{"error":"unknown request 'foo'; use reset, step, spaces or close"}"#)
        #expect(server.handle(#"{"close": true}"#) == (#"{"closed":true}"#, true))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data("[1, true, null]".utf8)) == .array([.number(1), .bool(true), .null]))
    }

    @Test func envThroughputIsPositive() throws {
        let rate = try EnvThroughput.single(try Registry.make("pusht", options: MakeOptions()), seconds: 0.02)
        #expect(rate > 0 && rate.isFinite)
    }

    @Test func idleCoresFromProcAccounting() throws {
        let stat = "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\n"
        let own = "1234 (ewm sim (x)) R 1 2 3 4 5 6 7 8 9 10 30 20 0 0"
        let t = try #require(IdleCores.times(procStat: stat, selfStat: own))
        #expect(t.free == 800 + 50 + 30 + 20 && t.total == 1000)
        #expect(IdleCores.times(procStat: "intr 1 2", selfStat: own) == nil)
        // Half of the elapsed time free on 4 cores: 2 idle; never below 1 or above the core count.
        #expect(IdleCores.count(from: (0, 0), to: (50, 100), cores: 4) == 2)
        #expect(IdleCores.count(from: (0, 0), to: (0, 100), cores: 4) == 1)
        #expect(IdleCores.count(from: (0, 0), to: (200, 100), cores: 4) == 4)
        #expect(IdleCores.count(from: (0, 100), to: (0, 100), cores: 3) == 3)
        let n = IdleCores.count(sampling: 0.01)
        #expect(n >= 1 && n <= ProcessInfo.processInfo.activeProcessorCount)
    }
}

@Suite struct CatalogAndOrbitTests {
    @Test func catalogListsEveryRegisteredEnvWithItsSpaces() throws {
        let entries = try EnvCatalog.entries()
        #expect(entries.map(\.id) == Registry.ids)
        let pusht = try #require(entries.first { $0.id == "pusht" })
        #expect(Set(pusht.observationSpaces.keys) == Set(["state", "keypoints", "pixels"]) && pusht.maxEpisodeSteps == 300)
    }

    @Test func orbitSweepCoversBothBuildsAwayFromZero() throws {
        let reports = try PushTOrbit.sweep(orientations: 2, seeds: 1, steps: 3)
        #expect(reports.map(\.build) == ["frame", "frame", "world", "world"])
        #expect(reports.map(\.orientation) == [2 * Double.pi / 3, 4 * Double.pi / 3, 2 * Double.pi / 3, 4 * Double.pi / 3])
        #expect(reports.filter { $0.build == "frame" }.allSatisfy { $0.maxDeviation < 1e-9 })
    }
}

/// The step server's protocol (issue 14): one reply per line, strict keys, machine-readable spaces, never a reply
/// that cannot be encoded.
@Suite struct StepServerProtocolTests {
    func object(_ reply: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
    }

    @Test func hugeActionGetsAnErrorAndTheServerKeepsAnswering() throws {
        for id in Registry.ids {
            let server = StepServer(env: try Registry.make(id, options: MakeOptions()))
            _ = server.handle(#"{"reset": {"seed": 1}}"#)
            let n = try Registry.make(id).actionSpace.count
            let huge = "[" + Array(repeating: "1e308", count: n).joined(separator: ",") + "]"
            let first = server.handle(#"{"step": \#(huge)}"#).reply
            #expect(!first.contains("could not be encoded"), "\(id): \(first)")
            let small = "[" + Array(repeating: "0.1", count: n).joined(separator: ",") + "]"
            let next = try object(server.handle(#"{"step": \#(small)}"#).reply)
            #expect(next["obs"] != nil, "\(id): \(next)")
        }
        let pusht = StepServer(env: try Registry.make("pusht", options: MakeOptions()))
        _ = pusht.handle(#"{"reset": {"seed": 1}}"#)
        let reply = try object(pusht.handle(#"{"step": [1e308, 1e308]}"#).reply)
        #expect((reply["error"] as? String)?.contains("non-finite") == true, "\(reply)")
    }

    /// An env that does not guard its state: the server answers with an error, never an unencodable reply, and
    /// refuses steps until a reset.
    @Test func nonFiniteOutcomeOfAnUnguardedEnvIsAnErrorUntilReset() throws {
        final class Overflowing: Environment {
            let spec = EnvSpec(id: "overflowing")
            let observationSpace = BoxSpace(low: -1, high: 1, shape: [1])
            let actionSpace = BoxSpace(low: -1, high: 1, shape: [1])
            var x = 0.0
            func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
                x = 0
                return (Observation([x]), Info())
            }
            func step(_ action: [Double]) throws -> StepResult {
                try validate(action: action)
                x = x + action[0] * 1e308 * 10
                return StepResult(observation: Observation([x]), reward: 0, terminated: false, truncated: false, info: Info())
            }
        }
        let server = StepServer(env: Overflowing())
        _ = server.handle(#"{"reset": null}"#)
        #expect(try object(server.handle(#"{"step": [0]}"#).reply)["obs"] != nil)
        let bad = try object(server.handle(#"{"step": [1]}"#).reply)
        #expect((bad["error"] as? String)?.contains("non-finite") == true)
        let refused = try object(server.handle(#"{"step": [0]}"#).reply)
        #expect((refused["error"] as? String)?.contains("reset before stepping") == true)
        #expect(try object(server.handle(#"{"reset": {}}"#).reply)["obs"] != nil)
        #expect(try object(server.handle(#"{"step": [0]}"#).reply)["obs"] != nil)
    }

    @Test func blankLinesAndUnknownKeysGetErrorReplies() throws {
        let server = StepServer(env: try Registry.make("pusht", options: MakeOptions()))
        for line in ["", "   ", "\t", "\r"] {
            let (reply, close) = server.handle(line)
            #expect(!close && reply.hasPrefix(#"{"error":"#) && reply.contains("empty request"), "\(reply)")
        }
        let unknownInReset = try object(server.handle(#"{"reset": {"seed": 3, "sed": 4}}"#).reply)
        #expect((unknownInReset["error"] as? String)?.contains("unknown key 'sed'") == true)
        let twoVerbs = try object(server.handle(#"{"reset": {"seed": 3}, "step": [1, 2]}"#).reply)
        #expect((twoVerbs["error"] as? String)?.contains("'reset', 'step'") == true)
        #expect((try object(server.handle("{}").reply)["error"] as? String)?.contains("none") == true)
        #expect(try object(server.handle(#"{"close": 3}"#).reply)["error"] != nil)
    }

    @Test func spacesRequestGivesExactMachineReadableSpaces() throws {
        let server = StepServer(env: try Registry.make("pusht", options: MakeOptions(observation: "state")))
        let reply = try object(server.handle(#"{"spaces": true}"#).reply)
        let observation = try #require(reply["observation"] as? [String: Any])
        let action = try #require(reply["action"] as? [String: Any])
        #expect(observation["dtype"] as? String == "float64" && observation["shape"] as? [Int] == [5] && observation["type"] as? String == "Box")
        #expect((observation["high"] as? [Double])?.last == 2 * Double.pi)
        #expect(observation["low"] as? Double == 0)
        #expect(action["low"] as? Double == 0 && action["high"] as? Double == 512 && action["shape"] as? [Int] == [2])
        let pixels = StepServer(env: try Registry.make("pusht", options: MakeOptions(observation: "pixels")))
        let p = try #require(try object(pixels.handle(#"{"spaces": true}"#).reply)["observation"] as? [String: Any])
        #expect(p["dtype"] as? String == "uint8" && p["shape"] as? [Int] == [96, 96, 3] && p["high"] as? Double == 255)
    }

    @Test func catalogJSONCarriesExactSpaces() throws {
        let data = try JSONEncoder().encode(try EnvCatalog.entries())
        let entries = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        for (entry, registered) in zip(entries, try EnvCatalog.entries()) {
            let spaces = try #require(entry["observationSpaces"] as? [String: [String: Any]])
            for (name, json) in spaces {
                let space = try #require(registered.observationSpaces[name])
                // Numbers parse back to the very same Doubles.
                for (key, bound) in [("low", space.low), ("high", space.high)] {
                    let parsed: [Double] =
                        (json[key] as? Double).map { Array(repeating: $0, count: space.shape.reduce(1, *)) } ?? (json[key] as? [Double] ?? [])
                    #expect(parsed == space.values(bound), "\(registered.id) \(name) \(key)")
                }
            }
        }
        let pusht = try #require(entries.first { $0["id"] as? String == "pusht" })
        let state = try #require((pusht["observationSpaces"] as? [String: [String: Any]])?["state"])
        #expect((state["high"] as? [Double]) == [512, 512, 512, 512, 2 * Double.pi])
    }
}
