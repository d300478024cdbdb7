import Agents
import EWMIO
import Envs
import Foundation
import Tensor

/// Experiment 2 of issue 17, the gauge measured: encoders trained on the same data from several seeds, each pair of
/// seeds aligned by the best orthogonal map in O(n), in the block stabiliser prod_i O(d_i m_i), in the commutant
/// prod_i O(m_i) and by the identity (`GaugeGroup`), the residual measured on held-out data.
///
/// Data: transitions of a 3D env (`Settings.env`, one with a `CloudLayout`; the command's default is the exactly
/// SE(3)-equivariant teacher map), each turned by its own Haar rotation about the world's centre so the data's law is
/// SO(3)-invariant; read by its `CloudLayout` (the cloud about its centroid plus the centroid). The latent is C1's:
/// 4 scalars and 6 vectors (R^22).
public enum GaugeExperiment {
    public struct Settings: Codable, Sendable {
        /// The registered 3D env whose transitions are the data (it needs a `CloudLayout`).
        public var env: String
        public var seeds = 4
        public var episodes = 100
        public var heldOutEpisodes = 25
        public var steps = 300
        public var seed: UInt64 = 0
        /// Fixed target scales of the scalar and the vector block (block-SIGReg with distinct scales).
        public var scales = [0.6, 1.2]
        public init(env: String) { self.env = env }
    }

    public struct Condition: Sendable {
        public var name: String
        public var recipe: GaugeTrainingRecipe
        public var prediction: String
    }

    public struct Report: TextReport, Sendable {
        public var settings: Settings
        public var layout: String
        public var gaugeDimensions: [String: Int]
        public var rows: [AlignmentRow]

        public var text: String {
            let d = gaugeDimensions
            return [
                "The gauge, measured: \(settings.seeds) seeds (\(settings.seeds * (settings.seeds - 1) / 2) pairs) per condition, \(settings.steps) steps each; \(settings.env) under Haar rotations; latent \(layout)",
                "relative alignment residual ||X Q - Y|| / ||Y|| on held-out data, mean (95% interval over seed pairs) for Q in each group:",
                AlignmentRow.table(rows),
                "gauge dimensions: O(n) \(d["O(n)"] ?? 0), stabiliser prod O(d_i m_i) \(d["stabiliser"] ?? 0), commutant prod O(m_i) \(d["commutant"] ?? 0), identity 0",
            ].joined(separator: "\n")
        }
    }

    public static let layout = IsotypicLayout.c1

    public static func rungs(_ layout: IsotypicLayout) -> [GaugeRung] {
        [
            GaugeRung(.orthogonal(layout.dimension)), GaugeRung(layout.stabiliserGroup()), GaugeRung(layout.commutantGroup()),
            GaugeRung(.identity(layout.dimension)),
        ]
    }

    public static func conditions(_ settings: Settings) -> [Condition] {
        let n = layout.dimension
        let scales = layout.blocks.enumerated().flatMap { i, b in [Double](repeating: settings.scales[i], count: b.irrepDimension * b.copies) }
        let identity = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        let plain = GaugeTrainingRecipe.identity(n), block = GaugeTrainingRecipe.blockScaling(basis: identity, scales: scales)
        func recipe(_ kind: MixedLatentEncoder<Float>.Kind, _ objective: GaugeTrainingRecipe.Objective, _ m: [Double]) -> GaugeTrainingRecipe {
            var r = GaugeTrainingRecipe(kind: kind, objective: objective, regulariser: m)
            r.steps = settings.steps
            return r
        }
        let s = "\(settings.scales.map { String(format: "%g", $0) }.joined(separator: "/"))"
        return [
            Condition(name: "MLP + SIGReg", recipe: recipe(.mlp, .invariance, plain), prediction: "only O(n) aligns"),
            Condition(
                name: "MLP + block-SIGReg \(s)", recipe: recipe(.mlp, .invariance, block), prediction: "stabiliser as O(n) (law-matching)"),
            Condition(name: "VN + SIGReg", recipe: recipe(.equivariant, .invariance, plain), prediction: "commutant as O(n)"),
            Condition(
                name: "VN + block-SIGReg \(s)", recipe: recipe(.equivariant, .invariance, block), prediction: "commutant as O(n) (the claim)"),
            Condition(
                name: "VN JEPA + predictor, block \(s)", recipe: recipe(.equivariant, .predictor, block),
                prediction: "commutant as O(n), lower residual (C2)"),
        ]
    }

    /// The data: (training pairs, held-out pairs), each transition turned by a Haar rotation.
    public static func data(_ settings: Settings) throws -> (GaugePairs, GaugePairs) {
        let layout = try CloudLayout.forEnv(settings.env)
        func pairs(episodes: Int, seed: UInt64) throws -> GaugePairs {
            let set = try collectTransitions3D(Collect3DConfig(env: settings.env, episodes: episodes, seed: seed))
            var rng = Xoshiro256(seed: seed &+ 77)
            var out = GaugePairs(objects: 1, channels: layout.channels)
            let size = layout.observationSize
            for i in 0..<set.count {
                let r = OrthogonalTransform.random(dim: 3, using: &rng).matrix
                let o = rotate(Array(set.observations[i * size..<(i + 1) * size]), r)
                let next = rotate(Array(set.nextObservations[i * size..<(i + 1) * size]), r)
                let a = rotate(Array(set.actions[3 * i..<3 * i + 3]), r)
                out.inputs += layout.pointsTensor(o, batch: 1, as: Double.self).scalars
                out.targets += layout.pointsTensor(next, batch: 1, as: Double.self).scalars
                out.actions += layout.offsets(actions: a, observations: o, batch: 1).map { $0 / layout.scale }
            }
            return out
        }
        return (
            try pairs(episodes: settings.episodes, seed: settings.seed),
            try pairs(episodes: settings.heldOutEpisodes, seed: settings.seed &+ 1_000_003)
        )
    }

    /// Triples (x, y, z) turned by the row-major 3 x 3 matrix `r`.
    static func rotate(_ p: [Double], _ r: [Double]) -> [Double] {
        var out = p
        for i in stride(from: 0, to: p.count, by: 3) {
            for k in 0..<3 { out[i + k] = r[3 * k] * p[i] + r[3 * k + 1] * p[i + 1] + r[3 * k + 2] * p[i + 2] }
        }
        return out
    }

    /// Trains every condition from every seed and aligns the seeds. `progress` counts trained encoders.
    public static func run(_ settings: Settings, progress: (Int) -> Void = { _ in }) throws -> Report {
        let (train, heldOut) = try data(settings)
        var rows: [AlignmentRow] = []
        var done = 0
        let block = layout.blocks
        for condition in conditions(settings) {
            var fit: [[Double]] = [], test: [[Double]] = [], losses: [(Double, Double)] = []
            for s in 0..<settings.seeds {
                let t = GaugeTraining.train(
                    condition.recipe, pairs: train, scalars: block[0].copies, vectors: block[1].copies, seed: settings.seed &+ UInt64(s) &* 1009)
                fit.append(GaugeTraining.encode(t.encoder, train.inputs, pairs: train))
                test.append(GaugeTraining.encode(t.encoder, heldOut.inputs, pairs: heldOut))
                losses.append((t.prediction, t.sigreg))
                done += 1
                progress(done)
            }
            rows.append(
                AlignmentRow.measure(
                    condition: condition.name, prediction: condition.prediction, rungs: rungs(layout), fit: fit, heldOut: test, losses: losses))
        }
        return Report(
            settings: settings, layout: "4 scalars + 6 vectors (R^22)",
            gaugeDimensions: [
                "O(n)": layout.orthogonalGaugeDimension, "stabiliser": layout.stabiliserGaugeDimension, "commutant": layout.commutantGaugeDimension,
            ], rows: rows)
    }
}
