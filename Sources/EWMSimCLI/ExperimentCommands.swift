import ArgumentParser
import EWMIO
import Foundation
import Train

/// The paper's later experiments (issue 17), one command each.
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Identifiability experiments of the paper's later sections.",
        subcommands: [BlockIsotropy.self, Gauge.self, BiBlock.self, DegreeLadder.self, InvariantCosts.self])
}

struct BlockIsotropy: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "block-isotropy",
        abstract: "C1, Schur block-isotropy: SIGReg and block-SIGReg on G-invariant and non-invariant laws of a mixed SO(3) latent.",
        discussion: """
            Latent: 4 invariant scalars and 6 vectors, rho(R) = I_4 (+) (I_6 (x) R). Laws: (a) isotropic; (b) G-invariant
            with distinct per-irrep scales, then with correlated copies too (Sigma = B_0 (+) (B_1 (x) I_3)); (c) not
            G-invariant. Each statistic's mean over --draws draws with its 95% interval, and its ratio to the isotropic
            law's (the finite-sample floor), beside the paper's prediction. With --checkpoint (3D models), the share of
            the covariance of E(g.o) outside Schur's block form, over held-out observations and the cube's 24 rotations.
            """)

    @Option(help: "Independent sample draws per law.") var draws: Int = 100
    @Option(help: "Samples per draw.") var samples: Int = 512
    @Option(help: "Random slice directions per statistic.") var slices: Int = 64
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Option(name: .long, help: "A trained 3D checkpoint whose latent covariance to check (repeat).") var checkpoint: [String] = []
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    static let sweepName = "experiment block-isotropy"

    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("draws", draws); a.add("samples", samples); a.add("slices", slices); a.add("seed", seed)
        for c in checkpoint { a.add("checkpoint", c) }
        a.append(sharding.sweepArguments)
        return a.list
    }

    var settings: BlockIsotropyExperiment.Settings {
        var settings = BlockIsotropyExperiment.Settings()
        (settings.draws, settings.samples, settings.slices, settings.seed) = (draws, samples, slices, seed)
        return settings
    }

    func validate() throws {
        guard draws >= 2, samples >= 8, slices >= 1 else { throw ValidationError("need --draws >= 2, --samples >= 8, --slices >= 1") }
    }

    func run() throws {
        if let shard = try sharding.resolved() {
            // Units: every law's draws, then the encoders (`BlockIsotropyExperiment.measure(unit:)`).
            let total = BlockIsotropyExperiment.unitCount(settings, encoders: checkpoint)
            let units = shard.units(of: total)
            let progress = ProgressLine(label: "block-isotropy \(shard)", total: units.count, enabled: !output.json)
            let results = try units.enumerated().map { done, u in
                defer { progress.update(done + 1) }
                return try BlockIsotropyExperiment.measure(unit: u, settings, encoders: checkpoint)
            }
            progress.finish()
            return try writePart(results, shard: shard, units: total, to: try sharding.partsDirectory(for: shard), quiet: output.json)
        }
        let progress = ProgressLine(label: "block-isotropy", total: 5, enabled: !output.json)
        let report = try BlockIsotropyExperiment.run(settings, encoders: checkpoint) { progress.update($0) }
        progress.finish()
        try emit(report, json: output.json)
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        let units = try ShardParts.byUnit(try ShardParts.read(directory, as: [BlockIsotropyExperiment.Unit].self))
        try emit(BlockIsotropyExperiment.report(settings, units: units), json: options.output.json)
    }
}
