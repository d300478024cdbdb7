import EWMIO
import Foundation
import Tensor

#if canImport(Glibc)
    import Glibc
#endif

/// `ewm-sim reproduce`: runs a list of `ReproductionPart`s into an output directory, one subdirectory per part, and
/// writes `index.html` over all of them.
///
/// Resumable: a part whose directory holds a `part.json` of the same scale and sizes is finished and kept; any other part runs in
/// a fresh hidden directory (`.NAME.tmp`) that is renamed to `NAME` only after its report, files and `part.json`
/// are written, so an interrupted part leaves no `NAME` behind. A part that throws is reported as failed, nothing
/// of it is kept, and the other parts still run.
///
/// Sharded (`shard`): only the shard's parts run (`ReproductionSharding`: groups closed under `needs`), and several
/// shards may write one directory at once, on one machine or on a filesystem they share. Locks are per part
/// (`DIR/.locks/NAME.lock`, a `FileLock`, held while the part runs): two writers of one part are refused, the second told who
/// holds it; holding it, a run removes that part's stale temporary directories. The index is written by the run that
/// finds every part of the list finished (the last shard to finish, or a later run without a shard, which then only
/// keeps parts and writes the page); an unsharded run always writes it.
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
        /// "I/N" when the run was a shard.
        public var shard: String?
        /// The index's path, nil when this shard did not write it (other parts were not finished yet).
        public var index: String?
        public var parts: [PartStatus]
        /// Parts of the whole list, outside this run, not finished at this scale when it ended (other shards' work).
        public var awaiting: [String]
        public var seconds: Double
        public var failed: Int { parts.filter { $0.state == .failed }.count }

        public var text: String {
            let table = TextTable.render(
                ["part", "state", "seconds", "error"],
                parts.map { [$0.part, $0.state.rawValue, $0.seconds.map { TextTable.fixed($0, 1) } ?? "-", $0.error ?? ""] })
            let what = (shard.map { "shard \($0): " } ?? "") + "\(parts.count) parts at scale \(scale.rawValue) in \(TextTable.fixed(seconds, 1)) s"
            let page =
                index.map { "report: \($0)" }
                ?? "index.html not written: \(awaiting.count) parts of other shards are not finished (\(awaiting.joined(separator: ", ")))"
            return table + "\n\(what); \(page)"
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

    /// Runs (or keeps) every part in order, or only `shard`'s parts, then writes `out/index.html` (a shard: only when
    /// every part of `parts` is finished). `showProgress`: a progress line per part.
    public static func run(
        parts: [ReproductionPart], out: URL, scale: ReproductionScale, settings: ReproductionSettings, shard: Shard? = nil,
        showProgress: Bool
    ) throws -> Report {
        try validate(parts)
        let root = out.standardizedFileURL
        try createOutputDirectory(root)
        let mine = shard.map { ReproductionSharding.select(parts, scale: scale, shard: $0) } ?? parts
        let start = Date()
        var statuses: [PartStatus] = []
        for (i, part) in mine.enumerated() {
            let final = root.appendingPathComponent(part.name)
            if isFinished(part, in: root, scale: scale) {
                statuses.append(PartStatus(part: part.name, state: .kept, seconds: PartRecord.read(in: final)?.seconds))
                continue
            }
            let line = ProgressLine(label: "[\(i + 1)/\(mine.count)] \(part.name)", total: 0, enabled: showProgress)
            let counter = ProgressCounter(line)
            let t0 = Date()
            do {
                let lock = try lockPart(part.name, in: root)
                defer { lock.release() }
                // Another writer may have finished it between the look above and the lock.
                if isFinished(part, in: root, scale: scale) {
                    line.finish(detail: "kept")
                    statuses.append(PartStatus(part: part.name, state: .kept, seconds: PartRecord.read(in: final)?.seconds))
                    continue
                }
                removeStaleTemporaries(of: part.name, in: root)
                if let missing = part.needs.first(where: { PartRecord.read(in: root.appendingPathComponent($0))?.scale != scale }) {
                    throw ReproductionError("needs part '\(missing)', which did not finish at scale \(scale.rawValue)")
                }
                resetComputeState()
                try runPart(part, into: final, root: root, scale: scale, settings: settings, progress: counter.note)
                let seconds = Date().timeIntervalSince(t0)
                line.finish(detail: "done")
                statuses.append(PartStatus(part: part.name, state: .ran, seconds: seconds))
            } catch {
                line.finish(detail: "failed")
                statuses.append(PartStatus(part: part.name, state: .failed, seconds: Date().timeIntervalSince(t0), error: "\(error)"))
            }
        }
        let mineNames = Set(mine.map(\.name))
        let awaiting = parts.filter { !mineNames.contains($0.name) && !isFinished($0, in: root, scale: scale) }.map(\.name)
        var index: URL?
        if shard == nil || (awaiting.isEmpty && statuses.allSatisfy { $0.state != .failed }) {
            let url = root.appendingPathComponent(ReproductionIndex.fileName)
            try writeAtomically(Data(ReproductionIndex.page(parts: parts, root: root, statuses: statuses).utf8), to: url)
            index = url
        }
        return Report(
            out: root.path, scale: scale, shard: shard?.description, index: index?.path, parts: statuses, awaiting: awaiting,
            seconds: Date().timeIntervalSince(start))
    }

    /// Whether `part` is finished in `root` at `scale`: its `part.json` is there, of this scale and of its sizes.
    static func isFinished(_ part: ReproductionPart, in root: URL, scale: ReproductionScale) -> Bool {
        guard let record = PartRecord.read(in: root.appendingPathComponent(part.name)) else { return false }
        return record.scale == scale && record.sizes == part.sizes(scale)
    }

    /// The lock file of part `name` in `root`: `.locks/NAME.lock`, outside the part's directory (which is replaced
    /// whole). Lock files stay: removing one would let two runs lock two files of one name.
    static func lockURL(_ name: String, in root: URL) -> URL { root.appendingPathComponent(".locks/\(name).lock") }

    /// Takes part `name`'s lock; throws, naming the holder, when another run is writing the part.
    static func lockPart(_ name: String, in root: URL) throws -> FileLock {
        let url = lockURL(name, in: root)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw IOError.fileSystem(
                path: url.deletingLastPathComponent().path, operation: "create the lock directory", reason: fileErrorReason(error))
        }
        do { return try FileLock(url) } catch let held as FileLock.Held {
            throw ReproductionError(
                "part '\(name)' is being written by another run (\(held.holder?.description ?? "holder unknown"); lock \(held.path)); "
                    + "wait for it to finish, or stop it, then run again")
        }
    }

    /// The temporary directory part `name` is written in: one name, since its lock admits one writer, so a part's
    /// files name the same paths whichever run wrote them (a training summary records where its checkpoint went).
    static func stagingURL(_ name: String, in root: URL) -> URL { root.appendingPathComponent(".\(name).tmp") }

    /// Removes the temporary directories that killed runs left of part `name` (`.NAME.tmp`, and earlier versions'
    /// `.NAME.tmp-PID-*`); call holding its lock.
    static func removeStaleTemporaries(of name: String, in root: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for n in names where n == ".\(name).tmp" || n.hasPrefix(".\(name).tmp-") {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(n))
        }
    }

    /// Puts the process's compute threads in one fixed state before each part, so that a part's figures do not depend
    /// on what ran before it in the process (in a shard, other parts do): one BLAS thread, no compute pool (a part that
    /// wants threads sets them).
    static func resetComputeState() {
        if Compute.threadCount != 1 { Compute.setThreadCount(1) }
        if BLAS.threadCount != 1 { BLAS.setThreadCount(1) }
    }

    /// Runs one part in a temporary directory and renames it to `final` once complete (replacing an earlier `final`).
    static func runPart(
        _ part: ReproductionPart, into final: URL, root: URL, scale: ReproductionScale, settings: ReproductionSettings,
        progress: @escaping @Sendable (String) -> Void
    ) throws {
        let staging = stagingURL(part.name, in: root)
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
    /// With `shard`, only that shard's parts.
    public static func plan(_ parts: [ReproductionPart], scale: ReproductionScale, shard: Shard? = nil) -> ReportList<PlannedPart> {
        let listed = shard.map { ReproductionSharding.select(parts, scale: scale, shard: $0) } ?? parts
        let items = listed.map {
            PlannedPart(part: $0.name, regenerates: $0.regenerates, needs: $0.needs, sizes: $0.sizes(scale), estimatedSeconds: $0.cost(scale))
        }
        return ReportList(items) { items in
            let total = items.reduce(0) { $0 + $1.estimatedSeconds }
            return TextTable.render(
                ["part", "regenerates", "sizes at scale \(scale.rawValue)", "est. s"],
                items.map { [$0.part, $0.regenerates, $0.sizes, TextTable.fixed($0.estimatedSeconds, 0)] })
                + "\n\(shard.map { "shard \($0): " } ?? "")\(items.count) parts, about \(TextTable.fixed(total, 0)) s (release, 2 cores)"
        }
    }

    public struct PlannedPart: Codable, Sendable {
        public var part: String
        public var regenerates: String
        public var needs: [String]
        public var sizes: String
        /// The part's cost estimate (`ReproductionPart.cost`): rough seconds, release build, 2 cores.
        public var estimatedSeconds: Double
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
