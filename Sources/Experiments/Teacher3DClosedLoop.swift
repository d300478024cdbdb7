import Envs
import Foundation
import Train
import Planner

/// One controller of the teacher3d closed-loop sweep: the equivariant planner or plain CEM, with a 3D checkpoint.
public struct Teacher3DController: Sendable {
    public var equivariant: Bool
    public var checkpoint: String
    /// Let the equivariant planner run a model that is not equivariant by construction (see `PlannerKind.check`).
    public var allowNonEquivariant = false
    public init(equivariant: Bool, checkpoint: String) { self.equivariant = equivariant; self.checkpoint = checkpoint }
}

/// Closed-loop goal reaching on teacher3d across SE(3) samples (`eval closed-loop3d`): per controller and element,
/// success with Wilson 95% intervals; per controller, pooled success at and off the training rung and a chi-square
/// homogeneity test across the elements.
public enum Teacher3DClosedLoop {
    /// The search of every controller (CEM settings and steps executed per plan).
    public struct Search: Sendable {
        public var horizon = 4
        public var samples = 100
        public var iterations = 8
        public var execute = 1
        public init() {}
    }

    public struct Row: Encodable, Sendable {
        public var controller: String
        public var element: [Double]
        public var inSlice: Bool
        public var successes: Int
        public var episodes: Int
        public var successRate: Double
        public var interval95: [Double]
        public var meanFinalError: Double
        public var degenerateFrames: Int
        public var identityFrames: Int
        public var plans: Int
        public var maxDeviation: Double
    }

    public struct Summary: Encodable, Sendable {
        public var controller: String
        public var model: String
        public var trainingRung: String
        public var parameters: Int
        public var identitySuccess: Double
        public var offSliceSuccess: Double?
        public var offSliceInterval95: [Double]?
        public var allSuccess: Double
        public var allInterval95: [Double]
        public var minSuccess: Double
        public var maxSuccess: Double
        public var homogeneityP: Double
        public var degenerateFrames: Int
        public var plans: Int
        public var secondsPerPlan: Double
    }

    public struct Report: Encodable, Sendable {
        public var settings: Teacher3DGoalTask.Settings
        public var rows: [Row]
        public var summaries: [Summary]
        /// Whether the first equivariant controller's pooled interval is disjoint from each baseline's off-slice interval.
        public var disjoint: [String: Bool]
    }

    /// The group swept: the identity first, then `samples` seeded SE(3) elements.
    public static func group(samples: Int, seed: UInt64) -> [SE3Transform] {
        [.identity] + SE3Ladder().sample(.se3, count: samples, seed: seed)
    }

    /// Sweeps every controller over `group(samples:seed:)` with `episodes` tasks (made with `settings`; each episode
    /// then runs with the checkpoint's start spread and action radius). `progress(name)` follows every episode.
    public static func run(
        controllers: [Teacher3DController], samples: Int, sampleSeed: UInt64, episodes: Int,
        settings initial: Teacher3DGoalTask.Settings, search: Search,
        progress: (String) -> Void = { _ in }
    ) throws -> Report {
        var settings = initial
        let group = self.group(samples: samples, seed: sampleSeed)
        let tasks = try (0..<episodes).map { try Teacher3DGoalTask.make(index: $0, settings: settings) }
        var rows: [Row] = [], summaries: [Summary] = []
        for spec in controllers {
            let trained = try TrainedCloudModel(url: URL(fileURLWithPath: spec.checkpoint))
            settings.startSpread = trained.train.collect.startSpread
            settings.actionRadius = trained.train.collect.actionRadius
            if spec.equivariant {
                try PlannerKind.equivariant.check(
                    model: LoadedCloudModel<Double>(trained), allowNonEquivariant: spec.allowNonEquivariant, name: spec.checkpoint)
            }
            let controller = makeController(trained, equivariant: spec.equivariant, search: search)
            let name = "\(spec.equivariant ? "equivariant" : "cem"):\(trained.spec.kind.rawValue)@\(trained.train.rung.rawValue)"
            let cells = try ClosedLoopSweep.run(
                elements: group, episodes: episodes, isReference: { $0.isIdentity },
                deviation: { PlanningEpisodes.deviation($0, from: $1, g: $2) },
                episode: { g, e in
                    try Teacher3DPlanning.episode(task: tasks[e], g: g, settings: settings, controller: controller).closedLoopOutcome
                },
                progress: { _, _ in progress(name) })
            let specRows = cells.map { c in
                Row(
                    controller: name, element: c.element.coordinates,
                    inSlice: trained.train.collect.ladder.contains(c.element, in: trained.train.rung, tolerance: 1e-9),
                    successes: c.successes, episodes: c.episodes, successRate: c.successRate, interval95: c.interval95,
                    meanFinalError: c.meanFinal, degenerateFrames: c.degenerateFrames, identityFrames: c.identityFrames,
                    plans: c.plans, maxDeviation: c.maxDeviation)
            }
            summaries.append(summary(specRows, name: name, model: trained, seconds: cells.map(\.seconds).reduce(0, +)))
            rows += specRows
        }
        return Report(settings: settings, rows: rows, summaries: summaries, disjoint: disjoint(summaries))
    }

    /// The CEM controller of `trained` (planning offsets from the cloud's centroid).
    static func makeController(_ trained: TrainedCloudModel, equivariant: Bool, search: Search) -> CloudMPC {
        var config = CloudMPC.Config()
        config.equivariant = equivariant
        config.radius = trained.train.collect.actionRadius
        config.cem.horizon = search.horizon; config.cem.samples = search.samples; config.cem.iterations = search.iterations
        config.cem.elites = max(2, min(config.cem.elites, search.samples / 4)); config.executeSteps = search.execute
        let layout = trained.layout
        return CloudMPC(model: LoadedCloudModel<Double>(trained), config: config, goal: [], reference: { layout.reference($0, row: 0) })
    }

    /// A controller's pooled figures over its rows (the identity's row first); `seconds` = its total planning time.
    public static func summary(_ rows: [Row], name: String, model trained: TrainedCloudModel, seconds: Double) -> Summary {
        pooledSummary(
            rows, name: name, model: trained.spec.kind.rawValue, trainingRung: trained.train.rung.rawValue,
            parameters: trained.parameterCount, seconds: seconds)
    }

    /// As `summary`, from the model's description.
    public static func pooledSummary(
        _ rows: [Row], name: String, model: String, trainingRung: String, parameters: Int,
        seconds: Double
    ) -> Summary {
        let off = rows.filter { !$0.inSlice }
        let offS = off.map(\.successes).reduce(0, +), offN = off.map(\.episodes).reduce(0, +)
        let allS = rows.map(\.successes).reduce(0, +), allN = rows.map(\.episodes).reduce(0, +)
        let offCI = offN > 0 ? wilsonInterval(successes: offS, trials: offN) : nil
        let allCI = wilsonInterval(successes: allS, trials: allN)
        let totalPlans = rows.map(\.plans).reduce(0, +)
        return Summary(
            controller: name, model: model, trainingRung: trainingRung, parameters: parameters,
            identitySuccess: rows[0].successRate, offSliceSuccess: offN > 0 ? Double(offS) / Double(offN) : nil,
            offSliceInterval95: offCI.map { [$0.low, $0.high] }, allSuccess: Double(allS) / Double(allN), allInterval95: [allCI.low, allCI.high],
            minSuccess: rows.map(\.successRate).min()!, maxSuccess: rows.map(\.successRate).max()!,
            homogeneityP: Homogeneity.pValue(successes: rows.map(\.successes), trials: rows.map(\.episodes)),
            degenerateFrames: rows.map(\.degenerateFrames).reduce(0, +), plans: totalPlans,
            secondsPerPlan: totalPlans == 0 ? 0 : seconds / Double(totalPlans))
    }

    /// For each baseline (not equivariant) with off-slice rows: whether its off-slice interval and the first
    /// equivariant controller's pooled interval are disjoint.
    public static func disjoint(_ summaries: [Summary]) -> [String: Bool] {
        var result: [String: Bool] = [:]
        guard let eq = summaries.first(where: { $0.controller.hasPrefix("equivariant") }) else { return result }
        for b in summaries where !b.controller.hasPrefix("equivariant") {
            if let ci = b.offSliceInterval95 { result[b.controller] = ci[1] < eq.allInterval95[0] || ci[0] > eq.allInterval95[1] }
        }
        return result
    }
}
