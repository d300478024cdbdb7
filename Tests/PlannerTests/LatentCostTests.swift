import Agents
import Envs
import Foundation
import Planner
import Testing

/// The planners' G-invariant latent costs (C3): each is invariant under rho(g) to 1e-12 in Double; only the euclidean one
/// is invariant under all of O(n); and the equivariant planner stays exact with each.
@Suite struct LatentCostTests {
    /// Random latent pairs of `rep`.
    static func pairs(_ rep: Rep, count: Int = 12, seed: UInt64 = 1) -> [(z: [Double], y: [Double])] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in ((0..<rep.size).map { _ in rng.nextNormal() }, (0..<rep.size).map { _ in rng.nextNormal() }) }
    }

    /// C1's mixed SO(3) latent (4 scalars, 6 vectors) and PushT's vectors-only planar latent.
    static let reps = [Rep(scalars: 4, vectors: 6, dim: 3), Rep.vectors(25, dim: 2)]

    static func costs(_ rep: Rep) -> [LatentCost] {
        var rng = Xoshiro256(seed: 9)
        return [.euclidean, .irrepWeighted(copies: (0..<(rep.scalars + rep.vectors)).map { _ in 0.1 + rng.nextUnit() }), .norms, .gram]
    }

    @Test(arguments: [0, 1]) func everyCostIsGInvariantAndOnlyEuclideanIsOnInvariant(repIndex: Int) throws {
        let rep = Self.reps[repIndex], pairs = Self.pairs(rep)
        for cost in Self.costs(rep) {
            try cost.validate(rep: rep)
            let g = LatentCostInvariance.groupResidual(cost, rep: rep, pairs: pairs)
            let o = LatentCostInvariance.orthogonalResidual(cost, rep: rep, pairs: pairs)
            print("\(rep) \(cost): G residual \(g), O(n) residual \(o)")
            #expect(g < 1e-12, "\(cost) under rho(g): \(g)")
            if cost.isOrthogonallyInvariant {
                #expect(o < 1e-12, "\(cost) under O(n): \(o)")
            } else {
                #expect(o > 1e-2, "\(cost) should change under a random orthogonal map of the latent: \(o)")
            }
        }
    }

    @Test func perBlockWeightsAreNotOrthogonallyInvariantOnAMixedLatentAndAreEuclideanOnOneType() {
        let mixed = Self.reps[0]
        let block = LatentCost.blockWeighted(rep: mixed, scalars: 0.5, vectors: 2)
        #expect(LatentCostInvariance.groupResidual(block, rep: mixed, pairs: Self.pairs(mixed)) < 1e-12)
        #expect(LatentCostInvariance.orthogonalResidual(block, rep: mixed, pairs: Self.pairs(mixed)) > 1e-2)
        // One isotypic type: weights per block are one number, the euclidean cost scaled.
        let planar = Self.reps[1]
        let one = LatentCost.blockWeighted(rep: planar, scalars: 1, vectors: 3)
        for (z, y) in Self.pairs(planar, count: 3) {
            let a = z.withUnsafeBufferPointer { one.against(goal: y, rep: planar)($0) }
            let b = z.withUnsafeBufferPointer { LatentCost.euclidean.against(goal: y, rep: planar)($0) }
            #expect(abs(a - 3 * b) <= 1e-12 * b)
        }
    }

    @Test func invariantDistancesVanishOnTheGoalsOrbitAndWhiteningUsesEachCopysPower() {
        let rep = Self.reps[1]
        let (z, y) = Self.pairs(rep, count: 1)[0]
        var rng = Xoshiro256(seed: 4)
        let turned = LatentCostInvariance.act(OrthogonalTransform.random(dim: 2, reflect: true, using: &rng), on: y, rep: rep)
        for cost in [LatentCost.norms, .gram] {
            let atTurnedGoal = turned.withUnsafeBufferPointer { cost.against(goal: y, rep: rep)($0) }
            let elsewhere = z.withUnsafeBufferPointer { cost.against(goal: y, rep: rep)($0) }
            #expect(atTurnedGoal < 1e-12 && elsewhere > 1e-3, "\(cost): \(atTurnedGoal) at g.y, \(elsewhere) at z")
        }
        let w = LatentCost.whitened(latents: z + y, count: 2, rep: rep)
        guard case .irrepWeighted(let weights) = w else { Issue.record("whitened is not irrep-weighted"); return }
        let power0 = (z[0] * z[0] + z[1] * z[1] + y[0] * y[0] + y[1] * y[1]) / 2
        #expect(abs(weights[0] - 1 / power0) < 1e-12 / power0)
        #expect(throws: PlanningSetupError.self) { try LatentCost.irrepWeighted(copies: [1, 2]).validate(rep: rep) }
    }

    @Test func theEquivariantPlannerStaysExactWithEveryCost() {
        let model = ToyEquivariantModel()
        var rng = SplitMix64(seed: 5)
        let obs = PlannerTests.randomObservation(&rng), goalObs = PlannerTests.randomObservation(&rng)
        for cost in Self.costs(model.latentRep) {
            var c = PlannerTests.smallConfig()
            c.latentCost = cost
            let deviation = PlannerTests.firstActionDeviation(model: model, config: c, observation: obs, goal: goalObs, seed: 3, angles: [0.7, 2.1])
            #expect(deviation < 1e-9, "\(cost): first action moved \(deviation) px")
        }
    }
}
