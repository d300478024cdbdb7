import EWMIO
import Foundation

/// One episode of a batch: its summary, the contacts the env counted (info key `contacts`, summed over the steps)
/// and the info of its last step (the reset's info when it took no step).
public struct EpisodeRecord: Sendable {
    public var summary: EpisodeSummary
    public var contacts: Int
    public var lastInfo: Info
}

/// Runs a batch of episodes of one env under one policy: episode i is reset with seed + i. The one episode loop of
/// `run ENV` and `pusht` without a planner.
public enum EpisodeRuns {
    /// `progress(records)` follows every episode.
    public static func run(
        env: any Environment, policy: any Policy, episodes: Int, seed: UInt64, maxSteps: Int? = nil,
        progress: ([EpisodeRecord]) -> Void = { _ in }
    ) throws -> [EpisodeRecord] {
        var records: [EpisodeRecord] = []
        for i in 0..<episodes {
            var contacts = 0
            var last = Info()
            let summary = try Rollout.episode(env: env, policy: policy, seed: seed &+ UInt64(i), maxSteps: maxSteps) { _, r in
                contacts += Int(r.info.double("contacts") ?? 0)
                last = r.info
            }
            records.append(EpisodeRecord(summary: summary, contacts: contacts, lastInfo: last))
            progress(records)
        }
        return records
    }
}

/// What a batch of episodes without a planner reports (`run ENV`, `pusht` without `--planner`): per episode its
/// summary, the contacts and the env's end-of-episode figures (`RunPresets.figures`), and the pooled summary.
public struct RunReport: TextReport, Sendable {
    public struct Episode: Encodable, Sendable {
        public var seed: UInt64
        public var steps: Int
        public var totalReward: Double
        public var success: Bool
        public var terminated: Bool
        public var truncated: Bool
        public var contacts: Int
        /// The env's figures at the last step, by info key.
        public var final: [String: Double]
    }

    public var env: String
    public var orientation: Double
    /// The env's extra options (3D worlds: `se3`, the element after the orientation; push3d: `shape`).
    public var envOptions: [String: String]
    public var rotation: String
    public var policy: String
    public var summary: RunSummary
    /// The env's end-of-episode figures (`RunPresets.figures`), in the order of the table's columns.
    public var figures: [RunPresets.Figure]
    public var episodes: [Episode]
    public var secondsPerEpisode: Double

    public init(
        env: String, options: MakeOptions, policy: String, records: [EpisodeRecord], figures: [RunPresets.Figure],
        seconds: Double
    ) {
        self.env = env; orientation = options.orientation; envOptions = options.extra; rotation = options.rotation.rawValue
        self.policy = policy; summary = RunSummary(records.map(\.summary)); self.figures = figures
        episodes = records.map { r in
            let s = r.summary
            var final: [String: Double] = [:]
            for f in figures { final[f.key] = r.lastInfo.double(f.key) }
            return Episode(
                seed: s.seed, steps: s.steps, totalReward: s.totalReward, success: s.success, terminated: s.terminated,
                truncated: s.truncated, contacts: r.contacts, final: final)
        }
        secondsPerEpisode = seconds / Double(max(records.count, 1))
    }

    public var text: String {
        let se3 = envOptions["se3"].map { ", se3 \($0)" } ?? ""
        let rows = episodes.map { e -> [String] in
            let figureCells: [String] = figures.map { TextTable.fixed(e.final[$0.key]) }
            return [String(e.seed), String(e.steps), TextTable.fixed(e.totalReward, 2)] + figureCells + [
                String(e.contacts), e.success ? "yes" : "no",
            ]
        }
        return [
            "\(env) at orientation \(orientation)\(se3) (\(rotation) build), policy \(policy)",
            TextTable.render(["seed", "steps", "return"] + figures.map(\.label) + ["contacts", "success"], rows),
            "episodes \(summary.episodes)  success rate \(TextTable.fixed(summary.successRate, 2)) (95% CI \(TextTable.fixed(summary.successInterval[0], 2))-\(TextTable.fixed(summary.successInterval[1], 2)))  mean steps \(TextTable.fixed(summary.meanSteps, 1))  "
                + "\(TextTable.fixed(secondsPerEpisode, 3)) s per episode",
        ].joined(separator: "\n")
    }
}
