import EWMIO
import Envs
import Foundation

/// Transitions (o, a, o') with the orientation of the episode each came from, row-major Double arrays.
public struct TransitionSet: Sendable {
    public var env: String
    public var observationSize: Int
    public var actionSize: Int
    public var observations: [Double] = []
    public var actions: [Double] = []
    public var nextObservations: [Double] = []
    /// Orientation (radians) of the episode of each transition.
    public var orientations: [Double] = []
    public var episodes: [Int64] = []
    /// Step index of the transition within its episode.
    public var steps: [Int64] = []
    /// 3D worlds: the world's centre g.0 of each transition's episode (x, y, z per transition; empty = the origin).
    public var origins: [Double] = []

    public init(env: String, observationSize: Int, actionSize: Int) {
        self.env = env; self.observationSize = observationSize; self.actionSize = actionSize
    }

    public var count: Int { orientations.count }

    public mutating func append(_ o: [Double], _ a: [Double], _ next: [Double], orientation: Double, episode: Int, step: Int) {
        observations += o; actions += a; nextObservations += next
        orientations.append(orientation); episodes.append(Int64(episode)); steps.append(Int64(step))
    }

    public func observation(_ i: Int) -> ArraySlice<Double> { observations[i * observationSize..<(i + 1) * observationSize] }

    /// Rows `indices` of observations, actions and next observations (flat).
    public func gather(_ indices: [Int]) -> (obs: [Double], actions: [Double], next: [Double]) {
        var o = [Double](), a = [Double](), n = [Double]()
        o.reserveCapacity(indices.count * observationSize); n.reserveCapacity(indices.count * observationSize)
        a.reserveCapacity(indices.count * actionSize)
        for i in indices {
            o += observations[i * observationSize..<(i + 1) * observationSize]
            n += nextObservations[i * observationSize..<(i + 1) * observationSize]
            a += actions[i * actionSize..<(i + 1) * actionSize]
        }
        return (o, a, n)
    }

    /// Indices i such that transitions i ..< i + horizon are consecutive steps of one episode.
    public func rolloutStarts(horizon: Int) -> [Int] {
        guard horizon >= 1, count >= horizon else { return [] }
        return (0...(count - horizon)).filter { i in
            episodes[i + horizon - 1] == episodes[i] && steps[i + horizon - 1] == steps[i] + Int64(horizon - 1)
        }
    }

    /// Fraction of transitions in which some T keypoint moved more than `threshold` (PushT: the first 8 points).
    public func movedFraction(points: Int, threshold: Double = 1) -> Double {
        guard count > 0 else { return 0 }
        var moved = 0
        for i in 0..<count {
            let base = i * observationSize
            for k in 0..<points {
                let dx = nextObservations[base + 2 * k] - observations[base + 2 * k]
                let dy = nextObservations[base + 2 * k + 1] - observations[base + 2 * k + 1]
                if dx * dx + dy * dy > threshold * threshold { moved += 1; break }
            }
        }
        return Double(moved) / Double(count)
    }

    /// Episodes with fewer than `budget` transitions: the env ended them early (PushT: success).
    public func episodesEnded(budget: Int) -> Int {
        var lengths: [Int64: Int] = [:]
        for e in episodes { lengths[e, default: 0] += 1 }
        return lengths.values.filter { $0 < budget }.count
    }

    // MARK: shards

    /// Writes `.npz` shards of at most `shardSize` transitions (`shard-00000.npz`, ...), each with arrays
    /// `observation` [N, obs], `action` [N, act], `next_observation` [N, obs], `orientation` [N] (radians),
    /// `episode_index` [N], `frame_index` [N]. Every file is written atomically.
    @discardableResult
    public func writeShards(to dir: URL, shardSize: Int = 100_000) throws -> [URL] {
        try createOutputDirectory(dir)
        var urls: [URL] = []
        var start = 0, index = 0
        repeat {
            let end = min(count, start + max(1, shardSize))
            let url = dir.appendingPathComponent(String(format: "shard-%05d.npz", index))
            try writeAtomically(try npz(rows: start..<end, path: url.path), to: url)
            urls.append(url)
            start = end; index += 1
        } while start < count
        return urls
    }

    /// Rows `rows` as one shard's `.npz` bytes (the arrays `writeShards` describes).
    func npz(rows: Range<Int>, path: String) throws -> Data {
        let (start, end, n) = (rows.lowerBound, rows.upperBound, rows.count)
        let arrays: [(String, NpyArray)] =
            [
                (
                    "observation",
                    try NpyArray(float64: Array(observations[start * observationSize..<end * observationSize]), shape: [n, observationSize])
                ),
                ("action", try NpyArray(float64: Array(actions[start * actionSize..<end * actionSize]), shape: [n, actionSize])),
                (
                    "next_observation",
                    try NpyArray(float64: Array(nextObservations[start * observationSize..<end * observationSize]), shape: [n, observationSize])
                ),
                ("orientation", try NpyArray(float64: Array(orientations[start..<end]), shape: [n])),
                ("episode_index", try NpyArray(int64: Array(episodes[start..<end]), shape: [n])),
                ("frame_index", try NpyArray(int64: Array(steps[start..<end]), shape: [n])),
            ] + (origins.isEmpty ? [] : [("origin", try NpyArray(float64: Array(origins[3 * start..<3 * end]), shape: [n, 3]))])
        return try Npz.encode(arrays, compressed: false, path: path)
    }

    /// Reads every `shard-*.npz` of `dir` in name order (sizes and shapes checked).
    public static func readShards(from dir: URL, env: String) throws -> TransitionSet {
        let isShard = { (name: String) in name.hasPrefix("shard-") && name.hasSuffix(".npz") }
        // A directory `collect` wrote is read through its manifest: only the shards it lists, each checked against its
        // size and CRC-32, and none while the writer had not finished. Directories without one (written by other
        // tools, e.g. tools/dump_to_shards.py, or by ewm-sim before manifests) are globbed.
        let manifest = try RunManifest.read(in: dir)
        try manifest?.requireComplete(in: dir)
        let names = try (manifest.map { $0.files.map(\.name) } ?? listInputDirectory(dir)).filter(isShard).sorted()
        guard !names.isEmpty else { throw DataError("no shard-*.npz files in \(dir.path)") }
        var set: TransitionSet?
        for name in names {
            let url = dir.appendingPathComponent(name)
            let arrays = try manifest.map { try Npz.decode(try $0.read(name, in: dir), path: url.path) } ?? Npz.read(from: url)
            try append(arrays, file: name, to: &set, env: env)
        }
        return set!
    }

    /// Appends the transitions of one shard's arrays (`writeShards`' names) to `set` (made from the first shard).
    static func append(_ arrays: [String: NpyArray], file name: String, to set: inout TransitionSet?, env: String) throws {
        let o = try Npz.require("observation", in: arrays, file: name)
        let a = try Npz.require("action", in: arrays, file: name)
        let n = try Npz.require("next_observation", in: arrays, file: name)
        let r = try Npz.require("orientation", in: arrays, file: name)
        let e = try Npz.require("episode_index", in: arrays, file: name)
        let f = try Npz.require("frame_index", in: arrays, file: name)
        guard o.shape.count == 2, a.shape.count == 2, n.shape == o.shape, r.shape == [o.shape[0]], e.shape == r.shape,
            f.shape == r.shape, a.shape[0] == o.shape[0]
        else { throw DataError("\(name): inconsistent array shapes") }
        if set == nil { set = TransitionSet(env: env, observationSize: o.shape[1], actionSize: a.shape[1]) }
        guard set!.observationSize == o.shape[1], set!.actionSize == a.shape[1] else {
            throw DataError("\(name): shapes differ from the first shard")
        }
        set!.observations += try o.doubles(); set!.actions += try a.doubles(); set!.nextObservations += try n.doubles()
        set!.orientations += try r.doubles(); set!.episodes += try e.int64s(); set!.steps += try f.int64s()
        if let origin = arrays["origin"] {
            guard origin.shape == [o.shape[0], 3] else { throw DataError("\(name): origin must be [N, 3]") }
            set!.origins += try origin.doubles()
        }
    }
}

public struct DataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// What to collect.
public struct CollectConfig: Codable, Equatable, Sendable {
    /// The collection's policy: the env's explorer mixed with random actions, the explorer alone, uniform random
    /// actions, or a policy the env registers by name (`CollectionAdapter.policies`; PushT: "expert").
    public struct PolicyKind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// PushT: the exploratory pusher with `randomFraction` uniform random actions mixed in; teacher2d: random.
        public static let mixed = PolicyKind(rawValue: "mixed")
        /// PushT: the exploratory pusher without random actions.
        public static let pusher = PolicyKind(rawValue: "pusher")
        /// Uniform random actions.
        public static let random = PolicyKind(rawValue: "random")
        /// The kinds every env has.
        public static let builtIn: [PolicyKind] = [.mixed, .pusher, .random]
        public var description: String { rawValue }
        public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
    }
    /// Where episodes start: "reference" (the env's own reset) or the name of one of the env's registered start
    /// distributions (`CollectionAdapter.starts`; PushT: "goal-region", "half-plane"). The default, "goal-region", falls
    /// back to the env's own reset for envs that register no start of that name.
    public struct Start: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let reference = Start(rawValue: "reference")
        public static let goalRegion = Start(rawValue: "goal-region")
        public static let halfPlane = Start(rawValue: "half-plane")
        public var description: String { rawValue }
        public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
    }

    public var env: String
    public var episodes: Int
    public var stepsPerEpisode: Int
    public var policy: PolicyKind
    public var randomFraction: Double
    public var orientations: OrientationSlice
    public var seed: UInt64
    public var start: Start
    public var angleSpread: Double
    /// Frames stacked per recorded observation (newest first; at an episode's start the first frame is repeated,
    /// which is exact for PushT: a reset leaves both bodies at rest). 1: the env's own observation.
    public var history: Int
    /// Env steps each recorded action is held for (DINO-WM's frameskip): a transition is (o_t, a, o_{t+k}),
    /// so one model step is k env steps and `stepsPerEpisode` counts model steps. 1: every env step.
    public var frameskip: Int
    /// PushT: record the previous action as one more observation point (see `ObservationLayout.previousAction`).
    public var previousAction: Bool
    /// PushT: record where the agent was one env step before as one more point (`ObservationLayout.agentVelocity`).
    public var agentVelocity: Bool
    /// PushT mixed policy: nil, random actions are uniform over the box; else the agent's position plus Gaussian
    /// noise of this std (px), like a sampling planner's proposals.
    public var randomStd: Double?
    /// Std of Gaussian noise (px for PushT) on every action of a named policy (PushT's expert), drawn in the canonical
    /// frame; 0: none.
    public var actionNoise: Double
    /// The frameskips a config may ask for.
    public static let frameskips = 1...50

    public init(
        env: String, episodes: Int, stepsPerEpisode: Int = 50, policy: PolicyKind = .mixed, randomFraction: Double = 0.25,
        orientations: OrientationSlice = .defaultSlice, seed: UInt64 = 0, start: Start = .goalRegion, angleSpread: Double = 0.6,
        history: Int = 1, frameskip: Int = 1, previousAction: Bool = false, randomStd: Double? = nil, actionNoise: Double = 0,
        agentVelocity: Bool = false
    ) {
        self.env = env; self.episodes = episodes; self.stepsPerEpisode = stepsPerEpisode; self.policy = policy
        self.randomFraction = randomFraction; self.orientations = orientations; self.seed = seed; self.start = start
        self.angleSpread = angleSpread; self.history = history; self.frameskip = frameskip
        self.previousAction = previousAction
        self.agentVelocity = agentVelocity
        self.randomStd = randomStd
        self.actionNoise = actionNoise
    }

    enum CodingKeys: String, CodingKey {
        case env, episodes, stepsPerEpisode, policy, randomFraction, orientations, seed, start, angleSpread, history, frameskip, previousAction
        case randomStd, actionNoise, agentVelocity
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        env = try c.decode(String.self, forKey: .env)
        episodes = try c.decode(Int.self, forKey: .episodes)
        stepsPerEpisode = try c.decode(Int.self, forKey: .stepsPerEpisode)
        policy = try c.decode(PolicyKind.self, forKey: .policy)
        randomFraction = try c.decode(Double.self, forKey: .randomFraction)
        orientations = try c.decode(OrientationSlice.self, forKey: .orientations)
        seed = try c.decode(UInt64.self, forKey: .seed)
        start = try c.decode(Start.self, forKey: .start)
        angleSpread = try c.decode(Double.self, forKey: .angleSpread)
        history = try c.decodeIfPresent(Int.self, forKey: .history) ?? 1
        frameskip = try c.decodeIfPresent(Int.self, forKey: .frameskip) ?? 1
        previousAction = try c.decodeIfPresent(Bool.self, forKey: .previousAction) ?? false
        randomStd = try c.decodeIfPresent(Double.self, forKey: .randomStd)
        actionNoise = try c.decodeIfPresent(Double.self, forKey: .actionNoise) ?? 0
        agentVelocity = try c.decodeIfPresent(Bool.self, forKey: .agentVelocity) ?? false
    }

    /// `history` and `frameskip` are written only when they are not 1, so single-frame, every-step configs (and
    /// the checkpoints' metadata) keep their JSON.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(env, forKey: .env); try c.encode(episodes, forKey: .episodes)
        try c.encode(stepsPerEpisode, forKey: .stepsPerEpisode); try c.encode(policy, forKey: .policy)
        try c.encode(randomFraction, forKey: .randomFraction); try c.encode(orientations, forKey: .orientations)
        try c.encode(seed, forKey: .seed); try c.encode(start, forKey: .start); try c.encode(angleSpread, forKey: .angleSpread)
        if history != 1 { try c.encode(history, forKey: .history) }
        if frameskip != 1 { try c.encode(frameskip, forKey: .frameskip) }
        if previousAction { try c.encode(previousAction, forKey: .previousAction) }
        try c.encodeIfPresent(randomStd, forKey: .randomStd)
        if actionNoise != 0 { try c.encode(actionNoise, forKey: .actionNoise) }
        if agentVelocity { try c.encode(agentVelocity, forKey: .agentVelocity) }
    }

    public var layout: ObservationLayout {
        get throws { try ObservationLayout.forEnv(env, history: history, previousAction: previousAction, agentVelocity: agentVelocity) }
    }

    public func validate() throws {
        guard episodes > 0, stepsPerEpisode > 0 else { throw DataError("episodes and steps per episode must be positive") }
        guard (0...1).contains(randomFraction) else { throw DataError("random fraction must be in [0, 1]") }
        guard angleSpread >= 0, angleSpread.isFinite else { throw DataError("angle spread must be >= 0") }
        guard Self.frameskips.contains(frameskip) else { throw DataError("frameskip must be in \(Self.frameskips)") }
        if let std = randomStd { guard std > 0, std.isFinite else { throw DataError("random std must be positive") } }
        guard actionNoise >= 0, actionNoise.isFinite else { throw DataError("action noise must be >= 0") }
        _ = try layout
        let collection = try Registry.adapters(env).collection
        let named = collection.policies.keys.sorted()
        guard PolicyKind.builtIn.contains(policy) || named.contains(policy.rawValue) else {
            throw DataError("\(env) has no policy '\(policy)' (\((PolicyKind.builtIn.map(\.rawValue) + named).joined(separator: ", ")))")
        }
        guard actionNoise == 0 || named.contains(policy.rawValue) else {
            throw DataError(
                "action noise applies to a named policy (\(named.isEmpty ? "none registered" : named.joined(separator: ", "))), not '\(policy)'")
        }
        let starts = collection.starts.keys.sorted()
        guard start == .reference || start == .goalRegion || starts.contains(start.rawValue) else {
            throw DataError("\(env) has no start '\(start)' (reference\(starts.map { ", " + $0 }.joined()))")
        }
    }
}

/// Runs `config.episodes` episodes, each at an orientation drawn uniformly from the slice (the `frame` build),
/// and records every transition as the oriented env reports it. Episode e uses seed mix(config.seed, e), so the
/// data is a pure function of the config.
/// `only` (a shard's episodes, increasing) gives exactly those episodes' transitions of the whole collection: episode e's
/// randomness comes from mix(seed, e) alone.
public func collectTransitions(_ config: CollectConfig, only: [Int]? = nil, progress: ((Int) -> Void)? = nil) throws -> TransitionSet {
    try config.validate()
    let layout = try config.layout
    let frameSize = 2 * layout.framePoints, history = layout.history
    let collection = try Registry.adapters(config.env).collection
    let agentIndex = try layout.reading.agentIndex ?? 0
    var set = TransitionSet(env: config.env, observationSize: layout.observationSize, actionSize: layout.actionSize)
    for (done, e) in (only ?? Array(0..<config.episodes)).enumerated() {
        var rng = Envs.SplitMix64(seed: config.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(e) &+ 1)
        let theta = config.orientations.sample(using: &rng)
        var options = MakeOptions(observation: try layout.observationType, orientation: theta, rotation: .frame, timeLimit: false)
        options.extra = [:]
        let env = try Registry.make(config.env, options: options)
        let g = layout.rotation(theta)
        let episodeSeed = rng.next()
        var obs: Observation, info: Info
        if let start = collection.starts[config.start.rawValue] {
            (obs, info) = try env.reset(seed: episodeSeed, options: ResetOptions(state: start(theta, config.angleSpread, &rng)))
        } else {
            (obs, info) = try env.reset(seed: episodeSeed)
        }
        let pusher: (any Policy)?
        switch config.policy {
        case .random: pusher = nil
        case .mixed, .pusher:
            pusher = collection.explorer.map {
                $0(
                    ExplorerSettings(
                        orientation: theta, randomFraction: config.policy == .mixed ? config.randomFraction : 0,
                        localRandomStd: config.randomStd, seed: episodeSeed))
            }
        default:
            pusher = try collection.policy(
                config.policy.rawValue, settings: ExplorerSettings(orientation: theta, seed: episodeSeed, actionNoise: config.actionNoise))
        }
        let space = env.actionSpace
        // The last `history` frames, newest first (the first frame repeated at the start).
        var frames = [[Double]](repeating: obs.values, count: history)
        func stacked(_ f: [[Double]]) -> [Double] { history == 1 ? f[0] : f.flatMap { $0 } }
        // The previous action (PushT's agent is at rest after a reset: as if driven towards where it is).
        var previous: [Double] = layout.previousAction ? [obs.values[agentIndex], obs.values[agentIndex + 1]] : []
        // The agent one env step before (at rest after a reset: where it is).
        func agent(_ o: [Double]) -> [Double] { layout.agentVelocity ? [o[agentIndex], o[agentIndex + 1]] : [] }
        var agentBefore = agent(obs.values)
        precondition(obs.values.count == frameSize, "collect: \(obs.values.count) numbers per frame, layout needs \(frameSize)")
        for t in 0..<config.stepsPerEpisode {
            let action: [Double]
            if let pusher {
                action = try pusher.action(observation: obs, info: info)
            } else {
                // Uniform in the canonical action box, then through g (a point about the centre, or a vector).
                let canonical = space.sample(using: &rng)
                action = layout.rotate(actions: canonical, by: g)
            }
            var lastAgent = agent(obs.values)
            var r = try env.step(action)
            for _ in 1..<config.frameskip where !r.terminated {
                lastAgent = agent(r.observation.values)
                r = try env.step(action)
            }
            let before = stacked(frames) + previous + agentBefore
            frames.insert(r.observation.values, at: 0); frames.removeLast()
            if layout.previousAction { previous = action }
            agentBefore = lastAgent
            set.append(before, action, stacked(frames) + previous + agentBefore, orientation: theta, episode: e, step: t)
            obs = r.observation; info = r.info
            if r.terminated { break }
        }
        progress?(done + 1)
    }
    return set
}
