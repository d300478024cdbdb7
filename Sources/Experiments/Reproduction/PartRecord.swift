import EWMIO
import Foundation
import Tensor

/// Where and when a part ran: the commit, the machine, its CPU, the BLAS library and kernel. Written into every
/// part's `part.json` and shown beside its table in the index.
public struct Provenance: Codable, Sendable, Equatable {
    /// `git rev-parse HEAD` in the working directory, or "unknown" outside a git checkout.
    public var commit: String
    public var machine: String
    public var cpuModel: String
    public var cores: Int
    public var blasBackend: String
    /// OpenBLAS's kernel (`openblas_get_corename()`), "unknown" when the library did not load.
    public var blasKernel: String

    public init(commit: String, machine: String, cpuModel: String, cores: Int, blasBackend: String, blasKernel: String) {
        self.commit = commit; self.machine = machine; self.cpuModel = cpuModel; self.cores = cores
        self.blasBackend = blasBackend; self.blasKernel = blasKernel
    }

    /// This process's: the commit of the working directory, this host and CPU, the BLAS backend in use.
    public static func current() -> Provenance {
        let blas = BLAS.backend
        return Provenance(
            commit: gitCommit() ?? "unknown", machine: ProcessInfo.processInfo.hostName, cpuModel: cpuModel() ?? "unknown",
            cores: ProcessInfo.processInfo.activeProcessorCount, blasBackend: blas.backend, blasKernel: blas.kernel ?? "unknown")
    }

    /// `git rev-parse HEAD` in the working directory (nil when git is missing or this is no checkout).
    static func gitCommit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.count == 40 && text.allSatisfy(\.isHexDigit) ? text : nil
    }

    /// The first "model name" of /proc/cpuinfo (nil elsewhere).
    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}

/// A finished part's `part.json`: which part at which scale, what it regenerates, its files, how long it took, when
/// it finished and where it ran. Its presence marks the part as finished: the runner writes it last.
public struct PartRecord: Codable, Sendable, Equatable {
    public static let fileName = "part.json"

    public var part: String
    public var regenerates: String
    public var scale: ReproductionScale
    public var sizes: String
    public var files: [PartFile]
    public var seconds: Double
    /// ISO 8601, UTC.
    public var finished: String
    public var provenance: Provenance

    public init(
        part: String, regenerates: String, scale: ReproductionScale, sizes: String, files: [PartFile], seconds: Double, finished: String,
        provenance: Provenance
    ) {
        self.part = part; self.regenerates = regenerates; self.scale = scale; self.sizes = sizes; self.files = files
        self.seconds = seconds; self.finished = finished; self.provenance = provenance
    }

    /// The record in the part directory `directory` (nil when there is none or it is not a record: not finished).
    public static func read(in directory: URL) -> PartRecord? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(PartRecord.self, from: data)
    }

    public func write(in directory: URL) throws {
        try writeAtomically(try ReportJSON.encode(self), to: directory.appendingPathComponent(Self.fileName))
    }
}

/// The JSON form of reports and records: pretty, key-sorted, non-finite numbers as strings (as `--json` prints them).
public enum ReportJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value) + Data("\n".utf8)
    }
}
