import EWMIO
import Foundation

/// A synthetic 2D teacher whose dynamics are exactly equivariant by construction.
///
/// The state is a cloud of `points` points x_i in the plane; the action is one vector a. The next state is a
/// fixed, randomly drawn (from `teacherSeed`) map built only from vectors and inner products, so it commutes
/// with every rotation (and reflection) about the origin: step(g.x, g.a) = g.step(x, a) up to rounding.
///
/// With m = mean_i x_i and v_i = x_i - m, the invariants of point i are
/// s_i = (|v_i|^2, <v_i,a>, |a|^2, <m,a>, |m|^2, <v_i,m>, 1); three gates h_ik = tanh(W_k . s_i) (W drawn once)
/// move the point: y_i = x_i + 0.2 (h_i0 a + 0.5 h_i1 v_i + 0.3 h_i2 m). A radial soft clamp (identity for
/// |y| <= 2, then 2 + tanh towards radius 3) keeps the cloud in the disk of radius 3; it depends on |y| only,
/// so it is equivariant too.
///
/// ## Action Space
/// `Box(-1, 1, shape [2])`: the action vector. Values outside the box are accepted (a rotated action may leave
/// the box); non-finite values or a wrong size are rejected with `EnvError.invalidAction`, and so is a finite action
/// too large for the dynamics (|a|^2 overflows near 1e154): the step is undone and the env left as it was. Elements
/// beyond +-`actionLimit` (1e6) are rejected before the step (the gates saturate long before).
/// ## Observation
/// `points`: x0, y0, ..., x_{P-1}, y_{P-1} (default P = 6), in `Box(-3, 3)`.
/// ## Reward
/// Always 0 (a dynamics teacher, not a task).
/// ## Episode End
/// Never terminates; the registry's `make` adds a 50-step time limit (truncation).
/// ## Starting State
/// Anisotropic on purpose, so that a slice of orientations is a genuine restriction of the data: the cloud is
/// centred near (1, 0) and elongated along x (x = 1 + 0.6 n, y = 0.25 n, n standard normal, then clamped).
/// `ResetOptions.state` sets the 2P coordinates directly.
/// ## Orientation
/// The group acts about the origin. Both builds (`frame` and `world`) are the same `OrientationWrapper`: there
/// is no simulator whose arithmetic could differ, so the `world` build equals the `frame` build.
/// ## Version History
/// - v0: first version.
public final class Teacher2DEnv: SymmetricEnvironment, RestorableEnvironment {
    public struct Config: Sendable, Equatable {
        public var points = 6
        public var teacherSeed: UInt64 = 2024
        public init(points: Int = 6, teacherSeed: UInt64 = 2024) { self.points = points; self.teacherSeed = teacherSeed }
    }

    public static let invariantCount = 7
    public static let radius = 3.0

    public let config: Config
    public let spec = EnvSpec(
        id: "teacher2d", maxEpisodeSteps: 50, controlHz: nil,
        summary: "Synthetic point cloud with an exactly SO(2)-equivariant random teacher")
    public let observationSpace: BoxSpace
    public let actionSpace = BoxSpace(low: -1, high: 1, shape: [2])
    public var actionLimit: Double? { 1e6 }
    public var symmetryCenter: Vec2 { .zero }
    /// A rotation by theta about `symmetryCenter`.
    public func element(orientation theta: Double) -> PlanarRotation { PlanarRotation(angle: theta, center: symmetryCenter) }
    /// Gate weights [3][7].
    public let gates: [[Double]]
    public private(set) var points: [Vec2] = []
    private var rng = SplitMix64(seed: 0)
    private var needsReset = true

    public init(config: Config = Config()) {
        precondition(config.points >= 2, "teacher2d needs at least 2 points")
        self.config = config
        observationSpace = BoxSpace(low: -Self.radius, high: Self.radius, shape: [2 * config.points])
        var g = SplitMix64(seed: config.teacherSeed)
        gates = (0..<3).map { _ in
            (0..<Self.invariantCount).map { _ in Self.normal(&g) * 1.2 / Double(Self.invariantCount).squareRoot() }
        }
    }

    static func normal(_ rng: inout SplitMix64) -> Double { rng.standardNormal() }

    /// The radial soft clamp: identity up to radius 2, then 2 + tanh((r - 2)) towards radius 3.
    @inlinable static func clamp(_ p: Vec2) -> Vec2 {
        let r = p.length
        guard r > 2 else { return p }
        let rr = 2 + (radius - 2) * Foundation.tanh((r - 2) / (radius - 2))
        return p * (rr / r)
    }

    /// One step of the teacher on a cloud (pure function).
    public func next(_ x: [Vec2], action a: Vec2) -> [Vec2] {
        var m = Vec2.zero
        for p in x { m += p }
        m = m * (1 / Double(x.count))
        let aa = a.dot(a), ma = m.dot(a), mm = m.dot(m)
        return x.map { p in
            let v = p - m
            let s = [v.dot(v), v.dot(a), aa, ma, mm, v.dot(m), 1]
            var h = [0.0, 0, 0]
            for k in 0..<3 {
                var t = 0.0
                for j in 0..<Self.invariantCount { t += gates[k][j] * s[j] }
                h[k] = Foundation.tanh(t)
            }
            return Self.clamp(p + 0.2 * (h[0] * a + 0.5 * h[1] * v + 0.3 * h[2] * m))
        }
    }

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let s = options.state { try validate(resetState: s) }
        let savedRNG = rng
        do {
            return try resetKeepingFinite { resetUnchecked(seed: seed, options: options) }
        } catch {
            rng = savedRNG
            throw error
        }
    }

    private func resetUnchecked(seed: UInt64?, options: ResetOptions) -> (observation: Observation, info: Info) {
        if let seed { rng = SplitMix64(seed: seed ^ 0x7EAC_4E12_D000_0001) }
        if let s = options.state {
            points = (0..<config.points).map { Vec2(s[2 * $0], s[2 * $0 + 1]) }
        } else {
            points = (0..<config.points).map { _ in
                Self.clamp(Vec2(1 + 0.6 * Self.normal(&rng), 0.25 * Self.normal(&rng)))
            }
        }
        needsReset = false
        return (observation(under: nil), info())
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        if needsReset { throw EnvError.needsReset("call reset before step") }
        return try stepKeepingFinite(action) {
            points = next(points, action: Vec2(action[0], action[1]))
            return StepResult(observation: observation(under: nil), reward: 0, terminated: false, truncated: false, info: info())
        }
    }

    // MARK: RestorableEnvironment

    public struct Snapshot: Sendable {
        fileprivate var points: [Vec2]
        fileprivate var needsReset: Bool
    }
    public func snapshot() -> Snapshot { Snapshot(points: points, needsReset: needsReset) }
    public func restore(_ s: Snapshot) { points = s.points; needsReset = s.needsReset }
    public var hasFiniteState: Bool { points.allSatisfy { $0.x.isFinite && $0.y.isFinite } }

    private func info() -> Info {
        var m = Vec2.zero
        for p in points { m += p }
        m = m * (1 / Double(max(1, points.count)))
        var info = Info()
        info["centroid"] = .doubles([m.x, m.y])
        return info
    }

    private func observation(under g: PlanarRotation?) -> Observation {
        var values: [Double] = []
        values.reserveCapacity(2 * points.count)
        for p in points {
            let q = g.map { $0.apply(point: p) } ?? p
            values.append(q.x); values.append(q.y)
        }
        return Observation(values)
    }

    // MARK: SymmetricEnvironment

    public func act(_ g: PlanarRotation, onAction action: [Double]) -> [Double] {
        let v = g.apply(vector: Vec2(action[0], action[1]))
        return [v.x, v.y]
    }

    public func validate(resetState state: [Double]) throws {
        guard state.count == 2 * config.points else {
            throw EnvError.invalidState("expected \(2 * config.points) coordinates, got \(state.count)")
        }
        if let i = state.firstIndex(where: { !$0.isFinite }) { throw EnvError.invalidState("element \(i) is \(state[i]); states must be finite") }
    }

    public func act(_ g: PlanarRotation, onState state: [Double]) -> [Double] { g.apply(toPoints: state) }

    public func act(_ g: PlanarRotation, onInfo info: Info) -> Info {
        var out = info
        if let c = info.doubles("centroid"), c.count == 2 {
            let p = g.apply(point: Vec2(c[0], c[1]))
            out["centroid"] = .doubles([p.x, p.y])
        }
        return out
    }

    public func observation(under g: PlanarRotation) -> Observation { observation(under: Optional(g)) }

    public func render(width: Int, height: Int, under g: PlanarRotation) -> RGBImage? { nil }

    /// The registry's factory. `extra["points"]`, `extra["teacher-seed"]` override the defaults; both
    /// orientation builds give the exact `OrientationWrapper` (see the type's documentation).
    public static func make(_ options: MakeOptions) throws -> any Environment {
        var config = Config()
        if let obs = options.observation, obs != "points" { throw EnvError.invalidArgument("unknown teacher2d observation '\(obs)' (points)") }
        if let p = options.extra["points"] {
            guard let n = Int(p), n >= 2, n <= 64 else { throw EnvError.invalidArgument("teacher2d points must be 2...64, got '\(p)'") }
            config.points = n
        }
        if let s = options.extra["teacher-seed"] {
            guard let n = UInt64(s) else { throw EnvError.invalidArgument("teacher-seed must be a non-negative integer, got '\(s)'") }
            config.teacherSeed = n
        }
        let env = Teacher2DEnv(config: config)
        return options.orientation == 0 ? env : OrientationWrapper(env, angle: options.orientation)
    }
}

extension Teacher2DEnv {
    /// teacher2d's registration: a cloud of points about the origin, read as points; actions are vectors.
    public static let registration = EnvRegistration(
        id: "teacher2d", summary: "Synthetic 2D point cloud; an exactly SO(2)-equivariant random teacher",
        observationTypes: ["points"], extraOptions: ["points", "teacher-seed"],
        adapters: EnvAdapters(
            model: ModelReading(
                observationType: "points", dimension: 2, pointsPerFrame: Config().points, center: [0, 0], scale: 1,
                action: .vector),
            planning: PlanningPresets(center: [0, 0], actionLow: [-1, -1], actionHigh: [1, 1], invariantRadius: 1))
    ) { options in try Teacher2DEnv.make(options) }
}
