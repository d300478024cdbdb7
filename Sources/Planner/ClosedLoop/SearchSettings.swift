import Agents

/// A planning setting that does not fit the model or the other settings (the message names the flag).
public struct PlanningSetupError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The search settings every planning command shares (DINO-WM's CEM defaults; MPPI as TD-MPC2), nil meaning the
/// planner's default, and how they become an `MPCConfig` for a model.
public struct SearchSettings: Sendable, Equatable {
    /// Env steps per planned action for the oracle, which has no model to take a frameskip from (DINO-WM's 5).
    public static let oracleFrameskip = 5

    public var samples: Int?
    public var iterations: Int?
    public var horizon = 5
    public var execute = 5
    /// Env steps each planned action is held for (nil: the model's frameskip; `oracleFrameskip` for the oracle).
    public var actionRepeat: Int?
    public var cost: PlanCost = .min
    public var learnedWeight = 1.0
    /// `MPCConfig.disagreementWeight` (an ensemble's).
    public var disagreementWeight = 0.0
    public var initStd: Double?
    public var elites: Int?
    /// iCEM's changes to the CEM searches (nil: plain CEM); MPPI is unaffected.
    public var improved: ImprovedCEM?

    public init(
        samples: Int? = nil, iterations: Int? = nil, horizon: Int = 5, execute: Int = 5, actionRepeat: Int? = nil,
        cost: PlanCost = .min, learnedWeight: Double = 1, disagreementWeight: Double = 0, initStd: Double? = nil, elites: Int? = nil,
        improved: ImprovedCEM? = nil
    ) {
        self.samples = samples; self.iterations = iterations; self.horizon = horizon; self.execute = execute
        self.actionRepeat = actionRepeat; self.cost = cost; self.learnedWeight = learnedWeight
        self.disagreementWeight = disagreementWeight; self.initStd = initStd
        self.elites = elites; self.improved = improved
    }

    /// Throws unless a learned-channel weight other than 1 has observation channels to be weighed against (`name`: the
    /// model's file, for the message). Every planner that takes --learned-weight checks it here.
    public static func requireObservedChannels(learnedWeight: Double, observedChannels: Int, name: String? = nil) throws {
        guard learnedWeight != 1, observedChannels == 0 else { return }
        throw PlanningSetupError(
            "--learned-weight needs a model whose latent carries the observation (trained with --observation-in-latent)"
                + (name.map { ": \($0) was not" } ?? ""))
    }

    /// The controller settings for `model` (nil, or `oracle`: the simulator plans; a model there only scores).
    /// Throws when the learned-channel weight needs a model with observation channels, when the action repeat is not a
    /// multiple of the model's frameskip, or when a plan is shorter than the steps executed from it.
    public func config(env: String, model: (any LatentWorldModel)?, oracle: Bool = false) throws -> MPCConfig {
        try Self.requireObservedChannels(learnedWeight: learnedWeight, observedChannels: model?.observedLatentChannels ?? 0)
        if disagreementWeight > 0 && (oracle || (model as? EnsembleWorldModel)?.observationDisagreement() == nil) {
            throw PlanningSetupError(
                "--disagreement-weight needs an ensemble (--model a,b) of models whose latents carry the observation (trained with --observation-in-latent)"
            )
        }
        let frameskip = oracle ? nil : model?.frameskip
        let skip = frameskip ?? 1
        let repeatSteps = actionRepeat ?? frameskip ?? Self.oracleFrameskip
        guard repeatSteps % skip == 0 else {
            throw PlanningSetupError("--action-repeat \(repeatSteps) is not a multiple of the model's frameskip \(skip)")
        }
        guard execute <= horizon * repeatSteps else {
            throw PlanningSetupError("--execute \(execute) is more than the plan's \(horizon) x \(repeatSteps) env steps")
        }
        var c = try MPCConfig(env: env)
        c.cem.horizon = horizon
        c.mppi.horizon = horizon
        c.executeSteps = execute
        c.actionRepeat = repeatSteps
        if let s = samples { c.cem.samples = s; c.mppi.samples = s; c.cem.elites = min(c.cem.elites, s); c.mppi.elites = min(c.mppi.elites, s) }
        if let i = iterations { c.cem.iterations = i; c.mppi.iterations = i }
        if let e = elites { c.cem.elites = min(e, c.cem.samples); c.mppi.elites = min(e, c.mppi.samples) }
        if let s = initStd { c.cem.initialStd = s; c.mppi.initialStd = s }
        c.cem.improved = improved
        c.cost = cost
        c.learnedChannelWeight = learnedWeight
        c.disagreementWeight = disagreementWeight
        return c
    }
}
