import Agents
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
    @Option(help: "Timed steps.") var steps: Int = 50
    @Option(help: "Untimed warm-up steps.") var warmup: Int = 5
    @Option(help: "Threads for both sides (default: the number of cores, at most 2 used by ours).") var threads: Int?
    @Flag(help: "Let OpenBLAS thread each GEMM itself instead of splitting GEMMs across our own threads.")
    var openblasThreading = false
    @Flag(help: "Also run tools/bench_torch.py with the same settings and report both.") var torch = false
    @Option(help: "Python interpreter for --torch.") var python = "python3"
    @Option(help: "Path of the PyTorch script for --torch.") var torchScript = "tools/bench_torch.py"
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        guard dim == 2 || dim == 3 else { throw ValidationError("--dim must be 2 or 3") }
        guard steps > 0, warmup >= 0 else { throw ValidationError("--steps must be positive, --warmup non-negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    func run() throws {
        if openblasThreading {
            BLAS.setThreadCount(threadCount)
        } else {
            Compute.setThreadCount(threadCount)
        }
        let result = trainStepBenchmark(dim: dim, steps: steps, warmup: warmup)
        var output = TorchBenchmark.Comparison(swift: result)
        if torch {
            output.add(TorchBenchmark.run(python: python, script: torchScript, dim: dim, steps: steps, warmup: warmup, threads: threadCount))
        }
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(output), as: UTF8.self))
            return
        }
        print(
            "train-step benchmark: d=\(dim), batch \(result.batch) x \(result.points) points, "
                + "\(result.parameters) parameters, Float, threads: \(result.computeThreads) ours x \(result.blasThreads) OpenBLAS")
        print(
            String(
                format: "  ewm-sim  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; loss %.4f -> %.4f)",
                result.msPerStepMedian, result.timedSteps, result.msPerStepMean, result.msPerStepMin,
                result.firstLoss, result.lastLoss))
        if let t = output.torch {
            print(
                String(
                    format: "  pytorch  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; torch %@, %d threads, %d parameters)",
                    t.ms_per_step_median, steps, t.ms_per_step_mean, t.ms_per_step_min, t.torch_version, t.threads, t.parameters))
            print(String(format: "  speed-up %8.2fx", output.speedup ?? 0))
        } else if let e = output.torchError {
            print("  pytorch  not run: \(e)")
        }
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
            let (rows, hybrids) = equivarianceDiagnosticsWithHybrids(
                dim: dim, steps: steps, trainingBatch: batch,
                groupSamples: samples, seed: seed)
            print(
                "Float, d=\(dim), after \(steps) steps: stage, residual, floor |f_F - f_D|/|f_D|, exact-arithmetic floor on fl32(g.x), local rounding of the stage, min |k_c|/(|U_c||q|), <q,k> sign flips F vs D"
            )
            for r in rows {
                print(
                    String(
                        format: "%-28@ %.3e  %.3e  %.3e  %.3e  %@", r.stage, r.residual, r.floor, r.inputRoundingFloor, r.localError,
                        r.minDirectionRatio.map { String(format: "%.2e  %d", $0, r.signFlips ?? 0) } ?? ""))
            }
            print("composed residual with some stages evaluated in Double:")
            for h in hybrids { print(String(format: "  %.3e  %@", h.residual, h.doubleStages)) }
            return
        }
        let report = equivarianceReport(dim: dim, steps: steps, trainingBatch: batch, groupSamples: samples, seed: seed)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print(
                "equivariance residual max_g,b |f(g.x) - rho(g) f(x)| / |f(x)|, d=\(dim), \(samples) rotations + "
                    + "\(samples) reflections, training: \(steps) steps of batch \(batch)")
            print("(inputs rotated in Double and rounded once; Float floor = max_b |f_Float(x) - f_Double(x)| / |f_Double(x)|,")
            print(" same weights and inputs: two Float evaluations differ by up to ~1.4x the floor)")
            print("precision  stage    residual     tol      ok   Float floor  component")
            for r in report.rows {
                print(
                    String(
                        format: "%-9@  %-7@  %.3e  %.0e  %@  %@  %@", r.precision, r.stage, r.residual, r.tolerance,
                        r.passed ? "yes" : "NO ", r.floatFloor.map { String(format: "%.3e", $0) } ?? "         ",
                        r.component))
            }
            for p in ["Float", "Double"] {
                for s in ["init", "trained"] where !(s == "trained" && steps == 0) {
                    let floor = report.maxFloor(precision: p, stage: s).map { String(format: " (Float floor %.3e)", $0) } ?? ""
                    print(String(format: "max %@ %@: %.3e%@", p, s, report.maxResidual(precision: p, stage: s), floor))
                }
            }
        }
        if !report.passed { throw ExitCode(1) }
    }
}
