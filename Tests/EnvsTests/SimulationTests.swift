import Foundation
import Testing
@testable import Envs

/// PushT as a simulatable env (the oracle's model): snapshots, fresh simulators, located through the wrappers, and the
/// noisy oracle's model errors.
struct PushTSimulationTests {
    @Test func locatesTheSimulatorAndItsFrame() throws {
        let bare = try Registry.make("pusht", options: MakeOptions(observation: "keypoints"))
        let located = try #require(locateSimulator(in: bare))
        #expect((located.element as? PlanarRotation)?.isIdentity == true)
        let rotated = try Registry.make("pusht", options: MakeOptions(observation: "keypoints", orientation: 0.4))
        let l = try #require(locateSimulator(in: rotated))
        #expect((l.element as? PlanarRotation) == PlanarRotation(angle: 0.4, center: PushTGeometry.workspaceCenter))
        #expect(locateSimulator(in: try Registry.make("teacher3d")) == nil)
    }

    @Test func snapshotsRestoreTheWholeState() throws {
        let env = PushTEnv(observationType: .keypoints)
        _ = try env.reset(seed: 5)
        let s = env.snapshot()
        let sim = env.makeSimulator()
        sim.restore(s)
        #expect(sim.currentObservation.values == env.currentObservation.values)
        #expect(sim.restAction == env.restAction)
        let a = try sim.step([300, 300]).observation.values
        sim.restore(s)
        #expect(try sim.step([300, 300]).observation.values == a)
    }

    @Test func gaussianModelErrorHasTheRequestedMeanLength() {
        var rng = SplitMix64(seed: 1)
        let lengths = (0..<20000).map { _ in PushTModelError.gaussianOffset(meanLength: 12, using: &rng).length }
        let mean = lengths.reduce(0, +) / Double(lengths.count)
        #expect(abs(mean - 12) < 0.3)
    }

    /// The smooth error field: a fixed function of its inputs (same seed, same offsets), continuous on its 40 px scale,
    /// with offsets of about the requested mean length over random inputs.
    @Test func smoothErrorFieldIsFixedSmoothAndScaled() {
        let field = SmoothErrorField(meanLength: 12, seed: 3), again = SmoothErrorField(meanLength: 12, seed: 3)
        var rng = SplitMix64(seed: 2)
        var total = 0.0, jump = 0.0
        let n = 4000
        for _ in 0..<n {
            func point() -> Vec2 { Vec2(Double.random(in: 50...450, using: &rng), Double.random(in: 50...450, using: &rng)) }
            let agent = point(), action = point(), block = point()
            let o = field.offset(agent: agent, action: action, block: block)
            #expect(o == again.offset(agent: agent, action: action, block: block))
            total += o.length / Double(n)
            jump = max(jump, (field.offset(agent: agent + Vec2(0.1, 0), action: action, block: block) - o).length)
        }
        print("smooth error field: mean offset \(total) px (asked 12), largest change for a 0.1 px move \(jump) px")
        #expect(abs(total - 12) < 0.6)
        #expect(jump < 0.5)
    }
}
