import Envs
import Foundation
import Tensor
import Testing
@testable import Train

/// push3d's named collection policy `scripted` (the env's scripted pusher with seeded Gaussian noise) and the 3D
/// collection that runs it.
@Suite struct Push3DScriptedCollectionTests {
    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

    /// Runs the adapters' `scripted` policy for `steps` steps from task 0's start, at g; returns its actions.
    static func actions(seed: UInt64, noise: Double, g: SE3Transform, steps: Int = 12) throws -> [[Double]] {
        let config = Push3DEnv.defaultConfig(multi: false)
        let collection = Push3DEnv.adapters(config: config).collection
        let policy = try collection.policy("scripted", settings: ExplorerSettings(orientation: 0, seed: seed, actionNoise: noise, element: g))
        var scene = config
        scene.observationType = .scene
        let base = Push3DEnv(config: scene)
        var rng = SplitMix64(seed: 4)
        let start = base.act(g, onState: base.orientedStart(spread: 0.25, using: &rng))
        let env = base.oriented(at: g)
        var (obs, info) = try env.reset(seed: 0, options: ResetOptions(state: start))
        var out: [[Double]] = []
        for _ in 0..<steps {
            let a = try policy.action(observation: obs, info: info)
            out.append(a)
            let r = try env.step(a)
            (obs, info) = (r.observation, r.info)
        }
        return out
    }

    @Test func noisyScriptedPolicyIsSeededEquivariantAndBounded() throws {
        let a = try Self.actions(seed: 1, noise: 0.05, g: .identity)
        let b = try Self.actions(seed: 1, noise: 0.05, g: .identity)
        let c = try Self.actions(seed: 2, noise: 0.05, g: .identity)
        let clean = try Self.actions(seed: 1, noise: 0, g: .identity)
        #expect(a == b)
        #expect(Self.maxDifference(a.flatMap { $0 }, c.flatMap { $0 }) > 1e-3)
        #expect(Self.maxDifference(a.flatMap { $0 }, clean.flatMap { $0 }) > 1e-3)
        // Every target is a finite point of the action box's neighbourhood (the pusher aims at most ~0.7 m from an
        // object centre, objects start within 0.6 m of the origin; noise 0.05 m).
        #expect(a.allSatisfy { $0.count == 3 && $0.allSatisfy { $0.isFinite && abs($0) < 2 } })
        // At g the noisy episode is the identity's moved by g (noise drawn in the canonical frame).
        let g = SE3Ladder().sample(.se3, count: 1, seed: 3)[0]
        let moved = try Self.actions(seed: 1, noise: 0.05, g: g)
        let expected = a.map { g.apply(point: Vec3($0, at: 0)).array }
        #expect(Self.maxDifference(moved.flatMap { $0 }, expected.flatMap { $0 }) < 1e-9)
    }

    @Test func scriptedCollectionIsSeededAndMovesTheObject() throws {
        let config = Collect3DConfig(
            env: "push3d", episodes: 2, stepsPerEpisode: 15, actionRadius: 0.6, seed: 3, policy: "scripted", actionNoise: 0.05)
        let a = try collectTransitions3D(config)
        let b = try collectTransitions3D(config)
        #expect(a.count == 30 && a.actions == b.actions && a.nextObservations == b.nextObservations)
        // The random-offset collection (no policy) is unchanged by the policy fields' existence and differs.
        let random = try collectTransitions3D(Collect3DConfig(env: "push3d", episodes: 2, stepsPerEpisode: 15, actionRadius: 0.6, seed: 3))
        #expect(random.actions != a.actions)
        // The scripted pusher moves the T (its keypoints, the first points) over the second episode.
        func moved(_ set: TransitionSet) -> Double {
            let i = set.count - 1, n = 3 * Push3DEnv(config: Push3DEnv.defaultConfig(multi: false)).shape.keypoints.count
            return Self.maxDifference(
                Array(set.observation(15).prefix(n)), Array(set.nextObservations[i * set.observationSize..<(i * set.observationSize + n)]))
        }
        #expect(moved(a) > 0.05)
        // A random fraction mixes random offsets in; unknown policies and noise without a policy are refused.
        var mixed = config
        mixed.randomFraction = 0.5
        #expect(try collectTransitions3D(mixed).actions != a.actions)
        var unknown = config
        unknown.policy = "expert"
        #expect(throws: DataError.self) { try unknown.validate() }
        #expect(throws: DataError.self) { try Collect3DConfig(env: "push3d", episodes: 1, actionNoise: 0.1).validate() }
    }

    /// `originWeight` scales the origin channel only, and layouts recorded before it existed read as weight 1.
    @Test func originWeightScalesTheOriginChannelOnly() throws {
        var layout = try CloudLayout.forEnv("push3d")
        let obs = (0..<layout.observationSize).map { sin(Double($0)) }
        let plain: Tensor<Double> = layout.pointsTensor(obs, batch: 1, origins: [0.1, -0.2, 0.3])
        layout.originWeight = 4
        let weighted: Tensor<Double> = layout.pointsTensor(obs, batch: 1, origins: [0.1, -0.2, 0.3])
        let (a, b, ch) = (plain.scalars, weighted.scalars, layout.channels)
        for i in a.indices { #expect(abs(b[i] - (i % ch == ch - 1 ? 4 : 1) * a[i]) < 1e-12) }
        var old = try JSONEncoder().encode(try CloudLayout.forEnv("push3d"))
        #expect(!String(decoding: old, as: UTF8.self).contains("originWeight"))
        old = try JSONEncoder().encode(layout)
        #expect(try JSONDecoder().decode(CloudLayout.self, from: old).originWeight == 4)
    }
}
