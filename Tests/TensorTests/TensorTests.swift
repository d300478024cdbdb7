import Testing
import Tensor

func naiveMatmul<S: TensorScalar>(_ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
    let m = a.shape[0], k = a.shape[1], n = b.shape[1]
    var c = Tensor<S>(shape: [m, n])
    for i in 0..<m {
        for j in 0..<n {
            var s: S = 0
            for l in 0..<k { s += a[i, l] * b[l, j] }
            c[i, j] = s
        }
    }
    return c
}

func transposed<S: TensorScalar>(_ a: Tensor<S>) -> Tensor<S> {
    var t = Tensor<S>(shape: [a.shape[1], a.shape[0]])
    for i in 0..<a.shape[0] { for j in 0..<a.shape[1] { t[j, i] = a[i, j] } }
    return t
}

struct TensorBasics {
    func matmulMatchesNaive<S: TensorScalar>(_: S.Type) {
        var rng = Xoshiro256(seed: 42)
        let a = Tensor<S>.randomNormal([5, 7], using: &rng), b = Tensor<S>.randomNormal([7, 3], using: &rng)
        let ref = naiveMatmul(a, b)
        let tol: S = S.ulpOfOne * 100
        #expect((a.matmul(b).scalars.indices).allSatisfy { abs(a.matmul(b).scalars[$0] - ref.scalars[$0]) < tol })
        let viaT = transposed(a).matmul(transposed(b), transposeSelf: true, transposeOther: true)
        #expect(zip(viaT.scalars, ref.scalars).allSatisfy { abs($0 - $1) < tol })
    }

    @Test func matmulFloat() { matmulMatchesNaive(Float.self) }
    @Test func matmulDouble() { matmulMatchesNaive(Double.self) }

    @Test func seededGeneratorIsDeterministic() {
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7), c = Xoshiro256(seed: 8)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        #expect(xa == xb)
        #expect(xa != xc)
        var r = Xoshiro256(seed: 1)
        let normals = (0..<20_000).map { _ in r.nextNormal() }
        let mean = normals.reduce(0, +) / 20_000
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }

    @Test func shapeErrorsAreClear() {
        #expect(throws: TensorError.shapeMismatch("shape [2, 3] holds 6 elements, got 5")) {
            try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5])
        }
        #expect(throws: TensorError.invalidShape([-1])) { try Tensor<Double>(shape: [-1], scalars: []) }
    }

    func reductions<S: TensorScalar>(_: S.Type) throws {
        let x = Variable(try Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(x.sum(axis: 0).value.scalars == [5, 7, 9])
        #expect(x.sum(axis: 1).value.scalars == [6, 15])
        #expect(x.sum().value.scalar == 21)
        #expect(x.mean(axis: -1).value.scalars == [2, 5])
        #expect(x.expand(axis: 1, count: 2).value.scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        let y = Variable(try Tensor<S>(shape: [2, 1], scalars: [7, 8]))
        #expect(Variable.concat([x, y], axis: 1).value.scalars == [1, 2, 3, 7, 4, 5, 6, 8])
    }

    @Test func reductionsFloat() throws { try reductions(Float.self) }
    @Test func reductionsDouble() throws { try reductions(Double.self) }

    @Test func backwardAccumulatesAndFreesInterior() throws {
        let w = Variable(try Tensor<Double>(shape: [2], scalars: [1, 2]), requiresGrad: true)
        let loss = (w * w + w).sum()  // d/dw = 2w + 1
        loss.backward()
        #expect(w.grad?.scalars == [3, 5])
        let frozen = Variable(Tensor<Double>(shape: [2], repeating: 1))
        let noGraph = frozen * frozen
        #expect(!noGraph.requiresGrad && noGraph.parents.isEmpty)
    }
}
