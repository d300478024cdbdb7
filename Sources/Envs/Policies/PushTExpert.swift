import Foundation

/// A scripted push-to-pose expert for PushT: it solves the full task (the T onto the goal pose) from gym-pusht's
/// resets, re-planning at every call. Each call it weighs every contact point of the T's outline (`PushTContacts`):
/// how well a push there (quasi-static, frictionless) lines up with the pose error, in the metric
/// |position error of the centre of gravity|^2 + (`angleLength` x angle error)^2, less a cost for the agent's way
/// there; then it pushes through the best point by the first-order optimal amount, or walks the agent to the point's
/// stand-off, around the T when the straight way is blocked. Like `ScriptedPusher` it reads the state from PushT's
/// info and works in the canonical frame, so on an env at orientation g it returns g(its canonical action).
///
/// `actionNoise`: Gaussian noise of this std (px) on every action, drawn in the canonical frame from the episode's
/// seed (DINO-WM's `pusht_noise` data are noisy replays of expert runs; this is noise on the expert's own actions).
public final class PushTExpert: Policy {
    public let name = "expert"
    public let rotation: PlanarRotation?
    public var actionNoise: Double
    public var goal: Pose
    private var rng = SplitMix64(seed: 0)

    /// Tuning (px unless said): the length that weighs the angle error, the cost per 100 px of the agent's way, the
    /// detour charged when the straight way is blocked, the stand-off of an approach, the radius of the walk around
    /// the T, and the most the T's centre is asked to move in one push.
    public struct Tuning: Sendable {
        public var angleLength = 60.0
        public var travelWeight = 0.15
        public var detour = 100.0
        public var standOff = 19.0
        public var orbitRadius = 105.0
        public var orbitStep = 0.7
        public var maxAdvance = 40.0
        public var engage = 6.0
        public init() {}
    }
    public var tuning: Tuning

    public init(
        rotation: PlanarRotation? = nil, actionNoise: Double = 0, goal: Pose = PushTGeometry.goalPose, tuning: Tuning = Tuning(), seed: UInt64 = 0
    ) {
        self.rotation = rotation
        self.actionNoise = actionNoise
        self.goal = goal
        self.tuning = tuning
        reset(seed: seed)
    }

    public func reset(seed: UInt64) { rng = SplitMix64(seed: seed ^ 0x3C6E_F372_FE94_F82B) }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        guard let agent = info.doubles("pos_agent"), let pose = info.doubles("block_pose") else {
            throw EnvError.invalidArgument("the PushT expert needs PushT's info (pos_agent, block_pose)")
        }
        var s = agent + pose
        if let g = rotation { s = g.inverse.act(onState: s) }
        var a = Self.canonicalAction(state: s, goal: goal, tuning: tuning)
        if actionNoise > 0 {
            a[0] += actionNoise * rng.standardNormal()
            a[1] += actionNoise * rng.standardNormal()
        }
        a = [min(max(a[0], 0), 512), min(max(a[1], 0), 512)]
        guard let g = rotation else { return a }
        let p = g.apply(point: Vec2(a[0], a[1]))
        return [p.x, p.y]
    }

    /// The noise-free action in the canonical frame for state [agent_x, agent_y, block_x, block_y, block_angle].
    public static func canonicalAction(state s: [Double], goal: Pose = PushTGeometry.goalPose, tuning t: Tuning = Tuning()) -> [Double] {
        let agent = Vec2(s[0], s[1])
        let pose = Pose(x: s[2], y: s[3], angle: s[4])
        let cogLocal = PushTGeometry.centerOfGravity
        let cog = pose.transform(cogLocal)
        let positionError = goal.transform(cogLocal) - cog
        let angleError = remainder(goal.angle - pose.angle, 2 * Double.pi)
        let l2 = t.angleLength * t.angleLength
        let errorNorm = (positionError.dot(positionError) + l2 * angleError * angleError).squareRoot()
        guard errorNorm > 1e-9 else { return [agent.x, agent.y] }
        let c = cos(pose.angle), sn = sin(pose.angle)
        let agentLocal = (agent - pose.position).rotated(cos: c, sin: -sn)
        let inertia = PushTGeometry.momentOfInertia / PushTGeometry.mass
        let radius = PushTGeometry.agentRadius

        struct Choice {
            var score: Double
            var standOff: Vec2
            var inward: Vec2
            var advance: Double
            var blocked: Bool
        }
        var best: Choice?
        for candidate in PushTContacts.standard {
            let inward = -candidate.normal.rotated(cos: c, sin: sn)
            let arm = pose.transform(candidate.point) - cog
            let turn = arm.cross(inward) / inertia
            let gain = positionError.dot(inward) + l2 * angleError * turn
            guard gain > 0 else { continue }
            let weight = 1 + l2 * turn * turn
            let standOffLocal = candidate.point + candidate.normal * t.standOff
            guard PushTContacts.distance(local: standOffLocal) >= t.standOff - 1 else { continue }
            let standOff = pose.transform(standOffLocal)
            guard (22...490).contains(standOff.x), (22...490).contains(standOff.y) else { continue }
            let blocked = !PushTContacts.isClear(from: agentLocal, to: standOffLocal, radius: radius + 1)
            let travel = (standOff - agent).length + (blocked ? t.detour : 0)
            let score = gain / (errorNorm * weight.squareRoot()) - t.travelWeight * travel / 100
            if best.map({ score > $0.score }) ?? true {
                // The T's centre moves `advance` along `inward`; the agent must move (1 + (arm x n)^2 / I) times as far.
                let advance = min(gain / weight, t.maxAdvance) * (1 + arm.cross(inward) * arm.cross(inward) / inertia)
                best = Choice(score: score, standOff: standOff, inward: inward, advance: advance, blocked: blocked)
            }
        }
        guard let choice = best else { return [agent.x, agent.y] }
        let target: Vec2
        if (choice.standOff - agent).length < t.engage {
            target = choice.standOff + choice.inward * (choice.advance + t.standOff - radius)
        } else if !choice.blocked {
            target = choice.standOff
        } else {
            // Walk around the T's centre of gravity towards the stand-off's bearing.
            let from = atan2(agent.y - cog.y, agent.x - cog.x)
            let to = atan2(choice.standOff.y - cog.y, choice.standOff.x - cog.x)
            let turn = remainder(to - from, 2 * Double.pi)
            let bearing = from + (turn < 0 ? -1 : 1) * min(abs(turn), t.orbitStep)
            target = cog + Vec2(cos(bearing), sin(bearing)) * t.orbitRadius
        }
        return [min(max(target.x, 0), 512), min(max(target.y, 0), 512)]
    }
}
