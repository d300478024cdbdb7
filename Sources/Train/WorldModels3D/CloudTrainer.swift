import Agents
import EWMIO
import Envs
import Foundation

import Tensor

/// Everything that determines a 3D training run (stored in the checkpoint; `--resume` requires it unchanged).
public struct Train3DConfig: Codable, Equatable, Sendable {
    public var env: String
    public var model: ModelSpec
    /// The training slice: a rung of the SE(3) ladder (the data's collection rung).
    public var rung: SE3Ladder.Rung
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
    public var collect: Collect3DConfig
    public var dataDirectory: String?

    public init(env: String, model: ModelSpec, rung: SE3Ladder.Rung, steps: Int = 3000, batch: Int = 256, regularizer: Regularizer = .vicreg,
                regWeight: Double? = nil, muonLearningRate: Double = 0.02, adamLearningRate: Double = 2e-3, weightDecay: Double = 0.1,
                emaDecay: Double = 0.99, warmup: Int = 100, seed: UInt64 = 0, collect: Collect3DConfig, dataDirectory: String? = nil) {
        self.env = env; self.model = model; self.rung = rung; self.steps = steps; self.batch = batch
        self.regularizer = regularizer; self.regWeight = regWeight ?? regularizer.defaultWeight
        self.muonLearningRate = muonLearningRate; self.adamLearningRate = adamLearningRate; self.weightDecay = weightDecay
        self.emaDecay = emaDecay; self.warmup = warmup; self.seed = seed; self.collect = collect; self.dataDirectory = dataDirectory
    }

    public func validate() throws {
        guard steps > 0, batch > 1 else { throw DataError("steps must be positive and batch at least 2") }
        guard [muonLearningRate, adamLearningRate, weightDecay, regWeight].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw DataError("learning rates and weights must be finite and non-negative")
        }
        guard (0..<1).contains(emaDecay), warmup >= 0 else { throw DataError("EMA decay must be in [0, 1) and warm-up >= 0") }
        guard model.config.dim == 3 else { throw DataError("3D training needs a model of dim 3") }
        guard model.kind != .mlpSoft else { throw DataError("mlp-soft is not implemented for the 3D worlds (vn, mlp, mlp-aug, mlp-big)") }
        try model.config.validate()
        try collect.validate()
    }
}

extension ModelSpec {
    /// The 3D defaults: `defaults(kind:points:scale:)` on 3-vectors.
    public static func defaults3D(kind: ModelKind, points: Int, scale: Int = 4) -> ModelSpec {
        var s = defaults(kind: kind, points: points, scale: scale)
        s.config.dim = 3
        return s
    }
}

/// JEPA training of a 3D cloud world model, the 3D sibling of `JEPATrainer` (same loss, optimisers, schedule, EMA
/// and per-step seeding; inputs through `CloudLayout`; `mlp-aug` rotates each sample by a Haar-random R in SO(3)).
public final class CloudJEPATrainer {
    public let config: Train3DConfig
    public let layout: CloudLayout
    public let data: TransitionSet
    /// Offsets a - c of the data's actions, precomputed.
    let offsets: [Double]
    public let online: WorldNet<Float>
    public let target: WorldNet<Float>
    public let optimizer: MuonAdamW<Float>
    let ema: EMA<Float>
    public private(set) var step = 0

    public static let format = "ewm-world-model-3d/1"

    public init(config: Train3DConfig, data: TransitionSet) throws {
        try config.validate()
        guard data.count > 0 else { throw DataError("no training transitions") }
        self.config = config
        layout = try CloudLayout.forEnv(config.env)
        guard data.observationSize == layout.observationSize, data.actionSize == layout.actionSize else {
            throw DataError("data has \(data.observationSize)-number observations and \(data.actionSize)-number actions; \(config.env) needs \(layout.observationSize) and \(layout.actionSize)")
        }
        guard config.model.config.inputChannels == layout.channels else {
            throw DataError("model expects \(config.model.config.inputChannels) input channels, \(config.env)'s layout has \(layout.channels)")
        }
        guard data.origins.isEmpty || data.origins.count == 3 * data.count else { throw DataError("data has \(data.origins.count / 3) origins for \(data.count) transitions") }
        self.data = data
        offsets = layout.offsets(actions: data.actions, observations: data.observations, batch: data.count)
        online = WorldNet<Float>(config.model, seed: config.seed)
        online.setTrainable(true)
        target = online.copy(as: Float.self, trainable: false)
        optimizer = MuonAdamW(namedParameters: online.namedParameters, muonLearningRate: config.muonLearningRate,
                              adamLearningRate: config.adamLearningRate, weightDecay: config.weightDecay)
        ema = EMA(source: online.encoderParameters, target: target.encoderParameters, decay: config.emaDecay)
    }

    @discardableResult
    public func trainStep() -> TrainMetrics {
        let t0 = Date()
        var rng = Xoshiro256(seed: JEPATrainer.stepSeed(config.seed, step))
        let factor = LRSchedule.warmupCosine(warmup: config.warmup, total: config.steps, minFactor: 0.05).factor(at: step)
        optimizer.muon.learningRate = config.muonLearningRate * factor
        optimizer.adamW.learningRate = config.adamLearningRate * factor
        let b = config.batch, os = layout.observationSize
        let indices = (0..<b).map { _ in Int(rng.next() % UInt64(data.count)) }
        var (o, _, n) = data.gather(indices)
        var a = [Double](), w = [Double]()
        a.reserveCapacity(3 * b); w.reserveCapacity(3 * b)
        for i in indices {
            a += offsets[3 * i ..< 3 * i + 3]
            w += data.origins.isEmpty ? [0, 0, 0] : Array(data.origins[3 * i ..< 3 * i + 3])
        }
        if config.model.kind == .mlpAug {
            for i in 0..<b {
                // A Haar-random rotation about the sample's world centre.
                let r = Mat3.randomRotation(using: &rng), t = Vec3(w, at: 3 * i)
                let g = SE3Transform(rotation: r, translation: t - r * t)
                o.replaceSubrange(i * os ..< (i + 1) * os, with: layout.act(g, observations: Array(o[i * os ..< (i + 1) * os])))
                n.replaceSubrange(i * os ..< (i + 1) * os, with: layout.act(g, observations: Array(n[i * os ..< (i + 1) * os])))
                a.replaceSubrange(3 * i ..< 3 * i + 3, with: layout.rotate(g.rotation, vectors: Array(a[3 * i ..< 3 * i + 3])))
            }
        }
        let z = online.encode(Variable(layout.pointsTensor(o, batch: b, origins: w, as: Float.self)))
        let p = online.predict(z, action: Variable(layout.offsetTensor(a, batch: b, as: Float.self)))
        let goal = target.encode(Variable(layout.pointsTensor(n, batch: b, origins: w, as: Float.self)))
        let prediction = Loss.relativeMSE(p, goal)
        let reg = config.regularizer.loss(z, rep: config.model.latentRep, using: &rng)
        let total = prediction + config.regWeight * reg
        online.zeroGrad()
        total.backward()
        optimizer.step()
        ema.update()
        step += 1
        return TrainMetrics(step: step, loss: Double(total.value.scalar), prediction: Double(prediction.value.scalar),
                            regularizer: Double(reg.value.scalar), soft: nil, lrFactor: factor, seconds: Date().timeIntervalSince(t0))
    }

    public func checkpoint(command: String, extra: [String: String] = [:]) throws -> SafeTensors {
        var metadata = extra
        metadata["model"] = try jsonString(config.model)
        metadata["layout3d"] = try jsonString(layout)
        metadata["train3d"] = try jsonString(config)
        return trainingState.checkpoint(format: Self.format, step: step, seed: config.seed, command: command, metadata: metadata)
    }

    public func save(to url: URL, command: String, extra: [String: String] = [:]) throws {
        try checkpoint(command: command, extra: extra).write(to: url)
    }

    public func resume(from state: SafeTensors) throws {
        guard state.metadata["format"] == Self.format else { throw SafeTensorsError.invalidHeader("not an ewm-sim 3D world-model checkpoint") }
        let saved = try decodeJSON(Train3DConfig.self, state.metadata["train3d"], what: "train3d")
        guard saved == config else {
            throw DataError("the checkpoint was trained with another configuration; resume needs the same flags (checkpoint: \(try jsonString(saved)))")
        }
        step = try trainingState.restore(from: state)
    }

    private var trainingState: JEPATrainingState { JEPATrainingState(online: online, target: target, optimizer: optimizer) }
}

/// A trained 3D cloud world model read from a checkpoint written by `CloudJEPATrainer`.
public final class TrainedCloudModel {
    public let url: URL
    public let spec: ModelSpec
    public let layout: CloudLayout
    public let train: Train3DConfig
    public let metadata: [String: String]
    public let online: WorldNet<Float>
    public let target: WorldNet<Float>

    public init(url: URL) throws {
        let nets = try CheckpointNets(
            url: url, format: CloudJEPATrainer.format,
            missingHint: "train one with `ewm-sim train --env teacher3d ... --out DIR`",
            kind: "a 3D world-model checkpoint")
        let state = nets.state
        self.url = url
        spec = nets.spec
        layout = try decodeJSON(CloudLayout.self, state.metadata["layout3d"], what: "layout3d")
        train = try decodeJSON(Train3DConfig.self, state.metadata["train3d"], what: "train3d")
        metadata = state.metadata
        online = nets.online
        target = nets.target
    }

    public var parameterCount: Int { online.parameterCount }
    public var name: String { "\(spec.kind.rawValue)@\(train.rung.rawValue) (\(url.deletingLastPathComponent().lastPathComponent))" }

    /// Whether a file is a 3D checkpoint (by its metadata).
    public static func isCloudCheckpoint(_ url: URL) -> Bool {
        (try? SafeTensors.read(from: url))?.metadata["format"] == CloudJEPATrainer.format
    }
}

/// Forward passes of a 3D model without an autodiff graph, in precision S.
public struct CloudInference<S: TensorScalar> {
    public let online: WorldNet<S>
    public let target: WorldNet<S>
    public let layout: CloudLayout

    public init(_ model: TrainedCloudModel, as _: S.Type = S.self) {
        online = model.online.copy(as: S.self)
        target = model.target.copy(as: S.self)
        layout = model.layout
    }

    /// E(o): [B, 3, L]; `origins` the world centre(s) (see `CloudLayout.pointsTensor`).
    public func encode(_ obs: [Double], batch: Int, origins: [Double] = [], useTarget: Bool = false) -> Tensor<S> {
        (useTarget ? target : online).encode(Variable(layout.pointsTensor(obs, batch: batch, origins: origins, as: S.self))).value
    }

    /// f(z, offset): [B, 3, L].
    public func predict(_ z: Tensor<S>, offsets: [Double], batch: Int) -> Tensor<S> {
        online.predict(Variable(z), action: Variable(layout.offsetTensor(offsets, batch: batch, as: S.self))).value
    }
}

/// rho(R) on latents [B, 3, L] (every channel turned by R), in Double.
public func rotateLatent3D<S: TensorScalar>(_ z: Tensor<S>, rotation r: Mat3) -> [Double] {
    let b = z.shape[0], l = z.shape[2]
    var out = [Double](repeating: 0, count: z.count)
    z.withUnsafeBufferPointer { x in
        for i in 0..<b {
            for k in 0..<l {
                let base = i * 3 * l
                let v = r * Vec3(Double(x[base + k]), Double(x[base + l + k]), Double(x[base + 2 * l + k]))
                out[base + k] = v.x; out[base + l + k] = v.y; out[base + 2 * l + k] = v.z
            }
        }
    }
    return out
}

/// The `LatentWorldModel` view of a 3D checkpoint for planners, in precision S. `encode` takes raw clouds (EMA target
/// encoder, as `LoadedWorldModel`); `predict` takes **offsets** a - c (the action relative to the reference point of
/// the state the latent encodes), because the latent is translation-invariant and cannot locate a raw target point.
/// Latents are laid out channel by channel: (x_0, y_0, z_0, x_1, ...).
public final class LoadedCloudModel<S: TensorScalar>: LatentWorldModel, WorldCentred {
    public let model: TrainedCloudModel
    let inference: CloudInference<S>
    /// The centre of the world the planner acts in (g.0 = t for the world at g = (R, t)); see `CloudLayout.originChannel`.
    public var origin: [Double] = [0, 0, 0]

    public init(_ model: TrainedCloudModel) {
        self.model = model
        inference = CloudInference(model, as: S.self)
    }

    public var latentRep: Rep { model.spec.latentRep }
    public var observationSize: Int { model.layout.observationSize }
    public var actionSize: Int { 3 }
    public var isEquivariant: Bool { model.spec.kind == .vn }
    public var trainedEnv: String? { model.layout.env }

    public func encode(_ observations: [Double], batch: Int) -> [Double] {
        LatentRows.rows(inference.encode(observations, batch: batch, origins: origin, useTarget: true))
    }

    public func predict(_ latents: [Double], actions: [Double], batch: Int) -> [Double] {
        let l = latentRep.vectors
        precondition(latents.count == batch * 3 * l && actions.count == batch * 3, "predict: wrong sizes")
        return LatentRows.rows(inference.predict(LatentRows.tensor(latents, batch: batch, dim: 3, channels: l), offsets: actions, batch: batch))
    }
}

public func loadCloudModel(checkpoint: URL, precision: InferencePrecision = .double) throws -> any LatentWorldModel {
    let model = try TrainedCloudModel(url: checkpoint)
    switch precision {
    case .float: return LoadedCloudModel<Float>(model)
    case .double: return LoadedCloudModel<Double>(model)
    }
}
