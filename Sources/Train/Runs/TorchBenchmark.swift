import EWMIO
import Foundation

/// The PyTorch side of `bench train-step`: `tools/bench_torch.py` (the benchmark model in PyTorch on CPU) run as a
/// child process with the same settings, its JSON read back.
public enum TorchBenchmark {
    /// What the script prints (its own key names).
    public struct Result: Codable, Sendable {
        public var torch_version: String
        public var threads: Int
        public var parameters: Int
        public var ms_per_step_median: Double
        public var ms_per_step_mean: Double
        public var ms_per_step_min: Double
    }

    /// Both sides of the comparison, as `bench train-step --json` prints them.
    public struct Comparison: Codable, Sendable, TextReport {
        public var swift: TrainStepBenchmarkResult
        public var torch: Result?
        public var torchError: String?
        /// PyTorch's median time per step over ours.
        public var speedup: Double?

        public init(swift: TrainStepBenchmarkResult) { self.swift = swift }

        public var text: String {
            let r = swift
            var lines = [
                "train-step benchmark: d=\(r.dim), batch \(r.batch) x \(r.points) points, \(r.parameters) parameters, Float, threads: "
                    + "\(r.computeThreads) ours x \(r.blasThreads) OpenBLAS",
                String(
                    format: "  ewm-sim  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; loss %.4f -> %.4f)", r.msPerStepMedian, r.timedSteps,
                    r.msPerStepMean, r.msPerStepMin, r.firstLoss, r.lastLoss),
            ]
            if let t = torch {
                lines.append(
                    String(
                        format: "  pytorch  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; torch %@, %d threads, %d parameters)",
                        t.ms_per_step_median, r.timedSteps, t.ms_per_step_mean, t.ms_per_step_min, t.torch_version, t.threads, t.parameters))
                lines.append(String(format: "  speed-up %8.2fx", speedup ?? 0))
            } else if let e = torchError {
                lines.append("  pytorch  not run: \(e)")
            }
            return lines.joined(separator: "\n")
        }

        /// Records the PyTorch run's outcome (a result, else why there is none).
        public mutating func add(_ outcome: Swift.Result<TorchBenchmark.Result, TorchBenchmark.Failure>) {
            switch outcome {
            case .success(let t): torch = t; speedup = t.ms_per_step_median / swift.msPerStepMedian
            case .failure(let f): torchError = f.description
            }
        }
    }

    /// Why the script gave no result: it did not start, failed (its last line of stderr), or printed something else.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `python script --dim d --steps n --warmup w --json --threads t`.
    public static func run(python: String, script: String, dim: Int, steps: Int, warmup: Int, threads: Int) -> Swift.Result<Result, Failure> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments =
            [python, script, "--dim", "\(dim)", "--steps", "\(steps)", "--warmup", "\(warmup)", "--json"]
            + ["--threads", "\(threads)"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(Failure(description: "cannot run \(python) \(script): \(error)")) }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            return .failure(
                Failure(
                    description: errText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init)
                        ?? "exit status \(p.terminationStatus)"))
        }
        do { return .success(try JSONDecoder().decode(Result.self, from: data)) } catch {
            return .failure(Failure(description: "unreadable output from \(script): \(error)"))
        }
    }
}
