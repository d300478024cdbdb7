import Agents
import Envs
import Foundation
import Planner
import Train

/// `eval closed-loop`: closed-loop success of planners in any registered env with a goal protocol, swept over its
/// symmetry group: planar worlds over evenly spaced orientations (`ClosedLoop`), 3D cloud worlds over the identity and
/// seeded SE(3) samples (`SE3ClosedLoop`). The group is read off the env's model adapter (its dimension).
public struct ClosedLoopEvaluation: Sendable {
    public var env: String
    /// planner[:model] each; empty: the default pair (the equivariant planner with the default model, CEM with the
    /// baseline), for the env those models were trained on.
    public var controllers: [ControllerSpec]
    /// Group elements swept, the identity included.
    public var elements: Int
    /// Seed of the sampled elements (SE(3)).
    public var groupSeed: UInt64
    public var episodes: Int
    /// The env's goal protocol (nil: its first).
    public var protocolName: String?
    public var rotation: RotationBuild
    /// Search settings of the planar planners and of the 3D controllers.
    public var search: SearchSettings
    public var cloudSearch: SE3ClosedLoop.Search
    /// Let the equivariant planner run a model that is not equivariant by construction (with a warning).
    public var allowNonEquivariant = false

    public init(
        env: String, controllers: [ControllerSpec], elements: Int, groupSeed: UInt64, episodes: Int, protocolName: String?,
        rotation: RotationBuild, search: SearchSettings, cloudSearch: SE3ClosedLoop.Search
    ) {
        self.env = env; self.controllers = controllers; self.elements = elements; self.groupSeed = groupSeed; self.episodes = episodes
        self.protocolName = protocolName; self.rotation = rotation; self.search = search; self.cloudSearch = cloudSearch
    }

    /// The first planar controller's model and settings, and the protocol swept (for pictures of its episodes).
    public typealias Loaded = (spec: ControllerSpec, model: (any LatentWorldModel)?, config: MPCConfig, protocol: any GoalProtocol)

    /// Wall-clock figures in the report (false: none, `--no-timings`).
    public var timings = true

    /// The controllers swept: the given ones, or for a planar env without any the default pair.
    var specs: [ControllerSpec] {
        controllers.isEmpty
            ? [ControllerSpec(planner: .equivariant), ControllerSpec(planner: .cem, model: DefaultModel.baselinePath)] : controllers
    }

    /// The sweep's units (`ClosedLoopGrid`).
    public var grid: ClosedLoopGrid { ClosedLoopGrid(controllers: max(specs.count, 1), elements: elements, episodes: episodes) }

    /// Runs the whole sweep; `progress(description)` follows every episode.
    public func run(progress: (String) -> Void = { _ in }) throws -> (report: ClosedLoopReport, first: Loaded?) {
        let (part, first) = try runPart(units: Array(0..<grid.total), progress: progress)
        return (try assemble([part]), first)
    }

    /// Runs `units` of the sweep (a shard's, `Shard.units(of: grid.total)`); `progress(description)` follows every episode.
    public func runPart(units: [Int], progress: (String) -> Void = { _ in }) throws -> (part: ClosedLoopPart, first: Loaded?) {
        let adapters = try Registry.adapters(env)
        let proto = try adapters.goalProtocol(protocolName)
        if adapters.model.dimension == 3 {
            guard rotation == .frame else { throw PlanningSetupError("the SE(3) sweep runs the frame build; --rotation world does not apply") }
            guard !controllers.isEmpty else { throw PlanningSetupError("give the controllers of a 3D sweep: --controller equivariant:CHECKPOINT") }
            let part = try SE3ClosedLoop.runPart(
                env: env, controllers: controllers, grid: grid, sampleSeed: groupSeed, units: units, protocol: proto,
                search: cloudSearch, allowNonEquivariant: allowNonEquivariant, progress: progress)
            return (part, nil)
        }
        var first: Loaded?
        let part = try ClosedLoop.runPart(
            controllers: specs, grid: grid, units: units, protocol: proto, rotation: rotation,
            load: { spec in
                // The default baseline is found like the default model: in the working directory, else the source tree.
                let path = spec.model == DefaultModel.baselinePath ? try DefaultModel.url(DefaultModel.baselinePath).path : spec.model
                let model = spec.planner == .oracle ? nil : try DefaultModel.load(path, precision: .double)
                if let trained = model?.trainedEnv, trained != env {
                    throw PlanningSetupError("\(path ?? "the model") was trained on \(trained), not \(env)")
                }
                var config = try search.config(env: env, model: model, oracle: spec.planner == .oracle)
                config.allowNonEquivariantModel = allowNonEquivariant
                try spec.planner.admit(model: model, allowNonEquivariant: allowNonEquivariant, name: path)
                if first == nil { first = (spec, model, config, proto) }
                return (model, config)
            },
            progress: { spec, theta in progress("\(spec) theta \(String(format: "%.2f", theta))") })
        return (part, first)
    }

    /// The report of the whole sweep from its parts (every unit exactly once, in any order of parts): what `run` prints.
    public func assemble(_ parts: [ClosedLoopPart]) throws -> ClosedLoopReport {
        let grid = self.grid
        var outcomes = [ClosedLoopOutcome?](repeating: nil, count: grid.total)
        for part in parts {
            for (u, outcome) in zip(part.units, part.outcomes) {
                guard (0..<grid.total).contains(u), outcomes[u] == nil else {
                    throw PlanningSetupError("closed-loop parts: unit \(u) is outside the sweep or given twice")
                }
                outcomes[u] = outcome
            }
        }
        guard let described = parts.first, outcomes.allSatisfy({ $0 != nil }) else {
            throw PlanningSetupError("closed-loop parts: \(outcomes.filter { $0 == nil }.count) of \(grid.total) units have no outcome")
        }
        let all = outcomes.map { $0! }
        let adapters = try Registry.adapters(env)
        let proto = try adapters.goalProtocol(protocolName)
        let report =
            adapters.model.dimension == 3
            ? SE3ClosedLoop.report(env: env, grid: grid, sampleSeed: groupSeed, protocol: proto.name, part: described, outcomes: all)
            : ClosedLoop.report(
                env: env, grid: grid, protocol: proto.name, rotation: rotation, center: adapters.planning.center, part: described, outcomes: all)
        return timings ? report : report.withoutTimings()
    }
}
