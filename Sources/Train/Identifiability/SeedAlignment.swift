import EWMIO
import Foundation

/// A candidate gauge: a group of orthogonal maps acting in the coordinates B z of the latent z (B orthogonal; the
/// identity for a latent already in its isotypic layout, a Helmert change of basis for S_O x SO(3)).
public struct GaugeRung: Sendable {
    public var group: GaugeGroup
    /// Rows are the new coordinates; nil: the latent's own.
    public var basis: [[Double]]?

    public init(_ group: GaugeGroup, basis: [[Double]]? = nil) { self.group = group; self.basis = basis }

    func coordinates(_ z: [Double]) -> [Double] {
        guard let basis else { return z }
        let n = basis.count
        var out = [Double](repeating: 0, count: z.count)
        for r in 0..<(z.count / n) {
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += basis[i][j] * z[r * n + j] }
                out[r * n + i] = s
            }
        }
        return out
    }
}

/// One condition's alignment of every pair of seeds under each rung: Q fitted on one set of latents, the relative
/// residual ||X Q - Y|| / ||Y|| measured on held-out latents (both centred by their fitting set's mean).
public struct AlignmentRow: Codable, Sendable {
    public var condition: String
    public var prediction: String
    /// Per rung, in the rungs' order.
    public var groups: [String]
    public var means: [Double]
    public var intervals95: [[Double]]
    /// Per pair of seeds (a < b), per rung.
    public var pairs: [[Double]]
    /// Mean over seeds of the last step's losses.
    public var predictionLoss: Double
    public var sigreg: Double

    /// Mean residuals of `rungs` over every pair of `fit`/`heldOut` latents (one array of rows of n per seed).
    public static func measure(
        condition: String, prediction: String, rungs: [GaugeRung], fit: [[Double]], heldOut: [[Double]], losses: [(Double, Double)]
    ) -> AlignmentRow {
        let n = rungs[0].group.dimension
        var perPair: [[Double]] = []
        let centred = zip(fit, heldOut).map { f, h in centre(f, h, n: n) }
        for a in centred.indices {
            for b in centred.indices where b > a {
                perPair.append(
                    rungs.map { rung in
                        let q = rung.group.align(rung.coordinates(centred[a].0), rung.coordinates(centred[b].0))
                        return GaugeGroup.relativeResidual(rung.coordinates(centred[a].1), q, rung.coordinates(centred[b].1))
                    })
            }
        }
        let stats = rungs.indices.map { k in BlockIsotropyExperiment.meanInterval(perPair.map { $0[k] }) }
        return AlignmentRow(
            condition: condition, prediction: prediction, groups: rungs.map(\.group.name), means: stats.map(\.0),
            intervals95: stats.map(\.1), pairs: perPair, predictionLoss: losses.map(\.0).reduce(0, +) / Double(max(1, losses.count)),
            sigreg: losses.map(\.1).reduce(0, +) / Double(max(1, losses.count)))
    }

    /// Both sets minus the first's column means.
    static func centre(_ fit: [Double], _ heldOut: [Double], n: Int) -> ([Double], [Double]) {
        let rows = fit.count / n
        let mean = (0..<n).map { j in (0..<rows).map { fit[$0 * n + j] }.reduce(0, +) / Double(rows) }
        return (fit.enumerated().map { $0.element - mean[$0.offset % n] }, heldOut.enumerated().map { $0.element - mean[$0.offset % n] })
    }

    /// The rows as a table: one column per rung, "mean (lo-hi)".
    public static func table(_ rows: [AlignmentRow]) -> String {
        guard let first = rows.first else { return "" }
        let f = { (x: Double) in String(format: "%.3f", x) }
        return TextTable.render(
            ["condition"] + first.groups + ["pred. loss", "SIGReg", "prediction"],
            rows.map { r in
                [r.condition] + r.means.indices.map { "\(f(r.means[$0])) (\(f(r.intervals95[$0][0]))-\(f(r.intervals95[$0][1])))" }
                    + [String(format: "%.3g", r.predictionLoss), String(format: "%.3g", r.sigreg), r.prediction]
            })
    }
}
