import Agents
import Envs
import Foundation
import Testing
@testable import Planner

/// The library side of the closed-loop commands: the chi-square homogeneity test, the sweep over group elements and
/// its tallies, the search settings, the PushT planning run's report.
@Suite struct ClosedLoopTests {
    @Test func chiSquareSurvivalMatchesKnownQuantiles() {
        // chi-square(1): P(X > 3.841459) = 0.05; chi-square(2): P(X > x) = exp(-x / 2); chi-square(4) at 9.487729: 0.05.
        #expect(abs(Homogeneity.upperIncompleteGamma(0.5, 3.841459 / 2) - 0.05) < 1e-6)
        for x in [0.1, 1.0, 4.0, 12.0] { #expect(abs(Homogeneity.upperIncompleteGamma(1, x / 2) - exp(-x / 2)) < 1e-12) }
        #expect(abs(Homogeneity.upperIncompleteGamma(2, 9.487729 / 2) - 0.05) < 1e-6)
        #expect(Homogeneity.upperIncompleteGamma(3, 0) == 1)
    }

    @Test func homogeneityPValue() {
        // Equal rates: no evidence against flat.
        #expect(abs(Homogeneity.pValue(successes: [5, 5, 5], trials: [10, 10, 10]) - 1) < 1e-12)
        // Nothing to test: one group, all or no successes.
        #expect(Homogeneity.pValue(successes: [3], trials: [10]) == 1)
        #expect(Homogeneity.pValue(successes: [0, 0], trials: [10, 10]) == 1)
        #expect(Homogeneity.pValue(successes: [10, 10], trials: [10, 10]) == 1)
        // 2x2 table 10/10 vs 0/10: X^2 = 20, 1 degree of freedom: p = erfc(sqrt(10)).
        #expect(abs(Homogeneity.pValue(successes: [10, 0], trials: [10, 10]) - erfc(10.0.squareRoot())) < 1e-12)
        // 6/10 vs 4/10: X^2 = 0.8, p = erfc(sqrt(0.4)).
        #expect(abs(Homogeneity.pValue(successes: [6, 4], trials: [10, 10]) - erfc(0.4.squareRoot())) < 1e-12)
    }

    @Test func sweepTalliesEveryElementAgainstTheReference() {
        // Element g: episode e succeeds when e < g; its trajectory is the reference's shifted by g.
        var calls: [String] = []
        let cells = ClosedLoopSweep.run(
            elements: [0, 1, 2], episodes: 4, isReference: { $0 == 0 },
            deviation: { run, ref, _ in abs(run[0][0] - ref[0][0]) },
            episode: { g, e in
                ClosedLoopOutcome(
                    success: e < g, final: Double(e), plans: 2, secondsPerPlan: 0.5, degenerateFrames: g,
                    identityFrames: 1, trajectory: [[Double(10 * e + g)]])
            },
            progress: { g, e in calls.append("\(g).\(e)") })
        #expect(calls == (0..<3).flatMap { g in (0..<4).map { "\(g).\($0)" } })
        #expect(cells.map(\.successes) == [0, 1, 2] && cells.map(\.episodes) == [4, 4, 4])
        #expect(cells.map(\.maxDeviation) == [0, 1, 2])
        #expect(cells.allSatisfy { $0.meanFinal == 1.5 && $0.plans == 8 && $0.seconds == 4 && $0.secondsPerPlan == 0.5 && $0.identityFrames == 4 })
        #expect(cells.map(\.degenerateFrames) == [0, 4, 8])
        #expect(cells[2].successRate == 0.5)
        let ci = wilsonInterval(successes: 2, trials: 4)
        #expect(cells[2].interval95 == [ci.low, ci.high])
        let spread = ClosedLoopSweep.spread(cells)
        #expect(spread["maxMinusMin"] == 0.5 && spread["meanSuccess"] == 0.25)
        let width = cells.map { $0.interval95[1] - $0.interval95[0] }.reduce(0, +) / 3
        #expect(spread["meanIntervalWidth"] == width)
    }

    @Test func orientationsStartAtZero() {
        let t = ClosedLoop.orientations(4)
        #expect(t == [0, Double.pi / 2, Double.pi, 3 * Double.pi / 2])
    }

    @Test func controllerSpecsParse() {
        #expect(ControllerSpec(parsing: "equivariant")?.description == "equivariant")
        let cem = ControllerSpec(parsing: "cem:a/b:c.safetensors")
        #expect(cem?.planner == .cem && cem?.model == "a/b:c.safetensors")
        #expect(ControllerSpec(parsing: "nonsense") == nil && ControllerSpec(parsing: "") == nil)
    }

    @Test func searchSettingsBecomeTheControllerConfig() throws {
        let model = ToyEquivariantModel()
        var s = SearchSettings(samples: 16, iterations: 2, horizon: 3, execute: 2, elites: 40)
        let c = try s.config(env: "pusht", model: model)
        #expect(c.cem.samples == 16 && c.mppi.samples == 16 && c.cem.iterations == 2 && c.cem.horizon == 3 && c.executeSteps == 2)
        #expect(c.cem.elites == 16 && c.mppi.elites == 16 && c.actionRepeat == model.frameskip && c.cost == .min)
        // The oracle holds each action for DINO-WM's 5 steps.
        #expect(try s.config(env: "pusht", model: nil, oracle: true).actionRepeat == SearchSettings.oracleFrameskip)
        s.execute = 100
        #expect(throws: PlanningSetupError("--execute 100 is more than the plan's 3 x 1 env steps")) { try s.config(env: "pusht", model: model) }
        s.execute = 1
        s.learnedWeight = 0.5
        #expect(
            throws: PlanningSetupError("--learned-weight needs a model whose latent carries the observation (trained with --observation-in-latent)")
        ) {
            try s.config(env: "pusht", model: model)
        }
    }

    @Test func planningRunReportAggregatesTheEpisodes() {
        func episode(_ seed: UInt64, success: Bool, coverage: Double, plans: Int, seconds: Double, deviation: Double?) -> PlanningEpisode {
            PlanningEpisode(
                seed: seed, orientation: 0.7, success: success, steps: 10 * Int(seed + 1), finalCoverage: coverage, plans: plans,
                secondsPerPlan: seconds, degenerateFrames: Int(seed), deviation: deviation)
        }
        let run = GoalReachingRun(protocol: PushTProtocol.goal25, orientation: 0.7, rotation: .frame, planner: .equivariant, episodes: 2, seed: 0)
        let r = run.report(
            [
                episode(0, success: true, coverage: 0.5, plans: 2, seconds: 1, deviation: 1e-12),
                episode(1, success: false, coverage: 0.25, plans: 6, seconds: 3, deviation: 2e-12),
            ], model: "m", threads: 3)
        #expect(r.successRate == 0.5 && r.meanFinalCoverage == 0.375 && r.meanSteps == 15 && r.secondsPerPlan == 2.5)
        #expect(r.threads == 3 && r.degenerateFrames == 1 && r.maxDeviation == 2e-12 && r.model == "m" && r.protocol == "goal25")
        let ci = wilsonInterval(successes: 1, trials: 2)
        #expect(r.successInterval95 == [ci.low, ci.high])
        #expect(run.report([episode(0, success: false, coverage: 0, plans: 0, seconds: 0, deviation: nil)], model: nil).maxDeviation == nil)
    }
}
