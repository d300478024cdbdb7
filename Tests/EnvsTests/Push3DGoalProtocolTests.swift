import Foundation
import Testing
@testable import Envs

/// push3d's adapters and goal protocol: seeded tasks, a real goal (the scripted pusher's, redrawn until the objects
/// move), the success test over sets of interchangeable objects, and the adapters matching the env they describe.
struct Push3DGoalProtocolTests {
    static func settings() -> Push3DGoalTask.Settings {
        var s = Push3DGoalTask.Settings()
        s.pushSteps = 6; s.minimumMotion = 0.05
        return s
    }

    @Test func tasksAreSeededAndNeedPushing() throws {
        let config = Push3DEnv.defaultConfig(multi: false)
        let a = try Push3DGoalTask.make(index: 3, config: config, settings: Self.settings())
        let b = try Push3DGoalTask.make(index: 3, config: config, settings: Self.settings())
        let c = try Push3DGoalTask.make(index: 4, config: config, settings: Self.settings())
        #expect(a.start == b.start && a.goal == b.goal && a.start != c.start)
        // Replaying the start leaves the objects at least `minimumMotion` from the goal: doing nothing fails.
        let episode = try Push3DGoalProtocol(config: config, settings: Self.settings()).episode(index: 3, seed: 0, element: SE3Transform.identity)
        let (obs, info) = try episode.env.reset(seed: 0, options: ResetOptions(state: episode.resetState))
        let p = episode.progress(obs.values, info, nil)
        #expect(!p.success && p["error"]! >= Self.settings().minimumMotion)
        #expect(obs.values.count == 3 * 17 && episode.goalState == a.goal)
    }

    @Test func theElementMovesStartAndGoalAndKeepsTheError() throws {
        let proto = Push3DGoalProtocol(config: Push3DEnv.defaultConfig(multi: false), settings: Self.settings())
        let g = SE3Ladder().sample(.se3, count: 1, seed: 4)[0]
        let e0 = try proto.episode(index: 1, seed: 0, element: SE3Transform.identity), eg = try proto.episode(index: 1, seed: 0, element: g)
        let (o0, i0) = try e0.env.reset(seed: 0, options: ResetOptions(state: e0.resetState))
        let (og, ig) = try eg.env.reset(seed: 0, options: ResetOptions(state: eg.resetState))
        var moved = o0.values
        g.apply(points: &moved, range: 0..<moved.count)
        #expect(zip(moved, og.values).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(e0.progress(o0.values, i0, nil)["error"]! - eg.progress(og.values, ig, nil)["error"]!) < 1e-12)
        #expect(throws: EnvError.self) { try proto.episode(index: 1, seed: 0, element: PlanarRotation(angle: 0.3, center: Vec2(0, 0))) }
    }

    @Test func multiSuccessIsASetTest() throws {
        let config = Push3DEnv.defaultConfig(multi: true)
        let proto = try Registry.adapters("push3d-multi").goalProtocol()
        let episode = try proto.episode(index: 0, seed: 0, element: SE3Transform.identity)
        let goal = try #require(episode.goalState)
        let k = 16
        // The goal's clouds with the objects relabelled (pusher kept) succeed exactly; a moved object does not.
        var permuted: [Double] = Array(goal[(3 * k)..<(6 * k)])
        permuted += goal[(6 * k)..<(9 * k)]
        permuted += goal[0..<(3 * k)]
        permuted += goal[(9 * k)...]
        let p = episode.progress(permuted, Info(), nil)
        #expect(p.success && p["error"]! == 0 && permuted != goal)
        #expect(Push3DEnv.setPointError(permuted, goal, objects: config.objectCount, keypoints: k) == 0)
        var off = goal
        for i in 0..<k { off[3 * i] += 0.5 }
        let q = episode.progress(off, Info(), nil)
        #expect(!q.success && abs(q["error"]! - 0.5 / 3) < 1e-12)
    }

    @Test func adaptersDescribeTheEnv() throws {
        for id in ["push3d", "push3d-multi"] {
            let adapters = try Registry.adapters(id)
            let reading = adapters.model
            var options = MakeOptions(observation: reading.observationType)
            options.timeLimit = false
            let env = try Registry.make(id, options: options)
            #expect(env.observationSpace.shape == [3 * reading.pointsPerFrame])
            #expect(reading.referencePoints == reading.pointsPerFrame - 1 && reading.action == .offsetFromReference)
            // Collection: the episode at g is the frame build at g, from a start near the shape's own orientation.
            let g = SE3Ladder().sample(.se3, count: 1, seed: 2)[0]
            var r1 = SplitMix64(seed: 7), r2 = SplitMix64(seed: 7)
            let make = try #require(adapters.collection.spatialEpisode)
            let a = make(g, 0.25, &r1), b = make(.identity, 0.25, &r2)
            #expect(a.start.count == b.start.count)
            let (oa, _) = try a.env.reset(seed: 0, options: ResetOptions(state: a.start))
            var ob = try b.env.reset(seed: 0, options: ResetOptions(state: b.start)).observation.values
            g.apply(points: &ob, range: 0..<ob.count)
            #expect(zip(oa.values, ob).allSatisfy { abs($0 - $1) < 1e-12 })
            #expect(try adapters.goalProtocol().name == "scripted-goal")
            #expect(try adapters.goalProtocol("scripted-segment").name == "scripted-segment")
        }
    }

    /// scripted-segment: the start is inside the scripted pusher's run (seeded), doing nothing fails, and the scripted
    /// pusher from the start reaches the goal (the oracle succeeds).
    @Test func segmentTasksStartInsideTheScriptedRun() throws {
        let config = Push3DEnv.defaultConfig(multi: false)
        var settings = Push3DGoalTask.Settings.segment
        settings.startSteps = 6; settings.pushSteps = 5; settings.minimumMotion = 0.03
        #expect(settings.protocolName == "scripted-segment")
        let a = try Push3DGoalTask.make(index: 2, config: config, settings: settings)
        #expect(try Push3DGoalTask.make(index: 2, config: config, settings: settings).start == a.start)
        let proto = Push3DGoalProtocol(config: config, settings: settings)
        let episode = try proto.episode(index: 2, seed: 0, element: SE3Transform.identity)
        var (obs, info) = try episode.env.reset(seed: 0, options: ResetOptions(state: episode.resetState))
        #expect(!episode.progress(obs.values, info, nil).success)
        // The scripted pusher from the start (towards the env's canonical goals; the task's state carries the goal
        // scene's poses instead) reaches the goal scene.
        var scene = config
        scene.observationType = .scene
        let env = Push3DEnv(config: scene)
        var state = a.start
        state.replaceSubrange(18..<30, with: Push3DEnv.canonicalGoals(count: 1)[0].poseArray)
        (obs, info) = try env.reset(seed: 0, options: ResetOptions(state: state))
        let pusher = Push3DPusher(env: env)
        for _ in 0..<settings.pushSteps {
            let r = try env.step(try pusher.action(observation: obs, info: info))
            (obs, info) = (r.observation, r.info)
        }
        #expect(Push3DEnv.setPointError(obs.values, a.goal, objects: 1, keypoints: env.shape.keypoints.count) < 1e-6)
    }
}
