import Agents
import Envs
import Foundation
import Tensor

/// A trained world model read from a checkpoint of any layout: architecture, input layout, training config, the online
/// model (encoder E and predictor f) and the EMA target encoder. The layout's kind fixes the format and metadata keys.
public final class TrainedModel<Layout: ModelInputLayout> {
    public let url: URL
    public let spec: ModelSpec
    public let layout: Layout
    public let train: Layout.TrainingConfig
    public let metadata: [String: String]
    public let online: WorldNet<Float>
    public let target: WorldNet<Float>
    public var step: Int { metadata["step"].flatMap(Int.init) ?? 0 }

    public init(url: URL) throws {
        let kind = Layout.checkpointKind
        let nets = try CheckpointNets(url: url, format: kind.format, missingHint: kind.missingHint, kind: kind.name)
        let state = nets.state
        self.url = url
        spec = nets.spec
        layout = try decodeJSON(Layout.self, state.metadata[kind.layoutKey], what: kind.layoutKey)
        train = try decodeJSON(Layout.TrainingConfig.self, state.metadata[kind.trainKey], what: kind.trainKey)
        metadata = state.metadata
        online = nets.online
        target = nets.target
    }

    public var parameterCount: Int { online.parameterCount }
    public var name: String { "\(spec.kind.rawValue)\(train.nameTag) (\(url.deletingLastPathComponent().lastPathComponent))" }

    /// Whether a file is a checkpoint of this layout's format (by its metadata).
    public static func isCheckpoint(_ url: URL) -> Bool {
        (try? SafeTensors.read(from: url))?.metadata["format"] == Layout.checkpointKind.format
    }
}

/// A trained 2D world model (`TrainedModel` on an `ObservationLayout`).
public typealias TrainedWorldModel = TrainedModel<ObservationLayout>

/// Forward passes without an autodiff graph (all parameters frozen), on raw env observations and model actions.
public struct ModelInference<Layout: ModelInputLayout, S: TensorScalar> {
    public let online: WorldNet<S>
    public let target: WorldNet<S>
    public let layout: Layout

    public init(_ model: TrainedModel<Layout>, as _: S.Type = S.self) {
        online = model.online.copy(as: S.self)
        target = model.target.copy(as: S.self)
        layout = model.layout
    }

    /// E(o) with the online encoder (or the EMA target encoder): [B, d, L]; `origins` the world centre(s) for layouts
    /// that read them (see `CloudLayout.pointsTensor`).
    public func encode(_ obs: [Double], batch: Int, origins: [Double] = [], useTarget: Bool = false) -> Tensor<S> {
        (useTarget ? target : online).encode(Variable(layout.pointsTensor(obs, batch: batch, origins: origins, as: S.self))).value
    }

    /// f(z, a) for model actions a (2D: raw actions or their offsets from the agent, 3D: offsets): [B, d, L].
    public func predict(_ z: Tensor<S>, actions: [Double], batch: Int) -> Tensor<S> {
        online.predict(Variable(z), action: Variable(layout.actionTensor(actions, batch: batch, as: S.self))).value
    }

    /// f(z, a) for raw env actions taken at `observations` (turned into model actions by the layout).
    public func predict(_ z: Tensor<S>, rawActions: [Double], observations: [Double], batch: Int) -> Tensor<S> {
        predict(z, actions: layout.modelActions(rawActions, observations: observations, batch: batch), batch: batch)
    }
}

/// Forward passes of a 2D model.
public typealias WorldNetInference<S: TensorScalar> = ModelInference<ObservationLayout, S>

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

/// The `LatentWorldModel` view of a checkpoint of any layout (BLAS, no autodiff graph), computed in `S`: Float as
/// trained, or Double with the same weights (planners that must be equivariant to float rounding use Double: an
/// elite set of CEM then never changes with the orientation). `encode` uses the EMA target encoder (the
/// latent space the predictor was trained to hit, so start and goal latents come from the same map);
/// `predict` the trained predictor on model actions (2D: raw actions; 3D: offsets from the reference point).
/// Latents are laid out channel by channel: (x_0, y_0, [z_0,] x_1, ...).
public final class LoadedModel<Layout: ModelInputLayout, S: TensorScalar>: LatentWorldModel {
    public let model: TrainedModel<Layout>
    let inference: ModelInference<Layout, S>
    /// The centre of the world the planner acts in, for layouts that read one (3D: g.0 = t for the world at g = (R, t);
    /// see `CloudLayout.originChannel`); empty otherwise.
    public var origin: [Double]

    public init(_ model: TrainedModel<Layout>) {
        self.model = model
        inference = ModelInference(model, as: S.self)
        origin = [Double](repeating: 0, count: model.layout.originSize)
        doubleTwin = S.self == Double.self || !Layout.floatViewHasDoubleTwin ? nil : LoadedModel<Layout, Double>(model)
    }

    public var latentRep: Rep { model.spec.latentRep }
    public var observationSize: Int { model.layout.observationSize }
    public var actionSize: Int { model.layout.actionSize }
    public var isEquivariant: Bool { model.spec.kind == .vn }
    public var frameskip: Int { model.train.frameskip }
    public var trainedEnv: String? { model.layout.env }
    public var provenance: ModelProvenance? {
        let train = model.train
        return ModelProvenance(
            kind: model.spec.kind.rawValue, parameters: model.parameterCount, slice: train.sliceName, sliceContains: { train.sliceContains($0) })
    }
    public var observesPreviousAction: Bool { model.layout.observesPreviousAction }
    public var observedLatentChannels: Int { model.spec.config.observationInLatent ? model.spec.config.inputChannels : 0 }
    public var actionOrigin: Int? { model.layout.actionOrigin }
    public var observesAgentVelocity: Bool { model.layout.observesAgentVelocity }
    /// Float models of layouts that ask for it (`floatViewHasDoubleTwin`) carry a Double twin with the same weights.
    public let doubleTwin: (any LatentWorldModel)?

    public func encode(_ observations: [Double], batch: Int) -> [Double] {
        precondition(observations.count == batch * observationSize, "encode: \(observations.count) numbers for \(batch) x \(observationSize)")
        return LatentRows.rows(inference.encode(observations, batch: batch, origins: origin, useTarget: true))
    }

    public func predict(_ latents: [Double], actions: [Double], batch: Int) -> [Double] {
        let l = latentRep.vectors, d = model.layout.dimension
        precondition(latents.count == batch * d * l && actions.count == batch * actionSize, "predict: wrong sizes")
        let out = inference.predict(LatentRows.tensor(latents, batch: batch, dim: d, channels: l), actions: actions, batch: batch)
        return LatentRows.rows(out)
    }
}

/// The `LatentWorldModel` view of a 2D checkpoint.
public typealias LoadedWorldModel<S: TensorScalar> = LoadedModel<ObservationLayout, S>

/// Arithmetic of a loaded model's forward passes.
public enum InferencePrecision: String, CaseIterable, Sendable { case float, double }

/// Loads any world-model checkpoint written by `ewm-sim train` (VN or MLP) as a `LatentWorldModel`:
/// `encode` takes raw observations (PushT: 18 keypoint numbers in px), `predict` raw actions (px).
public func loadWorldModel(checkpoint: URL, precision: InferencePrecision = .float) throws -> any LatentWorldModel {
    let model = try TrainedWorldModel(url: checkpoint)
    guard model.layout.history == 1 else {
        throw DataError(
            "\(checkpoint.lastPathComponent) stacks \(model.layout.history) frames per observation (--history); the latent-model view takes single frames"
        )
    }
    switch precision {
    case .float: return LoadedWorldModel<Float>(model)
    case .double: return LoadedWorldModel<Double>(model)
    }
}
