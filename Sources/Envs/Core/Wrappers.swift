import EWMIO
/// A wrapper forwards everything to `inner` unless it overrides it (Gymnasium's `Wrapper`).
open class Wrapper: Environment {
    public let inner: any Environment
    public init(_ inner: any Environment) { self.inner = inner }

    open var spec: EnvSpec { inner.spec }
    open var observationSpace: BoxSpace { inner.observationSpace }
    open var actionSpace: BoxSpace { inner.actionSpace }
    open var actionLimit: Double? { inner.actionLimit }
    open func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        try inner.reset(seed: seed, options: options)
    }
    open func step(_ action: [Double]) throws -> StepResult { try inner.step(action) }
    open func render(width: Int, height: Int) -> RGBImage? { inner.render(width: width, height: height) }

    /// The innermost env, through any stack of wrappers.
    public var unwrapped: any Environment {
        var env: any Environment = inner
        while let w = env as? Wrapper { env = w.inner }
        return env
    }
}

/// Ends an episode with `truncated = true` after `maxSteps` steps (Gymnasium's `TimeLimit`).
public final class TimeLimit: Wrapper {
    public let maxSteps: Int
    public private(set) var elapsedSteps = 0

    public init(_ inner: any Environment, maxSteps: Int) {
        precondition(maxSteps > 0, "TimeLimit needs maxSteps > 0")
        self.maxSteps = maxSteps
        super.init(inner)
    }

    public override func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        let out = try inner.reset(seed: seed, options: options)
        elapsedSteps = 0
        return out
    }

    public override func step(_ action: [Double]) throws -> StepResult {
        var result = try inner.step(action)
        elapsedSteps += 1
        if elapsedSteps >= maxSteps { result.truncated = true }
        return result
    }
}

/// Repeats each action `repeats` times, summing rewards, stopping early when the episode ends.
public final class ActionRepeat: Wrapper {
    public let repeats: Int
    public init(_ inner: any Environment, repeats: Int) {
        precondition(repeats > 0, "ActionRepeat needs repeats > 0")
        self.repeats = repeats
        super.init(inner)
    }

    public override func step(_ action: [Double]) throws -> StepResult {
        var result = try inner.step(action)
        var total = result.reward
        var n = 1
        while n < repeats && !result.done {
            result = try inner.step(action)
            total += result.reward
            n += 1
        }
        result.reward = total
        return result
    }
}

/// One recorded episode: what a dump or a picture needs.
public struct Episode: Sendable {
    public var seed: UInt64?
    public var observations: [Observation] = []
    public var actions: [[Double]] = []
    public var rewards: [Double] = []
    public var terminated: [Bool] = []
    public var truncated: [Bool] = []
    public var infos: [Info] = []
    public var frames: [RGBImage] = []
    public init(seed: UInt64?) { self.seed = seed }
    public var length: Int { actions.count }
}

/// Records every episode's observations, actions, rewards, info and (optionally) rendered frames.
public final class RecordEpisodes: Wrapper {
    public let frameSize: Int?
    public private(set) var episodes: [Episode] = []

    /// `frameSize`: also render a square frame of this size after each reset and step.
    public init(_ inner: any Environment, frameSize: Int? = nil) {
        self.frameSize = frameSize
        super.init(inner)
    }

    public override func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        let out = try inner.reset(seed: seed, options: options)
        var episode = Episode(seed: seed)
        episode.observations.append(out.observation)
        episode.infos.append(out.info)
        if let size = frameSize, let frame = inner.render(width: size, height: size) { episode.frames.append(frame) }
        episodes.append(episode)
        return out
    }

    public override func step(_ action: [Double]) throws -> StepResult {
        let result = try inner.step(action)
        guard !episodes.isEmpty else { return result }
        let i = episodes.count - 1
        episodes[i].actions.append(action)
        episodes[i].observations.append(result.observation)
        episodes[i].rewards.append(result.reward)
        episodes[i].terminated.append(result.terminated)
        episodes[i].truncated.append(result.truncated)
        episodes[i].infos.append(result.info)
        if let size = frameSize, let frame = inner.render(width: size, height: size) { episodes[i].frames.append(frame) }
        return result
    }
}
