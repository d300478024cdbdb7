import Agents
import Foundation
import Testing

@testable import Train

/// `experiment degree-ladder` at a tiny size on a planar and a 3D env: every trained ladder keeps its exact degree and
/// its equivariance, whatever training did to its weights.
struct DegreeLadderExperimentTests {
    @Test func trainedLaddersKeepTheirDegreeAndExactness() throws {
        var s = DegreeLadderExperiment.Settings(envs: ["teacher3d", "teacher2d"])
        (s.layers, s.baselines, s.episodes, s.episodeSteps) = ([0, 2], true, 4, 6)
        (s.heldOutEpisodes, s.steps, s.batch, s.horizon) = (2, 3, 8, 3)
        let report = try DegreeLadderExperiment.run(s)
        #expect(report.rows.count == 2 * 4)
        for r in report.rows {
            #expect(r.rollout.count == 3 && r.oneStep.isFinite && r.oneStep > 0)
            #expect(r.residualDouble < 1e-12, "\(r.env) \(r.predictor): Double residual \(r.residualDouble)")
            #expect(r.residualFloat < 1e-5, "\(r.env) \(r.predictor): Float residual \(r.residualFloat)")
            if let l = r.layers {
                #expect(
                    r.measuredGainDegree == 2 * l && (r.aboveDegree ?? 1) < 1e-9, "\(r.env) L = \(l): \(String(describing: r.measuredGainDegree))")
            } else {
                #expect(r.measuredGainDegree == nil)
            }
        }
        #expect(report.text.contains("ladder L=2") && report.text.contains("vn gated"))
    }

    @Test func badSettingsAreRefused() {
        var s = DegreeLadderExperiment.Settings(envs: ["teacher3d", "pusht"])
        s.layers = [-1]
        #expect(throws: DataError.self) { try DegreeLadderExperiment.run(s) }
        s = DegreeLadderExperiment.Settings(envs: ["no-such-env"])
        #expect(throws: (any Error).self) { try DegreeLadderExperiment.run(s) }
    }
}
