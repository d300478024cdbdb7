import EWMIO
import Foundation

/// The PyTorch side of `bench train-step`: `tools/bench_torch.py` (the benchmark model in PyTorch on CPU) run as a
/// child process with the same settings. It serves rounds of steps on request (`--serve`), so that the bench can
/// alternate rounds of ours with rounds of PyTorch's: a shared machine that speeds up or slows down during the run
/// then moves both sides of a round alike, and each round gives its own ratio.
public enum TorchBenchmark {
    /// PyTorch's side, over all its timed steps (its own key names).
    public struct Result: Codable, Sendable {
        public var torch_version: String
        public var threads: Int
        public var parameters: Int
        public var ms_per_step_median: Double
        public var ms_per_step_mean: Double
        public var ms_per_step_min: Double
    }

    /// One round: `steps` of ours, then as many of PyTorch's; medians in ms.
    public struct Round: Codable, Sendable {
        public var ours: Double
        public var torch: Double
        /// PyTorch's median over ours.
        public var speedup: Double
    }

    /// Both sides of the comparison, as `bench train-step --json` prints them.
    public struct Comparison: Codable, Sendable, TextReport {
        public var swift: TrainStepBenchmarkResult
        public var torch: Result?
        public var torchError: String?
        /// The median over the rounds of each round's speed-up (PyTorch's median time per step over ours).
        public var speedup: Double?
        /// The alternated rounds, in order.
        public var rounds: [Round]?

        public init(swift: TrainStepBenchmarkResult) { self.swift = swift }

        public var text: String {
            let r = swift
            var lines = [
                "train-step benchmark: d=\(r.dim), batch \(r.batch) x \(r.points) points, \(r.parameters) parameters, Float, threads: "
                    + "\(r.computeThreads) ours x \(r.blasThreads) OpenBLAS, GEMM \(r.floatGEMM ?? "openblas")",
                String(
                    format: "  ewm-sim  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; loss %.4f -> %.4f)", r.msPerStepMedian, r.timedSteps,
                    r.msPerStepMean, r.msPerStepMin, r.firstLoss, r.lastLoss),
            ]
            if let t = torch {
                lines.append(
                    String(
                        format: "  pytorch  %8.2f ms/step  (median of %d; mean %.2f, min %.2f; torch %@, %d threads, %d parameters)",
                        t.ms_per_step_median, r.timedSteps, t.ms_per_step_mean, t.ms_per_step_min, t.torch_version, t.threads, t.parameters))
                if let rounds, rounds.count > 1 {
                    let each = rounds.map { String(format: "%.2fx", $0.speedup) }.joined(separator: ", ")
                    lines.append(String(format: "  speed-up %8.2fx  (median of %d alternated rounds: %@)", speedup ?? 0, rounds.count, each))
                } else {
                    lines.append(String(format: "  speed-up %8.2fx", speedup ?? 0))
                }
            } else if let e = torchError {
                lines.append("  pytorch  not run: \(e)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Why the script gave no result: it did not start, failed (its last line of stderr), or printed something else.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `python script --serve`: warmed up on start, then times rounds on request.
    public final class Server {
        let process = Process()
        let input = Pipe(), output = Pipe(), errors = Pipe()
        var buffer = Data()
        public private(set) var version = ""
        public private(set) var threads = 0
        public private(set) var parameters = 0
        /// Milliseconds of every step timed so far.
        public private(set) var times: [Double] = []

        struct Header: Decodable {
            var torch_version: String
            var threads: Int
            var parameters: Int
        }
        struct Times: Decodable { var ms: [Double] }

        /// Starts `python script --serve --dim d --warmup w --threads t` and waits for its warm-up.
        public init(python: String, script: String, dim: Int, warmup: Int, threads: Int) throws(Failure) {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, script, "--serve", "--dim", "\(dim)", "--warmup", "\(warmup)", "--threads", "\(threads)"]
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            // A script that dies makes our next request fail with EPIPE rather than end this process.
            signal(SIGPIPE, SIG_IGN)
            do { try process.run() } catch { throw Failure(description: "cannot run \(python) \(script): \(error)") }
            let header: Header = try Self.decode(try readLine(), from: script)
            (version, self.threads, parameters) = (header.torch_version, header.threads, header.parameters)
        }

        deinit { stop() }

        /// Times `steps` more steps; returns their milliseconds.
        @discardableResult
        public func time(_ steps: Int) throws(Failure) -> [Double] {
            do { try input.fileHandleForWriting.write(contentsOf: Data("\(steps)\n".utf8)) } catch {
                throw Failure(description: "the PyTorch script stopped: \(error)")
            }
            let round: Times = try Self.decode(try readLine(), from: "the PyTorch script")
            guard round.ms.count == steps else { throw Failure(description: "asked for \(steps) steps, got \(round.ms.count)") }
            times += round.ms
            return round.ms
        }

        /// Its side of the comparison so far.
        public var result: Result {
            Result(
                torch_version: version, threads: threads, parameters: parameters, ms_per_step_median: median(times),
                ms_per_step_mean: mean(times), ms_per_step_min: times.min() ?? 0)
        }

        /// Ends the script (an empty line) and waits for it.
        public func stop() {
            guard process.isRunning else { return }
            try? input.fileHandleForWriting.write(contentsOf: Data("\n".utf8))
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }

        private func readLine() throws(Failure) -> Data {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer = Data(buffer[buffer.index(after: newline)...])
                    return Data(line)
                }
                let more = output.fileHandleForReading.availableData
                if more.isEmpty {
                    process.waitUntilExit()
                    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    throw Failure(
                        description: text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").last.map(String.init)
                            ?? "exit status \(process.terminationStatus)")
                }
                buffer += more
            }
        }

        private static func decode<T: Decodable>(_ line: Data, from source: String) throws(Failure) -> T {
            do { return try JSONDecoder().decode(T.self, from: line) } catch {
                throw Failure(description: "unreadable output from \(source): \(String(decoding: line.prefix(200), as: UTF8.self))")
            }
        }
    }

    /// Ours and PyTorch's training step in `rounds` alternated rounds of `steps` each, after `warmup` untimed steps
    /// on both sides. Without PyTorch (the script does not start or fails), ours alone, with the reason.
    public static func compare(
        timer: TrainStepTimer, python: String, script: String, steps: Int, rounds: Int, warmup: Int, threads: Int,
        progress: (Int) -> Void = { _ in }
    ) -> Comparison {
        timer.warmUp(warmup)
        let server: Server
        do { server = try Server(python: python, script: script, dim: timer.dim, warmup: warmup, threads: threads) } catch {
            for r in 0..<rounds {
                timer.time(steps)
                progress(r + 1)
            }
            var c = Comparison(swift: timer.result)
            c.torchError = error.description
            return c
        }
        defer { server.stop() }
        var done: [Round] = []
        for r in 0..<rounds {
            let ours = median(timer.time(steps))
            let theirs: Double
            do { theirs = median(try server.time(steps)) } catch {
                var c = Comparison(swift: timer.result)
                c.torchError = error.description
                return c
            }
            done.append(Round(ours: ours, torch: theirs, speedup: theirs / ours))
            progress(r + 1)
        }
        var c = Comparison(swift: timer.result)
        c.torch = server.result
        c.rounds = done
        c.speedup = median(done.map(\.speedup))
        return c
    }
}
