import Agents
import Foundation
import Tensor

/// Losses, composed from the autodiff primitives (so their gradients need no rules of their own).
public enum Loss {
    /// Mean squared error over all elements.
    public static func mse<S>(_ p: Variable<S>, _ t: Variable<S>) -> Variable<S> { (p - t).squared().mean() }

    /// Relative MSE: mean over the batch (first axis) of |p_b - t_b|^2 / (|t_b|^2 + eps).
    /// Invariant under any orthogonal rho(g) applied to both.
    public static func relativeMSE<S>(_ p: Variable<S>, _ t: Variable<S>, eps: Double = 1e-8) -> Variable<S> {
        precondition(p.shape == t.shape, "relativeMSE: shapes differ: \(p.shape) vs \(t.shape)")
        let b = p.shape[0], n = p.value.count / max(1, b)
        let num = (p - t).squared().reshaped([b, n]).sum(axis: 1)
        let den = t.squared().reshaped([b, n]).sum(axis: 1) + eps
        return (num / den).mean()
    }

    /// Per-channel norms of vector features [B, d, C] -> [B, C] (sqrt(|v|^2 + eps): smooth at 0).
    public static func vectorNorms<S>(_ z: Variable<S>, eps: Double = 1e-12) -> Variable<S> {
        (z.squared().sum(axis: -2) + eps).sqrt()
    }

    /// VICReg's anti-collapse terms on embeddings z [N, D]:
    /// variance = mean_j relu(1 - sqrt(var_j + eps)), covariance = sum_{i != j} C_ij^2 / D.
    public static func vicreg<S>(_ z: Variable<S>, eps: Double = 1e-4) -> (variance: Variable<S>, covariance: Variable<S>) {
        precondition(z.shape.count == 2 && z.shape[0] > 1, "vicreg: need [N > 1, D], got \(z.shape)")
        let n = z.shape[0], d = z.shape[1]
        let centered = z - z.mean(axis: 0).expand(axis: 0, count: n)
        let variance = centered.squared().sum(axis: 0) * (1.0 / Double(n - 1))  // [D]
        let std = (variance + eps).sqrt()
        let varianceLoss = (1.0 - std).relu().mean()
        let cov = centered.matmul(centered, transposeSelf: true) * (1.0 / Double(n - 1))  // [D, D]
        let offDiagonal = cov.squared().sum() - variance.squared().sum()
        return (varianceLoss, offDiagonal * (1.0 / Double(d)))
    }

    /// Nodes t_j in [0, 3] (17 points) and trapezoid weights for the integral over [-3, 3] of an
    /// even integrand, times the Epps-Pulley weight exp(-t^2/2).
    static func eppsPulleyQuadrature(points: Int = 17, tMax: Double = 3) -> (t: [Double], w: [Double]) {
        let h = tMax / Double(points - 1)
        let t = (0..<points).map { Double($0) * h }
        let w = t.enumerated().map { i, ti in
            let trap = (i == 0 || i == points - 1) ? h / 2 : h
            return 2 * trap * Foundation.exp(-ti * ti / 2)
        }
        return (t, w)
    }

    /// Random unit slice directions [D, M].
    public static func randomSlices<S: TensorScalar>(dimension d: Int, count m: Int, using rng: inout Xoshiro256) -> Tensor<S> {
        var a = Tensor<S>.randomNormal([d, m], using: &rng)
        for j in 0..<m {
            var n: S = 0
            for i in 0..<d { n += a[i, j] * a[i, j] }
            n = n.squareRoot()
            for i in 0..<d { a[i, j] = a[i, j] / n }
        }
        return a
    }

    /// SIGReg (LeJEPA): the sliced Epps-Pulley statistic of z [N, D] against N(0, 1), averaged over
    /// `slices` random unit directions: N * integral |phi_N(t) - exp(-t^2/2)|^2 exp(-t^2/2) dt,
    /// t in [-3, 3] by the trapezoid rule on 17 points of [0, 3].
    public static func sigreg<S>(_ z: Variable<S>, slices: Int = 64, using rng: inout Xoshiro256) -> Variable<S> {
        precondition(z.shape.count == 2, "sigreg: need [N, D], got \(z.shape)")
        let n = z.shape[0]
        let a = Variable<S>(randomSlices(dimension: z.shape[1], count: slices, using: &rng))
        let p = z.matmul(a)  // [N, M]
        let (ts, ws) = eppsPulleyQuadrature()
        var total: Variable<S>? = nil
        for (t, w) in zip(ts, ws) {
            let tp = p * t
            let re = tp.cos().mean(axis: 0) - Foundation.exp(-t * t / 2)  // [M]
            let im = tp.sin().mean(axis: 0)
            let err = (re.squared() + im.squared()) * w
            total = total.map { $0 + err } ?? err
        }
        return total!.mean() * Double(n)
    }

    /// Block-SIGReg: for features of `rep`, each isotypic block (the n0 scalars; the n1 d vector
    /// components) is divided by its own RMS scale, then SIGReg tests the result against N(0, I).
    /// The target is thus the block-isotropic covariance s0^2 I (+) s1^2 I that Schur's lemma
    /// allows for an equivariant latent, with one free scale per block.
    public static func blockSIGReg<S>(
        _ x: Features<S>, rep: Rep, slices: Int = 64, eps: Double = 1e-8,
        using rng: inout Xoshiro256
    ) -> Variable<S> {
        var blocks: [Variable<S>] = []
        for block in [x.scalars, x.vectors].compactMap({ $0 }) {
            let b = block.shape[0], k = block.value.count / b
            let flat = block.reshaped([b, k])
            let rms = (flat.squared().mean() + eps).sqrt()  // rank 0
            let scale = rms.reshaped([1, 1]).expand(axis: 0, count: b).reshaped([b, 1]).expand(axis: 1, count: k).reshaped([b, k])
            blocks.append(flat / scale)
        }
        precondition(!blocks.isEmpty, "blockSIGReg: no features")
        let z = blocks.count == 1 ? blocks[0] : Variable.concat(blocks, axis: 1)
        return sigreg(z, slices: slices, using: &rng)
    }
}
