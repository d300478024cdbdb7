import Agents
import Envs
import Foundation
import Tensor

/// relMSE at one element of SE(3).
public struct GroupSampleError: Codable, Sendable {
    /// The element as (rotation vector, translation).
    public var element: [Double]
    public var rung: String
    public var relMSE: Double
}

/// One rung's figures for one checkpoint.
public struct RungError: Codable, Sendable {
    public var rung: String
    public var mean: Double
    /// 95% interval of the mean over the rung's samples (t-free normal approximation; 0 width for one sample).
    public var interval95: [Double]
    public var inSlice: Bool
}

/// `ewm-sim eval one-step` on one 3D checkpoint (the SE(3) ladder).
public struct LadderReport: Codable, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    public var parameters: Int
    public var trainingRung: String
    public var samplesPerRung: Int
    public var transitions: Int
    /// Every sampled element of every rung (identity once).
    public var samples: [GroupSampleError]
    public var rungs: [RungError]
    /// Mean L over the training rung's samples, over the higher rungs' samples, and their ratio.
    public var inSliceMean: Double
    public var outOfSliceMean: Double?
    public var oodRatio: Double?
    /// Mean L on the top rung (SE(3)) over mean L on the training rung.
    public var ladderRatio: Double
    /// max L / min L - 1 over every sample of every rung.
    public var flatness: Double
    /// max over the samples and the batch of |f(E(g.o), g.a) - rho(g) f(E(o), a)| / |f(E(o), a)|, Float and Double.
    public var residualFloat: Double
    public var residualDouble: Double
    public var encoderResidualFloat: Double
}

/// Held-out canonical (identity) transitions for a trained 3D model: its collection settings, another seed.
public func heldOutTransitions3D(for model: TrainedCloudModel, episodes: Int, seed: UInt64? = nil) throws -> TransitionSet {
    var c = model.train.collect
    c.episodes = episodes
    c.rung = .identity
    c.seed = seed ?? (model.train.collect.seed &+ 1_000_003)
    return try collectTransitions3D(c)
}

/// The elements the ladder evaluation uses: identity, then `count` seeded samples of each higher rung.
public func ladderSamples(_ ladder: SE3Ladder, count: Int, seed: UInt64) -> [(SE3Ladder.Rung, SE3Transform)] {
    var out: [(SE3Ladder.Rung, SE3Transform)] = [(.identity, .identity)]
    for rung in SE3Ladder.Rung.allCases where rung != .identity {
        out += ladder.sample(rung, count: count, seed: seed).map { (rung, $0) }
    }
    return out
}

/// The world centres of the data's transitions (zeros when it has none).
func originsOf(_ data: TransitionSet) -> [Double] {
    data.origins.isEmpty ? [Double](repeating: 0, count: 3 * data.count) : data.origins
}

func cloudComposedResidual<S: TensorScalar>(
    _ model: TrainedCloudModel, data: TransitionSet, offsets: [Double],
    elements: [SE3Transform], as _: S.Type
) -> (composed: Double, encoder: Double) {
    let inf = CloudInference(model, as: S.self)
    let n = data.count, layout = model.layout
    let z = inf.encode(data.observations, batch: n, origins: data.origins)
    let y = inf.predict(z, offsets: offsets, batch: n)
    var composed = 0.0, encoder = 0.0
    for g in elements {
        let gz = inf.encode(layout.act(g, observations: data.observations), batch: n, origins: layout.act(g, actions: originsOf(data)))
        let gy = inf.predict(gz, offsets: layout.rotate(g.rotation, vectors: offsets), batch: n)
        composed = max(composed, maxRowResidual(gy, rotateLatent3D(y, rotation: g.rotation)))
        encoder = max(encoder, maxRowResidual(gz, rotateLatent3D(z, rotation: g.rotation)))
    }
    return (composed, encoder)
}

/// One-step relMSE L(g) = mean relMSE(f(E(g.o), g.a), E_ema(g.o')) (Float, trained weights) at the identity and at
/// `samplesPerRung` seeded elements of each higher rung of the model's ladder; g acts on the raw points and the raw
/// target-point action (the offsets are recomputed from the transformed observation, as the model sees them).
public func evaluateLadder(_ model: TrainedCloudModel, data: TransitionSet, samplesPerRung k: Int, seed: UInt64 = 7) -> LadderReport {
    let layout = model.layout, n = data.count
    let ladder = model.train.collect.ladder
    let inf = CloudInference(model, as: Float.self)
    let origins = originsOf(data)
    func loss(_ g: SE3Transform) -> Double {
        let o = layout.act(g, observations: data.observations)
        let w = layout.act(g, actions: origins)
        let a = layout.offsets(actions: layout.act(g, actions: data.actions), observations: o, batch: n)
        let z = inf.encode(o, batch: n, origins: w)
        let p = inf.predict(z, offsets: a, batch: n)
        let t = inf.encode(layout.act(g, observations: data.nextObservations), batch: n, origins: w, useTarget: true)
        return meanRelMSE(p, t)
    }
    let elements = ladderSamples(ladder, count: k, seed: seed)
    let samples = elements.map { GroupSampleError(element: $0.1.coordinates, rung: $0.0.rawValue, relMSE: loss($0.1)) }
    let trainRung = model.train.rung
    var rungs: [RungError] = []
    for rung in SE3Ladder.Rung.allCases {
        let v = samples.filter { $0.rung == rung.rawValue }.map(\.relMSE)
        let m = v.reduce(0, +) / Double(v.count)
        let sd = v.count > 1 ? (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
        let half = 1.96 * sd / Double(v.count).squareRoot()
        rungs.append(RungError(rung: rung.rawValue, mean: m, interval95: [m - half, m + half], inSlice: rung <= trainRung))
    }
    // In-slice: the training rung's own samples; out: the samples of the rungs above it.
    let inside = samples.filter { $0.rung == trainRung.rawValue }.map(\.relMSE)
    let outside = samples.filter { SE3Ladder.Rung(rawValue: $0.rung)! > trainRung }.map(\.relMSE)
    let inMean = inside.reduce(0, +) / Double(inside.count)
    let outMean = outside.isEmpty ? nil : outside.reduce(0, +) / Double(outside.count)
    let top = rungs.last!.mean
    let values = samples.map(\.relMSE)
    let flatness = values.max()! / max(values.min()!, Double.leastNormalMagnitude) - 1
    let offsets = layout.offsets(actions: data.actions, observations: data.observations, batch: n)
    let gs = elements.map(\.1)
    let rf = cloudComposedResidual(model, data: data, offsets: offsets, elements: gs, as: Float.self)
    let rd = cloudComposedResidual(model, data: data, offsets: offsets, elements: gs, as: Double.self)
    return LadderReport(
        checkpoint: model.url.path, model: model.spec.kind.rawValue, env: layout.env, parameters: model.parameterCount,
        trainingRung: trainRung.rawValue, samplesPerRung: k, transitions: n, samples: samples, rungs: rungs,
        inSliceMean: inMean, outOfSliceMean: outMean, oodRatio: outMean.map { $0 / inMean }, ladderRatio: top / inMean,
        flatness: flatness, residualFloat: rf.composed, residualDouble: rd.composed, encoderResidualFloat: rf.encoder)
}
