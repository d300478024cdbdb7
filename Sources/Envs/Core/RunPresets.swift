import EWMIO
import Foundation

/// How `ewm-sim run ENV` drives and reports an env (its scripted controller, if it has one, and the end-of-episode
/// figures its tables and picture captions show: info keys of the last step), and how `check orbit --env ENV` measures
/// that the env at a group element is the moved canonical env.
public struct RunPresets: Sendable {
    /// The sizes of an orbit check: group elements (planar: orientations; SE(3): one-step samples), episodes (planar:
    /// seeds per orientation; SE(3): rollouts), steps per episode, and the seed of states and elements.
    public struct OrbitCheckSettings: Sendable {
        public var elements: Int
        public var episodes: Int
        public var steps: Int
        public var seed: UInt64
        public init(elements: Int, episodes: Int, steps: Int, seed: UInt64) {
            self.elements = elements; self.episodes = episodes; self.steps = steps; self.seed = seed
        }
    }

    /// One figure read off an episode's last info.
    public struct Figure: Sendable, Equatable, Encodable {
        public var key: String
        public var label: String
        public init(key: String, label: String) { self.key = key; self.label = label }
    }

    /// The env's scripted controller for the env as built from these options (nil: none; the runs use random actions).
    public var scriptedPolicy: (@Sendable (_ env: any Environment, _ options: MakeOptions) -> (any Policy)?)?
    public var figures: [Figure]
    /// The env's orbit check (nil: none), its residuals as a printable report.
    public var orbitCheck: (@Sendable (OrbitCheckSettings) throws -> any TextReport)?
    /// The same check cut into units (nil: it runs in one process only; `check orbit --shard` refuses it).
    public var orbitUnits: OrbitCheckUnits?

    public init(
        figures: [Figure] = [], orbitCheck: (@Sendable (OrbitCheckSettings) throws -> any TextReport)? = nil,
        scriptedPolicy: (@Sendable (_ env: any Environment, _ options: MakeOptions) -> (any Policy)?)? = nil
    ) {
        self.figures = figures; self.orbitCheck = orbitCheck; self.scriptedPolicy = scriptedPolicy
    }

    /// Presets whose orbit check is `units` (run whole by `check orbit`, in shards by `check orbit --shard`).
    public init(
        figures: [Figure] = [], orbitUnits units: OrbitCheckUnits,
        scriptedPolicy: (@Sendable (_ env: any Environment, _ options: MakeOptions) -> (any Policy)?)? = nil
    ) {
        self.init(figures: figures, orbitCheck: { try units.run($0) }, scriptedPolicy: scriptedPolicy)
        orbitUnits = units
    }

    /// A picture caption for step `t`: the figures, three decimals each.
    public func caption(step t: Int, info: Info) -> String {
        (["step \(t)"] + figures.map { "\($0.label) \(String(format: "%.3f", info.double($0.key) ?? .nan))" }).joined(separator: "  ")
    }
}
