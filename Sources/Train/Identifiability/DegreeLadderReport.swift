import EWMIO
import Foundation

/// What `experiment degree-ladder` prints: per env, each predictor's degree (by construction and measured), its errors
/// and its exactness residual, beside the predictions; and a plot of the errors against L.
public struct DegreeLadderReport: TextReport, Sendable {
    public var settings: DegreeLadderExperiment.Settings
    public var rows: [DegreeLadderExperiment.Row]
    public var seconds: Double

    /// The predictions the table is read against.
    public static let predictions = [
        "exactness: the residual sits at the float floor for every L (Float ~1e-6, Double ~1e-15), as for the VN predictors",
        "degree: the trained ladder's gain has degree exactly 2L (the map 2L + 1, odd only), coefficients above it at rounding level",
        "error against L: the paper's Hermite bridge (each degree of nonlinearity lowers LeJEPA's positive-pair correlation,",
        "  so the linear map wins) read for the predictor: no gain in error from degree (the table says whether that held)",
    ]

    public var text: String {
        let sci = TextTable.sci, h = settings.horizon
        var lines: [String] = []
        for env in settings.envs {
            let rows = self.rows.filter { $0.env == env }
            guard !rows.isEmpty else { continue }
            lines.append(
                "\(env): \(settings.episodes) x \(settings.episodeSteps) training transitions, \(settings.steps) steps of batch \(settings.batch); held out \(settings.heldOutEpisodes) episodes"
            )
            lines.append(
                TextTable.render(
                    [
                        "predictor", "d_max=2L", "measured", "above (rel)", "params (pred)", "one-step", "rollout H=1", "H=\(h)", "resid F32",
                        "resid F64", "train s",
                    ],
                    rows.map { r in
                        [
                            r.predictor, r.gainDegree.map(String.init) ?? "-", r.measuredGainDegree.map(String.init) ?? "-",
                            r.aboveDegree.map(TextTable.short) ?? "-", "\(r.parameters) (\(r.predictorParameters))", sci(r.oneStep),
                            sci(r.rollout.first), sci(r.rollout.last), TextTable.short(r.residualFloat), TextTable.short(r.residualDouble),
                            TextTable.fixed(r.trainSeconds, 1),
                        ]
                    }))
            lines.append("")
        }
        lines.append("predictions:")
        lines += Self.predictions.map { "  " + $0 }
        lines.append(
            "(relMSE against the EMA target encoder's latents; residual over held-out latents and 8 elements of O(d); \(TextTable.fixed(seconds, 0)) s in all)"
        )
        return lines.joined(separator: "\n")
    }

    /// One-step and horizon-H rollout relMSE against L, per env (log scale); the VN baselines as flat lines.
    public var plot: LinePlot {
        var p = LinePlot(title: "degree ladder: error against L", xLabel: "rungs L (gain degree 2L)", yLabel: "relMSE", logY: true)
        let colors: [RGB] = [RGB(31, 119, 180), RGB(214, 39, 40), RGB(44, 160, 44), RGB(148, 103, 189), RGB(255, 127, 14), RGB(140, 86, 75)]
        var k = 0
        for env in settings.envs {
            let ladder = rows.filter { $0.env == env && $0.layers != nil }
            guard !ladder.isEmpty else { continue }
            let xs = ladder.map { Double($0.layers!) }
            p.addSeries(name: "\(env) one-step", x: xs, y: ladder.map(\.oneStep), color: colors[k % colors.count])
            p.addSeries(
                name: "\(env) rollout H=\(settings.horizon)", x: xs, y: ladder.map { $0.rollout.last ?? .nan }, color: colors[(k + 1) % colors.count])
            if let vn = rows.first(where: { $0.env == env && $0.predictor == "vn stack" }), let lo = xs.min(), let hi = xs.max() {
                p.addSeries(name: "\(env) vn stack one-step", x: [lo, hi], y: [vn.oneStep, vn.oneStep], color: colors[(k + 2) % colors.count])
            }
            k += 3
        }
        return p
    }
}
