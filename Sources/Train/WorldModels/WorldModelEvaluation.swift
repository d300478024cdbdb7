import Agents
import Envs
import Foundation
import Tensor

/// relMSE of one orientation.
public struct OrientationError: Codable, Sendable {
    public var degrees: Double
    public var relMSE: Double
    public var inSlice: Bool
}

/// One-step results of one checkpoint (`ewm-sim eval one-step`).
public struct OneStepReport: Codable, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    public var parameters: Int
    public var sliceDegrees: [Double]
    public var samples: Int
    /// Which encoder gives the target latent: "ema" (the EMA target encoder, as in training).
    public var target: String
    /// relMSE(f(E(g.o), g.a), E_ema(g.o')) at K orientations evenly spaced over the whole circle.
    public var orbit: [OrientationError]
    /// The same at orientations evenly spaced inside the training slice.
    public var sliceGrid: [OrientationError]
    /// Mean L over `sliceGrid` and over the orbit orientations outside the slice; their ratio.
    public var inSliceMean: Double
    public var outOfSliceMean: Double?
    public var oodRatio: Double?
    /// max L / min L - 1 over the orbit.
    public var flatness: Double
    /// Composed residual max_{g, batch} |f(E(g.o), g.a) - rho(g) f(E(o), a)| / |f(E(o), a)| over the orbit, on the
    /// held-out batch, with the trained Float weights and with the same weights cast to Double.
    public var residualFloat: Double
    public var residualDouble: Double
    /// Encoder residual max |E(g.o) - rho(g) E(o)| / |E(o)| (Float).
    public var encoderResidualFloat: Double
}

/// H-step rollout results of one checkpoint (`ewm-sim eval rollout`).
public struct RolloutReport: Codable, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    public var parameters: Int
    public var sliceDegrees: [Double]
    public var segments: Int
    public var target: String
    public var horizons: [Int]
    public var orientationsDegrees: [Double]
    public var inSlice: [Bool]
    /// relMSE[orientation][horizon index]: z_0 = E(g.o_0), z_h = f(z_{h-1}, g.a_{h-1}) against E_ema(g.o_h).
    public var relMSE: [[Double]]
    /// Per horizon: mean over in-slice orientations, over out-of-slice ones, their ratio, and the spread
    /// max L / min L - 1 over every orientation.
    public var inSliceMean: [Double]
    public var outOfSliceMean: [Double?]
    public var oodRatio: [Double?]
    public var spread: [Double]
    /// With `observationInLatent` (the latent carries the observation), per horizon at orientation 0: the mean over
    /// segments of the predicted observation's error in the env's units (PushT: px), for the last point of a frame
    /// (PushT: the agent) and the mean over the frame's other points (PushT: the T's keypoints). Nil otherwise.
    public var agentErrorPx: [Double]?
    public var bodyErrorPx: [Double]?
    /// Same conditions, per horizon: how far the model moves the body's points from the segment's start, as a
    /// fraction of how far they truly moved (mean predicted displacement / mean true displacement; 1: calibrated,
    /// < 1: the model under-predicts the pushes). Nil without the observation in the latent.
    public var bodyMotionRatio: [Double]?
}

/// Mean over rows of the distance between predicted and true points of the observation part of latents
/// z [B, 2, L] (its last `layout.points` channels, in model units): (last point of the first frame, mean over the
/// first frame's other points), in the env's units.
/// With `start` (the observations the prediction began from), also the mean distance the other points were predicted
/// to move from there, and the mean distance they truly moved.
func observationErrors<S: TensorScalar>(_ z: Tensor<S>, truth obs: [Double], start: [Double]? = nil, layout: ObservationLayout)
    -> (last: Double, others: Double, predictedMotion: Double, trueMotion: Double)
{
    let b = z.shape[0], l = z.shape[2], p = layout.points, f = layout.framePoints, first = l - p
    var last = 0.0, others = 0.0, predicted = 0.0, truth = 0.0
    z.withUnsafeBufferPointer { x in
        for i in 0..<b {
            for k in 0..<f {
                let px = Double(x[i * 2 * l + first + k]) * layout.scale + layout.center[0]
                let py = Double(x[i * 2 * l + l + first + k]) * layout.scale + layout.center[1]
                let tx = obs[i * 2 * p + 2 * k], ty = obs[i * 2 * p + 2 * k + 1]
                let e = hypot(px - tx, py - ty)
                if k == f - 1 { last += e; continue }
                others += e / Double(max(1, f - 1))
                if let start {
                    let sx = start[i * 2 * p + 2 * k], sy = start[i * 2 * p + 2 * k + 1]
                    predicted += hypot(px - sx, py - sy) / Double(max(1, f - 1))
                    truth += hypot(tx - sx, ty - sy) / Double(max(1, f - 1))
                }
            }
        }
    }
    let n = Double(max(1, b))
    return (last / n, others / n, predicted / n, truth / n)
}

/// Held-out transitions in the canonical frame for a trained model: the training run's collection settings at
/// orientation 0 with a different seed.
public func heldOutTransitions(for model: TrainedWorldModel, episodes: Int, seed: UInt64? = nil) throws -> TransitionSet {
    var c = model.train.collect
    c.episodes = episodes
    c.orientations = try OrientationSlice(lo: 0, hi: 0)
    c.seed = seed ?? (model.train.collect.seed &+ 1_000_003)
    return try collectTransitions(c)
}

func meanRelMSE<S: TensorScalar>(_ p: Tensor<S>, _ t: Tensor<S>) -> Double {
    let b = p.shape[0], n = p.count / max(1, b)
    var total = 0.0
    p.withUnsafeBufferPointer { x in
        t.withUnsafeBufferPointer { y in
            for i in 0..<b {
                var num = 0.0, den = 0.0
                for j in i * n..<(i + 1) * n {
                    let d = Double(x[j]) - Double(y[j])
                    num += d * d
                    den += Double(y[j]) * Double(y[j])
                }
                total += num / (den + 1e-8)
            }
        }
    }
    return total / Double(max(1, b))
}

/// max over rows of |a_b - b_b| / |b_b|.
func maxRowResidual<S: TensorScalar>(_ a: Tensor<S>, _ ref: [Double]) -> Double {
    let b = a.shape[0], n = a.count / max(1, b)
    var worst = 0.0
    a.withUnsafeBufferPointer { x in
        for i in 0..<b {
            var num = 0.0, den = 0.0
            for j in i * n..<(i + 1) * n {
                let d = Double(x[j]) - ref[j]
                num += d * d
                den += ref[j] * ref[j]
            }
            worst = max(worst, (num / max(den, Double.leastNormalMagnitude)).squareRoot())
        }
    }
    return worst
}

/// The composed residual (and the encoder's) of a model in precision S over the given orientations.
public func composedResidual<S: TensorScalar>(
    _ model: TrainedWorldModel, data: TransitionSet, orientations: [Double],
    as _: S.Type
) -> (composed: Double, encoder: Double) {
    let inf = WorldNetInference(model, as: S.self)
    let n = data.count, layout = model.layout
    let z = inf.encode(data.observations, batch: n)
    let y = inf.predict(z, rawActions: data.actions, observations: data.observations, batch: n)
    var composed = 0.0, encoder = 0.0
    for theta in orientations {
        let g = layout.rotation(theta)
        let go = layout.rotate(observations: data.observations, by: g)
        let gz = inf.encode(go, batch: n)
        let gy = inf.predict(gz, rawActions: layout.rotate(actions: data.actions, by: g), observations: go, batch: n)
        composed = max(composed, maxRowResidual(gy, rotateLatent(y, angle: theta)))
        encoder = max(encoder, maxRowResidual(gz, rotateLatent(z, angle: theta)))
    }
    return (composed, encoder)
}

/// One-step relMSE across the group (Float, trained weights), the OOD ratio, flatness and exactness residuals.
public func evaluateOneStep(_ model: TrainedWorldModel, data: TransitionSet, orientations k: Int, sliceGridCount: Int = 5) -> OneStepReport {
    let probe = OneStepProbe(model, data: data, orientations: k, sliceGridCount: sliceGridCount)
    return probe.info.report(probe.angles.indices.map(probe.measure))
}

/// H-step open-loop latent rollouts across the group (Float).
public func evaluateRollout(
    _ model: TrainedWorldModel, data: TransitionSet, horizons: [Int], orientations k: Int,
    maxSegments: Int = 512, sliceGridCount: Int = 3
) throws -> RolloutReport {
    let probe = try RolloutProbe(model, data: data, horizons: horizons, orientations: k, maxSegments: maxSegments, sliceGridCount: sliceGridCount)
    return probe.info.report(probe.angles.indices.map(probe.measure))
}
