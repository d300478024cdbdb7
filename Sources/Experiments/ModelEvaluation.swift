import EWMIO
import Foundation
import Train

/// `eval one-step` and `eval rollout` over checkpoints of any layout: planar models across evenly spaced orientations,
/// 3D cloud models across the rungs of the SE(3) ladder. Each result prints as a table (`text`) and encodes as the
/// array of per-model reports.
public enum ModelEvaluation {
    /// Where the held-out data comes from and how the group is sampled.
    public struct Settings: Sendable {
        /// Planar: orientations over the circle; 3D: samples per rung of the ladder.
        public var elements: Int
        /// Held-out canonical episodes (nil: 60 planar, 40 for 3D).
        public var episodes: Int?
        public var dataSeed: UInt64?
        /// Seed of the 3D ladder's samples.
        public var groupSeed: UInt64
        /// Planar: evaluate on these shards instead of collecting (`EvaluationData`).
        public var data: String?

        public init(elements: Int, episodes: Int?, dataSeed: UInt64?, groupSeed: UInt64, data: String?) {
            self.elements = elements; self.episodes = episodes; self.dataSeed = dataSeed; self.groupSeed = groupSeed; self.data = data
        }
    }

    /// One-step figures of every checkpoint; all planar or all 3D.
    public static func oneStep(checkpoints: [String], settings s: Settings) throws -> any PlottedReport {
        if try isCloud(checkpoints) {
            let reports = try checkpoints.map { path in
                let model = try TrainedCloudModel(url: URL(fileURLWithPath: path))
                let data = try heldOutTransitions3D(for: model, episodes: s.episodes ?? 40, seed: s.dataSeed)
                return evaluateLadder(model, data: data, samplesPerRung: s.elements, seed: s.groupSeed)
            }
            return LadderComparison(reports: reports, samplesPerRung: s.elements)
        }
        return try oneStep(parts: [try oneStepPart(checkpoints: checkpoints, settings: s)])
    }

    /// Open-loop rollout figures of planar checkpoints.
    public static func rollout(checkpoints: [String], settings s: Settings, horizons: [Int], maxSegments: Int) throws -> RolloutComparison {
        guard try !isCloud(checkpoints) else { throw DataError("eval rollout measures planar models; give 3D checkpoints to eval one-step") }
        return try rollout(parts: [try rolloutPart(checkpoints: checkpoints, settings: s, horizons: horizons, maxSegments: maxSegments)])
    }

    /// Whether the checkpoints are 3D cloud models (throws when they mix layouts).
    public static func isCloud(_ checkpoints: [String]) throws -> Bool {
        let cloud = checkpoints.map { TrainedCloudModel.isCheckpoint(URL(fileURLWithPath: $0)) }
        guard Set(cloud).count <= 1 else { throw DataError("the checkpoints mix planar and 3D models; compare one kind at a time") }
        return cloud.first ?? false
    }
}

/// A report with a picture.
public protocol PlottedReport: TextReport {
    var plot: LinePlot { get }
}

/// Reports encode as their array of per-model reports.
extension PlottedReport where Self: ComparisonOfModels {
    public func encode(to encoder: Encoder) throws { try reports.encode(to: encoder) }
}

/// A table of several models' reports.
public protocol ComparisonOfModels {
    associatedtype Report: Encodable
    var reports: [Report] { get }
}

/// `eval one-step` on planar models: per model the in-slice and out-of-slice relMSE, OOD ratio, flatness and composed
/// residuals; per orientation each model's relMSE.
public struct OneStepComparison: PlottedReport, ComparisonOfModels {
    public var reports: [OneStepReport]
    public var labels: [String] { EvaluationPlots.modelLabels(reports.map { ($0.model, $0.checkpoint) }) }
    public var plot: LinePlot { EvaluationPlots.oneStep(reports, labels: labels) }

    public var text: String {
        let sci = TextTable.sci, labels = self.labels
        let summary = TextTable.render(
            ["model", "params", "in-slice L", "out-of-slice L", "OOD ratio", "flatness", "residual F32", "residual F64", "enc resid F32"],
            zip(labels, reports).map { label, r in
                [
                    label, "\(r.parameters)", sci(r.inSliceMean), sci(r.outOfSliceMean), TextTable.fixed(r.oodRatio, 3), sci(r.flatness),
                    sci(r.residualFloat), sci(r.residualDouble), sci(r.encoderResidualFloat),
                ]
            })
        let orbit = reports[0].orbit
        let perOrientation = TextTable.render(
            ["deg"] + labels,
            orbit.indices.map { i in [TextTable.fixed(orbit[i].degrees, 1) + (orbit[i].inSlice ? "*" : "")] + reports.map { sci($0.orbit[i].relMSE) }
            })
        return
            ([summary, "", perOrientation, "(* inside the training slice; \(reports[0].samples) held-out transitions; target = EMA encoder)"]
            + parameterRatios(reports.map { ($0.model, $0.parameters) })).joined(separator: "\n")
    }
}

/// `eval rollout`: per horizon, each model's in-slice and out-of-slice relMSE, their ratio and the spread.
public struct RolloutComparison: PlottedReport, ComparisonOfModels {
    public var reports: [RolloutReport]
    public var labels: [String] { EvaluationPlots.modelLabels(reports.map { ($0.model, $0.checkpoint) }) }
    public var plot: LinePlot { EvaluationPlots.rollout(reports, labels: labels) }

    public var text: String {
        let sci = TextTable.sci, labels = self.labels
        var header = ["H"]
        for l in labels { header += ["\(l) in", "\(l) out", "\(l) ratio", "\(l) spread"] }
        let rows = reports[0].horizons.indices.map { j in
            ["\(reports[0].horizons[j])"]
                + reports.flatMap { r in [sci(r.inSliceMean[j]), sci(r.outOfSliceMean[j]), TextTable.fixed(r.oodRatio[j], 2), sci(r.spread[j])] }
        }
        var lines = [
            TextTable.render(header, rows),
            "(\(reports[0].segments) held-out segments, \(reports[0].orientationsDegrees.count) orientations; spread = max L / min L - 1 over all of them; target = EMA encoder)",
        ]
        for (label, r) in zip(labels, reports) {
            guard let agent = r.agentErrorPx, let body = r.bodyErrorPx else { continue }
            let f = { (xs: [Double], d: Int) in xs.map { TextTable.fixed($0, d) }.joined(separator: " ") }
            var line = "\(label): predicted observation error at orientation 0 (mean px), agent \(f(agent, 1)); T keypoints \(f(body, 1))"
            if let ratio = r.bodyMotionRatio { line += "; T motion predicted / true " + f(ratio, 2) }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// `eval one-step` on 3D models: relMSE per rung of the SE(3) ladder, OOD and ladder ratios, flatness, residuals.
public struct LadderComparison: PlottedReport, ComparisonOfModels {
    public var reports: [LadderReport]
    public var samplesPerRung: Int
    public var plot: LinePlot { EvaluationPlots.ladder(reports) }

    public var text: String {
        let sci = TextTable.sci
        let table = TextTable.render(
            [
                "model", "trained on", "params", "identity", "SO(2)", "SO(3)", "SE(3)", "OOD ratio", "ladder ratio", "flatness", "resid F32",
                "resid F64",
            ],
            reports.map { r in
                [r.model, r.trainingRung, "\(r.parameters)"] + r.rungs.map { sci($0.mean) + ($0.inSlice ? "*" : "") }
                    + [
                        TextTable.fixed(r.oodRatio, 2), TextTable.fixed(r.ladderRatio, 2), sci(r.flatness), sci(r.residualFloat),
                        sci(r.residualDouble),
                    ]
            })
        let note =
            "(* rung inside the training slice; \(reports[0].transitions) held-out transitions; identity + \(samplesPerRung) samples per rung; target = EMA encoder)"
        return ([table, note] + parameterRatios(reports.map { ($0.model, $0.parameters) })).joined(separator: "\n")
    }
}

/// "parameter ratio KIND/vn: Nx" for every model beside a VN one.
func parameterRatios(_ models: [(kind: String, parameters: Int)]) -> [String] {
    guard models.count > 1, let vn = models.first(where: { $0.kind == "vn" }) else { return [] }
    return models.filter { $0.kind != "vn" }.map {
        "parameter ratio \($0.kind)/vn: \(TextTable.fixed(Double($0.parameters) / Double(vn.parameters), 2))x"
    }
}
