import Foundation
import Testing
@testable import Envs

/// Fidelity of PushT against the reference fixtures (shared/spec/pusht.md). Each test prints what it measured.
@Suite struct PushTFidelityTests {
    @Test func resetSeedsMatchReference() throws {
        let env = PushTEnv(observationType: .state)
        var worstObs = 0.0, worstKeypoint = 0.0
        for c in try Fixtures.load("reset_seeds") {
            let seed = UInt64(Fixtures.double(c["seed"]))
            let (obs, _) = try env.reset(seed: seed)
            let expected = Fixtures.doubles(c["obs"])
            for (a, b) in zip(obs.values, expected) { worstObs = max(worstObs, abs(a - b)) }
            let kp = PushTGeometry.keypoints(at: env.physics.blockPose)
            for (p, q) in zip(kp, Fixtures.points(c["keypoints"])) {
                worstKeypoint = max(worstKeypoint, abs(p.x - q[0]), abs(p.y - q[1]))
            }
        }
        print("reset(seed:) vs reference, 200 seeds: max |obs error| = \(worstObs), max |keypoint error| = \(worstKeypoint) px")
        #expect(worstObs <= 1e-6)
        #expect(worstKeypoint <= 1e-6)
    }

    @Test func coverageMatchesReference() throws {
        var worst = 0.0, mismatches = 0
        for c in try Fixtures.load("coverage") {
            let p = Fixtures.doubles(c["block_pose"])
            let coverage = PushTGeometry.coverage(block: Pose(x: p[0], y: p[1], angle: p[2]))
            worst = max(worst, abs(coverage - Fixtures.double(c["coverage"])))
            worst = max(worst, abs(PushTGeometry.reward(coverage: coverage) - Fixtures.double(c["reward"])))
            if (coverage > PushTGeometry.successThreshold) != (c["success"] as! Bool) { mismatches += 1 }
        }
        print("coverage vs reference, 300 poses: max |coverage/reward error| = \(worst), success mismatches = \(mismatches)")
        #expect(worst <= 1e-6)
        #expect(mismatches == 0)
    }

    @Test func openLoopAgentKinematicsMatchReference() throws {
        let env = PushTEnv(observationType: .state)
        var worstAgent = 0.0
        var blockErrors: [Double] = []
        for c in try Fixtures.load("open_loop_episodes") {
            _ = try env.reset(options: ResetOptions(state: Fixtures.doubles(c["reset_to_state"])))
            let observations = Fixtures.points(c["obs"])
            for (t, a) in Fixtures.points(c["actions"]).enumerated() {
                let obs = try env.step(a).observation.values
                let ref = observations[t + 1]
                worstAgent = max(worstAgent, abs(obs[0] - ref[0]), abs(obs[1] - ref[1]))
                blockErrors.append(hypot(obs[2] - ref[2], obs[3] - ref[3]))
            }
        }
        print(
            "open loop, 60 episodes x 50 steps: max |agent error| = \(worstAgent) px; block position error median \(percentile(blockErrors, 0.5)) px, p90 \(percentile(blockErrors, 0.9)) px"
        )
        #expect(worstAgent <= 0.01)
    }

    @Test func oneStepContactDynamicsMatchReference() throws {
        let env = PushTEnv(observationType: .state)
        var relative: [Double] = []
        var worstAgent = 0.0
        for c in try Fixtures.load("one_step") {
            _ = try env.reset(options: ResetOptions(state: Fixtures.doubles(c["reset_to_state"])))
            let k0 = Fixtures.points(c["keypoints0"]), k1 = Fixtures.points(c["keypoints1"])
            let result = try env.step(Fixtures.doubles(c["action"]))
            let obs1 = Fixtures.doubles(c["obs1"])
            worstAgent = max(worstAgent, abs(result.observation.values[0] - obs1[0]), abs(result.observation.values[1] - obs1[1]))
            let ours = PushTGeometry.keypoints(at: env.physics.blockPose)
            var displacement = 0.0, error = 0.0
            for k in 0..<8 {
                displacement += hypot(k1[k][0] - k0[k][0], k1[k][1] - k0[k][1]) / 8
                error += hypot(ours[k].x - k1[k][0], ours[k].y - k1[k][1]) / 8
            }
            if displacement > 1 { relative.append(error / displacement) }
        }
        let median = percentile(relative, 0.5), p90 = percentile(relative, 0.9)
        print(
            "one step, \(relative.count) contact cases (block moved > 1 px): keypoint error / displacement median \(median), p90 \(p90); max |agent error| \(worstAgent) px"
        )
        #expect(relative.count >= 50)
        #expect(median <= 0.05)
        #expect(p90 <= 0.15)
    }

    @Test func closedLoopScriptedCoverageMatchesReference() throws {
        let env = PushTEnv(observationType: .state)
        let cases = try Fixtures.load("closed_loop_scripted")
        var ours = 0.0, reference = 0.0
        for c in cases {
            _ = try env.reset(seed: UInt64(Fixtures.double(c["seed"])))
            var coverage = 0.0
            for _ in 0..<100 {
                let r = try env.step(ScriptedPusher.action(state: env.state))
                coverage = r.info.double("coverage")!
            }
            ours += coverage / Double(cases.count)
            reference += Fixtures.double(c["final_coverage"]) / Double(cases.count)
        }
        print("closed loop scripted, \(cases.count) seeds x 100 steps: mean final coverage \(ours) (reference \(reference))")
        #expect(abs(ours - reference) <= 0.03)
    }
}
