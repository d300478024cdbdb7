import Agents
import Envs
import Foundation
import Testing
@testable import Planner

/// An exactly SE(3)-equivariant toy cloud model: 4 points; latents are the points about their centroid (4 vector
/// channels); an offset action a moves point k by c_k a (different weights, so the cloud's shape changes).
final class ToyCloudModel: LatentWorldModel {
    let latentRep = Rep(vectors: 4, dim: 3)
    let observationSize = 12
    let actionSize = 3
    let isEquivariant = true
    static let weights = [0.5, 0.3, 0.2, 0.1]

    func encode(_ o: [Double], batch: Int) -> [Double] {
        var out = o
        for b in 0..<batch {
            var c = Vec3.zero
            for k in 0..<4 { c += Vec3(o, at: b * 12 + 3 * k) * 0.25 }
            for k in 0..<4 { for j in 0..<3 { out[b * 12 + 3 * k + j] -= c.array[j] } }
        }
        return out
    }

    func predict(_ z: [Double], actions: [Double], batch: Int) -> [Double] {
        var out = z
        for b in 0..<batch { for k in 0..<4 { for j in 0..<3 { out[b * 12 + 3 * k + j] += Self.weights[k] * actions[3 * b + j] } } }
        return out
    }

    static func centroid(_ o: [Double]) -> Vec3 {
        var c = Vec3.zero
        for k in 0..<4 { c += Vec3(o, at: 3 * k) * 0.25 }
        return c
    }
}

/// The one model-predictive controller over the group: its first action in the world at g, turned back, is its first
/// action at the identity, for a planar model (target points, `PlanningFrame` about the centre) and for an SE(3) model
/// (offsets from the centroid, `PlanningFrame3D`).
struct GroupMPCTests {
    @Test func planarFirstActionTurnsWithTheWorld() {
        var config = PlannerTests.smallConfig()
        config.cem.iterations = 3
        var rng = SplitMix64(seed: 11)
        let obs = PlannerTests.randomObservation(&rng), goal = PlannerTests.randomObservation(&rng)
        func first(_ g: PlanarRotation) -> [Double] {
            let mpc = LatentMPC(model: ToyEquivariantModel(), kind: .equivariant, config: config, goal: { _ in g.apply(toPoints: goal) })
            mpc.reset(seed: 5)
            let a = mpc.plan(observation: g.apply(toPoints: obs))[0]
            #expect(mpc.lastFrame?.isPrimary == true)
            return g.inverse.apply(toPoints: a)
        }
        let center = Vec2(256, 256)
        let a0 = first(PlanarRotation(angle: 0, center: center))
        for theta in [0.9, -2.2, 3.0] {
            let a = first(PlanarRotation(angle: theta, center: center))
            #expect(hypot(a[0] - a0[0], a[1] - a0[1]) < 1e-9)
        }
    }

    @Test func se3FirstActionTurnsWithTheWorld() throws {
        let obs: [Double] = [0.1, 0.2, 0.0, 1.0, -0.3, 0.4, -0.5, 0.9, 0.2, 0.3, -0.6, -0.7]
        var goal = obs
        for k in 0..<4 { for j in 0..<3 { goal[3 * k + j] += ToyCloudModel.weights[k] * [0.4, -0.3, 0.2][j] * 2 } }
        var config = CloudMPC.Config()
        config.cem.samples = 40; config.cem.iterations = 4
        func first(_ g: SE3Transform) throws -> (action: [Double], mpc: CloudMPC) {
            let mpc = CloudMPC(model: ToyCloudModel(), config: config, goal: g.apply(toPoints: goal), reference: { ToyCloudModel.centroid($0) })
            mpc.reset(seed: 3)
            let a = try mpc.action(observation: Observation(g.apply(toPoints: obs)), info: Info())
            return (g.inverse.apply(toPoints: a), mpc)
        }
        let (a0, m0) = try first(.identity)
        // The toy's channels sum to zero about the centroid: the frame falls back to its two largest channels (still
        // equivariant), and is counted.
        #expect(m0.lastFrame?.isIdentity == false && m0.frameCounts == ["largestChannels": 1] && m0.stats.degenerateFrames == 1)
        for g in SE3Ladder().sample(.se3, count: 3, seed: 9) {
            let (a, m) = try first(g)
            #expect(zip(a, a0).map { abs($0 - $1) }.max()! < 1e-9)
            #expect(m.stats.plans == 1 && m.frameCounts == m0.frameCounts)
        }
        // The plain planner samples offsets in the world's axes: not turned with g, but the same ball.
        config.equivariant = false
        let plain = CloudMPC(model: ToyCloudModel(), config: config, goal: goal, reference: { ToyCloudModel.centroid($0) })
        plain.reset(seed: 3)
        let offsets = plain.plan(observation: obs)
        #expect(offsets.allSatisfy { Vec3($0, at: 0).length <= config.radius + 1e-12 })
        #expect(plain.lastFrame?.isIdentity == true && plain.frameCounts.isEmpty)
    }
}
