import EWMIO
import Foundation

/// A synthetic world whose dynamics are an exactly SE(3)-equivariant random map on a point cloud (a
/// "teacher" for world models: its symmetry is known by construction, with no physics in the way).
///
/// One step, with c the cloud's centroid, u_i = x_i - c, w = a - c and w^ = w / (1 + |w|):
///  - vector channels per point V_i = (u_i, w^, u_i x w^);
///  - H = 8 hidden vectors h_ik = sum_l W[k][l] V_il, through a Vector Neuron leaky ReLU (slope 0.2) with
///    learned directions d_ik = sum_l U[k][l] V_il: if <h, d> < 0, h -= 0.8 <h, d> / (|d|^2 + 1e-6) d;
///  - rotation-invariant gates s_ik = tanh(sum_j A[k][j] q_ij + bias_k) of q_i = (|u_i|^2, <u_i, w^>, |w^|^2, |u_i x w^|^2);
///  - delta_i = 0.03 sum_k out_k s_ik h_ik - 0.3 (|u_i| - rho_i) u_i / |u_i| (rho_i: the template's radii,
///    a pull that keeps the cloud from growing or collapsing), made mean-free;
///  - x_i' = c + 0.1 w^ + u_i + delta_i: the centroid moves towards the action, the shape deforms.
/// Weights W, U, A, bias, out are drawn once from `Config.teacherSeed`. Every term is a rotation-
/// equivariant vector (cross products of two vectors: proper rotations, SO(3)) times an invariant, and
/// only differences of points enter, so step(g.s, g.a) = g.step(s, a) for all g in SE(3) by construction.
///
/// ## Action Space
/// `Box(-1, 1, shape [3], float64)`: a target point (not clipped; non-finite or wrongly sized actions throw, and so
/// does a finite action too large for the map's arithmetic: the step is undone and the env left as it was; elements
/// beyond +-`actionLimit`, 1000 plus the world build's translation, are rejected before the step).
///
/// ## Observation
/// `points`, shape [3 N] (N = 16): the cloud's points as x, y, z triples, in a fixed order. Every coordinate
/// within +-4 (+|t| for a world translated by t).
///
/// ## Reward
/// 0 (a dynamics teacher, no task).
///
/// ## Episode End
/// Never terminates; the registry's `make` adds a 100-step time limit.
///
/// ## Starting State
/// The teacher's template cloud (N points in the ball of radius 0.3, from `teacherSeed`) turned by a
/// uniform rotation and moved to a uniform point of the ball of radius 0.5 (SplitMix64 with the reset seed).
/// `ResetOptions.state`: the 3 N coordinates. Orientation: as `push3d` (`MakeOptions.se3Transform()`;
/// frame build `OrientationWrapper`, world build `Config.world`).
///
/// ## Version History
/// - v0: first version.
public final class Teacher3DEnv: SE3SymmetricEnvironment, RestorableEnvironment {
    public struct Config: Sendable {
        public var pointCount = 16
        public var hidden = 8
        public var teacherSeed: UInt64 = 0
        public var world: SE3Transform = .identity
        public var maxEpisodeSteps = 100
        public init() {}
    }

    public static let coordinateBound = 4.0

    public let config: Config
    public let spec: EnvSpec
    public let observationSpace: BoxSpace
    public let actionSpace = BoxSpace(low: -1, high: 1, shape: [3])
    public var actionLimit: Double? { 1000 + config.world.translation.length }
    /// The template cloud (centroid at the origin).
    public let template: [Vec3]
    private let templateRadius: [Double]
    private let w: [[Double]], u: [[Double]], a: [[Double]], bias: [Double], out: [Double]
    public private(set) var points: [Vec3] = []
    public private(set) var lastAction: Vec3?
    private var rng = SplitMix64(seed: 0)
    private var seeded = false
    private var needsReset = true

    public init(config: Config = Config()) {
        precondition(config.pointCount >= 2 && config.hidden >= 1, "Teacher3DEnv: at least 2 points and 1 hidden channel")
        self.config = config
        var g = SplitMix64(seed: config.teacherSeed ^ 0x7EAC_4E12_3D00_0000)
        var cloud = (0..<config.pointCount).map { _ in randomPointInBall(radius: 0.3, using: &g) }
        let mean = cloud.reduce(Vec3.zero, +) * (1 / Double(cloud.count))
        cloud = cloud.map { $0 - mean }
        template = cloud
        templateRadius = cloud.map(\.length)
        func gaussian(_ scale: Double) -> Double { scale * g.standardNormal() }
        let h = config.hidden
        w = (0..<h).map { _ in (0..<3).map { _ in gaussian(1 / 3.0.squareRoot()) } }
        u = (0..<h).map { _ in (0..<3).map { _ in gaussian(1 / 3.0.squareRoot()) } }
        a = (0..<h).map { _ in (0..<4).map { _ in gaussian(1) } }
        bias = (0..<h).map { _ in gaussian(0.5) }
        out = (0..<h).map { _ in gaussian(1 / Double(h).squareRoot()) }
        spec = EnvSpec(
            id: "teacher3d", maxEpisodeSteps: config.maxEpisodeSteps, controlHz: 10,
            summary: "Synthetic: an exactly SE(3)-equivariant random map on a 3D point cloud")
        observationSpace = Self.space(points: config.pointCount, under: config.world)
    }

    private static func space(points: Int, under g: SE3Transform) -> BoxSpace {
        let b = coordinateBound + g.translation.length
        return BoxSpace(low: -b, high: b, shape: [3 * points])
    }

    // MARK: Environment

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let s = options.state { try validate(resetState: s) }
        // A rejected reset puts everything back, the reset generator included (it is part of the snapshot).
        return try resetKeepingFinite { resetUnchecked(seed: seed, options: options) }
    }

    private func resetUnchecked(seed: UInt64?, options: ResetOptions) -> (observation: Observation, info: Info) {
        if let seed { rng = SplitMix64(seed: seed); seeded = true }
        if !seeded { rng = SplitMix64(seed: UInt64.random(in: 0...UInt64.max)); seeded = true }
        if let s = options.state {
            points = (0..<config.pointCount).map { Vec3(s, at: 3 * $0) }
        } else {
            let r = Mat3.randomRotation(using: &rng)
            let c = randomPointInBall(radius: 0.5, using: &rng)
            points = template.map { config.world.apply(point: r * $0 + c) }
        }
        lastAction = nil
        needsReset = false
        return (observation(under: .identity), makeInfo())
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        if needsReset { throw EnvError.needsReset("call reset before step") }
        return try stepKeepingFinite(action) {
            let target = Vec3(action, at: 0)
            points = Self.next(points, action: target, teacher: self)
            lastAction = target
            return StepResult(observation: observation(under: .identity), reward: 0, terminated: false, truncated: false, info: makeInfo())
        }
    }

    // MARK: RestorableEnvironment

    public struct Snapshot: Sendable {
        fileprivate var points: [Vec3]
        fileprivate var lastAction: Vec3?
        fileprivate var needsReset: Bool
        fileprivate var rng: SplitMix64
        fileprivate var seeded: Bool
    }
    public func snapshot() -> Snapshot { Snapshot(points: points, lastAction: lastAction, needsReset: needsReset, rng: rng, seeded: seeded) }
    public func restore(_ s: Snapshot) {
        (points, lastAction, needsReset, rng, seeded) = (s.points, s.lastAction, s.needsReset, s.rng, s.seeded)
    }
    public var hasFiniteState: Bool { points.allSatisfy { $0.x.isFinite && $0.y.isFinite && $0.z.isFinite } }

    /// The teacher's map (see the type's documentation).
    static func next(_ x: [Vec3], action: Vec3, teacher t: Teacher3DEnv) -> [Vec3] {
        let n = x.count
        let c = x.reduce(Vec3.zero, +) * (1 / Double(n))
        let wv = action - c
        let what = wv * (1 / (1 + wv.length))
        var delta = [Vec3](repeating: .zero, count: n)
        for i in 0..<n {
            let ui = x[i] - c
            let channels = [ui, what, ui.cross(what)]
            let q = [ui.squaredLength, ui.dot(what), what.squaredLength, channels[2].squaredLength]
            var d = Vec3.zero
            for k in 0..<t.config.hidden {
                var h = Vec3.zero, dir = Vec3.zero
                for l in 0..<3 { h += t.w[k][l] * channels[l]; dir += t.u[k][l] * channels[l] }
                let hd = h.dot(dir)
                if hd < 0 { h -= (0.8 * hd / (dir.squaredLength + 1e-6)) * dir }
                var z = t.bias[k]
                for j in 0..<4 { z += t.a[k][j] * q[j] }
                d += (t.out[k] * tanh(z)) * h
            }
            d = 0.03 * d
            let r = ui.length
            if r > 1e-12 { d -= (0.3 * (r - t.templateRadius[i]) / r) * ui }
            delta[i] = d
        }
        let meanDelta = delta.reduce(Vec3.zero, +) * (1 / Double(n))
        let c1 = c + 0.1 * what
        return (0..<n).map { i in c1 + (x[i] - c) + (delta[i] - meanDelta) }
    }

    private func makeInfo() -> Info {
        var info = Info()
        let c = points.reduce(Vec3.zero, +) * (1 / Double(points.count))
        info["centroid"] = .doubles(c.array)
        info["is_success"] = .bool(false)
        return info
    }

    // MARK: SE3SymmetricEnvironment

    public var state: [Double] { points.flatMap(\.array) }

    public func validate(resetState s: [Double]) throws {
        guard s.count == 3 * config.pointCount else { throw EnvError.invalidState("expected \(3 * config.pointCount) coordinates, got \(s.count)") }
        if let i = s.firstIndex(where: { !$0.isFinite }) { throw EnvError.invalidState("element \(i) is \(s[i]); states must be finite") }
    }

    public func act(_ g: SE3Transform, onAction a: [Double]) -> [Double] { g.apply(point: Vec3(a, at: 0)).array }

    public func act(_ g: SE3Transform, onState s: [Double]) -> [Double] {
        var out = s
        g.apply(points: &out, range: 0..<s.count)
        return out
    }

    public func act(_ g: SE3Transform, onInfo info: Info) -> Info {
        var out = info
        if let v = info.doubles("centroid"), v.count == 3 { out["centroid"] = .doubles(g.apply(point: Vec3(v, at: 0)).array) }
        return out
    }

    public func observation(under g: SE3Transform) -> Observation { Observation(points.flatMap { g.apply(point: $0).array }) }

    public func observationSpace(under g: SE3Transform) -> BoxSpace { Self.space(points: config.pointCount, under: g * config.world) }

    public var scenePoints: [Vec3] { points }

    public func render(width: Int, height: Int) -> RGBImage? { render(width: width, height: height, under: .identity) }

    public func render(width: Int, height: Int, under g: SE3Transform) -> RGBImage? {
        var scene = Scene3D(frame: g * config.world)
        scene.spheres = points.map { Scene3D.Sphere(center: g.apply(point: $0), radius: 0.03, group: .point(0)) }
        scene.target = lastAction.map { g.apply(point: $0) }
        return Renderer3D.draw(scene, width: width, height: height)
    }
}

extension Teacher3DEnv {
    /// The registry's factory: `extra["teacher-seed"]` picks the teacher; orientation as push3d.
    public static func make(_ options: MakeOptions) throws -> any Environment {
        var config = Config()
        if let name = options.observation, name != "points" { throw EnvError.invalidArgument("teacher3d has only the 'points' observation") }
        if let text = options.extra["teacher-seed"] {
            guard let seed = UInt64(text) else { throw EnvError.invalidArgument("teacher-seed must be an unsigned integer, got '\(text)'") }
            config.teacherSeed = seed
        }
        let g = try options.se3Transform()
        switch options.rotation {
        case .world:
            config.world = g
            return Teacher3DEnv(config: config)
        case .frame:
            let env = Teacher3DEnv(config: config)
            return g.isIdentity ? env : OrientationWrapper(env, element: g)
        }
    }
}

extension Teacher3DEnv {
    /// teacher3d's registration: the cloud read as points about its centroid; actions are target points, seen as
    /// offsets from the centroid (translations drop out exactly).
    public static let registration = EnvRegistration(
        id: "teacher3d", summary: "Synthetic: an exactly SE(3)-equivariant random teacher map on a 3D point cloud",
        observationTypes: ["points"], extraOptions: ["se3", "teacher-seed"],
        adapters: EnvAdapters(
            model: ModelReading(
                observationType: "points", dimension: 3, pointsPerFrame: Config().pointCount, center: nil,
                referencePoints: Config().pointCount, scale: 1, action: .offsetFromReference),
            collection: CollectionAdapter(spatialEpisode: { g, spread, rng in
                // The template turned by a rotation vector in the ball of radius `spread`, then moved by g.
                let base = Teacher3DEnv()
                return SpatialEpisode(env: base.oriented(at: g), start: base.act(g, onState: base.orientedStart(spread: spread, using: &rng)))
            }),
            planning: PlanningPresets(center: [0, 0, 0], actionLow: [-1, -1, -1], actionHigh: [1, 1, 1], invariantRadius: 1),
            goalProtocols: [Teacher3DGoalProtocol()]),
        run: RunPresets(orbitUnits: SE3Check.orbitUnits("teacher3d"))
    ) { options in try Teacher3DEnv.make(options) }
}
