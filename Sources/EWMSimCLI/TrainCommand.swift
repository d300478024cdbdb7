import ArgumentParser
import EWMIO
import Envs
import Foundation
import Tensor
import Train

extension ModelKind: ExpressibleByArgument {}
extension Regularizer: ExpressibleByArgument {}

/// `ewm-sim train`: JEPA training of a latent world model on a slice of orientations.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a latent world model (vn, mlp, mlp-aug, mlp-soft, mlp-big) on a slice of orientations.",
        discussion: """
            Loss: relMSE(f(E(o), a), sg(E_ema(o'))) + regulariser (vicreg | sigreg | block-sigreg); Muon on hidden
            matrices + AdamW, warm-up then cosine decay; EMA target encoder. Seeded: the same command gives the same
            weights. Data: collected in memory from the collection flags (orientations = the slice), or --data DIR
            (shards from `ewm-sim collect`). Writes OUT/checkpoint.safetensors (atomically, every
            --checkpoint-every steps and at the end), OUT/metrics.jsonl (one JSON object per logged step) and
            OUT/summary.json. --resume continues from OUT/checkpoint.safetensors with the same flags.
            Negative slice bounds need `=`: --slice=-15:15 (or --slice 15).
            """)

    @Option(help: "Env: any registered env with world-model adapters (pusht, teacher2d, teacher3d, ...; 3D: see --slice).") var env: String = "pusht"
    @Option(help: "Model: vn, mlp, mlp-aug, mlp-soft, mlp-big.") var model: ModelKind = .vn
    @Option(
        name: .customLong("slice"),
        help:
            "Training slice: orientations in degrees (lo:hi, or w for -w:w; default 15); 3D envs: a rung of the SE(3) ladder, identity|so2|so3|se3 (default identity)."
    ) var sliceText: String?
    @Option(help: "Optimisation steps.") var steps: Int = 3000
    @Option(help: "Batch size.") var batch: Int = 256
    @Option(help: "Regulariser: vicreg, sigreg, block-sigreg.") var loss: Regularizer = .vicreg
    @Option(help: "Regulariser weight (default: 1 for vicreg, 0.1 for sigreg / block-sigreg).") var regWeight: Double?
    @Option(help: "Muon learning rate (hidden matrices).") var muonLr: Double = 0.02
    @Option(help: "AdamW learning rate (other parameters).") var adamLr: Double = 2e-3
    @Option(help: "Decoupled weight decay.") var weightDecay: Double = 0.1
    @Option(help: "EMA decay of the target encoder.") var ema: Double = 0.99
    @Option(help: "Warm-up steps.") var warmup: Int = 100
    @Option(help: "Seed (weights, batches, data).") var seed: UInt64 = 0
    @Option(help: "mlp-soft: weight of the soft equivariance penalty.") var softWeight: Double = 1
    @Option(help: "mlp-big: parameter factor over the mlp baseline (4 or 16; widths scale by its square root).") var scale: Int = 4
    @Option(help: "Override the MLP width factor (hidden widths = VN widths x this).") var hiddenScale: Int?
    @Option(help: "Encoder widths, comma-separated (MLPs: times their width factor).") var encoderWidths: String = "16,16"
    @Option(help: "Predictor widths, comma-separated (MLPs: times their width factor).") var predictorWidths: String = "32,32"
    @Option(help: "Latent vector channels (the latent is that many 2-vectors).") var latent: Int = 8
    @Option(
        help:
            "VN-LeakyReLU eps in <q,k>/(|k|^2 + eps) (invariant, so exactness is unaffected; it bounds the Float rounding amplification near |k| = 0)."
    ) var vnEps: Double = 1
    @Flag(help: "Residual predictor f(z, a) = z + g(z, a) (any model; still exactly equivariant for vn).") var residual = false
    @Flag(
        help:
            "The latent also carries the observation itself, z = [E(o), o]; the predictor predicts both (any model; still exactly equivariant for vn)."
    ) var observationInLatent = false
    @Option(
        help:
            "vn: use a gated predictor (VNGatedMap): next-latent vectors = combinations of the input vectors with coefficients from an MLP (widths --predictor-widths) of the inner products with this many learned directions."
    ) var gatedDirections: Int?
    @Flag(help: "MLPs: dense layers with biases (default: bias-free, like VN-Linear).") var mlpBias = false
    @Option(help: "Episodes to collect (ignored with --data).") var episodes: Int = 400
    @Option(help: "Steps per collected episode.") var episodeSteps: Int = 50
    @Option(help: "Collection policy: mixed, pusher, random.") var policy: CollectConfig.PolicyKind = .mixed
    @Option(help: "PushT start distribution: goal-region, half-plane or reference.") var start: CollectConfig.Start = .goalRegion
    @Option(help: "PushT goal-region / half-plane start: half-width of the T's angle around pi/4, radians.") var angleSpread: Double = 0.6
    @Option(help: "PushT mixed policy: fraction of uniform random actions.") var randomFraction: Double = 0.25
    @Option(
        help:
            "PushT mixed policy: random actions are the agent's position plus Gaussian noise of this std (px), like a sampling planner's proposals (default: uniform over the box)."
    ) var randomStd: Double?
    @Option(help: "Frames stacked per observation (PushT keypoints carry no velocities: 2 makes the one-step problem well posed).") var history: Int =
        1
    @Flag(
        help:
            "PushT: the observation also holds the previous action as one more point (it carries the agent's velocity, which keypoints do not); planners supply the action they executed last."
    ) var previousAction = false
    @Option(
        help:
            "Env steps each collected action is held for: one model step = this many env steps (DINO-WM: 5). Planners hold each planned action for it."
    ) var frameskip: Int = 1
    @Option(help: "Weight of an extra relMSE on the predicted observation channels alone (needs --observation-in-latent; 0: none).")
    var observationWeight: Double = 0
    @Option(
        help:
            "Rollout (multi-step) loss: unroll the predictor this many steps along recorded episodes and average the relMSE of every step (1: the one-step loss)."
    ) var rolloutSteps: Int = 1
    @Option(help: "Read shards from this directory (from `ewm-sim collect`) instead of collecting.") var data: String?
    @Option(help: "Output directory.") var out: String
    @Flag(help: "Resume from OUT/checkpoint.safetensors.") var resume = false
    @Option(help: "Log every N steps.") var logEvery: Int = 50
    @Option(help: "Checkpoint every N steps.") var checkpointEvery: Int = 500
    @Option(help: "OpenBLAS threads (the machine is shared; default 1).") var threads: Int = 1
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try validateModelEnv(env, frameskip: frameskip, history: history, previousAction: previousAction)
        if CloudLayout.isSupported(env) { _ = try SE3Ladder.Rung.parse(sliceText ?? "identity") } else { _ = try slice }
        guard steps > 0, batch > 1, episodes > 0, episodeSteps > 0 else {
            throw ValidationError("--steps, --episodes, --episode-steps must be positive and --batch at least 2")
        }
        guard logEvery > 0, checkpointEvery > 0, threads > 0 else {
            throw ValidationError("--log-every, --checkpoint-every and --threads must be positive")
        }
        guard scale >= 1 else { throw ValidationError("--scale must be at least 1") }
        if model != .mlpBig && scale != 4 { throw ValidationError("--scale applies to --model mlp-big only") }
        if model != .mlpSoft && softWeight != 1 { throw ValidationError("--soft-weight applies to --model mlp-soft only") }
        if model == .vn && hiddenScale != nil { throw ValidationError("--hidden-scale applies to MLP models only") }
        _ = try Self.widths(encoderWidths, "--encoder-widths")
        _ = try Self.widths(predictorWidths, "--predictor-widths")
        guard rolloutSteps >= 1 else { throw ValidationError("--rollout-steps must be at least 1") }
        guard observationWeight >= 0, observationWeight.isFinite else { throw ValidationError("--observation-weight must be a finite number >= 0") }
        if observationWeight > 0 && !observationInLatent { throw ValidationError("--observation-weight needs --observation-in-latent") }
        guard latent > 0 else { throw ValidationError("--latent must be positive") }
        guard vnEps > 0, vnEps.isFinite else { throw ValidationError("--vn-eps must be positive") }
        guard (1...8).contains(history) else { throw ValidationError("--history must be 1...8") }
        guard CollectConfig.frameskips.contains(frameskip) else { throw ValidationError("--frameskip must be in \(CollectConfig.frameskips)") }
        guard (0...1).contains(randomFraction) else { throw ValidationError("--random-fraction must be in [0, 1]") }
        if let s = randomStd, !(s > 0 && s.isFinite) { throw ValidationError("--random-std must be a positive number") }
        guard angleSpread >= 0, angleSpread.isFinite else { throw ValidationError("--angle-spread must be >= 0") }
        if let k = gatedDirections {
            guard k > 0 else { throw ValidationError("--gated-directions must be positive") }
            guard model == .vn else { throw ValidationError("--gated-directions applies to --model vn") }
        }
        if let h = hiddenScale, h < 1 { throw ValidationError("--hidden-scale must be at least 1") }
    }

    static func widths(_ text: String, _ flag: String) throws -> [Int] {
        let w = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !w.isEmpty, w.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("\(flag): '\(text)' is not a list of positive widths") }
        return w.map { $0! }
    }

    /// The planar slice (2D envs).
    var slice: OrientationSlice {
        get throws {
            guard let sliceText else { return .defaultSlice }
            guard let s = OrientationSlice(argument: sliceText) else {
                throw ValidationError("--slice: '\(sliceText)' is not a slice in degrees (e.g. -15:15 or 15)")
            }
            return s
        }
    }

    func run() throws {
        if CloudLayout.isSupported(env) { return try run3D() }
        let slice = try self.slice
        BLAS.setThreadCount(threads)
        MemoryTuning.retainFreedMemory()
        let layout = try ObservationLayout.forEnv(env, history: history, previousAction: previousAction)
        let spec = try modelOverrides(planar: true).planarSpec(kind: model, points: layout.points, scale: scale)
        let requested = CollectConfig(
            env: env, episodes: episodes, stepsPerEpisode: episodeSteps, policy: policy,
            randomFraction: randomFraction, orientations: slice, seed: seed, start: start,
            angleSpread: angleSpread, history: history, frameskip: frameskip,
            previousAction: previousAction, randomStd: randomStd)
        let (dataset, collect) = try DatasetCompatibility.trainingData(data, requested: requested)
        let config = TrainConfig(
            env: env, model: spec, slice: slice, steps: steps, batch: batch, regularizer: loss, regWeight: regWeight,
            muonLearningRate: muonLr, adamLearningRate: adamLr, weightDecay: weightDecay, emaDecay: ema, warmup: warmup,
            seed: seed, softWeight: softWeight, collect: collect, dataDirectory: data, rolloutSteps: rolloutSteps,
            observationWeight: observationWeight)
        let trainer = try JEPATrainer(config: config, data: dataset)
        try trainAndReport(trainer, transitions: dataset.count, description: "slice \(slice)")
    }

    /// The architecture flags (the predictor variants only for planar models).
    func modelOverrides(planar: Bool) throws -> ModelOverrides {
        ModelOverrides(
            hiddenScale: hiddenScale, eps: vnEps, mlpBias: mlpBias,
            encoderWidths: try Self.widths(encoderWidths, "--encoder-widths"),
            predictorWidths: try Self.widths(predictorWidths, "--predictor-widths"), latentChannels: latent,
            residual: planar && residual, observationInLatent: planar && observationInLatent,
            gatedDirections: planar ? gatedDirections : nil)
    }

    /// Trains `trainer` to --steps in --out (`TrainingRun`), with a progress line; prints the summary
    /// (`description` names the slice or rung).
    func trainAndReport(_ trainer: some ResumableTrainer, transitions: Int, description: String) throws {
        var args = CommandLine.arguments
        if !args.isEmpty { args[0] = "ewm-sim" }
        let command = args.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        let run = TrainingRun(
            directory: URL(fileURLWithPath: out), steps: steps, resume: resume, logEvery: logEvery,
            checkpointEvery: checkpointEvery, command: command, env: env, model: model.rawValue)
        let progress = ProgressLine(label: "train \(model.rawValue)", total: steps, enabled: !output.json)
        let summary = try run.run(trainer, transitions: transitions) {
            progress.update($0.step, detail: String(format: "loss %.4g pred %.4g", $0.loss, $0.prediction))
        }
        progress.finish()
        if output.json { return try printJSON(summary) }
        print(
            "\(model.rawValue) on \(env), \(description): \(summary.parameters) parameters, \(transitions) transitions, \(summary.steps) steps in \(fmt(summary.seconds, 1)) s"
        )
        if let last = summary.last {
            print(
                "final loss \(String(format: "%.4g", last.loss)) (prediction relMSE \(String(format: "%.4g", last.prediction)), regulariser \(String(format: "%.4g", last.regularizer)))"
            )
        }
        print("checkpoint: \(summary.checkpoint)")
    }
}
