import Envs
import EWMIO  // RGBImage (render); EWMIO is not a product of ewm-sim: see the report
import Foundation

/// A point agent pushing a disc puck in the unit disc: a planar world with an exact SO(2) symmetry about the origin.
///
/// The agent (radius 0.05) is driven towards its action, a target point, by the first-order update
/// x' = x + k (a - x) with k = 0.5. When it then overlaps the puck (radius 0.1), the puck is moved along the
/// centre-to-centre direction until they just touch. Both centres stay in the unit disc: positions beyond radius 1 are
/// scaled back onto the rim (a radial clamp, never an axis-aligned one), and a puck held by the rim stops the agent
/// short of it. Every operation uses only vectors, lengths and inner products, so the dynamics commute with every
/// rotation about the origin: step(g.s, g.a) = g.step(s, a) up to rounding. Contact is tested after the move, not
/// swept along it: a target at the puck pushes it ahead (k < 1), one far beyond it may carry the agent past the puck's
/// centre, which then pushes the puck back.
///
/// ## Action Space
/// `Box(-1, 1, shape [2])`: the agent's target point. Values outside the box are accepted (a rotated action may leave
/// the box; targets beyond the rim only pull the agent onto it); a wrong size or non-finite values are rejected with
/// `EnvError.invalidAction` and leave the env unchanged.
/// ## Observation
/// `points`: agent x, y, then puck x, y (4 numbers), in `Box(-1, 1)`.
/// ## Reward
/// Always 0: the world carries no goal (a fixed goal would break the symmetry). Tasks are goal protocols (`reach`).
/// ## Episode End
/// Never terminates; the registry's `make` adds a 50-step time limit (truncation).
/// ## Starting State
/// Isotropic: the agent uniform in the disc of radius 0.9, the puck uniform in the disc of radius 0.8, redrawn until
/// the two do not touch. `ResetOptions.state` = [agent x, agent y, puck x, puck y] sets it directly (finite, both
/// centres within radius 1). Info: `agent`, `puck` (positions), `contact` (the agent pushed the puck this step).
/// ## Orientation
/// The group acts about the origin. Both builds (`frame` and `world`) are the same `OrientationWrapper`: there is no
/// simulator whose arithmetic could differ.
/// ## Version History
/// - v0: first version.
public final class ReachPlaneEnv: SymmetricEnvironment {
    public static let gain = 0.5
    public static let agentRadius = 0.05
    public static let puckRadius = 0.1
    public static let worldRadius = 1.0

    public let spec = EnvSpec(
        id: "reach-plane", maxEpisodeSteps: 50, controlHz: nil,
        summary: "A point agent pushes a disc puck in the unit disc; exactly SO(2)-equivariant")
    public let observationSpace = BoxSpace(low: -1, high: 1, shape: [4])
    public let actionSpace = BoxSpace(low: -1, high: 1, shape: [2])
    public private(set) var agent = Vec2.zero
    public private(set) var puck = Vec2(0.5, 0)
    private var contact = false
    private var rng = SplitMix64(seed: 0)
    private var needsReset = true

    public init() {}

    /// [agent x, agent y, puck x, puck y].
    public var state: [Double] { [agent.x, agent.y, puck.x, puck.y] }

    /// The radial clamp onto the world disc (depends on |v| only, so it is equivariant).
    static func clamp(_ v: Vec2) -> Vec2 {
        let r = v.length
        return r > worldRadius ? v * (worldRadius / r) : v
    }

    /// One step of the dynamics (a pure function of agent, puck and target).
    public static func next(agent x: Vec2, puck p: Vec2, target a: Vec2) -> (agent: Vec2, puck: Vec2, contact: Bool) {
        var x1 = clamp(x + gain * (a - x))
        let reach = agentRadius + puckRadius
        let d = p - x1, dist = d.length
        guard dist < reach else { return (x1, p, false) }
        // Push along the centre-to-centre direction (if the centres coincide exactly: along the agent's motion).
        let motion = x1 - x
        let n = dist > 0 ? d * (1 / dist) : motion.length > 0 ? motion * (1 / motion.length) : Vec2.zero
        guard n != .zero else { return (x1, p, true) }
        let p1 = clamp(x1 + reach * n)
        // A puck held by the rim stops the agent short of it.
        let e = p1 - x1, gap = e.length
        if gap < reach - 1e-12, gap > 0 { x1 = clamp(p1 - reach * (e * (1 / gap))) }
        return (x1, p1, true)
    }

    static func uniformInDisc(radius: Double, using rng: inout SplitMix64) -> Vec2 {
        while true {
            let v = Vec2(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng))
            if v.dot(v) <= 1 { return radius * v }
        }
    }

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        if let s = options.state { try validate(resetState: s) }
        if let seed { rng = SplitMix64(seed: seed ^ 0x2EAC_4E12_D000_0001) }
        if let s = options.state {
            agent = Vec2(s[0], s[1]); puck = Vec2(s[2], s[3])
        } else {
            agent = Self.uniformInDisc(radius: 0.9, using: &rng)
            repeat { puck = Self.uniformInDisc(radius: 0.8, using: &rng) } while (puck - agent).length < Self.agentRadius + Self.puckRadius
        }
        contact = false
        needsReset = false
        return (observation(under: nil), info())
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        if needsReset { throw EnvError.needsReset("call reset before step") }
        (agent, puck, contact) = Self.next(agent: agent, puck: puck, target: Vec2(action[0], action[1]))
        return StepResult(observation: observation(under: nil), reward: 0, terminated: false, truncated: false, info: info())
    }

    private func info() -> Info {
        var info = Info()
        info["agent"] = .doubles([agent.x, agent.y])
        info["puck"] = .doubles([puck.x, puck.y])
        info["contact"] = .bool(contact)
        return info
    }

    private func observation(under g: PlanarRotation?) -> Observation {
        Observation(g.map { $0.apply(toPoints: state) } ?? state)
    }

    // MARK: SymmetricEnvironment

    /// A rotation by theta about the origin.
    public func element(orientation theta: Double) -> PlanarRotation { PlanarRotation(angle: theta, center: .zero) }

    public func validate(resetState state: [Double]) throws {
        guard state.count == 4 else { throw EnvError.invalidState("expected 4 coordinates, got \(state.count)") }
        if let i = state.firstIndex(where: { !$0.isFinite }) { throw EnvError.invalidState("element \(i) is \(state[i]); states must be finite") }
        for (k, name) in [(0, "agent"), (2, "puck")] where Vec2(state[k], state[k + 1]).length > Self.worldRadius + 1e-9 {
            throw EnvError.invalidState("the \(name) is outside the unit disc")
        }
    }

    /// Actions are target points: g moves them as points about the origin.
    public func act(_ g: PlanarRotation, onAction action: [Double]) -> [Double] { g.apply(toPoints: action) }

    public func act(_ g: PlanarRotation, onState state: [Double]) -> [Double] { g.apply(toPoints: state) }

    public func act(_ g: PlanarRotation, onInfo info: Info) -> Info {
        var out = info
        for key in ["agent", "puck"] {
            if let p = info.doubles(key), p.count == 2 { out[key] = .doubles(g.apply(toPoints: p)) }
        }
        return out
    }

    public func observation(under g: PlanarRotation) -> Observation { observation(under: Optional(g)) }

    public func render(width: Int, height: Int, under g: PlanarRotation) -> RGBImage? { nil }
}
