import Agents
import EWMIO
import Envs
import Foundation
import Tensor

/// Planning episodes of an env's goal protocol at one orientation (`pusht --planner`): episode i is task seed + i (or reset
/// seed seed + i), optionally compared with the same episode at the seen orientation 0.
public struct GoalReachingRun: Sendable {
    public var `protocol`: any GoalProtocol
    public var orientation: Double
    public var rotation: RotationBuild
    public var planner: PlannerKind
    public var episodes: Int
    public var seed: UInt64
    /// At a non-zero orientation, also run orientation 0 and measure the trajectory deviation (rotated back).
    public var compare: Bool
    /// Keep the episodes' observations, actions and infos (for dumps); with `frameSize`, frames too.
    public var record: Bool
    public var frameSize: Int?

    public init(
        protocol proto: any GoalProtocol, orientation: Double, rotation: RotationBuild, planner: PlannerKind, episodes: Int,
        seed: UInt64, compare: Bool = true, record: Bool = false, frameSize: Int? = nil
    ) {
        self.protocol = proto; self.orientation = orientation; self.rotation = rotation; self.planner = planner
        self.episodes = episodes; self.seed = seed; self.compare = compare; self.record = record; self.frameSize = frameSize
    }

    /// What the run reports.
    public struct Report: TextReport, Sendable {
        public var orientation: Double
        public var rotation: String
        public var planner: String
        public var model: String?
        public var `protocol`: String
        public var successRate: Double
        public var successInterval95: [Double]
        public var meanFinalCoverage: Double
        public var meanSteps: Double
        /// Wall-clock planning time (nil with `--no-timings`).
        public var secondsPerPlan: Double?
        /// Threads of the models' forward passes (`--threads`, else the idle cores at the start).
        public var threads: Int
        public var degenerateFrames: Int
        /// max over episodes and steps of |g^-1 traj_theta(t) - traj_0(t)| (px), if measured.
        public var maxDeviation: Double?
        public var episodes: [PlanningEpisode]

        public var text: String {
            let f = { (x: Double?, d: Int) in TextTable.fixed(x, d) }
            let successes = episodes.filter(\.success).count
            var lines = [
                "pusht \(self.protocol) at orientation \(orientation) (\(rotation) build), planner \(planner)\(model.map { ", model \($0)" } ?? "")",
                TextTable.render(
                    ["seed", "success", "steps", "final cov", "s/plan", "deviation (px)"],
                    episodes.map {
                        [
                            String($0.seed), $0.success ? "yes" : "no", String($0.steps), f($0.finalCoverage, 3), f($0.secondsPerPlan, 3),
                            $0.deviation.map(TextTable.short) ?? "-",
                        ]
                    }),
                "success \(successes)/\(episodes.count) = \(f(successRate, 2)) (95% CI \(f(successInterval95[0], 2))-\(f(successInterval95[1], 2)))  "
                    + "mean final coverage \(f(meanFinalCoverage, 3))  \(f(secondsPerPlan, 3)) s/plan (\(threads) thread\(threads == 1 ? "" : "s"))  "
                    + "degenerate frames \(degenerateFrames)",
            ]
            if let d = maxDeviation { lines.append("trajectory deviation from the seen orientation (rotated back): max \(TextTable.short(d)) px") }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the episodes with `model` (nil for the oracle) and `config`; `progress(results)` follows every episode.
    /// Returns the episodes and, when recording, their traces. `only`: just these episodes (a shard's, increasing); each
    /// episode depends on its index alone (task and seed `seed + i`), so they are the whole run's episodes.
    public func run(
        model: (any LatentWorldModel)?, config: MPCConfig, only: [Int]? = nil,
        progress: ([PlanningEpisode]) -> Void = { _ in }
    ) throws -> (episodes: [PlanningEpisode], traces: [Episode]) {
        var results: [PlanningEpisode] = []
        var traces: [Episode] = []
        for i in only ?? Array(0..<episodes) {
            let s = seed &+ UInt64(i)
            var (episode, trace) = try PlanningEpisodes.episode(
                protocol: self.protocol, index: Int(s), seed: s, theta: orientation, rotation: rotation,
                kind: planner, model: model, config: config, record: record, frameSize: frameSize)
            if compare && orientation != 0 {
                let (seen, _) = try PlanningEpisodes.episode(
                    protocol: self.protocol, index: Int(s), seed: s, theta: 0, rotation: rotation, kind: planner, model: model, config: config)
                episode.deviation = PlanningEpisodes.deviation(
                    episode.trajectory, from: seen.trajectory, theta: orientation,
                    center: [config.center.x, config.center.y])
            }
            results.append(episode)
            if let trace { traces.append(trace) }
            progress(results)
        }
        return (results, traces)
    }

    /// The report of `results`; `model` names the model file (nil for the oracle), `threads` the forward passes' threads.
    public func report(_ results: [PlanningEpisode], model: String?, threads: Int = Compute.threadCount) -> Report {
        let successes = results.filter(\.success).count
        let ci = wilsonInterval(successes: successes, trials: results.count)
        let plans = results.map(\.plans).reduce(0, +)
        return Report(
            orientation: orientation, rotation: rotation.rawValue, planner: planner.rawValue, model: model, protocol: self.protocol.name,
            successRate: Double(successes) / Double(results.count), successInterval95: [ci.low, ci.high],
            meanFinalCoverage: results.map(\.finalCoverage).reduce(0, +) / Double(results.count),
            meanSteps: Double(results.map(\.steps).reduce(0, +)) / Double(results.count),
            secondsPerPlan: plans == 0 ? 0 : results.map { ($0.secondsPerPlan ?? 0) * Double($0.plans) }.reduce(0, +) / Double(plans),
            threads: threads, degenerateFrames: results.map(\.degenerateFrames).reduce(0, +),
            maxDeviation: results.compactMap(\.deviation).max(), episodes: results)
    }

    /// What a shard of the run hands to the merge: its episodes (in increasing order) and its forward passes' threads.
    public struct Part: Codable, Sendable {
        public var episodes: [PlanningEpisode]
        public var threads: Int
        public init(episodes: [PlanningEpisode], threads: Int) { self.episodes = episodes; self.threads = threads }
    }

    /// The report without wall-clock figures (`--no-timings`): a merged sharded run prints it to the byte.
    public static func withoutTimings(_ report: Report) -> Report {
        var copy = report
        copy.secondsPerPlan = nil
        for i in copy.episodes.indices { copy.episodes[i].secondsPerPlan = nil }
        return copy
    }
}
