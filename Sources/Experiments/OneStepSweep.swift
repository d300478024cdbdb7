import EWMIO
import Foundation
import Train

/// `eval one-step` on planar models cut into units: unit u = (model m, orientation i) with u = m * perModel + i, where a
/// model's orientations are the orbit's `elements` then its slice grid's 5 (`OneStepProbe`). Shards measure their units
/// and hand them over as a `OneStepPart`; the report is assembled from all units the same way in one process or from
/// parts.
public enum OneStepSweep {
    /// Orientations of the slice grid per model.
    public static let sliceGridCount = 5

    /// Units of a sweep over `models` checkpoints at `elements` orbit orientations.
    public static func units(models: Int, elements: Int) -> Int { models * (elements + sliceGridCount) }

    /// What a shard hands to the merge: every model's facts and the figures of the shard's units.
    public struct Part: Codable, Sendable {
        public var models: [OneStepModelInfo]
        public var units: [Int]
        public var results: [OneStepUnit]
    }

    /// Measures `units` (nil: all) of the sweep of planar `checkpoints`; `progress(done)` follows every unit.
    public static func run(
        checkpoints: [String], settings s: ModelEvaluation.Settings, units: [Int]? = nil, progress: (Int) -> Void = { _ in }
    ) throws -> Part {
        guard try !ModelEvaluation.isCloud(checkpoints) else {
            throw DataError("eval one-step --shard cuts planar sweeps; run the 3D ladder of these checkpoints without --shard")
        }
        let loaded = try EvaluationData.load(checkpoints: checkpoints, data: s.data, episodes: s.episodes ?? 60, dataSeed: s.dataSeed)
        let perModel = s.elements + sliceGridCount
        let wanted = units ?? Array(0..<self.units(models: checkpoints.count, elements: s.elements))
        var probes: [Int: OneStepProbe] = [:]
        var infos: [OneStepModelInfo] = []
        for (m, (model, data)) in loaded.enumerated() {
            let probe = OneStepProbe(model, data: data, orientations: s.elements, sliceGridCount: sliceGridCount)
            infos.append(probe.info)
            if wanted.contains(where: { $0 / perModel == m }) { probes[m] = probe }
        }
        var results: [OneStepUnit] = []
        for (done, u) in wanted.enumerated() {
            results.append(probes[u / perModel]!.measure(u % perModel))
            progress(done + 1)
        }
        return Part(models: infos, units: wanted, results: results)
    }

    /// The comparison of the whole sweep from its parts (every unit exactly once).
    public static func report(_ parts: [Part]) throws -> OneStepComparison {
        guard let models = parts.first?.models, let perModel = models.first?.angles.count else {
            throw DataError("eval one-step: no parts to assemble")
        }
        var table = [OneStepUnit?](repeating: nil, count: models.count * perModel)
        for part in parts {
            for (u, r) in zip(part.units, part.results) {
                guard table.indices.contains(u), table[u] == nil else {
                    throw DataError("eval one-step parts: unit \(u) is outside the sweep or given twice")
                }
                table[u] = r
            }
        }
        guard table.allSatisfy({ $0 != nil }) else {
            throw DataError("eval one-step parts: \(table.filter { $0 == nil }.count) units have no figures")
        }
        return OneStepComparison(
            reports: models.enumerated().map { m, info in info.report(table[m * perModel..<(m + 1) * perModel].map { $0! }) })
    }
}
