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
    /// `CloudLayout.originWeight` of the model's input (nil: 1).
    public var originWeight: Double?
    /// Weight of an extra relMSE on the latent's observation channels alone (models with z = [E(o), o]; nil: none),
    /// as `TrainConfig.observationWeight`.
    public var observationWeight: Double?

    public init(
        env: String, model: ModelSpec, rung: SE3Ladder.Rung, steps: Int = 3000, batch: Int = 256, regularizer: Regularizer = .vicreg,
        regWeight: Double? = nil, muonLearningRate: Double = 0.02, adamLearningRate: Double = 2e-3, weightDecay: Double = 0.1,
        emaDecay: Double = 0.99, warmup: Int = 100, seed: UInt64 = 0, collect: Collect3DConfig, dataDirectory: String? = nil,
        originWeight: Double? = nil, observationWeight: Double? = nil
    ) {
        self.originWeight = originWeight
        self.observationWeight = observationWeight.flatMap { $0 == 0 ? nil : $0 }
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
        guard originWeight.map({ $0 > 0 && $0.isFinite }) ?? true else { throw DataError("origin weight must be positive") }
        try validateObservationWeight()
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

extension Train3DConfig: LayoutTrainingConfig {
    public typealias Layout = CloudLayout
    public var horizon: Int { 1 }
    public var softWeight: Double { 0 }
    public var frameskip: Int { 1 }
    public var nameTag: String { "@\(rung.rawValue)" }
    public var sliceName: String { rung.rawValue }
    /// SE(3) elements are rotation vector and translation.
    public func sliceContains(_ c: [Double]) -> Bool {
        guard c.count == 6 else { return false }
        let g = SE3Transform(rotationVector: Vec3(c[0], c[1], c[2]), translation: Vec3(c[3], c[4], c[5]))
        return collect.ladder.contains(g, in: rung, tolerance: 1e-9)
    }
    public func inputLayout() throws -> CloudLayout {
        var layout = try CloudLayout.forEnv(env)
        layout.originWeight = originWeight
        return layout
    }
}

/// The 3D trainer: `LayoutJEPATrainer` on a `CloudLayout` (format "ewm-world-model-3d/1", keys "layout3d"/"train3d";
/// model actions are offsets from the reference point; `mlp-aug` rotates each sample by a Haar-random R in SO(3)).
public typealias CloudJEPATrainer = LayoutJEPATrainer<CloudLayout>

/// A trained 3D cloud world model read from a checkpoint written by `CloudJEPATrainer`.
public typealias TrainedCloudModel = TrainedModel<CloudLayout>

/// Forward passes of a 3D model without an autodiff graph, in precision S.
public typealias CloudInference<S: TensorScalar> = ModelInference<CloudLayout, S>

/// The `LatentWorldModel` view of a 3D checkpoint for planners, in precision S. `encode` takes raw clouds (EMA target
/// encoder, as `LoadedWorldModel`); `predict` takes **offsets** a - c (the action relative to the reference point of
/// the state the latent encodes), because the latent is translation-invariant and cannot locate a raw target point.
/// The world centre the planner acts in is `origin` (`WorldCentred`; see `CloudLayout.originChannel`).
public typealias LoadedCloudModel<S: TensorScalar> = LoadedModel<CloudLayout, S>

extension TrainedModel where Layout == CloudLayout {
    /// Whether a file is a 3D checkpoint (by its metadata).
    public static func isCloudCheckpoint(_ url: URL) -> Bool { isCheckpoint(url) }
}

extension ModelInference where Layout == CloudLayout {
    /// f(z, offset): [B, 3, L].
    public func predict(_ z: Tensor<S>, offsets: [Double], batch: Int) -> Tensor<S> { predict(z, actions: offsets, batch: batch) }
}

extension LoadedModel: WorldCentred where Layout == CloudLayout {}

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

public func loadCloudModel(checkpoint: URL, precision: InferencePrecision = .double) throws -> any LatentWorldModel {
    let model = try TrainedCloudModel(url: checkpoint)
    switch precision {
    case .float: return LoadedCloudModel<Float>(model)
    case .double: return LoadedCloudModel<Double>(model)
    }
}
