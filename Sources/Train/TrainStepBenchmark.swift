import Agents
import Foundation
import Tensor

/// Timing of one training step of the benchmark world model (see `VNWorldModelConfig.benchmark`).
public struct TrainStepBenchmarkResult: Codable, Sendable {
    public var dim: Int
    public var batch: Int
    public var points: Int
    public var parameters: Int
    public var precision: String
    public var warmupSteps: Int
    public var timedSteps: Int
    public var blasThreads: Int
    /// Threads of the library's own GEMM splitting (`Compute`).
    public var computeThreads: Int
    /// Which Float GEMM ran: "openblas", or `ChainGEMM` on more than one thread ("fma-chain-avx2", "fma-chain-avx512").
    public var floatGEMM: String?
    public var msPerStepMedian: Double
    public var msPerStepMean: Double
    public var msPerStepMin: Double
    public var firstLoss: Double
    public var lastLoss: Double
}

/// The benchmark model's training step (Float) on one fixed random batch, ready to be timed in rounds, so that
/// `bench train-step --torch` can alternate rounds of it with rounds of PyTorch's.
public final class TrainStepTimer {
    public let dim: Int
    public let batch: Int
    public let points: Int
    let trainer: WorldModelTrainer<Float>
    let data: (points: Tensor<Float>, action: Tensor<Float>, nextPoints: Tensor<Float>)
    public private(set) var warmupSteps = 0
    /// Milliseconds of every timed step so far, in order.
    public private(set) var times: [Double] = []
    /// The loss of the first step (warm-up included) and of the last one.
    public private(set) var firstLoss = 0.0
    public private(set) var lastLoss = 0.0
    private var steps = 0

    public init(dim: Int, batch: Int = 256, points: Int = 9, seed: UInt64 = 0) {
        MemoryTuning.retainFreedMemory()
        self.dim = dim
        self.batch = batch
        self.points = points
        let config = VNWorldModelConfig.benchmark(dim: dim)
        trainer = WorldModelTrainer<Float>(config: config, seed: seed)
        var rng = Xoshiro256(seed: seed &+ 1)
        data = WorldModelTrainer<Float>.randomBatch(batch: batch, points: points, config: config, using: &rng)
    }

    private func step() -> Double {
        let loss = trainer.step(points: data.points, action: data.action, nextPoints: data.nextPoints)
        if steps == 0 { firstLoss = loss }
        lastLoss = loss
        steps += 1
        return loss
    }

    /// Untimed steps.
    public func warmUp(_ count: Int) {
        for _ in 0..<count { _ = step() }
        warmupSteps += count
    }

    /// Times `count` more steps; returns their milliseconds (also appended to `times`).
    @discardableResult
    public func time(_ count: Int) -> [Double] {
        let clock = ContinuousClock()
        var round: [Double] = []
        round.reserveCapacity(count)
        for _ in 0..<count {
            let t0 = clock.now
            _ = step()
            let dt = clock.now - t0
            round.append(Double(dt.components.seconds) * 1e3 + Double(dt.components.attoseconds) * 1e-15)
        }
        times += round
        return round
    }

    /// Everything timed so far.
    public var result: TrainStepBenchmarkResult {
        TrainStepBenchmarkResult(
            dim: dim, batch: batch, points: points, parameters: trainer.model.parameterCount, precision: "Float",
            warmupSteps: warmupSteps, timedSteps: times.count, blasThreads: BLAS.threadCount, computeThreads: Compute.threadCount,
            floatGEMM: ChainGEMM.floatProducts, msPerStepMedian: median(times), msPerStepMean: mean(times),
            msPerStepMin: times.min() ?? 0, firstLoss: firstLoss, lastLoss: lastLoss)
    }
}

/// The median of `values` (0 for none).
func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? 0 : (s[(s.count - 1) / 2] + s[s.count / 2]) / 2
}

/// The mean of `values` (0 for none).
func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }

/// Runs `warmup` untimed and `steps` timed training steps (Float) on one fixed random batch.
public func trainStepBenchmark(
    dim: Int, batch: Int = 256, points: Int = 9, steps: Int = 50, warmup: Int = 5,
    seed: UInt64 = 0
) -> TrainStepBenchmarkResult {
    let timer = TrainStepTimer(dim: dim, batch: batch, points: points, seed: seed)
    timer.warmUp(warmup)
    timer.time(steps)
    return timer.result
}
