import Agents
import Envs
import Foundation
import Tensor

/// `eval rollout` of one planar model cut into units: unit i rolls the model out at its i-th orientation (the slice
/// grid's first, then the orbit's K evenly spaced ones). A unit depends only on the model, the held-out segments and its
/// orientation, so units measured in different processes give the figures one process gives.
public struct RolloutProbe {
    public let model: TrainedWorldModel
    public let data: TransitionSet
    /// Horizons measured, increasing.
    public let horizons: [Int]
    /// The slice grid's orientations (radians), then the orbit's.
    public let angles: [Double]
    public let orbitCount: Int
    let starts: [Int]
    let inference: WorldNetInference<Float>

    public init(
        _ model: TrainedWorldModel, data: TransitionSet, horizons: [Int], orientations k: Int, maxSegments: Int = 512, sliceGridCount: Int = 3
    ) throws {
        guard let hMax = horizons.max(), hMax >= 1, horizons.allSatisfy({ $0 >= 1 }) else { throw DataError("horizons must be >= 1") }
        var starts = data.rolloutStarts(horizon: hMax)
        guard !starts.isEmpty else { throw DataError("no held-out episode segment is \(hMax) steps long; collect longer episodes") }
        if starts.count > maxSegments {
            let stride = Double(starts.count) / Double(maxSegments)
            starts = (0..<maxSegments).map { starts[Int(Double($0) * stride)] }
        }
        self.model = model; self.data = data; self.horizons = horizons.sorted(); self.starts = starts; orbitCount = k
        angles = model.train.slice.grid(sliceGridCount) + (0..<k).map { 2 * Double.pi * Double($0) / Double(k) }
        inference = WorldNetInference(model, as: Float.self)
    }

    /// The model and sweep facts the report names (the same in every shard).
    public var info: RolloutModelInfo {
        let slice = model.train.slice
        return RolloutModelInfo(
            checkpoint: model.url.path, model: model.spec.kind.rawValue, env: model.layout.env, parameters: model.online.parameterCount,
            sliceDegrees: [slice.degrees.lo, slice.degrees.hi], segments: starts.count, horizons: horizons, angles: angles,
            inSlice: angles.map { slice.contains($0) }, observed: model.spec.config.observationInLatent)
    }

    /// Unit `index`: z_0 = E(g.o_0), z_h = f(z_{h-1}, g.a_{h-1}) against E_ema(g.o_h), relMSE per horizon; at orientation 0
    /// (the orbit's first) of a model with the observation in its latent, also the predicted observation's errors.
    public func measure(_ index: Int) -> RolloutUnit {
        let layout = model.layout, m = starts.count, theta = angles[index], g = layout.rotation(theta)
        let observed = model.spec.config.observationInLatent && index == angles.count - orbitCount
        let first = data.gather(starts)
        var z = inference.encode(layout.rotate(observations: first.obs, by: g), batch: m)
        var unit = RolloutUnit(relMSE: [])
        if observed { unit.agentErrorPx = []; unit.bodyErrorPx = []; unit.bodyMotionRatio = [] }
        for h in 1...horizons.last! {
            let step = data.gather(starts.map { $0 + h - 1 })
            z = inference.predict(
                z, rawActions: layout.rotate(actions: step.actions, by: g), observations: layout.rotate(observations: step.obs, by: g), batch: m)
            guard horizons.contains(h) else { continue }
            let t = inference.encode(layout.rotate(observations: step.next, by: g), batch: m, useTarget: true)
            unit.relMSE.append(meanRelMSE(z, t))
            if observed {
                let e = observationErrors(z, truth: step.next, start: first.obs, layout: layout)
                unit.agentErrorPx!.append(e.last); unit.bodyErrorPx!.append(e.others)
                unit.bodyMotionRatio!.append(e.predictedMotion / max(e.trueMotion, Double.leastNormalMagnitude))
            }
        }
        return unit
    }
}

/// One unit of `eval rollout`: relMSE per horizon at one orientation (and at orientation 0 the observation's errors).
public struct RolloutUnit: Codable, Sendable {
    public var relMSE: [Double]
    public var agentErrorPx: [Double]?
    public var bodyErrorPx: [Double]?
    public var bodyMotionRatio: [Double]?
}

/// What `eval rollout` reports of a model besides its units, with the orientations the units measure.
public struct RolloutModelInfo: Codable, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    public var parameters: Int
    public var sliceDegrees: [Double]
    public var segments: Int
    public var horizons: [Int]
    public var angles: [Double]
    public var inSlice: [Bool]
    /// Whether the latent carries the observation (then the report gives the predicted observation's errors).
    public var observed: Bool

    /// The model's report from all its units (`units[i]` measured at `angles[i]`), in one process or from parts.
    public func report(_ units: [RolloutUnit]) -> RolloutReport {
        precondition(units.count == angles.count, "one unit per orientation")
        let table = units.map(\.relMSE)
        var inMean: [Double] = [], outMean: [Double?] = [], ratio: [Double?] = [], spread: [Double] = []
        for j in horizons.indices {
            let ins = angles.indices.filter { inSlice[$0] }.map { table[$0][j] }
            let outs = angles.indices.filter { !inSlice[$0] }.map { table[$0][j] }
            let a = ins.reduce(0, +) / Double(max(1, ins.count))
            let b = outs.isEmpty ? nil : outs.reduce(0, +) / Double(outs.count)
            inMean.append(a); outMean.append(b); ratio.append(b.map { $0 / a })
            let col = table.map { $0[j] }
            spread.append((col.max() ?? 0) / max(col.min() ?? 1, Double.leastNormalMagnitude) - 1)
        }
        let zero = units.first { $0.agentErrorPx != nil }
        return RolloutReport(
            checkpoint: checkpoint, model: model, env: env, parameters: parameters, sliceDegrees: sliceDegrees, segments: segments,
            target: "ema", horizons: horizons, orientationsDegrees: angles.map { $0 * 180 / Double.pi }, inSlice: inSlice, relMSE: table,
            inSliceMean: inMean, outOfSliceMean: outMean, oodRatio: ratio, spread: spread,
            agentErrorPx: observed ? zero?.agentErrorPx ?? [] : nil, bodyErrorPx: observed ? zero?.bodyErrorPx ?? [] : nil,
            bodyMotionRatio: observed ? zero?.bodyMotionRatio ?? [] : nil)
    }
}
