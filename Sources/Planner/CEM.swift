import Foundation

/// A cost over a batch of action sequences: `actions` holds `batch` sequences of `horizon` actions of
/// `actionDim` numbers (sequence-major); returns one cost per sequence (lower is better).
public typealias SequenceCost = (_ actions: [Double], _ batch: Int) -> [Double]

/// The result of one plan.
public struct Plan: Sendable {
    /// `horizon` actions of `actionDim` numbers, in the frame the planner worked in.
    public var actions: [[Double]]
    /// Cost of the returned mean sequence's best elite in the last iteration.
    public var bestCost: Double
    /// Model rollouts evaluated (sequences x iterations).
    public var evaluations: Int
}

/// Cross-entropy method over action sequences (DINO-WM's defaults: horizon 5, 300 samples, top 30,
/// 30 iterations). Sampling is a diagonal Gaussian around `mean` with per-step, per-coordinate std;
/// after each iteration mean and std are refitted to the elites. Everything happens in whatever frame
/// the caller works in: the equivariant planner hands it canonical coordinates.
public struct CEM: Sendable {
    public struct Config: Sendable, Equatable {
        public var horizon = 5
        public var samples = 300
        public var elites = 30
        public var iterations = 30
        /// Initial std of every action coordinate (px for PushT).
        public var initialStd = 64.0
        /// Floor under the std, so the search never collapses to a point before the last iteration.
        public var minStd = 1.0
        public init() {}
    }

    public let config: Config
    public init(config: Config = Config()) { self.config = config }

    /// Plans from `initialMean` (`horizon` x `actionDim`); `bounds` applies to every sample (in the frame
    /// the samples live in); `seed` fixes the noise.
    public func plan(initialMean: [[Double]], actionDim: Int, bounds: ActionBounds, seed: UInt64, cost: SequenceCost) -> Plan {
        let h = config.horizon, n = config.samples, k = min(config.elites, config.samples), width = h * actionDim
        precondition(initialMean.count == h && initialMean.allSatisfy { $0.count == actionDim }, "CEM: initial mean must be horizon x actionDim")
        var mean = initialMean.flatMap { $0 }
        var std = [Double](repeating: config.initialStd, count: width)
        var noise = GaussianNoise(seed: seed)
        var eps = [Double](repeating: 0, count: n * width)
        var samples = [Double](repeating: 0, count: n * width)
        var best = Double.infinity
        for _ in 0..<config.iterations {
            noise.fill(&eps)
            for s in 0..<n {
                for j in 0..<width { samples[s * width + j] = mean[j] + std[j] * eps[s * width + j] }
            }
            // The current mean competes too (sample 0), so a good warm start is never lost.
            for j in 0..<width { samples[j] = mean[j] }
            bounds.apply(&samples, dim: actionDim)
            let costs = cost(samples, n)
            let order = Array(0..<n).sorted { costs[$0] < costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
            let elite = order.prefix(k)
            best = costs[order[0]]
            for j in 0..<width {
                var m = 0.0
                for e in elite { m += samples[e * width + j] }
                m /= Double(k)
                var v = 0.0
                for e in elite { let d = samples[e * width + j] - m; v += d * d }
                mean[j] = m
                std[j] = max((v / Double(k)).squareRoot(), config.minStd)
            }
        }
        bounds.apply(&mean, dim: actionDim)
        return Plan(actions: (0..<h).map { Array(mean[($0 * actionDim)..<(($0 + 1) * actionDim)]) }, bestCost: best,
                    evaluations: n * config.iterations)
    }
}

/// MPPI as in TD-MPC2: sample around the mean, keep the `elites` cheapest, weight them by
/// exp(-(cost - min) / temperature), refit mean and std to the weighted elites; return the mean.
public struct MPPI: Sendable {
    public struct Config: Sendable, Equatable {
        public var horizon = 5
        public var samples = 512
        public var elites = 64
        public var iterations = 6
        public var temperature = 0.5
        public var initialStd = 64.0
        public var minStd = 1.0
        public init() {}
    }

    public let config: Config
    public init(config: Config = Config()) { self.config = config }

    public func plan(initialMean: [[Double]], actionDim: Int, bounds: ActionBounds, seed: UInt64, cost: SequenceCost) -> Plan {
        let h = config.horizon, n = config.samples, k = min(config.elites, config.samples), width = h * actionDim
        precondition(initialMean.count == h && initialMean.allSatisfy { $0.count == actionDim }, "MPPI: initial mean must be horizon x actionDim")
        var mean = initialMean.flatMap { $0 }
        var std = [Double](repeating: config.initialStd, count: width)
        var noise = GaussianNoise(seed: seed)
        var eps = [Double](repeating: 0, count: n * width)
        var samples = [Double](repeating: 0, count: n * width)
        var best = Double.infinity
        for _ in 0..<config.iterations {
            noise.fill(&eps)
            for s in 0..<n {
                for j in 0..<width { samples[s * width + j] = mean[j] + std[j] * eps[s * width + j] }
            }
            for j in 0..<width { samples[j] = mean[j] }
            bounds.apply(&samples, dim: actionDim)
            let costs = cost(samples, n)
            let order = Array(0..<n).sorted { costs[$0] < costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
            let elite = Array(order.prefix(k))
            best = costs[elite[0]]
            // Costs are scaled by the elites' spread so the temperature is unit-free.
            let spread = max(costs[elite[k - 1]] - best, 1e-12)
            var weights = elite.map { exp(-(costs[$0] - best) / (spread * config.temperature)) }
            let total = weights.reduce(0, +)
            for i in weights.indices { weights[i] /= total }
            for j in 0..<width {
                var m = 0.0
                for (w, e) in zip(weights, elite) { m += w * samples[e * width + j] }
                var v = 0.0
                for (w, e) in zip(weights, elite) { let d = samples[e * width + j] - m; v += w * d * d }
                mean[j] = m
                std[j] = max(v.squareRoot(), config.minStd)
            }
        }
        bounds.apply(&mean, dim: actionDim)
        return Plan(actions: (0..<h).map { Array(mean[($0 * actionDim)..<(($0 + 1) * actionDim)]) }, bestCost: best,
                    evaluations: n * config.iterations)
    }
}
