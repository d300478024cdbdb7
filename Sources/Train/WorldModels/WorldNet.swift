import Agents
import Foundation
import Tensor

/// The world-model architectures `ewm-sim train` builds.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    /// Vector Neuron encoder and predictor: exactly O(2)-equivariant.
    case vn
    /// The baseline of the same hypothesis class: MLPs of the same depth and activation on the flattened inputs.
    case mlp
    /// The baseline trained with random-rotation augmentation over the whole group.
    case mlpAug = "mlp-aug"
    /// The baseline with a soft equivariance penalty (encoder and composed model, random rotations).
    case mlpSoft = "mlp-soft"
    /// The baseline scaled up (`--scale` times the baseline's parameters, roughly).
    case mlpBig = "mlp-big"

    public var isMLP: Bool { self != .vn }
}

/// Architecture of a trained model: its kind, the shared channel/width configuration, and the MLP width factor.
public struct ModelSpec: Codable, Equatable, Sendable {
    public var kind: ModelKind
    /// Channels and widths. For MLPs the hidden widths are `config.*Widths` times `hiddenScale`.
    public var config: VNWorldModelConfig
    public var hiddenScale: Int
    /// MLPs: whether the dense layers have biases. Default false: like VN-Linear, the baseline is then bias-free
    /// and positively homogeneous, so it differs from the VN model only by the missing equivariance constraint
    /// (and it cannot park its latents on a constant offset, which would make every relMSE small).
    public var mlpBias: Bool

    public init(kind: ModelKind, config: VNWorldModelConfig, hiddenScale: Int = 1, mlpBias: Bool = false) {
        self.kind = kind; self.config = config; self.hiddenScale = hiddenScale; self.mlpBias = mlpBias
    }

    enum CodingKeys: String, CodingKey { case kind, config, hiddenScale, mlpBias }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(ModelKind.self, forKey: .kind)
        config = try c.decode(VNWorldModelConfig.self, forKey: .config)
        hiddenScale = try c.decode(Int.self, forKey: .hiddenScale)
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? true
    }

    /// Defaults for an env layout: VN encoder widths [16, 16], latent 8 vectors, predictor [32, 32], VN-LeakyReLU
    /// eps 1 (see README: a larger eps bounds Float rounding near |k| = 0 and keeps exactness); the MLP baseline 4x
    /// wider (so it reaches the VN's in-slice error), `mlp-big` a further sqrt(scale) wider.
    public static func defaults(kind: ModelKind, points: Int, scale: Int = 4) -> ModelSpec {
        let config = VNWorldModelConfig(
            dim: 2, inputChannels: points, encoderWidths: [16, 16], latentChannels: 8,
            actionChannels: 1, predictorWidths: [32, 32], eps: 1)
        switch kind {
        case .vn: return ModelSpec(kind: kind, config: config, hiddenScale: 1)
        case .mlp, .mlpAug, .mlpSoft: return ModelSpec(kind: kind, config: config, hiddenScale: 4)
        case .mlpBig:
            let factor = max(1, Int((Double(scale).squareRoot()).rounded()))
            return ModelSpec(kind: kind, config: config, hiddenScale: 4 * factor)
        }
    }

    public var latentRep: Rep { .vectors(config.latentWidth, dim: config.dim) }
}

/// A world model of either family, as the trainer and the evaluations use it: encode points [B, 1, 2, P] to a
/// latent [B, 2, L], predict the next latent from a latent and an action [B, 2, 1].
public final class WorldNet<Scalar: TensorScalar> {
    public let spec: ModelSpec
    public let vn: VNWorldModel<Scalar>?
    public let mlp: PlainMLPWorldModel<Scalar>?

    public init(_ spec: ModelSpec, seed: UInt64) {
        self.spec = spec
        if spec.kind == .vn {
            vn = VNWorldModel(spec.config, seed: seed); mlp = nil
        } else {
            mlp = PlainMLPWorldModel(spec.config, hiddenScale: spec.hiddenScale, bias: spec.mlpBias, seed: seed); vn = nil
        }
    }

    public var namedParameters: [(String, Variable<Scalar>)] { vn?.namedParameters ?? mlp!.namedParameters }
    public var encoderParameters: [Variable<Scalar>] { vn?.encoder.parameters ?? mlp!.encoderParameters }
    public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.1.value.count } }
    public var isEquivariant: Bool { spec.kind == .vn }

    public func encode(_ points: Variable<Scalar>) -> Variable<Scalar> {
        if let vn { return vn.encode(points) }
        return mlp!.encode(points)
    }

    public func predict(_ latent: Variable<Scalar>, action: Variable<Scalar>) -> Variable<Scalar> {
        if let vn { return vn.predict(latent, action: action) }
        return mlp!.predict(latent, action: action)
    }

    public func zeroGrad() { for (_, p) in namedParameters { p.zeroGrad() } }

    /// Sets every parameter's `requiresGrad` (false: forward passes build no graph).
    public func setTrainable(_ trainable: Bool) { for (_, p) in namedParameters { p.requiresGrad = trainable } }

    /// A copy with independent parameters of element type T (values converted), frozen unless `trainable`.
    public func copy<T: TensorScalar>(as _: T.Type = T.self, trainable: Bool = false) -> WorldNet<T> {
        let out = WorldNet<T>(spec, seed: 0)
        for ((_, dst), (_, src)) in zip(out.namedParameters, namedParameters) { dst.value = src.value.converted(to: T.self) }
        out.setTrainable(trainable)
        return out
    }

    /// Loads parameters `prefix + name` from `state` (converted from the stored dtype).
    public func load(from state: SafeTensors, prefix: String) throws {
        for (name, p) in namedParameters {
            let key = prefix + name
            guard let t = state.tensors[key] else { throw SafeTensorsError.missingTensor(key) }
            guard t.shape == p.value.shape else { throw SafeTensorsError.shapeMismatch(tensor: key, expected: p.value.shape, found: t.shape) }
            switch t {
            case .f32(let x): p.value = x.converted(to: Scalar.self)
            case .f64(let x): p.value = x.converted(to: Scalar.self)
            }
        }
    }

    public func store(into tensors: inout [String: AnyTensor], prefix: String) {
        for (name, p) in namedParameters { tensors[prefix + name] = AnyTensor(p.value) }
    }
}

/// rho(g_b) applied per sample to latents z [B, 2, L] (a different rotation per row), differentiably:
/// rho(g) z = cos(theta) z + sin(theta) J z with J the 90-degree rotation of every channel.
func rotateLatents<S: TensorScalar>(_ z: Variable<S>, angles: [Double]) -> Variable<S> {
    let b = z.shape[0], l = z.shape[2]
    precondition(z.shape[1] == 2 && angles.count == b, "rotateLatents: need [B, 2, L] and B angles")
    let flat = z.reshaped([b, 2 * l])
    // (J z)[x_c] = -z[y_c], (J z)[y_c] = z[x_c]; as flat @ M with M [2L, 2L].
    var m = [S](repeating: 0, count: 4 * l * l)
    for c in 0..<l {
        m[(l + c) * 2 * l + c] = -1  // row y_c, column x_c
        m[c * 2 * l + (l + c)] = 1  // row x_c, column y_c
    }
    let jz = flat.matmul(Variable(try! Tensor(shape: [2 * l, 2 * l], scalars: m)))
    var cs = [S](repeating: 0, count: b * 2 * l), sn = cs
    for i in 0..<b {
        let c = S(Foundation.cos(angles[i])), s = S(Foundation.sin(angles[i]))
        for j in 0..<(2 * l) { cs[i * 2 * l + j] = c; sn[i * 2 * l + j] = s }
    }
    let out = flat * Variable(try! Tensor(shape: [b, 2 * l], scalars: cs)) + jz * Variable(try! Tensor(shape: [b, 2 * l], scalars: sn))
    return out.reshaped([b, 2, l])
}

/// The MLP baseline: dense layers (optionally without biases) and leaky ReLU 0.2, the same depth as the VN model,
/// on the flattened inputs. Encoder: points [B, 1, 2, P] -> [B, 2P] -> widths -> [B, 2, L]; predictor:
/// [latent, action] flattened -> widths -> [B, 2, L]. `residual` and `observationInLatent` act as in the VN model.
public struct PlainMLPWorldModel<Scalar: TensorScalar>: ParameterContainer {
    public let config: VNWorldModelConfig
    public let encoder: [Linear<Scalar>]
    public let predictor: [Linear<Scalar>]

    public init(_ config: VNWorldModelConfig, hiddenScale: Int, bias: Bool, seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        self.config = config
        let d = config.dim
        func stack(_ sizes: [Int]) -> [Linear<Scalar>] {
            (0..<(sizes.count - 1)).map { Linear(sizes[$0], sizes[$0 + 1], bias: bias, using: &rng) }
        }
        encoder = stack([d * config.inputChannels] + config.encoderWidths.map { $0 * hiddenScale } + [d * config.latentChannels])
        predictor = stack(
            [d * (config.latentWidth + config.actionChannels)] + config.predictorWidths.map { $0 * hiddenScale }
                + [d * config.latentWidth])
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        var out: [(String, Variable<Scalar>)] = []
        for (i, l) in encoder.enumerated() { out += l.namedParameters.map { ("encoder.\(i).\($0.0)", $0.1) } }
        for (i, l) in predictor.enumerated() { out += l.namedParameters.map { ("predictor.\(i).\($0.0)", $0.1) } }
        return out
    }

    public var encoderParameters: [Variable<Scalar>] { encoder.flatMap(\.parameters) }

    static func run(_ layers: [Linear<Scalar>], _ x: Variable<Scalar>) -> Variable<Scalar> {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            if i < layers.count - 1 { h = h.leakyRelu(slope: 0.2) }
        }
        return h
    }

    public func encode(_ x: Variable<Scalar>) -> Variable<Scalar> {
        let b = x.shape[0]
        let z = Self.run(encoder, x.reshaped([b, x.value.count / b])).reshaped([b, config.dim, config.latentChannels])
        return config.observationInLatent ? Variable.concat([z, x.mean(axis: -3)], axis: -1) : z
    }

    public func predict(_ latent: Variable<Scalar>, action: Variable<Scalar>) -> Variable<Scalar> {
        let b = latent.shape[0]
        let z = Variable.concat([latent, action], axis: -1)
        let next = Self.run(predictor, z.reshaped([b, z.value.count / b])).reshaped([b, config.dim, config.latentWidth])
        return config.residual ? latent + next : next
    }
}
