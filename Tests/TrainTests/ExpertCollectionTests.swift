import Envs
import Foundation
import Testing
@testable import Train

/// `collect pusht --policy expert --action-noise S`: the expert dataset, and the goal25-expert tasks held out from it.
@Suite struct ExpertCollectionTests {
    static let config = CollectConfig(
        env: "pusht", episodes: 4, stepsPerEpisode: 60, policy: CollectConfig.PolicyKind(rawValue: "expert"),
        orientations: try! OrientationSlice(degrees: "0:90"),
        seed: 3, start: .reference, frameskip: 5, actionNoise: 10)

    @Test func collectWithTheExpertWritesAReadableDataset() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-expert-collect-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, report) = try CollectionRun.collect(Self.config, to: dir, shardSize: 1000)
        let read = try TransitionSet.readShards(from: dir, env: "pusht")
        #expect(read.count == data.count && read.observations == data.observations && read.actions == data.actions)
        #expect(Set(read.episodes) == [0, 1, 2, 3])
        // The report counts the episodes the env ended (the noisy expert reached coverage > 0.95) before 60 x 5 steps.
        let lengths = Dictionary(grouping: read.episodes, by: { $0 }).mapValues(\.count)
        #expect(report.episodesEnded == lengths.values.filter { $0 < 60 }.count && report.episodesEnded! >= 1)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("collect.json"))) as? [String: Any]
        let config = try #require(saved?["config"] as? [String: Any])
        #expect(config["policy"] as? String == "expert" && config["actionNoise"] as? Double == 10)
    }

    @Test func unknownPoliciesAndNoiseOnTheExplorerAreRefused() {
        var bad = Self.config
        bad.policy = CollectConfig.PolicyKind(rawValue: "expret")
        #expect(throws: DataError.self) { try bad.validate() }
        var noisyExplorer = Self.config
        noisyExplorer.policy = .mixed
        #expect(throws: DataError.self) { try noisyExplorer.validate() }
    }

    /// The goal25-expert tasks' expert episodes are not among a collection's: no task's first state is a collected one.
    @Test func goal25ExpertTasksAreHeldOut() throws {
        var canonical = Self.config
        canonical.orientations = try OrientationSlice(degrees: "0:0")
        canonical.episodes = 40
        canonical.stepsPerEpisode = 1
        let data = try collectTransitions(canonical)
        let starts = Set((0..<data.count).map { Array(data.observation($0)) })
        for index in 0..<10 {
            let task = try ExpertGoalTask.make(index: index)
            let env = PushTEnv(observationType: .keypoints)
            let first = try env.reset(seed: task.seed).observation.values
            #expect(!starts.contains(first), "task \(index)")
        }
        #expect(starts.count == 40)
    }
}
