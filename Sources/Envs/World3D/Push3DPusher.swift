import Foundation

/// A scripted feedback pusher for `push3d` / `push3d-multi` (PushT's `ScriptedPusher` in 3D), defined
/// on the env's info (`pos_pusher`, `object_pose`, `goal_pose`, `assignment`), so it works with any
/// observation type and any orientation build.
///
/// It picks the object farthest from its assigned goal; d = unit vector from that object's centre c to
/// its goal; "behind" = c - s d with s = bounding radius + pusher radius + 0.03. If the pusher is lined
/// up behind the object (on the far side, within 0.06 of the line through c along d) it aims at
/// c + min(|goal - c|, 0.2) d (pushes); if it is on the goal side of the object it
/// first goes round (to a point beside and a little behind the object); otherwise it aims at
/// "behind". It only translates objects towards goals (orientation is left to planners). Only vector
/// operations of world points: it is SE(3)-equivariant (except in the degenerate case of a pusher exactly
/// on the line through c along d, which it breaks with a fixed direction). Optional isotropic Gaussian
/// noise (seeded) diversifies data.
public final class Push3DPusher: Policy {
    public let name = "scripted3d"
    public let standoff: Double
    public let noise: Double
    /// The noise is drawn in the canonical frame and turned by this rotation (the episode's g, frame build), so a
    /// noisy episode at g is the identity's moved by g.
    public let noiseFrame: Mat3
    private var rng = SplitMix64(seed: 0)

    /// `boundingRadius` and `pusherRadius` of the env (`RigidShape3D.boundingRadius`, physics config); `noise`: std
    /// (m) of the Gaussian on each coordinate of every target, seeded by `seed` (and `reset(seed:)`).
    public init(boundingRadius: Double, pusherRadius: Double, noise: Double = 0, noiseFrame: Mat3 = .identity, seed: UInt64 = 0) {
        standoff = boundingRadius + pusherRadius + 0.03
        self.noise = noise
        self.noiseFrame = noiseFrame
        reset(seed: seed)
    }

    public convenience init(env: Push3DEnv, noise: Double = 0, noiseFrame: Mat3 = .identity, seed: UInt64 = 0) {
        self.init(
            boundingRadius: env.shape.boundingRadius, pusherRadius: env.physics.config.pusherRadius, noise: noise, noiseFrame: noiseFrame,
            seed: seed)
    }

    public func reset(seed: UInt64) { rng = SplitMix64(seed: seed ^ 0x3D3D_5EED) }

    public func action(observation: Observation, info: Info) throws -> [Double] {
        guard let p = info.doubles("pos_pusher"), let objects = info.doubles("object_pose"), let goals = info.doubles("goal_pose"),
            p.count == 3, objects.count == goals.count, objects.count % 12 == 0, !objects.isEmpty
        else {
            throw EnvError.invalidArgument("the 3D scripted pusher needs push3d's info (pos_pusher, object_pose, goal_pose)")
        }
        let count = objects.count / 12
        let assignment = info.doubles("assignment")?.map { Int($0) } ?? Array(0..<count)
        var target = Self.target(
            pusher: Vec3(p, at: 0), objects: (0..<count).map { Pose3D(pose: objects, at: 12 * $0) },
            goals: (0..<count).map { Pose3D(pose: goals, at: 12 * assignment[$0]) }, standoff: standoff)
        if noise > 0 { target += noise * (noiseFrame * Vec3(gaussian(), gaussian(), gaussian())) }
        return target.array
    }

    /// The scripted target for a scene (goals[k] is object k's goal).
    public static func target(pusher p: Vec3, objects: [Pose3D], goals: [Pose3D], standoff: Double) -> Vec3 {
        var k = 0
        for i in objects.indices where (goals[i].position - objects[i].position).length > (goals[k].position - objects[k].position).length { k = i }
        let c = objects[k].position, toGoal = goals[k].position - c
        let distance = toGoal.length
        guard distance > 1e-9 else { return p }
        let d = toGoal * (1 / distance)
        let behind = c - standoff * d
        let rel = p - c, along = rel.dot(d)
        // Lined up behind the object: push through its centre.
        if along < -0.3 * standoff && (rel - along * d).length < 0.06 { return c + min(distance, 0.2) * d }
        if along > -0.5 * standoff {
            var side = rel - along * d
            if side.length < 1e-9 { side = d.cross(objects[k].rotation.column0).cross(d) }
            if side.length < 1e-9 { side = d.cross(objects[k].rotation.column1).cross(d) }
            return c + (standoff + 0.1) * side.normalized - 0.8 * standoff * d
        }
        return behind
    }

    private func gaussian() -> Double { rng.standardNormal() }
}
