import Agents
import Envs
import Foundation
import Tensor

/// How a world model's inputs are laid out, for one family of models: the 2D `ObservationLayout` (points about a fixed
/// centre, SO(2)) and the 3D `CloudLayout` (points about an equivariant reference point, SE(3)). One trainer
/// (`LayoutJEPATrainer`), one checkpoint reader (`TrainedModel`), one inference (`ModelInference`) and one
/// `LatentWorldModel` view (`LoadedModel`) serve every layout; what differs lives here.
///
/// Model actions: what the predictor's action channel is made from. 2D: the raw actions (points or vectors, centred by
/// `actionTensor`), or their offsets from the agent (`ObservationLayout.actionOrigin`); 3D: offsets a - c from the
/// observation's reference point (`modelActions` turns raw actions into them).
public protocol ModelInputLayout: Codable, Equatable, Sendable {
    /// The run configuration that trains a model of this layout (stored in its checkpoints).
    associatedtype TrainingConfig: LayoutTrainingConfig where TrainingConfig.Layout == Self

    /// The checkpoint format of models of this layout (format string, metadata keys, how errors name it).
    static var checkpointKind: CheckpointKind { get }
    /// Whether a Float `LoadedModel` carries a Double twin (`LatentWorldModel.doubleTwin`): 2D yes, 3D no.
    static var floatViewHasDoubleTwin: Bool { get }

    var env: String { get }
    /// Dimension of the points and vectors (2 or 3).
    var dimension: Int { get }
    var observationSize: Int { get }
    var actionSize: Int { get }
    /// Vector channels of the model's input point (the model's `inputChannels`).
    var inputChannels: Int { get }
    /// Numbers of one row's world origin in a `TransitionSet` (0: the layout reads none).
    var originSize: Int { get }
    /// Whether the observation ends with the previous action (a planner supplies it).
    var observesPreviousAction: Bool { get }
    /// Where in an observation row the point is whose offsets the model's actions are (`LatentWorldModel.actionOrigin`);
    /// nil: the env's actions (3D layouts: nil too, their offsets from the reference point are `CloudMPC`'s own).
    var actionOrigin: Int? { get }
    /// Whether the observation ends with where the agent was one env step before (a planner supplies it).
    var observesAgentVelocity: Bool { get }

    /// Raw observation rows -> the model's input [B, 1, dimension, inputChannels]; `origins` per-row world centres
    /// (one row per observation, one row for all, or empty), ignored by layouts without origins.
    func pointsTensor<S: TensorScalar>(_ obs: [Double], batch: Int, origins: [Double], as _: S.Type) -> Tensor<S>
    /// Raw action rows (with the observations they are taken at) -> model action rows.
    func modelActions(_ actions: [Double], observations: [Double], batch: Int) -> [Double]
    /// Model action rows -> [B, dimension, 1].
    func actionTensor<S: TensorScalar>(_ actions: [Double], batch: Int, as _: S.Type) -> Tensor<S>
    /// `mlp-aug`: each sample of a batch (observations, next observations, model actions, origins) moved by its own
    /// random group element, drawn from `rng` in the layout's own order.
    func augment(
        observations o: inout [Double], next n: inout [Double], actions a: inout [Double], origins w: [Double],
        batch: Int, using rng: inout Xoshiro256)
    /// `mlp-soft`: b group elements drawn from `rng`, the batch moved by them, and their action on latents; nil when the
    /// layout has no soft penalty.
    func softOrbit(observations o: [Double], actions a: [Double], batch: Int, using rng: inout Xoshiro256) -> SoftOrbit?
    /// The error when a model's input channels do not fit the layout.
    func channelMismatch(model channels: Int) -> String
}

/// How a layout kind's checkpoints are told apart and read: the `format` metadata, the metadata keys of the layout
/// and the training config, and how messages name the kind. Values of a layout kind, not of a code path, so that the
/// committed checkpoints ("ewm-world-model/1" with "layout"/"train", "ewm-world-model-3d/1" with "layout3d"/"train3d")
/// stay readable and new ones stay byte-identical.
public struct CheckpointKind: Sendable, Equatable {
    public var format: String
    public var layoutKey: String
    public var trainKey: String
    /// How errors name a checkpoint of this kind ("an ewm-sim world-model checkpoint").
    public var name: String
    /// What `resume` says of a file of another format.
    public var notThisKind: String
    /// What to tell the user when a checkpoint is missing.
    public var missingHint: String
}

/// A batch moved by one group element per sample, and the elements' action on latents [B, d, L] (for `mlp-soft`).
public struct SoftOrbit {
    public var observations: [Double]
    public var actions: [Double]
    public var actOnLatents: (Variable<Float>) -> Variable<Float>
}

/// What `LayoutJEPATrainer` reads of a run's configuration (`TrainConfig`, `Train3DConfig`).
public protocol LayoutTrainingConfig: Codable, Equatable, Sendable {
    associatedtype Layout: ModelInputLayout where Layout.TrainingConfig == Self
    var env: String { get }
    var model: ModelSpec { get }
    var steps: Int { get }
    var batch: Int { get }
    var regularizer: Regularizer { get }
    var regWeight: Double { get }
    var muonLearningRate: Double { get }
    var adamLearningRate: Double { get }
    var weightDecay: Double { get }
    var emaDecay: Double { get }
    var warmup: Int { get }
    var seed: UInt64 { get }
    /// Steps of the rollout loss (1: one-step).
    var horizon: Int { get }
    /// Weight of the relMSE on the latent's observation channels (nil: none).
    var observationWeight: Double? { get }
    /// Weight of the soft equivariance penalty (mlp-soft).
    var softWeight: Double { get }
    /// Env steps per model step of the data.
    var frameskip: Int { get }
    /// What a model's name shows of the run after its kind ("" or "@rung").
    var nameTag: String { get }
    /// The training slice of the symmetry group: its name, and whether the element with these coordinates lies in it.
    var sliceName: String { get }
    func sliceContains(_ coordinates: [Double]) -> Bool
    /// The input layout the run trains on.
    func inputLayout() throws -> Layout
    func validate() throws
}

extension LayoutTrainingConfig {
    /// Throws unless the observation weight (if any) is finite, non-negative and on a latent that carries the observation.
    func validateObservationWeight() throws {
        guard let w = observationWeight else { return }
        guard w >= 0 && w.isFinite else { throw DataError("the observation weight must be finite and non-negative") }
        guard model.config.observationInLatent else { throw DataError("an observation weight needs a latent that carries the observation") }
    }
}

extension ObservationLayout: ModelInputLayout {
    public typealias TrainingConfig = TrainConfig
    public static let checkpointKind = CheckpointKind(
        format: "ewm-world-model/1", layoutKey: "layout", trainKey: "train", name: "an ewm-sim world-model checkpoint",
        notThisKind: "not an ewm-sim world-model checkpoint",
        missingHint: "train one with `ewm-sim train ... --out DIR`; it writes DIR/checkpoint.safetensors")
    public static var floatViewHasDoubleTwin: Bool { true }

    public var dimension: Int { 2 }
    public var inputChannels: Int { points }
    public var originSize: Int { 0 }
    public var observesPreviousAction: Bool { previousAction }
    public var observesAgentVelocity: Bool { agentVelocity }

    public func pointsTensor<S: TensorScalar>(_ obs: [Double], batch: Int, origins _: [Double], as _: S.Type) -> Tensor<S> {
        pointsTensor(obs, batch: batch, as: S.self)
    }

    /// Each sample rotated about the centre by its own angle 2 pi u (u uniform).
    public func augment(
        observations o: inout [Double], next n: inout [Double], actions a: inout [Double], origins _: [Double],
        batch b: Int, using rng: inout Xoshiro256
    ) {
        let os = observationSize
        for i in 0..<b {
            let g = rotation(2 * Double.pi * rng.nextUnit())
            o.replaceSubrange(i * os..<(i + 1) * os, with: rotate(observations: Array(o[i * os..<(i + 1) * os]), by: g))
            n.replaceSubrange(i * os..<(i + 1) * os, with: rotate(observations: Array(n[i * os..<(i + 1) * os]), by: g))
            a.replaceSubrange(2 * i..<2 * i + 2, with: rotate(modelActions: Array(a[2 * i..<2 * i + 2]), by: g))
        }
    }

    /// b angles 2 pi u, the batch rotated by them, and rho(theta) on latents.
    public func softOrbit(observations o: [Double], actions a: [Double], batch b: Int, using rng: inout Xoshiro256) -> SoftOrbit? {
        let angles = (0..<b).map { _ in 2 * Double.pi * rng.nextUnit() }
        var go = o, ga = a
        let os = observationSize
        for i in 0..<b {
            let g = rotation(angles[i])
            go.replaceSubrange(i * os..<(i + 1) * os, with: rotate(observations: Array(o[i * os..<(i + 1) * os]), by: g))
            ga.replaceSubrange(2 * i..<2 * i + 2, with: rotate(modelActions: Array(a[2 * i..<2 * i + 2]), by: g))
        }
        return SoftOrbit(observations: go, actions: ga, actOnLatents: { rotateLatents($0, angles: angles) })
    }

    public func channelMismatch(model channels: Int) -> String { "model expects \(channels) points, \(env) has \(points)" }
}

extension CloudLayout: ModelInputLayout {
    public typealias TrainingConfig = Train3DConfig
    public static let checkpointKind = CheckpointKind(
        format: "ewm-world-model-3d/1", layoutKey: "layout3d", trainKey: "train3d", name: "a 3D world-model checkpoint",
        notThisKind: "not an ewm-sim 3D world-model checkpoint",
        missingHint: "train one with `ewm-sim train --env teacher3d ... --out DIR`")
    public static var floatViewHasDoubleTwin: Bool { false }

    public var dimension: Int { 3 }
    public var inputChannels: Int { channels }
    public var originSize: Int { 3 }
    public var observesPreviousAction: Bool { false }
    public var actionOrigin: Int? { nil }
    public var observesAgentVelocity: Bool { false }

    /// Offsets a - c from each observation's reference point.
    public func modelActions(_ actions: [Double], observations: [Double], batch: Int) -> [Double] {
        offsets(actions: actions, observations: observations, batch: batch)
    }

    /// Offsets -> [B, 3, 1] (`offsetTensor`).
    public func actionTensor<S: TensorScalar>(_ actions: [Double], batch: Int, as _: S.Type) -> Tensor<S> {
        offsetTensor(actions, batch: batch, as: S.self)
    }

    /// Each sample moved by its own Haar-random rotation about its world centre (offsets turned by the rotation).
    public func augment(
        observations o: inout [Double], next n: inout [Double], actions a: inout [Double], origins w: [Double],
        batch b: Int, using rng: inout Xoshiro256
    ) {
        let os = observationSize
        for i in 0..<b {
            let r = Mat3.randomRotation(using: &rng), t = Vec3(w, at: 3 * i)
            let g = SE3Transform(rotation: r, translation: t - r * t)
            o.replaceSubrange(i * os..<(i + 1) * os, with: act(g, observations: Array(o[i * os..<(i + 1) * os])))
            n.replaceSubrange(i * os..<(i + 1) * os, with: act(g, observations: Array(n[i * os..<(i + 1) * os])))
            a.replaceSubrange(3 * i..<3 * i + 3, with: rotate(g.rotation, vectors: Array(a[3 * i..<3 * i + 3])))
        }
    }

    /// No soft penalty in 3D (`Train3DConfig.validate` refuses mlp-soft).
    public func softOrbit(observations _: [Double], actions _: [Double], batch _: Int, using _: inout Xoshiro256) -> SoftOrbit? { nil }

    public func channelMismatch(model channels: Int) -> String {
        "model expects \(channels) input channels, \(env)'s layout has \(self.channels)"
    }
}
