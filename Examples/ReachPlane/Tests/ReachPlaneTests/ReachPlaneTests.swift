import Envs
import Foundation
import Planner
import ReachPlane
import Testing
import Train

/// The largest |x - y| over two arrays of the same size.
func maxDifference(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "maxDifference: \(x.count) vs \(y.count) numbers")
    return zip(x, y).map { abs($0 - $1) }.max() ?? 0
}

@Test func passesTheEnvironmentChecker() throws {
    for angle in [0.0, 0.7] {
        let report = checkEnvironment { try ReachPlaneEnv.make(MakeOptions(orientation: angle)) }
        for failure in report.failures { Issue.record("orientation \(angle): \(failure)") }
        #expect(report.passed)
    }
}

@Test func rejectsBadResetStatesAndStepsBeforeReset() throws {
    let env = ReachPlaneEnv()
    #expect(throws: EnvError.self) { try env.step([0, 0]) }
    for bad in [[0.0, 0, 0.5], [0, 0, .nan, 0], [1.2, 0, 0.5, 0], [0, 0, 0, -1.5]] {
        #expect(throws: EnvError.self) { try env.reset(seed: 0, options: ResetOptions(state: bad)) }
    }
    let (obs, _) = try env.reset(seed: 0, options: ResetOptions(state: [0.1, 0.2, -0.3, 0.4]))
    #expect(obs.values == [0.1, 0.2, -0.3, 0.4])
}

/// step(g.s, g.a) = g.step(s, a) for states along seeded episodes that push the puck, at several angles.
@Test func dynamicsAreExactlyEquivariant() throws {
    var worst = 0.0, freePushes = 0, rimPushes = 0, checked = 0
    for seed: UInt64 in 0..<6 {
        var rng = SplitMix64(seed: seed)
        let canonical = ReachPlaneEnv()
        _ = try canonical.reset(seed: seed)
        for _ in 0..<40 {
            // Most targets aim at the puck (k < 1: the agent pushes it ahead, on to the rim), the others are uniform.
            let s = canonical.state
            let a =
                Double.random(in: 0..<1, using: &rng) < 0.6
                ? [s[2] + Double.random(in: -0.05...0.05, using: &rng), s[3] + Double.random(in: -0.05...0.05, using: &rng)]
                : canonical.actionSpace.sample(using: &rng)
            let r = try canonical.step(a)
            if r.info.bool("contact") == true {
                if Vec2(canonical.state[2], canonical.state[3]).length > 1 - 1e-12 { rimPushes += 1 } else { freePushes += 1 }
            }
            for theta in [0.3, 1.1, -2.5, Double.pi] {
                let g = PlanarRotation(angle: theta, center: .zero)
                let turned = ReachPlaneEnv()
                _ = try turned.reset(seed: 0, options: ResetOptions(state: turned.act(g, onState: s)))
                let next = try turned.step(turned.act(g, onAction: a))
                worst = max(worst, maxDifference(next.observation.values, g.apply(toPoints: r.observation.values)))
                worst = max(worst, maxDifference(next.info.doubles("puck")!, turned.act(g, onInfo: r.info).doubles("puck")!))
                #expect(next.info.bool("contact") == r.info.bool("contact"))
                checked += 1
            }
        }
    }
    print(
        "reach-plane equivariance: max |step(g.s, g.a) - g.step(s, a)| = \(worst) over \(checked) (state, action, angle) triples; of \(checked / 4) canonical steps, \(freePushes) pushed the puck freely, \(rimPushes) against the rim"
    )
    #expect(freePushes >= 10 && rimPushes >= 10)
    #expect(worst <= 1e-12)
}

/// The oriented env (frame build) reports exactly the turned canonical episode.
@Test func orientedEnvIsTheTurnedWorld() throws {
    let theta = 0.7, g = PlanarRotation(angle: theta, center: .zero)
    let canonical = try ReachPlaneEnv.make(MakeOptions()), turned = try ReachPlaneEnv.make(MakeOptions(orientation: theta, rotation: .world))
    var worst = maxDifference(try turned.reset(seed: 11).observation.values, g.apply(toPoints: try canonical.reset(seed: 11).observation.values))
    var rng = SplitMix64(seed: 5)
    for _ in 0..<40 {
        let a = canonical.actionSpace.sample(using: &rng)
        let r = try canonical.step(a)
        worst = max(worst, maxDifference(try turned.step(g.apply(toPoints: a)).observation.values, g.apply(toPoints: r.observation.values)))
    }
    print("reach-plane oriented env: max |obs(theta) - g obs(0)| = \(worst) over 40 steps")
    #expect(worst <= 1e-12)
}

@Test func registersAndCollects() throws {
    Registry.register(ReachPlaneEnv.registration)
    #expect(Registry.ids.contains("reach-plane"))
    let env = try Registry.make("reach-plane")
    #expect(env.spec.maxEpisodeSteps == 50)
    let layout = try ObservationLayout.forEnv("reach-plane")
    #expect(layout.points == 2 && layout.center == [0, 0] && layout.scale == 1 && layout.actionIsPoint)
    #expect(layout.observationSize == 4 && layout.actionSize == 2)
    let mpc = try MPCConfig(env: "reach-plane")
    #expect(mpc.center == (0, 0) && mpc.discRadius == 1 && mpc.low == [-1, -1] && mpc.high == [1, 1] && mpc.agentIndex == 0)

    for start in [CollectConfig.Start.reference, .halfPlane] {
        let set = try collectTransitions(CollectConfig(env: "reach-plane", episodes: 4, stepsPerEpisode: 5, start: start))
        #expect(set.count == 20)
        #expect(set.observationSize == 4 && set.actionSize == 2)
        #expect(set.observations.count == 80 && set.nextObservations.count == 80 && set.actions.count == 40)
        #expect(set.observations.allSatisfy(\.isFinite) && set.nextObservations.allSatisfy { abs($0) <= 1 + 1e-9 })
    }
    // The same config twice gives the same data.
    let config = CollectConfig(env: "reach-plane", episodes: 2, stepsPerEpisode: 5, seed: 9)
    #expect(try collectTransitions(config).observations == collectTransitions(config).observations)
}

/// Replays the goal's own random targets (turned by g): reaches the goal exactly in `offsetSteps` steps.
final class ReplayTargets: Policy {
    let name = "replay"
    let targets: [[Double]]
    var t = 0
    init(targets: [[Double]]) { self.targets = targets }
    func reset(seed: UInt64) { t = 0 }
    func action(observation: Observation, info: Info) throws -> [Double] {
        defer { t += 1 }
        return targets[min(t, targets.count - 1)]
    }
}

@Test func goalProtocolIsTheTurnedTask() throws {
    let proto = try #require(ReachPlaneEnv.registration.adapters).goalProtocol("reach")
    #expect(proto.budget == 30)
    let theta = 0.7, g = PlanarRotation(angle: theta, center: .zero)
    var worst = 0.0
    for index in 0..<3 {
        let e0 = try proto.episode(index: index, seed: 0, orientation: 0, build: .frame)
        let e1 = try proto.episode(index: index, seed: 0, orientation: theta, build: .frame)
        #expect(e0.resetSeed == ReachProtocol.heldOutSeedBase + UInt64(index) && e1.resetSeed == e0.resetSeed)
        let (o0, _) = try e0.env.reset(seed: e0.resetSeed, options: ResetOptions(state: e0.resetState))
        let (o1, _) = try e1.env.reset(seed: e1.resetSeed, options: ResetOptions(state: e1.resetState))
        worst = max(worst, maxDifference(o1.values, g.apply(toPoints: o0.values)))
        worst = max(worst, maxDifference(e1.goal(o1.values), g.apply(toPoints: e0.goal(o0.values))))
        #expect(e0.goal(o0.values) == (try ReachProtocol.task(index: index).goal))

        // The closed-loop runner (Planner) with the goal's own targets succeeds at both orientations.
        var rng = SplitMix64(seed: e0.resetSeed)
        let targets = (0..<ReachProtocol.offsetSteps).map { _ in ReachPlaneEnv().actionSpace.sample(using: &rng) }
        for (episode, rotation) in [(e0, PlanarRotation(angle: 0, center: .zero)), (e1, g)] {
            let outcome = try GoalReaching.run(
                episode, env: episode.env, controller: ReplayTargets(targets: targets.map { rotation.apply(toPoints: $0) }),
                controllerSeed: 0, budget: proto.budget)
            #expect(outcome.success && outcome.steps <= ReachProtocol.offsetSteps)
        }
    }
    print("reach-plane goal protocol: max |episode(0.7) - g episode(0)| (start and goal) = \(worst)")
    #expect(worst <= 1e-12)
}
