import Agents
import Foundation
import Tensor

/// Measurements of a model in memory (online net, EMA target, its input layout) on held-out canonical transitions of
/// any layout: the one-step and open-loop rollout relMSE against the EMA target's latents, the predictor's
/// equivariance residual on the data's latents, and the degree of a polynomial predictor along a ray.
struct ModelProbe<Layout: ModelInputLayout> {
    let layout: Layout
    let online: WorldNet<Float>
    let target: WorldNet<Float>
    let data: TransitionSet
    /// At most this many transitions (or rollout segments), evenly spread over the data.
    var maxRows = 512

    func origins(_ rows: [Int]) -> [Double] {
        let os = layout.originSize
        guard os > 0 else { return [] }
        return rows.flatMap { i in data.origins.isEmpty ? [Double](repeating: 0, count: os) : Array(data.origins[os * i..<os * i + os]) }
    }

    func encode<S: TensorScalar>(_ net: WorldNet<S>, _ obs: [Double], rows: [Int]) -> Variable<S> {
        net.encode(Variable(layout.pointsTensor(obs, batch: rows.count, origins: origins(rows), as: S.self)))
    }

    func actions<S: TensorScalar>(_ rows: [Int], as _: S.Type) -> Variable<S> {
        let (o, a, _) = data.gather(rows)
        return Variable(layout.actionTensor(layout.modelActions(a, observations: o, batch: rows.count), batch: rows.count, as: S.self))
    }

    func spread(_ indices: [Int]) -> [Int] {
        guard indices.count > maxRows else { return indices }
        let stride = Double(indices.count) / Double(maxRows)
        return (0..<maxRows).map { indices[Int(Double($0) * stride)] }
    }

    var rows: [Int] { spread(Array(0..<data.count)) }

    /// Mean relMSE(f(E(o), a), E_ema(o')).
    func oneStep() -> Double {
        let r = rows
        let (o, _, n) = data.gather(r)
        let p = online.predict(encode(online, o, rows: r), action: actions(r, as: Float.self))
        return meanRelMSE(p.value, encode(target, n, rows: r).value)
    }

    /// Mean relMSE of z_h = f(z_{h-1}, a_{h-1}) from z_0 = E(o_0) against E_ema(o_h), h = 1 ... horizon, over segments of
    /// one episode.
    func rollout(horizon: Int) -> [Double] {
        let starts = spread(data.rolloutStarts(horizon: horizon))
        guard !starts.isEmpty else { return [] }
        var z = encode(online, data.gather(starts).obs, rows: starts)
        return (1...horizon).map { h in
            let r = starts.map { $0 + h - 1 }
            z = online.predict(z, action: actions(r, as: Float.self))
            return meanRelMSE(z.value, encode(target, data.gather(r).next, rows: r).value)
        }
    }

    /// The predictor's equivariance residual in precision S on the data's latents and actions, over 4 rotations and 4
    /// rotation-reflections of O(d).
    func predictorResidual<S: TensorScalar>(as _: S.Type, seed: UInt64) -> Double {
        let net = online.copy(as: S.self), r = spread(Array(0..<data.count)).prefix(128).map { $0 }
        let (o, _, _) = data.gather(r)
        let z = encode(net, o, rows: r), a = actions(r, as: S.self)
        let d = layout.dimension
        let reps = [Rep.vectors(z.shape[2], dim: d), Rep.vectors(a.shape[2], dim: d)]
        return equivarianceResidual(
            inputs: [.vectors(z), .vectors(a)], inputReps: reps, outputRep: reps[0], seed: seed
        ) { (x: [Features<S>]) in .vectors(net.predict(x[0].vectors!, action: x[1].vectors!)) }
    }

    /// The degree of the predictor's map along the ray t (z, a) of the first held-out transition, in Double; fitted up to
    /// two degrees above 2L + 1.
    func gainDegree(layers: Int) -> PolynomialDegree {
        let net = online.copy(as: Double.self), r = [0]
        let (o, _, _) = data.gather(r)
        let z = encode(net, o, rows: r).value, a = actions(r, as: Double.self).value
        func scaled(_ x: Tensor<Double>, _ t: Double) -> Variable<Double> { Variable(try! Tensor(shape: x.shape, scalars: x.scalars.map { $0 * t })) }
        return PolynomialDegree.measure(maxDegree: 2 * layers + 3, radius: 1, tolerance: 1e-8) { t in
            net.predict(scaled(z, t), action: scaled(a, t)).value.scalars
        }
    }
}
