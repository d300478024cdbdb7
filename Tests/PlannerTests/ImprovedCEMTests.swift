import Agents
import Envs
import Foundation
import Testing
@testable import Planner

@Suite struct ImprovedCEMTests {
    /// Coloured noise has unit variance at every step, the spectrum's correlation between neighbouring steps (positive
    /// for exponent 2, zero for white), and the same draws for the same seed.
    @Test func colouredNoiseHasUnitVarianceAndCorrelatedSteps() {
        for horizon in [1, 4, 5] {
            let rows = 20_000
            func draw(exponent: Double) -> [Double] {
                var noise = GaussianNoise(seed: 3)
                var out = [Double](repeating: 0, count: rows * horizon * 2)
                ColouredNoise(horizon: horizon, dim: 2, exponent: exponent).fill(&out, using: &noise)
                return out
            }
            let red = draw(exponent: 2)
            #expect(red == draw(exponent: 2))
            for t in 0..<horizon {
                let v = (0..<rows).map { red[$0 * horizon * 2 + t * 2] }.reduce(0) { $0 + $1 * $1 } / Double(rows)
                #expect(abs(v - 1) < 0.05, "step \(t) of \(horizon): variance \(v)")
            }
            guard horizon > 1 else { continue }
            func lagOne(_ x: [Double]) -> Double {
                (0..<rows).map { x[$0 * horizon * 2] * x[$0 * horizon * 2 + 2] }.reduce(0, +) / Double(rows)
            }
            let white = draw(exponent: 0)
            // The spectrum's prediction: sum_k p_k cos(2 pi k / H) / sum_k p_k over the frequencies' powers p_k.
            let top = horizon / 2
            let power = (0...top).map { k in pow(Double(max(k, 1)) / Double(horizon), -2) * (k > 0 && 2 * k != horizon ? 2 : 1) }
            let predicted =
                zip(0...top, power).map { k, p in p * cos(2 * Double.pi * Double(k) / Double(horizon)) }.reduce(0, +) / power.reduce(0, +)
            print(
                "coloured noise, horizon \(horizon): lag-1 correlation \(lagOne(red)) (exponent 2; spectrum \(predicted)), \(lagOne(white)) (white)")
            #expect(abs(lagOne(red) - predicted) < 0.03 && predicted > 0.2)
            #expect(abs(lagOne(white)) < 0.05)
        }
    }

    @Test func sampleCountDecaysToTwiceTheElites() {
        let icem = ImprovedCEM()
        let counts = (0..<12).map { icem.samples(iteration: $0, of: 300, elites: 30) }
        #expect(counts[0] == 300 && counts[1] == 240 && counts[2] == 192)
        #expect(counts.last == 60 && counts == counts.sorted(by: >))
    }

    @Test func icemFindsTheMinimumOfAQuadraticWithFewerEvaluations() {
        let target = [100.0, 200, 300, 400]
        let cost: SequenceCost = { a, n in (0..<n).map { s in (0..<4).map { pow(a[s * 4 + $0] - target[$0], 2) }.reduce(0, +) } }
        var c = CEM.Config()
        c.horizon = 2
        c.improved = ImprovedCEM()
        let plan = CEM(config: c).plan(initialMean: [[256, 256], [256, 256]], actionDim: 2, bounds: .none, seed: 1, cost: cost)
        for (i, v) in plan.actions.flatMap({ $0 }).enumerated() { #expect(abs(v - target[i]) < 2) }
        #expect(plan.evaluations < 300 * 30 / 2)
        // The returned sequence is the cheapest one scored.
        #expect(abs(cost(plan.actions.flatMap { $0 }, 1)[0] - plan.bestCost) < 1e-9)
    }

    /// iCEM in the canonical frame keeps the equivariant planner exact.
    @Test func icemKeepsTheEquivariantPlannerExact() {
        var config = PlannerTests.smallConfig()
        config.cem.improved = ImprovedCEM()
        var rng = SplitMix64(seed: 5)
        var worst = 0.0
        for s in 0..<4 {
            let obs = PlannerTests.randomObservation(&rng), goal = PlannerTests.randomObservation(&rng)
            worst = max(
                worst,
                PlannerTests.firstActionDeviation(
                    model: ToyEquivariantModel(), config: config, observation: obs, goal: goal, seed: UInt64(s),
                    angles: [0.7, 2.1, 4.0]))
        }
        print("equivariant planner with iCEM, toy Double model: max first-action deviation \(worst) px")
        #expect(worst < 1e-9)
    }
}
