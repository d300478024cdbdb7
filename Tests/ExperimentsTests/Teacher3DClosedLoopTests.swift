import Foundation
import Planner
import Testing
@testable import Experiments
@testable import Train

/// The pooled figures of `eval closed-loop3d`: identity, off-slice and all-element success with intervals, the
/// homogeneity test, and which baselines' intervals are disjoint from the equivariant controller's.
@Suite struct Teacher3DClosedLoopTests {
    static func row(_ name: String, _ successes: Int, of episodes: Int, inSlice: Bool, plans: Int = 4) -> Teacher3DClosedLoop.Row {
        Teacher3DClosedLoop.Row(
            controller: name, element: [], inSlice: inSlice, successes: successes, episodes: episodes,
            successRate: Double(successes) / Double(episodes), interval95: [0, 1], meanFinalError: 0,
            degenerateFrames: 1, identityFrames: 0, plans: plans, maxDeviation: 0)
    }

    @Test func pooledSummary() {
        let rows = [
            Self.row("cem:mlp@identity", 8, of: 10, inSlice: true), Self.row("cem:mlp@identity", 2, of: 10, inSlice: false),
            Self.row("cem:mlp@identity", 4, of: 10, inSlice: false),
        ]
        let s = Teacher3DClosedLoop.pooledSummary(rows, name: "cem:mlp@identity", model: "mlp", trainingRung: "identity", parameters: 7, seconds: 6)
        #expect(s.identitySuccess == 0.8 && s.offSliceSuccess == 0.3 && s.allSuccess == 14.0 / 30)
        let off = wilsonInterval(successes: 6, trials: 20), all = wilsonInterval(successes: 14, trials: 30)
        #expect(s.offSliceInterval95 == [off.low, off.high] && s.allInterval95 == [all.low, all.high])
        #expect(s.minSuccess == 0.2 && s.maxSuccess == 0.8 && s.degenerateFrames == 3 && s.plans == 12 && s.secondsPerPlan == 0.5)
        #expect(s.homogeneityP == Homogeneity.pValue(successes: [8, 2, 4], trials: [10, 10, 10]) && s.homogeneityP < 0.05)
        // All elements inside the training slice: no off-slice figures.
        let inside = Teacher3DClosedLoop.pooledSummary(
            [Self.row("x", 1, of: 2, inSlice: true)], name: "x", model: "vn", trainingRung: "se3",
            parameters: 1, seconds: 0)
        #expect(inside.offSliceSuccess == nil && inside.offSliceInterval95 == nil)
    }

    @Test func disjointIntervals() {
        func summary(_ name: String, off: Int, all: Int) -> Teacher3DClosedLoop.Summary {
            Teacher3DClosedLoop.pooledSummary(
                [Self.row(name, all, of: 20, inSlice: true), Self.row(name, off, of: 20, inSlice: false)],
                name: name, model: "m", trainingRung: "identity", parameters: 1, seconds: 0)
        }
        let eq = summary("equivariant:vn@identity", off: 19, all: 19)
        let d = Teacher3DClosedLoop.disjoint([eq, summary("cem:mlp@identity", off: 1, all: 19), summary("cem:mlp-big@identity", off: 18, all: 19)])
        #expect(d == ["cem:mlp@identity": true, "cem:mlp-big@identity": false])
        #expect(Teacher3DClosedLoop.disjoint([summary("cem:mlp@identity", off: 1, all: 19)]).isEmpty)
    }

    @Test func groupStartsAtTheIdentity() {
        let g = Teacher3DClosedLoop.group(samples: 3, seed: 11)
        #expect(g.count == 4 && g[0].isIdentity && !g[1].isIdentity)
        #expect(g.map(\.coordinates) == Teacher3DClosedLoop.group(samples: 3, seed: 11).map(\.coordinates))
    }
}
