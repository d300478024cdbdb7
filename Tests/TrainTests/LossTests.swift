import Agents
import Testing
import Tensor
@testable import Train

struct LossTests {
    @Test func lossGradientsMatchFiniteDifferences() {
        var rng = Xoshiro256(seed: 5)
        let z = Tensor<Double>.randomNormal([12, 4], using: &rng)
        let p = Tensor<Double>.randomNormal([6, 2, 3], using: &rng), t = Tensor<Double>.randomNormal([6, 2, 3], using: &rng)
        #expect(checkGradients(inputs: [p, t], step: 1e-5) { Loss.relativeMSE($0[0], $0[1]) }.maxRelativeError < 1e-6)
        #expect(
            checkGradients(inputs: [z], step: 1e-5) { v in
                let (a, b) = Loss.vicreg(v[0].squared())
                return a + b
            }.maxRelativeError < 1e-6)
        #expect(
            checkGradients(inputs: [z], step: 1e-5) { v in
                var r = Xoshiro256(seed: 9)
                return Loss.sigreg(v[0], slices: 8, using: &r)
            }.maxRelativeError < 1e-6)
        #expect(checkGradients(inputs: [p], step: 1e-5) { Loss.vectorNorms($0[0]).sum() }.maxRelativeError < 1e-6)
    }

    @Test func relativeMSEIsInvariant() {
        var rng = Xoshiro256(seed: 6)
        let p = Tensor<Double>.randomNormal([5, 3, 4], using: &rng), t = Tensor<Double>.randomNormal([5, 3, 4], using: &rng)
        let g = OrthogonalTransform.random(dim: 3, reflect: true, using: &rng)
        let a = Loss.relativeMSE(Variable(p), Variable(t)).value.scalar
        let b = Loss.relativeMSE(Variable(g.apply(to: p)), Variable(g.apply(to: t))).value.scalar
        #expect(abs(a - b) < 1e-13)
    }

    @Test func regularisersSeparateGaussianFromCollapsed() {
        var rng = Xoshiro256(seed: 7)
        let gaussian = Variable(Tensor<Double>.randomNormal([256, 8], using: &rng))
        let collapsed = Variable(Tensor<Double>.randomNormal([256, 8], std: 0.01, using: &rng))
        var r1 = Xoshiro256(seed: 1), r2 = Xoshiro256(seed: 1)
        let sg = Loss.sigreg(gaussian, slices: 16, using: &r1).value.scalar
        let sc = Loss.sigreg(collapsed, slices: 16, using: &r2).value.scalar
        #expect(sc > 10 * sg)
        #expect(Loss.vicreg(collapsed).variance.value.scalar > 0.9)
        #expect(Loss.vicreg(gaussian).variance.value.scalar < 0.1)
        // Block-SIGReg is blind to one scale per block: a scaled Gaussian block scores like a unit one.
        let rep = Rep(scalars: 3, vectors: 4, dim: 2)
        var r3 = Xoshiro256(seed: 2), r4 = Xoshiro256(seed: 2), r5 = Xoshiro256(seed: 3)
        let s = Tensor<Double>.randomNormal([256, 3], using: &r5), v = Tensor<Double>.randomNormal([256, 2, 4], using: &r5)
        let unit = Features(scalars: Variable(s), vectors: Variable(v))
        let scaled = Features(scalars: Variable(s), vectors: Variable(v) * 5.0)
        let bu = Loss.blockSIGReg(unit, rep: rep, slices: 16, using: &r3).value.scalar
        let bs = Loss.blockSIGReg(scaled, rep: rep, slices: 16, using: &r4).value.scalar
        #expect(abs(bu - bs) < 1e-6 * max(1, bu))  // exact up to the eps inside the RMS
    }
}

struct TrainerTests {
    func equivariantAfterTraining<S: TensorScalar>(_: S.Type, dim: Int, tolerance: Double) {
        let config = VNWorldModelConfig(dim: dim, encoderWidths: [8, 8], latentChannels: 4, predictorWidths: [8, 8])
        let trainer = WorldModelTrainer<S>(config: config, seed: 1, learningRate: 1e-2)
        var rng = Xoshiro256(seed: 2)
        var losses: [Double] = []
        let batch = WorldModelTrainer<S>.randomBatch(batch: 16, points: 5, config: config, using: &rng)
        for _ in 0..<15 { losses.append(trainer.step(points: batch.points, action: batch.action, nextPoints: batch.nextPoints)) }
        #expect(losses.last! < losses.first!)
        let m = trainer.model
        let r = equivarianceResidual(inputs: [(m.pointsRep, [8, 5]), (m.actionRep, [8])], outputRep: m.latentRep) { (x: [Features<S>]) in
            .vectors(m.predict(m.encode(x[0].vectors!), action: x[1].vectors!))
        }
        #expect(r < tolerance, "residual \(r)")
    }

    @Test(arguments: [2, 3]) func equivariantAfterTrainingDouble(dim: Int) {
        equivariantAfterTraining(Double.self, dim: dim, tolerance: 1e-12)
    }
    @Test(arguments: [2, 3]) func equivariantAfterTrainingFloat(dim: Int) {
        equivariantAfterTraining(Float.self, dim: dim, tolerance: 1e-5)
    }
}
