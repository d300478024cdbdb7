import Testing

@testable import Tensor

/// The AVX2 kernels give the portable Swift loops' results bit for bit (signed zeros included), on odd shapes.
struct AVX2KernelTests {
    /// Forward value and both input gradients of VN leaky ReLU, with the AVX2 kernels on or off.
    func vnLeaky<S: TensorScalar>(_ q: Tensor<S>, _ k: Tensor<S>, _ g: Tensor<S>, avx2: Bool) -> [Tensor<S>] {
        let saved = AVX2Kernels.enabled
        AVX2Kernels.enabled = avx2 && AVX2Kernels.usable
        defer { AVX2Kernels.enabled = saved }
        let vq = Variable(q, requiresGrad: true), vk = Variable(k, requiresGrad: true)
        let y = vq.vnLeakyReLU(direction: vk, slope: 0.2, eps: 1e-6)
        y.backward(seed: g)
        return [y.value, vq.grad!, vk.grad!]
    }

    /// Random features with exact zeros, negative zeros and s = 0 cases mixed in.
    func features<S: TensorScalar>(_ shape: [Int], seed: UInt64, as: S.Type) -> [Tensor<S>] {
        var rng = Xoshiro256(seed: seed)
        var q = Tensor<S>.randomNormal(shape, using: &rng), k = Tensor<S>.randomNormal(shape, using: &rng)
        let g = Tensor<S>.randomNormal(shape, using: &rng)
        q.withUnsafeMutableBufferPointer { b in for i in stride(from: 0, to: b.count, by: 7) { b[i] = i % 2 == 0 ? 0 : -0.0 } }
        k.withUnsafeMutableBufferPointer { b in for i in stride(from: 3, to: b.count, by: 11) { b[i] = -0.0 } }
        return [q, k, g]
    }

    /// Sign, exponent and significand bits of every element (tells -0 from 0).
    func bits<S: TensorScalar>(_ t: Tensor<S>) -> [UInt64] {
        t.scalars.map { ($0.sign == .minus ? 1 << 63 : 0) | UInt64($0.exponentBitPattern) << 52 | UInt64($0.significandBitPattern) }
    }

    @Test(arguments: [2, 3])
    func vnLeakyReLUMatchesThePortableLoopsInFloat(_ d: Int) {
        for (rows, c) in [(1, 1), (3, 7), (5, 8), (17, 13), (9, 64), (4, 33), (2, 129)] {
            let t = features([rows, d, c], seed: UInt64(rows * 1000 + c), as: Float.self)
            let fast = vnLeaky(t[0], t[1], t[2], avx2: true), portable = vnLeaky(t[0], t[1], t[2], avx2: false)
            for (a, b) in zip(fast, portable) { #expect(bits(a) == bits(b), "d \(d), rows \(rows), c \(c)") }
        }
    }

    /// Double has no AVX2 kernel: the switch changes nothing, and the results still agree with Float's to Float accuracy.
    @Test func vnLeakyReLUInDoubleIsUnaffected() {
        let t = features([6, 3, 19], seed: 5, as: Double.self)
        let on = vnLeaky(t[0], t[1], t[2], avx2: true), off = vnLeaky(t[0], t[1], t[2], avx2: false)
        for (a, b) in zip(on, off) { #expect(bits(a) == bits(b)) }
        let f = vnLeaky(t[0].converted(to: Float.self), t[1].converted(to: Float.self), t[2].converted(to: Float.self), avx2: true)
        for (a, b) in zip(f, on) {
            var diff = a.converted(to: Double.self)
            diff.axpby(-1, b, 1)
            #expect(diff.maxAbs < 1e-3 * max(1, b.maxAbs))
        }
    }

    /// Split across threads (row blocks) or not, the kernels give the same results.
    @Test func vnLeakyReLUSplitAcrossThreadsMatches() {
        let t = features([300, 2, 64], seed: 9, as: Float.self)
        let one = vnLeaky(t[0], t[1], t[2], avx2: true)
        let saved = Compute.threadCount
        Compute.setThreadCount(2)
        let split = vnLeaky(t[0], t[1], t[2], avx2: true)
        Compute.setThreadCount(saved)
        for (a, b) in zip(one, split) { #expect(bits(a) == bits(b)) }
    }

    /// axpby (both forms) and an AdamW step over odd lengths, with the AVX2 kernels on or off.
    @Test func axpbyAndAdamWMatchThePortableLoops() {
        for n in [1, 7, 8, 9, 100, 4099] {
            let t = features([n], seed: UInt64(n), as: Float.self)
            func run(avx2: Bool) -> [[UInt64]] {
                let saved = AVX2Kernels.enabled
                AVX2Kernels.enabled = avx2 && AVX2Kernels.usable
                defer { AVX2Kernels.enabled = saved }
                var y1 = t[1], y2 = t[1]
                Float._axpby(0.3, t[0], 1, &y1)
                Float._axpby(-1.7, t[0], 0.99, &y2)
                var p = t[0], m = t[1], v = t[2]
                v.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = abs(b[i]) } }
                for _ in 0..<3 {
                    Float._adamW(
                        parameter: &p, gradient: t[2], m: &m, v: &v, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                        weightDecay: 0.01, biasCorrection1: 0.1, biasCorrection2: 0.001)
                }
                return [bits(y1), bits(y2), bits(p), bits(m), bits(v)]
            }
            #expect(run(avx2: true) == run(avx2: false), "n \(n)")
        }
    }
}
