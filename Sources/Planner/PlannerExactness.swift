import EWMIO
import Agents
import Envs

/// Planner exactness: the first planned action at orientation g, rotated back, against the one at
/// orientation 0, for the same seed, over held-out goal-reaching states.
///
/// Generic over the env: the states are the tasks of the env's goal protocol (`EnvAdapters.goalProtocol`), taken in the
/// env's own frame (`GoalProtocol.canonicalEpisode`), and g turns the world about the planners' centre
/// (`PlanningPresets.center`).
public enum PlannerExactness {
    public struct Report: Codable, Sendable {
        public var planner: String
        public var precision: String
        public var orientations: Int
        public var states: Int
        /// max over states and orientations of |g^-1 a_g - a_0| (px).
        public var maxDeviation: Double
        public var medianDeviation: Double
        public var degenerateFrames: Int
    }

    /// One state's figures (a unit of the sweep): the deviation at each orientation but 0, and degenerate frames.
    public struct StateResult: Codable, Sendable {
        public var deviations: [Double]
        public var degenerateFrames: Int
    }

    /// `env`: a registered env with planar planning presets and a goal protocol (`goalProtocol`: its name, nil: the
    /// default); the states are the protocol's tasks 0..<states.
    public static func measure(
        model: any LatentWorldModel, kind: PlannerKind, precision: String, orientations: Int, states: Int,
        config: MPCConfig, env id: String, goalProtocol: String? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws -> Report {
        let results = try (0..<states).map { i in
            let r = try measureState(i, model: model, kind: kind, orientations: orientations, config: config, env: id, goalProtocol: goalProtocol)
            progress?(i + 1)
            return r
        }
        return report(results, planner: kind, precision: precision, orientations: orientations)
    }

    /// State `index` (the protocol's task `index`, seed `index`): the first planned action at each orientation, rotated
    /// back, against the one at orientation 0. It depends on the index alone, so states measured apart give the figures
    /// of one run.
    public static func measureState(
        _ index: Int, model: any LatentWorldModel, kind: PlannerKind, orientations: Int, config: MPCConfig, env id: String,
        goalProtocol: String? = nil
    ) throws -> StateResult {
        let adapters = try Registry.adapters(id)
        let proto = try adapters.goalProtocol(goalProtocol)
        guard adapters.planning.center.count == 2 else {
            throw EnvError.invalidArgument("the planner exactness check turns planar worlds; env '\(id)' is not planar")
        }
        let center = Vec2(adapters.planning.center[0], adapters.planning.center[1])
        var result = StateResult(deviations: [], degenerateFrames: 0)
        let episode = try proto.canonicalEpisode(index: index, seed: UInt64(index))
        let start = try episode.env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState)).observation.values
        let goal = episode.goal(start)
        func firstAction(_ g: PlanarRotation) -> [Double] {
            let mpc = LatentMPC(model: model, kind: kind, config: config, goal: { _ in g.apply(toPoints: goal) })
            mpc.reset(seed: episode.resetSeed)
            let a = mpc.plan(observation: g.apply(toPoints: start))[0]
            result.degenerateFrames += mpc.stats.degenerateFrames
            return a
        }
        let reference = firstAction(PlanarRotation(angle: 0, center: center))
        for k in 1..<orientations {
            let g = PlanarRotation(angle: 2 * Double.pi * Double(k) / Double(orientations), center: center)
            let a = firstAction(g)
            // Target points turn about the centre, offsets from the agent as vectors.
            let back = model.actionOrigin != nil ? g.inverse.apply(toVectors: a) : g.inverse.apply(toPoints: a)
            result.deviations.append((Vec2(back[0], back[1]) - Vec2(reference[0], reference[1])).length)
        }
        return result
    }

    /// The report of all states' results (state order), measured in one run or read from the parts of a sharded one.
    public static func report(_ results: [StateResult], planner kind: PlannerKind, precision: String, orientations: Int) -> Report {
        let sorted = results.flatMap(\.deviations).sorted()
        return Report(
            planner: kind.rawValue, precision: precision, orientations: orientations, states: results.count,
            maxDeviation: sorted.last ?? 0, medianDeviation: sorted.isEmpty ? 0 : sorted[sorted.count / 2],
            degenerateFrames: results.map(\.degenerateFrames).reduce(0, +))
    }

    /// One row per measured arithmetic: the largest and median deviation of the first planned action, mapped back.
    public static func text(_ reports: [Report]) -> String {
        TextTable.render(
            ["planner", "model arithmetic", "orientations", "states", "max |g^-1 a_g - a_0| (px)", "median (px)", "degenerate frames"],
            reports.map {
                [
                    $0.planner, $0.precision, String($0.orientations), String($0.states), TextTable.short($0.maxDeviation),
                    TextTable.short($0.medianDeviation), String($0.degenerateFrames),
                ]
            })
    }
}
