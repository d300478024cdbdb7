import Agents
import Envs
import Foundation
import Testing
@testable import Planner

/// The planner exactness check, generic over the env through its goal protocol and planning presets.
struct ExactnessTests {
    @Test func exactnessRunsThroughTheGoalProtocol() throws {
        var config = PlannerTests.smallConfig()
        config.cem.samples = 24; config.cem.iterations = 2
        let report = try PlannerExactness.measure(
            model: ToyEquivariantModel(), kind: .equivariant, precision: "double", orientations: 3,
            states: 1, config: config, env: "pusht")
        #expect(report.states == 1 && report.orientations == 3)
        #expect(report.maxDeviation < 1e-6)
        // teacher2d registers no goal protocol; teacher3d is not planar.
        #expect(throws: EnvError.self) {
            try PlannerExactness.measure(
                model: ToyEquivariantModel(), kind: .equivariant, precision: "double", orientations: 2, states: 1,
                config: config, env: "teacher2d")
        }
    }

    /// The canonical episode is the task as made: PushT's goal25 goal is the task's own goal observation.
    @Test func canonicalEpisodeIsTheTaskAsMade() throws {
        let proto = try Registry.adapters("pusht").goalProtocol("goal25")
        let episode = try proto.canonicalEpisode(index: 0, seed: 0)
        let task = try GoalReachingTask.make(index: 0)
        #expect(episode.goal([]) == task.goalObservation)
        #expect(episode.resetSeed == task.seed)
        #expect(episode.goalState == task.goalState)
    }
}
