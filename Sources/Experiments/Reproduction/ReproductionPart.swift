import EWMIO
import Foundation

/// One named piece of `ewm-sim reproduce`: what table or figure of docs/results.md it regenerates, the parts whose files
/// it reads, the sizes it runs at for a scale, and the work itself. The runner (`Reproduction`) gives each part a fresh
/// directory, keeps what the part hands back (its report, as text and JSON, and the files it wrote there) and moves the
/// directory into place only when the part finished, so a list of parts can be cut into shards (`ReproductionSharding`)
/// or grown by one entry. A part's files depend only on its scale, its settings and its needs' files: every part starts
/// on one BLAS and one compute thread (a part that wants more sets them), whatever ran before it in the process.
public struct ReproductionPart: Sendable {
    /// The part's directory name under the output directory: lower-case letters, digits and '-'.
    public var name: String
    /// The table or figure of docs/results.md it regenerates (its section there).
    public var regenerates: String
    /// Parts whose output this one reads (`PartContext.input`); they come earlier in the list.
    public var needs: [String]
    /// The sizes it runs at, as a line of text (`--dry-run` lists them).
    public var sizes: @Sendable (ReproductionScale) -> String
    /// A rough estimate of its seconds at a scale (release build, 2 cores): what `ReproductionSharding` balances the
    /// shards by. Only the ratios between parts matter.
    public var cost: @Sendable (ReproductionScale) -> Double
    public var run: @Sendable (PartContext) throws -> PartOutput

    public init(
        name: String, regenerates: String, needs: [String] = [], sizes: @escaping @Sendable (ReproductionScale) -> String,
        cost: @escaping @Sendable (ReproductionScale) -> Double = { _ in 1 }, run: @escaping @Sendable (PartContext) throws -> PartOutput
    ) {
        self.name = name; self.regenerates = regenerates; self.needs = needs; self.sizes = sizes; self.cost = cost; self.run = run
    }

    /// Whether `name` is usable as a directory name (and stays one in links).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.first != "-" && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// What a part's run sees: where to write, the scale, where its inputs are, and a progress callback.
public struct PartContext: Sendable {
    /// The directory the part writes its files into (moved into place when the part finishes).
    public var directory: URL
    /// The output directory of the whole run (the finished parts are its subdirectories).
    public var root: URL
    public var scale: ReproductionScale
    public var settings: ReproductionSettings
    /// A short note of how far the part got (shown on the part's progress line).
    public var progress: @Sendable (String) -> Void

    public init(
        directory: URL, root: URL, scale: ReproductionScale, settings: ReproductionSettings, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.directory = directory; self.root = root; self.scale = scale; self.settings = settings; self.progress = progress
    }

    /// `name` in the part's own directory.
    public func file(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// `name` in the finished part `part` (one of the part's `needs`).
    public func input(_ part: String, _ name: String) -> URL { root.appendingPathComponent(part).appendingPathComponent(name) }
}

/// A part's result: its report (printed as text and saved as `report.txt` and `report.json`) and the files it wrote
/// into its directory, each with what it is.
public struct PartOutput {
    public var report: any TextReport
    public var files: [PartFile]

    public init(report: any TextReport, files: [PartFile] = []) { self.report = report; self.files = files }
}

/// A file a part wrote: its name in the part's directory, its kind (how the index shows it) and a caption.
public struct PartFile: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A PNG shown in the index (plots, animated PNGs).
        case image
        /// An HTML animation player, linked from the index.
        case player
        /// Anything else (checkpoints, summaries), linked.
        case data
    }

    public var name: String
    public var kind: Kind
    public var caption: String

    public init(_ name: String, kind: Kind, caption: String) { self.name = name; self.kind = kind; self.caption = caption }
}

/// A part that cannot run: a missing input, bad settings.
public struct ReproductionError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
