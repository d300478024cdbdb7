import Foundation
import Testing
@testable import Envs

/// Fidelity of PushT against the reference fixtures (shared/spec/pusht.md), through `PushTFidelity` (what
/// `ewm-sim reproduce` runs). Each test prints what it measured.
@Suite struct PushTFidelityTests {
    func file(_ name: String) throws -> FixtureFile { try FixtureFile(Fixtures.url(name)) }

    @Test func resetSeedsMatchReference() throws {
        let check = try PushTFidelity.resetSeeds(file("reset_seeds"))
        print("reset(seed:) vs reference, \(check.cases) seeds: max obs/keypoint error = \(check.measured)")
        #expect(check.cases == 200)
        #expect(check.measured <= 1e-6)
    }

    @Test func coverageMatchesReference() throws {
        let check = try PushTFidelity.coverage(file("coverage"))
        print("coverage vs reference, \(check.cases) poses: max |coverage/reward error| = \(check.measured), \(check.detail)")
        #expect(check.measured <= 1e-6)
        #expect(check.detail.contains("; 0 success mismatches"))
    }

    @Test func openLoopAgentKinematicsMatchReference() throws {
        let checks = try PushTFidelity.openLoop(file("open_loop_episodes"))
        print(
            "open loop, \(checks[0].cases) episodes: max |agent error| = \(checks[0].measured) px; block position \(checks[1].measured) px, \(checks[1].detail)"
        )
        #expect(checks[0].measured <= 0.01)
    }

    @Test func oneStepContactDynamicsMatchReference() throws {
        let check = try PushTFidelity.oneStep(file("one_step"))
        print("one step, \(check.cases) contact cases (block moved > 1 px): keypoint error / displacement median \(check.measured), \(check.detail)")
        #expect(check.cases >= 50)
        #expect(check.measured <= 0.05)
        #expect(check.detail.contains("p90"))
    }

    @Test func closedLoopScriptedCoverageMatchesReference() throws {
        let check = try PushTFidelity.closedLoopScripted(file("closed_loop_scripted"))
        print("closed loop scripted, \(check.cases) seeds x 100 steps: \(check.detail)")
        #expect(check.measured <= 0.03)
    }

    @Test func theWholeRunPassesAndAMissingFixtureIsNamed() throws {
        let report = try PushTFidelity.run(fixtures: Fixtures.url("reset_seeds").deletingLastPathComponent())
        #expect(report.checks.count == 6)
        #expect(report.passed)
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-fixtures-\(getpid())")
        #expect(throws: (any Error).self) { try PushTFidelity.run(fixtures: empty) }
    }
}
