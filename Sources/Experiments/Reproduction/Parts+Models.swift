import EWMIO
import Envs
import Foundation
import Tensor
import Train

extension ReproductionPart {
    /// One-step relMSE across the group of the frameskip-5 planning pair (`assets/pusht-vn-fs5`, `assets/pusht-mlp-fs5`).
    static let oneStep = ReproductionPart(
        name: "one-step", regenerates: "World models: one-step relMSE across the group [B] (the frameskip-5 pair)",
        sizes: {
            let s = evaluationSizes($0); return "\(s.elements) orientations, \(s.episodes) held-out episodes"
        },
        cost: { $0.pick(smoke: 1.2, quick: 0.8, paper: 12) },
        run: { context in
            BLAS.setThreadCount(1)
            let report = try ModelEvaluation.oneStep(checkpoints: try planningPair(), settings: evaluationSettings(context.scale))
            return try plotted(report, in: context, caption: "one-step relMSE per orientation, VN and MLP (frameskip 5)")
        })

    /// Open-loop rollouts of the same pair, horizons 1-5 (25 env steps, the goal25 horizon).
    static let rollout = ReproductionPart(
        name: "rollout", regenerates: "World models: open-loop rollouts per horizon [B]",
        sizes: {
            let s = evaluationSizes($0); return "horizons 1-5, \(s.elements) orientations, \(s.episodes) held-out episodes"
        },
        cost: { $0.pick(smoke: 1.1, quick: 0.7, paper: 10) },
        run: { context in
            BLAS.setThreadCount(1)
            let report = try ModelEvaluation.rollout(
                checkpoints: try planningPair(), settings: evaluationSettings(context.scale), horizons: Array(1...5), maxSegments: 512)
            return try plotted(report, in: context, caption: "rollout relMSE per horizon, in and out of the training slice")
        })

    /// The baseline's stress tests on teacher2d: augmentation, a soft equivariance penalty and scale, beside the VN
    /// and the plain MLP, all trained here on one collection, then measured one step across the group.
    static let stressTests = ReproductionPart(
        name: "stress-tests", regenerates: "OOD experiment: the baseline's stress tests (augmentation, soft penalty, 4x/16x scale)",
        sizes: { "teacher2d: \(stressRecipe($0).description); models \(stressModels($0).map(\.name).joined(separator: ", "))" },
        cost: { $0.pick(smoke: 1.2, quick: 23.1, paper: 500) },
        run: { context in
            let models = stressModels(context.scale)
            let summaries = try ReproductionTraining.planar(
                env: "teacher2d", models: models, recipe: stressRecipe(context.scale), in: context.file("models"), progress: context.progress)
            context.progress("one-step evaluation")
            BLAS.setThreadCount(1)
            let report = try ModelEvaluation.oneStep(
                checkpoints: models.map { context.file("models/\($0.name)/checkpoint.safetensors").path }, settings: evaluationSettings(context.scale)
            )
            let output = try plotted(report, in: context, caption: "teacher2d one-step relMSE per orientation: VN and the stressed baselines")
            return PartOutput(
                report: ReportSections([
                    ("training", "training", ReportList(summaries) { $0.map(\.text).joined(separator: "\n") }),
                    ("one step", "oneStep", output.report),
                ]), files: output.files)
        })

    /// The teacher3d pair (VN and MLP on the identity rung) that the ladder, the 3D closed loop and C1 measure.
    static let teacher3DModels = ReproductionPart(
        name: "teacher3d-models", regenerates: "The 3D models of [B] and [C] (teacher3d, identity rung), trained",
        sizes: { "teacher3d identity rung: \(cloudRecipe($0).description); vn and mlp" },
        cost: { $0.pick(smoke: 0.2, quick: 6.1, paper: 40) },
        run: { context in
            let summaries = try ReproductionTraining.cloud(
                env: "teacher3d", kinds: [.vn, .mlp], rung: .identity, recipe: cloudRecipe(context.scale), in: context.directory,
                progress: context.progress)
            return PartOutput(
                report: ReportList(summaries) { $0.map(\.text).joined(separator: "\n") },
                files: ["vn", "mlp"].map { PartFile("\($0)/checkpoint.safetensors", kind: .data, caption: "the \($0) checkpoint") })
        })

    /// The teacher3d pair's one-step relMSE on every rung of the SE(3) ladder.
    static let ladder = ReproductionPart(
        name: "ladder", regenerates: "3D world models on the SE(3) ladder [B]", needs: ["teacher3d-models"],
        sizes: {
            let s = ladderSizes($0); return "identity + \(s.elements) samples per rung, \(s.episodes) held-out episodes"
        },
        cost: { $0.pick(smoke: 0.2, quick: 0.3, paper: 12) },
        run: { context in
            BLAS.setThreadCount(1)
            let s = ladderSizes(context.scale)
            let report = try ModelEvaluation.oneStep(
                checkpoints: teacher3DCheckpoints(context),
                settings: .init(elements: s.elements, episodes: s.episodes, dataSeed: nil, groupSeed: 7, data: nil))
            return try plotted(report, in: context, caption: "one-step relMSE per rung of the SE(3) ladder")
        })

    /// A report with its plot saved as `plot.png`.
    static func plotted(_ report: some PlottedReport, in context: PartContext, caption: String) throws -> PartOutput {
        try PNG.write(report.plot.render(), to: context.file("plot.png"))
        return PartOutput(report: report, files: [PartFile("plot.png", kind: .image, caption: caption)])
    }

    static func planningPair() throws -> [String] {
        [try DefaultModel.url(DefaultModel.relativePath).path, try DefaultModel.url(DefaultModel.baselinePath).path]
    }

    static func teacher3DCheckpoints(_ context: PartContext) -> [String] {
        ["vn", "mlp"].map { context.input("teacher3d-models", "\($0)/checkpoint.safetensors").path }
    }

    static func evaluationSizes(_ scale: ReproductionScale) -> (elements: Int, episodes: Int) {
        scale.pick(smoke: (2, 2), quick: (8, 20), paper: (16, 150))
    }

    static func evaluationSettings(_ scale: ReproductionScale) -> ModelEvaluation.Settings {
        let s = evaluationSizes(scale)
        return .init(elements: s.elements, episodes: s.episodes, dataSeed: nil, groupSeed: 7, data: nil)
    }

    static func ladderSizes(_ scale: ReproductionScale) -> (elements: Int, episodes: Int) {
        scale.pick(smoke: (2, 2), quick: (8, 20), paper: (64, 100))
    }

    static func stressRecipe(_ scale: ReproductionScale) -> ReproductionTraining.Recipe {
        scale.pick(
            smoke: .init(episodes: 10, stepsPerEpisode: 5, steps: 3), quick: .init(episodes: 300, stepsPerEpisode: 20, steps: 600),
            paper: .init(episodes: 1000, stepsPerEpisode: 20, steps: 10000))
    }

    static func stressModels(_ scale: ReproductionScale) -> [(name: String, kind: ModelKind, scale: Int)] {
        let base: [(name: String, kind: ModelKind, scale: Int)] = [
            ("vn", .vn, 4), ("mlp", .mlp, 4), ("mlp-aug", .mlpAug, 4), ("mlp-soft", .mlpSoft, 4), ("mlp-big-4x", .mlpBig, 4),
        ]
        return scale == .paper ? base + [("mlp-big-16x", .mlpBig, 16)] : base
    }

    static func cloudRecipe(_ scale: ReproductionScale) -> ReproductionTraining.Recipe {
        scale.pick(
            smoke: .init(episodes: 10, stepsPerEpisode: 5, steps: 3), quick: .init(episodes: 200, stepsPerEpisode: 20, steps: 500),
            paper: .init(episodes: 800, stepsPerEpisode: 20, steps: 3000))
    }
}
