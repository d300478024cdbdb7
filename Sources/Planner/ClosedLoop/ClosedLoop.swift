import Agents
import EWMIO
import Envs
import Foundation

/// One controller of a closed-loop sweep: a planner and (unless it is the oracle) a model checkpoint.
public struct ControllerSpec: CustomStringConvertible, Sendable {
    public var planner: PlannerKind
    public var model: String?

    public init(planner: PlannerKind, model: String? = nil) { self.planner = planner; self.model = model }

    /// "equivariant", "cem:path/to/checkpoint.safetensors", "oracle"; nil for an unknown planner.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let first = parts.first, let kind = PlannerKind(rawValue: first) else { return nil }
        self.init(planner: kind, model: parts.count > 1 ? parts[1] : nil)
    }

    public var description: String { model.map { "\(planner.rawValue):\($0)" } ?? planner.rawValue }
}

/// Closed-loop success of planners on a planar env across the group of orientations (`eval closed-loop`).
public enum ClosedLoop {
    /// `count` orientations evenly spaced over the circle, 0 first.
    public static func orientations(_ count: Int) -> [Double] {
        (0..<count).map { 2 * Double.pi * Double($0) / Double(count) }
    }

    /// Sweeps every controller over `orientations(orientations)`, `episodes` episodes each (episode e: the protocol's task e,
    /// or seed e); `center` is the fixed point of the env's rotations. `load` gives a controller's model and settings (called
    /// once per controller, in order); `progress(controller, theta)` follows every episode.
    public static func run(
        env: String, controllers: [ControllerSpec], orientations: Int, episodes: Int, protocol proto: any GoalProtocol,
        rotation: RotationBuild, center: [Double],
        load: (ControllerSpec) throws -> (model: (any LatentWorldModel)?, config: MPCConfig),
        progress: (ControllerSpec, Double) -> Void = { _, _ in }
    ) throws -> ClosedLoopReport {
        let grid = ClosedLoopGrid(controllers: controllers.count, elements: orientations, episodes: episodes)
        let part = try runPart(
            controllers: controllers, grid: grid, units: Array(0..<grid.total), protocol: proto, rotation: rotation, load: load, progress: progress)
        return report(env: env, grid: grid, protocol: proto.name, rotation: rotation, center: center, part: part, outcomes: part.outcomes)
    }

    /// Runs `units` of the sweep `grid` over `controllers` (unit numbering: `ClosedLoopGrid`); `load` is called once per
    /// controller, in order, whether or not the shard runs any of its units (the part names every controller).
    public static func runPart(
        controllers: [ControllerSpec], grid: ClosedLoopGrid, units: [Int], protocol proto: any GoalProtocol, rotation: RotationBuild,
        load: (ControllerSpec) throws -> (model: (any LatentWorldModel)?, config: MPCConfig),
        progress: (ControllerSpec, Double) -> Void = { _, _ in }
    ) throws -> ClosedLoopPart {
        let thetas = self.orientations(grid.elements)
        var loaded: [(model: (any LatentWorldModel)?, config: MPCConfig)] = []
        return try ClosedLoopPart.run(
            grid: grid, units: units,
            controller: { c in
                let (model, config) = try load(controllers[c])
                loaded.append((model, config))
                let made = model?.provenance
                return ClosedLoopPart.Controller(
                    name: controllers[c].description, model: made?.kind, trainingSlice: made?.slice, parameters: made?.parameters,
                    inSlice: thetas.map { made?.sliceContains([$0]) })
            },
            episode: { c, k, e in
                let spec = controllers[c]
                let outcome = try PlanningEpisodes.episode(
                    protocol: proto, index: e, seed: UInt64(e), theta: thetas[k], rotation: rotation,
                    kind: spec.planner, model: loaded[c].model, config: loaded[c].config
                ).0.closedLoopOutcome
                progress(spec, thetas[k])
                return outcome
            })
    }

    /// The report of the sweep `grid` from the outcomes of all its units (`outcomes[u]`) and the controllers `part` names.
    public static func report(
        env: String, grid: ClosedLoopGrid, protocol name: String, rotation: RotationBuild, center: [Double], part: ClosedLoopPart,
        outcomes: [ClosedLoopOutcome]
    ) -> ClosedLoopReport {
        ClosedLoopReport(
            env: env, protocol: name, rotation: rotation, finalFigure: "final coverage", grid: grid, elements: orientations(grid.elements),
            coordinates: { [$0] }, isReference: { $0 == 0 },
            deviation: { PlanningEpisodes.deviation($0, from: $1, theta: $2, center: center) }, controllers: part.controllers,
            outcomes: outcomes)
    }

    /// Frames of episode 0 at orientation 0 (left) and 0.7 rad (right), side by side (256 px each).
    public static func sideBySideFrames(
        controller: ControllerSpec, model: (any LatentWorldModel)?, config: MPCConfig,
        protocol proto: any GoalProtocol, rotation: RotationBuild
    ) throws -> [RGBImage] {
        let runs = try [0.0, 0.7].map { theta in
            try PlanningEpisodes.episode(
                protocol: proto, index: 0, seed: 0, theta: theta, rotation: rotation, kind: controller.planner,
                model: model, config: config, record: true, frameSize: 256
            ).1?.frames ?? []
        }
        return FrameComposite.sideBySide(runs, gap: 8)
    }
}
