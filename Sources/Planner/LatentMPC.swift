import Agents
import Envs
import Foundation

/// Which search the model-predictive controller runs.
public enum PlannerKind: String, CaseIterable, Sendable {
    /// CEM in the world frame, actions clipped to the env's box.
    case cem
    /// MPPI (TD-MPC2 style) in the world frame.
    case mppi
    /// CEM in the canonical frame of the current and goal latents, actions kept in the rotation-invariant disc.
    case equivariant
    /// CEM with the simulator itself as the model (the upper bound for any learned model).
    case oracle
}

extension PlannerKind {
    /// Whether `model` fits this planner: the equivariant planner relies on a model that is equivariant by construction
    /// (`LatentWorldModel.isEquivariant`, every member of an ensemble). Another model is refused with a message, unless
    /// `allowNonEquivariant`; then the returned warning says that the plans will not be exact. nil: nothing to say.
    @discardableResult
    public func check(model: (any LatentWorldModel)?, allowNonEquivariant: Bool, name: String? = nil) throws -> String? {
        guard self == .equivariant, let model, !model.isEquivariant else { return nil }
        let what = name.map { "the model \($0)" } ?? "the model"
        let consequence = "its plans will not be exact across orientations"
        if allowNonEquivariant {
            return "warning: \(what) is not equivariant by construction; the equivariant planner runs it anyway, but \(consequence)"
        }
        throw PlanningSetupError(
            "the equivariant planner needs a model that is equivariant by construction (a VN checkpoint); \(what) is not, so \(consequence). Plan it with cem, or allow it explicitly (--allow-non-equivariant)"
        )
    }

    /// `check`, with its warning, if any, written to standard error: what a command calls when it loads a model.
    public func admit(model: (any LatentWorldModel)?, allowNonEquivariant: Bool, name: String? = nil) throws {
        if let warning = try check(model: model, allowNonEquivariant: allowNonEquivariant, name: name) {
            FileHandle.standardError.write(Data((warning + "\n").utf8))
        }
    }
}

/// What the planners' cost measures along a predicted rollout (every model step, action repeat included).
public enum PlanCost: String, CaseIterable, Sendable {
    /// Squared distance of the final prediction to the goal (DINO-WM's objective; the default).
    case final
    /// Mean over all predicted steps of the squared distance to the goal, plus the final one: rewards
    /// sequences that get near the goal early and stay there.
    case sum
    /// Minimum over all predicted steps of the squared distance to the goal (reach it at some point).
    case min
}

extension PlanCost {
    /// Folds one step's squared distances into the running cost.
    static func accumulate(_ mode: PlanCost, _ acc: [Double], _ d: [Double]) -> [Double] {
        switch mode {
        case .final: return acc
        case .sum: return zip(acc, d).map { $0 + $1 }
        case .min: return zip(acc, d).map { Swift.min($0, $1) }
        }
    }

    /// The cost of each sequence from the running cost and the final step's distances.
    static func finish(_ mode: PlanCost, _ acc: [Double], final d: [Double], steps: Int) -> [Double] {
        switch mode {
        case .final: return d
        case .sum: return zip(acc, d).map { $0 / Double(Swift.max(1, steps)) + $1 }
        case .min: return acc
        }
    }
}

/// Figures a controller keeps about its own planning.
public struct PlannerStats: Codable, Sendable {
    public var plans = 0
    public var degenerateFrames = 0
    public var identityFrames = 0
    public var planSeconds = 0.0
    public var modelEvaluations = 0
    public var secondsPerPlan: Double { plans == 0 ? 0 : planSeconds / Double(plans) }
    public init() {}
}

/// A controller that plans (the model-predictive controllers and the oracle): its figures, whatever its model.
public protocol PlanningController: Policy {
    var stats: PlannerStats { get }
}

/// Shared settings of the model-predictive controllers.
public struct MPCConfig: Sendable {
    public var cem = CEM.Config()
    public var mppi = MPPI.Config()
    /// Env steps executed from each plan before replanning.
    public var executeSteps = 5
    /// Env steps each planned action is held for (DINO-WM's frameskip): a plan of `horizon` actions looks
    /// `horizon * actionRepeat` steps ahead, which is what reaching a goal 25 steps away needs. With a model
    /// trained at frameskip k, each action is `actionRepeat / k` predictions (a multiple of k is expected).
    public var actionRepeat = 1
    /// The cost along a predicted rollout (default: final latent only, as DINO-WM).
    public var cost: PlanCost = .final
    /// The symmetry centre and the disc the equivariant planner keeps actions in (the env's `PlanningPresets`).
    public var center: (x: Double, y: Double)
    public var discRadius: Double
    /// The env's action box (plain planners clip to it).
    public var low: [Double]
    public var high: [Double]
    /// Index of the agent's (x, y) in the observation: the first plan starts from "stay where you are" (the env's
    /// `ModelReading.agentIndex`).
    public var agentIndex: Int
    /// Weight of the learned latent channels in the latent distance, against 1 for the channels that carry the
    /// observation itself (models with z = [E(o), o]; ignored by others). 0: the distance of the predicted
    /// observations alone. Per-channel weights keep the distance invariant under rho(g).
    public var learnedChannelWeight = 1.0
    /// The latent distance the cost is made of (`LatentCost`; default the O(n)-invariant squared distance, with the
    /// weights of `learnedChannelWeight`).
    public var latentCost: LatentCost = .euclidean
    /// An ensemble's disagreement penalty: this weight times the members' variance about the predicted observation
    /// (`EnsembleWorldModel.observationDisagreement`) is added to the latent distance at every predicted step. 0: none.
    public var disagreementWeight = 0.0
    /// The oracle only (a diagnostic): an imperfect model made from the simulator, the env's own model error
    /// (`SimulatableEnvironment.modelError`) of this mean size. In its planning rollouts (never in the real env) the
    /// state is perturbed after every planned action, seeded by the plan (PushT: after every action that moved the T by
    /// more than 1 px, the T is shifted by an isotropic Gaussian offset whose mean length is this many px, the mean
    /// error of its keypoints). nil: the exact simulator.
    public var oracleNoise: Double?
    /// With `oracleNoise`: the error is a fixed smooth function of the state and action for the episode (PushT: of agent,
    /// action and T) instead of a fresh random draw per rollout, so the search can exploit it as it exploits a learned
    /// model's systematic errors.
    public var oracleNoiseSmooth = false
    /// Let the equivariant planner run a model that is not equivariant by construction (`isEquivariant` false, e.g. an
    /// MLP): its plans are then not exact across the group. Off: such a model is refused (`PlannerKind.check`).
    public var allowNonEquivariantModel = false

    /// The settings for env `id`, from its registered adapters (planner presets and model reading).
    public init(env id: String) throws {
        let adapters = try Registry.adapters(id)
        self.init(presets: adapters.planning, agentIndex: adapters.model.agentIndex)
    }

    /// The settings for an env with these presets; `agentIndex` nil: the env has no agent (the first plan starts
    /// from the observation's first point).
    public init(presets: PlanningPresets, agentIndex: Int?) {
        precondition(presets.center.count == 2, "MPCConfig: planar planning needs a 2D centre")
        center = (presets.center[0], presets.center[1])
        discRadius = presets.invariantRadius
        low = presets.actionLow
        high = presets.actionHigh
        self.agentIndex = agentIndex ?? 0
    }
}

extension LatentWorldModel {
    /// Per-number weights of the planners' latent distance: 1 on the channels that carry the observation, `learned`
    /// on the others; nil when all are 1 (or the latent carries no observation). Latent rows hold one vector channel
    /// after another (`latentRep.dim` numbers each), observation channels last.
    public func latentCostWeights(learned: Double) -> [Double]? {
        let observed = observedLatentChannels, rep = latentRep
        guard observed > 0, learned != 1 else { return nil }
        precondition(rep.scalars == 0, "latentCostWeights: the latent has scalar channels")
        let learnedChannels = rep.vectors - observed
        return (0..<rep.size).map { $0 / rep.dim < learnedChannels ? learned : 1 }
    }
}

/// Weighted squared distance (weights nil: plain).
@inline(__always)
func squaredDistance(_ z: UnsafeBufferPointer<Double>, _ goal: [Double], weights: [Double]?) -> Double {
    var c = 0.0
    if let w = weights {
        for j in 0..<goal.count { let e = z[j] - goal[j]; c += w[j] * e * e }
    } else {
        for j in 0..<goal.count { let e = z[j] - goal[j]; c += e * e }
    }
    return c
}

extension LatentWorldModel {
    /// The env's observation as this model reads it: with `observesPreviousAction`, followed by the action that
    /// produced it, or, with none (after a reset, and for goals), the agent's position at `agentIndex`: a PD agent at
    /// rest there is what driving it towards its own position gives. With `observesAgentVelocity`, then where the agent
    /// was one env step before (`previousAgent`), or with none (at rest) where it is.
    func reading(_ obs: [Double], previousAction: [Double]?, previousAgent: [Double]? = nil, agentIndex: Int) -> [Double] {
        let here = [obs[agentIndex], obs[agentIndex + 1]]
        var row = obs
        if observesPreviousAction { row += previousAction ?? here }
        if observesAgentVelocity { row += previousAgent ?? here }
        return row
    }
}

/// Model-predictive control in the latent space of a `LatentWorldModel` of a planar world whose actions are target
/// points: encode the observation and the goal observation, search action sequences whose predicted final latent is
/// closest to the goal latent, execute the first `executeSteps` actions, replan (warm-started with the rest of the
/// plan, shifted). The search itself is the group's `ModelPredictiveCore` with the planar `PlanningFrame`.
public final class LatentMPC: PlanningController {
    public let name: String
    public let model: any LatentWorldModel
    public let kind: PlannerKind
    public let config: MPCConfig
    /// The goal observation given the current one (e.g. a fixed goal, or the goal T with the current agent).
    public var goal: (_ observation: [Double]) -> [Double]
    public var stats: PlannerStats { core.stats }
    /// The last plan's frame (for inspection and tests).
    public var lastFrame: PlanningFrame? { core.lastFrame }
    private var core: ModelPredictiveCore<PlanningFrame>
    /// The last plan (world coordinates) and how many of its actions have been executed.
    private var lastPlan: [[Double]] = []
    private var executed = 0
    private var episodeSeed: UInt64 = 0
    /// The action returned last (for models that observe it); nil after a reset.
    private var lastAction: [Double]?
    /// The agent's position in the observation `action` was given last (one env step before the current one; for
    /// models that observe the agent's velocity); nil after a reset.
    private var previousAgent: [Double]?

    /// Whether plans are offsets from the agent (a model with `actionOrigin`): each is executed as the agent's position
    /// where its block starts plus the offset. Otherwise plans are target points.
    public var plansOffsets: Bool { model.actionOrigin != nil }

    public init(model: any LatentWorldModel, kind: PlannerKind, config: MPCConfig, goal: @escaping (_ observation: [Double]) -> [Double]) {
        precondition(kind != .oracle, "the oracle plans with the simulator: use SimulatorMPC")
        self.model = model
        self.kind = kind
        self.config = config
        self.goal = goal
        name = kind.rawValue
        // A model trained at frameskip k advances k env steps per prediction.
        let modelSteps = max(1, max(1, config.actionRepeat) / max(1, model.frameskip))
        let costMode = config.cost, weights = model.latentCostWeights(learned: config.learnedChannelWeight)
        let latentCost = config.latentCost
        precondition((try? latentCost.validate(rep: model.latentRep)) != nil, "LatentMPC: the \(latentCost) cost does not fit the model's latent")
        let penalty = Self.disagreementPenalty(model: model, weight: config.disagreementWeight)
        let equivariant = kind == .equivariant
        // A model of offsets from the agent: the search samples offsets in a ball (rotation-invariant, so the same for
        // both planners), turned by the frame as vectors; otherwise target points in the disc or the env's box.
        let offsets = model.actionOrigin != nil
        let bounds: ActionBounds =
            offsets
            ? .ball(radius: config.discRadius)
            : equivariant ? .disc(center: config.center, radius: config.discRadius) : .box(low: config.low, high: config.high)
        core = ModelPredictiveCore(
            model: model, frameModel: model.doubleTwin ?? model, equivariant: equivariant,
            search: kind == .mppi ? .mppi(config.mppi) : .cem(config.cem), actions: offsets ? .agentOffsets : .points,
            center: [config.center.x, config.center.y], bounds: bounds,
            rollout: { [model] z0, zGoal, actions, n, h in
                Self.rolloutCost(
                    model: model, z0: z0, goal: zGoal, actions: actions, batch: n, horizon: h, hold: modelSteps, mode: costMode,
                    weights: weights, latentCost: latentCost, penalty: penalty)
            })
    }

    /// The per-row penalty for `MPCConfig.disagreementWeight` (nil at weight 0). A weight on a model that is not an
    /// ensemble sharing observation channels is a setup error `SearchSettings.config` reports first.
    static func disagreementPenalty(model: any LatentWorldModel, weight: Double) -> ((UnsafeBufferPointer<Double>) -> Double)? {
        guard weight > 0 else { return nil }
        guard let disagreement = (model as? EnsembleWorldModel)?.observationDisagreement() else {
            preconditionFailure("LatentMPC: a disagreement weight needs an ensemble whose members carry the observation")
        }
        return { row in weight * disagreement(row) }
    }

    public func reset(seed: UInt64) {
        lastPlan.removeAll()
        executed = 0
        episodeSeed = seed
        lastAction = nil
        previousAgent = nil
        core.reset()
    }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        let obs = observation.values
        let extra = (model.observesPreviousAction ? model.actionSize : 0) + (model.observesAgentVelocity ? model.actionSize : 0)
        guard obs.count + extra == model.observationSize else {
            throw EnvError.invalidArgument("the model takes \(model.observationSize - extra) observation numbers, the env gives \(obs.count)")
        }
        let r = max(1, config.actionRepeat)
        if lastPlan.isEmpty || executed >= min(config.executeSteps, lastPlan.count * r) {
            lastPlan = plan(observation: obs)
            executed = 0
        }
        previousAgent = [obs[config.agentIndex], obs[config.agentIndex + 1]]
        executed += 1
        var a = lastPlan[(executed - 1) / r]
        if let origin = model.actionOrigin {
            // An offset is taken from where the agent is when its block starts (as the model saw it in training).
            guard (executed - 1) % r != 0, let held = lastAction else {
                a = [obs[origin] + a[0], obs[origin + 1] + a[1]]
                lastAction = a
                return a
            }
            return held
        }
        lastAction = a
        return a
    }

    /// Plans from `observation`; returns the whole sequence in world coordinates (target points, or with
    /// `plansOffsets` offsets from the agent in the world's axes).
    ///
    /// The equivariant planner computes its canonical frame from the latents of the current and goal observations
    /// (with the model's Double twin when it has one), maps both observations into that frame, and plans there:
    /// samples, model rollouts, costs and the search's statistics are all canonical, and only the plan is turned
    /// back into the world. For an exactly equivariant model this is the same plan as rolling out world-frame
    /// samples; in Float it also makes the rollouts' inputs the same numbers at every orientation up to the frame's
    /// Double rounding, so CEM's elite sets do not flip with the orientation.
    public func plan(observation obs: [Double]) -> [[Double]] {
        let current = model.reading(obs, previousAction: lastAction, previousAgent: previousAgent, agentIndex: config.agentIndex)
        let target = model.reading(goal(obs), previousAction: nil, agentIndex: config.agentIndex)
        // Warm start: the last plan shifted by what was executed, padded with its last action; else stay put.
        let h = core.horizon, r = max(1, config.actionRepeat)
        var mean: [[Double]] = Array(lastPlan.dropFirst(executed / r).prefix(h))
        let hold = lastPlan.last ?? (plansOffsets ? [0, 0] : [obs[config.agentIndex], obs[config.agentIndex + 1]])
        while mean.count < h { mean.append(hold) }
        return core.plan(current: current, target: target, warmStart: mean, episodeSeed: episodeSeed)
    }

    /// Squared distance (weighted by `weights` per latent number, if given; or another `latentCost`) of the predicted
    /// latents to the goal latent, per sequence (`mode`: the final one, the mean over every predicted step plus the final one, or the
    /// minimum over steps); each action is held for `hold` model steps.
    /// `total`: instead, the sum over every predicted step of the squared distance, unnormalised (the 3D planner's cost).
    /// `penalty`: a function of each predicted row added to its distance (an ensemble's disagreement).
    static func rolloutCost(
        model: any LatentWorldModel, z0: [Double], goal: [Double], actions: [Double], batch n: Int, horizon h: Int,
        hold: Int = 1, mode: PlanCost = .final, weights: [Double]? = nil, latentCost: LatentCost = .euclidean, total: Bool = false,
        penalty: ((UnsafeBufferPointer<Double>) -> Double)? = nil
    ) -> [Double] {
        let mode = total ? PlanCost.sum : mode
        let size = z0.count, d = model.actionSize
        var z = [Double](repeating: 0, count: n * size)
        for s in 0..<n { z.replaceSubrange((s * size)..<((s + 1) * size), with: z0) }
        var step = [Double](repeating: 0, count: n * d)
        var accumulated = [Double](repeating: mode == .min ? Double.infinity : 0, count: n)
        let distance = latentCost.against(goal: goal, rep: model.latentRep, weights: weights)
        func distances() -> [Double] {
            z.withUnsafeBufferPointer { all in
                (0..<n).map { s in
                    let row = UnsafeBufferPointer(rebasing: all[(s * size)..<((s + 1) * size)])
                    return distance(row) + (penalty?(row) ?? 0)
                }
            }
        }
        for t in 0..<h {
            for s in 0..<n {
                for j in 0..<d { step[s * d + j] = actions[(s * h + t) * d + j] }
            }
            for _ in 0..<hold {
                z = model.predict(z, actions: step, batch: n)
                if mode != .final { accumulated = PlanCost.accumulate(mode, accumulated, distances()) }
            }
        }
        if total { return accumulated }
        return PlanCost.finish(mode, accumulated, final: distances(), steps: h * hold)
    }
}
