import Testing
import Tensor

/// Every primitive's backward rule against central finite differences in Double.
struct GradientTests {
    static let tolerance = 1e-6

    func random(_ shape: [Int], seed: UInt64, positive: Bool = false) -> Tensor<Double> {
        var rng = Xoshiro256(seed: seed)
        let t = Tensor<Double>.randomNormal(shape, using: &rng)
        if !positive { return t }
        return try! Tensor(shape: shape, scalars: t.scalars.map { 0.5 + abs($0) })
    }

    func check(_ inputs: [Tensor<Double>], _ f: ([Variable<Double>]) -> Variable<Double>) -> Double {
        checkGradients(inputs: inputs, step: 1e-5, f).maxRelativeError
    }

    @Test(arguments: ["add", "sub", "mul", "div"])
    func binary(_ name: String) {
        let a = random([3, 4], seed: 1), b = random([3, 4], seed: 2, positive: true)
        let err = check([a, b]) { v in
            switch name {
            case "add": return v[0] + v[1]
            case "sub": return v[0] - v[1]
            case "mul": return v[0] * v[1]
            default: return v[0] / v[1]
            }
        }
        #expect(err < Self.tolerance, "\(name): \(err)")
    }

    @Test func scaleAndShift() {
        let a = random([5], seed: 3)
        #expect(check([a]) { $0[0] * 2.5 } < Self.tolerance)
        #expect(check([a]) { $0[0] + 1.5 } < Self.tolerance)
        #expect(check([a]) { 1.0 - $0[0] } < Self.tolerance)
    }

    @Test(arguments: UnaryFunction.all)
    func unary(_ f: UnaryFunction) {
        // Away from the kinks of relu/leakyRelu; positive where log and sqrt need it.
        var x = random([4, 3], seed: 4)
        x = try! Tensor(
            shape: x.shape,
            scalars: x.scalars.map { v in
                let m = 0.2 + abs(v)
                switch f {
                case .log, .sqrt: return m
                default: return v < 0 ? -m : m
                }
            })
        let err = check([x]) { $0[0].apply(f) }
        #expect(err < Self.tolerance, "\(f): \(err)")
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmul(_ ta: Bool, _ tb: Bool) {
        let a = random(ta ? [4, 3] : [3, 4], seed: 5), b = random(tb ? [2, 4] : [4, 2], seed: 6)
        let err = check([a, b]) { $0[0].matmul($0[1], transposeSelf: ta, transposeOther: tb) }
        #expect(err < Self.tolerance)
    }

    @Test(arguments: [0, 1, 2])
    func sumAndExpand(_ axis: Int) {
        let a = random([2, 3, 4], seed: 7)
        #expect(check([a]) { $0[0].sum(axis: axis) } < Self.tolerance)
        #expect(check([a]) { $0[0].expand(axis: axis, count: 3) } < Self.tolerance)
        #expect(check([a]) { $0[0].sum() } < Self.tolerance)
    }

    @Test func reshapeAndConcat() {
        let a = random([2, 3, 4], seed: 8), b = random([2, 3, 1], seed: 9), c = random([2, 1, 4], seed: 10)
        #expect(check([a]) { $0[0].reshaped([6, 4]) } < Self.tolerance)
        #expect(check([a, b]) { Variable.concat([$0[0], $0[1]], axis: 2) } < Self.tolerance)
        #expect(check([a, c]) { Variable.concat([$0[0], $0[1]], axis: 1) } < Self.tolerance)
    }

    @Test(arguments: [2, 3])
    func vnLeakyReLU(_ d: Int) {
        let q = random([5, d, 6], seed: 11), k = random([5, d, 6], seed: 12)
        let err = check([q, k]) { $0[0].vnLeakyReLU(direction: $0[1], slope: 0.2, eps: 1e-6) }
        #expect(err < Self.tolerance)
    }

    @Test func composedGraphWithSharedInput() {
        // x is used twice (as features and, through a matmul, as direction): gradients accumulate.
        let x = random([4, 2, 3], seed: 13), u = random([3, 3], seed: 14)
        let err = check([x, u]) { v in
            let k = v[0].reshaped([8, 3]).matmul(v[1], transposeOther: true).reshaped([4, 2, 3])
            return v[0].vnLeakyReLU(direction: k).mean(axis: 0).squared().sum()
        }
        #expect(err < Self.tolerance)
    }
}
