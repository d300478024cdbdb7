import Foundation

/// How `ewm-sim run ENV` drives and reports an env: its scripted controller, if it has one, and the end-of-episode
/// figures its tables and picture captions show (info keys of the last step).
public struct RunPresets: Sendable {
    /// One figure read off an episode's last info.
    public struct Figure: Sendable, Equatable, Encodable {
        public var key: String
        public var label: String
        public init(key: String, label: String) { self.key = key; self.label = label }
    }

    /// The env's scripted controller for the env as built from these options (nil: none; the runs use random actions).
    public var scriptedPolicy: (@Sendable (_ env: any Environment, _ options: MakeOptions) -> (any Policy)?)?
    public var figures: [Figure]

    public init(
        figures: [Figure] = [],
        scriptedPolicy: (@Sendable (_ env: any Environment, _ options: MakeOptions) -> (any Policy)?)? = nil
    ) {
        self.figures = figures; self.scriptedPolicy = scriptedPolicy
    }

    /// A picture caption for step `t`: the figures, three decimals each.
    public func caption(step t: Int, info: Info) -> String {
        (["step \(t)"] + figures.map { "\($0.label) \(String(format: "%.3f", info.double($0.key) ?? .nan))" }).joined(separator: "  ")
    }
}
