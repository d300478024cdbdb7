import ArgumentParser
import EWMIO
import Foundation
import Train

/// `experiment gauge` (issue 17, experiment 2): the gauge of trained encoders, measured by aligning seeds.
struct Gauge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gauge",
        abstract: "The gauge, measured: align encoders trained from several seeds by O(n), the block stabiliser, the commutant and the identity.",
        discussion: """
            Data: --env's transitions (default teacher3d), each turned by a Haar rotation (an SO(3)-invariant law). Latent: 4 scalars and
            6 vectors. Conditions: MLP + SIGReg, MLP + block-SIGReg with fixed distinct scales, VN + SIGReg, VN +
            block-SIGReg, VN JEPA with an equivariant predictor. For each pair of seeds the best map in each group is
            fitted on the training observations and the relative residual measured on held-out ones; means with 95%
            intervals over the pairs, beside the prediction, and the gauge dimensions. --out writes gauge.txt and
            gauge.json.
            """)

    @Option(help: "The 3D env whose transitions are the data (one with a cloud layout).") var env: String = "teacher3d"
    @Option(help: "Seeds per condition (pairs: seeds (seeds - 1) / 2).") var seeds: Int = 4
    @Option(help: "Training episodes of --env (20 steps each).") var episodes: Int = 100
    @Option(help: "Held-out episodes.") var heldOutEpisodes: Int = 25
    @Option(help: "Optimiser steps per encoder.") var steps: Int = 300
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Directory for the table and JSON.") var out: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard seeds >= 2, episodes >= 1, heldOutEpisodes >= 1, steps >= 1 else {
            throw ValidationError("need --seeds >= 2, --episodes >= 1, --held-out-episodes >= 1, --steps >= 1")
        }
    }

    func run() throws {
        var settings = GaugeExperiment.Settings(env: env)
        (settings.seeds, settings.episodes, settings.heldOutEpisodes, settings.steps, settings.seed) = (seeds, episodes, heldOutEpisodes, steps, seed)
        let progress = ProgressLine(label: "gauge", total: seeds * GaugeExperiment.conditions(settings).count, enabled: !output.json)
        let report = try GaugeExperiment.run(settings) { progress.update($0) }
        progress.finish()
        try saveReport(report, name: "gauge", in: out)
        try emit(report, json: output.json)
    }
}

/// Writes `report`'s text and JSON as NAME.txt and NAME.json in `directory` (atomically), when one is given.
func saveReport(_ report: some TextReport, name: String, in directory: String?) throws {
    guard let directory else { return }
    let dir = URL(fileURLWithPath: directory)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try writeAtomically(Data((report.text + "\n").utf8), to: dir.appendingPathComponent("\(name).txt"))
    try writeAtomically(try encoder.encode(report), to: dir.appendingPathComponent("\(name).json"))
}

/// `experiment bi-block` (issue 17, experiment 3): bi-block-SIGReg on S_O x SO(3), its rungs and measured alignments.
struct BiBlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bi-block",
        abstract: "Bi-block-SIGReg on S_O x SO(3) (push3d-multi scenes): the identifiability rungs for O = 1, 2, 3 and seed alignments.",
        discussion: """
            Scenes: push3d-multi starts of O boxes (push3d at O = 1), each turned by a Haar rotation; two views are two
            jitters of the keypoints. Per object 2 scalars and 2 vectors. The Helmert basis on the object axis splits
            each SO(3) block into its S_O-trivial and standard parts (four blocks). Conditions: a scene VN encoder with
            SO(3) block-SIGReg, the same with bi-block-SIGReg, and a per-object VN encoder (S_O x SO(3)-equivariant)
            with bi-block-SIGReg, all with fixed distinct block scales. Gauge dimension of every rung, and alignment
            residuals on held-out scenes with 95% intervals over seed pairs. --out writes bi-block.txt and .json.
            """)

    @Option(help: "Object counts, comma-separated (1...6).") var objects: String = "1,2,3"
    @Option(help: "Seeds per condition.") var seeds: Int = 3
    @Option(help: "Training scenes.") var scenes: Int = 1500
    @Option(help: "Optimiser steps per encoder.") var steps: Int = 300
    @Option(help: "Standard deviation (m) of the keypoint jitter that makes the two views.") var jitter: Double = 0.03
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(help: "Directory for the table and JSON.") var out: String?
    @OptionGroup var output: OutputOptions

    var objectCounts: [Int] { objects.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let counts = objectCounts
        guard !counts.isEmpty, counts.count == objects.split(separator: ",").count, counts.allSatisfy({ (1...6).contains($0) }) else {
            throw ValidationError("--objects must be comma-separated counts in 1...6, got '\(objects)'")
        }
        guard seeds >= 2, scenes >= 8, steps >= 1, jitter >= 0, jitter.isFinite else {
            throw ValidationError("need --seeds >= 2, --scenes >= 8, --steps >= 1, a finite --jitter >= 0")
        }
    }

    func run() throws {
        var settings = BiBlockExperiment.Settings()
        (settings.objects, settings.seeds, settings.scenes, settings.steps, settings.seed) = (objectCounts, seeds, scenes, steps, seed)
        settings.jitter = jitter
        let progress = ProgressLine(label: "bi-block", total: objectCounts.count * 3 * seeds, enabled: !output.json)
        let report = try BiBlockExperiment.run(settings) { progress.update($0) }
        progress.finish()
        try saveReport(report, name: "bi-block", in: out)
        try emit(report, json: output.json)
    }
}
