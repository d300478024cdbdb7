import Agents
import Envs

/// Model-predictive control of a 3D cloud world in the latent space of a `LatentWorldModel` whose actions are offsets
/// from an equivariant reference point (`LoadedCloudModel`): plan a sequence of offsets whose predicted latents
/// approach the goal latent (cost: sum over the horizon of |z_t - z*|^2, the learned channels weighted by
/// `learnedChannelWeight` on a latent that carries the observation), execute the first `executeSteps` as
/// target points reference(observation) + offset, replan (warm start: the rest of the plan, shifted).
/// `equivariant`: CEM samples in the canonical frame of `PlanningFrame3D` (offsets in a ball: rotation-invariant);
/// otherwise CEM samples the offsets in the world's axes (same ball; translations are still handled by the reference
/// point, so the plain planner differs only in the frame). The search is the group's `ModelPredictiveCore`.
public final class CloudMPC: PlanningController {
    public struct Config: Sendable {
        public var cem = CEM.Config()
        public var executeSteps = 1
        /// Offsets stay in this ball (the collection's action radius).
        public var radius = 1.0
        public var equivariant = true
        /// Weight of the learned latent channels in the cost against 1 for the channels that carry the observation
        /// (models trained with --observation-in-latent; `LatentWorldModel.latentCostWeights`).
        public var learnedChannelWeight = 1.0
        public init() {
            cem.horizon = 4; cem.samples = 100; cem.elites = 10; cem.iterations = 8; cem.initialStd = 0.5; cem.minStd = 0.02
        }
    }

    public let name: String
    public let model: any LatentWorldModel
    public let config: Config
    public let reference: ([Double]) -> Vec3
    public var goal: [Double]
    public var stats: PlannerStats { core.stats }
    public var lastFrame: PlanningFrame3D? { core.lastFrame }
    /// Frame sources, counted.
    public var frameCounts: [String: Int] { core.frameCounts }
    private var core: ModelPredictiveCore<PlanningFrame3D>
    private var lastPlan: [[Double]] = []  // offsets, world axes
    private var executed = 0
    private var episodeSeed: UInt64 = 0

    public init(model: any LatentWorldModel, config: Config, goal: [Double], reference: @escaping ([Double]) -> Vec3) {
        precondition(model.actionSize == 3 && model.latentRep.dim == 3, "CloudMPC needs a 3D model with 3-number offset actions")
        self.model = model; self.config = config; self.goal = goal; self.reference = reference
        name = config.equivariant ? "equivariant" : "cem"
        core = ModelPredictiveCore(
            model: model, frameModel: model, equivariant: config.equivariant, search: .cem(config.cem), actions: .offsets,
            center: [0, 0, 0], bounds: .ball(radius: config.radius),
            rollout: { [model, weights = model.latentCostWeights(learned: config.learnedChannelWeight)] z0, zGoal, offsets, n, h in
                LatentMPC.rolloutCost(model: model, z0: z0, goal: zGoal, actions: offsets, batch: n, horizon: h, weights: weights, total: true)
            })
    }

    public func reset(seed: UInt64) {
        lastPlan.removeAll(); executed = 0; episodeSeed = seed; core.reset()
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
        let h = core.horizon
        var mean: [[Double]] = Array(lastPlan.dropFirst(executed).prefix(h))
        while mean.count < h { mean.append(mean.last ?? [0, 0, 0]) }
        return core.plan(current: obs, target: goal, warmStart: mean, episodeSeed: episodeSeed)
    }
}
