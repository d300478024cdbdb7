import Envs
import Foundation
import Testing

/// The group laws every `GroupElement` must keep, measured on points: (g h).x = g.(h.x), g^-1 g = e, and R(g) is
/// orthogonal and turns vectors as the action does.
@Suite struct GroupElementTests {
    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    /// R(g) (d x d, row-major) applied to consecutive d-tuples.
    static func multiply(_ r: [Double], _ v: [Double], dim d: Int) -> [Double] {
        var out = v
        for k in 0..<(v.count / d) {
            for i in 0..<d { out[k * d + i] = (0..<d).reduce(0) { $0 + r[i * d + $1] * v[k * d + $1] } }
        }
        return out
    }

    static func checkLaws<G: GroupElement>(_ g: G, _ h: G, points: [Double]) {
        let composed = g.composed(with: h).apply(toPoints: points)
        let sequential = g.apply(toPoints: h.apply(toPoints: points))
        let roundTrip = g.inverse.apply(toPoints: g.apply(toPoints: points))
        let r = g.orthogonalPart, d = G.spaceDimension
        let rrt = (0..<(d * d)).map { e in (0..<d).reduce(0) { $0 + r[(e / d) * d + $1] * r[(e % d) * d + $1] } }
        let identity = (0..<(d * d)).map { $0 / d == $0 % d ? 1.0 : 0.0 }
        let vectors = g.apply(toVectors: points), viaMatrix = multiply(r, points, dim: d)
        print(
            "\(G.self): |(gh).x - g.(h.x)| = \(maxDifference(composed, sequential)), |g^-1 g x - x| = \(maxDifference(roundTrip, points)), |R R^T - I| = \(maxDifference(rrt, identity)), |g.v - R v| = \(maxDifference(vectors, viaMatrix))"
        )
        #expect(maxDifference(composed, sequential) < 1e-12)
        #expect(maxDifference(roundTrip, points) < 1e-12)
        #expect(maxDifference(rrt, identity) < 1e-14)
        #expect(maxDifference(vectors, viaMatrix) < 1e-12)
        #expect(g.composed(with: g.inverse).apply(toPoints: points).elementsEqual(points) { abs($0 - $1) < 1e-12 })
    }

    @Test func planarRotationsAboutACentre() {
        let c = Vec2(256, 256)
        let points = [10.0, 20, 300, 400, 256, 256, -5, 511]
        Self.checkLaws(PlanarRotation(angle: 0.7, center: c), PlanarRotation(angle: -2.1, center: c), points: points)
        #expect(PlanarRotation(angle: 0, center: c).composed(with: PlanarRotation(angle: 1, center: .zero)).center == .zero)
    }

    @Test func rigidMotionsOfSpace() {
        var rng = SplitMix64(seed: 5)
        let g = SE3Transform(rotation: .randomRotation(using: &rng), translation: Vec3(0.3, -1, 2))
        let h = SE3Transform(rotation: .randomRotation(using: &rng), translation: Vec3(-0.5, 0.25, 0))
        Self.checkLaws(g, h, points: [1, 2, 3, -0.5, 0.1, 4, 0, 0, 0])
    }

    @Test func relabellingsTimesRigidMotions() throws {
        var rng = SplitMix64(seed: 6)
        let g = PermutedTransform(
            permutation: [2, 0, 1], transform: SE3Transform(rotation: .randomRotation(using: &rng), translation: Vec3(1, 0, 0)))
        let h = PermutedTransform(permutation: [1, 0, 2], transform: SE3Transform(rotation: .randomRotation(using: &rng)))
        Self.checkLaws(g, h, points: [1, 2, 3, -0.5, 0.1, 4])
        // Composition relabels as applying `h`, then `g`, does (Push3DEnv.permute's convention).
        let env = Push3DEnv(config: .init(shape: .box, objectCount: 3, observationType: .state))
        _ = try env.reset(seed: 1)
        let s = env.state
        let sequential = env.permute(objects: g.permutation, state: env.permute(objects: h.permutation, state: s))
        #expect(env.permute(objects: g.composed(with: h).permutation, state: s) == sequential)
        #expect(env.permute(objects: g.inverse.permutation, state: env.permute(objects: g.permutation, state: s)) == s)
        #expect(g.composed(with: g.inverse).permutation == [0, 1, 2])
    }

    /// One wrapper for every group: the frame build of teacher3d at g agrees with the env's own world build.
    @Test func oneOrientationWrapperServesEveryGroup() throws {
        let planar = OrientationWrapper(PushTEnv(observationType: .keypoints), angle: 0.7)
        #expect(planar.element == PlanarRotation(angle: 0.7, center: PushTGeometry.workspaceCenter))
        let g = SE3Transform(rotationVector: Vec3(0.3, -1.2, 0.8), translation: Vec3(0.2, 0, 0.1))
        let spatial = OrientationWrapper(Teacher3DEnv(), element: g)
        let (obs, _) = try spatial.reset(seed: 3)
        let canonical = Teacher3DEnv()
        let (base, _) = try canonical.reset(seed: 3)
        #expect(Self.maxDifference(obs.values, g.apply(toPoints: base.values)) < 1e-12)
    }
}
