import EWMIO
import Foundation
import Tensor

/// The training step with ewm-sim's FMA-chain GEMM against the same step with OpenBLAS's kernel, in one process:
/// alternated rounds of each on the same trainer (`bench train-step --against-openblas`), so the machine's drift moves
/// both sides of a round alike. Needs more than one thread (on one, Float products are OpenBLAS's already).
public struct GEMMComparison: Codable, Sendable, TextReport {
    /// One round: median ms per step with each kernel.
    public struct Round: Codable, Sendable {
        public var chain: Double
        public var openblas: Double
        /// OpenBLAS's median over the chain's.
        public var speedup: Double
    }

    public var kernel: String
    public var threads: Int
    public var stepsPerRound: Int
    public var rounds: [Round]
    /// The median over the rounds of each round's speed-up.
    public var speedup: Double

    /// `rounds` rounds of `steps` steps each way, after `warmup` untimed steps.
    public static func run(timer: TrainStepTimer, steps: Int, rounds: Int, warmup: Int, progress: (Int) -> Void = { _ in }) -> GEMMComparison {
        precondition(ChainGEMM.runsFloatProducts, "GEMMComparison: the FMA-chain kernel is not in use")
        defer { ChainGEMM.enabled = true }
        let kernel = ChainGEMM.floatProducts
        timer.warmUp(warmup)
        var done: [Round] = []
        for r in 0..<rounds {
            ChainGEMM.enabled = true
            let chain = median(timer.time(steps))
            ChainGEMM.enabled = false
            let openblas = median(timer.time(steps))
            done.append(Round(chain: chain, openblas: openblas, speedup: openblas / chain))
            progress(r + 1)
        }
        return GEMMComparison(
            kernel: kernel, threads: Compute.threadCount, stepsPerRound: steps, rounds: done,
            speedup: median(done.map(\.speedup)))
    }

    public var text: String {
        let each = rounds.map { String(format: "%.2fx", $0.speedup) }.joined(separator: ", ")
        return [
            "train-step benchmark, GEMM kernels alternated: \(kernel) against OpenBLAS, \(threads) threads, \(rounds.count) rounds of \(stepsPerRound) steps",
            "  " + kernel.padding(toLength: 18, withPad: " ", startingAt: 0)
                + String(format: " %8.2f ms/step (median of the rounds' medians)", median(rounds.map(\.chain))),
            "  " + "openblas".padding(toLength: 18, withPad: " ", startingAt: 0)
                + String(format: " %8.2f ms/step", median(rounds.map(\.openblas))),
            String(format: "  speed-up %8.2fx  (median of the rounds: %@)", speedup, each),
        ].joined(separator: "\n")
    }
}
