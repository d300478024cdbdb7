import Envs
import Foundation
import Tensor

/// How raw env observations and actions become model inputs: the observation is `points` 2D points
/// (x0, y0, x1, y1, ...); the model sees (p - center) / scale for every point as one vector channel, and the
/// action as one more vector channel ((a - center) / scale when the action is a point, a / scale when it is a
/// vector). Centring at the fixed point of the rotations makes the inputs transform linearly by R(theta).
///
/// `history` > 1 stacks that many consecutive frames (newest first) into one observation: `points` is then
/// `history` times the env's points per frame. PushT's keypoints carry no velocities (the agent and the T have
/// momentum), so one frame does not determine the next; two frames do (see assets/README.md).
public struct ObservationLayout: Codable, Equatable, Sendable {
    public var env: String
    public var points: Int
    public var center: [Double]
    public var scale: Double
    public var actionIsPoint: Bool
    /// Frames per observation (1: the env's own observation).
    public var history: Int
    /// PushT: one more point after the frames, the action held during the last model step (after a reset: the
    /// agent's position). The agent is a PD system driven towards the action, so this point carries its velocity,
    /// which keypoints alone do not. A planner supplies it from the action it executed last.
    public var previousAction: Bool
    /// Actions relative to the agent (DINO-WM's PushT actions are): the model sees a - p, p the point whose x is at this
    /// index of an observation row (the agent's position), as a vector (scaled, not centred). A planner then plans
    /// these offsets and executes p + offset from the observation each one starts at. nil: the env's own actions.
    public var actionOrigin: Int?
    /// PushT: one more point after the previous action's, where the agent was one env step before: with the agent's
    /// position it gives the agent's velocity (by difference; the env's agent is at rest after a reset, and goals are
    /// at rest). A planner supplies it from the observation it was given before.
    public var agentVelocity: Bool

    public init(
        env: String, points: Int, center: [Double], scale: Double, actionIsPoint: Bool, history: Int = 1,
        previousAction: Bool = false, actionOrigin: Int? = nil, agentVelocity: Bool = false
    ) {
        self.env = env; self.points = points; self.center = center; self.scale = scale; self.actionIsPoint = actionIsPoint
        self.history = history; self.previousAction = previousAction; self.actionOrigin = actionOrigin
        self.agentVelocity = agentVelocity
    }

    enum CodingKeys: String, CodingKey {
        case env, points, center, scale, actionIsPoint, history, previousAction, actionOrigin, agentVelocity
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        env = try c.decode(String.self, forKey: .env)
        points = try c.decode(Int.self, forKey: .points)
        center = try c.decode([Double].self, forKey: .center)
        scale = try c.decode(Double.self, forKey: .scale)
        actionIsPoint = try c.decode(Bool.self, forKey: .actionIsPoint)
        history = try c.decodeIfPresent(Int.self, forKey: .history) ?? 1
        previousAction = try c.decodeIfPresent(Bool.self, forKey: .previousAction) ?? false
        actionOrigin = try c.decodeIfPresent(Int.self, forKey: .actionOrigin)
        agentVelocity = try c.decodeIfPresent(Bool.self, forKey: .agentVelocity) ?? false
    }

    /// `history` is written only when it is not 1, `previousAction`, `actionOrigin` and `agentVelocity` only when set, so
    /// earlier layouts keep their JSON.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(env, forKey: .env); try c.encode(points, forKey: .points); try c.encode(center, forKey: .center)
        try c.encode(scale, forKey: .scale); try c.encode(actionIsPoint, forKey: .actionIsPoint)
        if history != 1 { try c.encode(history, forKey: .history) }
        if previousAction { try c.encode(previousAction, forKey: .previousAction) }
        if let actionOrigin { try c.encode(actionOrigin, forKey: .actionOrigin) }
        if agentVelocity { try c.encode(agentVelocity, forKey: .agentVelocity) }
    }

    /// Points after the frames (the previous action, the agent one env step before).
    public var extraPoints: Int { (previousAction ? 1 : 0) + (agentVelocity ? 1 : 0) }

    /// Points of one frame.
    public var framePoints: Int { (points - extraPoints) / max(1, history) }

    public var observationSize: Int { 2 * points }
    public var actionSize: Int { 2 }
    public var symmetryCenter: Vec2 { Vec2(center[0], center[1]) }

    /// The layout of a registered env, from its model adapter (`ModelReading`): the env's points per frame about its
    /// fixed centre, divided by its scale. `history` frames stacked per observation (default 1); `previousAction`
    /// (envs whose actions are an agent's target points) appends the previous action as one more point.
    /// `relativeActions`: the model sees actions relative to the agent (`actionOrigin`; envs whose actions are an agent's
    /// target points). `agentVelocity`: one more point, the agent one env step before (`agentVelocity`).
    public static func forEnv(
        _ env: String, history: Int = 1, previousAction: Bool = false, relativeActions: Bool = false, agentVelocity: Bool = false
    ) throws -> ObservationLayout {
        guard (1...8).contains(history) else { throw EnvError.invalidArgument("history must be 1...8 frames, got \(history)") }
        let reading = try Registry.adapters(env).model
        guard reading.dimension == 2, let center = reading.center, reading.action != .offsetFromReference else {
            throw EnvError.invalidArgument("env '\(env)' is not a planar world with a fixed centre (no 2D world-model layout)")
        }
        let agentActions = reading.action == .point && reading.agentIndex != nil
        if previousAction && !agentActions {
            throw EnvError.invalidArgument("the previous-action point needs an env whose actions are an agent's target points ('\(env)' has none)")
        }
        if relativeActions && !agentActions {
            throw EnvError.invalidArgument("actions relative to the agent need an env whose actions are an agent's target points ('\(env)' has none)")
        }
        if agentVelocity && !agentActions {
            throw EnvError.invalidArgument("the agent's velocity needs an env with an agent driven towards its actions ('\(env)' has none)")
        }
        return ObservationLayout(
            env: env, points: reading.pointsPerFrame * history + (previousAction ? 1 : 0) + (agentVelocity ? 1 : 0), center: center,
            scale: reading.scale, actionIsPoint: reading.action == .point, history: history,
            previousAction: previousAction, actionOrigin: relativeActions ? reading.agentIndex : nil, agentVelocity: agentVelocity)
    }

    /// The env's model adapter.
    public var reading: ModelReading { get throws { try Registry.adapters(env).model } }

    /// Observation type name to build the env with.
    public var observationType: String { get throws { try reading.observationType } }

    /// Raw observations (rows of 2 * points) -> points tensor [B, 1, 2, points] (one point of `points` channels).
    public func pointsTensor<S: TensorScalar>(_ obs: [Double], batch: Int, as _: S.Type = S.self) -> Tensor<S> {
        precondition(obs.count == batch * observationSize, "pointsTensor: \(obs.count) numbers for \(batch) rows of \(observationSize)")
        let p = points, inv = 1 / scale, cx = center[0], cy = center[1]
        var out = [S](repeating: 0, count: batch * 2 * p)
        for b in 0..<batch {
            let o = b * 2 * p
            for k in 0..<p {
                out[o + k] = S((obs[o + 2 * k] - cx) * inv)
                out[o + p + k] = S((obs[o + 2 * k + 1] - cy) * inv)
            }
        }
        return try! Tensor(shape: [batch, 1, 2, p], scalars: out)
    }

    /// Model actions (rows of 2: the raw actions, or with `actionOrigin` their offsets from the agent) -> [B, 2, 1].
    public func actionTensor<S: TensorScalar>(_ actions: [Double], batch: Int, as _: S.Type = S.self) -> Tensor<S> {
        precondition(actions.count == batch * 2, "actionTensor: \(actions.count) numbers for \(batch) rows of 2")
        let inv = 1 / scale
        let centred = actionIsPoint && actionOrigin == nil
        let cx = centred ? center[0] : 0, cy = centred ? center[1] : 0
        var out = [S](repeating: 0, count: batch * 2)
        for b in 0..<batch {
            out[2 * b] = S((actions[2 * b] - cx) * inv)
            out[2 * b + 1] = S((actions[2 * b + 1] - cy) * inv)
        }
        return try! Tensor(shape: [batch, 2, 1], scalars: out)
    }

    /// g applied to raw observation rows (every point about the centre), in Double.
    public func rotate(observations obs: [Double], by g: PlanarRotation) -> [Double] { g.apply(toPoints: obs) }

    /// g applied to raw action rows (a point about the centre, or a vector).
    public func rotate(actions a: [Double], by g: PlanarRotation) -> [Double] {
        actionIsPoint ? g.apply(toPoints: a) : g.apply(toVectors: a)
    }

    /// g applied to model action rows (offsets from the agent turn as vectors).
    public func rotate(modelActions a: [Double], by g: PlanarRotation) -> [Double] {
        actionOrigin == nil ? rotate(actions: a, by: g) : g.apply(toVectors: a)
    }

    /// Raw action rows -> model action rows: the actions themselves, or with `actionOrigin` a - p, p the agent's
    /// position in the observation row each action is taken at.
    public func modelActions(_ actions: [Double], observations: [Double], batch: Int) -> [Double] {
        guard let i = actionOrigin else { return actions }
        precondition(actions.count == batch * 2 && observations.count == batch * observationSize, "modelActions: wrong sizes")
        var out = actions
        for b in 0..<batch {
            out[2 * b] -= observations[b * observationSize + i]
            out[2 * b + 1] -= observations[b * observationSize + i + 1]
        }
        return out
    }

    public func rotation(_ theta: Double) -> PlanarRotation { PlanarRotation(angle: theta, center: symmetryCenter) }
}
