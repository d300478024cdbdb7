import EWMIO

/// A 3D world whose group is SE(3) and whose full state can be read back: what the SE(3) orbit check (`check orbit --env`) needs
/// besides `SymmetricEnvironment`.
public protocol SE3SymmetricEnvironment: SymmetricEnvironment where Group == SE3Transform {
    /// The full state, in the layout `ResetOptions.state` accepts (reset to it and the env continues as is).
    var state: [Double] { get }
    /// Points of the current scene (metres) for symmetry residuals: every collision sphere centre and
    /// the pusher, or the cloud itself. Same order and count for states of the same env.
    var scenePoints: [Vec3] { get }
}

extension SE3SymmetricEnvironment {
    /// A rotation by theta about the z axis through the origin: the 3D reading of the planar knob.
    public func element(orientation theta: Double) -> SE3Transform {
        SE3Transform(rotation: .rotation(axis: Vec3(0, 0, 1), angle: theta))
    }
}

extension OrientationWrapper where Base: SE3SymmetricEnvironment {
    /// The state of the transformed world.
    public var state: [Double] { base.act(element, onState: base.state) }
}

extension MakeOptions {
    /// The element of SE(3) these options ask a 3D world to be built at:
    /// g = T(extra["se3"]) * Rot(axis z, orientation), where `extra["se3"]` = "wx,wy,wz,tx,ty,tz" is a
    /// rotation vector (radians) and a translation (metres). `orientation` alone is the 3D reading of the
    /// planar knob: a rotation by that angle about the z axis through the workspace centre, the SO(2)
    /// rung of `SE3Ladder`.
    public func se3Transform() throws -> SE3Transform {
        var g = SE3Transform(rotation: .rotation(axis: Vec3(0, 0, 1), angle: orientation))
        if let text = extra["se3"] {
            guard let h = SE3Transform(parsing: text) else {
                throw EnvError.invalidArgument("se3 must be six finite numbers 'wx,wy,wz,tx,ty,tz', got '\(text)'")
            }
            g = h * g
        }
        return g
    }
}
