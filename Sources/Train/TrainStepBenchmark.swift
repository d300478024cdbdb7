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
    public var msPerStepMedian: Double
    public var msPerStepMean: Double
    public var msPerStepMin: Double
    public var firstLoss: Double
    public var lastLoss: Double
}

/// Runs `warmup` untimed and `steps` timed training steps (Float) on one fixed random batch.
public func trainStepBenchmark(
    dim: Int, batch: Int = 256, points: Int = 9, steps: Int = 50, warmup: Int = 5,
    seed: UInt64 = 0
) -> TrainStepBenchmarkResult {
    MemoryTuning.retainFreedMemory()
    let config = VNWorldModelConfig.benchmark(dim: dim)
    let trainer = WorldModelTrainer<Float>(config: config, seed: seed)
    var rng = Xoshiro256(seed: seed &+ 1)
    let data = WorldModelTrainer<Float>.randomBatch(batch: batch, points: points, config: config, using: &rng)
    var first = 0.0, last = 0.0
    for i in 0..<warmup {
        let l = trainer.step(points: data.points, action: data.action, nextPoints: data.nextPoints)
        if i == 0 { first = l }
    }
    var times: [Double] = []
    let clock = ContinuousClock()
    for i in 0..<steps {
        let t0 = clock.now
        last = trainer.step(points: data.points, action: data.action, nextPoints: data.nextPoints)
        let dt = clock.now - t0
        times.append(Double(dt.components.seconds) * 1e3 + Double(dt.components.attoseconds) * 1e-15)
        if warmup == 0 && i == 0 { first = last }
    }
    let sorted = times.sorted()
    let median = sorted.isEmpty ? 0 : (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
    return TrainStepBenchmarkResult(
        dim: dim, batch: batch, points: points, parameters: trainer.model.parameterCount, precision: "Float",
        warmupSteps: warmup, timedSteps: steps, blasThreads: BLAS.threadCount, computeThreads: Compute.threadCount, msPerStepMedian: median,
        msPerStepMean: times.reduce(0, +) / Double(max(1, times.count)), msPerStepMin: sorted.first ?? 0,
        firstLoss: first, lastLoss: last)
}
