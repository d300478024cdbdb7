import Foundation
import Planner
import Testing

@testable import Experiments

/// `experiment invariant-costs` at a tiny search size: with a G-invariant cost that is not O(n)-invariant, the default
/// model's closed loop at 0.7 rad is the one at 0 turned, to rounding.
@Suite struct InvariantCostsTests {
    @Test func theClosedLoopStaysExactUnderAGOnlyCost() throws {
        var s = InvariantCostsExperiment.Settings()
        (s.episodes, s.costs, s.probeTasks, s.orientations) = (1, ["irrep-weighted"], 2, [0, 0.7])
        s.search = SearchSettings(samples: 8, iterations: 1, elites: 2)
        let report = try InvariantCostsExperiment.run(s)
        let row = try #require(report.rows.first)
        #expect(row.successes.count == 2 && row.successes[0] == row.successes[1])
        #expect(row.maxDeviation < 1e-9, "deviation \(row.maxDeviation) px")
        #expect(row.groupResidual < 1e-12 && row.orthogonalResidual > 1e-3 && !row.orthogonallyInvariant)
    }

    @Test func badSettingsAreRefused() {
        var s = InvariantCostsExperiment.Settings()
        s.costs = ["cosine"]
        #expect(throws: PlanningSetupError.self) { try InvariantCostsExperiment.run(s) }
        s = InvariantCostsExperiment.Settings()
        s.orientations = [0.7, 0]
        #expect(throws: PlanningSetupError.self) { try InvariantCostsExperiment.run(s) }
    }
}
