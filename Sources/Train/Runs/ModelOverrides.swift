import Agents

/// The architecture choices a training run makes on top of `ModelSpec.defaults`: the same for the planar (2D) and the
/// cloud (3D) models, except the gated predictor (`gatedDirections`), which only the planar spec applies.
public struct ModelOverrides: Sendable, Equatable {
    /// MLP hidden-width factor (nil: the kind's default).
    public var hiddenScale: Int?
    public var eps: Double
    public var mlpBias: Bool
    public var encoderWidths: [Int]
    public var predictorWidths: [Int]
    public var latentChannels: Int
    public var residual: Bool
    public var observationInLatent: Bool
    public var gatedDirections: Int?
    /// A degree-ladder predictor with this many rungs (`VNDegreeLadder`; planar and 3D models).
    public var ladderLayers: Int?

    public init(
        hiddenScale: Int? = nil, eps: Double = 1, mlpBias: Bool = false, encoderWidths: [Int] = [16, 16],
        predictorWidths: [Int] = [32, 32], latentChannels: Int = 8, residual: Bool = false,
        observationInLatent: Bool = false, gatedDirections: Int? = nil, ladderLayers: Int? = nil
    ) {
        self.hiddenScale = hiddenScale; self.eps = eps; self.mlpBias = mlpBias; self.encoderWidths = encoderWidths
        self.predictorWidths = predictorWidths; self.latentChannels = latentChannels; self.residual = residual
        self.observationInLatent = observationInLatent; self.gatedDirections = gatedDirections
        self.ladderLayers = ladderLayers
    }

    /// The planar model of `kind` for observations of `points` points.
    public func planarSpec(kind: ModelKind, points: Int, scale: Int) -> ModelSpec {
        var spec = applyShared(to: ModelSpec.defaults(kind: kind, points: points, scale: scale))
        spec.config.gatedDirections = gatedDirections
        return spec
    }

    /// The 3D cloud model of `kind` for clouds of `points` channels.
    public func cloudSpec(kind: ModelKind, points: Int, scale: Int) -> ModelSpec {
        applyShared(to: ModelSpec.defaults3D(kind: kind, points: points, scale: scale))
    }

    private func applyShared(to base: ModelSpec) -> ModelSpec {
        var spec = base
        if let hiddenScale { spec.hiddenScale = hiddenScale }
        spec.config.eps = eps
        spec.mlpBias = mlpBias
        spec.config.encoderWidths = encoderWidths
        spec.config.predictorWidths = predictorWidths
        spec.config.latentChannels = latentChannels
        spec.config.ladderLayers = ladderLayers
        spec.config.observationInLatent = observationInLatent
        spec.config.residual = residual
        return spec
    }
}
