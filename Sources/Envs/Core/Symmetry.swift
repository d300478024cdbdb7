import EWMIO

/// An environment whose dynamics carry a symmetry group: step(g.s, g.a) = g.step(s, a) for every element g. The
/// orientation wrapper, the world models' layouts, the planners and the exactness checks apply the group through
/// this protocol without knowing the env. PushT and teacher2d: `PlanarRotation` about their centre; the 3D worlds:
/// `SE3Transform`.
public protocol SymmetricEnvironment: Environment {
    associatedtype Group: GroupElement
    /// The env's reading of `MakeOptions.orientation`: the group element "rotated by theta" (PushT: about the
    /// workspace centre; 3D worlds: about the z axis through the origin).
    func element(orientation theta: Double) -> Group
    /// Throws `EnvError.invalidState` unless `state` is a valid reset state (`ResetOptions.state`).
    func validate(resetState state: [Double]) throws
    /// g acting on an action.
    func act(_ g: Group, onAction action: [Double]) -> [Double]
    /// g acting on a reset state (`ResetOptions.state`).
    func act(_ g: Group, onState state: [Double]) -> [Double]
    /// g acting on step/reset info (positions, velocities, poses).
    func act(_ g: Group, onInfo info: Info) -> Info
    /// The current observation as seen in the world transformed by g (vector observations: rho(g) applied
    /// exactly; pictures: the transformed scene drawn anew).
    func observation(under g: Group) -> Observation
    /// A space that contains every observation of the world transformed by g (default: `observationSpace`).
    func observationSpace(under g: Group) -> BoxSpace
    /// The current scene transformed by g, drawn.
    func render(width: Int, height: Int, under g: Group) -> RGBImage?
}

extension SymmetricEnvironment {
    public func observationSpace(under g: Group) -> BoxSpace { observationSpace }
    /// Envs that cannot draw themselves need not implement it.
    public func render(width: Int, height: Int, under g: Group) -> RGBImage? { nil }
}

/// A world at the element g of its group, `frame` build: the wrapped env runs in the canonical frame, actions and
/// reset states enter through g^-1, observations and info leave through g. The symmetry then holds to the rounding of
/// applying g itself. One wrapper for every group; the `world` build (the simulated world itself built transformed)
/// stays each env's own.
public final class OrientationWrapper<Base: SymmetricEnvironment>: Environment {
    public let base: Base
    public let element: Base.Group
    private let inverse: Base.Group
    public let observationSpace: BoxSpace

    public init(_ base: Base, element: Base.Group) {
        self.base = base
        self.element = element
        self.inverse = element.inverse
        self.observationSpace = base.observationSpace(under: element)
    }

    /// The world at the env's element for `orientation` (`SymmetricEnvironment.element(orientation:)`).
    public convenience init(_ base: Base, angle: Double) {
        self.init(base, element: base.element(orientation: angle))
    }

    public var spec: EnvSpec { base.spec }
    public var actionSpace: BoxSpace { base.actionSpace }

    public func reset(seed: UInt64?, options: ResetOptions) throws -> (observation: Observation, info: Info) {
        var canonical = options
        if let s = options.state {
            try base.validate(resetState: s)
            canonical.state = base.act(inverse, onState: s)
        }
        if let s = canonical.state, let i = s.firstIndex(where: { !$0.isFinite }) {
            throw EnvError.invalidState("element \(i) of the state is \(s[i]) in the canonical frame; the state is too large to transform")
        }
        return try undoingBaseUnlessFinite(
            { () throws -> (observation: Observation, info: Info) in
                let (_, info) = try base.reset(seed: seed, options: canonical)
                return (base.observation(under: element), base.act(element, onInfo: info))
            }, isFinite: { $0.observation.isFinite && $0.info.isFinite },
            error: { EnvError.invalidState("the start's observation or info would be non-finite under the orientation; the reset was undone") })
    }

    public func step(_ action: [Double]) throws -> StepResult {
        try validate(action: action)
        let canonical = base.act(inverse, onAction: action)
        if let i = canonical.firstIndex(where: { !$0.isFinite }) {
            throw EnvError.invalidAction("element \(i) of the action is \(canonical[i]) in the canonical frame; the action is too large to transform")
        }
        return try undoingBaseUnlessFinite(
            {
                var result = try base.step(canonical)
                result.observation = base.observation(under: element)
                result.info = base.act(element, onInfo: result.info)
                return result
            }, isFinite: { $0.observation.isFinite && $0.info.isFinite },
            error: { EnvError.invalidAction("the step's observation or info would be non-finite under the orientation; the step was undone") })
    }

    /// Runs `body` on the base; if its outcome, seen through the element, is not finite (a huge but finite state can
    /// overflow when transformed), puts a restorable base back as it was and throws `error()`.
    private func undoingBaseUnlessFinite<T>(_ body: () throws -> T, isFinite: (T) -> Bool, error: () -> EnvError) throws -> T {
        func run<R: RestorableEnvironment>(_ restorable: R) throws -> T {
            let before = restorable.snapshot()
            let out = try body()
            if !isFinite(out) {
                restorable.restore(before)
                throw error()
            }
            return out
        }
        if let restorable = base as? any RestorableEnvironment { return try run(restorable) }
        let out = try body()
        if !isFinite(out) { throw error() }
        return out
    }

    public func render(width: Int, height: Int) -> RGBImage? { base.render(width: width, height: height, under: element) }
}

extension SymmetricEnvironment {
    /// This env at `g` in the frame build (the env itself at the identity).
    public func oriented(at g: Group) -> any Environment { g.isIdentity ? self : OrientationWrapper(self, element: g) }
}
