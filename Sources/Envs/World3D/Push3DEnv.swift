import EWMIO
import Foundation

/// Push rigid objects to goal poses in free 3D space with a spherical pusher, on `PointCloudPhysics3D`:
/// `push3d` (one object) and `push3d-multi` (several identical, interchangeable objects and as many goal
/// poses; any object may fill any goal). Metres, seconds; the workspace centre is the origin.
///
/// ## Action Space
/// `Box(-1, 1, shape [3], float64)`: the pusher's target position (PD control, kP 100, kV 20, as PushT).
/// As in PushT, values outside the box are not clipped (the controller simply aims there; a transformed
/// world's actions leave the box); non-finite values or a wrong size throw `EnvError.invalidAction` and
/// leave the world untouched. So does a finite action too large for the dynamics (a target near 1e154
/// overflows the contact solve): the step is run, found to leave a non-finite number, undone and rejected.
/// Elements beyond +-`actionLimit` (1000 m plus the world build's translation) are rejected before the step.
///
/// ## Observation
/// O objects, K = 16 keypoints per object (`RigidShape3D.keypoints`, body-frame points placed at the pose).
/// - `points` (default), shape [3 (2 O K + 1)]: the O object clouds (object 0's K points as x, y, z
///   triples, then object 1's, ...), then the pusher's position, then the O goal clouds (the same
///   keypoints placed at the goal poses) in the same layout.
/// - `scene`, shape [3 (O K + 1)]: `points` without the goal clouds (the object clouds, then the pusher): what
///   the world models read (`Push3DEnv.adapters`); the goals belong to the task, not to the dynamics.
/// - `state`, shape [3 + 24 O]: pusher position; per object its pose (x, y, z, then the rotation matrix
///   row-major); per goal its pose the same way.
/// Bounds: +-4 m on every coordinate (+-(4 + |t|) in a world translated by t; a rotation keeps points within
/// 4 m of the origin there, as pusher targets lie in the unit cube and objects move only when pushed);
/// rotation entries within +-1.
///
/// ## Reward
/// d = the mean distance between corresponding object and goal keypoints, minimised over the assignments
/// of objects to goals; reward = 1 / (1 + d / 0.1 m).
///
/// ## Episode End
/// terminated = success: under some assignment every object is within 0.05 m and pi/9 rad of its goal
/// (position error |c - c*|, angle of R*^T R). The registry's `make` adds the time limit (200 steps for
/// push3d, 300 for push3d-multi).
///
/// ## Starting State
/// Seeded (SplitMix64): each object's centre uniform in a ball about the origin (radius 0.6, + 0.25 per
/// extra object), its orientation uniform on SO(3), objects' bounding spheres disjoint; the pusher uniform
/// in the ball of radius 0.9, clear of every object; pusher at rest. Goals are fixed: push3d's at the
/// origin turned by pi/4 about (1, 1, 1); push3d-multi's on a circle of radius 0.45 in the z = 0 plane,
/// all turned the same way. `ResetOptions.state` sets a full state in the layout of `state`:
/// `[pusher p (3), pusher v (3), O x object pose (12), O x goal pose (12)]`.
///
/// ## Symmetry and orientation
/// The dynamics commute with SE(3) (every g = (R, t) acting on all points, velocities and poses), and
/// push3d-multi's also with relabelling the objects (S_O), so the group is S_O x SE(3).
/// `MakeOptions.orientation` theta means the rotation by theta about z through the origin;
/// `MakeOptions.extra["se3"]` = "wx,wy,wz,tx,ty,tz" gives any element (see `MakeOptions.se3Transform`).
/// The `frame` build is `OrientationWrapper`; the `world` build (`Config.world`) samples the canonical
/// start, then builds the world transformed: start state and goals moved by g.
///
/// ## Version History
/// - v0: sphere-cluster objects, Jacobi contact solve with mass splitting, quasi-static pushing.
public final class Push3DEnv: SE3SymmetricEnvironment, RestorableEnvironment {
    public enum ObservationType: String, CaseIterable, Sendable {
        case points, state, scene
    }

    public struct Config: Sendable {
        public var shape: RigidShape3D.Kind = .t
        public var objectCount = 1
        public var observationType: ObservationType = .points
        /// The `world` build's transform (identity: the canonical world).
        public var world: SE3Transform = .identity
        public var physics = PointCloudPhysics3D.Config()
        public var maxEpisodeSteps = 200
        public var positionTolerance = 0.05
        public var angleTolerance = Double.pi / 9
        public init(shape: RigidShape3D.Kind = .t, objectCount: Int = 1, observationType: ObservationType = .points) {
            self.shape = shape; self.objectCount = objectCount; self.observationType = observationType
        }
    }

    public static let coordinateBound = 4.0
    /// The goal orientation: pi/4 about (1, 1, 1).
    public static let goalOrientation = Mat3.rotation(axis: Vec3(1, 1, 1), angle: Double.pi / 4)

    public let config: Config
    public let shape: RigidShape3D
    public let physics: PointCloudPhysics3D
    public let spec: EnvSpec
    public let observationSpace: BoxSpace
    public let actionSpace = BoxSpace(low: -1, high: 1, shape: [3])
    /// See "Action Space": 1000 m about the world's centre (+|t| in a world translated by t).
    public var actionLimit: Double? { 1000 + config.world.translation.length }
    public var objectCount: Int { config.objectCount }
    public private(set) var goals: [Pose3D]
    public private(set) var lastAction: Vec3?
    private var rng = SplitMix64(seed: 0)
    private var seeded = false
    private var needsReset = true
    /// The assignment objects -> goals that minimises the mean keypoint distance (all permutations of O).
    private let assignments: [[Int]]

    public init(config: Config = Config(), id: String? = nil) {
        precondition((1...6).contains(config.objectCount), "Push3DEnv: 1...6 objects")
        self.config = config
        shape = RigidShape3D.make(config.shape)
        physics = PointCloudPhysics3D(shapes: Array(repeating: shape, count: config.objectCount), config: config.physics)
        goals = Self.canonicalGoals(count: config.objectCount).map { config.world * $0 }
        spec = EnvSpec(
            id: id ?? (config.objectCount == 1 ? "push3d" : "push3d-multi"), maxEpisodeSteps: config.maxEpisodeSteps, controlHz: 10,
            summary:
                "Push \(config.objectCount == 1 ? "a 3D \(config.shape.rawValue)" : "\(config.objectCount) interchangeable \(config.shape.rawValue)s") to goal poses in free space (SE(3)-exact)"
        )
        assignments = Self.permutations(config.objectCount)
        observationSpace = Self.space(config.observationType, objects: config.objectCount, keypoints: shape.keypoints.count, under: config.world)
    }

    /// The fixed goal poses of the canonical world.
    public static func canonicalGoals(count: Int) -> [Pose3D] {
        if count == 1 { return [Pose3D(position: .zero, orientation: goalOrientation)] }
        return (0..<count).map { k in
            let a = 2 * Double.pi * Double(k) / Double(count)
            return Pose3D(position: Vec3(0.45 * cos(a), 0.45 * sin(a), 0), orientation: goalOrientation)
        }
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
        let s = options.state ?? act(config.world, onState: sampleState())
        setState(s)
        lastAction = nil
        needsReset = false
        var info = makeInfo()
        info["is_success"] = .bool(false)
        return (observation(under: nil), info)
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        if needsReset { throw EnvError.needsReset("call reset before step") }
        return try stepKeepingFinite(action) {
            let target = Vec3(action[0], action[1], action[2])
            physics.step(target: target)
            lastAction = target
            let info = makeInfo()
            let success = info.bool("is_success") ?? false
            return StepResult(
                observation: observation(under: nil), reward: 1 / (1 + (info.double("mean_point_error") ?? 0) / 0.1),
                terminated: success, truncated: false, info: info)
        }
    }

    // MARK: RestorableEnvironment

    public struct Snapshot: Sendable {
        fileprivate var physics: PointCloudPhysics3D.Snapshot
        fileprivate var goals: [Pose3D]
        fileprivate var lastAction: Vec3?
        fileprivate var needsReset: Bool
        fileprivate var rng: SplitMix64
        fileprivate var seeded: Bool
    }
    public func snapshot() -> Snapshot {
        Snapshot(physics: physics.snapshot(), goals: goals, lastAction: lastAction, needsReset: needsReset, rng: rng, seeded: seeded)
    }
    public func restore(_ s: Snapshot) {
        physics.restore(s.physics)
        (goals, lastAction, needsReset, rng, seeded) = (s.goals, s.lastAction, s.needsReset, s.rng, s.seeded)
    }
    public var hasFiniteState: Bool { physics.hasFiniteState }

    // MARK: State

    /// A canonical start state (goals included), drawn from the env's generator: uniform orientations.
    private func sampleState() -> [Double] {
        var generator = rng
        defer { rng = generator }
        return startState(using: &generator) { Mat3.randomRotation(using: &$0) }
    }

    public var stateCount: Int { 6 + 24 * objectCount }

    public var state: [Double] {
        var s = physics.pusherPosition.array + physics.pusherVelocity.array
        for k in 0..<objectCount { s += Pose3D(position: physics.positions[k], orientation: physics.rotations[k]).poseArray }
        for g in goals { s += g.poseArray }
        return s
    }

    public func validate(resetState s: [Double]) throws {
        guard s.count == stateCount else {
            throw EnvError.invalidState(
                "expected \(stateCount) values [pusher p, pusher v, \(objectCount) object poses, \(objectCount) goal poses], got \(s.count)")
        }
        if let i = s.firstIndex(where: { !$0.isFinite }) { throw EnvError.invalidState("element \(i) is \(s[i]); states must be finite") }
        for k in 0..<(2 * objectCount) {
            let r = Mat3(s, at: 6 + 12 * k + 3)
            guard r.orthogonalityError < 1e-6, r.determinant > 0 else {
                throw EnvError.invalidState("pose \(k) has no rotation matrix (|R^T R - I| = \(r.orthogonalityError), det \(r.determinant))")
            }
        }
    }

    private func setState(_ s: [Double]) {
        let o = objectCount
        let poses = (0..<o).map { Pose3D(pose: s, at: 6 + 12 * $0) }
        physics.setState(
            pusherPosition: Vec3(s, at: 0), pusherVelocity: Vec3(s, at: 3),
            positions: poses.map(\.position), rotations: poses.map(\.rotation))
        goals = (0..<o).map { Pose3D(pose: s, at: 6 + 12 * (o + $0)) }
        goals = goals.map { Pose3D(position: $0.position, orientation: $0.rotation.orthonormalized) }
    }

    /// The state with the objects relabelled: object k of the result is object `permutation[k]` of `s`
    /// (goals unchanged). With it, S_O acts on states.
    public func permute(objects permutation: [Int], state s: [Double]) -> [Double] {
        precondition(permutation.sorted() == Array(0..<objectCount), "not a permutation of the objects")
        var out = s
        for k in 0..<objectCount {
            out.replaceSubrange((6 + 12 * k)..<(18 + 12 * k), with: s[(6 + 12 * permutation[k])..<(18 + 12 * permutation[k])])
        }
        return out
    }

    // MARK: Task

    public var objectPoses: [Pose3D] {
        (0..<objectCount).map { Pose3D(position: physics.positions[$0], orientation: physics.rotations[$0]) }
    }

    /// Mean keypoint distance of object to goal, and the position and angle errors.
    private func errors(_ object: Pose3D, _ goal: Pose3D) -> (points: Double, position: Double, angle: Double) {
        var sum = 0.0
        for q in shape.keypoints { sum += ((object.rotation * q + object.position) - (goal.rotation * q + goal.position)).length }
        return (
            sum / Double(shape.keypoints.count), (object.position - goal.position).length,
            (goal.rotation.transpose * object.rotation).rotationAngle
        )
    }

    private func makeInfo() -> Info {
        let objects = objectPoses
        var table: [[(points: Double, position: Double, angle: Double)]] = []
        for obj in objects { table.append(goals.map { errors(obj, $0) }) }
        var best = Double.infinity, bestAssignment = assignments[0], success = false
        for perm in assignments {
            var d = 0.0
            var ok = true
            for k in 0..<objectCount {
                let e = table[k][perm[k]]
                d += e.points
                ok = ok && e.position < config.positionTolerance && e.angle < config.angleTolerance
            }
            d /= Double(objectCount)
            success = success || ok
            if d < best { best = d; bestAssignment = perm }
        }
        var info = Info()
        info["pos_pusher"] = .doubles(physics.pusherPosition.array)
        info["vel_pusher"] = .doubles(physics.pusherVelocity.array)
        info["object_pose"] = .doubles(objects.flatMap(\.poseArray))
        info["goal_pose"] = .doubles(goals.flatMap(\.poseArray))
        info["assignment"] = .doubles(bestAssignment.map(Double.init))
        info["mean_point_error"] = .double(best)
        info["position_error"] = .double((0..<objectCount).map { table[$0][bestAssignment[$0]].position }.max()!)
        info["angle_error"] = .double((0..<objectCount).map { table[$0][bestAssignment[$0]].angle }.max()!)
        info["contacts"] = .int(physics.activeContactCount)
        info["is_success"] = .bool(success)
        return info
    }

    static func permutations(_ n: Int) -> [[Int]] {
        if n == 1 { return [[0]] }
        return permutations(n - 1).flatMap { p in
            (0...p.count).map { i in
                var q = p; q.insert(n - 1, at: i); return q
            }
        }
    }

    // MARK: Observations

    func observation(under g: SE3Transform?) -> Observation {
        let t = g ?? .identity
        var values: [Double] = []
        switch config.observationType {
        case .points:
            values.reserveCapacity(3 * (2 * objectCount * shape.keypoints.count + 1))
            for pose in objectPoses { let p = t * pose; for q in shape.keypoints { values += p.apply(point: q).array } }
            values += t.apply(point: physics.pusherPosition).array
            for goal in goals { let p = t * goal; for q in shape.keypoints { values += p.apply(point: q).array } }
        case .scene:
            values.reserveCapacity(3 * (objectCount * shape.keypoints.count + 1))
            for pose in objectPoses { let p = t * pose; for q in shape.keypoints { values += p.apply(point: q).array } }
            values += t.apply(point: physics.pusherPosition).array
        case .state:
            values = t.apply(point: physics.pusherPosition).array
            for pose in objectPoses { values += (t * pose).poseArray }
            for goal in goals { values += (t * goal).poseArray }
        }
        return Observation(values)
    }

    static func space(_ type: ObservationType, objects: Int, keypoints: Int, under g: SE3Transform) -> BoxSpace {
        let b = coordinateBound + g.translation.length
        switch type {
        case .points:
            return BoxSpace(low: -b, high: b, shape: [3 * (2 * objects * keypoints + 1)])
        case .scene:
            return BoxSpace(low: -b, high: b, shape: [3 * (objects * keypoints + 1)])
        case .state:
            let pose = Array(repeating: b, count: 3) + Array(repeating: 1.0, count: 9)
            let high = Array(repeating: b, count: 3) + Array([[Double]](repeating: pose, count: 2 * objects).joined())
            return BoxSpace(low: high.map { -$0 }, high: high)
        }
    }
}

extension Push3DEnv {
    /// The registry's factory: `extra["shape"]` (t, box, l, tripod), `extra["objects"]` (push3d-multi),
    /// the orientation from `MakeOptions.se3Transform()` in the requested build.
    public static func make(_ options: MakeOptions, multi: Bool) throws -> any Environment {
        try make(options, defaults: defaultConfig(multi: multi), id: multi ? "push3d-multi" : "push3d", multi: multi)
    }

    /// The factory of a registration whose world is `defaults` (its shape and object count) under the id `id`.
    static func make(_ options: MakeOptions, defaults: Config, id: String, multi: Bool) throws -> any Environment {
        var config = defaults
        if let name = options.observation {
            guard let type = ObservationType(rawValue: name) else {
                throw EnvError.invalidArgument("unknown push3d observation '\(name)' (points, state, scene)")
            }
            config.observationType = type
        }
        if let name = options.extra["shape"] {
            guard let kind = RigidShape3D.Kind(rawValue: name) else {
                throw EnvError.invalidArgument("unknown shape '\(name)' (\(RigidShape3D.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            config.shape = kind
        }
        if let text = options.extra["objects"] {
            guard multi, let n = Int(text), (2...6).contains(n) else {
                throw EnvError.invalidArgument("objects must be 2...6 (push3d-multi only), got '\(text)'")
            }
            config.objectCount = n
        }
        let g = try options.se3Transform()
        switch options.rotation {
        case .world:
            config.world = g
            return Push3DEnv(config: config, id: id)
        case .frame:
            let env = Push3DEnv(config: config, id: id)
            return g.isIdentity ? env : OrientationWrapper(env, element: g)
        }
    }
}

extension Push3DEnv {
    /// push3d's registration, with the world-model adapters of its default world (one T; `adapters(config:)`).
    public static let registration = EnvRegistration(
        id: "push3d", summary: "Push a 3D T (or box, L, tripod) to a goal pose in free space; SE(3)-exact quasi-static pushing",
        observationTypes: ObservationType.allCases.map(\.rawValue), extraOptions: ["se3", "shape"],
        adapters: adapters(config: defaultConfig(multi: false)), run: runPresets(id: "push3d")
    ) { options in try Push3DEnv.make(options, multi: false) }

    /// push3d-multi's registration, with the world-model adapters of its default world (three boxes).
    public static let multiRegistration = EnvRegistration(
        id: "push3d-multi", summary: "Push 3 interchangeable 3D boxes onto 3 goal poses; symmetry S_3 x SE(3)",
        observationTypes: ObservationType.allCases.map(\.rawValue), extraOptions: ["se3", "shape", "objects"],
        adapters: adapters(config: defaultConfig(multi: true)),
        run: runPresets(id: "push3d-multi")
    ) { options in try Push3DEnv.make(options, multi: true) }

    /// One registration per other shape of push3d's single object (`push3d-box`, `push3d-l`, `push3d-tripod`): the same
    /// env with that shape as its world, under its own id, so that everything keyed by the env's id (collection, the
    /// model's input layout, checkpoints, goal protocols) is that shape's. `push3d --env-option shape=box` makes the same
    /// world for `run`, but a checkpoint names its env by id.
    public static let shapeRegistrations: [EnvRegistration] = RigidShape3D.Kind.allCases.filter { $0 != .t }.map { kind in
        let id = "push3d-\(kind.rawValue)", config = Config(shape: kind)
        return EnvRegistration(
            id: id, summary: "push3d with a 3D \(kind.rawValue) instead of the T; SE(3)-exact quasi-static pushing",
            observationTypes: ObservationType.allCases.map(\.rawValue), extraOptions: ["se3"],
            adapters: adapters(config: config), run: runPresets(id: id)
        ) { options in try Push3DEnv.make(options, defaults: config, id: id, multi: false) }
    }

    /// `run`'s figures, the SE(3) orbit check, and the scripted feedback pusher of the push3d env inside a made env (under
    /// wrappers, in the frame build too).
    static func runPresets(id: String) -> RunPresets {
        RunPresets(
            figures: [
                RunPresets.Figure(key: "mean_point_error", label: "point error (m)"),
                RunPresets.Figure(key: "position_error", label: "pos error (m)"),
                RunPresets.Figure(key: "angle_error", label: "angle error"),
            ],
            orbitUnits: SE3Check.orbitUnits(id)
        ) { env, _ in
            var unwrapped: any Environment = env
            while let w = unwrapped as? Wrapper { unwrapped = w.inner }
            guard let push = (unwrapped as? Push3DEnv) ?? ((unwrapped as? OrientationWrapper<Push3DEnv>)?.base) else { return nil }
            return Push3DPusher(env: push)
        }
    }
}
