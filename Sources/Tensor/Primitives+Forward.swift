import Numerics

/// (outer, length, inner) sizes around `axis` of a row-major shape.
func splitShape(_ shape: [Int], _ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    return (outer, shape[axis], inner)
}

// The forward rule of every primitive. Shapes are validated by the `Variable` builders
// (Variable+Ops.swift); here they are only asserted.
extension TensorScalar {
    public static func _forward(_ op: Op, _ inputs: [Tensor<Self>]) -> Tensor<Self> {
        switch op {
        case .leaf:
            return inputs[0]
        case .add, .sub, .mul, .div:
            return binaryForward(op, inputs[0], inputs[1])
        case .scale(let c):
            return scaled(inputs[0], Self(c))
        case .shift(let c):
            let a = inputs[0], s = Self(c)
            return a.withUnsafeBufferPointer { x in
                Tensor.uninitialized(a.shape) { y in for i in 0..<y.count { y[i] = x[i] + s } }
            }
        case .unary(let f):
            return unaryForward(f, inputs[0])
        case .matmul(let ta, let tb):
            return _matmul(inputs[0], inputs[1], transposeA: ta, transposeB: tb)
        case .sum(let axis):
            return sumAxis(inputs[0], axis)
        case .sumAll:
            return Tensor(
                inputs[0].withUnsafeBufferPointer { x in
                    var s: Self = 0
                    for i in 0..<x.count { s += x[i] }
                    return s
                })
        case .expand(let axis, let count):
            return expandAxis(inputs[0], axis, count)
        case .reshape(let shape):
            return inputs[0].reshaped(shape)
        case .concat(let axis):
            return concatenate(inputs, axis)
        case .vnLeakyReLU(let slope, let eps):
            return vnLeakyForward(inputs[0], inputs[1], Self(slope), Self(eps))
        }
    }

    @inline(__always) static func scaled(_ a: Tensor<Self>, _ c: Self) -> Tensor<Self> {
        a.withUnsafeBufferPointer { x in
            Tensor.uninitialized(a.shape) { y in for i in 0..<y.count { y[i] = x[i] * c } }
        }
    }

    static func binaryForward(_ op: Op, _ a: Tensor<Self>, _ b: Tensor<Self>) -> Tensor<Self> {
        assert(a.shape == b.shape)
        return a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { z in
                Tensor.uninitialized(a.shape) { y in
                    switch op {
                    case .add: for i in 0..<y.count { y[i] = x[i] + z[i] }
                    case .sub: for i in 0..<y.count { y[i] = x[i] - z[i] }
                    case .mul: for i in 0..<y.count { y[i] = x[i] * z[i] }
                    default: for i in 0..<y.count { y[i] = x[i] / z[i] }
                    }
                }
            }
        }
    }

    static func unaryForward(_ f: UnaryFunction, _ a: Tensor<Self>) -> Tensor<Self> {
        a.withUnsafeBufferPointer { x in
            Tensor.uninitialized(a.shape) { y in
                let n = y.count
                switch f {
                case .relu: for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
                case .leakyRelu(let s):
                    let slope = Self(s)
                    for i in 0..<n { y[i] = x[i] > 0 ? x[i] : slope * x[i] }
                case .tanh: for i in 0..<n { y[i] = Self.tanh(x[i]) }
                case .exp: for i in 0..<n { y[i] = Self.exp(x[i]) }
                case .log: for i in 0..<n { y[i] = Self.log(x[i]) }
                case .sqrt: for i in 0..<n { y[i] = x[i].squareRoot() }
                case .square: for i in 0..<n { y[i] = x[i] * x[i] }
                case .sin: for i in 0..<n { y[i] = Self.sin(x[i]) }
                case .cos: for i in 0..<n { y[i] = Self.cos(x[i]) }
                }
            }
        }
    }

    public static func _matmul(_ a: Tensor<Self>, _ b: Tensor<Self>, transposeA: Bool, transposeB: Bool) -> Tensor<Self> {
        precondition(a.rank == 2 && b.rank == 2, "matmul: needs rank-2 tensors, got \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let kb = transposeB ? b.shape[1] : b.shape[0]
        let n = transposeB ? b.shape[0] : b.shape[1]
        precondition(k == kb, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "^T" : "") x \(b.shape)\(transposeB ? "^T" : "")")
        if m == 0 || n == 0 { return Tensor(shape: [m, n]) }
        if k == 0 { return Tensor(shape: [m, n], repeating: 0) }
        let lda = a.shape[1], ldb = b.shape[1]
        let chain = ChainGEMM.applies(to: Self.self)
        // Split when the multiply-adds pay for the hand-off, and with the chain kernel (whose result does not depend
        // on the split) also when C alone is large: a one-channel layer's outer product is all stores.
        let large = m * n * k >= Compute.splitThreshold || (chain && m * n >= Compute.splitOutputThreshold)
        let parts = Compute.threads > 1 && large ? Compute.threads : 1
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                Tensor.uninitialized([m, n]) { pc in
                    let a0 = pa.baseAddress!, b0 = pb.baseAddress!, c0 = pc.baseAddress!
                    // One block of C: rows rs of op(A) times columns cs of op(B).
                    func block(_ rs: Range<Int>, _ cs: Range<Int>) {
                        guard !rs.isEmpty, !cs.isEmpty else { return }
                        let aBlock = a0 + (transposeA ? rs.lowerBound : rs.lowerBound * lda)
                        let bBlock = b0 + (transposeB ? cs.lowerBound * ldb : cs.lowerBound)
                        let cBlock = c0 + rs.lowerBound * n + cs.lowerBound
                        if chain,
                            ChainGEMM.multiply(
                                transposeA: transposeA, transposeB: transposeB, m: rs.count, n: cs.count, k: k,
                                a: aBlock, lda: lda, b: bBlock, ldb: ldb, c: cBlock, ldc: n)
                        {
                            return
                        }
                        gemm(
                            transposeA: transposeA, transposeB: transposeB, m: rs.count, n: cs.count, k: k,
                            alpha: 1, a: aBlock, lda: lda, b: bBlock, ldb: ldb, beta: 0, c: cBlock, ldc: n)
                    }
                    if parts == 1 { return block(0..<m, 0..<n) }
                    // Independent blocks of C: rows of op(A) when C is tall, else columns of op(B); for the chain
                    // kernel on whole tiles (6 rows, a panel of columns), which changes nothing in its result.
                    func cut(_ total: Int, _ t: Int, _ unit: Int) -> Int {
                        t == parts ? total : min(total, (total * t / parts + unit / 2) / unit * unit)
                    }
                    if m >= n {
                        let unit = chain ? ChainGEMM.tileRows : 1
                        Compute.parallel(parts) { t in block(cut(m, t, unit)..<cut(m, t + 1, unit), 0..<n) }
                    } else {
                        let unit = chain ? ChainGEMM.panelWidth : 1
                        Compute.parallel(parts) { t in block(0..<m, cut(n, t, unit)..<cut(n, t + 1, unit)) }
                    }
                }
            }
        }
    }

    static func sumAxis(_ a: Tensor<Self>, _ axis: Int) -> Tensor<Self> {
        let (outer, n, inner) = splitShape(a.shape, axis)
        var shape = a.shape
        shape.remove(at: axis)
        return a.withUnsafeBufferPointer { x in
            Tensor.uninitialized(shape) { y in
                if inner == 1 {
                    for o in 0..<outer {
                        var s: Self = 0
                        let base = o &* n
                        for j in 0..<n { s += x[base &+ j] }
                        y[o] = s
                    }
                    return
                }
                // Blocks of outer rows on the pool's threads: each element is summed as on one thread.
                guard let xs = x.baseAddress, let ys = y.baseAddress else {
                    for i in y.indices { y[i] = 0 }  // nothing to sum (n = 0), or nothing to fill
                    return
                }
                let parts = Compute.rowBlocks(rows: outer, elementsPerRow: n * inner)
                Compute.parallel(parts) { t in
                    for o in (t * outer / parts)..<((t + 1) * outer / parts) {
                        let yb = o &* inner
                        for i in 0..<inner { ys[yb &+ i] = 0 }
                        for j in 0..<n {
                            let xb = (o &* n &+ j) &* inner
                            for i in 0..<inner { ys[yb &+ i] += xs[xb &+ i] }
                        }
                    }
                }
            }
        }
    }

    static func expandAxis(_ a: Tensor<Self>, _ axis: Int, _ count: Int) -> Tensor<Self> {
        var shape = a.shape
        shape.insert(count, at: axis)
        let (outer, _, inner) = splitShape(shape, axis)
        return a.withUnsafeBufferPointer { x in
            Tensor.uninitialized(shape) { y in
                guard outer > 0, count > 0, inner > 0 else { return }
                let parts = Compute.rowBlocks(rows: outer, elementsPerRow: count * inner)
                let xs = x.baseAddress!, ys = y.baseAddress!
                Compute.parallel(parts) { t in
                    for o in (t * outer / parts)..<((t + 1) * outer / parts) {
                        let xb = o &* inner
                        for j in 0..<count {
                            let yb = (o &* count &+ j) &* inner
                            for i in 0..<inner { ys[yb &+ i] = xs[xb &+ i] }
                        }
                    }
                }
            }
        }
    }

    static func concatenate(_ parts: [Tensor<Self>], _ axis: Int) -> Tensor<Self> {
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let (outer, total, inner) = splitShape(shape, axis)
        var y = Tensor<Self>(shape: shape)
        var offset = 0
        y.withUnsafeMutableBufferPointer { y in
            for p in parts {
                let w = p.shape[axis] * inner
                p.withUnsafeBufferPointer { x in
                    for o in 0..<outer {
                        let yb = o &* total &* inner &+ offset
                        let xb = o &* w
                        for i in 0..<w { y[yb &+ i] = x[xb &+ i] }
                    }
                }
                offset += w
            }
        }
        return y
    }

    /// VN leaky ReLU on [R, d, C] (R = product of leading axes), vectorised over channels.
    static func vnLeakyForward(_ q: Tensor<Self>, _ k: Tensor<Self>, _ slope: Self, _ eps: Self) -> Tensor<Self> {
        let c = q.shape[q.rank - 1], d = q.shape[q.rank - 2]
        let rows = q.count / Swift.max(1, c * d)
        let beta = 1 - slope
        if d == 2 || d == 3 {
            // One pass per row, channels vectorised, no scratch (same arithmetic order as below).
            return q.withUnsafeBufferPointer { xb in
                k.withUnsafeBufferPointer { kb in
                    Tensor.uninitialized(q.shape) { yb in
                        guard rows > 0, c > 0 else { return }
                        let parts = Compute.rowBlocks(rows: rows, elementsPerRow: c * d)
                        let xs = xb.baseAddress!, ks = kb.baseAddress!, ys = yb.baseAddress!
                        Compute.parallel(parts) { t in
                            let lo = t * rows / parts, hi = (t + 1) * rows / parts
                            if AVX2Kernels.vnLeakyForward(xs, ks, ys, rows: lo..<hi, d: d, c: c, beta: beta, eps: eps) { return }
                            for r in lo..<hi {
                                let off = r &* d &* c
                                let x0 = xs + off, k0 = ks + off, y0 = ys + off
                                if d == 2 {
                                    let x1 = x0 + c, k1 = k0 + c, y1 = y0 + c
                                    for j in 0..<c {
                                        let s = x0[j] * k0[j] + x1[j] * k1[j]
                                        let n = k0[j] * k0[j] + k1[j] * k1[j]
                                        let f = s < 0 ? beta * s / (n + eps) : 0
                                        y0[j] = x0[j] - f * k0[j]
                                        y1[j] = x1[j] - f * k1[j]
                                    }
                                } else {
                                    let x1 = x0 + c, k1 = k0 + c, y1 = y0 + c, x2 = x1 + c, k2 = k1 + c, y2 = y1 + c
                                    for j in 0..<c {
                                        let s = x0[j] * k0[j] + x1[j] * k1[j] + x2[j] * k2[j]
                                        let n = k0[j] * k0[j] + k1[j] * k1[j] + k2[j] * k2[j]
                                        let f = s < 0 ? beta * s / (n + eps) : 0
                                        y0[j] = x0[j] - f * k0[j]
                                        y1[j] = x1[j] - f * k1[j]
                                        y2[j] = x2[j] - f * k2[j]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let f = UnsafeMutablePointer<Self>.allocate(capacity: 2 * c)
        defer { f.deallocate() }
        let nk = f + c
        return q.withUnsafeBufferPointer { xb in
            k.withUnsafeBufferPointer { kb in
                Tensor.uninitialized(q.shape) { yb in
                    guard rows > 0, c > 0 else { return }
                    let x0 = xb.baseAddress!, k0 = kb.baseAddress!, y0 = yb.baseAddress!
                    for r in 0..<rows {
                        let off = r &* d &* c
                        f.update(repeating: 0, count: c)
                        nk.update(repeating: 0, count: c)
                        for i in 0..<d {
                            let xr = x0 + (off &+ i &* c), kr = k0 + (off &+ i &* c)
                            for j in 0..<c {
                                f[j] += xr[j] * kr[j]
                                nk[j] += kr[j] * kr[j]
                            }
                        }
                        for j in 0..<c {
                            let s = f[j]
                            f[j] = s < 0 ? beta * s / (nk[j] + eps) : 0
                        }
                        for i in 0..<d {
                            let xr = x0 + (off &+ i &* c), kr = k0 + (off &+ i &* c), yr = y0 + (off &+ i &* c)
                            for j in 0..<c { yr[j] = xr[j] - f[j] * kr[j] }
                        }
                    }
                }
            }
        }
    }
}
