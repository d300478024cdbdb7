import Numerics

// Vector kernels used by optimisers, EMA and gradient accumulation. Specialised for Float and
// Double through the `TensorScalar` witness tables (see TensorScalar.swift).
extension TensorScalar {
    public static func _axpby(_ a: Self, _ x: Tensor<Self>, _ b: Self, _ y: inout Tensor<Self>) {
        precondition(x.count == y.count, "axpby: \(x.shape) into \(y.shape)")
        x.withUnsafeBufferPointer { xx in
            y.withUnsafeMutableBufferPointer { yy in
                guard let xs = xx.baseAddress, let ys = yy.baseAddress else { return }
                // Large vectors (the gradients of a layer's activations) in blocks on the pool's threads; every element
                // is computed as on one thread.
                let n = yy.count, parts = Compute.rowBlocks(rows: n, elementsPerRow: 1)
                Compute.parallel(parts) { t in
                    let lo = t * n / parts, hi = (t + 1) * n / parts
                    if AVX2Kernels.axpby(a, xs + lo, b, ys + lo, count: hi - lo) { return }
                    if b == 1 {
                        for i in lo..<hi { ys[i] += a * xs[i] }
                    } else {
                        for i in lo..<hi { ys[i] = a * xs[i] + b * ys[i] }
                    }
                }
            }
        }
    }

    public static func _dot(_ x: Tensor<Self>, _ y: Tensor<Self>) -> Self {
        x.withUnsafeBufferPointer { xx in
            y.withUnsafeBufferPointer { yy in
                // Four accumulators so the loop vectorises without reassociation flags.
                var s0: Self = 0, s1: Self = 0, s2: Self = 0, s3: Self = 0
                let n = xx.count, n4 = n & ~3
                var i = 0
                while i < n4 {
                    s0 += xx[i] * yy[i]; s1 += xx[i + 1] * yy[i + 1]
                    s2 += xx[i + 2] * yy[i + 2]; s3 += xx[i + 3] * yy[i + 3]
                    i += 4
                }
                while i < n { s0 += xx[i] * yy[i]; i += 1 }
                return (s0 + s1) + (s2 + s3)
            }
        }
    }

    public static func _maxAbs(_ x: Tensor<Self>) -> Self {
        x.withUnsafeBufferPointer { xx in
            var m: Self = 0
            for i in 0..<xx.count { m = Swift.max(m, Swift.abs(xx[i])) }
            return m
        }
    }

    public static func _adamW(
        parameter: inout Tensor<Self>, gradient: Tensor<Self>, m: inout Tensor<Self>, v: inout Tensor<Self>,
        learningRate lr: Self, beta1: Self, beta2: Self, epsilon: Self, weightDecay: Self,
        biasCorrection1: Self, biasCorrection2: Self
    ) {
        let decay = 1 - lr * weightDecay
        let stepSize = lr / biasCorrection1
        let invSqrtBC2 = 1 / biasCorrection2.squareRoot()
        gradient.withUnsafeBufferPointer { g in
            m.withUnsafeMutableBufferPointer { mm in
                v.withUnsafeMutableBufferPointer { vv in
                    parameter.withUnsafeMutableBufferPointer { p in
                        guard p.count > 0 else { return }
                        if AVX2Kernels.adamW(
                            parameter: p.baseAddress!, gradient: g.baseAddress!, m: mm.baseAddress!, v: vv.baseAddress!, count: p.count,
                            beta1: beta1, beta2: beta2, epsilon: epsilon, decay: decay, stepSize: stepSize, invSqrtBC2: invSqrtBC2)
                        {
                            return
                        }
                        for i in 0..<p.count {
                            mm[i] = beta1 * mm[i] + (1 - beta1) * g[i]
                            vv[i] = beta2 * vv[i] + (1 - beta2) * g[i] * g[i]
                            let denom = vv[i].squareRoot() * invSqrtBC2 + epsilon
                            p[i] = p[i] * decay - stepSize * mm[i] / denom
                        }
                    }
                }
            }
        }
    }
}
