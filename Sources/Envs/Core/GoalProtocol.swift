/// A goal-reaching protocol of an env, registered beside it (`EnvAdapters.goalProtocols`): held-out tasks, the step
/// budget and the success test. The closed-loop runner in Planner knows nothing else of the env: it resets the env the
/// protocol builds, asks the controller for actions towards the protocol's goal, and reads progress after every step.
public protocol GoalProtocol: Sendable {
    /// The protocol's name on the command line (PushT: goal25, full).
    var name: String { get }
    /// Steps an episode may take.
    var budget: Int { get }
    /// Episode `index` (protocols whose tasks are reset seeds use `seed` instead) in the world at orientation
    /// `theta`, realised by `build`.
    func episode(index: Int, seed: UInt64, orientation theta: Double, build: RotationBuild) throws -> GoalEpisode
    /// Episode `index` in the env's own frame, no group element applied to its start or goal (checks that move it by
    /// each element themselves start from it). Default: the episode at orientation 0 in the frame build.
    func canonicalEpisode(index: Int, seed: UInt64) throws -> GoalEpisode
    /// Episode `index` in the world at the group element `g`, frame build (worlds whose sweeps go beyond one
    /// orientation angle, as SE(3)'s). Default: a planar rotation is read as the orientation `g.angle` (about the env's
    /// own centre); other elements are refused.
    func episode(index: Int, seed: UInt64, element g: any GroupElement) throws -> GoalEpisode
}

extension GoalProtocol {
    public func episode(index: Int, seed: UInt64, element g: any GroupElement) throws -> GoalEpisode {
        guard let rotation = g as? PlanarRotation else {
            throw EnvError.invalidArgument("goal protocol '\(name)' takes planar orientations only")
        }
        return try episode(index: index, seed: seed, orientation: rotation.angle, build: .frame)
    }

    public func canonicalEpisode(index: Int, seed: UInt64) throws -> GoalEpisode {
        try episode(index: index, seed: seed, orientation: 0, build: .frame)
    }
}

/// One goal-reaching episode, everything in the frame of the world it runs in.
public struct GoalEpisode {
    /// The env to run (no time limit: the budget is the protocol's).
    public var env: any Environment
    public var resetSeed: UInt64
    /// The state to reset to (nil: the env's own reset from `resetSeed`).
    public var resetState: [Double]?
    /// The goal observation a planner aims at, given the current observation.
    public var goal: @Sendable (_ observation: [Double]) -> [Double]
    /// The goal state, for reports (nil: the protocol has none).
    public var goalState: [Double]?
    /// Progress after a reset or a step, from the env's observation and info, and the previous progress.
    public var progress: @Sendable (_ observation: [Double], _ info: Info, _ previous: GoalProgress?) -> GoalProgress

    public init(
        env: any Environment, resetSeed: UInt64, resetState: [Double]? = nil, goal: @escaping @Sendable ([Double]) -> [Double],
        goalState: [Double]? = nil,
        progress: @escaping @Sendable ([Double], Info, GoalProgress?) -> GoalProgress
    ) {
        self.env = env; self.resetSeed = resetSeed; self.resetState = resetState; self.goal = goal; self.goalState = goalState
        self.progress = progress
    }
}

/// Where an episode stands: success, and the protocol's own measures by name (PushT: coverage, position and angle
/// errors; 3D clouds: the mean point error), in insertion order.
public struct GoalProgress: Sendable, Equatable {
    public var success: Bool
    public var measures: [(name: String, value: Double)]

    public init(success: Bool, measures: [(name: String, value: Double)] = []) {
        self.success = success; self.measures = measures
    }

    public subscript(name: String) -> Double? { measures.first { $0.name == name }?.value }

    public static func == (a: GoalProgress, b: GoalProgress) -> Bool {
        a.success == b.success && a.measures.count == b.measures.count
            && zip(a.measures, b.measures).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
