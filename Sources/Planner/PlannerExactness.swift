import Agents
import Envs

/// Planner exactness: the first planned action at orientation g, rotated back, against the one at
/// orientation 0, for the same seed, over held-out goal-reaching states.
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

    public static func measure(model: any LatentWorldModel, kind: PlannerKind, precision: String, orientations: Int, states: Int,
                               config: MPCConfig, progress: ((Int) -> Void)? = nil) throws -> Report {
        var deviations: [Double] = []
        var degenerate = 0
        for i in 0..<states {
            let task = try GoalReachingTask.make(index: i)
            let env = PushTEnv(observationType: .keypoints)
            let start = try env.reset(seed: task.seed).observation.values
            func firstAction(_ g: PlanarRotation) -> [Double] {
                let mpc = LatentMPC(model: model, kind: kind, config: config, goal: { _ in g.apply(toPoints: task.goalObservation) })
                mpc.reset(seed: task.seed)
                let a = mpc.plan(observation: g.apply(toPoints: start))[0]
                degenerate += mpc.stats.degenerateFrames
                return a
            }
            let reference = firstAction(PlanarRotation(angle: 0, center: PushTGeometry.workspaceCenter))
            for k in 1..<orientations {
                let g = PlanarRotation(angle: 2 * Double.pi * Double(k) / Double(orientations), center: PushTGeometry.workspaceCenter)
                let a = firstAction(g)
                deviations.append((g.inverse.apply(point: Vec2(a[0], a[1])) - Vec2(reference[0], reference[1])).length)
            }
            progress?(i + 1)
        }
        let sorted = deviations.sorted()
        return Report(planner: kind.rawValue, precision: precision, orientations: orientations, states: states,
                      maxDeviation: sorted.last ?? 0, medianDeviation: sorted.isEmpty ? 0 : sorted[sorted.count / 2],
                      degenerateFrames: degenerate)
    }
}
