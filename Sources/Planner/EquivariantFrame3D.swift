import Agents
import Envs
import Foundation

/// The canonical frame of the 3D equivariant planner, computed from the current and goal latents (vector channels
/// of 3-vectors; rho(g) turns every channel by R(g)).
///
/// Two fixed combinations of the channels of s_c = z_c + z*_c are equivariant vectors: v1 = sum_c s_c and
/// v2 = sum_c (-1)^c s_c. Gram-Schmidt gives e1 = v1 / |v1|, e2 = (v2 - <v2, e1> e1) / |...|, and e3 = e1 x e2
/// (a proper rotation: the world's group is SE(3), det R = +1). For rho(g) on both latents the frame becomes
/// R(g) F, so canonical samples map to the world as F a_c and the plan turns with g.
///
/// Degenerate frames (|v1| or the part of v2 orthogonal to v1 below `relativeTolerance` times the channels' total
/// norm: near-zero or near-parallel vectors) fall back deterministically to the Gram-Schmidt of the two largest
/// channels of s that are not parallel (still equivariant, up to ties in the norms), and if there is none, to the
/// identity (not equivariant). Both are counted by the planner.
public struct PlanningFrame3D: Sendable, Equatable {
    /// Columns e1, e2, e3 (canonical -> world rotation).
    public var rotation: Mat3
    public enum Source: String, Sendable, Codable { case combinations, largestChannels, identity }
    public var source: Source

    public static let identity = PlanningFrame3D(rotation: .identity, source: .identity)

    static func gramSchmidt(_ a: Vec3, _ b: Vec3, tolerance: Double) -> Mat3? {
        let na = a.length
        guard na > tolerance, na > 0 else { return nil }
        let e1 = a * (1 / na)
        let u = b - b.dot(e1) * e1
        let nu = u.length
        guard nu > tolerance, nu > 0 else { return nil }
        let e2 = u * (1 / nu)
        return Mat3(columns: e1, e2, e1.cross(e2))
    }

    /// The frame of latents `z` and `goal` (layout of `rep`, dim 3).
    public static func from(_ z: [Double], goal: [Double], rep: Rep, relativeTolerance: Double = 1e-6) -> PlanningFrame3D {
        precondition(rep.dim == 3, "the 3D canonical frame needs 3D vector channels")
        var channels: [Vec3] = []
        var v1 = Vec3.zero, v2 = Vec3.zero, scale = 0.0
        for c in 0..<rep.vectors {
            let i = rep.scalars + 3 * c
            let s = Vec3(z[i] + goal[i], z[i + 1] + goal[i + 1], z[i + 2] + goal[i + 2])
            channels.append(s)
            v1 += s
            v2 += c % 2 == 0 ? s : -s
            scale += s.length
        }
        let tol = relativeTolerance * scale
        if let r = gramSchmidt(v1, v2, tolerance: tol) { return PlanningFrame3D(rotation: r, source: .combinations) }
        let order = channels.indices.sorted { channels[$0].length > channels[$1].length || (channels[$0].length == channels[$1].length && $0 < $1) }
        for (n, i) in order.enumerated() {
            for j in order.dropFirst(n + 1) {
                if let r = gramSchmidt(channels[i], channels[j], tolerance: tol) { return PlanningFrame3D(rotation: r, source: .largestChannels) }
            }
        }
        return .identity
    }

    /// Canonical -> world for every consecutive 3-vector of `a`, in place.
    public func toWorld(_ a: inout [Double]) { Self.apply(rotation, &a) }
    /// World -> canonical (the transpose), in place.
    public func toCanonical(_ a: inout [Double]) { Self.apply(rotation.transpose, &a) }

    static func apply(_ r: Mat3, _ a: inout [Double]) {
        var i = 0
        while i + 2 < a.count {
            let w = r * Vec3(a, at: i)
            a[i] = w.x; a[i + 1] = w.y; a[i + 2] = w.z
            i += 3
        }
    }
}

/// Model-predictive control of a 3D cloud world in the latent space of a `LatentWorldModel` whose actions are offsets
/// from an equivariant reference point (`LoadedCloudModel`): plan a sequence of offsets whose predicted latents
/// approach the goal latent (cost: sum over the horizon of |z_t - z*|^2), execute the first `executeSteps` as
/// target points reference(observation) + offset, replan (warm start: the rest of the plan, shifted).
/// `equivariant`: CEM samples in the canonical frame of `PlanningFrame3D` (offsets in a ball: rotation-invariant);
/// otherwise CEM samples the offsets in the world's axes (same ball; translations are still handled by the reference
/// point, so the plain planner differs only in the frame).
public final class CloudMPC: Policy {
    public struct Config: Sendable {
        public var cem = CEM.Config()
        public var executeSteps = 1
        /// Offsets stay in this ball (the collection's action radius).
        public var radius = 1.0
        public var equivariant = true
        public init() {
            cem.horizon = 4; cem.samples = 100; cem.elites = 10; cem.iterations = 8; cem.initialStd = 0.5; cem.minStd = 0.02
        }
    }

    public let name: String
    public let model: any LatentWorldModel
    public let config: Config
    public let reference: ([Double]) -> Vec3
    public var goal: [Double]
    public private(set) var stats = PlannerStats()
    public private(set) var lastFrame: PlanningFrame3D?
    /// Frame sources, counted.
    public private(set) var frameCounts: [String: Int] = [:]
    private var lastPlan: [[Double]] = []   // offsets, world axes
    private var executed = 0
    private var episodeSeed: UInt64 = 0

    public init(model: any LatentWorldModel, config: Config, goal: [Double], reference: @escaping ([Double]) -> Vec3) {
        precondition(model.actionSize == 3 && model.latentRep.dim == 3, "CloudMPC needs a 3D model with 3-number offset actions")
        self.model = model; self.config = config; self.goal = goal; self.reference = reference
        name = config.equivariant ? "equivariant" : "cem"
    }

    public func reset(seed: UInt64) {
        lastPlan.removeAll(); executed = 0; episodeSeed = seed; stats = PlannerStats(); frameCounts = [:]
    }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        let obs = observation.values
        guard obs.count == model.observationSize else {
            throw EnvError.invalidArgument("the model takes \(model.observationSize) observation numbers, the env gives \(obs.count)")
        }
        if lastPlan.isEmpty || executed >= min(config.executeSteps, lastPlan.count) {
            lastPlan = plan(observation: obs)
            executed = 0
        }
        executed += 1
        return (reference(obs) + Vec3(lastPlan[executed - 1], at: 0)).array
    }

    /// Plans offsets (world axes) from `observation`.
    public func plan(observation obs: [Double]) -> [[Double]] {
        let start = DispatchTime.now().uptimeNanoseconds
        let z0 = model.encode(obs, batch: 1)
        let zGoal = model.encode(goal, batch: 1)
        let frame = config.equivariant ? PlanningFrame3D.from(z0, goal: zGoal, rep: model.latentRep) : .identity
        if config.equivariant {
            frameCounts[frame.source.rawValue, default: 0] += 1
            if frame.source != .combinations { stats.degenerateFrames += 1 }
            if frame.source == .identity { stats.identityFrames += 1 }
        }
        lastFrame = frame
        let h = config.cem.horizon
        var mean: [[Double]] = Array(lastPlan.dropFirst(executed).prefix(h))
        while mean.count < h { mean.append(mean.last ?? [0, 0, 0]) }
        var flat = mean.flatMap { $0 }
        frame.toCanonical(&flat)
        let initial = (0..<h).map { Array(flat[(3 * $0)..<(3 * $0 + 3)]) }
        let seed = episodeSeed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(stats.plans)
        let cost: SequenceCost = { [model] canonical, n in
            var offsets = canonical
            frame.toWorld(&offsets)
            return Self.rolloutCost(model: model, z0: z0, goal: zGoal, offsets: offsets, batch: n, horizon: h)
        }
        let result = CEM(config: config.cem).plan(initialMean: initial, actionDim: 3, bounds: .ball(radius: config.radius), seed: seed, cost: cost)
        var world = result.actions.flatMap { $0 }
        frame.toWorld(&world)
        stats.plans += 1
        stats.modelEvaluations += result.evaluations
        stats.planSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (0..<h).map { Array(world[(3 * $0)..<(3 * $0 + 3)]) }
    }

    /// Sum over the horizon of the squared distance of the predicted latent to the goal latent, per sequence.
    static func rolloutCost(model: any LatentWorldModel, z0: [Double], goal: [Double], offsets: [Double], batch n: Int, horizon h: Int) -> [Double] {
        let size = z0.count
        var z = [Double](repeating: 0, count: n * size)
        for s in 0..<n { z.replaceSubrange((s * size)..<((s + 1) * size), with: z0) }
        var step = [Double](repeating: 0, count: n * 3)
        var cost = [Double](repeating: 0, count: n)
        for t in 0..<h {
            for s in 0..<n { for j in 0..<3 { step[s * 3 + j] = offsets[(s * h + t) * 3 + j] } }
            z = model.predict(z, actions: step, batch: n)
            for s in 0..<n {
                var c = 0.0
                for j in 0..<size { let e = z[s * size + j] - goal[j]; c += e * e }
                cost[s] += c
            }
        }
        return cost
    }
}
