/// An environment whose simulator can serve as a planner's model (the oracle planner): its whole state can be saved
/// and restored, and a fresh copy of it can roll out candidate action sequences. The oracle reaches the simulator only
/// through this protocol (`locateSimulator(in:)`), whatever the env.
///
/// The simulator plans in its own frame (the canonical frame of the `frame` build, the transformed world of the
/// `world` build); `locateSimulator(in:)` also gives the element that maps this frame to the observations of the env
/// the controller acts on.
/// Its `snapshot()`/`restore(_:)` (`RestorableEnvironment`) also serve a simulator made by `makeSimulator()`.
public protocol SimulatableEnvironment: SymmetricEnvironment, RestorableEnvironment, AnyObject {
    /// A fresh simulator of the same world, observing what planning goals are given in (points of the world).
    func makeSimulator() -> Self
    /// The current observation of a simulator (after a restore or a perturbation by a model error).
    var currentObservation: Observation { get }
    /// The group's identity in this env's frame (the element of a bare env).
    var identityElement: Group { get }
    /// The action that keeps the world as it is now (PushT: drive the agent to where it is): the first plan's mean.
    var restAction: [Double] { get }
    /// A diagnostic imperfect model made from the simulator (`MPCConfig.oracleNoise`): rollouts are perturbed after
    /// every planned action. `meanLength`: the errors' mean size; `smooth`: a fixed function of the state and action
    /// for the episode instead of fresh random draws; `seed`: the episode's. nil: the env has none.
    func modelError(meanLength: Double, smooth: Bool, seed: UInt64) -> (any SimulatorModelError<Self>)?
}

extension SimulatableEnvironment {
    public func modelError(meanLength: Double, smooth: Bool, seed: UInt64) -> (any SimulatorModelError<Self>)? { nil }
}

/// An imperfect model made from a simulator: a rollout's state is perturbed after each planned action. Rollouts are
/// run one after another, so the error may keep per-rollout state between `begin` and the perturbations.
public protocol SimulatorModelError<Simulator>: AnyObject {
    associatedtype Simulator
    /// A rollout starts from the simulator's current state.
    func begin(_ simulator: Simulator)
    /// After a planned action (all its repeats) was stepped: may change the simulator's state (drawing from `rng` if
    /// it is random); returns whether it did (the observation must then be read again).
    func perturb(_ simulator: Simulator, action: [Double], rng: inout SplitMix64) -> Bool
}

/// A simulator found inside an env's wrappers, and the element from its frame to that env's observations.
public protocol SimulatorLocation {
    associatedtype Simulator: SimulatableEnvironment
    var simulator: Simulator { get }
    var element: Simulator.Group { get }
}

public struct LocatedSimulator<Simulator: SimulatableEnvironment>: SimulatorLocation {
    public let simulator: Simulator
    public let element: Simulator.Group
    public init(simulator: Simulator, element: Simulator.Group) { self.simulator = simulator; self.element = element }
}

/// An env that may hold a simulator in a transformed frame (the orientation wrapper).
public protocol SimulatorHosting {
    func locateHostedSimulator() -> (any SimulatorLocation)?
}

extension OrientationWrapper: SimulatorHosting {
    public func locateHostedSimulator() -> (any SimulatorLocation)? {
        guard let simulatable = base as? any SimulatableEnvironment else { return nil }
        func located<S: SimulatableEnvironment>(_ s: S) -> any SimulatorLocation {
            LocatedSimulator(simulator: s, element: element as! S.Group)
        }
        return located(simulatable)
    }
}

/// The simulator inside `env`'s wrappers (a bare simulatable env: at its identity; an orientation wrapper of one: at
/// the wrapper's element), or nil.
public func locateSimulator(in env: any Environment) -> (any SimulatorLocation)? {
    var current: any Environment = env
    while true {
        if let s = current as? any SimulatableEnvironment {
            func located<S: SimulatableEnvironment>(_ s: S) -> any SimulatorLocation {
                LocatedSimulator(simulator: s, element: s.identityElement)
            }
            return located(s)
        }
        if let hosting = current as? SimulatorHosting { return hosting.locateHostedSimulator() }
        guard let w = current as? Wrapper else { return nil }
        current = w.inner
    }
}
