import EWMIO
import Foundation

/// Headless trajectory dumps: one `.npz` that `numpy.load` reads, LeRobot-like column names.
///
/// Frame rows (N = sum over episodes of steps + 1; the last frame of an episode has no action):
/// - `observation.state` (N, d) float64 or `observation.image` (N, H, W, 3) uint8: the env's observation;
/// - `observation.keypoints` (N, 8, 2), `observation.agent_pos` (N, 2) for PushT (from info);
/// - `action` (N, 2) float64 (NaN on the last frame of an episode);
/// - `next.reward` (N,), `next.success` (N,) bool, `next.done` (N,) bool (for the step taken from this frame);
/// - `coverage` (N,) at this frame; `episode_index` (N,), `frame_index` (N,) int64.
/// Per episode (E rows): `episode.seed`, `episode.length`, `episode.success`, `episode.final_coverage`,
/// `episode.orientation`. Scalars: `meta.orientation`, `meta.rotation_world` (bool: world build).
public enum TrajectoryDump {
    public static func write(_ episodes: [Episode], orientation: Double, build: RotationBuild, to url: URL) throws {
        guard let first = episodes.first?.observations.first else { throw EnvError.invalidArgument("nothing to dump: no episodes") }
        var states: [Double] = [], images: [UInt8] = [], keypoints: [Double] = [], agent: [Double] = []
        var actions: [Double] = [], rewards: [Double] = [], success: [Bool] = [], done: [Bool] = [], coverage: [Double] = []
        var episodeIndex: [Int64] = [], frameIndex: [Int64] = []
        for (e, ep) in episodes.enumerated() {
            for (t, obs) in ep.observations.enumerated() {
                switch obs.storage {
                case .float64(let v): states += v
                case .uint8(let v): images += v
                }
                let info = ep.infos[t]
                if let pose = info.doubles("block_pose"), let a = info.doubles("pos_agent") {
                    keypoints += PushTGeometry.keypoints(at: Pose(x: pose[0], y: pose[1], angle: pose[2])).flatMap { [$0.x, $0.y] }
                    agent += a
                }
                coverage.append(info.double("coverage") ?? .nan)
                if t < ep.length {
                    actions += ep.actions[t]
                    rewards.append(ep.rewards[t])
                    success.append(ep.infos[t + 1].bool("is_success") ?? false)
                    done.append(ep.terminated[t] || ep.truncated[t])
                } else {
                    actions += Array(repeating: .nan, count: ep.actions.first?.count ?? 2)
                    rewards.append(.nan); success.append(false); done.append(true)
                }
                episodeIndex.append(Int64(e)); frameIndex.append(Int64(t))
            }
        }
        let n = frameIndex.count
        var arrays: [(String, NpyArray)] = []
        switch first.storage {
        case .float64: arrays.append(("observation.state", try NpyArray(float64: states, shape: [n] + first.shape)))
        case .uint8: arrays.append(("observation.image", try NpyArray(uint8: images, shape: [n] + first.shape)))
        }
        if keypoints.count == n * 16 {
            arrays.append(("observation.keypoints", try NpyArray(float64: keypoints, shape: [n, 8, 2])))
            arrays.append(("observation.agent_pos", try NpyArray(float64: agent, shape: [n, 2])))
        }
        arrays += [
            ("action", try NpyArray(float64: actions, shape: [n, actions.count / max(n, 1)])),
            ("next.reward", try NpyArray(float64: rewards, shape: [n])),
            ("next.success", try NpyArray(bool: success, shape: [n])),
            ("next.done", try NpyArray(bool: done, shape: [n])),
            ("coverage", try NpyArray(float64: coverage, shape: [n])),
            ("episode_index", try NpyArray(int64: episodeIndex, shape: [n])),
            ("frame_index", try NpyArray(int64: frameIndex, shape: [n])),
            ("episode.seed", try NpyArray(int64: episodes.map { Int64(bitPattern: $0.seed ?? 0) }, shape: [episodes.count])),
            ("episode.length", try NpyArray(int64: episodes.map { Int64($0.length) }, shape: [episodes.count])),
            ("episode.success", try NpyArray(bool: episodes.map { $0.infos.contains { $0.bool("is_success") == true } }, shape: [episodes.count])),
            ("episode.final_coverage", try NpyArray(float64: episodes.map { $0.infos.last?.double("coverage") ?? .nan }, shape: [episodes.count])),
            ("episode.orientation", try NpyArray(float64: Array(repeating: orientation, count: episodes.count), shape: [episodes.count])),
            ("meta.orientation", try NpyArray(float64: [orientation], shape: [])),
            ("meta.rotation_world", try NpyArray(bool: [build == .world], shape: [])),
        ]
        try createOutputDirectory(url.deletingLastPathComponent())
        try Npz.write(arrays, to: url)
    }

}
