import Foundation
import Seeded
import Testing
@testable import Train

/// The exact pieces of the gauge experiments (issue 17, experiments 2 and 3): the SVD, orthogonal Procrustes over O(n)
/// and restricted to the commutant, and the rung (gauge dimension) counts of S_O x SO(3).
@Suite struct GaugeAlignmentTests {
    static func randomMatrix(_ m: Int, _ n: Int, using rng: inout Xoshiro256) -> [[Double]] {
        (0..<m).map { _ in (0..<n).map { _ in rng.nextNormal() } }
    }

    static func maxDifference(_ a: [[Double]], _ b: [[Double]]) -> Double {
        zip(a, b).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }

    /// A Haar-ish random orthogonal n x n matrix: the polar factor of a Gaussian matrix.
    static func randomOrthogonal(_ n: Int, using rng: inout Xoshiro256) -> [[Double]] {
        JacobiSVD.polarFactor(randomMatrix(n, n, using: &rng))
    }

    static func times(_ x: [Double], _ q: [[Double]]) -> [Double] {
        let n = q.count
        return (0..<(x.count / n)).flatMap { r in (0..<n).map { j in (0..<n).map { x[r * n + $0] * q[$0][j] }.reduce(0, +) } }
    }

    @Test func svdReconstructsAndIsOrthogonal() {
        var rng = Xoshiro256(seed: 3)
        for (m, n) in [(5, 5), (9, 4), (22, 22)] {
            let a = Self.randomMatrix(m, n, using: &rng)
            let svd = JacobiSVD(a)
            let rebuilt = (0..<m).map { i in (0..<n).map { j in (0..<n).map { svd.u[i][$0] * svd.singularValues[$0] * svd.v[j][$0] }.reduce(0, +) } }
            let utu = (0..<n).map { i in (0..<n).map { j in (0..<m).map { svd.u[$0][i] * svd.u[$0][j] }.reduce(0, +) } }
            let eye = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
            print("SVD \(m)x\(n): |U S V^T - A| = \(Self.maxDifference(rebuilt, a)), |U^T U - I| = \(Self.maxDifference(utu, eye))")
            #expect(Self.maxDifference(rebuilt, a) < 1e-12 && Self.maxDifference(utu, eye) < 1e-12)
        }
        // A rank-deficient matrix still gets an orthonormal U.
        let rank1 = [[1.0, 2, 3], [2, 4, 6], [3, 6, 9]]
        let svd = JacobiSVD(rank1)
        let utu = (0..<3).map { i in (0..<3).map { j in (0..<3).map { svd.u[$0][i] * svd.u[$0][j] }.reduce(0, +) } }
        #expect(Self.maxDifference(utu, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]) < 1e-12)
    }

    @Test func procrustesRecoversAKnownOrthogonalMap() {
        var rng = Xoshiro256(seed: 5)
        let n = 22
        let x = (0..<(200 * n)).map { _ in rng.nextNormal() }
        let q = Self.randomOrthogonal(n, using: &rng)
        let fitted = GaugeGroup.orthogonal(n).align(x, Self.times(x, q))
        let error = Self.maxDifference(fitted, q)
        print("Procrustes over O(22): max |Q_fit - Q| = \(error)")
        #expect(error < 1e-12)
        #expect(GaugeGroup.relativeResidual(x, fitted, Self.times(x, q)) < 1e-12)
    }

    @Test func commutantProcrustesFitsCommutantMapsOnly() {
        var rng = Xoshiro256(seed: 7)
        let layout = IsotypicLayout.c1, n = layout.dimension
        let x = (0..<(300 * n)).map { _ in rng.nextNormal() }
        // A commutant element: Q_0 on the 4 scalars, Q_1 (x) I_3 on the 6 vectors (copy c's component k at 4 + 3c + k).
        let q0 = Self.randomOrthogonal(4, using: &rng), q1 = Self.randomOrthogonal(6, using: &rng)
        var q = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<4 { for j in 0..<4 { q[i][j] = q0[i][j] } }
        for c in 0..<6 { for c2 in 0..<6 { for k in 0..<3 { q[4 + 3 * c + k][4 + 3 * c2 + k] = q1[c][c2] } } }
        let commutant = layout.commutantGroup()
        let fitted = commutant.align(x, Self.times(x, q))
        print("commutant Procrustes: max |Q_fit - Q| = \(Self.maxDifference(fitted, q))")
        #expect(Self.maxDifference(fitted, q) < 1e-12)
        // A generic orthogonal map is not in the commutant (nor the stabiliser): only O(n) fits it.
        let generic = Self.randomOrthogonal(n, using: &rng)
        let y = Self.times(x, generic)
        let residuals = [GaugeGroup.orthogonal(n), layout.stabiliserGroup(), commutant, .identity(n)].map {
            GaugeGroup.relativeResidual(x, $0.align(x, y), y)
        }
        print("generic O(22) map, residuals O(n) / stabiliser / commutant / identity: \(residuals)")
        #expect(residuals[0] < 1e-12 && residuals[1] > 0.5 && residuals[2] > residuals[1] && residuals[3] > 1)
        #expect(commutant.gaugeDimension == layout.commutantGaugeDimension && layout.stabiliserGroup().gaugeDimension == 159)
    }

    @Test func biBlockRungCounts() {
        // Per object 2 scalars and 2 vectors (D = 8): n = 8 O.
        let counts = [1, 2, 3].map { BiBlockExperiment.rungDimensions(objects: $0, scalars: 2, vectors: 2) }
        for c in counts { print("bi-block rungs: \(c)") }
        // O = 1: n = 8, O(8) 28; SO(3) blocks O(2) x O(6) 1 + 15 = 16; bi-block the same (no std part); commutants 1 + 1.
        #expect(counts[0].map(\.dimension) == [28, 16, 16, 2, 2])
        // O = 2: n = 16, 120; O(4) x O(12) 6 + 66; bi-block O(2) O(6) O(2) O(6) 1 + 15 + 1 + 15; SO(3) commutant O(4) x O(4); S_2 x SO(3) 1+1+1+1.
        #expect(counts[1].map(\.dimension) == [120, 72, 32, 12, 4])
        // O = 3: n = 24, 276; O(6) x O(18) 15 + 153; bi-block O(2) O(6) O(4) O(12) 1 + 15 + 6 + 66; O(6) x O(6) 30; 4.
        #expect(counts[2].map(\.dimension) == [276, 168, 88, 30, 4])
    }
}
