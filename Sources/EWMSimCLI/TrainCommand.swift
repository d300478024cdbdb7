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

    @Option(help: "Env: any registered env with world-model adapters (pusht, teacher2d, teacher3d, push3d, push3d-multi, ...; 3D: see --slice).")
    var env: String = "pusht"
    @Option(help: "Model: vn, mlp, mlp-aug, mlp-soft, mlp-big.") var model: ModelKind = .vn
    @Option(help: "Optimisation steps.") var steps: Int = 3000
    @Option(help: "Batch size.") var batch: Int = 256
    @Option(help: "Regulariser: vicreg, sigreg, block-sigreg.") var loss: Regularizer = .vicreg
    @Option(help: "Regulariser weight (default: 1 for vicreg, 0.1 for sigreg / block-sigreg).") var regWeight: Double?
    @Option(help: "Muon learning rate (hidden matrices).") var muonLr: Double = 0.02
    @Option(help: "AdamW learning rate (other parameters).") var adamLr: Double = 2e-3
    @Option(help: "Decoupled weight decay.") var weightDecay: Double = 0.1
    @Option(help: "EMA decay of the target encoder.") var ema: Double = 0.99
    @Option(help: "Warm-up steps.") var warmup: Int = 100
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
    @Option(
        help:
            "vn: use a degree-ladder predictor (VNDegreeLadder) with this many rungs L: exactly equivariant, polynomial, its gain of degree 2L (width: the first --predictor-widths)."
    ) var ladderLayers: Int?
    @Flag(help: "MLPs: dense layers with biases (default: bias-free, like VN-Linear).") var mlpBias = false
    @Flag(
        help:
            "Planar worlds with an agent (PushT): the model sees each action relative to the agent, a - agent (as DINO-WM's actions are); planners then plan these offsets. 3D models always see offsets from their reference point."
    ) var relativeActions = false
    @Option(help: "3D worlds: weight of the origin channel (where the cloud is) in the model's input (default 1).") var originWeight: Double?
    @OptionGroup var collection: CollectionOptions
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
    @Option(
        help: """
            Threads (default 1: OpenBLAS on one thread, the rounding of the checkpoints in assets/). With more, each \
            large product is split across them and Float products run on ewm-sim's FMA-chain kernel: faster, the same \
            numbers at any thread count above one, not the one-thread numbers.
            """)
    var threads: Int = 1
    @OptionGroup var output: OutputOptions

    func validate() throws {
        try collection.validate(env: env)
        guard steps > 0, batch > 1 else {
            throw ValidationError("--steps must be positive and --batch at least 2")
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
        if relativeActions && CloudLayout.isSupported(env) {
            throw ValidationError("--relative-actions is for planar worlds: 3D models already see offsets from their reference point")
        }
        guard vnEps > 0, vnEps.isFinite else { throw ValidationError("--vn-eps must be positive") }
        if let k = gatedDirections {
            guard k > 0 else { throw ValidationError("--gated-directions must be positive") }
            guard model == .vn else { throw ValidationError("--gated-directions applies to --model vn") }
        }
        if let l = ladderLayers {
            guard l >= 0 else { throw ValidationError("--ladder-layers must be >= 0") }
            guard model == .vn, gatedDirections == nil else {
                throw ValidationError("--ladder-layers applies to --model vn without --gated-directions")
            }
        }
        if let h = hiddenScale, h < 1 { throw ValidationError("--hidden-scale must be at least 1") }
    }

    static func widths(_ text: String, _ flag: String) throws -> [Int] {
        let w = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !w.isEmpty, w.allSatisfy({ ($0 ?? 0) > 0 }) else { throw ValidationError("\(flag): '\(text)' is not a list of positive widths") }
        return w.map { $0! }
    }

    func run() throws {
        Compute.setThreadCount(threads)
        MemoryTuning.retainFreedMemory()
        let (trainer, transitions, slice) = CloudLayout.isSupported(env) ? try cloudTrainer() : try planarTrainer()
        var args = CommandLine.arguments
        if !args.isEmpty { args[0] = "ewm-sim" }
        let run = TrainingRun(
            directory: URL(fileURLWithPath: out), steps: steps, resume: resume, logEvery: logEvery, checkpointEvery: checkpointEvery,
            command: args.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " "), env: env, model: model.rawValue, slice: slice)
        let progress = ProgressLine(label: "train \(model.rawValue)", total: steps, enabled: !output.json)
        let summary = try run.run(trainer, transitions: transitions) {
            progress.update($0.step, detail: String(format: "loss %.4g pred %.4g", $0.loss, $0.prediction))
        }
        progress.finish()
        try emit(summary, json: output.json)
    }

    /// A planar model's trainer on the data of the flags (collected, or read from --data), and the slice's name.
    func planarTrainer() throws -> (any ResumableTrainer, Int, String) {
        let c = collection
        let layout = try ObservationLayout.forEnv(
            env, history: c.history, previousAction: c.previousAction, relativeActions: relativeActions, agentVelocity: c.agentVelocity)
        let spec = try modelOverrides(planar: true).planarSpec(kind: model, points: layout.points, scale: scale)
        let (dataset, collect) = try DatasetCompatibility.trainingData(data, requested: try c.planarConfig(env: env))
        let config = TrainConfig(
            env: env, model: spec, slice: try c.slice, steps: steps, batch: batch, regularizer: loss, regWeight: regWeight,
            muonLearningRate: muonLr, adamLearningRate: adamLr, weightDecay: weightDecay, emaDecay: ema, warmup: warmup,
            seed: c.seed, softWeight: softWeight, collect: collect, dataDirectory: data, rolloutSteps: rolloutSteps,
            observationWeight: observationWeight, relativeActions: relativeActions)
        return (try JEPATrainer(config: config, data: dataset), dataset.count, config.sliceName)
    }

    /// A 3D cloud model's trainer (the slice is a rung of the SE(3) ladder), and the rung's name.
    func cloudTrainer() throws -> (any ResumableTrainer, Int, String) {
        let layout = try CloudLayout.forEnv(env)
        let spec = try modelOverrides(planar: false).cloudSpec(kind: model, points: layout.channels, scale: scale)
        let (dataset, collect) = try DatasetCompatibility.trainingData(data, requested: try collection.cloudConfig(env: env))
        let config = Train3DConfig(
            env: env, model: spec, rung: try collection.rung, steps: steps, batch: batch, regularizer: loss, regWeight: regWeight,
            muonLearningRate: muonLr, adamLearningRate: adamLr, weightDecay: weightDecay, emaDecay: ema,
            warmup: warmup, seed: collection.seed, collect: collect, dataDirectory: data, originWeight: originWeight,
            observationWeight: observationWeight)
        return (try CloudJEPATrainer(config: config, data: dataset), dataset.count, config.sliceName)
    }

    /// The architecture flags (the gated predictor only for planar models).
    func modelOverrides(planar: Bool) throws -> ModelOverrides {
        ModelOverrides(
            hiddenScale: hiddenScale, eps: vnEps, mlpBias: mlpBias,
            encoderWidths: try Self.widths(encoderWidths, "--encoder-widths"),
            predictorWidths: try Self.widths(predictorWidths, "--predictor-widths"), latentChannels: latent,
            residual: residual, observationInLatent: observationInLatent,
            gatedDirections: planar ? gatedDirections : nil, ladderLayers: ladderLayers)
    }
}
