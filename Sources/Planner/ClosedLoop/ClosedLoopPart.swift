import EWMIO
import Envs
import Foundation

/// A closed-loop sweep cut into units: unit u = (controller c, element k, episode e) with
/// u = (c * elements + k) * episodes + e. Every episode is seeded from its own coordinates (task e, seed e, element k),
/// never from what ran before it, so any subset of units gives the outcomes the whole sweep gives for them.
public struct ClosedLoopGrid: Equatable, Sendable {
    public var controllers: Int
    public var elements: Int
    public var episodes: Int

    public init(controllers: Int, elements: Int, episodes: Int) {
        self.controllers = controllers; self.elements = elements; self.episodes = episodes
    }

    public var total: Int { controllers * elements * episodes }

    public func unit(controller c: Int, element k: Int, episode e: Int) -> Int { (c * elements + k) * episodes + e }

    public func coordinates(_ u: Int) -> (controller: Int, element: Int, episode: Int) {
        (u / (elements * episodes), (u / episodes) % elements, u % episodes)
    }
}

/// What one shard of a closed-loop sweep hands to the merge: each controller's description (as the report names it,
/// with whether each element lies in its model's training slice) and the outcome of each of the shard's units.
public struct ClosedLoopPart: Codable, Sendable {
    public struct Controller: Codable, Sendable {
        public var name: String
        public var model: String?
        public var trainingSlice: String?
        public var parameters: Int?
        /// Per element of the sweep: inside the model's training slice (nil: not known, e.g. the oracle).
        public var inSlice: [Bool?]

        public init(name: String, model: String?, trainingSlice: String?, parameters: Int?, inSlice: [Bool?]) {
            self.name = name; self.model = model; self.trainingSlice = trainingSlice; self.parameters = parameters; self.inSlice = inSlice
        }
    }

    public var controllers: [Controller]
    /// The units run, in increasing order, and their outcomes (same order).
    public var units: [Int]
    public var outcomes: [ClosedLoopOutcome]

    public init(controllers: [Controller], units: [Int], outcomes: [ClosedLoopOutcome]) {
        self.controllers = controllers; self.units = units; self.outcomes = outcomes
    }

    /// Runs `units` of `grid` (all of them: the whole sweep) in increasing order: `controller(c)` describes controller c
    /// and is asked once for each, in order, before its units; `episode(c, k, e)` runs one unit.
    public static func run(
        grid: ClosedLoopGrid, units: [Int], controller: (Int) throws -> Controller,
        episode: (_ controller: Int, _ element: Int, _ episode: Int) throws -> ClosedLoopOutcome
    ) throws -> ClosedLoopPart {
        let controllers = try (0..<grid.controllers).map(controller)
        let outcomes = try units.map { u in
            let (c, k, e) = grid.coordinates(u)
            return try episode(c, k, e)
        }
        return ClosedLoopPart(controllers: controllers, units: units, outcomes: outcomes)
    }
}

extension ClosedLoopReport {
    /// The report of a whole sweep from the outcomes of all its units (`outcomes[u]` for unit u of `grid`), whether they
    /// were run in this process or read from the parts of a sharded run: the same cells, rows and summaries either way.
    /// `coordinates` names an element in the report; `isReference` marks the element the others are compared with (it
    /// comes first); `deviation` measures an episode against the reference's run of the same episode.
    public init<Element>(
        env: String, protocol name: String, rotation: RotationBuild, finalFigure: String, grid: ClosedLoopGrid,
        elements: [Element], coordinates: (Element) -> [Double], isReference: (Element) -> Bool,
        deviation: ([[Double]], [[Double]], Element) -> Double, controllers: [ClosedLoopPart.Controller], outcomes: [ClosedLoopOutcome]
    ) {
        precondition(elements.count == grid.elements && controllers.count == grid.controllers && outcomes.count == grid.total)
        var rows: [Row] = [], summaries: [Summary] = []
        let perController = grid.elements * grid.episodes
        for (c, controller) in controllers.enumerated() {
            let cells = ClosedLoopSweep.cells(
                elements: elements, episodes: grid.episodes, outcomes: Array(outcomes[c * perController..<(c + 1) * perController]),
                isReference: isReference, deviation: deviation)
            let specRows = cells.enumerated().map { k, cell in
                Row(controller: controller.name, element: coordinates(cell.element), inSlice: controller.inSlice[k], cell: cell)
            }
            summaries.append(
                Summary(
                    rows: specRows, controller: controller.name, model: controller.model, trainingSlice: controller.trainingSlice,
                    parameters: controller.parameters, seconds: cells.map(\.seconds).reduce(0, +)))
            rows += specRows
        }
        self.init(
            env: env, protocol: name, rotation: rotation, episodes: grid.episodes, finalFigure: finalFigure, rows: rows, summaries: summaries)
    }

    /// The report without its wall-clock figures (seconds per plan): what a sharded-then-merged sweep and the same sweep
    /// run in one process both print to the byte (`--no-timings`).
    public func withoutTimings() -> ClosedLoopReport {
        var copy = self
        for i in copy.rows.indices { copy.rows[i].secondsPerPlan = nil }
        for i in copy.summaries.indices { copy.summaries[i].secondsPerPlan = nil }
        return copy
    }
}
