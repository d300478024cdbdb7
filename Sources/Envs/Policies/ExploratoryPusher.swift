import Foundation

/// An exploratory PushT policy that actually moves the T: it picks a random push direction (redrawn every
/// `holdSteps` steps), walks the agent behind the T's centre of gravity, pushes through it, adds Gaussian
/// noise, and with probability `randomFraction` takes a uniform random action instead. Like `ScriptedPusher`
/// it reads the state from PushT's info (`pos_agent`, `block_pose`) and works in the canonical frame: on an env
/// at orientation g it reads the state through g^-1 and returns g(action), so its data is the rotated copy of
/// the canonical data (the noise and the random actions are drawn in the canonical frame).
public final class ExploratoryPusher: Policy {
    public let name = "exploratory-pusher"
    public let rotation: PlanarRotation?
    public var randomFraction: Double
    public var noise: Double
    public var holdSteps: Int
    /// nil: a random action is uniform over the box; else the agent's position plus Gaussian noise of this std (px),
    /// clipped to the box: the local moves a sampling planner proposes.
    public var localRandomStd: Double?
    private var rng = SplitMix64(seed: 0)
    private var direction = Vec2(1, 0)
    private var t = 0

    public init(
        rotation: PlanarRotation? = nil, randomFraction: Double = 0.25, localRandomStd: Double? = nil, noise: Double = 8,
        holdSteps: Int = 15, seed: UInt64 = 0
    ) {
        self.rotation = rotation
        self.randomFraction = randomFraction
        self.localRandomStd = localRandomStd
        self.noise = noise
        self.holdSteps = holdSteps
        reset(seed: seed)
    }

    public func reset(seed: UInt64) {
        rng = SplitMix64(seed: seed ^ 0xE4B1_0C5A_9F3D_2217)
        t = 0
    }

    private func gaussian() -> Double { rng.standardNormal() }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        guard let agent = info.doubles("pos_agent"), let pose = info.doubles("block_pose") else {
            throw EnvError.invalidArgument("the exploratory pusher needs PushT's info (pos_agent, block_pose)")
        }
        var s = agent + pose
        if let g = rotation { s = g.inverse.act(onState: s) }
        let a = canonicalAction(state: s)
        guard let g = rotation else { return a }
        let p = g.apply(point: Vec2(a[0], a[1]))
        return [p.x, p.y]
    }

    /// The action in the canonical frame for state [agent_x, agent_y, block_x, block_y, block_angle].
    public func canonicalAction(state s: [Double]) -> [Double] {
        if t % max(1, holdSteps) == 0 {
            // Mostly towards the workspace (so the T stays inside), with a random spread.
            let cog = Pose(x: s[2], y: s[3], angle: s[4]).transform(PushTGeometry.centerOfGravity)
            let toCentre = PushTGeometry.workspaceCenter - cog
            let base = atan2(toCentre.y, toCentre.x)
            let spread = toCentre.length > 120 ? 0.6 : Double.pi
            let angle = base + Double.random(in: -spread...spread, using: &rng)
            direction = Vec2(cos(angle), sin(angle))
        }
        t += 1
        let agent = Vec2(s[0], s[1])
        if Double.random(in: 0..<1, using: &rng) < randomFraction {
            guard let std = localRandomStd else {
                return [Double.random(in: 0...512, using: &rng), Double.random(in: 0...512, using: &rng)]
            }
            let x = agent.x + std * gaussian(), y = agent.y + std * gaussian()
            return [min(max(x, 0), 512), min(max(y, 0), 512)]
        }
        let cog = Pose(x: s[2], y: s[3], angle: s[4]).transform(PushTGeometry.centerOfGravity)
        let behind = cog - 70 * direction
        var target = (agent - behind).length > 25 ? behind : cog + 40 * direction
        target = target + Vec2(noise * gaussian(), noise * gaussian())
        return [min(max(target.x, 0), 512), min(max(target.y, 0), 512)]
    }
}
