@_exported import Seeded
import Foundation

/// A controller in the loop: maps what the env returned (observation and info) to the next action.
/// Scripted policies, random policies and (later) model-predictive planners all conform, so the
/// episode runner, the CLI and the evaluations take any of them.
public protocol Policy: AnyObject {
    var name: String { get }
    /// Called at the start of every episode.
    func reset(seed: UInt64)
    func action(observation: Observation, info: Info) throws -> [Double]
}

/// Uniform random actions in the action space, seeded.
public final class RandomPolicy: Policy {
    public let name = "random"
    private let space: BoxSpace
    private var rng: SplitMix64

    public init(space: BoxSpace, seed: UInt64 = 0) {
        self.space = space
        rng = SplitMix64(seed: seed)
    }
    public func reset(seed: UInt64) { rng = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B) }
    public func action(observation: Observation, info: Info) -> [Double] { space.sample(using: &rng) }
}

/// The reference's deterministic feedback pusher (`closed_loop_scripted.json`), defined on the state
/// `[agent_x, agent_y, block_x, block_y, block_angle]` of canonical PushT:
/// cog = block-local (0,45) in world; d = unit vector from cog to the goal centre (256,256) (zero if closer
/// than 1e-9); behind = cog - 70 d; target = behind if |agent - behind| > 25, else cog + 40 d;
/// action = clip(target, 0, 512). It reads the state from PushT's info (`pos_agent`, `block_pose`), so it
/// works with any observation type. On an env at orientation g it reads the state through g^-1 and returns
/// g(action): the policy is then equivariant except where the clip to the box binds.
public final class ScriptedPusher: Policy {
    public let name = "scripted"
    public let rotation: PlanarRotation?

    /// `rotation`: the orientation of the env the info comes from.
    public init(rotation: PlanarRotation? = nil) { self.rotation = rotation }
    public func reset(seed: UInt64) {}

    public func action(observation: Observation, info: Info) throws -> [Double] {
        guard let agent = info.doubles("pos_agent"), let pose = info.doubles("block_pose") else {
            throw EnvError.invalidArgument("the scripted pusher needs PushT's info (pos_agent, block_pose)")
        }
        var s = agent + pose
        if let g = rotation { s = g.inverse.act(onState: s) }
        let a = Self.action(state: s)
        guard let g = rotation else { return a }
        let p = g.apply(point: Vec2(a[0], a[1]))
        return [p.x, p.y]
    }

    public static func action(state s: [Double]) -> [Double] {
        let agent = Vec2(s[0], s[1])
        let cog = Pose(x: s[2], y: s[3], angle: s[4]).transform(PushTGeometry.centerOfGravity)
        let toGoal = PushTGeometry.workspaceCenter - cog
        let distance = toGoal.length
        let d = distance < 1e-9 ? Vec2.zero : toGoal * (1 / distance)
        let behind = cog - 70 * d
        let target = (agent - behind).length > 25 ? behind : cog + 40 * d
        return [min(max(target.x, 0), 512), min(max(target.y, 0), 512)]
    }
}
