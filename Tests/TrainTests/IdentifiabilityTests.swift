import Foundation
import Seeded
import Testing
@testable import Train

/// The pieces of the identifiability experiments (issue 17) that have exact answers.
@Suite struct IdentifiabilityTests {
    @Test func helmertBasisIsOrthogonalWithTheMeanFirst() {
        for n in 1...7 {
            let h = HelmertBasis.matrix(n)
            var worst = 0.0
            for i in 0..<n {
                for j in 0..<n {
                    let dot = (0..<n).map { h[i][$0] * h[j][$0] }.reduce(0, +)
                    worst = max(worst, abs(dot - (i == j ? 1 : 0)))
                }
            }
            print("Helmert n=\(n): max |H H^T - I| = \(worst)")
            #expect(worst < 1e-15)
            #expect(h[0].allSatisfy { abs($0 - 1 / Double(n).squareRoot()) < 1e-16 })
            // The other rows are orthogonal to the mean: they sum to zero.
            #expect((1..<n).allSatisfy { k in abs(h[k].reduce(0, +)) < 1e-15 })
        }
    }

    @Test func gaugeDimensionsOfC1() {
        let c1 = IsotypicLayout.c1
        #expect(c1.dimension == 22 && c1.offsets == [0, 4])
        // O(22): 231; O(4) x O(18): 6 + 153; the commutant O(4) x O(6): 6 + 15.
        #expect(c1.orthogonalGaugeDimension == 231 && c1.stabiliserGaugeDimension == 159 && c1.commutantGaugeDimension == 21)
        // O interchangeable objects' Helmert split of one vector block: trivial (m copies) and standard ((O-1) m copies).
        let split = IsotypicLayout([.init(irrepDimension: 3, copies: 2), .init(irrepDimension: 3, copies: 4)])
        #expect(split.commutantGaugeDimension == 1 + 6 && IsotypicLayout([.init(irrepDimension: 3, copies: 6)]).commutantGaugeDimension == 15)
    }

    @Test func octahedralGroupIsAGroupOfRotations() {
        let g = OctahedralGroup.rotations
        #expect(g.count == 24 && Set(g.map { "\($0)" }).count == 24)
        let keys = Set(g.map { "\($0)" })
        for a in g { for b in g { #expect(keys.contains("\(OctahedralGroup.multiply(a, b))")) } }
        #expect(g.allSatisfy { OctahedralGroup.determinant($0) == 1 })
    }

    /// The group average of any covariance has Schur's block form, to rounding (Double).
    @Test func groupAveragedCovarianceHasSchursBlockForm() {
        var rng = SplitMix64(seed: 17)
        let n = IsotypicLayout.c1.dimension
        let a = (0..<n).map { _ in (0..<n).map { _ in Double.random(in: -1...1, using: &rng) } }
        let sigma = OctahedralGroup.multiply(a, OctahedralGroup.transpose(a))  // symmetric positive semi-definite
        let raw = IsotypicLayout.c1.schurResidual(sigma)
        let averaged = IsotypicLayout.c1.schurResidual(OctahedralGroup.average(sigma, layout: .c1))
        print("Schur residual of a random covariance: \(raw); after the group average: \(averaged)")
        #expect(raw > 0.1 && averaged < 1e-12)
    }
}

/// Experiment C1 at a small size: what must hold whatever the draws.
@Suite struct BlockIsotropyExperimentTests {
    @Test func blockSIGRegIgnoresPerBlockScalesAndSeesBrokenInvariance() throws {
        var settings = BlockIsotropyExperiment.Settings()
        (settings.draws, settings.samples, settings.slices) = (4, 128, 16)
        let rows = try BlockIsotropyExperiment.run(settings).rows
        #expect(rows.count == 5 && rows[0].sigregOverFloor == 1 && rows[0].blockSIGRegOverFloor == 1)
        // (b) distinct per-block scales: block-SIGReg sees the same normalised samples as (a); SIGReg does not.
        #expect(abs(rows[1].blockSIGRegOverFloor - 1) < 1e-6 && rows[1].sigregOverFloor > 10)  // up to the eps inside the RMS
        // Whitening each block by its copy covariance also absorbs correlated copies (the commutant's freedom).
        #expect(abs(rows[1].whitenedOverFloor - 1) < 0.1 && abs(rows[2].whitenedOverFloor - 1) < 0.1)
        // (c) a stretched axis breaks the invariance: both block statistics rise.
        #expect(rows[3].blockSIGRegOverFloor > 1.5 && rows[3].whitenedOverFloor > 1.5 && !rows[3].invariant)
    }

    @Test func anEquivariantEncodersLatentCovarianceHasSchursForm() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ewm-c1-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [BlockIsotropyExperiment.EncoderRow] = []
        for kind in [ModelKind.vn, .mlp] {
            let url = dir.appendingPathComponent("\(kind.rawValue).safetensors")
            try Ladder3DTests.tiny(kind).save(to: url, command: "test")
            rows.append(try BlockIsotropyExperiment.encoderRow(url.path, seed: 1))
        }
        print("off-block mass of the latent covariance: vn \(rows[0].offBlockMass), mlp \(rows[1].offBlockMass)")
        #expect(rows[0].equivariant && rows[0].offBlockMass < 1e-12 && rows[1].offBlockMass > 1e-3)
    }
}
