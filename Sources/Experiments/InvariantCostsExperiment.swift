import Agents
import EWMIO
import Envs
import Foundation
import Planner
import Train

/// Experiment C3 of issue 17, planning under G-invariant costs: the equivariant planner's closed loop on an env's goal
/// protocol with each `LatentCost` (the O(n)-invariant squared distance, per-copy weights, distances of invariants), at
/// several orientations: per cost, the success on the same tasks with Wilson intervals, the trajectory deviation of every
/// orientation's run from orientation 0's (turned back), and each cost's invariance residual under G and under O(n),
/// measured on the latents of held-out tasks. The env is reached through its registered adapters (group, goal protocol,
/// planner presets).
public enum InvariantCostsExperiment {
    public struct Settings: Sendable {
        public var env = "pusht"
        /// The env's goal protocol (nil: its first; PushT: goal25).
        public var protocolName: String?
        /// Model checkpoint (nil: the default planning model).
        public var model: String?
        /// Orientations swept, 0 first (the reference).
        public var orientations = [0.0, 0.7]
        public var episodes = 3
        public var costs: [String] = ["euclidean", "irrep-weighted", "norms", "gram"]
        /// Tasks the whitening weights and the invariance residuals are measured on: indices offset ..< offset + count,
        /// disjoint from the evaluated tasks 0 ..< episodes.
        public var probeTasks = 32
        public var probeOffset = 10_000
        public var search = SearchSettings()
        public init() {}
    }

    public static let costNames = ["euclidean", "irrep-weighted", "norms", "gram"]

    public struct Row: Encodable, Sendable {
        public var cost: String
        public var orthogonallyInvariant: Bool
        public var prediction: String
        /// max over probe pairs of |c(g z, g y) - c(z, y)| / c(z, y) for 8 elements of O(d); the same for 8 Haar-random
        /// orthogonal maps of the whole latent.
        public var groupResidual: Double
        public var orthogonalResidual: Double
        /// Per orientation: successes, Wilson 95% interval, max trajectory deviation from orientation 0 (env units).
        public var orientations: [Double]
        public var successes: [Int]
        public var intervals95: [[Double]]
        public var maxDeviation: Double
        public var episodes: Int
        public var secondsPerPlan: Double
    }

    public struct Report: TextReport, Sendable {
        public var env: String
        public var `protocol`: String
        public var model: String
        public var rows: [Row]
        public var seconds: Double

        public var text: String {
            let f = { (x: Double) in TextTable.fixed(x, 2) }
            let table = TextTable.render(
                ["cost", "O(n)-inv", "G resid", "O(n) resid"] + (rows.first?.orientations ?? []).map { "success @\(TextTable.fixed($0, 2))" }
                    + ["max deviation", "s/plan"],
                rows.map { r in
                    [r.cost, r.orthogonallyInvariant ? "yes" : "no", TextTable.short(r.groupResidual), TextTable.short(r.orthogonalResidual)]
                        + zip(r.successes, r.intervals95).map {
                            "\($0)/\(r.episodes) \(f(Double($0) / Double(r.episodes))) (\(f($1[0]))-\(f($1[1])))"
                        }
                        + [TextTable.short(r.maxDeviation), TextTable.fixed(r.secondsPerPlan, 3)]
                })
            var lines = [
                "\(env) \(self.protocol), equivariant planner, model \(model), tasks 0-\((rows.first?.episodes ?? 1) - 1) at each orientation", table,
            ]
            lines.append("predictions:")
            lines += rows.map { "  \($0.cost): \($0.prediction)" }
            lines.append(
                "(success with Wilson 95% intervals; deviation = max over episodes and steps of |g^-1 traj_g - traj_0| in env units; \(TextTable.fixed(seconds, 0)) s)"
            )
            return lines.joined(separator: "\n")
        }
    }

    static func prediction(_ name: String) -> String {
        switch name {
        case "euclidean": return "the baseline; closed loop exact (deviation at the float floor)"
        case "irrep-weighted": return "G-invariant only, so still exact; success near the baseline's (only the copies' scales change)"
        case "norms": return "exact; blind to where each copy points, so success falls"
        default: return "exact; cannot tell the goal from its turns about the centre, so success falls"
        }
    }

    /// Runs the sweep for every cost; `progress(message)` follows every episode.
    public static func run(_ s: Settings, progress: (String) -> Void = { _ in }) throws -> Report {
        let t0 = Date()
        guard s.orientations.first == 0 else { throw PlanningSetupError("the first orientation must be 0 (the reference run)") }
        if let unknown = s.costs.first(where: { !costNames.contains($0) }) {
            throw PlanningSetupError("unknown cost '\(unknown)'; the costs are \(costNames.joined(separator: ", "))")
        }
        guard !s.costs.isEmpty, s.episodes > 0, s.probeTasks > 0 else { throw PlanningSetupError("need costs, episodes > 0 and probe tasks > 0") }
        return try sweep(s, start: t0, progress: progress)
    }

    static func sweep(_ s: Settings, start t0: Date, progress: (String) -> Void) throws -> Report {
        let adapters = try Registry.adapters(s.env)
        guard adapters.model.dimension == 2 else { throw PlanningSetupError("this sweep turns planar worlds; \(s.env) is not planar") }
        let proto = try adapters.goalProtocol(s.protocolName)
        let model = try DefaultModel.load(s.model, precision: .double)
        try PlannerKind.equivariant.check(model: model, allowNonEquivariant: false, name: s.model)
        if let trained = model.trainedEnv, trained != s.env { throw PlanningSetupError("the model was trained on \(trained), not \(s.env)") }
        guard !model.observesPreviousAction, !model.observesAgentVelocity else {
            throw PlanningSetupError("models that observe the previous action or the agent's velocity are not supported here")
        }
        let base = try s.search.config(env: s.env, model: model)
        let pairs = try probePairs(proto, model: model, settings: s)
        let rep = model.latentRep
        let center = adapters.planning.center
        var rows: [Row] = []
        for name in s.costs {
            let cost = try self.cost(name, pairs: pairs, rep: rep)
            try cost.validate(rep: rep)
            var config = base
            config.latentCost = cost
            let cells = try ClosedLoopSweep.run(
                elements: s.orientations, episodes: s.episodes, isReference: { $0 == 0 },
                deviation: { PlanningEpisodes.deviation($0, from: $1, theta: $2, center: center) },
                episode: { theta, e in
                    try PlanningEpisodes.episode(
                        protocol: proto, index: e, seed: UInt64(e), theta: theta, rotation: .frame, kind: .equivariant, model: model,
                        config: config
                    ).0.closedLoopOutcome
                },
                progress: { theta, e in progress("\(name) theta \(TextTable.fixed(theta, 2)) task \(e)") })
            let plans = cells.map(\.plans).reduce(0, +)
            rows.append(
                Row(
                    cost: name, orthogonallyInvariant: cost.isOrthogonallyInvariant, prediction: prediction(name),
                    groupResidual: LatentCostInvariance.groupResidual(cost, rep: rep, pairs: pairs),
                    orthogonalResidual: LatentCostInvariance.orthogonalResidual(cost, rep: rep, pairs: pairs),
                    orientations: s.orientations, successes: cells.map(\.successes), intervals95: cells.map(\.interval95),
                    maxDeviation: cells.map(\.maxDeviation).max() ?? 0, episodes: s.episodes,
                    secondsPerPlan: plans == 0 ? 0 : cells.map(\.seconds).reduce(0, +) / Double(plans)))
        }
        return Report(
            env: s.env, protocol: proto.name, model: s.model ?? DefaultModel.relativePath, rows: rows, seconds: Date().timeIntervalSince(t0))
    }

    /// The latents of the start and goal observations of the probe tasks (orientation 0).
    static func probePairs(_ proto: any GoalProtocol, model: any LatentWorldModel, settings s: Settings) throws -> [(z: [Double], y: [Double])] {
        try (0..<s.probeTasks).map { k in
            let index = s.probeOffset + k
            let episode = try proto.canonicalEpisode(index: index, seed: UInt64(index))
            let (obs, _) = try episode.env.reset(seed: episode.resetSeed, options: ResetOptions(state: episode.resetState))
            return (model.encode(obs.values, batch: 1), model.encode(episode.goal(obs.values), batch: 1))
        }
    }

    /// The cost of a name; `irrep-weighted` takes its per-copy weights from the probe latents (`LatentCost.whitened`).
    static func cost(_ name: String, pairs: [(z: [Double], y: [Double])], rep: Rep) throws -> LatentCost {
        switch name {
        case "euclidean": return .euclidean
        case "irrep-weighted": return .whitened(latents: pairs.flatMap { $0.z + $0.y }, count: 2 * pairs.count, rep: rep)
        case "norms": return .norms
        case "gram": return .gram
        default: throw PlanningSetupError("unknown cost '\(name)'")
        }
    }
}
