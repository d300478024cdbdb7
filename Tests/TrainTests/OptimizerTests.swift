import Agents
import Testing
import Tensor
@testable import Train

/// A small least-squares problem: y = X W*^T, fit W from zero init.
func regressionLoss<S: TensorScalar>(_: S.Type, optimizer make: ([(String, Variable<S>)]) -> any Optimizer, steps: Int)
    -> (first: Double, last: Double)
{
    var rng = Xoshiro256(seed: 21)
    let x = Variable(Tensor<S>.randomNormal([64, 8], using: &rng))
    let wTrue = Variable(Tensor<S>.randomNormal([4, 8], using: &rng))
    let y = x.matmul(wTrue, transposeOther: true)
    let w = Variable(Tensor<S>(shape: [4, 8]), requiresGrad: true, name: "w")
    let opt = make([("w", w)])
    var first = 0.0, last = 0.0
    for i in 0..<steps {
        w.zeroGrad()
        let loss = Loss.mse(x.matmul(w, transposeOther: true), y)
        loss.backward()
        opt.step()
        if i == 0 { first = Double(loss.value.scalar) }
        last = Double(loss.value.scalar)
    }
    return (first, last)
}

struct OptimizerTests {
    func allReduce<S: TensorScalar>(_: S.Type) {
        let sgd = regressionLoss(S.self, optimizer: { SGD(parameters: $0.map(\.1), learningRate: 0.1, momentum: 0.9) }, steps: 60)
        let adam = regressionLoss(S.self, optimizer: { AdamW(parameters: $0.map(\.1), learningRate: 0.05, weightDecay: 0) }, steps: 60)
        let muon = regressionLoss(S.self, optimizer: { Muon(parameters: $0.map(\.1), learningRate: 0.1) }, steps: 80)
        let split = regressionLoss(S.self, optimizer: { MuonAdamW(namedParameters: $0, muonLearningRate: 0.1) }, steps: 80)
        for (name, r) in [("SGD", sgd), ("AdamW", adam), ("Muon", muon), ("Muon+AdamW", split)] {
            #expect(r.last < 0.1 * r.first, "\(name): \(r.first) -> \(r.last)")
        }
    }

    @Test func optimizersReduceRegressionLossFloat() { allReduce(Float.self) }
    @Test func optimizersReduceRegressionLossDouble() { allReduce(Double.self) }

    @Test func newtonSchulzOrthogonalises() {
        var rng = Xoshiro256(seed: 4)
        for shape in [[6, 10], [10, 6]] {
            let g = Tensor<Double>.randomNormal(shape, using: &rng)
            let o = Muon<Double>.orthogonalize(g)
            let small = shape[0] <= shape[1] ? o.matmul(o, transposeOther: true) : o.matmul(o, transposeSelf: true)
            let n = small.shape[0]
            for i in 0..<n {
                // The quintic iteration maps singular values into roughly [0.7, 1.2], not exactly 1.
                #expect(small[i, i] > 0.4 && small[i, i] < 1.5)
            }
        }
    }

    @Test func muonSplitPutsHiddenMatricesOnMuon() {
        var rng = Xoshiro256(seed: 1)
        let model = VNWorldModel<Float>(VNWorldModelConfig(dim: 2, encoderWidths: [4], latentChannels: 3, predictorWidths: [5]), seed: 2)
        _ = rng.next()
        let opt = MuonAdamW(namedParameters: model.namedParameters)
        #expect(opt.adamNames == ["encoder.0.weight"])  // [4, 1]: a first layer from one channel
        #expect(opt.muonNames.count == model.namedParameters.count - 1)
    }

    @Test func emaAndSchedules() throws {
        let s = Variable(try Tensor<Double>(shape: [2], scalars: [1, 1]))
        let t = Variable(try Tensor<Double>(shape: [2], scalars: [0, 2]))
        EMA(source: [s], target: [t], decay: 0.75).update()
        #expect(t.value.scalars == [0.25, 1.75])
        let sched = LRSchedule.warmupCosine(warmup: 10, total: 110, minFactor: 0.1)
        #expect(abs(sched.factor(at: 0) - 0.1) < 1e-12)
        #expect(abs(sched.factor(at: 9) - 1) < 1e-12)
        #expect(abs(sched.factor(at: 60) - 0.55) < 1e-12)
        #expect(abs(sched.factor(at: 110) - 0.1) < 1e-12)
        #expect(LRSchedule.warmup(steps: 4).factor(at: 1) == 0.5)
    }
}
