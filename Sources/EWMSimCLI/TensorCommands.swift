import Agents
import EWMIO
import ArgumentParser
import Foundation
import Tensor
import Train

/// `ewm-sim bench train-step`: one training step of the benchmark VN world model, timed in this
/// process, optionally beside `tools/bench_torch.py` (the same model in PyTorch on CPU).
struct BenchTrainStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Time one training step of the benchmark VN world model (optionally beside PyTorch).")

    @Option(help: "Spatial dimension (2 or 3).") var dim: Int = 2
    @Option(help: "Timed steps (per round with --torch or --against-openblas).") var steps: Int = 50
    @Option(help: "With --torch (or --against-openblas): rounds of --steps each, the two sides alternated; the speed-up is the rounds' median.")
    var rounds: Int = 5
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 5
    @Option(help: "Threads for both sides (default: the number of cores, at most 2 used by ours).") var threads: Int?
    @Flag(help: "Let OpenBLAS thread each GEMM itself instead of splitting GEMMs across our own threads.")
    var openblasThreading = false
    @Flag(help: "Also run tools/bench_torch.py with the same settings and report both.") var torch = false
    @Option(help: "Python interpreter for --torch.") var python = "python3"
    @Option(help: "Path of the PyTorch script for --torch.") var torchScript = "tools/bench_torch.py"
    @Flag(help: "Instead: alternate rounds with ewm-sim's FMA-chain GEMM and with OpenBLAS's kernel (needs 2+ threads).")
    var againstOpenblas = false
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard dim == 2 || dim == 3 else { throw ValidationError("--dim must be 2 or 3") }
        guard steps > 0, warmup >= 0, rounds > 0 else {
            throw ValidationError("--steps and --rounds must be positive, --warmup non-negative")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if againstOpenblas {
            guard !torch else { throw ValidationError("--against-openblas compares two kernels of ours; run --torch separately") }
            guard !openblasThreading, threadCount > 1, ChainGEMM.enabled else {
                throw ValidationError(
                    "--against-openblas needs ewm-sim's own threads (2 or more, without --openblas-threading) on a CPU with AVX2 and FMA")
            }
        }
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func run() throws {
        if openblasThreading {
            BLAS.setThreadCount(threadCount)
        } else {
            Compute.setThreadCount(threadCount)
        }
        let timer = TrainStepTimer(dim: dim)
        if againstOpenblas {
            let progress = ProgressLine(label: "train-step, GEMM kernels", total: rounds, enabled: !json)
            let output = GEMMComparison.run(timer: timer, steps: steps, rounds: rounds, warmup: warmup) { progress.update($0) }
            progress.finish()
            return try emit(WithBLAS(report: output), json: json)
        }
        guard torch else {
            timer.warmUp(warmup)
            timer.time(steps)
            return try emit(WithBLAS(report: TorchBenchmark.Comparison(swift: timer.result)), json: json)
        }
        let progress = ProgressLine(label: "train-step vs PyTorch", total: rounds, enabled: !json)
        let output = TorchBenchmark.compare(
            timer: timer, python: python, script: torchScript, steps: steps, rounds: rounds, warmup: warmup, threads: threadCount
        ) { progress.update($0) }
        progress.finish()
        try emit(WithBLAS(report: output), json: json)
    }
}

/// `ewm-sim check equivariance`: residuals of every VN layer and of f(E(o), a), at initialisation
/// and after training, in Float and Double.
struct CheckEquivariance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "equivariance",
        abstract: "Measure the O(d) equivariance residual of the VN world model before and after training.")

    @Option(help: "Spatial dimension (2 or 3).") var dim: Int = 2
    @Option(help: "Training steps on random data before the second measurement.") var steps: Int = 200
    @Option(help: "Training batch size.") var batch: Int = 64
    @Option(help: "Random rotations (and as many rotation-reflections) per check.") var samples: Int = 8
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Flag(help: "Instead: per stage of f(E(o), a) in Float, residual beside the Float floor, direction conditioning.")
    var diagnose = false

    func validate() throws {
        guard dim == 2 || dim == 3 else { throw ValidationError("--dim must be 2 or 3") }
        guard steps >= 0, batch > 1, samples > 0 else { throw ValidationError("--steps >= 0, --batch > 1, --samples > 0") }
    }

    func run() throws {
        if diagnose {
            let (rows, hybrids) = equivarianceDiagnosticsWithHybrids(dim: dim, steps: steps, trainingBatch: batch, groupSamples: samples, seed: seed)
            return print(equivarianceDiagnosticsText(rows, hybrids: hybrids, dim: dim, steps: steps))
        }
        let report = equivarianceReport(dim: dim, steps: steps, trainingBatch: batch, groupSamples: samples, seed: seed)
        try emit(report, json: json)
        if !report.passed { throw ExitCode(1) }
    }
}
