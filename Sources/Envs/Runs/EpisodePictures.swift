import EWMIO
import Foundation

/// Pictures of recorded episodes: PNG frames (`frame_EEE_TTTT.png`) and one animation per episode (`episode_EEE.png`,
/// an APNG that browsers play, and `episode_EEE.html` with play/pause, a slider and a caption per frame).
public enum EpisodePictures {
    /// Writes the pictures of every episode with frames into `directory`; `title(e, episode)` heads episode e's page,
    /// `caption(t, info)` describes frame t.
    public static func write(
        _ episodes: [Episode], to directory: URL, fps: Double = 10,
        title: (Int, Episode) -> String, caption: (Int, Info) -> String
    ) throws {
        try createOutputDirectory(directory)
        for (e, ep) in episodes.enumerated() where !ep.frames.isEmpty {
            let tag = String(format: "%03d", e)
            for (t, frame) in ep.frames.enumerated() {
                try PNG.write(frame, to: directory.appendingPathComponent("frame_\(tag)_\(String(format: "%04d", t)).png"))
            }
            try APNG.write(ep.frames, fps: fps, to: directory.appendingPathComponent("episode_\(tag).png"))
            let captions = ep.infos.enumerated().map { caption($0.offset, $0.element) }
            try HTMLAnimation.write(
                frames: ep.frames, fps: fps, title: title(e, ep), captions: captions,
                to: directory.appendingPathComponent("episode_\(tag).html"))
        }
    }

    /// The pictures of `env`'s episodes, captioned with its run figures.
    public static func write(_ episodes: [Episode], env: String, to directory: URL) throws {
        let presets = try Registry.registration(env).run
        try write(episodes, to: directory, title: { e, ep in "\(env) episode \(e) (seed \(ep.seed.map(String.init) ?? "-"))" }) {
            presets.caption(step: $0, info: $1)
        }
    }
}
