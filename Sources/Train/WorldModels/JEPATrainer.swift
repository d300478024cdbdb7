import Agents
import EWMIO
import Envs
import Foundation
import Tensor

/// Anti-collapse regulariser of the JEPA loss.
public enum Regularizer: String, Codable, CaseIterable, Sendable {
    /// VICReg variance hinge (eps 1e-4) and covariance off-diagonals on the per-channel latent norms (invariant).
    case vicreg
    /// LeJEPA's SIGReg on the flattened latent (64 random slices per step).
    case sigreg
    /// Block-SIGReg: one scale per isotypic block (here the single vector block), then SIGReg.
    case blockSigreg = "block-sigreg"

    public var defaultWeight: Double { self == .vicreg ? 1 : 0.1 }

    /// The regularizer's loss on latents z [B, d, L] of representation `rep` (SIGReg's random slices from `rng`).
    public func loss(_ z: Variable<Float>, rep: Rep, using rng: inout Xoshiro256) -> Variable<Float> {
        switch self {
        case .vicreg:
            let (v, c) = Loss.vicreg(Loss.vectorNorms(z))
            return v + c
        case .sigreg:
            let b = z.shape[0]
            return Loss.sigreg(z.reshaped([b, z.value.count / b]), using: &rng)
        case .blockSigreg:
            return Loss.blockSIGReg(Features(vectors: z), rep: rep, using: &rng)
        }
    }
}

/// Everything that determines a training run (stored in the checkpoint; `--resume` requires it unchanged).
public struct TrainConfig: Codable, Equatable, Sendable {
    public var env: String
    public var model: ModelSpec
    public var slice: OrientationSlice
    public var steps: Int
    public var batch: Int
    public var regularizer: Regularizer
    public var regWeight: Double
    public var muonLearningRate: Double
    public var adamLearningRate: Double
    public var weightDecay: Double
    public var emaDecay: Double
    public var warmup: Int
    public var seed: UInt64
    /// Weight of the soft equivariance penalty (mlp-soft).
    public var softWeight: Double
    /// The data: collected in memory from this config unless `dataDirectory` is set.
    public var collect: CollectConfig
    public var dataDirectory: String?
    /// Multi-step (rollout) prediction loss: the predictor is unrolled this many steps from E(o_t) with the
    /// recorded actions and every step k is compared with E_ema(o_t+k) (mean of the k relMSEs). nil or 1: the
    /// one-step loss (the original behaviour; old checkpoints have no such field).
    public var rolloutSteps: Int?
    public var horizon: Int { max(1, rolloutSteps ?? 1) }
    /// Weight of an extra relMSE on the latent's observation channels alone (models with z = [E(o), o]): the
    /// prediction of the observation itself, which the whole-latent relMSE dilutes among the learned channels.
    /// nil or 0: none (old checkpoints have no such field).
    public var observationWeight: Double?
    /// The model sees actions relative to the agent (`ObservationLayout.actionOrigin`). nil: the env's own actions (old
    /// checkpoints have no such field).
    public var relativeActions: Bool?

    public init(
        env: String, model: ModelSpec, slice: OrientationSlice = .defaultSlice, steps: Int = 3000, batch: Int = 256,
        regularizer: Regularizer = .vicreg, regWeight: Double? = nil, muonLearningRate: Double = 0.02,
        adamLearningRate: Double = 2e-3, weightDecay: Double = 0.1, emaDecay: Double = 0.99, warmup: Int = 100,
        seed: UInt64 = 0, softWeight: Double = 1, collect: CollectConfig, dataDirectory: String? = nil, rolloutSteps: Int? = nil,
        observationWeight: Double? = nil, relativeActions: Bool = false
    ) {
        self.env = env; self.model = model; self.slice = slice; self.steps = steps; self.batch = batch
        self.regularizer = regularizer; self.regWeight = regWeight ?? regularizer.defaultWeight
        self.muonLearningRate = muonLearningRate; self.adamLearningRate = adamLearningRate; self.weightDecay = weightDecay
        self.emaDecay = emaDecay; self.warmup = warmup; self.seed = seed; self.softWeight = softWeight
        self.collect = collect; self.dataDirectory = dataDirectory
        self.rolloutSteps = rolloutSteps.flatMap { $0 == 1 ? nil : $0 }
        self.observationWeight = observationWeight.flatMap { $0 == 0 ? nil : $0 }
        self.relativeActions = relativeActions ? true : nil
    }

    public func validate() throws {
        guard steps > 0, batch > 1 else { throw DataError("steps must be positive and batch at least 2") }
        guard [muonLearningRate, adamLearningRate, weightDecay, regWeight, softWeight].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw DataError("learning rates and weights must be finite and non-negative")
        }
        guard (0..<1).contains(emaDecay) else { throw DataError("EMA decay must be in [0, 1)") }
        guard warmup >= 0 else { throw DataError("warm-up must be non-negative") }
        try validateObservationWeight()
        if let k = rolloutSteps {
            guard k >= 1 else { throw DataError("rollout steps must be at least 1") }
            guard k == 1 || model.kind == .vn || model.kind == .mlp || model.kind == .mlpBig else {
                throw DataError("the rollout loss supports vn, mlp and mlp-big (not the augmented or soft-penalty baselines)")
            }
        }
        try model.config.validate()
        try collect.validate()
    }
}

/// One logged step.
public struct TrainMetrics: Codable, Sendable {
    public var step: Int
    public var loss: Double
    public var prediction: Double
    public var regularizer: Double
    public var soft: Double?
    public var lrFactor: Double
    public var seconds: Double
}

extension TrainConfig: LayoutTrainingConfig {
    public typealias Layout = ObservationLayout
    public var frameskip: Int { collect.frameskip }
    public var nameTag: String { "" }
    public var sliceName: String { slice.description }
    /// Planar elements are [theta].
    public func sliceContains(_ coordinates: [Double]) -> Bool { coordinates.count == 1 && slice.contains(coordinates[0]) }
    public func inputLayout() throws -> ObservationLayout {
        try ObservationLayout.forEnv(
            env, history: collect.history, previousAction: collect.previousAction, relativeActions: relativeActions ?? false,
            agentVelocity: collect.agentVelocity)
    }
}

/// The 2D trainer: `LayoutJEPATrainer` on an `ObservationLayout` (format "ewm-world-model/1", keys "layout"/"train").
public typealias JEPATrainer = LayoutJEPATrainer<ObservationLayout>

/// JEPA training of a world model on any input layout: loss = relMSE(f(E(o), a), sg(E_ema(o'))) + w * regulariser(E(o))
/// [+ soft penalty]; Muon on hidden matrices and AdamW on the rest (warm-up, then cosine decay to 5%), then the EMA
/// update of the target encoder. Every step's randomness (batch indices, augmentation draws, SIGReg slices) comes from
/// a generator seeded by (seed, step), so a run resumed from a checkpoint continues exactly as an uninterrupted one.
/// The layout says how rows become tensors, what the model's actions are (2D: raw, 3D: offsets from the reference
/// point), how `mlp-aug` and `mlp-soft` draw their group elements, and the checkpoint's format and metadata keys.
public final class LayoutJEPATrainer<Layout: ModelInputLayout> {
    public typealias Config = Layout.TrainingConfig
    public let config: Config
    public let layout: Layout
    public let data: TransitionSet
    /// The data's actions as model actions (`ModelInputLayout.modelActions`), precomputed.
    let modelActions: [Double]
    public let online: WorldNet<Float>
    public let target: WorldNet<Float>
    public let optimizer: MuonAdamW<Float>
    let ema: EMA<Float>
    /// With a rollout loss: the transitions that start `horizon` consecutive steps of one episode.
    let rolloutStarts: [Int]
    /// [L, C] 0/1 matrix picking the latent's C observation channels (with an observation weight).
    let observationPick: Variable<Float>?
    public private(set) var step = 0

    public static var format: String { Layout.checkpointKind.format }

    public init(config: Config, data: TransitionSet) throws {
        try config.validate()
        guard data.count > 0 else { throw DataError("no training transitions") }
        self.config = config
        layout = try config.inputLayout()
        guard data.observationSize == layout.observationSize, data.actionSize == layout.actionSize else {
            throw DataError(
                "data has \(data.observationSize)-number observations and \(data.actionSize)-number actions; \(config.env) needs \(layout.observationSize) and \(layout.actionSize)"
            )
        }
        guard config.model.config.inputChannels == layout.inputChannels else {
            throw DataError(layout.channelMismatch(model: config.model.config.inputChannels))
        }
        let os = layout.originSize
        if os > 0 {
            guard data.origins.isEmpty || data.origins.count == os * data.count else {
                throw DataError("data has \(data.origins.count / os) origins for \(data.count) transitions")
            }
        }
        self.data = data
        modelActions = layout.modelActions(data.actions, observations: data.observations, batch: data.count)
        online = WorldNet<Float>(config.model, seed: config.seed)
        online.setTrainable(true)
        target = online.copy(as: Float.self, trainable: false)
        optimizer = MuonAdamW(
            namedParameters: online.namedParameters, muonLearningRate: config.muonLearningRate,
            adamLearningRate: config.adamLearningRate, weightDecay: config.weightDecay)
        ema = EMA(source: online.encoderParameters, target: target.encoderParameters, decay: config.emaDecay)
        rolloutStarts = config.horizon > 1 ? data.rolloutStarts(horizon: config.horizon) : []
        if config.observationWeight != nil {
            let l = config.model.config.latentWidth, c = config.model.config.inputChannels
            var m = [Float](repeating: 0, count: l * c)
            for j in 0..<c { m[(l - c + j) * c + j] = 1 }
            observationPick = Variable(try Tensor(shape: [l, c], scalars: m))
        } else {
            observationPick = nil
        }
        if config.horizon > 1 && rolloutStarts.isEmpty {
            throw DataError("no \(config.horizon) consecutive transitions of one episode in the data for the rollout loss")
        }
    }

    var schedule: LRSchedule { .warmupCosine(warmup: config.warmup, total: config.steps, minFactor: 0.05) }

    static func stepSeed(_ seed: UInt64, _ step: Int) -> UInt64 {
        var s = Xoshiro256(seed: seed ^ 0xA076_1D64_78BD_642F)
        return s.next() &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Model action rows and world-origin rows (zeros where the data has none; empty for layouts without origins) of
    /// transitions `indices`.
    func gatherInputs(_ indices: [Int]) -> (actions: [Double], origins: [Double]) {
        let s = layout.actionSize, os = layout.originSize
        var a = [Double](), w = [Double]()
        a.reserveCapacity(s * indices.count); w.reserveCapacity(os * indices.count)
        for i in indices {
            a += modelActions[s * i..<s * i + s]
            if os > 0 { w += data.origins.isEmpty ? [Double](repeating: 0, count: os) : Array(data.origins[os * i..<os * i + os]) }
        }
        return (a, w)
    }

    func points(_ obs: [Double], origins: [Double]) -> Variable<Float> {
        Variable(layout.pointsTensor(obs, batch: config.batch, origins: origins, as: Float.self))
    }

    func actions(_ a: [Double]) -> Variable<Float> { Variable(layout.actionTensor(a, batch: config.batch, as: Float.self)) }

    /// relMSE(p, goal), plus w * relMSE over the latent's observation channels alone with an observation weight (the
    /// last `inputChannels` of [B, d, L], picked by a constant 0/1 channel map, so the term stays invariant).
    func predictionLoss(_ p: Variable<Float>, _ goal: Variable<Float>) -> Variable<Float> {
        let whole = Loss.relativeMSE(p, goal)
        guard let w = config.observationWeight, let pick = observationPick else { return whole }
        let b = p.shape[0], d = p.shape[1], l = p.shape[2], c = pick.shape[1]
        func observed(_ z: Variable<Float>) -> Variable<Float> { z.reshaped([b * d, l]).matmul(pick).reshaped([b, d, c]) }
        return whole + w * Loss.relativeMSE(observed(p), observed(goal))
    }

    /// One optimisation step; returns the metrics of the loss before the update.
    @discardableResult
    public func trainStep() -> TrainMetrics {
        let t0 = Date()
        var rng = Xoshiro256(seed: Self.stepSeed(config.seed, step))
        let factor = schedule.factor(at: step)
        optimizer.muon.learningRate = config.muonLearningRate * factor
        optimizer.adamW.learningRate = config.adamLearningRate * factor
        let b = config.batch
        if config.horizon > 1 { return rolloutStep(rng: &rng, factor: factor, start: t0) }
        let indices = (0..<b).map { _ in Int(rng.next() % UInt64(data.count)) }
        var (o, _, n) = data.gather(indices)
        var (a, w) = gatherInputs(indices)
        if config.model.kind == .mlpAug {
            layout.augment(observations: &o, next: &n, actions: &a, origins: w, batch: b, using: &rng)
        }
        let z = online.encode(points(o, origins: w))
        let p = online.predict(z, action: actions(a))
        let goal = target.encode(points(n, origins: w))
        let prediction = predictionLoss(p, goal)
        let reg = config.regularizer.loss(z, rep: config.model.latentRep, using: &rng)
        var total = prediction + config.regWeight * reg
        var softValue: Double?
        if config.model.kind == .mlpSoft && config.softWeight > 0,
            let orbit = layout.softOrbit(observations: o, actions: a, batch: b, using: &rng)
        {
            let gz = online.encode(points(orbit.observations, origins: w))
            let gp = online.predict(gz, action: actions(orbit.actions))
            let soft = Loss.relativeMSE(gz, orbit.actOnLatents(z)) + Loss.relativeMSE(gp, orbit.actOnLatents(p))
            softValue = Double(soft.value.scalar)
            total = total + config.softWeight * soft
        }
        update(total)
        return TrainMetrics(
            step: step, loss: Double(total.value.scalar), prediction: Double(prediction.value.scalar),
            regularizer: Double(reg.value.scalar), soft: softValue, lrFactor: factor,
            seconds: Date().timeIntervalSince(t0))
    }

    /// One step of the multi-step loss: mean over k = 1..H of relMSE(f^k(E(o_t), a_t..a_t+k-1), sg(E_ema(o_t+k))).
    private func rolloutStep(rng: inout Xoshiro256, factor: Double, start t0: Date) -> TrainMetrics {
        let b = config.batch, h = config.horizon
        let starts = (0..<b).map { _ in rolloutStarts[Int(rng.next() % UInt64(rolloutStarts.count))] }
        let (o, _, _) = data.gather(starts)
        let z = online.encode(points(o, origins: gatherInputs(starts).origins))
        var p = z
        var prediction: Variable<Float>?
        for k in 0..<h {
            let rows = starts.map { $0 + k }
            let (_, _, n) = data.gather(rows)
            let (a, w) = gatherInputs(rows)
            p = online.predict(p, action: actions(a))
            let goal = target.encode(points(n, origins: w))
            let term = predictionLoss(p, goal)
            prediction = prediction.map { $0 + term } ?? term
        }
        let predictionMean = (1.0 / Double(h)) * prediction!
        let reg = config.regularizer.loss(z, rep: config.model.latentRep, using: &rng)
        let total = predictionMean + config.regWeight * reg
        update(total)
        return TrainMetrics(
            step: step, loss: Double(total.value.scalar), prediction: Double(predictionMean.value.scalar),
            regularizer: Double(reg.value.scalar), soft: nil, lrFactor: factor, seconds: Date().timeIntervalSince(t0))
    }

    /// Backward pass, optimiser and EMA updates, step count.
    private func update(_ total: Variable<Float>) {
        online.zeroGrad()
        total.backward()
        optimizer.step()
        ema.update()
        step += 1
    }

    // MARK: checkpoints

    /// Model, EMA target, optimiser state and the run's layout and config (under the layout's keys) as safetensors contents.
    public func checkpoint(command: String, extra: [String: String] = [:]) throws -> SafeTensors {
        var metadata = extra
        metadata["model"] = try jsonString(config.model)
        metadata[Layout.checkpointKind.layoutKey] = try jsonString(layout)
        metadata[Layout.checkpointKind.trainKey] = try jsonString(config)
        return trainingState.checkpoint(format: Self.format, step: step, seed: config.seed, command: command, metadata: metadata)
    }

    /// Writes the checkpoint atomically.
    public func save(to url: URL, command: String, extra: [String: String] = [:]) throws {
        try checkpoint(command: command, extra: extra).write(to: url)
    }

    /// Restores model, target, optimiser and step from a checkpoint of the same config.
    public func resume(from state: SafeTensors) throws {
        let kind = Layout.checkpointKind
        guard state.metadata["format"] == kind.format else { throw SafeTensorsError.invalidHeader(kind.notThisKind) }
        let saved = try decodeJSON(Config.self, state.metadata[kind.trainKey], what: kind.trainKey)
        guard saved == config else {
            let differences = try ConfigDifference.lines(stored: saved, requested: config)
            throw DataError("--resume needs the flags the checkpoint was trained with; these differ:\n  " + differences.joined(separator: "\n  "))
        }
        step = try trainingState.restore(from: state)
    }

    private var trainingState: JEPATrainingState { JEPATrainingState(online: online, target: target, optimizer: optimizer) }
}

func jsonString<T: Encodable>(_ value: T) throws -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return String(decoding: try e.encode(value), as: UTF8.self)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?, what: String) throws -> T {
    guard let text else { throw SafeTensorsError.invalidHeader("no '\(what)' in __metadata__") }
    do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
        throw SafeTensorsError.invalidHeader("'\(what)' in __metadata__ is unreadable: \(error)")
    }
}
