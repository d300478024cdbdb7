import Agents
import Envs
import Foundation
import Tensor

/// A trained world model read from a checkpoint: architecture, input layout, training config, the online model
/// (encoder E and predictor f) and the EMA target encoder.
public final class TrainedWorldModel {
    public let url: URL
    public let spec: ModelSpec
    public let layout: ObservationLayout
    public let train: TrainConfig
    public let metadata: [String: String]
    public let online: WorldNet<Float>
    public let target: WorldNet<Float>
    public var step: Int { metadata["step"].flatMap(Int.init) ?? 0 }

    public init(url: URL) throws {
        let nets = try CheckpointNets(
            url: url, format: JEPATrainer.format,
            missingHint: "train one with `ewm-sim train ... --out DIR`; it writes DIR/checkpoint.safetensors",
            kind: "an ewm-sim world-model checkpoint")
        let state = nets.state
        self.url = url
        spec = nets.spec
        layout = try decodeJSON(ObservationLayout.self, state.metadata["layout"], what: "layout")
        train = try decodeJSON(TrainConfig.self, state.metadata["train"], what: "train")
        metadata = state.metadata
        online = nets.online
        target = nets.target
    }

    public var name: String { "\(spec.kind.rawValue) (\(url.deletingLastPathComponent().lastPathComponent))" }
}

/// Forward passes without an autodiff graph (all parameters frozen), on raw env observations and actions.
public struct WorldNetInference<S: TensorScalar> {
    public let online: WorldNet<S>
    public let target: WorldNet<S>
    public let layout: ObservationLayout

    public init(_ model: TrainedWorldModel, as _: S.Type = S.self) {
        online = model.online.copy(as: S.self)
        target = model.target.copy(as: S.self)
        layout = model.layout
    }

    /// E(o) with the online encoder (or the EMA target encoder): [B, 2, L].
    public func encode(_ obs: [Double], batch: Int, useTarget: Bool = false) -> Tensor<S> {
        (useTarget ? target : online).encode(Variable(layout.pointsTensor(obs, batch: batch, as: S.self))).value
    }

    /// f(z, a): [B, 2, L].
    public func predict(_ z: Tensor<S>, actions: [Double], batch: Int) -> Tensor<S> {
        online.predict(Variable(z), action: Variable(layout.actionTensor(actions, batch: batch, as: S.self))).value
    }
}

/// rho(g) on latents [B, 2, L] (every channel rotated by theta), computed in Double.
public func rotateLatent<S: TensorScalar>(_ z: Tensor<S>, angle: Double) -> [Double] {
    let b = z.shape[0], l = z.shape[2], c = cos(angle), s = sin(angle)
    var out = [Double](repeating: 0, count: z.count)
    z.withUnsafeBufferPointer { x in
        for i in 0..<b {
            for k in 0..<l {
                let px = Double(x[i * 2 * l + k]), py = Double(x[i * 2 * l + l + k])
                out[i * 2 * l + k] = c * px - s * py
                out[i * 2 * l + l + k] = s * px + c * py
            }
        }
    }
    return out
}

/// The `LatentWorldModel` view of a checkpoint (BLAS, no autodiff graph), computed in `S`: Float as trained,
/// or Double with the same weights (planners that must be equivariant to float rounding use Double: an
/// elite set of CEM then never changes with the orientation). `encode` uses the EMA target encoder (the
/// latent space the predictor was trained to hit, so start and goal latents come from the same map);
/// `predict` the trained predictor. Latents are laid out channel by channel: (x_0, y_0, x_1, y_1, ...).
public final class LoadedWorldModel<S: TensorScalar>: LatentWorldModel {
    public let model: TrainedWorldModel
    let inference: WorldNetInference<S>

    public init(_ model: TrainedWorldModel) {
        self.model = model
        inference = WorldNetInference(model, as: S.self)
        doubleTwin = S.self == Double.self ? nil : LoadedWorldModel<Double>(model)
    }

    public var latentRep: Rep { model.spec.latentRep }
    public var observationSize: Int { model.layout.observationSize }
    public var actionSize: Int { model.layout.actionSize }
    public var isEquivariant: Bool { model.spec.kind == .vn }
    public var frameskip: Int { model.train.collect.frameskip }
    public var trainedEnv: String? { model.layout.env }
    public var observesPreviousAction: Bool { model.layout.previousAction }
    public var observedLatentChannels: Int { model.spec.config.observationInLatent ? model.spec.config.inputChannels : 0 }
    /// Float models carry a Double twin with the same weights.
    public let doubleTwin: (any LatentWorldModel)?

    public func encode(_ observations: [Double], batch: Int) -> [Double] {
        precondition(observations.count == batch * observationSize, "encode: \(observations.count) numbers for \(batch) x \(observationSize)")
        return LatentRows.rows(inference.encode(observations, batch: batch, useTarget: true))
    }

    public func predict(_ latents: [Double], actions: [Double], batch: Int) -> [Double] {
        let l = latentRep.vectors
        precondition(latents.count == batch * 2 * l && actions.count == batch * actionSize, "predict: wrong sizes")
        let out = inference.predict(LatentRows.tensor(latents, batch: batch, dim: 2, channels: l), actions: actions, batch: batch)
        return LatentRows.rows(out)
    }
}

/// Arithmetic of a loaded model's forward passes.
public enum InferencePrecision: String, CaseIterable, Sendable { case float, double }

/// Loads any world-model checkpoint written by `ewm-sim train` (VN or MLP) as a `LatentWorldModel`:
/// `encode` takes raw observations (PushT: 18 keypoint numbers in px), `predict` raw actions (px).
public func loadWorldModel(checkpoint: URL, precision: InferencePrecision = .float) throws -> any LatentWorldModel {
    let model = try TrainedWorldModel(url: checkpoint)
    guard model.layout.history == 1 else {
        throw DataError("\(checkpoint.lastPathComponent) stacks \(model.layout.history) frames per observation (--history); the latent-model view takes single frames")
    }
    switch precision {
    case .float: return LoadedWorldModel<Float>(model)
    case .double: return LoadedWorldModel<Double>(model)
    }
}
