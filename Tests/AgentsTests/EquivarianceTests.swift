import Agents
import Foundation
import Testing
import Tensor

/// A deliberately broken layer: VN-Linear plus a fixed vector (a bias breaks equivariance).
struct BiasedVNLinear<Scalar: TensorScalar>: EquivariantLayer {
    let linear: VNLinear<Scalar>
    var inputRep: Rep { linear.inputRep }
    var outputRep: Rep { linear.outputRep }
    var namedParameters: [(String, Variable<Scalar>)] { linear.namedParameters }
    func callAsFunction(_ x: Features<Scalar>) -> Features<Scalar> {
        let y = linear(x.vectors!)
        return .vectors(y + 0.5)
    }
}

struct EquivarianceTests {
    func everyLayer<S: TensorScalar>(_: S.Type, dim: Int) throws {
        var rng = Xoshiro256(seed: UInt64(dim))
        try assertEquivariant(VNLinear<S>(3, 5, dim: dim, using: &rng), batch: [4, 6])
        try assertEquivariant(VNLeakyReLU<S>(channels: 5, dim: dim, using: &rng), batch: [4, 6])
        try assertEquivariant(VNMeanPool<S>(.vectors(5, dim: dim)), batch: [4, 6])
        try assertEquivariant(VNMeanPool<S>(Rep(scalars: 2, vectors: 3, dim: dim)), batch: [4, 6])
        try assertEquivariant(VNInvariant<S>(channels: 5, directions: 3, dim: dim, using: &rng), batch: [4])
        try assertEquivariant(
            VNGatedMap<S>(input: 5, directions: 3, widths: [8], output: 4, dim: dim, using: &rng), batch: [4],
            tolerance: MemoryLayout<S>.size == 4 ? 1e-5 : nil)
        // A whole stack in Float sits at Float's forward-error floor (its Float output differs from
        // its Double output by ~1e-6 too), so it gets 1e-5 there; single layers and Double get the default.
        try assertEquivariant(
            VNStack<S>(
                input: 1, widths: [8, 8], output: 4, dim: dim, pool: true, slope: 0.2, eps: 1e-6,
                using: &rng), batch: [4, 5],
            tolerance: MemoryLayout<S>.size == 4 ? 1e-5 : nil)
    }

    @Test(arguments: [2, 3]) func everyLayerFloat(dim: Int) throws { try everyLayer(Float.self, dim: dim) }
    @Test(arguments: [2, 3]) func everyLayerDouble(dim: Int) throws { try everyLayer(Double.self, dim: dim) }

    @Test(arguments: [2, 3]) func composedWorldModel(dim: Int) throws {
        let config = VNWorldModelConfig(dim: dim, encoderWidths: [8, 8], latentChannels: 4, predictorWidths: [8])
        let model = VNWorldModel<Double>(config, seed: 3)
        let r = equivarianceResidual(inputs: [(model.pointsRep, [6, 5]), (model.actionRep, [6])], outputRep: model.latentRep) {
            (x: [Features<Double>]) in .vectors(model.predict(model.encode(x[0].vectors!), action: x[1].vectors!))
        }
        #expect(r < 1e-12)
    }

    /// The gated predictor: exact in Double, and its checkpoint config round-trips.
    @Test(arguments: [2, 3]) func composedWorldModelWithGatedPredictor(dim: Int) throws {
        let config = VNWorldModelConfig(
            dim: dim, encoderWidths: [8, 8], latentChannels: 4, predictorWidths: [16], residual: true,
            gatedDirections: 3)
        let model = VNWorldModel<Double>(config, seed: 3)
        #expect(model.gatedPredictor != nil && model.stackPredictor == nil)
        let r = equivarianceResidual(inputs: [(model.pointsRep, [6, 5]), (model.actionRep, [6])], outputRep: model.latentRep) {
            (x: [Features<Double>]) in .vectors(model.predict(model.encode(x[0].vectors!), action: x[1].vectors!))
        }
        print("VN world model with a gated predictor, d = \(dim): composed residual (Double) \(r)")
        #expect(r < 1e-12)
        #expect(try JSONDecoder().decode(VNWorldModelConfig.self, from: JSONEncoder().encode(config)) == config)
    }

    @Test func brokenLayerIsCaught() {
        var rng = Xoshiro256(seed: 5)
        let layer = BiasedVNLinear<Double>(linear: VNLinear(3, 4, dim: 2, using: &rng))
        #expect(throws: EquivarianceError.self) { try assertEquivariant(layer) }
    }

    @Test(arguments: [2, 3]) func randomTransformsAreOrthogonal(dim: Int) {
        var rng = Xoshiro256(seed: 9)
        for reflect in [false, true] {
            let g = OrthogonalTransform.random(dim: dim, reflect: reflect, using: &rng)
            #expect(abs(g.determinant - (reflect ? -1 : 1)) < 1e-12)
            for i in 0..<dim {
                for j in 0..<dim {
                    var s = 0.0
                    for k in 0..<dim { s += g.matrix[k * dim + i] * g.matrix[k * dim + j] }
                    #expect(abs(s - (i == j ? 1 : 0)) < 1e-12)
                }
            }
        }
    }
}

struct ModelTests {
    @Test(arguments: [2, 3]) func benchmarkModelHasTheSpecifiedSize(dim: Int) {
        #expect(VNWorldModel<Float>(.benchmark(dim: dim)).parameterCount == 71_872)
    }

    @Test func mlpBaselineShapes() {
        let config = VNWorldModelConfig(dim: 2, encoderWidths: [16], latentChannels: 4, predictorWidths: [16])
        let mlp = MLPWorldModel<Float>(config, points: 5)
        var rng = Xoshiro256(seed: 1)
        let z = mlp.encode(Variable(Tensor.randomNormal([3, 5, 2, 1], using: &rng)))
        #expect(z.shape == [3, 2, 4])
        #expect(mlp.predict(z, action: Variable(Tensor.randomNormal([3, 2, 1], using: &rng))).shape == [3, 2, 4])
    }

    func checkpointRoundTrip<S: TensorScalar>(_: S.Type) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = VNWorldModelConfig(dim: 3, encoderWidths: [6], latentChannels: 3, predictorWidths: [5, 7])
        let model = VNWorldModel<S>(config, seed: 11)
        let url = dir.appendingPathComponent("model.safetensors")
        try model.save(to: url)
        let loaded = try VNWorldModel<S>.load(from: url)
        #expect(loaded.config == config)
        #expect(loaded.namedParameters.map(\.0) == model.namedParameters.map(\.0))
        for ((_, a), (_, b)) in zip(loaded.namedParameters, model.namedParameters) { #expect(a.value == b.value) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        // The wrong precision is a clear error, not a crash.
        if S.self == Float.self {
            #expect(throws: SafeTensorsError.self) { try VNWorldModel<Double>.load(from: url) }
        }
    }

    @Test func checkpointRoundTripFloat() throws { try checkpointRoundTrip(Float.self) }
    @Test func checkpointRoundTripDouble() throws { try checkpointRoundTrip(Double.self) }

    @Test func badShapesAreRejectedAtTheBoundary() {
        let model = VNWorldModel<Float>(VNWorldModelConfig(dim: 2, encoderWidths: [4], latentChannels: 2, predictorWidths: [4]))
        #expect(throws: TensorError.self) {
            try model.validate(points: Tensor(shape: [2, 3, 3, 1]), action: Tensor(shape: [2, 2, 1]))
        }
        #expect(throws: Never.self) {
            try model.validate(points: Tensor(shape: [2, 3, 2, 1]), action: Tensor(shape: [2, 2, 1]))
        }
    }
}
