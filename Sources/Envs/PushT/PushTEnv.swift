import EWMIO
import Foundation

/// PushT, faithful to gym-pusht 0.1.8 (pymunk 6.11.1) as `shared/spec/pusht.md` defines it.
///
/// ## Action Space
/// `Box(0, 512, shape [2], float64)`: the target position of the agent. As in the reference, values
/// outside the box are not clipped (the PD controller simply aims there); non-finite values or a
/// wrong size are rejected with `EnvError.invalidAction` and the world is left untouched. So is a finite
/// action too large for the dynamics (a target near 1e308 overflows the PD controller): the step is run,
/// found to leave a non-finite number in the state, observation or info, undone, and rejected. Elements beyond
/// +-`actionLimit` (1e5 px, 200 times the workspace) are rejected before the step: there the agent flies through the
/// walls and later steps would overflow.
///
/// ## Observation
/// - `state`: `[agent_x, agent_y, block_x, block_y, block_angle mod 2pi]`, block x/y = the T's body origin.
/// - `keypoints`: the T's 8 corners (x0, y0, ..., x7, y7; bar then stem, see `PushTGeometry`) and the
///   agent position: 18 numbers.
/// - `pixels`: 96 x 96 RGB of the scene.
///
/// ## Reward
/// coverage = area(block ∩ goal) / area(goal); reward = clip(coverage / 0.95, 0, 1).
///
/// ## Episode End
/// terminated = success = coverage > 0.95. The registry's `make` adds the 300-step time limit (truncation).
///
/// ## Starting State
/// `reset(seed:)` draws `[integers(50,450), integers(50,450), integers(100,400), integers(100,400),
/// uniform(-pi, pi)]` from numpy's PCG64 for that seed, bit for bit, then sets it in the legacy order
/// (agent position; block origin at angle 0; then the angle, about the centre of gravity; one substep).
/// `ResetOptions.state` sets a given state the same way (the reference's `reset_to_state`).
///
/// ## Orientation
/// `worldRotation` builds the `world` orbit variant: the whole Box2D world (walls, goal) rotated by
/// theta about (256, 256); observations are then those of the rotated world. The exact `frame` variant is
/// `OrientationWrapper(PushTEnv(), angle: theta)`.
///
/// ## Version History
/// - v0: gym-pusht 0.1.8's dynamics on Box2D's collision pipeline with Chipmunk's solver order.
public final class PushTEnv: SymmetricEnvironment {
    public enum ObservationType: String, CaseIterable, Sendable {
        case state, keypoints, pixels
    }

    /// The reference's `_set_state` order (legacy, the default) or angle first, then position.
    public enum ResetOrder: String, CaseIterable, Sendable {
        case legacy, angleFirst = "angle-first"
    }

    public struct Config: Sendable {
        public var observationType: ObservationType = .state
        public var resetOrder: ResetOrder = .legacy
        /// Orientation of the `world` build (radians about (256, 256)); 0 is canonical PushT.
        public var worldRotation = 0.0
        public var physics = PushTPhysics.Config()
        /// Pixel observation size.
        public var imageSize = 96
        public init(observationType: ObservationType = .state, resetOrder: ResetOrder = .legacy, worldRotation: Double = 0) {
            self.observationType = observationType
            self.resetOrder = resetOrder
            self.worldRotation = worldRotation
        }
    }

    public let config: Config
    public let physics: PushTPhysics
    public let spec: EnvSpec
    public let observationSpace: BoxSpace
    public let actionSpace = BoxSpace(low: 0, high: 512, shape: [2])
    /// See "Action Space": targets within +-1e5 px (the world build's are too: it rotates about the workspace centre).
    public var actionLimit: Double? { 1e5 }
    public var symmetryCenter: Vec2 { PushTGeometry.workspaceCenter }
    /// A rotation by theta about `symmetryCenter`.
    public func element(orientation theta: Double) -> PlanarRotation { PlanarRotation(angle: theta, center: symmetryCenter) }

    /// The `world` build's orientation (identity for canonical PushT).
    public var worldFrame: PlanarRotation { physics.worldRotation }
    /// The goal pose in this env's world coordinates.
    public let goal: Pose
    private let gauge: CoverageGauge
    private var rng: NumpyRandom?
    public private(set) var lastAction: Vec2?
    private var needsReset = true

    public init(config: Config = Config()) {
        self.config = config
        let g = PlanarRotation(angle: config.worldRotation, center: PushTGeometry.workspaceCenter)
        physics = PushTPhysics(config: config.physics, worldRotation: g)
        goal = g.act(onPose: PushTGeometry.goalPose)
        gauge = CoverageGauge(goal: goal)
        spec = EnvSpec(
            id: "pusht", maxEpisodeSteps: PushTGeometry.maxEpisodeSteps, controlHz: 10,
            summary: "Push the T onto the goal (gym-pusht 0.1.8 dynamics on Box2D)")
        observationSpace = Self.observationSpace(config: config, angle: config.worldRotation)
    }

    /// The observation space of a world turned by `angle` about (256, 256): positions lie in the workspace square
    /// [0, 512]^2 turned, whose bounding box is 256 +- 256 (|cos| + |sin|) (exactly [0, 512] at angle 0). The T's
    /// corners reach `keypointMargin` further (gym-pusht's keypoint box, [0, 512], does not hold its own resets).
    static func observationSpace(config: Config, angle: Double) -> BoxSpace {
        let turn = angle == 0 ? 1 : abs(cos(angle)) + abs(sin(angle))
        let centre = PushTGeometry.workspaceCenter.x, half = PushTGeometry.workspaceSize / 2
        let low = centre - half * turn, high = centre + half * turn
        switch config.observationType {
        case .state:
            return BoxSpace(low: [low, low, low, low, 0], high: [high, high, high, high, 2 * Double.pi])
        case .keypoints:
            let reach = (half + keypointMargin) * turn
            return BoxSpace(low: centre - reach, high: centre + reach, shape: [18])
        case .pixels:
            return BoxSpace(low: 0, high: 255, shape: [config.imageSize, config.imageSize, 3], dtype: .uint8)
        }
    }

    /// How far outside the workspace square the T's corners can be: a reset puts the centre of gravity anywhere in
    /// [100, 400] x [145, 445] (origin + (0, 45)) with the corners up to 76.5 px from it, so corners reach y = 521.5
    /// (9.5 px out) before the walls push the T back; contacts press it a few px into a wall. 24 px holds both.
    static let keypointMargin = 24.0

    public convenience init(observationType: ObservationType) {
        self.init(config: Config(observationType: observationType))
    }

    // MARK: Environment

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let s = options.state { try Self.validate(state: s) }
        let savedRNG = rng
        do {
            return try resetKeepingFinite { try resetUnchecked(seed: seed, options: options) }
        } catch {
            rng = savedRNG
            throw error
        }
    }

    private func resetUnchecked(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let seed { rng = NumpyRandom(seed: seed) }
        let state: [Double]
        if let s = options.state {
            state = s
        } else {
            if rng == nil { rng = NumpyRandom(seed: UInt64.random(in: 0...UInt64.max)) }
            state = Self.sampleState(&rng!)
        }
        setState(worldFrame.act(onState: state), angleOffset: worldFrame.angle)
        lastAction = nil
        needsReset = false
        var info = makeInfo()
        info["is_success"] = .bool(false)
        return (observation(under: nil), info)
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        if needsReset { throw EnvError.needsReset("call reset before step") }
        return try stepKeepingFinite(action) { stepUnchecked(action) }
    }

    private func stepUnchecked(_ action: [Double]) -> StepResult {
        let target = Vec2(action[0], action[1])
        physics.contactPointCount = 0
        physics.step(target: target)
        lastAction = target
        let coverage = self.coverage
        var info = makeInfo(coverage: coverage)
        let success = coverage > PushTGeometry.successThreshold
        info["is_success"] = .bool(success)
        return StepResult(
            observation: observation(under: nil), reward: PushTGeometry.reward(coverage: coverage),
            terminated: success, truncated: false, info: info)
    }

    // MARK: State

    /// A copy of the whole simulation state (for planners that use the simulator as their model).
    public struct Snapshot: Sendable {
        fileprivate var physics: PushTPhysics.Snapshot
        fileprivate var lastAction: Vec2?
        fileprivate var needsReset: Bool
    }

    public func snapshot() -> Snapshot { Snapshot(physics: physics.snapshot(), lastAction: lastAction, needsReset: needsReset) }

    public var hasFiniteState: Bool { physics.hasFiniteState }

    /// Returns the env to a snapshot taken from an env of the same configuration.
    public func restore(_ s: Snapshot) {
        physics.restore(s.physics)
        lastAction = s.lastAction
        needsReset = s.needsReset
    }

    /// The current observation (what the last reset or step returned).
    public var currentObservation: Observation { observation(under: nil) }

    /// The five numbers gymnasium's `np_random` draws for a reset.
    public static func sampleState(_ rng: inout NumpyRandom) -> [Double] {
        let ax = rng.integers(50, 450), ay = rng.integers(50, 450)
        let bx = rng.integers(100, 400), by = rng.integers(100, 400)
        let angle = rng.uniform(-Double.pi, Double.pi)
        return [Double(ax), Double(ay), Double(bx), Double(by), angle]
    }

    public static func validate(state: [Double]) throws {
        guard state.count == 5 else {
            throw EnvError.invalidState("expected 5 values [agent_x, agent_y, block_x, block_y, block_angle], got \(state.count)")
        }
        if let i = state.firstIndex(where: { !$0.isFinite }) { throw EnvError.invalidState("element \(i) is \(state[i]); states must be finite") }
    }

    /// Sets a state in this env's world coordinates, as the reference's `_set_state`, then runs one
    /// substep. `angleOffset` is the angle the block has "at rest" in this world (the world build's theta).
    private func setState(_ s: [Double], angleOffset: Double) {
        physics.resetDynamics()
        physics.setAgentPosition(Vec2(s[0], s[1]))
        switch config.resetOrder {
        case .legacy:
            physics.setBlockAngle(angleOffset)
            physics.setBlockOrigin(Vec2(s[2], s[3]))
            physics.setBlockAngle(s[4])
        case .angleFirst:
            physics.setBlockAngle(s[4])
            physics.setBlockOrigin(Vec2(s[2], s[3]))
        }
        physics.substep(dt: PushTGeometry.dt)
    }

    /// Coverage of this world's goal.
    public var coverage: Double { gauge.coverage(block: physics.blockPose) }

    /// `[agent_x, agent_y, block_x, block_y, block_angle]` in this env's world coordinates (angle unwrapped).
    public var state: [Double] {
        let o = physics.blockOrigin
        return [physics.agentPosition.x, physics.agentPosition.y, o.x, o.y, physics.blockAngle]
    }

    private func makeInfo(coverage: Double? = nil) -> Info {
        var info = Info()
        let pose = physics.blockPose
        info["coverage"] = .double(coverage ?? self.coverage)
        info["pos_agent"] = .doubles([physics.agentPosition.x, physics.agentPosition.y])
        info["vel_agent"] = .doubles([physics.agentVelocity.x, physics.agentVelocity.y])
        info["block_pose"] = .doubles([pose.x, pose.y, pose.angle])
        info["goal_pose"] = .doubles([goal.x, goal.y, goal.angle])
        // The reference divides by int(1 / dt * control_hz) = 1000 (not the 10 substeps) and rounds up.
        info["n_contacts"] = .int(Int((Double(physics.contactPointCount) / 1000).rounded(.up)))
        info["contact_points"] = .int(physics.contactPointCount)
        return info
    }

    // MARK: Observations

    /// The observation of the current world, optionally rotated by g (the `frame` build's output map).
    private func observation(under g: PlanarRotation?) -> Observation {
        var agent = physics.agentPosition
        var pose = physics.blockPose
        if let g {
            agent = g.apply(point: agent)
            pose = g.act(onPose: pose)
        }
        switch config.observationType {
        case .state:
            return Observation([agent.x, agent.y, pose.x, pose.y, pythonMod(pose.angle, 2 * Double.pi)])
        case .keypoints:
            var values = [Double]()
            values.reserveCapacity(18)
            PushTGeometry.appendKeypoints(at: pose, to: &values)
            values.append(agent.x)
            values.append(agent.y)
            return Observation(values)
        case .pixels:
            let image = PushTRenderer.draw(scene(under: g), width: config.imageSize, height: config.imageSize, action: nil)
            return Observation(bytes: image.pixels, shape: [image.height, image.width, 3])
        }
    }

    /// What the renderer draws.
    func scene(under g: PlanarRotation?) -> PushTScene {
        let total = g.map { PlanarRotation(angle: $0.angle + worldFrame.angle, center: symmetryCenter) } ?? worldFrame
        var agent = physics.agentPosition, block = physics.blockPose, goal = self.goal
        var action = lastAction
        if let g {
            agent = g.apply(point: agent); block = g.act(onPose: block); goal = g.act(onPose: goal)
            action = action.map { g.apply(point: $0) }
        }
        return PushTScene(wallRotation: total, agent: agent, block: block, goal: goal, action: action)
    }

    public func render(width: Int, height: Int) -> RGBImage? {
        PushTRenderer.draw(scene(under: nil), width: width, height: height, action: lastAction)
    }

    // MARK: SymmetricEnvironment

    public func act(_ g: PlanarRotation, onAction action: [Double]) -> [Double] {
        let p = g.apply(point: Vec2(action[0], action[1]))
        return [p.x, p.y]
    }

    public func validate(resetState state: [Double]) throws { try Self.validate(state: state) }

    public func act(_ g: PlanarRotation, onState s: [Double]) -> [Double] { g.act(onState: s) }

    public func act(_ g: PlanarRotation, onInfo info: Info) -> Info {
        var out = info
        func point(_ key: String) {
            if let v = info.doubles(key), v.count >= 2 { let p = g.apply(point: Vec2(v[0], v[1])); out[key] = .doubles([p.x, p.y]) }
        }
        func pose(_ key: String) {
            if let v = info.doubles(key), v.count == 3 {
                let p = g.act(onPose: Pose(x: v[0], y: v[1], angle: v[2])); out[key] = .doubles([p.x, p.y, p.angle])
            }
        }
        point("pos_agent")
        if let v = info.doubles("vel_agent"), v.count == 2 { let u = g.apply(vector: Vec2(v[0], v[1])); out["vel_agent"] = .doubles([u.x, u.y]) }
        pose("block_pose")
        pose("goal_pose")
        return out
    }

    public func observation(under g: PlanarRotation) -> Observation { observation(under: Optional(g)) }

    /// The space of the world turned by g on top of this env's own build.
    public func observationSpace(under g: PlanarRotation) -> BoxSpace {
        g.isIdentity ? observationSpace : Self.observationSpace(config: config, angle: g.angle + config.worldRotation)
    }

    public func render(width: Int, height: Int, under g: PlanarRotation) -> RGBImage? {
        PushTRenderer.draw(scene(under: g), width: width, height: height, action: scene(under: g).action)
    }
}

extension PlanarRotation {
    /// g acting on a pose: position rotated about the centre, angle + theta.
    public func act(onPose p: Pose) -> Pose {
        let q = apply(point: p.position)
        return Pose(x: q.x, y: q.y, angle: p.angle + angle)
    }

    /// g acting on a PushT state `[agent_x, agent_y, block_x, block_y, block_angle]`.
    public func act(onState s: [Double]) -> [Double] {
        if isIdentity { return s }
        let a = apply(point: Vec2(s[0], s[1])), b = apply(point: Vec2(s[2], s[3]))
        return [a.x, a.y, b.x, b.y, s[4] + angle]
    }
}
