import EWMIO
import Foundation
import Tensor

/// A trainer that a `TrainingRun` drives: `LayoutJEPATrainer` on any layout (2D `JEPATrainer`, 3D `CloudJEPATrainer`).
public protocol ResumableTrainer: AnyObject {
    var step: Int { get }
    var online: WorldNet<Float> { get }
    func trainStep() -> TrainMetrics
    func resume(from state: SafeTensors) throws
    func save(to url: URL, command: String, extra: [String: String]) throws
}

extension LayoutJEPATrainer: ResumableTrainer {}

/// What a training run reports (and writes to `summary.json`).
public struct TrainingSummary: TextReport, Sendable {
    public var checkpoint: String
    public var model: String
    public var env: String
    /// The training slice of the group (planar: the orientations; 3D: the ladder rung).
    public var slice: String?
    public var parameters: Int
    public var steps: Int
    public var transitions: Int
    public var seconds: Double
    public var first: TrainMetrics?
    public var last: TrainMetrics?
    public var command: String

    public var text: String {
        let g = { (x: Double) in String(format: "%.4g", x) }
        var lines = [
            "\(model) on \(env)\(slice.map { ", slice \($0)" } ?? ""): \(parameters) parameters, \(transitions) transitions, \(steps) steps in \(TextTable.fixed(seconds, 1)) s"
        ]
        if let last {
            lines.append("final loss \(g(last.loss)) (prediction relMSE \(g(last.prediction)), regulariser \(g(last.regularizer)))")
        }
        lines.append("checkpoint: \(checkpoint)")
        return lines.joined(separator: "\n")
    }
}

/// A run refused before training: nothing to resume, or a checkpoint that would be overwritten.
public struct TrainingRunError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Trains a `ResumableTrainer` to `steps` in `directory`, which it locks for the run (`RunDirectory`): resumes its
/// checkpoint (`resume`) or refuses to overwrite one, logs metrics as JSON lines (`metrics.jsonl`: every `logEvery` steps, the first and the last), checkpoints
/// atomically every `checkpointEvery` steps and at the end (`checkpoint.safetensors`), writes `summary.json`.
public struct TrainingRun: Sendable {
    public var directory: URL
    public var steps: Int
    public var resume: Bool
    public var logEvery: Int
    public var checkpointEvery: Int
    /// The command line recorded in the checkpoint and the summary.
    public var command: String
    public var env: String
    /// The model kind's name, for the summary.
    public var model: String
    /// The training slice's name, for the summary.
    public var slice: String?

    public init(
        directory: URL, steps: Int, resume: Bool = false, logEvery: Int = 50, checkpointEvery: Int = 500,
        command: String, env: String, model: String, slice: String? = nil
    ) {
        self.slice = slice
        self.directory = directory; self.steps = steps; self.resume = resume; self.logEvery = logEvery
        self.checkpointEvery = checkpointEvery; self.command = command; self.env = env; self.model = model
    }

    public var checkpointURL: URL { directory.appendingPathComponent("checkpoint.safetensors") }
    public var metricsURL: URL { directory.appendingPathComponent("metrics.jsonl") }
    public var summaryURL: URL { directory.appendingPathComponent("summary.json") }

    /// Prepares the directory and the metrics log (resuming `trainer` from its checkpoint, or refusing to overwrite
    /// one), then trains; `progress` sees every step's metrics. `transitions` is the data set's size, for the summary.
    @discardableResult
    public func run(_ trainer: some ResumableTrainer, transitions: Int, progress: (TrainMetrics) -> Void = { _ in }) throws -> TrainingSummary {
        // Held until the run returns: a second run on the same directory (a new one or a --resume) is refused instead of
        // claiming the same checkpoint or interleaving the metrics log.
        let lock = try RunDirectory(locking: directory)
        defer { lock.release() }
        var lines: [String] = []
        if resume {
            guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
                throw TrainingRunError("--resume: no checkpoint at \(checkpointURL.path)")
            }
            try trainer.resume(from: try SafeTensors.readWeights(from: checkpointURL))
            if let text = try? String(contentsOf: metricsURL, encoding: .utf8) {
                lines = Self.metricLines(text, upTo: trainer.step)
            }
        } else if FileManager.default.fileExists(atPath: checkpointURL.path) {
            throw TrainingRunError("\(checkpointURL.path) exists; pass --resume to continue it or choose another --out")
        }
        try writeAtomically(Data((lines.map { $0 + "\n" }.joined()).utf8), to: metricsURL)
        let log: FileHandle
        do { log = try FileHandle(forWritingTo: metricsURL) } catch {
            throw IOError.fileSystem(path: metricsURL.path, operation: "open for appending", reason: fileErrorReason(error))
        }
        log.seekToEndOfFile()
        defer { try? log.close() }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let t0 = Date()
        var first: TrainMetrics?, last: TrainMetrics?
        let extra = ["command_line": command, "env": env]
        while trainer.step < steps {
            var m = trainer.trainStep()
            m.seconds = Date().timeIntervalSince(t0)
            if first == nil { first = m }
            last = m
            if m.step % logEvery == 0 || m.step == steps || m.step == 1 {
                log.write(try encoder.encode(m) + Data("\n".utf8))
            }
            if m.step % checkpointEvery == 0 || m.step == steps {
                try trainer.save(to: checkpointURL, command: command, extra: extra)
            }
            progress(m)
        }
        let summary = TrainingSummary(
            checkpoint: checkpointURL.path, model: model, env: env, slice: slice, parameters: trainer.online.parameterCount,
            steps: trainer.step, transitions: transitions, seconds: Date().timeIntervalSince(t0),
            first: first, last: last, command: command)
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try pretty.encode(summary), to: summaryURL)
        return summary
    }

    /// The lines of a metrics log whose step is at most `step` (a resumed run keeps the log up to its checkpoint).
    public static func metricLines(_ text: String, upTo step: Int) -> [String] {
        text.split(separator: "\n").map(String.init).filter { line in
            guard let m = try? JSONDecoder().decode(TrainMetrics.self, from: Data(line.utf8)) else { return false }
            return m.step <= step
        }
    }
}
