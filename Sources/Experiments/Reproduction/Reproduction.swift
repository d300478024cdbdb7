import EWMIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `ewm-sim reproduce`: runs a list of `ReproductionPart`s into an output directory, one subdirectory per part, and
/// writes `index.html` over all of them.
///
/// Resumable: a part whose directory holds a `part.json` of the same scale and sizes is finished and kept; any other part runs in
/// a fresh hidden directory (`.NAME.tmp-PID-*`) that is renamed to `NAME` only after its report, files and `part.json`
/// are written, so an interrupted part leaves no `NAME` behind (the next run removes its temporary directory: the
/// output directory is locked while a run writes, `RunDirectory`). A part that throws is reported as failed, nothing
/// of it is kept, and the other parts still run.
public enum Reproduction {
    public struct PartStatus: Codable, Sendable {
        public enum State: String, Codable, Sendable { case ran, kept, failed }
        public var part: String
        public var state: State
        public var seconds: Double?
        public var error: String?
    }

    public struct Report: TextReport, Sendable {
        public var out: String
        public var scale: ReproductionScale
        public var index: String
        public var parts: [PartStatus]
        public var seconds: Double
        public var failed: Int { parts.filter { $0.state == .failed }.count }

        public var text: String {
            let table = TextTable.render(
                ["part", "state", "seconds", "error"],
                parts.map { [$0.part, $0.state.rawValue, $0.seconds.map { TextTable.fixed($0, 1) } ?? "-", $0.error ?? ""] })
            return table + "\n\(parts.count) parts at scale \(scale.rawValue) in \(TextTable.fixed(seconds, 1)) s; report: \(index)"
        }
    }

    /// Checks that names are valid and unique and that every part's needs come before it.
    public static func validate(_ parts: [ReproductionPart]) throws {
        var seen = Set<String>()
        for p in parts {
            guard ReproductionPart.isValidName(p.name) else {
                throw ReproductionError("part name '\(p.name)' is not lower-case letters, digits and '-'")
            }
            guard seen.insert(p.name).inserted else { throw ReproductionError("two parts are named '\(p.name)'") }
            for n in p.needs where !seen.contains(n) { throw ReproductionError("part '\(p.name)' needs '\(n)', which does not come before it") }
        }
    }

    /// Runs (or keeps) every part in order, then writes `out/index.html`. `showProgress`: a progress line per part.
    public static func run(
        parts: [ReproductionPart], out: URL, scale: ReproductionScale, settings: ReproductionSettings, showProgress: Bool
    ) throws -> Report {
        try validate(parts)
        let directory = try RunDirectory(locking: out)
        defer { directory.release() }
        let root = directory.url
        let start = Date()
        var statuses: [PartStatus] = []
        for (i, part) in parts.enumerated() {
            let final = root.appendingPathComponent(part.name)
            if let record = PartRecord.read(in: final), record.scale == scale, record.sizes == part.sizes(scale) {
                statuses.append(PartStatus(part: part.name, state: .kept, seconds: record.seconds))
                continue
            }
            let line = ProgressLine(label: "[\(i + 1)/\(parts.count)] \(part.name)", total: 0, enabled: showProgress)
            let counter = ProgressCounter(line)
            let t0 = Date()
            do {
                if let missing = part.needs.first(where: { PartRecord.read(in: root.appendingPathComponent($0))?.scale != scale }) {
                    throw ReproductionError("needs part '\(missing)', which did not finish at scale \(scale.rawValue)")
                }
                try runPart(part, into: final, root: root, scale: scale, settings: settings, progress: counter.note)
                let seconds = Date().timeIntervalSince(t0)
                line.finish(detail: "done")
                statuses.append(PartStatus(part: part.name, state: .ran, seconds: seconds))
            } catch {
                line.finish(detail: "failed")
                statuses.append(PartStatus(part: part.name, state: .failed, seconds: Date().timeIntervalSince(t0), error: "\(error)"))
            }
        }
        let index = root.appendingPathComponent(ReproductionIndex.fileName)
        try writeAtomically(Data(ReproductionIndex.page(parts: parts, root: root, statuses: statuses).utf8), to: index)
        return Report(out: root.path, scale: scale, index: index.path, parts: statuses, seconds: Date().timeIntervalSince(start))
    }

    /// Runs one part in a temporary directory and renames it to `final` once complete (replacing an earlier `final`).
    static func runPart(
        _ part: ReproductionPart, into final: URL, root: URL, scale: ReproductionScale, settings: ReproductionSettings,
        progress: @escaping @Sendable (String) -> Void
    ) throws {
        let staging = root.appendingPathComponent(".\(part.name).tmp-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(at: staging) } }
        let t0 = Date()
        let output = try part.run(PartContext(directory: staging, root: root, scale: scale, settings: settings, progress: progress))
        for f in output.files where !FileManager.default.fileExists(atPath: staging.appendingPathComponent(f.name).path) {
            throw ReproductionError("part '\(part.name)' lists \(f.name) but did not write it")
        }
        // Paths inside the temporary directory (checkpoints a part trained) are named where they will be.
        let moved = { (text: String) in text.replacingOccurrences(of: staging.path, with: final.path) }
        try writeAtomically(Data(moved(output.report.text + "\n").utf8), to: staging.appendingPathComponent(ReproductionIndex.reportText))
        let json = String(decoding: try ReportJSON.encode(EncodedReport(output.report)), as: UTF8.self)
        try writeAtomically(Data(moved(json).utf8), to: staging.appendingPathComponent(ReproductionIndex.reportJSON))
        let record = PartRecord(
            part: part.name, regenerates: part.regenerates, scale: scale, sizes: part.sizes(scale), files: output.files,
            seconds: Date().timeIntervalSince(t0), finished: ISO8601DateFormatter().string(from: Date()), provenance: .current())
        try record.write(in: staging)
        if FileManager.default.fileExists(atPath: final.path) { try FileManager.default.removeItem(at: final) }
        guard rename(staging.path, final.path) == 0 else {
            throw IOError.fileSystem(path: final.path, operation: "rename the finished part into place", reason: String(cString: strerror(errno)))
        }
        renamed = true
    }

    /// The planned run, without running it: each part with what it regenerates and its sizes at `scale`.
    public static func plan(_ parts: [ReproductionPart], scale: ReproductionScale) -> ReportList<PlannedPart> {
        ReportList(parts.map { PlannedPart(part: $0.name, regenerates: $0.regenerates, needs: $0.needs, sizes: $0.sizes(scale)) }) { items in
            TextTable.render(["part", "regenerates", "sizes at scale \(scale.rawValue)"], items.map { [$0.part, $0.regenerates, $0.sizes] })
        }
    }

    public struct PlannedPart: Codable, Sendable {
        public var part: String
        public var regenerates: String
        public var needs: [String]
        public var sizes: String
    }
}

/// Counts a part's progress notes onto its progress line (safe from any thread).
final class ProgressCounter: @unchecked Sendable {
    private let line: ProgressLine
    private let lock = NSLock()
    private var count = 0

    init(_ line: ProgressLine) { self.line = line }

    var note: @Sendable (String) -> Void {
        { [self] detail in
            lock.lock()
            count += 1
            let n = count
            lock.unlock()
            line.update(n, detail: detail)
        }
    }
}
