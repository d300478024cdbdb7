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

/// The loop CEM and MPPI share: sample sequences from a diagonal Gaussian (mean, std per step and
/// coordinate), keep the current mean as sample 0 (a good warm start is never lost), bound, score, rank
/// (ties by index, so the ranking is deterministic), and let `refit` move mean and std. With `improved` (iCEM) the
/// noise is coloured along the steps, the kept elites of the last iteration replace the last samples, the sample count
/// decays, and the cheapest sequence seen can be returned instead of the mean.
struct GaussianSearch {
    var horizon: Int, samples: Int, iterations: Int, initialStd: Double
    var elites = 1
    var improved: ImprovedCEM? = nil

    func run(
        initialMean: [[Double]], actionDim: Int, bounds: ActionBounds, seed: UInt64, cost: SequenceCost,
        refit: (_ samples: [Double], _ costs: [Double], _ order: [Int], _ mean: inout [Double], _ std: inout [Double]) -> Void
    ) -> Plan {
        let width = horizon * actionDim
        precondition(
            initialMean.count == horizon && initialMean.allSatisfy { $0.count == actionDim }, "planner: initial mean must be horizon x actionDim")
        var mean = initialMean.flatMap { $0 }
        var std = [Double](repeating: initialStd, count: width)
        var noise = GaussianNoise(seed: seed)
        let coloured = improved.flatMap { $0.noiseExponent != 0 ? ColouredNoise(horizon: horizon, dim: actionDim, exponent: $0.noiseExponent) : nil }
        var kept: [Double] = []
        var best = Double.infinity, bestEver = Double.infinity, bestSequence = mean
        var evaluations = 0
        for i in 0..<iterations {
            let n = improved?.samples(iteration: i, of: samples, elites: elites) ?? samples
            var eps = [Double](repeating: 0, count: n * width)
            if let coloured { coloured.fill(&eps, using: &noise) } else { noise.fill(&eps) }
            var batch = [Double](repeating: 0, count: n * width)
            for s in 0..<n {
                for j in 0..<width { batch[s * width + j] = mean[j] + std[j] * eps[s * width + j] }
            }
            for j in 0..<width { batch[j] = mean[j] }
            let carried = min(kept.count / width, n - 1)
            if carried > 0 { batch.replaceSubrange(((n - carried) * width)..<(n * width), with: kept.prefix(carried * width)) }
            bounds.apply(&batch, dim: actionDim)
            let costs = cost(batch, n)
            evaluations += n
            let order = Array(0..<n).sorted { costs[$0] < costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
            best = costs[order[0]]
            if best < bestEver { bestEver = best; bestSequence = Array(batch[(order[0] * width)..<((order[0] + 1) * width)]) }
            if let improved {
                let keep = Int((improved.keptEliteFraction * Double(min(elites, n))).rounded())
                kept = order.prefix(keep).flatMap { batch[($0 * width)..<(($0 + 1) * width)] }
            }
            refit(batch, costs, order, &mean, &std)
        }
        bounds.apply(&mean, dim: actionDim)
        var result = mean
        if improved?.executeBest == true { result = bestSequence; best = bestEver }
        return Plan(
            actions: (0..<horizon).map { Array(result[($0 * actionDim)..<(($0 + 1) * actionDim)]) }, bestCost: best,
            evaluations: evaluations)
    }
}

/// Cross-entropy method over action sequences (DINO-WM's defaults: horizon 5, 300 samples, top 30,
/// 30 iterations): after each iteration mean and std are refitted to the elites. Everything happens in
/// whatever frame the caller works in: the equivariant planner hands it canonical coordinates.
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
        /// iCEM's changes (nil: plain CEM).
        public var improved: ImprovedCEM?
        public init() {}
    }

    public let config: Config
    public init(config: Config = Config()) { self.config = config }

    /// Plans from `initialMean` (`horizon` x `actionDim`); `bounds` applies to every sample (in the frame
    /// the samples live in); `seed` fixes the noise.
    public func plan(initialMean: [[Double]], actionDim: Int, bounds: ActionBounds, seed: UInt64, cost: SequenceCost) -> Plan {
        let k = min(config.elites, config.samples), minStd = config.minStd
        let search = GaussianSearch(
            horizon: config.horizon, samples: config.samples, iterations: config.iterations, initialStd: config.initialStd, elites: k,
            improved: config.improved)
        return search.run(initialMean: initialMean, actionDim: actionDim, bounds: bounds, seed: seed, cost: cost) { batch, _, order, mean, std in
            let width = mean.count
            for j in 0..<width {
                var m = 0.0
                for e in order.prefix(k) { m += batch[e * width + j] }
                m /= Double(k)
                var v = 0.0
                for e in order.prefix(k) { let d = batch[e * width + j] - m; v += d * d }
                mean[j] = m
                std[j] = max((v / Double(k)).squareRoot(), minStd)
            }
        }
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
        let k = min(config.elites, config.samples), minStd = config.minStd, temperature = config.temperature
        let search = GaussianSearch(horizon: config.horizon, samples: config.samples, iterations: config.iterations, initialStd: config.initialStd)
        return search.run(initialMean: initialMean, actionDim: actionDim, bounds: bounds, seed: seed, cost: cost) { batch, costs, order, mean, std in
            let width = mean.count
            let elite = Array(order.prefix(k))
            let best = costs[elite[0]]
            // Costs are scaled by the elites' spread so the temperature is unit-free.
            let spread = max(costs[elite[k - 1]] - best, 1e-12)
            var weights = elite.map { exp(-(costs[$0] - best) / (spread * temperature)) }
            let total = weights.reduce(0, +)
            for i in weights.indices { weights[i] /= total }
            for j in 0..<width {
                var m = 0.0
                for (w, e) in zip(weights, elite) { m += w * batch[e * width + j] }
                var v = 0.0
                for (w, e) in zip(weights, elite) { let d = batch[e * width + j] - m; v += w * d * d }
                mean[j] = m
                std[j] = max(v.squareRoot(), minStd)
            }
        }
    }
}
