import Agents
import EWMIO
import Foundation
import Tensor

/// Experiment C1 of the paper summary, Schur block-isotropy: on the mixed SO(3) latent of `IsotypicLayout.c1` (4
/// invariant scalars, 6 vectors; rho(R) = I_4 (+) (I_6 (x) R)), vanilla SIGReg and block-SIGReg measured on laws that
/// are G-invariant and on laws that are not, over many sample draws; and, for trained 3D encoders, how far the
/// covariance of their latents on G-invariant data is from Schur's block form.
public enum BlockIsotropyExperiment {
    public struct Settings: Codable, Sendable {
        public var draws = 100
        public var samples = 512
        public var slices = 64
        public var seed: UInt64 = 0
        public init() {}
    }

    /// A law of the latent: its name, whether it is G-invariant, and what the paper predicts for each statistic.
    public struct Law: Sendable {
        public var name: String
        public var invariant: Bool
        public var prediction: String
        /// Turns standard normal scalars [N, 4] and vectors [N, 3, 6] into samples of the law.
        var transform: @Sendable (_ s: inout [Double], _ v: inout [Double], _ n: Int) -> Void
    }

    public struct Row: Codable, Sendable {
        public var law: String
        public var invariant: Bool
        public var prediction: String
        public var sigregMean: Double
        public var sigregInterval95: [Double]
        public var blockSIGRegMean: Double
        public var blockSIGRegInterval95: [Double]
        /// SIGReg after whitening each isotypic block by its estimated copy covariance B_i (the commutant's freedom).
        public var whitenedMean: Double
        public var whitenedInterval95: [Double]
        /// Means over the isotropic law's (its finite-sample floor).
        public var sigregOverFloor: Double
        public var blockSIGRegOverFloor: Double
        public var whitenedOverFloor: Double
    }

    /// Schur's form of one trained encoder's latent covariance on orbit-averaged data.
    public struct EncoderRow: Codable, Sendable {
        public var checkpoint: String
        public var model: String
        public var equivariant: Bool
        public var latents: Int
        /// || Sigma - its Schur projection ||_F / || Sigma ||_F, the covariance of E(g.o) over the data and the 24
        /// rotations of the cube.
        public var offBlockMass: Double
    }

    public struct Report: TextReport, Sendable {
        public var settings: Settings
        public var rows: [Row]
        public var encoders: [EncoderRow]

        public var text: String {
            let f = { (x: Double) in String(format: "%.4g", x) }
            var lines = [
                "C1, Schur block-isotropy: SO(3) latent of 4 scalars and 6 vectors (R^22); \(settings.draws) draws of \(settings.samples) samples, \(settings.slices) slices",
                TextTable.render(
                    ["law", "G-invariant", "SIGReg", "95% CI", "/ floor", "block-SIGReg", "95% CI", "/ floor", "whitened", "/ floor", "prediction"],
                    rows.map { r in
                        [
                            r.law, r.invariant ? "yes" : "no", f(r.sigregMean), "\(f(r.sigregInterval95[0]))-\(f(r.sigregInterval95[1]))",
                            TextTable.fixed(r.sigregOverFloor, 2), f(r.blockSIGRegMean),
                            "\(f(r.blockSIGRegInterval95[0]))-\(f(r.blockSIGRegInterval95[1]))", TextTable.fixed(r.blockSIGRegOverFloor, 2),
                            f(r.whitenedMean), TextTable.fixed(r.whitenedOverFloor, 2), r.prediction,
                        ]
                    }),
                "block-SIGReg: each isotypic block divided by its RMS (Loss.blockSIGReg); whitened: each block's copies whitened by their estimated covariance B_i, then SIGReg",
            ]
            if !encoders.isEmpty {
                lines.append("")
                lines.append(
                    TextTable.render(
                        ["encoder", "model", "equivariant", "latents", "off-block mass"],
                        encoders.map { [$0.checkpoint, $0.model, $0.equivariant ? "yes" : "no", "\($0.latents)", TextTable.sci($0.offBlockMass)] }))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The laws measured: (a) isotropic; (b) G-invariant and block-isotropic with distinct per-irrep scales, then with
    /// correlated copies as well (Sigma = B_0 (+) (B_1 (x) I_3)); (c) not G-invariant: the vectors' third axis
    /// stretched, and a scalar coupled to one vector component.
    public static func laws(seed: UInt64) -> [Law] {
        var rng = Xoshiro256(seed: seed &+ 991)
        let l0 = cholesky(randomSPD(4, using: &rng)), l1 = cholesky(randomSPD(6, using: &rng))
        return [
            Law(name: "(a) isotropic N(0, I)", invariant: true, prediction: "all at the floor") { _, _, _ in },
            Law(name: "(b) scales 0.5 (scalars), 2 (vectors)", invariant: true, prediction: "block, whitened at the floor; SIGReg up") { s, v, _ in
                for i in s.indices { s[i] *= 0.5 }
                for i in v.indices { v[i] *= 2 }
            },
            Law(name: "(b) + correlated copies", invariant: true, prediction: "block, whitened at the floor; SIGReg up") { s, v, n in
                mix(&s, rows: n, groups: 1, copies: 4, by: l0)
                mix(&v, rows: n, groups: 3, copies: 6, by: l1)
            },
            Law(name: "(c) vectors' z axis x3", invariant: false, prediction: "all up") { _, v, n in
                for r in 0..<n { for c in 0..<6 { v[r * 18 + 2 * 6 + c] *= 3 } }
            },
            Law(name: "(c) scalar 0 coupled to vector 0's x", invariant: false, prediction: "all up") { s, v, n in
                for r in 0..<n { v[r * 18 + 0] = (v[r * 18] + 2 * s[r * 4]) / 5.0.squareRoot() }
            },
        ]
    }

    /// Runs every law (the isotropic one first: it gives the floor) and measures `encoders` (3D checkpoints).
    /// `progress` sees the laws done.
    public static func run(_ settings: Settings, encoders: [String] = [], progress: (Int) -> Void = { _ in }) throws -> Report {
        let units = try (0..<unitCount(settings, encoders: encoders)).map { u in
            let unit = try measure(unit: u, settings, encoders: encoders)
            if u < lawCount * settings.draws, (u + 1) % settings.draws == 0 { progress((u + 1) / settings.draws) }
            return unit
        }
        return report(settings, units: units)
    }

    /// The off-block mass of a 3D encoder's latent covariance over held-out observations moved by the cube's 24
    /// rotations (G-invariant data): exactly Schur's form for an equivariant encoder, up to its arithmetic.
    static func encoderRow(_ path: String, seed: UInt64) throws -> EncoderRow {
        let trained = try TrainedCloudModel(url: URL(fileURLWithPath: path))
        let model = LoadedCloudModel<Double>(trained)
        let data = try heldOutTransitions3D(for: trained, episodes: 20, seed: seed &+ 1_000_003)
        let size = model.observationSize, rows = min(data.count, 200)
        var observations: [Double] = []
        for r in OctahedralGroup.rotations {
            for i in 0..<rows {
                let o = Array(data.observations[i * size..<(i + 1) * size])
                for p in stride(from: 0, to: size, by: 3) {
                    for k in 0..<3 { observations.append(r[k][0] * o[p] + r[k][1] * o[p + 1] + r[k][2] * o[p + 2]) }
                }
            }
        }
        let batch = rows * OctahedralGroup.rotations.count
        let z = model.encode(observations, batch: batch)
        let width = model.latentRep.size
        let layout = IsotypicLayout(
            [.init(irrepDimension: 1, copies: model.latentRep.scalars), .init(irrepDimension: 3, copies: model.latentRep.vectors)].filter {
                $0.copies > 0
            })
        let mean = (0..<width).map { j in (0..<batch).map { z[$0 * width + j] }.reduce(0, +) / Double(batch) }
        var sigma = [[Double]](repeating: [Double](repeating: 0, count: width), count: width)
        for b in 0..<batch {
            for i in 0..<width {
                let di = z[b * width + i] - mean[i]
                for j in 0..<width { sigma[i][j] += di * (z[b * width + j] - mean[j]) / Double(batch) }
            }
        }
        return EncoderRow(
            checkpoint: path, model: trained.spec.kind.rawValue, equivariant: model.isEquivariant, latents: batch,
            offBlockMass: layout.schurResidual(sigma))
    }

    static func meanInterval(_ xs: [Double]) -> (Double, [Double]) {
        let n = Double(xs.count), m = xs.reduce(0, +) / n
        let sd = (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / max(n - 1, 1)).squareRoot()
        return (m, [m - 1.96 * sd / n.squareRoot(), m + 1.96 * sd / n.squareRoot()])
    }

    /// A random symmetric positive definite m x m matrix with unit mean diagonal and distinct eigenvalues.
    static func randomSPD(_ m: Int, using rng: inout Xoshiro256) -> [[Double]] {
        let a = (0..<m).map { _ in (0..<m).map { _ in Double.random(in: -1...1, using: &rng) } }
        var b = OctahedralGroup.multiply(a, OctahedralGroup.transpose(a))
        for i in 0..<m { b[i][i] += 0.2 }
        let trace = (0..<m).map { b[$0][$0] }.reduce(0, +) / Double(m)
        return b.map { $0.map { $0 / trace } }
    }

    static func cholesky(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0...i {
                let s = a[i][j] - (0..<j).map { l[i][$0] * l[j][$0] }.reduce(0, +)
                l[i][j] = i == j ? s.squareRoot() : s / l[j][j]
            }
        }
        return l
    }

    /// Each block's copy vectors x[row, group, :] whitened by the inverse Cholesky factor of their covariance estimated
    /// over rows and groups (B_i^-1/2 (x) I up to a rotation of the copies); returns the block as [rows, groups*copies].
    static func whiten(_ x: [Double], rows: Int, groups: Int, copies: Int) -> [Double] {
        var b = [[Double]](repeating: [Double](repeating: 0, count: copies), count: copies)
        let count = Double(rows * groups)
        for r in 0..<rows {
            for g in 0..<groups {
                let o = (r * groups + g) * copies
                for i in 0..<copies { for j in 0..<copies { b[i][j] += x[o + i] * x[o + j] / count } }
            }
        }
        let l = cholesky(b)
        var out = x
        for r in 0..<rows {
            for g in 0..<groups {
                let o = (r * groups + g) * copies
                for i in 0..<copies {  // forward substitution: L y = x
                    out[o + i] = (out[o + i] - (0..<i).map { l[i][$0] * out[o + $0] }.reduce(0, +)) / l[i][i]
                }
            }
        }
        return out
    }

    /// The whitened scalars ([rows, 4]) and vectors ([rows, 18]) of `whiten`, concatenated, as rows of 22.
    static func interleave(_ w: [Double], rows: Int) -> [Double] {
        let vectors = w[(rows * 4)...]
        var z: [Double] = []
        z.reserveCapacity(rows * 22)
        for r in 0..<rows {
            z += w[r * 4..<r * 4 + 4]
            z += vectors[vectors.startIndex + r * 18..<vectors.startIndex + r * 18 + 18]
        }
        return z
    }

    /// x[row, group, :] <- L x[row, group, :] for `copies`-long copy vectors stored last (scalars: groups 1).
    static func mix(_ x: inout [Double], rows: Int, groups: Int, copies: Int, by l: [[Double]]) {
        for r in 0..<rows {
            for g in 0..<groups {
                let o = (r * groups + g) * copies
                let old = Array(x[o..<o + copies])
                for c in 0..<copies { x[o + c] = (0...c).map { l[c][$0] * old[$0] }.reduce(0, +) }
            }
        }
    }
}
