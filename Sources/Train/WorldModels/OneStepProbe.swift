import Agents
import Envs
import Foundation
import Tensor

/// `eval one-step` of one planar model cut into units: unit i measures the model at its i-th orientation (the orbit's
/// K evenly spaced orientations first, then the training slice's grid). Every unit depends only on the model, the
/// held-out data and its orientation, so units measured in different processes give the figures one process gives.
public struct OneStepProbe {
    public let model: TrainedWorldModel
    public let data: TransitionSet
    /// The orbit's orientations (radians), then the slice grid's.
    public let angles: [Double]
    public let orbitCount: Int
    let float: WorldNetInference<Float>
    let double: WorldNetInference<Double>
    /// f(E(o), a) and E(o) at the identity, Float and Double (the references of the composed residuals).
    let identityFloat: (z: Tensor<Float>, y: Tensor<Float>)
    let identityDouble: (z: Tensor<Double>, y: Tensor<Double>)

    public init(_ model: TrainedWorldModel, data: TransitionSet, orientations k: Int, sliceGridCount: Int = 5) {
        self.model = model; self.data = data; orbitCount = k
        angles = (0..<k).map { 2 * Double.pi * Double($0) / Double(k) } + model.train.slice.grid(sliceGridCount)
        float = WorldNetInference(model, as: Float.self)
        double = WorldNetInference(model, as: Double.self)
        identityFloat = Self.identity(float, data)
        identityDouble = Self.identity(double, data)
    }

    static func identity<S: TensorScalar>(_ inf: WorldNetInference<S>, _ data: TransitionSet) -> (z: Tensor<S>, y: Tensor<S>) {
        let z = inf.encode(data.observations, batch: data.count)
        return (z, inf.predict(z, rawActions: data.actions, observations: data.observations, batch: data.count))
    }

    /// The model and sweep facts the report names (the same in every shard).
    public var info: OneStepModelInfo {
        let slice = model.train.slice
        return OneStepModelInfo(
            checkpoint: model.url.path, model: model.spec.kind.rawValue, env: model.layout.env, parameters: model.online.parameterCount,
            sliceDegrees: [slice.degrees.lo, slice.degrees.hi], samples: data.count, angles: angles, orbitCount: orbitCount,
            inSlice: angles.enumerated().map { $0.offset >= orbitCount || slice.contains($0.element) })
    }

    /// Unit `index`: relMSE(f(E(g.o), g.a), E_ema(g.o')) at its orientation (Float, trained weights); for an orbit
    /// orientation also the composed residuals (Float and Double) and the encoder's (Float) there.
    public func measure(_ index: Int) -> OneStepUnit {
        let theta = angles[index], layout = model.layout, n = data.count, g = layout.rotation(theta)
        let go = layout.rotate(observations: data.observations, by: g)
        let z = float.encode(go, batch: n)
        let p = float.predict(z, rawActions: layout.rotate(actions: data.actions, by: g), observations: go, batch: n)
        let t = float.encode(layout.rotate(observations: data.nextObservations, by: g), batch: n, useTarget: true)
        var unit = OneStepUnit(relMSE: meanRelMSE(p, t))
        guard index < orbitCount else { return unit }
        let rf = residuals(float, identityFloat, theta: theta), rd = residuals(double, identityDouble, theta: theta)
        unit.residualFloat = rf.composed; unit.residualDouble = rd.composed; unit.encoderResidualFloat = rf.encoder
        return unit
    }

    func residuals<S: TensorScalar>(_ inf: WorldNetInference<S>, _ identity: (z: Tensor<S>, y: Tensor<S>), theta: Double)
        -> (composed: Double, encoder: Double)
    {
        let layout = model.layout, n = data.count, g = layout.rotation(theta)
        let go = layout.rotate(observations: data.observations, by: g)
        let gz = inf.encode(go, batch: n)
        let gy = inf.predict(gz, rawActions: layout.rotate(actions: data.actions, by: g), observations: go, batch: n)
        return (maxRowResidual(gy, rotateLatent(identity.y, angle: theta)), maxRowResidual(gz, rotateLatent(identity.z, angle: theta)))
    }
}

/// One unit of `eval one-step`: the figures at one orientation (residuals only at the orbit's orientations).
public struct OneStepUnit: Codable, Sendable {
    public var relMSE: Double
    public var residualFloat: Double?
    public var residualDouble: Double?
    public var encoderResidualFloat: Double?
}

/// What `eval one-step` reports of a model besides its units, with the orientations the units measure.
public struct OneStepModelInfo: Codable, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    public var parameters: Int
    public var sliceDegrees: [Double]
    public var samples: Int
    public var angles: [Double]
    public var orbitCount: Int
    public var inSlice: [Bool]

    /// The model's report from all its units (`units[i]` measured at `angles[i]`), in one process or from parts.
    public func report(_ units: [OneStepUnit]) -> OneStepReport {
        precondition(units.count == angles.count, "one unit per orientation")
        let errors = angles.indices.map { OrientationError(degrees: angles[$0] * 180 / Double.pi, relMSE: units[$0].relMSE, inSlice: inSlice[$0]) }
        let orbit = Array(errors[..<orbitCount]), grid = Array(errors[orbitCount...])
        let inMean = grid.map(\.relMSE).reduce(0, +) / Double(max(1, grid.count))
        let outside = orbit.filter { !$0.inSlice }.map(\.relMSE)
        let outMean = outside.isEmpty ? nil : outside.reduce(0, +) / Double(outside.count)
        let values = orbit.map(\.relMSE)
        let flatness = (values.max() ?? 0) / max(values.min() ?? 1, Double.leastNormalMagnitude) - 1
        let orbitUnits = units[..<orbitCount]
        let largest = { (figure: (OneStepUnit) -> Double?) in orbitUnits.reduce(0.0) { max($0, figure($1) ?? 0) } }
        return OneStepReport(
            checkpoint: checkpoint, model: model, env: env, parameters: parameters, sliceDegrees: sliceDegrees, samples: samples, target: "ema",
            orbit: orbit, sliceGrid: grid, inSliceMean: inMean, outOfSliceMean: outMean, oodRatio: outMean.map { $0 / inMean },
            flatness: flatness, residualFloat: largest(\.residualFloat), residualDouble: largest(\.residualDouble),
            encoderResidualFloat: largest(\.encoderResidualFloat))
    }
}
