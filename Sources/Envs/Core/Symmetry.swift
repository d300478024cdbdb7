import EWMIO
/// An environment whose dynamics carry a planar rotation group acting about `symmetryCenter`:
/// step(g.s, g.a) = g.step(s, a). Agents, planners, wrappers and tests apply the group through this
/// protocol without knowing the env.
public protocol SymmetricEnvironment: Environment {
    /// The fixed point of the rotations (PushT: the workspace centre (256, 256)).
    var symmetryCenter: Vec2 { get }
    /// g acting on an action.
    func act(_ g: PlanarRotation, onAction action: [Double]) -> [Double]
    /// Throws `EnvError.invalidState` unless `state` is a valid reset state (`ResetOptions.state`).
    func validate(resetState state: [Double]) throws
    /// g acting on a reset state (`ResetOptions.state`).
    func act(_ g: PlanarRotation, onState state: [Double]) -> [Double]
    /// g acting on step/reset info (positions, velocities, poses).
    func act(_ g: PlanarRotation, onInfo info: Info) -> Info
    /// The current observation as seen in the world rotated by g (vector observations: rho(g) applied
    /// exactly; pictures: the rotated scene drawn anew).
    func observation(under g: PlanarRotation) -> Observation
    /// The current scene rotated by g, drawn.
    func render(width: Int, height: Int, under g: PlanarRotation) -> RGBImage?
}

/// PushT at orientation theta, `frame` build: the wrapped env runs in the canonical frame, actions and
/// reset states enter through g^-1, observations and info leave through g. The symmetry then holds to
/// the rounding of the rotation itself.
public final class OrientationWrapper<Base: SymmetricEnvironment>: Environment {
    public let base: Base
    public let rotation: PlanarRotation

    public init(_ base: Base, angle: Double) {
        self.base = base
        self.rotation = PlanarRotation(angle: angle, center: base.symmetryCenter)
    }

    public var spec: EnvSpec { base.spec }
    public var observationSpace: BoxSpace { base.observationSpace }
    public var actionSpace: BoxSpace { base.actionSpace }

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        var canonical = options
        if let s = options.state {
            try base.validate(resetState: s)
            canonical.state = base.act(rotation.inverse, onState: s)
        }
        let (_, info) = try base.reset(seed: seed, options: canonical)
        return (base.observation(under: rotation), base.act(rotation, onInfo: info))
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        var result = try base.step(base.act(rotation.inverse, onAction: action))
        result.observation = base.observation(under: rotation)
        result.info = base.act(rotation, onInfo: result.info)
        return result
    }

    public func render(width: Int, height: Int) -> RGBImage? { base.render(width: width, height: height, under: rotation) }
}
