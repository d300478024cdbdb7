import Agents
import Foundation
import Testing
import Tensor

/// The degree-ladder predictor: its degree d_max(L) = 2L (of the gain; the map has degree 2L + 1, odd only) measured on
/// a polynomial fit in t of f(t x), and its exact equivariance.
struct DegreeLadderTests {
    /// f(t x) for one random input x, in Double, as flat numbers.
    func ray(_ ladder: VNDegreeLadder<Double>, dim: Int, seed: UInt64) -> (Double) -> [Double] {
        var rng = Xoshiro256(seed: seed)
        let x = Tensor<Double>.randomNormal([1, dim, ladder.inChannels], using: &rng)
        return { t in ladder(Variable(try! Tensor(shape: x.shape, scalars: x.scalars.map { $0 * t }))).value.scalars }
    }

    @Test(arguments: [0, 1, 2, 3]) func degreeIsTwoLPlusOneAndGainTwoL(layers: Int) throws {
        for dim in [2, 3] {
            var rng = Xoshiro256(seed: UInt64(10 * layers + dim))
            let ladder = VNDegreeLadder<Double>(input: 4, width: 6, layers: layers, output: 3, dim: dim, using: &rng)
            #expect(ladder.gainDegree == 2 * layers)
            // Fit two degrees beyond the expected top, so a wrong construction would show.
            let f = ray(ladder, dim: dim, seed: 7)
            let fit = PolynomialDegree.measure(maxDegree: 2 * layers + 3, radius: 1.5, tolerance: 1e-8, f)
            #expect(fit.degree == 2 * layers + 1, "L = \(layers), d = \(dim): coefficients \(fit.relativeCoefficients)")
            #expect(fit.aboveDegree < 1e-9, "above the degree: \(fit.aboveDegree)")
            #expect(fit.oppositeParity < 1e-9, "even coefficients of an odd map: \(fit.oppositeParity)")
            #expect(fit.relativeCoefficients[2 * layers + 1] > 1e-6)
            // The gain M(t x) x = f(t x) / t: its highest-order part scales by t^(2L). (An even node count keeps t = 0
            // off the Chebyshev nodes.)
            let gain = PolynomialDegree.measure(maxDegree: 2 * layers + 3, radius: 1.5, tolerance: 1e-8) { t in f(t).map { $0 / t } }
            #expect(gain.degree == 2 * layers)
            print(
                "ladder L = \(layers), d = \(dim): degree \(fit.degree), gain degree \(gain.degree), above \(fit.aboveDegree), odd-map even part \(fit.oppositeParity)"
            )
        }
    }

    @Test func theFitFindsAKnownDegree() {
        // 3 t^5 - t^2 + 2: degree 5, even and odd parts both present.
        let fit = PolynomialDegree.measure(maxDegree: 8) { t in [3 * pow(t, 5) - t * t + 2] }
        #expect(fit.degree == 5)
        #expect(fit.aboveDegree < 1e-12)
        #expect(abs(fit.relativeCoefficients[2] - 1.0 / 3) < 1e-12)
    }

    @Test func equivariantToTheFloatFloor() throws {
        for dim in [2, 3] {
            var rng = Xoshiro256(seed: UInt64(dim))
            for layers in 0...3 {
                let r64 = try assertEquivariant(
                    VNDegreeLadder<Double>(input: 5, width: 8, layers: layers, output: 4, dim: dim, using: &rng), batch: [6])
                let r32 = try assertEquivariant(
                    VNDegreeLadder<Float>(input: 5, width: 8, layers: layers, output: 4, dim: dim, using: &rng), batch: [6], tolerance: 1e-5)
                print("ladder L = \(layers), d = \(dim): equivariance residual \(r64) (Double), \(r32) (Float)")
            }
        }
    }

    @Test func aWorldModelWithALadderPredictorIsExact() throws {
        let config = VNWorldModelConfig(
            dim: 2, inputChannels: 3, encoderWidths: [8], latentChannels: 4, predictorWidths: [8], eps: 1, ladderLayers: 2)
        let model = VNWorldModel<Double>(config, seed: 3)
        #expect(model.ladderPredictor?.layers == 2 && model.stackPredictor == nil && model.gatedPredictor == nil)
        let r = equivarianceResidual(
            inputs: [(model.latentRep, [5]), (model.actionRep, [5])], outputRep: model.latentRep
        ) { (x: [Features<Double>]) in .vectors(model.predict(x[0].vectors!, action: x[1].vectors!)) }
        #expect(r < 1e-12)
        // The config round-trips through its checkpoint JSON, and a gated ladder is refused.
        let decoded = try JSONDecoder().decode(VNWorldModelConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        var both = config
        both.gatedDirections = 4
        #expect(throws: (any Error).self) { try both.validate() }
    }
}
