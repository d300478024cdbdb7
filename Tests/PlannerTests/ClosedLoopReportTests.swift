import Envs
import Foundation
import Testing
@testable import Planner

/// The pooled figures of `eval closed-loop`: identity, off-slice and all-element success with intervals, the spread,
/// the homogeneity test, and which baselines' intervals are disjoint from the equivariant controller's.
@Suite struct ClosedLoopReportTests {
    static func row(_ name: String, _ successes: Int, of episodes: Int, inSlice: Bool?, plans: Int = 4) -> ClosedLoopReport.Row {
        var cell = ClosedLoopCell(element: 0.0, episodes: episodes)
        cell.successes = successes; cell.plans = plans; cell.degenerateFrames = 1; cell.seconds = 2
        return ClosedLoopReport.Row(controller: name, element: [0], inSlice: inSlice, cell: cell)
    }

    static func summary(_ rows: [ClosedLoopReport.Row], seconds: Double = 6) -> ClosedLoopReport.Summary {
        ClosedLoopReport.Summary(rows: rows, controller: rows[0].controller, model: "mlp", trainingSlice: "identity", parameters: 7, seconds: seconds)
    }

    @Test func pooledSummary() {
        let rows = [
            Self.row("cem:mlp@identity", 8, of: 10, inSlice: true), Self.row("cem:mlp@identity", 2, of: 10, inSlice: false),
            Self.row("cem:mlp@identity", 4, of: 10, inSlice: false),
        ]
        let s = Self.summary(rows)
        #expect(s.identitySuccess == 0.8 && s.offSliceSuccess == 0.3 && s.allSuccess == 14.0 / 30)
        let off = wilsonInterval(successes: 6, trials: 20), all = wilsonInterval(successes: 14, trials: 30)
        #expect(s.offSliceInterval95 == [off.low, off.high] && s.allInterval95 == [all.low, all.high])
        #expect(s.minSuccess == 0.2 && s.maxSuccess == 0.8 && abs(s.maxMinusMin - 0.6) < 1e-15)
        #expect(s.meanIntervalWidth == rows.map { $0.interval95[1] - $0.interval95[0] }.reduce(0, +) / 3)
        #expect(s.degenerateFrames == 3 && s.plans == 12 && s.secondsPerPlan == 0.5)
        #expect(s.homogeneityP == Homogeneity.pValue(successes: [8, 2, 4], trials: [10, 10, 10]) && s.homogeneityP < 0.05)
        // Every element inside the slice, or the slice unknown (the oracle): no off-slice figures.
        #expect(Self.summary([Self.row("x", 1, of: 2, inSlice: true)]).offSliceSuccess == nil)
        let unknown = Self.summary([Self.row("oracle", 1, of: 2, inSlice: nil), Self.row("oracle", 2, of: 2, inSlice: nil)])
        #expect(unknown.offSliceInterval95 == nil && unknown.allSuccess == 0.75)
    }

    @Test func disjointIntervals() {
        func summary(_ name: String, off: Int, all: Int) -> ClosedLoopReport.Summary {
            Self.summary([Self.row(name, all, of: 20, inSlice: true), Self.row(name, off, of: 20, inSlice: false)], seconds: 0)
        }
        let eq = summary("equivariant:vn@identity", off: 19, all: 19)
        let d = ClosedLoopReport.disjoint([eq, summary("cem:mlp@identity", off: 1, all: 19), summary("cem:mlp-big@identity", off: 18, all: 19)])
        #expect(d == ["cem:mlp@identity": true, "cem:mlp-big@identity": false])
        #expect(ClosedLoopReport.disjoint([summary("cem:mlp@identity", off: 1, all: 19)]).isEmpty)
    }
}
