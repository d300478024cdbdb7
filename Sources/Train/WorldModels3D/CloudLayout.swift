import Envs
import Foundation
import Tensor

/// The 3D sibling of `ObservationLayout`: the observation is `points` 3D points (x0, y0, z0, x1, ...); the model
/// sees (p - c) / scale for every point as one vector channel of a single point ([B, 1, 3, points]), where c is an
/// equivariant reference point: the centroid of the first `referencePoints` points (teacher3d: the whole cloud).
/// The action is a target point; the model sees its offset (a - c) / scale as one more vector channel. For g = (R, t)
/// in SE(3), g.p - g.c = R (p - c), so the inputs turn by R and translations drop out exactly (up to the rounding
/// of the subtraction): E(g.o) = rho(R) E(o) for an O(3)-equivariant E.
///
/// With `originChannel` one more channel carries (c - g.0) / scale, the reference point relative to the centre of the
/// world the data comes from (g.0 = t for the world at g = (R, t); a known constant of the world, as PushT's
/// workspace centre (256, 256) is). It turns by R too, so exactness is kept, and the latent then knows where the cloud
/// is: without it the latent is translation-invariant and a goal position cannot be planned for (teacher3d's centroid
/// motion, the largest part of its dynamics, would be invisible to the model).
public struct CloudLayout: Codable, Equatable, Sendable {
    public var env: String
    public var points: Int
    public var referencePoints: Int
    public var scale: Double
    public var originChannel: Bool
    /// The origin channel times this factor (nil: 1). A scalar, so exactness is kept; > 1 makes where the cloud is
    /// weigh more in the encoder's input (push3d: the objects' position, which the relative points do not show).
    public var originWeight: Double?

    public init(env: String, points: Int, referencePoints: Int, scale: Double = 1, originChannel: Bool = true, originWeight: Double? = nil) {
        self.env = env; self.points = points; self.referencePoints = referencePoints; self.scale = scale; self.originChannel = originChannel
        self.originWeight = originWeight
    }

    enum CodingKeys: String, CodingKey { case env, points, referencePoints, scale, originChannel, originWeight }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        env = try c.decode(String.self, forKey: .env)
        points = try c.decode(Int.self, forKey: .points)
        referencePoints = try c.decode(Int.self, forKey: .referencePoints)
        scale = try c.decode(Double.self, forKey: .scale)
        originChannel = try c.decodeIfPresent(Bool.self, forKey: .originChannel) ?? false
        originWeight = try c.decodeIfPresent(Double.self, forKey: .originWeight)
    }

    /// Vector channels of the model's input point.
    public var channels: Int { points + (originChannel ? 1 : 0) }

    /// The layout of a registered env, from its model adapter: a 3D world read about its reference point, with actions
    /// as offsets from it.
    public static func forEnv(_ env: String) throws -> CloudLayout {
        let reading = try Registry.adapters(env).model
        guard reading.dimension == 3, reading.center == nil, reading.action == .offsetFromReference, reading.referencePoints > 0 else {
            throw EnvError.invalidArgument("env '\(env)' is not a 3D world read about a reference point (no 3D world-model layout)")
        }
        return CloudLayout(env: env, points: reading.pointsPerFrame, referencePoints: reading.referencePoints, scale: reading.scale)
    }

    /// Whether env `id` has a 3D layout.
    public static func isSupported(_ env: String) -> Bool { (try? forEnv(env)) != nil }

    public var observationSize: Int { 3 * points }
    public var actionSize: Int { 3 }

    /// The reference point of observation row `row` of `obs`.
    public func reference(_ obs: [Double], row: Int) -> Vec3 {
        var c = Vec3.zero
        let offset = row * observationSize
        for k in 0..<referencePoints { c += Vec3(obs, at: offset + 3 * k) }
        return c * (1 / Double(referencePoints))
    }

    /// Raw observations (rows of 3 * points) -> [B, 1, 3, channels], each point minus the row's reference point c,
    /// then (with `originChannel`) c minus the row's world centre (`origins`: 3 numbers per row, or one row for all,
    /// or empty for the origin).
    public func pointsTensor<S: TensorScalar>(_ obs: [Double], batch: Int, origins: [Double] = [], as _: S.Type = S.self) -> Tensor<S> {
        precondition(obs.count == batch * observationSize, "pointsTensor: \(obs.count) numbers for \(batch) rows of \(observationSize)")
        precondition(
            origins.isEmpty || origins.count == 3 || origins.count == 3 * batch,
            "pointsTensor: origins must be empty, one row or one row per observation")
        let p = points, ch = channels, inv = 1 / scale
        var out = [S](repeating: 0, count: batch * 3 * ch)
        for b in 0..<batch {
            let c = reference(obs, row: b)
            let o = b * 3 * p, q = b * 3 * ch
            for k in 0..<p {
                out[q + k] = S((obs[o + 3 * k] - c.x) * inv)
                out[q + ch + k] = S((obs[o + 3 * k + 1] - c.y) * inv)
                out[q + 2 * ch + k] = S((obs[o + 3 * k + 2] - c.z) * inv)
            }
            if originChannel {
                let w = origins.isEmpty ? Vec3.zero : Vec3(origins, at: origins.count == 3 ? 0 : 3 * b)
                let u = inv * (originWeight ?? 1)
                out[q + p] = S((c.x - w.x) * u); out[q + ch + p] = S((c.y - w.y) * u); out[q + 2 * ch + p] = S((c.z - w.z) * u)
            }
        }
        return try! Tensor(shape: [batch, 1, 3, ch], scalars: out)
    }

    /// Raw target-point actions -> offsets a - c (rows of 3) against the observations' reference points.
    public func offsets(actions: [Double], observations obs: [Double], batch: Int) -> [Double] {
        precondition(actions.count == 3 * batch, "offsets: \(actions.count) numbers for \(batch) rows of 3")
        var out = actions
        for b in 0..<batch {
            let c = reference(obs, row: b)
            out[3 * b] -= c.x; out[3 * b + 1] -= c.y; out[3 * b + 2] -= c.z
        }
        return out
    }

    /// Offsets (rows of 3) -> [B, 3, 1].
    public func offsetTensor<S: TensorScalar>(_ offsets: [Double], batch: Int, as _: S.Type = S.self) -> Tensor<S> {
        precondition(offsets.count == 3 * batch, "offsetTensor: \(offsets.count) numbers for \(batch) rows of 3")
        return try! Tensor(shape: [batch, 3, 1], scalars: offsets.map { S($0 / scale) })
    }

    /// g applied to raw observation rows (every point), in Double.
    public func act(_ g: SE3Transform, observations obs: [Double]) -> [Double] {
        var out = obs
        g.apply(points: &out, range: 0..<obs.count)
        return out
    }

    /// g applied to raw target-point action rows.
    public func act(_ g: SE3Transform, actions a: [Double]) -> [Double] {
        var out = a
        g.apply(points: &out, range: 0..<a.count)
        return out
    }

    /// R(g) applied to offset rows (vectors).
    public func rotate(_ r: Mat3, vectors v: [Double]) -> [Double] {
        var out = v
        var i = 0
        while i + 2 < v.count {
            let w = r * Vec3(v, at: i)
            out[i] = w.x; out[i + 1] = w.y; out[i + 2] = w.z
            i += 3
        }
        return out
    }
}

extension SE3Ladder.Rung {
    /// Parses a rung name (identity, so2, so3, se3) with a helpful error.
    public static func parse(_ text: String) throws -> SE3Ladder.Rung {
        guard let r = SE3Ladder.Rung(rawValue: text.lowercased()) else {
            throw DataError("'\(text)' is not a rung of the SE(3) ladder (identity, so2, so3, se3)")
        }
        return r
    }
}

/// What to collect in a 3D world.
public struct Collect3DConfig: Codable, Equatable, Sendable {
    public var env: String
    public var episodes: Int
    public var stepsPerEpisode: Int
    /// Every episode runs at an element drawn from this rung of `ladder` (frame build).
    public var rung: SE3Ladder.Rung
    public var ladder: SE3Ladder
    /// Canonical start: the template turned by a rotation vector uniform in the ball of this radius (radians).
    public var startSpread: Double
    /// Canonical actions: the reference point plus an offset uniform in the ball of this radius.
    public var actionRadius: Double
    public var seed: UInt64
    /// A named policy of the env (`CollectionAdapter.policies`; push3d: `scripted`) acting instead of the random
    /// offsets; nil: random offsets only (the records of earlier collections have no such field).
    public var policy: String?
    /// With `policy`: std of its Gaussian action noise (env units, drawn in the canonical frame).
    public var actionNoise: Double?
    /// With `policy`: the fraction of steps that take a random offset (as above) instead of the policy's action.
    public var randomFraction: Double?

    public init(
        env: String, episodes: Int, stepsPerEpisode: Int = 20, rung: SE3Ladder.Rung = .identity, ladder: SE3Ladder = SE3Ladder(),
        startSpread: Double = 0.25, actionRadius: Double = 1, seed: UInt64 = 0, policy: String? = nil, actionNoise: Double? = nil,
        randomFraction: Double? = nil
    ) {
        self.env = env; self.episodes = episodes; self.stepsPerEpisode = stepsPerEpisode; self.rung = rung; self.ladder = ladder
        self.startSpread = startSpread; self.actionRadius = actionRadius; self.seed = seed
        self.policy = policy; self.actionNoise = actionNoise; self.randomFraction = randomFraction
    }

    public func validate() throws {
        guard episodes > 0, stepsPerEpisode > 0 else { throw DataError("episodes and steps per episode must be positive") }
        guard startSpread >= 0, startSpread.isFinite, actionRadius > 0, actionRadius.isFinite else {
            throw DataError("start spread must be >= 0 and action radius > 0")
        }
        _ = try CloudLayout.forEnv(env)
        if let policy {
            let named = try Registry.adapters(env).collection.policies.keys.sorted()
            guard named.contains(policy) else {
                throw DataError("\(env) has no named policy '\(policy)'\(named.isEmpty ? "" : " (it has \(named.joined(separator: ", ")))")")
            }
        } else {
            guard (actionNoise ?? 0) == 0, (randomFraction ?? 0) == 0 else {
                throw DataError("action noise and a random fraction apply to a named policy (random offsets have neither)")
            }
        }
        guard actionNoise.map({ $0 >= 0 && $0.isFinite }) ?? true else { throw DataError("action noise must be >= 0") }
        guard (0...1).contains(randomFraction ?? 0) else { throw DataError("random fraction must be in [0, 1]") }
    }
}

/// Runs `config.episodes` episodes, each at an element g drawn from the rung (`OrientationWrapper`, the exact frame
/// build), from the oriented canonical start moved by g, with canonical offsets turned by R(g) about the observed
/// reference point (or, with `config.policy`, the env's named policy at g, a `randomFraction` of its steps replaced by
/// such offsets); records every transition as the transformed world reports it (`orientations` holds g's rotation
/// angle). Episode e's randomness comes from mix(seed, e): the data is a pure function of the config, and `only` (a
/// shard's episodes, increasing) gives exactly those episodes' transitions of the whole collection.
public func collectTransitions3D(_ config: Collect3DConfig, only: [Int]? = nil, progress: ((Int) -> Void)? = nil) throws -> TransitionSet {
    try config.validate()
    let layout = try CloudLayout.forEnv(config.env)
    let collection = try Registry.adapters(config.env).collection
    guard let spatialEpisode = collection.spatialEpisode else {
        throw DataError("\(config.env) registers no 3D collection episode (CollectionAdapter.spatialEpisode)")
    }
    var set = TransitionSet(env: config.env, observationSize: layout.observationSize, actionSize: layout.actionSize)
    for (done, e) in (only ?? Array(0..<config.episodes)).enumerated() {
        var rng = Envs.SplitMix64(seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(e) &+ 1)
        let g = config.ladder.sample(config.rung, using: &rng)
        let episode = spatialEpisode(g, config.startSpread, &rng)
        let env = episode.env
        var (obs, info) = try env.reset(seed: rng.next(), options: ResetOptions(state: episode.start))
        // The named policy (if any) at g, seeded from the episode's generator (after the draws of the random-only
        // collection, which stays bit for bit what it was).
        let policy = try config.policy.map { name in
            try collection.policy(
                name,
                settings: ExplorerSettings(
                    orientation: g.rotation.rotationAngle, seed: rng.next(), actionNoise: config.actionNoise ?? 0, element: g))
        }
        for t in 0..<config.stepsPerEpisode {
            let action: [Double]
            if let policy, (config.randomFraction ?? 0) == 0 || Double.random(in: 0..<1, using: &rng) >= config.randomFraction! {
                action = try policy.action(observation: obs, info: info)
            } else {
                let offset = g.rotation * uniformPointInBall(radius: config.actionRadius, using: &rng)
                action = (layout.reference(obs.values, row: 0) + offset).array
            }
            let r = try env.step(action)
            set.append(obs.values, action, r.observation.values, orientation: g.rotation.rotationAngle, episode: e, step: t)
            set.origins += g.translation.array
            (obs, info) = (r.observation, r.info)
            if r.terminated { break }
        }
        progress?(done + 1)
    }
    return set
}
