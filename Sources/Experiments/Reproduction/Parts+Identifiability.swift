import EWMIO
import Foundation
import Train

extension ReproductionPart {
    /// C1, Schur block-isotropy: SIGReg and block-SIGReg on G-invariant and broken laws of the mixed SO(3) latent, and
    /// the off-block mass of the teacher3d pair's latent covariances.
    static let blockIsotropy = ReproductionPart(
        name: "block-isotropy", regenerates: "Identifiability C1: Schur block-isotropy (issue 17)", needs: ["teacher3d-models"],
        sizes: {
            let s = blockIsotropySettings($0); return "\(s.draws) draws x \(s.samples) samples, \(s.slices) slices; the teacher3d pair's encoders"
        },
        cost: { $0.pick(smoke: 0.4, quick: 11.6, paper: 40) },
        run: { context in
            let report = try BlockIsotropyExperiment.run(blockIsotropySettings(context.scale), encoders: teacher3DCheckpoints(context)) {
                context.progress("stage \($0)/5")
            }
            return PartOutput(report: report)
        })

    static func blockIsotropySettings(_ scale: ReproductionScale) -> BlockIsotropyExperiment.Settings {
        var s = BlockIsotropyExperiment.Settings()
        (s.draws, s.samples, s.slices) = scale.pick(smoke: (3, 16, 4), quick: (30, 512, 64), paper: (100, 512, 64))
        return s
    }
}

extension ReproductionPart {
    /// Experiment 2: encoders from several seeds aligned by O(n), the stabiliser, the commutant and the identity.
    static let gauge = ReproductionPart(
        name: "gauge", regenerates: "Identifiability: the gauge, measured (issue 17, experiment 2)",
        sizes: {
            let s = gaugeSettings($0)
            return "\(s.seeds) seeds x 5 conditions, \(s.episodes) + \(s.heldOutEpisodes) \(s.env) episodes, \(s.steps) steps"
        },
        cost: { $0.pick(smoke: 3.6, quick: 26.1, paper: 75) },
        run: { context in
            let report = try GaugeExperiment.run(gaugeSettings(context.scale)) { context.progress("encoder \($0)") }
            return PartOutput(report: report)
        })

    static func gaugeSettings(_ scale: ReproductionScale) -> GaugeExperiment.Settings {
        var s = GaugeExperiment.Settings(env: "teacher3d")
        (s.seeds, s.episodes, s.heldOutEpisodes, s.steps) = scale.pick(smoke: (2, 6, 3, 5), quick: (3, 50, 15, 150), paper: (4, 100, 25, 300))
        return s
    }

    /// Experiment 3: bi-block-SIGReg on S_O x SO(3), the rungs for O objects and the measured alignments.
    static let biBlock = ReproductionPart(
        name: "bi-block", regenerates: "Identifiability: bi-block-SIGReg on S_O x SO(3) (issue 17, experiment 3)",
        sizes: {
            let s = biBlockSettings($0)
            return
                "O = \(s.objects.map(String.init).joined(separator: ", ")), \(s.seeds) seeds, \(s.scenes) + \(s.heldOutScenes) scenes, \(s.steps) steps"
        },
        cost: { $0.pick(smoke: 5, quick: 36.4, paper: 309) },
        run: { context in
            let report = try BiBlockExperiment.run(biBlockSettings(context.scale)) { context.progress("encoder \($0)") }
            return PartOutput(report: report)
        })

    static func biBlockSettings(_ scale: ReproductionScale) -> BiBlockExperiment.Settings {
        var s = BiBlockExperiment.Settings()
        (s.objects, s.seeds, s.scenes, s.heldOutScenes, s.steps) = scale.pick(
            smoke: ([1, 2], 2, 24, 12, 5), quick: ([1, 2, 3], 2, 400, 200, 150), paper: ([1, 2, 3], 3, 1500, 500, 300))
        return s
    }

    /// Experiment 4: predictors of polynomial degree 2L against the VN ones, with the plot of the errors against L.
    static let degreeLadder = ReproductionPart(
        name: "degree-ladder", regenerates: "Identifiability: the degree ladder (issue 17, experiment 4)",
        sizes: {
            let s = degreeLadderSettings($0)
            return
                "L = \(s.layers.map(String.init).joined(separator: ", ")) on \(s.envs.joined(separator: ", ")), \(s.episodes) x \(s.episodeSteps) transitions, \(s.steps) steps"
        },
        cost: { $0.pick(smoke: 1.1, quick: 16.7, paper: 73) },
        run: { context in
            let report = try DegreeLadderExperiment.run(degreeLadderSettings(context.scale)) { context.progress($0) }
            try PNG.write(report.plot.render(), to: context.file("plot.png"))
            return PartOutput(report: report, files: [PartFile("plot.png", kind: .image, caption: "errors against the ladder's L")])
        })

    static func degreeLadderSettings(_ scale: ReproductionScale) -> DegreeLadderExperiment.Settings {
        var s = DegreeLadderExperiment.Settings(envs: ["teacher3d", "pusht"])
        (s.layers, s.episodes, s.heldOutEpisodes, s.steps) = scale.pick(
            smoke: ([0, 1], 6, 2, 5), quick: ([0, 1, 2], 100, 10, 600), paper: ([0, 1, 2, 3], 200, 20, 2000))
        return s
    }

    /// Experiment 5 (C3): the equivariant closed loop under G-invariant latent costs, on the same tasks at two orientations.
    static let invariantCosts = ReproductionPart(
        name: "invariant-costs", regenerates: "Identifiability: C3, planning under G-invariant costs (issue 17, experiment 5)",
        sizes: { "goal25, \(invariantCostsTasks($0)) tasks x orientations 0, 0.7 x 4 costs, \(searchDescription($0))" },
        cost: { $0.pick(smoke: 7.7, quick: 168.6, paper: 499) },
        run: { context in
            configurePlanningThreads()
            var s = InvariantCostsExperiment.Settings()
            (s.episodes, s.search) = (invariantCostsTasks(context.scale), search(context.scale))
            s.probeTasks = context.scale.pick(smoke: 4, quick: 16, paper: 32)
            return PartOutput(report: try InvariantCostsExperiment.run(s) { context.progress($0) })
        })

    static func invariantCostsTasks(_ scale: ReproductionScale) -> Int { scale.pick(smoke: 1, quick: 2, paper: 5) }
}
