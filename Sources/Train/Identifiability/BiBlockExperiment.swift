import Agents
import EWMIO
import Envs
import Foundation
import Tensor

/// Experiment 3 of issue 17, bi-block-SIGReg on S_O x SO(3): scenes of O interchangeable boxes (`push3d-multi`'s
/// starts; `push3d` with boxes at O = 1), each scene turned by a Haar rotation about the world's centre; two views of a
/// scene are two independent jitters of its keypoints. Each object is read as its 16 keypoints about its centroid and
/// the centroid (17 vector channels); its latent is 2 scalars and 2 vectors (D = 8). Encoders from several seeds are
/// aligned on every rung of `BiBlockRungs`, as in `GaugeExperiment`.
public enum BiBlockExperiment {
    public struct Settings: Codable, Sendable {
        public var objects = [1, 2, 3]
        public var seeds = 3
        public var scenes = 1500
        public var heldOutScenes = 500
        public var steps = 300
        public var jitter = 0.03
        public var seed: UInt64 = 0
        public var scalars = 2
        public var vectors = 2
        public init() {}
    }

    public struct Rung: Codable, Sendable {
        public var name: String
        public var dimension: Int
    }

    public struct Block: Codable, Sendable {
        public var objects: Int
        public var rungs: [Rung]
        public var rows: [AlignmentRow]
    }

    public struct Report: TextReport, Sendable {
        public var settings: Settings
        public var blocks: [Block]

        public var text: String {
            var lines = [
                "Bi-block-SIGReg on S_O x SO(3): \(settings.seeds) seeds per condition, \(settings.steps) steps, \(settings.scenes) scenes; per object \(settings.scalars) scalars + \(settings.vectors) vectors",
                TextTable.render(
                    ["O", "n"] + (blocks.first?.rungs.map(\.name) ?? []),
                    blocks.map { b in
                        ["\(b.objects)", "\(b.objects * (settings.scalars + 3 * settings.vectors))"] + b.rungs.map { "\($0.dimension)" }
                    }),
                "(gauge dimensions; the bi-block rung is finer than SO(3)'s only when O > 1)",
            ]
            for b in blocks {
                lines.append("")
                lines.append("O = \(b.objects): relative alignment residual on held-out scenes, mean (95% interval over seed pairs)")
                lines.append(AlignmentRow.table(b.rows))
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Condition {
        var name: String
        var perObject: Bool
        var productBlocks: Bool
        var prediction: String
    }

    static let conditions = [
        Condition(name: "scene VN + block-SIGReg (SO(3))", perObject: false, productBlocks: false, prediction: "SO(3) blocks as O(n)"),
        Condition(name: "scene VN + bi-block-SIGReg", perObject: false, productBlocks: true, prediction: "bi-blocks as O(n)"),
        Condition(
            name: "per-object VN + bi-block-SIGReg", perObject: true, productBlocks: true, prediction: "bi-blocks and S_O x SO(3) commutant as O(n)"),
    ]

    /// Scene `i` of O boxes as object-major inputs [O, 3, 17] (keypoints minus the centroid, then the centroid).
    static func scenes(objects: Int, count: Int, settings: Settings, seed: UInt64) throws -> (GaugePairs, GaugePairs) {
        let env = Push3DEnv(config: Push3DEnv.Config(shape: .box, objectCount: objects))
        let k = env.shape.keypoints.count, channels = k + 1
        var rng = Xoshiro256(seed: seed)
        var perObject = GaugePairs(objects: objects, channels: channels), scene = GaugePairs(objects: 1, channels: objects * channels)
        for i in 0..<count {
            let obs = try env.reset(seed: seed &+ UInt64(i), options: ResetOptions()).observation.values
            let r = OrthogonalTransform.random(dim: 3, using: &rng).matrix
            let clouds = GaugeExperiment.rotate(Array(obs[0..<(3 * k * objects)]), r)
            for view in 0..<2 {
                let p = clouds.map { $0 + settings.jitter * rng.nextNormal() }
                var rows = [Double](repeating: 0, count: objects * 3 * channels), flat = rows
                for o in 0..<objects {
                    var c = [0.0, 0, 0]
                    for j in 0..<k { for a in 0..<3 { c[a] += p[3 * (o * k + j) + a] / Double(k) } }
                    for a in 0..<3 {
                        for j in 0..<k {
                            rows[(o * 3 + a) * channels + j] = p[3 * (o * k + j) + a] - c[a]
                            flat[a * objects * channels + o * channels + j] = p[3 * (o * k + j) + a] - c[a]
                        }
                        rows[(o * 3 + a) * channels + k] = c[a]
                        flat[a * objects * channels + o * channels + k] = c[a]
                    }
                }
                if view == 0 { perObject.inputs += rows; scene.inputs += flat } else { perObject.targets += rows; scene.targets += flat }
            }
        }
        return (perObject, scene)
    }

    /// The scene encoder's latent (O m0 scalars, then O m1 vectors copy by copy) as object-major coordinates: P with
    /// w = z P (scalar s is object s / m0's, vector copy c object c / m1's).
    static func sceneToObjects(_ r: BiBlockRungs) -> [[Double]] {
        var p = r.zeros(r.dimension)
        let (m0, m1, d) = (r.scalars, r.vectors, r.objectWidth)
        for s in 0..<(r.objects * m0) { p[s][(s / m0) * d + s % m0] = 1 }
        for c in 0..<(r.objects * m1) {
            for k in 0..<3 { p[r.objects * m0 + 3 * c + k][(c / m1) * d + m0 + 3 * (c % m1) + k] = 1 }
        }
        return p
    }

    /// Runs every object count and condition from every seed. `progress` counts trained encoders.
    public static func run(_ settings: Settings, progress: (Int) -> Void = { _ in }) throws -> Report {
        var blocks: [Block] = []
        var done = 0
        for objects in settings.objects {
            let rungs = BiBlockRungs(objects: objects, scalars: settings.scalars, vectors: settings.vectors)
            let (trainObjects, trainScene) = try scenes(objects: objects, count: settings.scenes, settings: settings, seed: settings.seed)
            let (testObjects, testScene) = try scenes(
                objects: objects, count: settings.heldOutScenes, settings: settings, seed: settings.seed &+ 1_000_003)
            let toObjects = sceneToObjects(rungs)
            var rows: [AlignmentRow] = []
            for condition in conditions {
                // Fixed distinct scales per block: SO(3)'s two, or the product's four.
                let layout = condition.productBlocks ? rungs.productLayout : rungs.rotationLayout
                let basis = condition.productBlocks ? rungs.productBasis : rungs.rotationBasis
                let levels = condition.productBlocks ? [0.5, 0.8, 1.1, 1.4] : [0.6, 1.2]
                let scales = layout.blocks.enumerated().flatMap {
                    [Double](repeating: levels[$0.offset], count: $0.element.irrepDimension * $0.element.copies)
                }
                var m = GaugeTrainingRecipe.blockScaling(basis: basis, scales: scales)
                if !condition.perObject { m = multiply(toObjects, m, n: rungs.dimension) }
                var recipe = GaugeTrainingRecipe(kind: .equivariant, objective: .invariance, regulariser: m)
                recipe.steps = settings.steps
                let (train, test) = condition.perObject ? (trainObjects, testObjects) : (trainScene, testScene)
                var fit: [[Double]] = [], heldOut: [[Double]] = [], losses: [(Double, Double)] = []
                for s in 0..<settings.seeds {
                    let sc = condition.perObject ? settings.scalars : objects * settings.scalars
                    let vc = condition.perObject ? settings.vectors : objects * settings.vectors
                    let t = GaugeTraining.train(recipe, pairs: train, scalars: sc, vectors: vc, seed: settings.seed &+ UInt64(s) &* 1009)
                    var a = GaugeTraining.encode(t.encoder, train.inputs, pairs: train), b = GaugeTraining.encode(t.encoder, test.inputs, pairs: test)
                    if !condition.perObject {  // w = z P: coordinates in the basis P^T
                        let objectMajor = GaugeRung(.identity(rungs.dimension), basis: OctahedralGroup.transpose(toObjects))
                        (a, b) = (objectMajor.coordinates(a), objectMajor.coordinates(b))
                    }
                    fit.append(a); heldOut.append(b); losses.append((t.prediction, t.sigreg))
                    done += 1
                    progress(done)
                }
                rows.append(
                    AlignmentRow.measure(
                        condition: condition.name, prediction: condition.prediction, rungs: rungs.rungs, fit: fit, heldOut: heldOut, losses: losses))
            }
            blocks.append(
                Block(
                    objects: objects, rungs: rungs.rungs.dropLast().map { Rung(name: $0.group.name, dimension: $0.group.gaugeDimension) }, rows: rows)
            )
        }
        return Report(settings: settings, blocks: blocks)
    }

    /// Row-major product of n x n `a` ([[Double]]) and `b` (flat).
    static func multiply(_ a: [[Double]], _ b: [Double], n: Int) -> [Double] {
        (0..<n).flatMap { i in (0..<n).map { j in (0..<n).map { a[i][$0] * b[$0 * n + j] }.reduce(0, +) } }
    }
}
