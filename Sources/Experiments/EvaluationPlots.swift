import EWMIO
import Foundation
import Train
import Planner

/// The pictures of the `eval` commands: one line per model (or controller) over the group, in a fixed palette.
public enum EvaluationPlots {
    /// Series colours, in order (repeating).
    public static let palette = [RGB(31, 119, 180), RGB(214, 39, 40), RGB(44, 160, 44), RGB(255, 127, 14), RGB(148, 103, 189), RGB(140, 86, 75)]

    /// Names for compared models in tables and plot legends: the model kind, plus the checkpoint's directory name
    /// when the same kind appears more than once (e.g. two learning rates of one model).
    public static func modelLabels(_ runs: [(model: String, checkpoint: String)]) -> [String] {
        runs.map { run in
            guard runs.filter({ $0.model == run.model }).count > 1 else { return run.model }
            let dir = URL(fileURLWithPath: run.checkpoint).deletingLastPathComponent().lastPathComponent
            return "\(run.model) \(dir)"
        }
    }

    /// One-step relMSE against the orientation (degrees), log scale.
    public static func oneStep(_ reports: [OneStepReport], labels: [String]) -> LinePlot {
        var p = LinePlot(title: "one-step relMSE vs orientation", xLabel: "orientation (deg)", yLabel: "relMSE", logY: true)
        for (i, r) in reports.enumerated() {
            p.addSeries(
                name: "\(labels[i]) (\(r.parameters) params)", x: r.orbit.map(\.degrees), y: r.orbit.map(\.relMSE), color: palette[i % palette.count])
        }
        return p
    }

    /// Rollout relMSE against the horizon, in the slice and (where measured at every horizon) out of it.
    public static func rollout(_ reports: [RolloutReport], labels: [String]) -> LinePlot {
        var p = LinePlot(title: "rollout relMSE vs horizon", xLabel: "horizon H", yLabel: "relMSE", logY: true)
        var c = 0
        for (label, r) in zip(labels, reports) {
            p.addSeries(name: "\(label) in slice", x: r.horizons.map(Double.init), y: r.inSliceMean, color: palette[c % palette.count]); c += 1
            if r.outOfSliceMean.allSatisfy({ $0 != nil }) {
                p.addSeries(
                    name: "\(label) out of slice", x: r.horizons.map(Double.init), y: r.outOfSliceMean.map { $0! }, color: palette[c % palette.count]);
                c += 1
            }
        }
        return p
    }

    /// Mean one-step relMSE per rung of the SE(3) ladder with 95% intervals.
    public static func ladder(_ reports: [LadderReport]) -> LinePlot {
        var p = LinePlot(
            title: "one-step relMSE per ladder rung (95% CI)", xLabel: "rung: 0 identity, 1 SO(2) about z, 2 SO(3), 3 SE(3)",
            yLabel: "relMSE", logY: true)
        for (i, r) in reports.enumerated() {
            p.addSeries(
                name: "\(r.model)@\(r.trainingRung) (\(r.parameters) params)", x: [0, 1, 2, 3], y: r.rungs.map(\.mean),
                color: palette[i % palette.count], intervals: r.rungs.map { (low: $0.interval95[0], high: $0.interval95[1]) })
        }
        return p
    }

    /// Closed-loop success per group element with 95% intervals, one series per controller: against the orientation
    /// for planar sweeps, against the element's index (0 = identity) otherwise.
    public static func closedLoop(_ report: ClosedLoopReport) -> LinePlot {
        let planar = report.rows.first?.element.count == 1
        var p = LinePlot(
            title: "\(report.env) \(report.protocol), \(report.rotation) build: success (Wilson 95% CI)",
            xLabel: planar ? "orientation (rad)" : "group element (0 = identity, 1.. = SE(3) samples)", yLabel: "success rate")
        for (i, s) in report.summaries.enumerated() {
            let r = report.rows.filter { $0.controller == s.controller }
            p.addSeries(
                name: s.parameters.map { "\(s.controller) (\($0) params)" } ?? s.controller,
                x: planar ? r.map { $0.element[0] } : r.indices.map(Double.init), y: r.map(\.successRate),
                color: palette[i % palette.count], intervals: r.map { (low: $0.interval95[0], high: $0.interval95[1]) })
        }
        return p
    }
}
