import EWMIO
import Foundation
import Parallel
import Testing
@testable import Envs

/// The library side of `pusht` (scripted/random), `run3d`, `serve` and `bench env`.
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
        #expect(server.handle(#"{"foo": 1}"#).reply == #"{"error":"unknown request 'foo'; use reset, step or close"}"#)
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
