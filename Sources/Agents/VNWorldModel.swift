import Foundation
import Tensor

/// Configuration of a VN world model (stored in checkpoints as `__metadata__["config"]`).
public struct VNWorldModelConfig: Codable, Equatable, Sendable {
    /// Spatial dimension d (2 or 3).
    public var dim: Int
    /// Vector channels of one observation point (1 for plain points).
    public var inputChannels: Int
    /// Widths of the VN-Linear + VN-LeakyReLU blocks before pooling over points.
    public var encoderWidths: [Int]
    /// Latent vector channels.
    public var latentChannels: Int
    /// Vector channels of the action.
    public var actionChannels: Int
    /// Widths of the predictor's VN-Linear + VN-LeakyReLU blocks.
    public var predictorWidths: [Int]
    public var slope: Double
    public var eps: Double
    /// Residual predictor: f(z, a) = z + g(z, a) (still exactly equivariant: the skip is the identity on
    /// every vector channel). Off by default.
    public var residual: Bool
    /// The latent also carries the observation itself: z = [E(o), o], the `latentChannels` learned channels followed
    /// by the `inputChannels` of the observation (averaged over the points axis: the observation itself when it is
    /// one point of several channels, as PushT's keypoints are). The predictor predicts both parts. The identity is
    /// equivariant, so the model stays exactly equivariant; a planner's latent distance then includes the
    /// observation's own (like DINO-WM's proprioceptive channels). Off by default.
    public var observationInLatent: Bool
    /// Predictor kind: nil = the VN-Linear + VN-LeakyReLU stack; k = a `VNGatedMap` whose coefficients are an MLP
    /// (hidden widths `predictorWidths`) of the inner products with k learned directions.
    public var gatedDirections: Int?
    /// Predictor kind: L = a `VNDegreeLadder` with L rungs (its gain has degree 2L; width `predictorWidths[0]`).
    /// Exclusive with `gatedDirections`.
    public var ladderLayers: Int?

    public init(
        dim: Int, inputChannels: Int = 1, encoderWidths: [Int] = [64, 64], latentChannels: Int = 32,
        actionChannels: Int = 1, predictorWidths: [Int] = [128, 128], slope: Double = 0.2, eps: Double = 1e-6,
        residual: Bool = false, observationInLatent: Bool = false, gatedDirections: Int? = nil,
        ladderLayers: Int? = nil
    ) {
        self.dim = dim
        self.inputChannels = inputChannels
        self.encoderWidths = encoderWidths
        self.latentChannels = latentChannels
        self.actionChannels = actionChannels
        self.predictorWidths = predictorWidths
        self.slope = slope
        self.eps = eps
        self.residual = residual
        self.observationInLatent = observationInLatent
        self.gatedDirections = gatedDirections
        self.ladderLayers = ladderLayers
    }

    /// Vector channels of the whole latent: the learned ones, plus the observation's with `observationInLatent`.
    public var latentWidth: Int { latentChannels + (observationInLatent ? inputChannels : 0) }

    enum CodingKeys: String, CodingKey {
        case dim, inputChannels, encoderWidths, latentChannels, actionChannels, predictorWidths, slope, eps, residual
        case observationInLatent, gatedDirections, ladderLayers
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dim = try c.decode(Int.self, forKey: .dim)
        inputChannels = try c.decode(Int.self, forKey: .inputChannels)
        encoderWidths = try c.decode([Int].self, forKey: .encoderWidths)
        latentChannels = try c.decode(Int.self, forKey: .latentChannels)
        actionChannels = try c.decode(Int.self, forKey: .actionChannels)
        predictorWidths = try c.decode([Int].self, forKey: .predictorWidths)
        slope = try c.decode(Double.self, forKey: .slope)
        eps = try c.decode(Double.self, forKey: .eps)
        residual = try c.decodeIfPresent(Bool.self, forKey: .residual) ?? false
        observationInLatent = try c.decodeIfPresent(Bool.self, forKey: .observationInLatent) ?? false
        gatedDirections = try c.decodeIfPresent(Int.self, forKey: .gatedDirections)
        ladderLayers = try c.decodeIfPresent(Int.self, forKey: .ladderLayers)
    }

    /// `residual`, `observationInLatent`, `gatedDirections` and `ladderLayers` are written only when set, so earlier checkpoints' metadata keeps its bytes.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dim, forKey: .dim); try c.encode(inputChannels, forKey: .inputChannels)
        try c.encode(encoderWidths, forKey: .encoderWidths); try c.encode(latentChannels, forKey: .latentChannels)
        try c.encode(actionChannels, forKey: .actionChannels); try c.encode(predictorWidths, forKey: .predictorWidths)
        try c.encode(slope, forKey: .slope); try c.encode(eps, forKey: .eps)
        if residual { try c.encode(residual, forKey: .residual) }
        if observationInLatent { try c.encode(observationInLatent, forKey: .observationInLatent) }
        try c.encodeIfPresent(gatedDirections, forKey: .gatedDirections)
        try c.encodeIfPresent(ladderLayers, forKey: .ladderLayers)
    }

    /// The fixed benchmark model (71,872 parameters, independent of d).
    public static func benchmark(dim: Int) -> VNWorldModelConfig { VNWorldModelConfig(dim: dim) }

    public func validate() throws {
        guard dim == 2 || dim == 3 else { throw TensorError.shapeMismatch("dim must be 2 or 3, got \(dim)") }
        guard ([inputChannels, latentChannels, actionChannels, gatedDirections ?? 1] + encoderWidths + predictorWidths).allSatisfy({ $0 > 0 }) else {
            throw TensorError.shapeMismatch("channel counts must be positive")
        }
        if let l = ladderLayers {
            guard l >= 0 else { throw TensorError.shapeMismatch("ladder layers must be >= 0, got \(l)") }
            guard gatedDirections == nil else { throw TensorError.shapeMismatch("a predictor is either gated or a degree ladder, not both") }
        }
    }
}

/// A stack of VN-Linear + VN-LeakyReLU blocks followed by a final VN-Linear; with `poolAfterBlocks`,
/// mean pooling over points comes before the final VN-Linear.
public struct VNStack<Scalar: TensorScalar>: EquivariantLayer {
    public let linears: [VNLinear<Scalar>]
    public let activations: [VNLeakyReLU<Scalar>]
    public let head: VNLinear<Scalar>
    public let pool: Bool
    public let dim: Int

    public init(
        input: Int, widths: [Int], output: Int, dim: Int, pool: Bool, slope: Double, eps: Double,
        using rng: inout Xoshiro256
    ) {
        var lin: [VNLinear<Scalar>] = [], act: [VNLeakyReLU<Scalar>] = []
        var c = input
        for w in widths {
            lin.append(VNLinear(c, w, dim: dim, using: &rng))
            act.append(VNLeakyReLU(channels: w, dim: dim, slope: slope, eps: eps, using: &rng))
            c = w
        }
        linears = lin
        activations = act
        head = VNLinear(c, output, dim: dim, using: &rng)
        self.pool = pool
        self.dim = dim
    }

    public var inputRep: Rep { (linears.first ?? head).inputRep }
    public var outputRep: Rep { head.outputRep }

    public var namedParameters: [(String, Variable<Scalar>)] {
        var out: [(String, Variable<Scalar>)] = []
        for i in linears.indices {
            out += prefixed("\(2 * i)", linears[i].namedParameters)
            out += prefixed("\(2 * i + 1)", activations[i].namedParameters)
        }
        return out + prefixed("\(2 * linears.count)", head.namedParameters)
    }

    /// x: [..., (P,) d, Cin] -> [..., d, Cout] (pooling removes the points axis).
    public func callAsFunction(_ x: Variable<Scalar>) -> Variable<Scalar> { forward(x, record: nil) }

    /// The same forward pass, also returning every intermediate value by name (for diagnostics):
    /// "i.linear", "i.direction" (k of the VN-LeakyReLU), "i.activation", "pool", "head".
    public func trace(_ x: Variable<Scalar>) -> [(name: String, value: Variable<Scalar>)] {
        var out: [(name: String, value: Variable<Scalar>)] = []
        _ = forward(x) { out.append(($0, $1)) }
        return out
    }

    func forward(_ x: Variable<Scalar>, record: ((String, Variable<Scalar>) -> Void)?) -> Variable<Scalar> {
        var h = x
        for i in linears.indices {
            let lin = linears[i], act = activations[i]
            let q = lin(h)
            let k: Variable<Scalar>
            if lin.inChannels * 2 <= lin.outChannels {
                // Same function, re-associated: k = U (W h) = (U W) h. With few input channels
                // (1 for raw points) this replaces an [rows, C] x [C, C] GEMM by a tiny [C, C] x [C, Cin]
                // one, and k is then computed from h directly, so its direction carries one rounding
                // instead of a C-term sum's (this matters for VN-LeakyReLU, which uses k's direction).
                let m = act.direction.weight.matmul(lin.weight)  // [C, Cin]
                k = VNLinear<Scalar>.apply(m, to: h, dim: dim)
            } else {
                k = act.direction(q)
            }
            h = q.vnLeakyReLU(direction: k, slope: act.slope, eps: act.eps)
            record?("\(2 * i).linear", q)
            record?("\(2 * i + 1).direction", k)
            record?("\(2 * i + 1).activation", h)
        }
        if pool {
            h = h.mean(axis: -3)
            record?("pool", h)
        }
        h = head(h)
        record?("head", h)
        return h
    }

    public func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> { .vectors(self(x.vectors!)) }
}

/// The VN world model: encoder E (points -> latent vectors) and predictor f (latent + action ->
/// next latent), both exactly O(d)-equivariant. The predictor is a VN stack, a `VNGatedMap`
/// (`config.gatedDirections`) or a `VNDegreeLadder` (`config.ladderLayers`).
public struct VNWorldModel<Scalar: TensorScalar>: ParameterContainer {
    public let config: VNWorldModelConfig
    public let encoder: VNStack<Scalar>
    public let stackPredictor: VNStack<Scalar>?
    public let gatedPredictor: VNGatedMap<Scalar>?
    public let ladderPredictor: VNDegreeLadder<Scalar>?
    /// The VN-stack predictor (the stage diagnostics of `check equivariance` cover this kind only).
    public var predictor: VNStack<Scalar> {
        guard let stackPredictor else { preconditionFailure("this model's predictor is not a VN stack") }
        return stackPredictor
    }

    public init(_ config: VNWorldModelConfig, seed: UInt64 = 0) {
        var rng = Xoshiro256(seed: seed)
        self.config = config
        encoder = VNStack(
            input: config.inputChannels, widths: config.encoderWidths, output: config.latentChannels,
            dim: config.dim, pool: true, slope: config.slope, eps: config.eps, using: &rng)
        let input = config.latentWidth + config.actionChannels
        if let k = config.gatedDirections {
            gatedPredictor = VNGatedMap(
                input: input, directions: k, widths: config.predictorWidths, output: config.latentWidth,
                dim: config.dim, using: &rng)
            (stackPredictor, ladderPredictor) = (nil, nil)
        } else if let l = config.ladderLayers {
            ladderPredictor = VNDegreeLadder(
                input: input, width: config.predictorWidths.first ?? 32, layers: l, output: config.latentWidth, dim: config.dim,
                using: &rng)
            (stackPredictor, gatedPredictor) = (nil, nil)
        } else {
            stackPredictor = VNStack(
                input: input, widths: config.predictorWidths, output: config.latentWidth, dim: config.dim,
                pool: false, slope: config.slope, eps: config.eps, using: &rng)
            (gatedPredictor, ladderPredictor) = (nil, nil)
        }
    }

    public var namedParameters: [(String, Variable<Scalar>)] {
        prefixed("encoder", encoder.namedParameters)
            + prefixed("predictor", stackPredictor?.namedParameters ?? gatedPredictor?.namedParameters ?? ladderPredictor!.namedParameters)
    }

    public var latentRep: Rep { .vectors(config.latentWidth, dim: config.dim) }
    public var pointsRep: Rep { .vectors(config.inputChannels, dim: config.dim) }
    public var actionRep: Rep { .vectors(config.actionChannels, dim: config.dim) }

    /// points [B, P, d, inputChannels] -> latent [B, d, latentWidth].
    public func encode(_ points: Variable<Scalar>) -> Variable<Scalar> {
        let z = encoder(points)
        return config.observationInLatent ? Variable.concat([z, points.mean(axis: -3)], axis: -1) : z
    }

    /// latent [B, d, L], action [B, d, A] -> next latent [B, d, L] (L = latentWidth).
    public func predict(_ latent: Variable<Scalar>, action: Variable<Scalar>) -> Variable<Scalar> {
        let input = Variable.concat([latent, action], axis: -1)
        let next = stackPredictor.map { $0(input) } ?? gatedPredictor.map { $0(input) } ?? ladderPredictor!(input)
        return config.residual ? latent + next : next
    }

    /// Checks shapes of a batch at the API boundary.
    public func validate(points: Tensor<Scalar>, action: Tensor<Scalar>) throws {
        let d = config.dim
        guard points.rank == 4, points.shape[2] == d, points.shape[3] == config.inputChannels else {
            throw TensorError.shapeMismatch("points must be [B, P, \(d), \(config.inputChannels)], got \(points.shape)")
        }
        guard action.shape == [points.shape[0], d, config.actionChannels] else {
            throw TensorError.shapeMismatch("action must be [\(points.shape[0]), \(d), \(config.actionChannels)], got \(action.shape)")
        }
    }

    // MARK: checkpoints

    /// The weights and config as safetensors contents.
    public func stateDict() throws -> SafeTensors {
        var t: [String: AnyTensor] = [:]
        for (name, p) in namedParameters { t[name] = AnyTensor(p.value) }
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        return SafeTensors(tensors: t, metadata: ["config": json, "model": "VNWorldModel", "dtype": Scalar.dtypeName])
    }

    /// Writes config and weights atomically.
    public func save(to url: URL) throws { try stateDict().write(to: url) }

    /// Copies weights from `state` (shapes and dtype checked; missing tensors are errors).
    public func loadWeights(from state: SafeTensors) throws {
        for (name, p) in namedParameters {
            p.value = try state.tensor(name, as: Scalar.self, shape: p.value.shape)
        }
    }

    /// Builds a model from a checkpoint: config from `__metadata__`, then the weights.
    public static func load(from url: URL) throws -> VNWorldModel {
        let state = try SafeTensors.readWeights(from: url)
        guard let json = state.metadata["config"] else { throw SafeTensorsError.invalidHeader("no 'config' in __metadata__") }
        let config: VNWorldModelConfig
        do { config = try JSONDecoder().decode(VNWorldModelConfig.self, from: Data(json.utf8)) } catch {
            throw SafeTensorsError.invalidHeader("config in __metadata__ is not a VNWorldModelConfig: \(error)")
        }
        try config.validate()
        let model = VNWorldModel(config)
        try model.loadWeights(from: state)
        return model
    }

    /// A copy with fresh, independent parameter variables (e.g. an EMA target), frozen.
    public func frozenCopy() -> VNWorldModel {
        let copy = VNWorldModel(config)
        for ((_, dst), (_, src)) in zip(copy.namedParameters, namedParameters) {
            dst.value = src.value
            dst.requiresGrad = false
        }
        return copy
    }
}
