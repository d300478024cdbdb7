import ArgumentParser
import EWMIO
import Foundation
import Tensor
import Train

/// `ewm-sim experiment degree-ladder` (issue 17, experiment 4).
struct DegreeLadder: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "degree-ladder",
        abstract:
            "The degree-ladder predictor: one-step and rollout error, exactness residual and measured degree against L, beside the VN predictors.",
        discussion: """
            Per env (default teacher3d and pusht, any env with world-model adapters), trains in memory one world model per
            predictor on the same collected data with the same VN encoder: the degree ladder with L rungs (its gain a
            polynomial of degree d_max(L) = 2L; L = 0 is linear) for each --layers, and the VN-stack and gated predictors.
            Reports relMSE one step and along open-loop rollouts on held-out canonical transitions, the predictor's
            equivariance residual on held-out latents (Float, Double), and the trained ladder's degree fitted along a ray.
            """)

    @Option(help: "Envs, comma-separated.") var envs: String = "teacher3d,pusht"
    @Option(help: "Ladder rungs L, comma-separated.") var layers: String = "0,1,2,3"
    @Flag(help: "Leave out the VN-stack and gated predictors.") var noBaselines = false
    @Option(help: "Training episodes per env.") var episodes: Int = 200
    @Option(help: "Transitions per episode.") var episodeSteps: Int = 20
    @Option(help: "Held-out episodes per env.") var heldOutEpisodes: Int = 20
    @Option(help: "Optimisation steps per model.") var steps: Int = 2000
    @Option(help: "Batch size.") var batch: Int = 128
    @Option(help: "Rollout horizon H (errors at 1 ... H).") var horizon: Int = 5
    @Option(help: "Seed (data, weights, batches).") var seed: UInt64 = 0
    @Option(help: "Write a PNG plot of the errors against L here.") var plot: String?
    @Option(help: "OpenBLAS threads (the machine is shared; default 1).") var threads: Int = 1
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !envList.isEmpty else { throw ValidationError("--envs: give at least one env") }
        guard let l = layerList, !l.isEmpty, l.allSatisfy({ (0...6).contains($0) }) else {
            throw ValidationError("--layers: '\(layers)' is not a list of rung counts in 0...6")
        }
        guard episodes > 0, episodeSteps >= horizon, heldOutEpisodes > 0 else {
            throw ValidationError("--episodes and --held-out-episodes must be positive and --episode-steps at least --horizon")
        }
        guard steps > 0, batch > 1, horizon >= 1, threads > 0 else {
            throw ValidationError("--steps, --horizon and --threads must be positive, --batch >= 2")
        }
        if let plot, !plot.lowercased().hasSuffix(".png") { throw ValidationError("--plot must name a .png file") }
    }

    var envList: [String] { envs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    var layerList: [Int]? {
        let v = layers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return v.contains(nil) ? nil : v.map { $0! }
    }

    func run() throws {
        BLAS.setThreadCount(threads)
        var s = DegreeLadderExperiment.Settings(envs: envList)
        (s.layers, s.baselines, s.episodes, s.episodeSteps) = (layerList!, !noBaselines, episodes, episodeSteps)
        (s.heldOutEpisodes, s.steps, s.batch, s.horizon, s.seed) = (heldOutEpisodes, steps, batch, horizon, seed)
        let models = s.envs.count * (s.layers.count + (s.baselines ? 2 : 0))
        let progress = ProgressLine(label: "degree-ladder", total: models, enabled: !output.json)
        var done = 0
        let report = try DegreeLadderExperiment.run(s) { message in
            progress.update(done, detail: message)
            done += 1
        }
        progress.finish()
        if let plot { try PNG.write(report.plot.render(), to: URL(fileURLWithPath: plot)) }
        try emit(report, json: output.json)
        if let plot, !output.json { print("plot: \(plot)") }
    }
}
