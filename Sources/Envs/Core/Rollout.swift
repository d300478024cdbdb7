import Foundation

/// What one episode came to.
public struct EpisodeSummary: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var steps: Int
    public var totalReward: Double
    public var finalCoverage: Double?
    public var maxCoverage: Double?
    public var success: Bool
    public var terminated: Bool
    public var truncated: Bool
}

/// Runs episodes of an env under a policy.
public enum Rollout {
    /// Runs one episode from `reset(seed:)` until terminated or truncated (or `maxSteps`), reporting each
    /// step to `onStep`. Coverage and success are read from info keys `coverage` / `is_success` when the env
    /// reports them.
    public static func episode(
        env: any Environment, policy: any Policy, seed: UInt64, maxSteps: Int? = nil,
        onStep: ((Int, StepResult) -> Void)? = nil
    ) throws -> EpisodeSummary {
        policy.reset(seed: seed)
        var (observation, info) = try env.reset(seed: seed)
        var summary = EpisodeSummary(
            seed: seed, steps: 0, totalReward: 0, finalCoverage: info.double("coverage"),
            maxCoverage: info.double("coverage"), success: false, terminated: false, truncated: false)
        while maxSteps.map({ summary.steps < $0 }) ?? true {
            let action = try policy.action(observation: observation, info: info)
            let result = try env.step(action)
            summary.steps += 1
            summary.totalReward += result.reward
            if let c = result.info.double("coverage") {
                summary.finalCoverage = c
                summary.maxCoverage = max(summary.maxCoverage ?? c, c)
            }
            summary.success = summary.success || (result.info.bool("is_success") ?? false)
            summary.terminated = result.terminated
            summary.truncated = result.truncated
            onStep?(summary.steps, result)
            observation = result.observation
            info = result.info
            if result.done { break }
        }
        return summary
    }
}

/// Aggregate figures over episodes.
public struct RunSummary: Codable, Sendable {
    public var episodes: Int
    public var successRate: Double
    /// Wilson 95% interval of the success rate, [low, high].
    public var successInterval: [Double]
    public var meanFinalCoverage: Double?
    public var meanMaxCoverage: Double?
    public var meanSteps: Double
    public var meanReturn: Double

    public init(_ e: [EpisodeSummary]) {
        let n = Double(max(e.count, 1))
        episodes = e.count
        successRate = Double(e.filter(\.success).count) / n
        let ci = wilsonInterval(successes: e.filter(\.success).count, trials: e.count)
        successInterval = [ci.low, ci.high]
        let finals = e.compactMap(\.finalCoverage), maxima = e.compactMap(\.maxCoverage)
        meanFinalCoverage = finals.isEmpty ? nil : finals.reduce(0, +) / Double(finals.count)
        meanMaxCoverage = maxima.isEmpty ? nil : maxima.reduce(0, +) / Double(maxima.count)
        meanSteps = Double(e.map(\.steps).reduce(0, +)) / n
        meanReturn = e.map(\.totalReward).reduce(0, +) / n
    }
}

/// Wilson score interval for a success rate (95% by default).
public func wilsonInterval(successes: Int, trials: Int, z: Double = 1.96) -> (low: Double, high: Double) {
    guard trials > 0 else { return (0, 1) }
    let n = Double(trials), p = Double(successes) / n
    let denominator = 1 + z * z / n
    let centre = (p + z * z / (2 * n)) / denominator
    let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
    return (max(0, centre - half), min(1, centre + half))
}
