import EWMIO
import Foundation
import Testing
@testable import Envs

@Suite struct RenderTests {
    @Test func recordedEpisodesCarryFrames() throws {
        let env = RecordEpisodes(try Registry.make("pusht", options: MakeOptions(orientation: 0.7)), frameSize: 64)
        _ = try env.reset(seed: 1)
        _ = try env.step([100, 100])
        #expect(env.episodes.count == 1)
        #expect(env.episodes[0].frames.count == 2)
        #expect(env.episodes[0].frames[0].width == 64)
    }
}
