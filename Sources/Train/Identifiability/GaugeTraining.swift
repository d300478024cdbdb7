import Agents
import Foundation
import Tensor

/// Paired inputs for self-supervised training of a `MixedLatentEncoder`: row i is (x_i, x'_i), two views of one
/// sample (two noisy copies of a scene, or an observation and the next one), with the action between them when there
/// is one. Inputs are [O, 3, C] per row, flat.
public struct GaugePairs: Sendable {
    public var objects: Int
    public var channels: Int
    public var inputs: [Double] = []
    public var targets: [Double] = []
    /// 3 per row, or empty.
    public var actions: [Double] = []

    public init(objects: Int, channels: Int) { self.objects = objects; self.channels = channels }

    public var rowSize: Int { objects * 3 * channels }
    public var count: Int { inputs.count / rowSize }

    /// Rows `rows` of `source` ([Double], rowSize per row) as a tensor [B, O, 3, C].
    func batch(_ source: [Double], rows: [Int]) -> Tensor<Float> {
        var out: [Float] = []
        out.reserveCapacity(rows.count * rowSize)
        for r in rows { out += source[r * rowSize..<(r + 1) * rowSize].map { Float($0) } }
        return try! Tensor(shape: [rows.count, objects, 3, channels], scalars: out)
    }
}

/// How one seed's encoder is trained: the objective (view invariance, or a JEPA predictor given the action), the
/// anti-collapse term (SIGReg of z M for a constant n x n matrix M: the identity for SIGReg, a change of basis then
/// 1/s_b per block for block-SIGReg with fixed distinct scales s_b), and the optimiser's budget.
public struct GaugeTrainingRecipe: Sendable {
    public enum Objective: String, Codable, Sendable { case invariance, predictor }
    public var kind: MixedLatentEncoder<Float>.Kind
    public var objective: Objective
    /// Row-major n x n.
    public var regulariser: [Double]
    public var steps = 300
    public var batch = 128
    public var learningRate = 2e-3
    public var weight = 0.2
    public var slices = 32

    public init(kind: MixedLatentEncoder<Float>.Kind, objective: Objective, regulariser: [Double]) {
        self.kind = kind; self.objective = objective; self.regulariser = regulariser
    }

    /// diag(1/s) after an orthogonal change of basis `basis` (n x n, rows are the new coordinates): M = B^T diag(1/s).
    public static func blockScaling(basis: [[Double]], scales: [Double]) -> [Double] {
        let n = scales.count
        precondition(basis.count == n && basis.allSatisfy { $0.count == n }, "blockScaling: basis and scales disagree")
        return (0..<n).flatMap { i in (0..<n).map { j in basis[j][i] / scales[j] } }
    }

    public static func identity(_ n: Int) -> [Double] { (0..<n).flatMap { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } } }
}

public enum GaugeTraining {
    /// Trains an encoder from `seed` on `pairs` and returns it with the last step's losses (prediction, SIGReg).
    public static func train(
        _ recipe: GaugeTrainingRecipe, pairs: GaugePairs, scalars: Int, vectors: Int, seed: UInt64
    ) -> (encoder: MixedLatentEncoder<Float>, prediction: Double, sigreg: Double) {
        let encoder = MixedLatentEncoder<Float>(
            recipe.kind, channels: pairs.channels, scalars: scalars, vectors: vectors, objects: pairs.objects, seed: seed)
        let n = encoder.width
        precondition(recipe.regulariser.count == n * n, "GaugeTraining: regulariser is not \(n) x \(n)")
        let predictor =
            recipe.objective == .predictor ? MixedLatentPredictor<Float>(scalars: scalars, vectors: vectors, seed: seed) : nil
        precondition(predictor == nil || pairs.objects == 1, "GaugeTraining: the predictor is for one object")
        let m = Variable(try! Tensor<Float>(shape: [n, n], scalars: recipe.regulariser.map { Float($0) }))
        let optimiser = AdamW(parameters: encoder.parameters + (predictor?.parameters ?? []), learningRate: recipe.learningRate, weightDecay: 0)
        var rng = Xoshiro256(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 17)
        var last = (0.0, 0.0)
        for _ in 0..<recipe.steps {
            let rows = (0..<recipe.batch).map { _ in Int(rng.next() % UInt64(pairs.count)) }
            let z = encoder(Variable(pairs.batch(pairs.inputs, rows: rows)))
            let target = encoder(Variable(pairs.batch(pairs.targets, rows: rows)))
            let guess: Variable<Float>
            if let predictor {
                let a = rows.flatMap { r in (0..<3).map { Float(pairs.actions[3 * r + $0]) } }
                guess = predictor(z, action: Variable(try! Tensor(shape: [rows.count, 3, 1], scalars: a)))
            } else {
                guess = z
            }
            let prediction = (guess - target).squared().mean() * Double(n)
            let sigreg = Loss.sigreg(z.matmul(m), slices: recipe.slices, using: &rng)
            let loss = prediction + sigreg * recipe.weight
            optimiser.parameters.forEach { $0.zeroGrad() }
            loss.backward()
            optimiser.step()
            last = (Double(prediction.value.scalar), Double(sigreg.value.scalar))
        }
        return (encoder, last.0, last.1)
    }

    /// The latents of `source`'s rows (rowSize each) as rows of n, in Double.
    public static func encode(_ encoder: MixedLatentEncoder<Float>, _ source: [Double], pairs: GaugePairs) -> [Double] {
        var out: [Double] = []
        let count = source.count / pairs.rowSize
        for start in stride(from: 0, to: count, by: 256) {
            let rows = Array(start..<min(count, start + 256))
            out += encoder(Variable(pairs.batch(source, rows: rows))).value.scalars.map { Double($0) }
        }
        return out
    }
}
