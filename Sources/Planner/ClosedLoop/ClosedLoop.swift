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
    /// One controller at one orientation.
    public struct Row: Encodable, Sendable {
        public var controller: String
        public var orientation: Double
        public var successRate: Double
        public var interval95: [Double]
        public var meanFinalCoverage: Double
        public var secondsPerPlan: Double
        public var maxDeviation: Double
    }

    public struct Report: Encodable, Sendable {
        public var `protocol`: String
        public var rotation: String
        public var episodes: Int
        public var rows: [Row]
        /// Per controller: max - min success across orientations, and the mean interval width.
        public var spread: [String: [String: Double]]
    }

    /// `count` orientations evenly spaced over the circle, 0 first.
    public static func orientations(_ count: Int) -> [Double] {
        (0..<count).map { 2 * Double.pi * Double($0) / Double(count) }
    }

    /// Sweeps every controller over `orientations(orientations)`, `episodes` episodes each (episode e: the protocol's task e,
    /// or seed e); `center` is the fixed point of the env's rotations. `load` gives a controller's model and settings (called once per controller, in order);
    /// `progress(controller, theta)` follows every episode.
    public static func run(
        controllers: [ControllerSpec], orientations: Int, episodes: Int, protocol proto: any GoalProtocol,
        rotation: RotationBuild, center: [Double],
        load: (ControllerSpec) throws -> (model: (any LatentWorldModel)?, config: MPCConfig),
        progress: (ControllerSpec, Double) -> Void = { _, _ in }
    ) throws -> Report {
        let thetas = self.orientations(orientations)
        var rows: [Row] = []
        var spread: [String: [String: Double]] = [:]
        for spec in controllers {
            let (model, config) = try load(spec)
            let cells = try ClosedLoopSweep.run(
                elements: thetas, episodes: episodes, isReference: { $0 == 0 },
                deviation: { PlanningEpisodes.deviation($0, from: $1, theta: $2, center: center) },
                episode: { theta, e in
                    try PlanningEpisodes.episode(
                        protocol: proto, index: e, seed: UInt64(e), theta: theta, rotation: rotation,
                        kind: spec.planner, model: model, config: config
                    ).0.closedLoopOutcome
                },
                progress: { theta, _ in progress(spec, theta) })
            rows += cells.map {
                Row(
                    controller: spec.description, orientation: $0.element, successRate: $0.successRate, interval95: $0.interval95,
                    meanFinalCoverage: $0.meanFinal, secondsPerPlan: $0.secondsPerPlan, maxDeviation: $0.maxDeviation)
            }
            spread[spec.description] = ClosedLoopSweep.spread(cells)
        }
        return Report(protocol: proto.name, rotation: rotation.rawValue, episodes: episodes, rows: rows, spread: spread)
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
