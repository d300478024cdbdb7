import Envs
import Foundation
import Planner
import Train

/// Closed-loop goal reaching in a 3D cloud world across SE(3) (`eval closed-loop --env teacher3d|push3d|push3d-multi`):
/// each controller is
/// `equivariant:CHECKPOINT` (CEM in the canonical frame of Gram-Schmidt of two equivariant latent vectors) or
/// `cem:CHECKPOINT` (CEM in the world's axes), both planning offsets from the cloud's centroid; the sweep runs the env's
/// goal protocol at the identity and seeded SE(3) samples.
public enum SE3ClosedLoop {
    /// CEM settings of the 3D controllers.
    public struct Search: Sendable, Equatable {
        public var horizon = 4
        public var samples = 100
        public var iterations = 8
        public var execute = 1
        /// `CloudMPC.Config.learnedChannelWeight`.
        public var learnedWeight = 1.0
        public init() {}
    }

    /// The group swept: the identity first, then `samples` seeded SE(3) elements.
    public static func group(samples: Int, seed: UInt64) -> [SE3Transform] {
        [.identity] + SE3Ladder().sample(.se3, count: samples, seed: seed)
    }

    /// Sweeps every controller over `group(samples:seed:)` with `episodes` episodes of `proto` each.
    /// `progress(name)` follows every episode.
    public static func run(
        env: String, controllers: [ControllerSpec], samples: Int, sampleSeed: UInt64, episodes: Int, protocol proto: any GoalProtocol,
        search: Search, allowNonEquivariant: Bool = false, progress: (String) -> Void = { _ in }
    ) throws -> ClosedLoopReport {
        let grid = ClosedLoopGrid(controllers: controllers.count, elements: samples + 1, episodes: episodes)
        let part = try runPart(
            env: env, controllers: controllers, grid: grid, sampleSeed: sampleSeed, units: Array(0..<grid.total), protocol: proto,
            search: search, allowNonEquivariant: allowNonEquivariant, progress: progress)
        return report(env: env, grid: grid, sampleSeed: sampleSeed, protocol: proto.name, part: part, outcomes: part.outcomes)
    }

    /// Runs `units` of the sweep `grid` (elements: `group(samples: grid.elements - 1, seed: sampleSeed)`); every
    /// controller is loaded and described, in order, whether or not the shard runs any of its units.
    public static func runPart(
        env: String, controllers: [ControllerSpec], grid: ClosedLoopGrid, sampleSeed: UInt64, units: [Int], protocol proto: any GoalProtocol,
        search: Search, allowNonEquivariant: Bool = false, progress: (String) -> Void = { _ in }
    ) throws -> ClosedLoopPart {
        let group = self.group(samples: grid.elements - 1, seed: sampleSeed)
        var loaded: [CloudMPC] = []
        return try ClosedLoopPart.run(
            grid: grid, units: units,
            controller: { c in
                let spec = controllers[c]
                guard spec.planner == .equivariant || spec.planner == .cem, let path = spec.model else {
                    throw PlanningSetupError("3D controllers are equivariant:CHECKPOINT or cem:CHECKPOINT, not '\(spec)'")
                }
                let trained = try TrainedCloudModel(url: URL(fileURLWithPath: path))
                guard trained.layout.env == env else { throw PlanningSetupError("\(path) was trained on \(trained.layout.env), not \(env)") }
                let controller = makeController(trained, equivariant: spec.planner == .equivariant, search: search)
                try SearchSettings.requireObservedChannels(
                    learnedWeight: search.learnedWeight, observedChannels: controller.model.observedLatentChannels, name: path)
                try spec.planner.admit(model: controller.model, allowNonEquivariant: allowNonEquivariant, name: path)
                loaded.append(controller)
                let made = controller.model.provenance
                return ClosedLoopPart.Controller(
                    name: "\(spec.planner.rawValue):\(trained.spec.kind.rawValue)@\(trained.train.rung.rawValue)", model: made?.kind,
                    trainingSlice: made?.slice, parameters: made?.parameters, inSlice: group.map { made?.sliceContains($0.coordinates) })
            },
            episode: { c, k, e in
                let outcome = try CloudPlanning.episode(protocol: proto, index: e, g: group[k], controller: loaded[c])
                progress(controllers[c].description)
                return outcome
            })
    }

    /// The report of the sweep `grid` from the outcomes of all its units (`outcomes[u]`) and the controllers `part` names.
    public static func report(
        env: String, grid: ClosedLoopGrid, sampleSeed: UInt64, protocol name: String, part: ClosedLoopPart, outcomes: [ClosedLoopOutcome]
    ) -> ClosedLoopReport {
        ClosedLoopReport(
            env: env, protocol: name, rotation: .frame, finalFigure: "final mean point error (m)", grid: grid,
            elements: group(samples: grid.elements - 1, seed: sampleSeed), coordinates: \.coordinates, isReference: { $0.isIdentity },
            deviation: { PlanningEpisodes.deviation($0, from: $1, g: $2) }, controllers: part.controllers, outcomes: outcomes)
    }

    /// The CEM controller of `trained` (planning offsets from the cloud's centroid, within the collection's action radius).
    static func makeController(_ trained: TrainedCloudModel, equivariant: Bool, search: Search) -> CloudMPC {
        var config = CloudMPC.Config()
        config.equivariant = equivariant
        config.radius = trained.train.collect.actionRadius
        config.cem.horizon = search.horizon; config.cem.samples = search.samples; config.cem.iterations = search.iterations
        config.cem.elites = max(2, min(config.cem.elites, search.samples / 4)); config.executeSteps = search.execute
        config.learnedChannelWeight = search.learnedWeight
        let layout = trained.layout
        return CloudMPC(model: LoadedCloudModel<Double>(trained), config: config, goal: [], reference: { layout.reference($0, row: 0) })
    }
}
