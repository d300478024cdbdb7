import Agents
import Envs
import Foundation
import Testing
@testable import Planner

@Suite struct Frame3DTests {
    static func latent(_ seed: UInt64, channels: Int) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<(3 * channels)).map { _ in Double.random(in: -1...1, using: &rng) }
    }

    static func rotate(_ z: [Double], _ r: Mat3) -> [Double] {
        var out = z
        PlanningFrame3D.apply(r, &out)
        return out
    }

    @Test func frameIsEquivariantAndProper() {
        let rep = Rep.vectors(4, dim: 3)
        let z = Self.latent(1, channels: 4), goal = Self.latent(2, channels: 4)
        let f = PlanningFrame3D.from(z, goal: goal, rep: rep)
        #expect(f.source == .combinations)
        #expect(f.rotation.orthogonalityError < 1e-12 && abs(f.rotation.determinant - 1) < 1e-12)
        for g in SE3Ladder().sample(.so3, count: 5, seed: 3) {
            let fg = PlanningFrame3D.from(Self.rotate(z, g.rotation), goal: Self.rotate(goal, g.rotation), rep: rep)
            let d = (g.rotation * f.rotation).array, e = fg.rotation.array
            #expect(zip(d, e).map { abs($0 - $1) }.max()! < 1e-12)
            // Canonical samples map to the world turned by g.
            var a = [0.3, -0.2, 0.5], b = a
            f.toWorld(&a); fg.toWorld(&b)
            #expect((g.rotation * Vec3(a, at: 0) - Vec3(b, at: 0)).length < 1e-12)
        }
    }

    @Test func degenerateFramesFallBackDeterministically() {
        let rep = Rep.vectors(2, dim: 3), rep3 = Rep.vectors(3, dim: 3)
        // Channel sum zero: the combinations are degenerate; the two largest channels are not parallel.
        let f = PlanningFrame3D.from([1, 0, 0, 0, 1, 0, -1, -1, 0], goal: [Double](repeating: 0, count: 9), rep: rep3)
        #expect(f.source == .largestChannels)
        #expect(f.rotation.orthogonalityError < 1e-12)
        // Everything parallel or zero: identity.
        #expect(PlanningFrame3D.from([0, 0, 0, 0, 0, 0], goal: [0, 0, 0, 0, 0, 0], rep: rep).source == .identity)
        #expect(PlanningFrame3D.from([1, 0, 0, 2, 0, 0], goal: [0, 0, 0, 0, 0, 0], rep: rep).source == .identity)
    }

    @Test func ballBoundsProject() {
        var a = [3.0, 4.0, 0.0, 0.1, 0.1, 0.1]
        ActionBounds.ball(radius: 1).apply(&a, dim: 3)
        #expect(abs(Vec3(a, at: 0).length - 1) < 1e-12 && a[3] == 0.1)
    }
}
