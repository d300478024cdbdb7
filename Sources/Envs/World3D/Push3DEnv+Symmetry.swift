import EWMIO
import Foundation

/// How SE(3) acts on push3d's actions, states, info and observations, and its pictures.
extension Push3DEnv {
    // MARK: SE3SymmetricEnvironment

    public func act(_ g: SE3Transform, onAction a: [Double]) -> [Double] { g.apply(point: Vec3(a, at: 0)).array }

    public func act(_ g: SE3Transform, onState s: [Double]) -> [Double] {
        var out = s
        out.replaceSubrange(0..<3, with: g.apply(point: Vec3(s, at: 0)).array)
        out.replaceSubrange(3..<6, with: g.apply(vector: Vec3(s, at: 3)).array)
        for k in 0..<(2 * objectCount) { g.apply(pose: &out, at: 6 + 12 * k) }
        return out
    }

    public func act(_ g: SE3Transform, onInfo info: Info) -> Info {
        var out = info
        if let v = info.doubles("pos_pusher"), v.count == 3 { out["pos_pusher"] = .doubles(g.apply(point: Vec3(v, at: 0)).array) }
        if let v = info.doubles("vel_pusher"), v.count == 3 { out["vel_pusher"] = .doubles(g.apply(vector: Vec3(v, at: 0)).array) }
        for key in ["object_pose", "goal_pose"] {
            if var v = info.doubles(key), v.count % 12 == 0 {
                for k in 0..<(v.count / 12) { g.apply(pose: &v, at: 12 * k) }
                out[key] = .doubles(v)
            }
        }
        return out
    }

    public func observation(under g: SE3Transform) -> Observation { observation(under: Optional(g)) }

    public func observationSpace(under g: SE3Transform) -> BoxSpace {
        Self.space(config.observationType, objects: objectCount, keypoints: shape.keypoints.count, under: g * config.world)
    }

    public var scenePoints: [Vec3] { physics.sphereCenters + [physics.pusherPosition] }

    // MARK: Pictures

    /// What the renderer draws, seen in the world transformed by g.
    func scene(under g: SE3Transform) -> Scene3D {
        var scene = Scene3D(frame: g * config.world)
        for (k, pose) in objectPoses.enumerated() {
            let p = g * pose
            scene.spheres += shape.centers.map { Scene3D.Sphere(center: p.apply(point: $0), radius: shape.sphereRadius, group: .object(k)) }
        }
        for goal in goals {
            let p = g * goal
            scene.spheres += shape.centers.map { Scene3D.Sphere(center: p.apply(point: $0), radius: shape.sphereRadius * 0.6, group: .goal) }
        }
        scene.spheres.append(Scene3D.Sphere(center: g.apply(point: physics.pusherPosition), radius: physics.config.pusherRadius, group: .pusher))
        scene.target = lastAction.map { g.apply(point: $0) }
        return scene
    }

    public func render(width: Int, height: Int) -> RGBImage? { Renderer3D.draw(scene(under: .identity), width: width, height: height) }

    public func render(width: Int, height: Int, under g: SE3Transform) -> RGBImage? {
        Renderer3D.draw(scene(under: g), width: width, height: height)
    }
}
