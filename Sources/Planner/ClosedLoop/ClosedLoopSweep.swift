import Envs
import Foundation

/// What a closed-loop sweep needs from one episode, whatever the world (PushT, teacher3d).
public struct ClosedLoopOutcome: Codable, Sendable {
    public var success: Bool
    /// The end-of-episode figure averaged per cell: PushT's final coverage, teacher3d's final point error.
    public var final: Double
    public var plans: Int
    public var secondsPerPlan: Double
    public var degenerateFrames: Int
    public var identityFrames: Int
    /// Observations, index 0 = after reset: compared with the reference element's run of the same episode.
    public var trajectory: [[Double]]

    public init(
        success: Bool, final: Double, plans: Int, secondsPerPlan: Double, degenerateFrames: Int = 0,
        identityFrames: Int = 0, trajectory: [[Double]] = []
    ) {
        self.success = success; self.final = final; self.plans = plans; self.secondsPerPlan = secondsPerPlan
        self.degenerateFrames = degenerateFrames; self.identityFrames = identityFrames; self.trajectory = trajectory
    }
}

extension PlanningEpisode {
    public var closedLoopOutcome: ClosedLoopOutcome {
        ClosedLoopOutcome(
            success: success, final: finalCoverage, plans: plans, secondsPerPlan: secondsPerPlan ?? 0,
            degenerateFrames: degenerateFrames, trajectory: trajectory)
    }
}

/// One controller at one group element: the episodes' tallies.
public struct ClosedLoopCell<Element> {
    public var element: Element
    public var successes = 0
    public var episodes: Int
    /// Mean of the outcomes' `final`.
    public var meanFinal = 0.0
    /// Planning time, summed over the episodes' plans.
    public var seconds = 0.0
    public var plans = 0
    public var degenerateFrames = 0
    public var identityFrames = 0
    /// max over episodes and steps of the deviation from the reference element's run (0 at the reference).
    public var maxDeviation = 0.0

    public var successRate: Double { Double(successes) / Double(episodes) }
    /// Wilson 95% interval of the success rate, [low, high].
    public var interval95: [Double] {
        let ci = wilsonInterval(successes: successes, trials: episodes)
        return [ci.low, ci.high]
    }
    public var secondsPerPlan: Double { plans == 0 ? 0 : seconds / Double(plans) }
}

/// Closed-loop success of one controller across group elements (PushT's orientations, SE(3) samples), with the
/// trajectory deviation from the reference element's run of the same episode (same task and seed), mapped back.
public enum ClosedLoopSweep {
    /// Runs `episodes` episodes at every element in order. `isReference` marks the element whose runs the others are
    /// compared with (it must come first); `deviation(run, reference, g)` measures one episode against it;
    /// `progress(g, e)` follows every episode.
    public static func run<Element>(
        elements: [Element], episodes: Int, isReference: (Element) -> Bool,
        deviation: ([[Double]], [[Double]], Element) -> Double,
        episode: (Element, Int) throws -> ClosedLoopOutcome,
        progress: (Element, Int) -> Void = { _, _ in }
    ) rethrows -> [ClosedLoopCell<Element>] {
        var outcomes: [ClosedLoopOutcome] = []
        for g in elements {
            for e in 0..<episodes {
                outcomes.append(try episode(g, e))
                progress(g, e)
            }
        }
        return cells(elements: elements, episodes: episodes, outcomes: outcomes, isReference: isReference, deviation: deviation)
    }

    /// The cells of `outcomes` (element-major: element k's episode e at `k * episodes + e`), tallied in that order;
    /// the deviation of each episode is measured against the reference element's run of the same episode. Whether the
    /// outcomes were run here or read from the parts of a sharded sweep, the cells are the same to the bit.
    public static func cells<Element>(
        elements: [Element], episodes: Int, outcomes: [ClosedLoopOutcome], isReference: (Element) -> Bool,
        deviation: ([[Double]], [[Double]], Element) -> Double
    ) -> [ClosedLoopCell<Element>] {
        precondition(outcomes.count == elements.count * episodes, "ClosedLoopSweep.cells: one outcome per element and episode")
        var reference: [Int: [[Double]]] = [:]
        var cells: [ClosedLoopCell<Element>] = []
        for (k, g) in elements.enumerated() {
            var cell = ClosedLoopCell(element: g, episodes: episodes)
            for e in 0..<episodes {
                let outcome = outcomes[k * episodes + e]
                if outcome.success { cell.successes += 1 }
                cell.meanFinal += outcome.final / Double(episodes)
                cell.seconds += outcome.secondsPerPlan * Double(outcome.plans)
                cell.plans += outcome.plans
                cell.degenerateFrames += outcome.degenerateFrames
                cell.identityFrames += outcome.identityFrames
                if isReference(g) {
                    reference[e] = outcome.trajectory
                } else if let r = reference[e] {
                    cell.maxDeviation = max(cell.maxDeviation, deviation(outcome.trajectory, r, g))
                }
            }
            cells.append(cell)
        }
        return cells
    }

    /// Flatness of a controller's success across elements: max - min success rate, the mean interval width and the
    /// mean success (keys `maxMinusMin`, `meanIntervalWidth`, `meanSuccess`).
    public static func spread<Element>(_ cells: [ClosedLoopCell<Element>]) -> [String: Double] {
        let rates = cells.map(\.successRate)
        return [
            "maxMinusMin": (rates.max() ?? 0) - (rates.min() ?? 0),
            "meanIntervalWidth": cells.map { $0.interval95[1] - $0.interval95[0] }.reduce(0, +) / Double(cells.count),
            "meanSuccess": rates.reduce(0, +) / Double(rates.count),
        ]
    }
}
