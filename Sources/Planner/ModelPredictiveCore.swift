import Agents
import Envs
import Foundation

/// The model-predictive controller over the symmetry group, one for every world: encode the current and goal readings,
/// build the canonical frame from their latents with the group's frame builder (`Frame`: `PlanningFrame` for planar
/// worlds, `PlanningFrame3D` for SE(3)), search action sequences in that frame (CEM or MPPI) whose predicted latents
/// approach the goal latent, and turn the plan back into the world. `LatentMPC` (planar, target-point actions) and
/// `CloudMPC` (3D clouds, offsets from a reference point) are its two controllers: they keep what they execute and warm
/// start from, and hand every plan to this core.
struct ModelPredictiveCore<Frame: CanonicalFrame> {
    /// How the model sees the action (`ModelReading.action`), hence where the frame acts.
    enum Actions {
        /// Target points of the world: the readings, the goal and the actions are turned into the frame about its
        /// centre and the rollouts run there (in Float the rollouts' inputs are then the same numbers at every
        /// orientation up to the frame's Double rounding, so elite sets do not flip with the orientation).
        case points
        /// Offsets from the observation's equivariant reference point: only the offsets are turned; the rollouts run
        /// from the world's latents with the sampled offsets turned back into the world inside the cost.
        case offsets
        /// Offsets from a point of the observation (PushT's agent: `LatentWorldModel.actionOrigin`) in a world whose
        /// readings turn about the centre: the readings and the goal are turned into the frame as with `points` and the
        /// rollouts run there; the actions turn as vectors.
        case agentOffsets

        init(_ reading: ModelReading.Action) { self = reading == .offsetFromReference ? .offsets : .points }
    }

    enum Search {
        case cem(CEM.Config)
        case mppi(MPPI.Config)
        var horizon: Int {
            switch self {
            case let .cem(c): return c.horizon;
            case let .mppi(c): return c.horizon
            }
        }
    }

    /// Cost of a batch of action sequences (world actions, `batch` x `horizon` x actionSize) from z0 towards the goal.
    typealias Rollout = (_ z0: [Double], _ goal: [Double], _ actions: [Double], _ batch: Int, _ horizon: Int) -> [Double]

    let model: any LatentWorldModel
    /// The model the frame is built with (a Float model's Double twin, so the frame is the same at every orientation).
    let frameModel: any LatentWorldModel
    let equivariant: Bool
    let search: Search
    let actions: Actions
    /// `PlanningPresets.center`.
    let center: [Double]
    /// Where sampled actions may go, in the frame they are sampled in (the equivariant planner: a rotation-invariant
    /// disc or ball; the plain planners: the env's box, or the offsets' ball).
    let bounds: ActionBounds
    let rollout: Rollout
    var stats = PlannerStats()
    var lastFrame: Frame?
    /// Frame sources, counted (equivariant plans only).
    var frameCounts: [String: Int] = [:]

    var horizon: Int { search.horizon }

    mutating func reset() {
        stats = PlannerStats()
        frameCounts = [:]
    }

    /// Plans from the readings `current` and `target` (world frame), warm-started with `warmStart` (`horizon` world
    /// actions); returns the plan in the world. The search is seeded by the episode's seed and the plan's index.
    mutating func plan(current: [Double], target: [Double], warmStart: [[Double]], episodeSeed: UInt64) -> [[Double]] {
        let start = DispatchTime.now().uptimeNanoseconds
        var current = current, target = target
        let frame: Frame
        if equivariant {
            frame = Frame.from(
                latent: frameModel.encode(current, batch: 1), goal: frameModel.encode(target, batch: 1),
                rep: frameModel.latentRep, center: center)
            frameCounts[frame.sourceName, default: 0] += 1
            if !frame.isPrimary { stats.degenerateFrames += 1 }
            if frame.isIdentity { stats.identityFrames += 1 }
            if actions != .offsets {
                frame.toCanonical(&current)
                frame.toCanonical(&target)
            }
        } else {
            frame = .identity(center: center)
        }
        lastFrame = frame
        let z0 = model.encode(current, batch: 1)
        let zGoal = model.encode(target, batch: 1)
        let h = horizon, d = model.actionSize
        // Offsets always pass through the frame (the identity for the plain planner); points only when equivariant.
        let turnsActions = equivariant || actions == .offsets
        var flat = warmStart.flatMap { $0 }
        if turnsActions { actions == .agentOffsets ? frame.toCanonical(vectors: &flat) : frame.toCanonical(&flat) }
        let initial = (0..<h).map { Array(flat[($0 * d)..<(($0 + 1) * d)]) }
        let seed = episodeSeed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(stats.plans)
        let rollout = self.rollout
        let cost: SequenceCost
        switch actions {
        case .points, .agentOffsets:
            cost = { sampled, n in rollout(z0, zGoal, sampled, n, h) }
        case .offsets:
            cost = { canonical, n in
                var offsets = canonical
                frame.toWorld(&offsets)
                return rollout(z0, zGoal, offsets, n, h)
            }
        }
        let result: Plan
        switch search {
        case let .mppi(c): result = MPPI(config: c).plan(initialMean: initial, actionDim: d, bounds: bounds, seed: seed, cost: cost)
        case let .cem(c): result = CEM(config: c).plan(initialMean: initial, actionDim: d, bounds: bounds, seed: seed, cost: cost)
        }
        var world = result.actions.flatMap { $0 }
        if turnsActions { actions == .agentOffsets ? frame.toWorld(vectors: &world) : frame.toWorld(&world) }
        stats.plans += 1
        stats.modelEvaluations += result.evaluations
        stats.planSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (0..<h).map { Array(world[($0 * d)..<(($0 + 1) * d)]) }
    }
}
