import EWMIO
import Foundation
import Train

/// A model's facts in a unit-cut evaluation (`OneStepModelInfo`, `RolloutModelInfo`): how many units it has and how its
/// report is folded from their figures.
public protocol ModelSweepInfo: Codable, Sendable {
    associatedtype Unit: Codable & Sendable
    associatedtype Report
    var angles: [Double] { get }
    func report(_ units: [Unit]) -> Report
}

extension OneStepModelInfo: ModelSweepInfo {}
extension RolloutModelInfo: ModelSweepInfo {}

/// `eval one-step` and `eval rollout` on planar models cut into units: unit u = (model m, orientation i) with
/// u = m * perModel + i (every model of a sweep has the same orientations). Shards measure their units and hand them over
/// as a `Part`; the reports are folded from all units the same way in one process or from parts.
public enum ModelSweep {
    /// What a shard hands to the merge: every model's facts and the figures of the shard's units.
    public struct Part<Info: ModelSweepInfo>: Codable, Sendable {
        public var models: [Info]
        public var units: [Int]
        public var results: [Info.Unit]
    }

    /// Measures `units` (nil: all) of the models `infos` describe: `measure(m)` gives model m's unit measurement (asked
    /// once, and only for models with units to measure); `progress(done)` follows every unit.
    static func run<Info: ModelSweepInfo>(
        infos: [Info], units: [Int]?, measure: (Int) throws -> (Int) -> Info.Unit, progress: (Int) -> Void
    ) throws -> Part<Info> {
        let perModel = infos.first?.angles.count ?? 0
        let wanted = units ?? Array(0..<(infos.count * perModel))
        var measures: [Int: (Int) -> Info.Unit] = [:]
        var results: [Info.Unit] = []
        for (done, u) in wanted.enumerated() {
            let m = u / perModel
            if measures[m] == nil { measures[m] = try measure(m) }
            results.append(measures[m]!(u % perModel))
            progress(done + 1)
        }
        return Part(models: infos, units: wanted, results: results)
    }

    /// Each model's report from the parts of the whole sweep (every unit exactly once).
    public static func reports<Info: ModelSweepInfo>(_ parts: [Part<Info>]) throws -> [Info.Report] {
        guard let models = parts.first?.models, let perModel = models.first?.angles.count else { throw DataError("no parts to assemble") }
        var table = [Info.Unit?](repeating: nil, count: models.count * perModel)
        for part in parts {
            for (u, r) in zip(part.units, part.results) {
                guard table.indices.contains(u), table[u] == nil else { throw DataError("parts: unit \(u) is outside the sweep or given twice") }
                table[u] = r
            }
        }
        guard table.allSatisfy({ $0 != nil }) else { throw DataError("parts: \(table.filter { $0 == nil }.count) units have no figures") }
        return models.enumerated().map { m, info in info.report(table[m * perModel..<(m + 1) * perModel].map { $0! }) }
    }
}

extension ModelEvaluation {
    /// Units of a one-step sweep over `models` planar checkpoints at `elements` orbit orientations (+ the slice grid's 5).
    public static func oneStepUnits(models: Int, elements: Int) -> Int { models * (elements + 5) }

    /// Units of a rollout sweep (+ the slice grid's 3 orientations).
    public static func rolloutUnits(models: Int, elements: Int) -> Int { models * (elements + 3) }

    /// Measures `units` (nil: all) of the one-step sweep of planar `checkpoints`.
    public static func oneStepPart(
        checkpoints: [String], settings s: Settings, units: [Int]? = nil, progress: (Int) -> Void = { _ in }
    ) throws -> ModelSweep.Part<OneStepModelInfo> {
        let loaded = try planar(checkpoints, settings: s, command: "eval one-step")
        let probes = loaded.map { OneStepProbe($0.0, data: $0.1, orientations: s.elements) }
        return try ModelSweep.run(infos: probes.map(\.info), units: units, measure: { probes[$0].measure }, progress: progress)
    }

    /// Measures `units` (nil: all) of the rollout sweep of planar `checkpoints`.
    public static func rolloutPart(
        checkpoints: [String], settings s: Settings, horizons: [Int], maxSegments: Int, units: [Int]? = nil, progress: (Int) -> Void = { _ in }
    ) throws -> ModelSweep.Part<RolloutModelInfo> {
        let loaded = try planar(checkpoints, settings: s, command: "eval rollout")
        let probes = try loaded.map {
            try RolloutProbe($0.0, data: $0.1, horizons: horizons, orientations: s.elements, maxSegments: maxSegments)
        }
        return try ModelSweep.run(infos: probes.map(\.info), units: units, measure: { probes[$0].measure }, progress: progress)
    }

    /// The one-step comparison of a whole sweep from its parts.
    public static func oneStep(parts: [ModelSweep.Part<OneStepModelInfo>]) throws -> OneStepComparison {
        OneStepComparison(reports: try ModelSweep.reports(parts))
    }

    /// The rollout comparison of a whole sweep from its parts.
    public static func rollout(parts: [ModelSweep.Part<RolloutModelInfo>]) throws -> RolloutComparison {
        RolloutComparison(reports: try ModelSweep.reports(parts))
    }

    static func planar(_ checkpoints: [String], settings s: Settings, command: String) throws -> [(TrainedWorldModel, TransitionSet)] {
        guard try !isCloud(checkpoints) else {
            throw DataError("\(command) cuts planar sweeps into units; give 3D checkpoints to eval one-step without --shard")
        }
        return try EvaluationData.load(checkpoints: checkpoints, data: s.data, episodes: s.episodes ?? 60, dataSeed: s.dataSeed)
    }
}
