import Foundation
import Testing
@testable import Envs

/// Goal protocols over a group element: teacher3d's over SE(3), PushT's through its orientation.
struct GoalProtocolTests {
    @Test func teacher3DProtocolMovesTheTaskByTheElement() throws {
        var settings = Teacher3DGoalTask.Settings()
        settings.offsetSteps = 3
        let proto = Teacher3DGoalProtocol(settings: settings)
        let task = try Teacher3DGoalTask.make(index: 2, settings: settings)
        let g = SE3Ladder().sample(.se3, count: 1, seed: 4)[0]
        let episode = try proto.episode(index: 2, seed: 0, element: g)
        let env = episode.env
        let (obs, info) = try env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
        let goal = try #require(episode.goalState)
        #expect(goal == Teacher3DEnv().act(g, onState: task.goal))
        let p = episode.progress(obs.values, info, nil)
        #expect(p["error"] == Teacher3DGoalTask.meanPointError(obs.values, goal))
        // The error is invariant: the same as the canonical task's.
        let start = Teacher3DGoalTask.meanPointError(task.start, task.goal)
        #expect(abs(p["error"]! - start) < 1e-9)
        #expect(p.success == (p["error"]! < settings.tolerance))
        // By orientation: the rotation about z.
        let byAngle = try proto.episode(index: 2, seed: 0, orientation: 0.5, build: .frame)
        let options = MakeOptions(orientation: 0.5)
        #expect(byAngle.goalState == Teacher3DEnv().act(try options.se3Transform(), onState: task.goal))
    }

    @Test func planarProtocolsTakePlanarElements() throws {
        let proto = try Registry.adapters("pusht").goalProtocol("goal25")
        let g = PlanarRotation(angle: 0.7, center: PushTGeometry.workspaceCenter)
        let a = try proto.episode(index: 1, seed: 0, element: g), b = try proto.episode(index: 1, seed: 0, orientation: 0.7, build: .frame)
        #expect(a.goalState == b.goalState && a.goal([]) == b.goal([]) && a.resetSeed == b.resetSeed)
        #expect(throws: EnvError.self) { try proto.episode(index: 1, seed: 0, element: SE3Transform.identity) }
    }
}
