import Foundation
import Testing
@testable import Envs

/// PushT's push-to-pose expert and the goal25-expert protocol built on its episodes.
struct PushTExpertTests {
    /// Runs the expert on gym-pusht's reset of `seed` (canonical frame, no noise) until success or 300 steps.
    static func solve(seed: UInt64, orientation: Double = 0) throws -> (success: Bool, steps: Int, states: [[Double]]) {
        var options = MakeOptions(observation: "state", orientation: orientation)
        options.timeLimit = false
        let env = try Registry.make("pusht", options: options)
        let expert = try Registry.adapters("pusht").collection.policy("expert", settings: ExplorerSettings(orientation: orientation, seed: seed))
        expert.reset(seed: seed)
        var (obs, info) = try env.reset(seed: seed)
        var states: [[Double]] = []
        for t in 1...PushTGeometry.maxEpisodeSteps {
            let r = try env.step(try expert.action(observation: obs, info: info))
            obs = r.observation; info = r.info
            states.append(try #require(r.info.doubles("pos_agent")) + (try #require(r.info.doubles("block_pose"))))
            if r.terminated { return (r.info.bool("is_success") ?? false, t, states) }
        }
        return (false, PushTGeometry.maxEpisodeSteps, states)
    }

    @Test(arguments: [0, 1, 2] as [UInt64])
    func theExpertSolvesTheFullTask(seed: UInt64) throws {
        let run = try Self.solve(seed: seed)
        #expect(run.success, "seed \(seed): no coverage > 0.95 in \(run.steps) steps")
    }

    /// On the env at orientation g (frame build) the expert's run is g applied to the canonical run.
    @Test func theExpertIsEquivariant() throws {
        let a = try Self.solve(seed: 1), b = try Self.solve(seed: 1, orientation: 0.7)
        #expect(a.steps == b.steps)
        let g = PlanarRotation(angle: 0.7, center: PushTGeometry.workspaceCenter)
        var worst = 0.0
        for (s, t) in zip(a.states, b.states) {
            let moved = g.act(onState: s)
            for i in 0..<4 { worst = max(worst, abs(moved[i] - t[i])) }
        }
        #expect(worst < 1e-6, "max deviation \(worst) px")
    }

    @Test func contactCandidatesLieOnTheOutline() {
        for c in PushTContacts.standard {
            #expect(PushTContacts.distance(local: c.point) < 1e-12)
            #expect(abs(PushTContacts.distance(local: c.point + c.normal * 2) - 2) < 1e-12)
        }
        #expect(!PushTContacts.isClear(from: Vec2(0, -40), to: Vec2(0, 160), radius: 15))
        #expect(PushTContacts.isClear(from: Vec2(-100, -40), to: Vec2(100, -40), radius: 15))
    }

    @Test func expertTasksAreDeterministicAndTwentyFiveStepsApart() throws {
        let a = try ExpertGoalTask.make(index: 3), b = try ExpertGoalTask.make(index: 3)
        #expect(a == b)
        #expect(a.seed == ExpertGoalTask.seedBase + 3 && a.episodeSteps >= 25 && a.startStep + 25 <= a.episodeSteps)
        #expect(try ExpertGoalTask.make(index: 4).startState != a.startState)
        #expect(throws: EnvError.self) { try ExpertGoalTask.make(index: -1) }
    }

    @Test func goal25ExpertStartsAtTheTaskStateInEitherBuild() throws {
        let proto = try Registry.adapters("pusht").goalProtocol("goal25-expert")
        #expect(proto.budget == 50)
        let task = try ExpertGoalTask.make(index: 2)
        let g = PlanarRotation(angle: 0.7, center: PushTGeometry.workspaceCenter)
        for build in RotationBuild.allCases {
            let episode = try proto.episode(index: 2, seed: 0, orientation: 0.7, build: build)
            let (_, info) = try episode.env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
            let state = try #require(info.doubles("pos_agent")) + (try #require(info.doubles("block_pose")))
            let expected = g.act(onState: task.startState)
            for i in 0..<5 { #expect(abs(remainder(state[i] - expected[i], i == 4 ? 2 * Double.pi : 1e9)) < 1e-3, "\(build): element \(i)") }
            #expect(episode.goalState == g.act(onState: task.goalState))
            // The goal state itself passes the success test.
            let goal = g.act(onState: task.goalState)
            var atGoal = Info()
            atGoal["pos_agent"] = .doubles(Array(goal[0..<2]))
            atGoal["block_pose"] = .doubles(Array(goal[2..<5]))
            #expect(episode.progress([], atGoal, nil).success)
        }
    }
}
