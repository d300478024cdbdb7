import Agents
import Foundation
import Seeded
import Tensor
import Testing
@testable import Train

/// The gauge experiments' encoders and predictor are exactly equivariant (so their conditions measure what they say),
/// and the Helmert product basis splits S_O x SO(3) into its four blocks.
@Suite struct GaugeEncoderTests {
    /// x [B, O, 3, C] with every 3-vector turned by R (row-major 3 x 3).
    static func rotated(_ x: Tensor<Double>, _ r: [Double]) -> Tensor<Double> {
        var y = x.scalars
        let c = x.shape[3], rows = x.count / (3 * c)
        for b in 0..<rows {
            for ch in 0..<c {
                for i in 0..<3 {
                    y[(b * 3 + i) * c + ch] = (0..<3).map { r[3 * i + $0] * x.scalars[(b * 3 + $0) * c + ch] }.reduce(0, +)
                }
            }
        }
        return try! Tensor(shape: x.shape, scalars: y)
    }

    /// rho(R) on latent rows of objects x (m0 scalars, m1 vectors copy by copy).
    static func act(_ z: [Double], _ r: [Double], scalars: Int) -> [Double] {
        let layout = IsotypicLayout([.init(irrepDimension: 1, copies: scalars), .init(irrepDimension: 3, copies: (8 - scalars) / 3)])
        let rho = layout.action([[r[0], r[1], r[2]], [r[3], r[4], r[5]], [r[6], r[7], r[8]]])
        let n = rho.count
        return (0..<(z.count / n)).flatMap { row in (0..<n).map { i in (0..<n).map { rho[i][$0] * z[row * n + $0] }.reduce(0, +) } }
    }

    @Test func mixedEncoderAndPredictorAreEquivariant() throws {
        var rng = Xoshiro256(seed: 11)
        let r = OrthogonalTransform.random(dim: 3, using: &rng).matrix
        let x = Tensor<Double>.randomNormal([5, 3, 3, 7], using: &rng)
        let encoder = MixedLatentEncoder<Double>(.equivariant, channels: 7, scalars: 2, vectors: 2, objects: 3, seed: 1)
        let z = encoder(Variable(x)).value.scalars
        let zr = encoder(Variable(Self.rotated(x, r))).value.scalars
        let error = zip(zr, Self.act(z, r, scalars: 2)).map { abs($0 - $1) }.max()!
        // Permuting the objects permutes their latents (shared weights).
        var swapped = x.scalars
        for b in 0..<5 { for k in 0..<21 { swapped[b * 63 + k] = x.scalars[b * 63 + 21 + k]; swapped[b * 63 + 21 + k] = x.scalars[b * 63 + k] } }
        let zs = encoder(Variable(try Tensor(shape: x.shape, scalars: swapped))).value.scalars
        var permutation = 0.0
        for b in 0..<5 { for j in 0..<8 { permutation = max(permutation, abs(zs[b * 24 + j] - z[b * 24 + 8 + j])) } }
        let mlp = MixedLatentEncoder<Double>(.mlp, channels: 7, scalars: 2, vectors: 2, objects: 3, seed: 1)
        let m = mlp(Variable(x)).value.scalars, mr = mlp(Variable(Self.rotated(x, r))).value.scalars
        let mlpError = zip(mr, Self.act(m, r, scalars: 2)).map { abs($0 - $1) }.max()!
        print("mixed encoder: equivariance error VN \(error), MLP \(mlpError); object permutation \(permutation)")
        #expect(error < 1e-12 && permutation < 1e-12 && mlpError > 1e-3)

        let predictor = MixedLatentPredictor<Double>(scalars: 2, vectors: 2, seed: 2)
        let latent = Tensor<Double>.randomNormal([5, 8], using: &rng), action = Tensor<Double>.randomNormal([5, 3, 1], using: &rng)
        let p = predictor(Variable(latent), action: Variable(action)).value.scalars
        let latentR = try Tensor(shape: [5, 8], scalars: Self.act(latent.scalars, r, scalars: 2))
        let actionR = Self.rotated(action.reshaped([5, 1, 3, 1]), r).reshaped([5, 3, 1])
        let pr = predictor(Variable(latentR), action: Variable(actionR)).value.scalars
        let predictorError = zip(pr, Self.act(p, r, scalars: 2)).map { abs($0 - $1) }.max()!
        print("mixed predictor: equivariance error \(predictorError)")
        #expect(predictorError < 1e-12)
    }

    @Test func helmertProductBasisSplitsTheObjectAxis() {
        let rungs = BiBlockRungs(objects: 3, scalars: 2, vectors: 2)
        let b = rungs.productBasis, n = rungs.dimension
        var orthogonality = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var dot = 0.0
                for k in 0..<n { dot += b[i][k] * b[j][k] }
                orthogonality = max(orthogonality, abs(dot - (i == j ? 1 : 0)))
            }
        }
        // Swapping objects 0 and 1, in the product basis, keeps every one of the four blocks (no mass between them).
        var swap = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for o in 0..<3 { for j in 0..<8 { swap[[1, 0, 2][o] * 8 + j][o * 8 + j] = 1 } }
        var conjugated = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)  // B S B^T
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { for l in 0..<n { sum += b[i][k] * swap[k][l] * b[j][l] } }
                conjugated[i][j] = sum
            }
        }
        let offsets = rungs.productLayout.offsets + [n]
        let block = { (i: Int) in offsets.lastIndex { $0 <= i }! }
        var outside = 0.0
        for i in 0..<n { for j in 0..<n where block(i) != block(j) { outside = max(outside, abs(conjugated[i][j])) } }
        print("Helmert product basis: |B B^T - I| = \(orthogonality), off-block mass of a swap \(outside)")
        #expect(orthogonality < 1e-15 && outside < 1e-15)
        #expect(rungs.productLayout.blocks.map(\.copies) == [2, 2, 2, 2] && rungs.productLayout.blocks.map(\.irrepDimension) == [1, 3, 2, 6])
    }
}
