import EWMIO

/// An environment whose dynamics carry SE(3): step(g.s, g.a) = g.step(s, a) for every g = (R, t), with
/// the full state in `ResetOptions.state`. The 3D counterpart of `SymmetricEnvironment`: agents,
/// planners, wrappers and the `check se3` measurement apply the group through it without knowing the env.
public protocol SE3SymmetricEnvironment: Environment {
    /// The full state, in the layout `ResetOptions.state` accepts (reset to it and the env continues as is).
    var state: [Double] { get }
    /// Throws `EnvError.invalidState` unless `state` is a valid reset state.
    func validate(resetState state: [Double]) throws
    /// g acting on an action.
    func act(_ g: SE3Transform, onAction action: [Double]) -> [Double]
    /// g acting on a state (`state` / `ResetOptions.state`).
    func act(_ g: SE3Transform, onState state: [Double]) -> [Double]
    /// g acting on step/reset info (positions, velocities, poses).
    func act(_ g: SE3Transform, onInfo info: Info) -> Info
    /// The current observation as seen in the world transformed by g (rho(g) applied exactly).
    func observation(under g: SE3Transform) -> Observation
    /// A space that contains every observation of the world transformed by g.
    func observationSpace(under g: SE3Transform) -> BoxSpace
    /// The current scene transformed by g, drawn with the env's fixed camera.
    func render(width: Int, height: Int, under g: SE3Transform) -> RGBImage?
    /// Points of the current scene (metres) for symmetry residuals: every collision sphere centre and
    /// the pusher, or the cloud itself. Same order and count for states of the same env.
    var scenePoints: [Vec3] { get }
}

/// A 3D world at the element g of SE(3), `frame` build: the wrapped env runs in the canonical frame,
/// actions and reset states enter through g^-1, observations and info leave through g. The symmetry then
/// holds to the rounding of applying g itself. (The `world` build instead constructs the env with
/// g applied to its goal and start states; see `Push3DEnv.Config.world`.)
public final class SE3OrientationWrapper<Base: SE3SymmetricEnvironment>: Environment {
    public let base: Base
    public let transform: SE3Transform
    private let inverse: SE3Transform
    public let observationSpace: BoxSpace

    public init(_ base: Base, transform: SE3Transform) {
        self.base = base
        self.transform = transform
        self.inverse = transform.inverse
        self.observationSpace = base.observationSpace(under: transform)
    }

    public var spec: EnvSpec { base.spec }
    public var actionSpace: BoxSpace { base.actionSpace }

    /// The state of the transformed world.
    public var state: [Double] { base.act(transform, onState: base.state) }

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        var canonical = options
        if let s = options.state {
            try base.validate(resetState: s)
            canonical.state = base.act(inverse, onState: s)
        }
        let (_, info) = try base.reset(seed: seed, options: canonical)
        return (base.observation(under: transform), base.act(transform, onInfo: info))
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        var result = try base.step(base.act(inverse, onAction: action))
        result.observation = base.observation(under: transform)
        result.info = base.act(transform, onInfo: result.info)
        return result
    }

    public func render(width: Int, height: Int) -> RGBImage? { base.render(width: width, height: height, under: transform) }
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
