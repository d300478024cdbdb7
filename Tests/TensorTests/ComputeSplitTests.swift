import Testing
import Tensor

/// GEMMs split across our own threads (`Compute`) give the same products as one call.
struct ComputeSplitTests {
    @Test func splitMatmulMatchesSingleCall() {
        var rng = Xoshiro256(seed: 21)
        let cases: [(Bool, Bool, [Int], [Int])] = [
            (false, false, [37, 5], [5, 11]), (false, true, [37, 5], [11, 5]),
            (true, false, [5, 9], [5, 40]), (true, true, [5, 9], [40, 5]),
        ]
        for (ta, tb, sa, sb) in cases {
            let a = Tensor<Double>.randomNormal(sa, using: &rng), b = Tensor<Double>.randomNormal(sb, using: &rng)
            let one = a.matmul(b, transposeSelf: ta, transposeOther: tb)
            let saved = (Compute.threadCount, Compute.splitThreshold)
            Compute.setThreadCount(2)
            Compute.splitThreshold = 1
            let split = a.matmul(b, transposeSelf: ta, transposeOther: tb)
            Compute.splitThreshold = saved.1
            Compute.setThreadCount(saved.0)
            #expect(split.shape == one.shape)
            var diff = one
            diff.axpby(-1, split, 1)
            #expect(diff.maxAbs <= 1e-12 * max(1, one.maxAbs), "tA \(ta) tB \(tb)")
        }
    }

    /// Sums over an axis and their adjoint (expand) split into row blocks give each element exactly as one thread does.
    @Test func splitSumAndExpandMatchOneThread() {
        var rng = Xoshiro256(seed: 22)
        let x = Variable(Tensor<Float>.randomNormal([300, 9, 2, 64], using: &rng), requiresGrad: true)
        func run() -> ([Float], [Float]) {
            x.zeroGrad()
            let y = x.sum(axis: 1)
            y.backward(seed: Tensor<Float>.randomNormal(y.shape, using: &rng))
            return (y.value.scalars, x.grad!.scalars)
        }
        let seedState = rng
        let one = run()
        rng = seedState
        let saved = Compute.threadCount
        Compute.setThreadCount(2)
        let two = run()
        Compute.setThreadCount(saved)
        #expect(one.0.map(\.bitPattern) == two.0.map(\.bitPattern))
        #expect(one.1.map(\.bitPattern) == two.1.map(\.bitPattern))
    }
}
