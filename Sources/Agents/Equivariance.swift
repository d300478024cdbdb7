import Tensor

/// Thrown by `assertEquivariant` when the residual exceeds the tolerance.
public struct EquivarianceError: Error, CustomStringConvertible {
    public var residual: Double
    public var tolerance: Double
    public var description: String { "equivariance residual \(residual) exceeds tolerance \(tolerance)" }
}

/// The default tolerance on the relative residual: 1e-6 in Float, 1e-12 in Double.
public func defaultEquivarianceTolerance<S: TensorScalar>(_: S.Type) -> Double {
    MemoryLayout<S>.size <= 4 ? 1e-6 : 1e-12
}

/// Relative per-sample norm of a - b against b, maximised over the first axis (the batch).
func perSampleRelativeResidual<S: TensorScalar>(_ a: Features<S>, _ b: Features<S>) -> Double {
    let pairs = [(a.scalars, b.scalars), (a.vectors, b.vectors)].compactMap { p -> (Tensor<S>, Tensor<S>)? in
        guard let x = p.0, let y = p.1 else { return nil }
        return (x.value, y.value)
    }
    guard let batch = pairs.first?.0.shape.first, batch > 0 else { return 0 }
    var diff = [Double](repeating: 0, count: batch), ref = [Double](repeating: 0, count: batch)
    for (x, y) in pairs {
        precondition(x.shape == y.shape, "equivariance: output shapes differ: \(x.shape) vs \(y.shape)")
        let per = x.count / batch
        for i in 0..<x.count {
            let d = Double(x.scalars[i]) - Double(y.scalars[i])
            diff[i / per] += d * d
            ref[i / per] += Double(y.scalars[i]) * Double(y.scalars[i])
        }
    }
    var r = 0.0
    for i in 0..<batch { r = max(r, (diff[i] / max(ref[i], Double.leastNormalMagnitude)).squareRoot()) }
    return r
}

/// max over the batch (first axis) of |a_b - b_b| / |b_b| (e.g. a Float output against the same
/// function in Double: the Float accuracy floor).
public func perSampleRelativeError<S: TensorScalar>(_ a: Features<S>, _ b: Features<S>) -> Double {
    perSampleRelativeResidual(a, b)
}

/// The equivariance residual of a function of several inputs:
///   max over g and batch of |f(rho_in(g) x) - rho_out(g) f(x)| / |f(x)|,
/// for `groupSamples` random rotations and as many rotation-reflections when `includeReflections`.
public func equivarianceResidual<S: TensorScalar>(
    inputs: [(rep: Rep, batch: [Int])], outputRep: Rep, groupSamples: Int = 4, includeReflections: Bool = true,
    seed: UInt64 = 0, _ f: ([Features<S>]) -> Features<S>
) -> Double {
    var rng = Xoshiro256(seed: seed)
    let xs = inputs.map { Features<S>.random($0.rep, batch: $0.batch, using: &rng) }
    return equivarianceResidual(
        inputs: xs, inputReps: inputs.map(\.rep), outputRep: outputRep,
        groupSamples: groupSamples, includeReflections: includeReflections, seed: seed &+ 1, f)
}

/// The same on given inputs (e.g. real data).
public func equivarianceResidual<S: TensorScalar>(
    inputs xs: [Features<S>], inputReps: [Rep], outputRep: Rep, groupSamples: Int = 4, includeReflections: Bool = true,
    seed: UInt64 = 0, _ f: ([Features<S>]) -> Features<S>
) -> Double {
    var rng = Xoshiro256(seed: seed)
    let dim = outputRep.dim
    let y = f(xs)
    var worst = 0.0
    for reflect in includeReflections ? [false, true] : [false] {
        for _ in 0..<groupSamples {
            let g = OrthogonalTransform.random(dim: dim, reflect: reflect, using: &rng)
            let gx = zip(inputReps, xs).map { $0.act(g, on: $1) }
            worst = max(worst, perSampleRelativeResidual(f(gx), outputRep.act(g, on: y)))
        }
    }
    return worst
}

/// e3nn-style generic check of one layer against its declared representations. Returns the
/// residual; throws `EquivarianceError` above `tolerance` (default 1e-6 Float, 1e-12 Double).
@discardableResult
public func assertEquivariant<L: EquivariantLayer>(
    _ layer: L, batch: [Int] = [8], groupSamples: Int = 4, includeReflections: Bool = true,
    tolerance: Double? = nil, seed: UInt64 = 0
) throws -> Double {
    let r = equivarianceResidual(
        inputs: [(layer.inputRep, batch)], outputRep: layer.outputRep, groupSamples: groupSamples,
        includeReflections: includeReflections, seed: seed
    ) { (x: [Features<L.Scalar>]) in layer(x[0]) }
    let tol = tolerance ?? defaultEquivarianceTolerance(L.Scalar.self)
    if !(r <= tol) { throw EquivarianceError(residual: r, tolerance: tol) }
    return r
}
