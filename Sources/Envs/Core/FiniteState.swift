/// An env whose whole state can be copied and put back. Every built-in env conforms: a step or a reset whose outcome
/// is not finite is undone with it (`keepingFinite`), and the oracle planner rolls simulators back with it
/// (`SimulatableEnvironment`).
public protocol RestorableEnvironment: Environment {
    associatedtype Snapshot
    /// A copy of the whole state (simulation, episode bookkeeping).
    func snapshot() -> Snapshot
    /// Returns the env to a snapshot taken from an env of the same configuration.
    func restore(_ snapshot: Snapshot)
    /// Whether every number of the state of record (positions, velocities, poses, ...) is finite. Default: true (only
    /// the observation, reward and info are then checked).
    var hasFiniteState: Bool { get }
}

extension RestorableEnvironment {
    public var hasFiniteState: Bool { true }

    /// Runs `step` (which changes the env); if the env's state, the observation, the reward or the info is then not
    /// finite, puts the env back as it was and throws `EnvError.invalidAction`. So no action, however large (a finite
    /// 1e308 overflows the arithmetic of any simulator), leaves a non-finite number in the env or in its output.
    public func stepKeepingFinite(_ action: [Double], _ step: () throws -> StepResult) throws -> StepResult {
        let before = snapshot()
        let result = try step()
        if let what = nonFinitePart(observation: result.observation, reward: result.reward, info: result.info) {
            restore(before)
            throw EnvError.invalidAction(
                "\(Self.describe(action)) would make the \(what) non-finite (too large for the dynamics); the step was undone")
        }
        return result
    }

    /// Runs `reset`; if the env's state, the observation or the info is then not finite, puts the env back as it was
    /// and throws `EnvError.invalidState`.
    public func resetKeepingFinite(_ reset: () throws -> (observation: Observation, info: Info)) throws -> (observation: Observation, info: Info) {
        let before = snapshot()
        let result = try reset()
        if let what = nonFinitePart(observation: result.observation, reward: 0, info: result.info) {
            restore(before)
            throw EnvError.invalidState("this start would make the \(what) non-finite (too large for the dynamics); the reset was undone")
        }
        return result
    }

    private func nonFinitePart(observation: Observation, reward: Double, info: Info) -> String? {
        if !hasFiniteState { return "state" }
        if !observation.isFinite { return "observation" }
        if !reward.isFinite { return "reward" }
        if !info.isFinite { return "info" }
        return nil
    }

    static func describe(_ action: [Double]) -> String {
        let shown = action.prefix(4).map { "\($0)" }.joined(separator: ", ")
        return "action [\(shown)\(action.count > 4 ? ", ..." : "")]"
    }
}

extension Info {
    /// Whether every number in the info is finite.
    public var isFinite: Bool {
        entries.allSatisfy { entry in
            switch entry.value {
            case .double(let d): return d.isFinite
            case .doubles(let v): return v.allSatisfy(\.isFinite)
            case .int, .bool: return true
            }
        }
    }
}
