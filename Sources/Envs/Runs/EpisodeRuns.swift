import Foundation

/// One episode of a batch: its summary, the contacts the env counted (info key `contacts`, summed over the steps)
/// and the info of its last step (the reset's info when it took no step).
public struct EpisodeRecord: Sendable {
    public var summary: EpisodeSummary
    public var contacts: Int
    public var lastInfo: Info
}

/// Runs a batch of episodes of one env under one policy: episode i is reset with seed + i. The one episode loop of
/// `pusht` (without a planner) and `run3d`.
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

    /// The scripted controller of a 3D world: the feedback pusher of the push3d env inside `env` (under wrappers, in
    /// the frame build too); nil when `env` is not push3d or push3d-multi.
    public static func scriptedPush3D(for env: any Environment) -> Push3DPusher? {
        var unwrapped: any Environment = env
        while let w = unwrapped as? Wrapper { unwrapped = w.inner }
        guard let push = (unwrapped as? Push3DEnv) ?? ((unwrapped as? OrientationWrapper<Push3DEnv>)?.base) else { return nil }
        return Push3DPusher(env: push)
    }
}

/// What `pusht` (a scripted or random controller) reports.
public struct PushTRunReport: Encodable, Sendable {
    public var env: String
    public var orientation: Double
    public var rotation: String
    public var policy: String
    public var summary: RunSummary
    public var episodes: [EpisodeSummary]
    public var secondsPerEpisode: Double

    public init(orientation: Double, rotation: RotationBuild, policy: String, episodes: [EpisodeSummary], seconds: Double) {
        env = "pusht"; self.orientation = orientation; self.rotation = rotation.rawValue; self.policy = policy
        summary = RunSummary(episodes); self.episodes = episodes; secondsPerEpisode = seconds / Double(episodes.count)
    }
}

/// What `run3d` reports.
public struct Run3DReport: Encodable, Sendable {
    public struct Episode: Encodable, Sendable {
        public var seed: UInt64
        public var steps: Int
        public var success: Bool
        public var finalPointError: Double?
        public var finalPositionError: Double?
        public var finalAngleError: Double?
        public var contacts: Int

        public init(_ r: EpisodeRecord) {
            seed = r.summary.seed; steps = r.summary.steps; success = r.summary.success
            finalPointError = r.lastInfo.double("mean_point_error"); finalPositionError = r.lastInfo.double("position_error")
            finalAngleError = r.lastInfo.double("angle_error"); contacts = r.contacts
        }
    }

    public var env: String
    public var transform: [Double]
    public var rotation: String
    public var policy: String
    public var successRate: Double
    public var episodes: [Episode]
    public var secondsPerEpisode: Double

    public init(env: String, transform: SE3Transform, rotation: RotationBuild, policy: String, records: [EpisodeRecord], seconds: Double) {
        self.env = env; self.transform = transform.coordinates; self.rotation = rotation.rawValue; self.policy = policy
        episodes = records.map(Episode.init)
        successRate = Double(episodes.filter(\.success).count) / Double(records.count)
        secondsPerEpisode = seconds / Double(records.count)
    }
}
