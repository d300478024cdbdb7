import Numerics

// The backward rule of every primitive, in one place: given the inputs, the output and the
// gradient of the loss with respect to the output, return the gradient with respect to each
// input (nil where `needsGradient` is false).
extension TensorScalar {
    public static func _backward(
        _ op: Op, inputs: [Tensor<Self>], output y: Tensor<Self>, gradient g: Tensor<Self>,
        needsGradient: [Bool]
    ) -> [Tensor<Self>?] {
        func need(_ i: Int) -> Bool { needsGradient[i] }
        switch op {
        case .leaf:
            return []
        case .add:
            return [need(0) ? g : nil, need(1) ? g : nil]
        case .sub:
            return [need(0) ? g : nil, need(1) ? scaled(g, -1) : nil]
        case .mul:
            return [
                need(0) ? binaryForward(.mul, g, inputs[1]) : nil,
                need(1) ? binaryForward(.mul, g, inputs[0]) : nil,
            ]
        case .div:
            let b = inputs[1]
            let ga: Tensor<Self>? = need(0) ? binaryForward(.div, g, b) : nil
            var gb: Tensor<Self>? = nil
            if need(1) {
                gb = g.withUnsafeBufferPointer { gg in
                    y.withUnsafeBufferPointer { yy in
                        b.withUnsafeBufferPointer { bb in
                            Tensor.uninitialized(b.shape) { out in
                                for i in 0..<out.count { out[i] = -gg[i] * yy[i] / bb[i] }
                            }
                        }
                    }
                }
            }
            return [ga, gb]
        case .scale(let c):
            return [scaled(g, Self(c))]
        case .shift:
            return [g]
        case .unary(let f):
            return [unaryBackward(f, inputs[0], y, g)]
        case .matmul(let ta, let tb):
            let a = inputs[0], b = inputs[1]
            var ga: Tensor<Self>? = nil, gb: Tensor<Self>? = nil
            if need(0) {
                ga =
                    ta
                    ? _matmul(b, g, transposeA: tb, transposeB: true)
                    : _matmul(g, b, transposeA: false, transposeB: !tb)
            }
            if need(1) {
                gb =
                    tb
                    ? _matmul(g, a, transposeA: true, transposeB: ta)
                    : _matmul(a, g, transposeA: !ta, transposeB: false)
            }
            return [ga, gb]
        case .sum(let axis):
            return [expandAxis(g, axis, inputs[0].shape[axis])]
        case .sumAll:
            return [Tensor(shape: inputs[0].shape, repeating: g.scalars[0])]
        case .expand(let axis, _):
            return [sumAxis(g, axis)]
        case .reshape:
            return [g.reshaped(inputs[0].shape)]
        case .concat(let axis):
            return splitConcatGradient(g, inputs, axis, needsGradient)
        case .vnLeakyReLU(let slope, let eps):
            return vnLeakyBackward(inputs[0], inputs[1], g, Self(slope), Self(eps), needsGradient)
        }
    }

    static func unaryBackward(_ f: UnaryFunction, _ a: Tensor<Self>, _ y: Tensor<Self>, _ g: Tensor<Self>) -> Tensor<Self> {
        a.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { yy in
                g.withUnsafeBufferPointer { gg in
                    Tensor.uninitialized(a.shape) { out in
                        let n = out.count
                        switch f {
                        case .relu: for i in 0..<n { out[i] = x[i] > 0 ? gg[i] : 0 }
                        case .leakyRelu(let s):
                            let slope = Self(s)
                            for i in 0..<n { out[i] = x[i] > 0 ? gg[i] : slope * gg[i] }
                        case .tanh: for i in 0..<n { out[i] = gg[i] * (1 - yy[i] * yy[i]) }
                        case .exp: for i in 0..<n { out[i] = gg[i] * yy[i] }
                        case .log: for i in 0..<n { out[i] = gg[i] / x[i] }
                        case .sqrt: for i in 0..<n { out[i] = gg[i] / (2 * yy[i]) }
                        case .square: for i in 0..<n { out[i] = 2 * gg[i] * x[i] }
                        case .sin: for i in 0..<n { out[i] = gg[i] * Self.cos(x[i]) }
                        case .cos: for i in 0..<n { out[i] = -gg[i] * Self.sin(x[i]) }
                        }
                    }
                }
            }
        }
    }

    static func splitConcatGradient(
        _ g: Tensor<Self>, _ parts: [Tensor<Self>], _ axis: Int, _ needs: [Bool]
    ) -> [Tensor<Self>?] {
        let (outer, total, inner) = splitShape(g.shape, axis)
        var offset = 0
        var result: [Tensor<Self>?] = []
        g.withUnsafeBufferPointer { gg in
            for (p, needed) in zip(parts, needs) {
                let w = p.shape[axis] * inner
                if needed {
                    result.append(
                        Tensor.uninitialized(p.shape) { out in
                            for o in 0..<outer {
                                let gb = o &* total &* inner &+ offset
                                for i in 0..<w { out[o &* w &+ i] = gg[gb &+ i] }
                            }
                        })
                } else {
                    result.append(nil)
                }
                offset += w
            }
        }
        return result
    }

    /// Where <q,k> < 0 (else the map is the identity in q and constant in k), with n = |k|^2 + eps,
    /// s = <q,k>, beta = 1 - slope:  out = q - beta (s/n) k, so
    ///   dq = g - beta (g.k / n) k,
    ///   dk = -beta [ (g.k) (q/n - 2 s k / n^2) + (s/n) g ].
    static func vnLeakyBackward(
        _ q: Tensor<Self>, _ k: Tensor<Self>, _ g: Tensor<Self>, _ slope: Self, _ eps: Self, _ needs: [Bool]
    ) -> [Tensor<Self>?] {
        let c = q.shape[q.rank - 1], d = q.shape[q.rank - 2]
        let rows = q.count / max(1, c * d)
        let beta = 1 - slope
        // Every element of dq and dk is written below, so no zero fill.
        var dq = Tensor<Self>.uninitialized(q.shape) { _ in }
        var dk = Tensor<Self>.uninitialized(q.shape) { _ in }
        q.withUnsafeBufferPointer { xbuf in
            k.withUnsafeBufferPointer { kbuf in
                g.withUnsafeBufferPointer { gbuf in
                    dq.withUnsafeMutableBufferPointer { dxbuf in
                        dk.withUnsafeMutableBufferPointer { dkbuf in
                            guard rows > 0, c > 0 else { return }
                            let x0 = xbuf.baseAddress!, k0 = kbuf.baseAddress!, g0 = gbuf.baseAddress!
                            let dx0 = dxbuf.baseAddress!, dk0 = dkbuf.baseAddress!
                            let parts = Compute.rowBlocks(rows: rows, elementsPerRow: c * d)
                            Compute.parallel(parts) { t in
                                let lo = t * rows / parts, hi = (t + 1) * rows / parts
                                if AVX2Kernels.vnLeakyBackward(
                                    x0, k0, g0, dx0, dk0, rows: lo..<hi, d: d, c: c, beta: beta, eps: eps)
                                {
                                    return
                                }
                                // Per-block scratch: wa, wb, we (c each).
                                let w = UnsafeMutablePointer<Self>.allocate(capacity: 3 * c)
                                defer { w.deallocate() }
                                let wa = w, wb = w + c, we = w + 2 * c
                                for r in lo..<hi {
                                    let off = r &* d &* c
                                    // wa = s = <q,k>, wb = |k|^2, we = g.k
                                    w.update(repeating: 0, count: 3 * c)
                                    for i in 0..<d {
                                        let o = off &+ i &* c
                                        let xr = x0 + o, kr = k0 + o, gr = g0 + o
                                        for j in 0..<c {
                                            wa[j] += xr[j] * kr[j]
                                            wb[j] += kr[j] * kr[j]
                                            we[j] += gr[j] * kr[j]
                                        }
                                    }
                                    // Per-channel coefficients (0 where s >= 0):
                                    // wa = beta gk / n (dq and the q-term of dk),
                                    // wb = 2 beta s gk / n^2 (k-term of dk), we = beta s / n (g-term of dk).
                                    for j in 0..<c {
                                        let s = wa[j], n = wb[j] + eps, gk = we[j]
                                        let inv: Self = s < 0 ? 1 / n : 0
                                        wa[j] = beta * gk * inv
                                        wb[j] = 2 * beta * s * gk * inv * inv
                                        we[j] = beta * s * inv
                                    }
                                    for i in 0..<d {
                                        let o = off &+ i &* c
                                        let xr = x0 + o, kr = k0 + o, gr = g0 + o, dxr = dx0 + o, dkr = dk0 + o
                                        for j in 0..<c {
                                            dxr[j] = gr[j] - wa[j] * kr[j]
                                            dkr[j] = wb[j] * kr[j] - wa[j] * xr[j] - we[j] * gr[j]
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [needs[0] ? dq : nil, needs[1] ? dk : nil]
    }
}
