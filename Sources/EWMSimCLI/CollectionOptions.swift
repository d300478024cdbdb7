import ArgumentParser
import Envs
import Train

extension OrientationSlice: ExpressibleByArgument {
    public init?(argument: String) { try? self.init(degrees: argument) }
}
extension CollectConfig.PolicyKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument) }
}
extension CollectConfig.Start: ExpressibleByArgument {}

/// How transitions are collected, shared by `collect` and `train` (which collects in memory unless given --data).
struct CollectionOptions: ParsableArguments {
    @Option(help: "Episodes to collect.") var episodes: Int = 400
    @Option(help: "Transitions per episode.") var episodeSteps: Int = 50
    @Option(
        name: .customLong("slice"),
        help: "Slice of the group: planar, orientations in degrees (lo:hi, or w for -w:w; default 15); 3D, a ladder rung identity|so2|so3|se3."
    ) var sliceText: String?
    @Option(
        help:
            "Policy: mixed (the env's explorer mixed with uniform random actions), pusher, random, or one the env registers (pusht: expert; push3d, push3d-multi: scripted). 3D: built-in kinds = random offsets."
    )
    var policy: CollectConfig.PolicyKind = .mixed
    @Option(help: "Std of Gaussian noise on every action of a named policy (pusht expert: px), drawn per action.") var actionNoise: Double = 0
    @Option(help: "Fraction of uniform random actions in the mixed policy; 3D with a named policy: of random offsets in its steps.")
    var randomFraction: Double = 0.25
    @Option(help: "Mixed policy: random actions = the agent's position + Gaussian noise of this std (px) (default: uniform).") var randomStd: Double?
    @Option(help: "PushT start distribution: goal-region, half-plane, or reference (gym-pusht's own reset).") var start: CollectConfig.Start =
        .goalRegion
    @Option(help: "PushT goal-region / half-plane start: half-width of the T's angle around pi/4, radians.") var angleSpread: Double = 0.6
    @Option(help: "3D: canonical start = the template turned by a rotation vector uniform in this ball (radians).") var startSpread: Double = 0.25
    @Option(help: "3D: actions = reference point + an offset uniform in the ball of this radius.") var actionRadius: Double = 1
    @Option(help: "Frames stacked per observation, newest first (PushT keypoints carry no velocities: 2 makes one step well posed).")
    var history: Int = 1
    @Option(help: "Env steps each action is held for; one transition = this many env steps (DINO-WM: 5).") var frameskip: Int = 1
    @Flag(help: "PushT: the observation also holds the previous action as one more point (the agent's velocity); planners supply it.")
    var previousAction = false
    @Flag(
        help:
            "PushT: the observation also holds where the agent was one env step before, as one more point (with its position, the agent's velocity); planners supply it."
    )
    var agentVelocity = false
    @Option(help: "Seed (data; train: also weights and batches).") var seed: UInt64 = 0

    /// Checks the flags against `env`'s model adapters (3D worlds take no frameskip; stacking and the previous action
    /// fit the env's reading).
    func validate(env: String) throws {
        guard episodes > 0, episodeSteps > 0 else { throw ValidationError("--episodes and --episode-steps must be positive") }
        guard (0...1).contains(randomFraction) else { throw ValidationError("--random-fraction must be in [0, 1]") }
        if let s = randomStd, !(s > 0 && s.isFinite) { throw ValidationError("--random-std must be a positive number") }
        guard actionNoise >= 0, actionNoise.isFinite else { throw ValidationError("--action-noise must be >= 0") }
        guard angleSpread >= 0, angleSpread.isFinite else { throw ValidationError("--angle-spread must be >= 0") }
        guard (1...8).contains(history) else { throw ValidationError("--history must be 1...8") }
        guard CollectConfig.frameskips.contains(frameskip) else { throw ValidationError("--frameskip must be in \(CollectConfig.frameskips)") }
        do {
            if CloudLayout.isSupported(env) {
                guard frameskip == 1 else { throw ValidationError("--frameskip applies to planar envs, not \(env)") }
                _ = try rung
                if cloudPolicy == nil, actionNoise != 0 {
                    throw ValidationError("--action-noise applies to a named policy (--policy NAME), not \(policy)")
                }
            } else {
                _ = try ObservationLayout.forEnv(env, history: history, previousAction: previousAction, agentVelocity: agentVelocity)
                _ = try slice
            }
        } catch let error as EnvError {
            throw ValidationError(error.description)
        }
    }

    /// The flags that define a collection, as a sweep's part header records them.
    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("episodes", episodes); a.add("episode-steps", episodeSteps); a.add("slice", sliceText); a.add("policy", policy)
        a.add("random-fraction", randomFraction); a.add("random-std", randomStd); a.add("start", start); a.add("angle-spread", angleSpread)
        a.add("start-spread", startSpread); a.add("action-radius", actionRadius); a.add("history", history); a.add("frameskip", frameskip)
        a.flag("previous-action", previousAction); a.flag("agent-velocity", agentVelocity); a.add("seed", seed)
        return a.list
    }

    /// The planar slice.
    var slice: OrientationSlice {
        get throws {
            guard let sliceText else { return .defaultSlice }
            guard let s = OrientationSlice(argument: sliceText) else {
                throw ValidationError("--slice: '\(sliceText)' is not a slice in degrees (e.g. -15:15 or 15)")
            }
            return s
        }
    }

    /// The 3D rung.
    var rung: SE3Ladder.Rung { get throws { try SE3Ladder.Rung.parse(sliceText ?? "identity") } }

    func planarConfig(env: String) throws -> CollectConfig {
        CollectConfig(
            env: env, episodes: episodes, stepsPerEpisode: episodeSteps, policy: policy, randomFraction: randomFraction, orientations: try slice,
            seed: seed, start: start, angleSpread: angleSpread, history: history, frameskip: frameskip, previousAction: previousAction,
            randomStd: randomStd, actionNoise: actionNoise, agentVelocity: agentVelocity)
    }

    func cloudConfig(env: String) throws -> Collect3DConfig {
        Collect3DConfig(
            env: env, episodes: episodes, stepsPerEpisode: episodeSteps, rung: try rung, startSpread: startSpread, actionRadius: actionRadius,
            seed: seed, policy: cloudPolicy, actionNoise: cloudPolicy == nil ? nil : actionNoise,
            randomFraction: cloudPolicy == nil ? nil : randomFraction)
    }

    /// 3D: the named policy (`--policy NAME`, one the env registers; push3d: scripted); the built-in kinds mean random
    /// offsets (nil).
    var cloudPolicy: String? {
        CollectConfig.PolicyKind.builtIn.contains(policy) ? nil : policy.rawValue
    }
}
