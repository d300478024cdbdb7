import Envs
import Foundation
import Testing

@testable import EWMSimC

/// The C ABI called as C would call it: buffers in, status codes out, the same numbers as the Swift envs.
@Suite struct CABITests {
    /// A handle made through `ewm_create`, with its layout.
    final class Handle {
        let raw: UnsafeMutableRawPointer
        let count: Int, observationBytes: Int, infoWidth: Int, infoFields: Int
        init(
            _ id: String, count: Int, observation: String? = nil, orientation: Double = 0, rotation: String? = nil,
            extra: [(String, String)] = [], maxEpisodeSteps: Int32 = 0, autoreset: Int32 = 0, threads: Int32 = 2
        ) throws {
            var handle: UnsafeMutableRawPointer?
            let status = withCStrings(extra.map(\.0)) { keys in
                withCStrings(extra.map(\.1)) { values in
                    ewm_create(
                        id, Int32(count), observation, orientation, rotation, keys, values, Int32(extra.count), maxEpisodeSteps, autoreset, threads,
                        &handle)
                }
            }
            guard status == 0, let handle else { throw CABIError(status: Status(rawValue: status) ?? .internal, message: lastError()) }
            raw = handle
            var n: Int64 = 0, bytes: Int64 = 0, width: Int64 = 0, fields: Int64 = 0
            #expect(ewm_layout(handle, &n, &bytes, &width, &fields) == 0)
            self.count = Int(n); observationBytes = Int(bytes); infoWidth = Int(width); infoFields = Int(fields)
        }
        deinit { ewm_destroy(raw) }

        func reset(seeds: [UInt64]) -> (status: Int32, observations: [Double]) {
            var obs = [Double](repeating: -1, count: count * observationBytes / 8)
            var info = [Double](repeating: 0, count: count * infoWidth)
            var present = [UInt8](repeating: 0, count: count * infoFields)
            let status = ewm_reset(raw, nil, seeds, nil, nil, 0, nil, &obs, &info, &present)
            return (status, obs)
        }

        func step(_ actions: [Double], length: Int = 2) -> (status: Int32, observations: [Double], rewards: [Double], ended: [UInt8]) {
            var obs = [Double](repeating: -1, count: count * observationBytes / 8)
            var rewards = [Double](repeating: -1, count: count)
            var terminated = [UInt8](repeating: 9, count: count), truncated = [UInt8](repeating: 9, count: count)
            var info = [Double](repeating: 0, count: count * infoWidth)
            var present = [UInt8](repeating: 0, count: count * infoFields)
            let status = ewm_step(raw, actions, Int64(length), &obs, &rewards, &terminated, &truncated, &info, &present)
            return (status, obs, rewards, zip(terminated, truncated).map { $0 | $1 })
        }
    }

    static func lastError() -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        _ = ewm_last_error(&buffer, 1024)
        return text(buffer)
    }

    /// A NUL-terminated C string in a buffer.
    static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func batchEqualsTheSwiftEnvsStepForStep() throws {
        let h = try Handle("pusht", count: 5, observation: "keypoints", orientation: 0.7, maxEpisodeSteps: -1)
        let twins = try (0..<5).map { _ in try Registry.make("pusht", options: MakeOptions(observation: "keypoints", orientation: 0.7)) }
        let seeds: [UInt64] = [3, 1, 4, 1, 5]
        let (status, obs) = h.reset(seeds: seeds)
        #expect(status == 0)
        for i in 0..<5 { #expect(Array(obs[(i * 18)..<((i + 1) * 18)]) == (try twins[i].reset(seed: seeds[i]).observation.values)) }
        var rng = SplitMix64(seed: 9)
        for _ in 0..<20 {
            let actions = (0..<5).map { _ in [Double.random(in: 0...512, using: &rng), Double.random(in: 0...512, using: &rng)] }
            let r = h.step(actions.flatMap { $0 })
            #expect(r.status == 0)
            for i in 0..<5 {
                let t = try twins[i].step(actions[i])
                #expect(Array(r.observations[(i * 18)..<((i + 1) * 18)]) == t.observation.values)
                #expect(r.rewards[i] == t.reward)
            }
        }
    }

    @Test func badActionsAreRejectedAndNothingMoves() throws {
        let h = try Handle("pusht", count: 2)
        #expect(h.reset(seeds: [7, 8]).status == 0)
        for (actions, length) in [([1, 2, .nan, 4], 2), ([1, 2, 3, .infinity], 2), ([1, 2, 3], 3), ([Double](), 0)] {
            let r = h.step(actions, length: length)
            #expect(r.status == Status.invalidAction.rawValue)
            #expect(Self.lastError().contains("invalid action"))
        }
        let twin = try Handle("pusht", count: 2)
        #expect(twin.reset(seeds: [7, 8]).status == 0)
        #expect(h.step([100, 200, 300, 400]).observations == twin.step([100, 200, 300, 400]).observations)
    }

    @Test func errorsAreCodesAndMessages() throws {
        #expect(throws: CABIError.self) { try Handle("nope", count: 1) }
        #expect(Self.lastError().contains("unknown environment 'nope'"))
        #expect(throws: CABIError.self) { try Handle("pusht", count: 1, observation: "depth") }
        #expect(throws: CABIError.self) { try Handle("pusht", count: 1, extra: [("shape", "box")]) }
        #expect(Self.lastError().contains("has no option 'shape'"))
        #expect(throws: CABIError.self) { try Handle("pusht", count: 0) }
        #expect(throws: CABIError.self) { try Handle("pusht", count: 1, rotation: "sideways") }
        let h = try Handle("pusht", count: 1)
        #expect(h.step([1, 2]).status == Status.needsReset.rawValue)
        #expect(ewm_step(nil, [1, 2], 2, nil, nil, nil, nil, nil, nil) == Status.invalidArgument.rawValue)
        var pixels = [UInt8](repeating: 0, count: 12)
        #expect(ewm_render(h.raw, 3, 2, 2, &pixels) == Status.invalidArgument.rawValue)
        let cloud = try Handle("teacher2d", count: 1)
        #expect(cloud.reset(seeds: [1]).status == 0)
        #expect(ewm_render(cloud.raw, 0, 2, 2, &pixels) == Status.unsupported.rawValue)
    }

    @Test func nextStepAutoresetAndTimeLimit() throws {
        let h = try Handle("teacher2d", count: 3, maxEpisodeSteps: 2, autoreset: 1)
        _ = h.reset(seeds: [1, 2, 3])
        #expect(h.step([Double](repeating: 0.1, count: 6)).ended == [0, 0, 0])
        #expect(h.step([Double](repeating: 0.1, count: 6)).ended == [1, 1, 1])
        let r = h.step([Double](repeating: 0.1, count: 6))
        #expect(r.rewards == [0, 0, 0] && r.ended == [0, 0, 0])
    }

    @Test func spacesAndDescriptionsAreExact() throws {
        let h = try Handle("pusht", count: 1, observation: "pixels")
        var dtype: Int32 = -1, rank: Int32 = 0, count: Int64 = 0
        var shape = [Int64](repeating: 0, count: 4)
        #expect(ewm_space(h.raw, 0, &dtype, &rank, &shape, 4, &count) == 0)
        #expect(dtype == 1 && rank == 3 && Array(shape.prefix(3)) == [96, 96, 3] && count == 96 * 96 * 3)
        var low = [Double](repeating: 0, count: 2), high = low
        #expect(ewm_space_bounds(h.raw, 1, &low, &high) == 0)
        #expect(low == [0, 0] && high == [512, 512])
        var text = [CChar](repeating: 0, count: 4096)
        var length: Int64 = 0
        #expect(ewm_registry_describe("pusht", &text, 4096, &length) == 0)
        let lines = Self.text(text).split(separator: "\n")
        #expect(lines.contains("observation_types=state,keypoints,pixels"))
        #expect(lines.contains("max_episode_steps=300"))
        #expect(lines.contains("renders=1"))
    }
}

/// Calls `body` with a C array of C strings (valid only inside).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
