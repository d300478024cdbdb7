import EWMIO
import Foundation

/// What one shard of a collection hands to the merge: its episodes (the units), their transitions in an `.npz` beside
/// the part (`part-I-of-N.npz`, the arrays of a collect shard), checked by size and CRC-32, and its collection time.
public struct CollectionPart: Codable, Sendable {
    public var episodes: [Int]
    public var transitions: Int
    /// The transitions' file in the parts directory, with its size and CRC-32.
    public var data: RunManifest.Entry
    public var seconds: Double
}

extension CollectionRun {
    /// Collects `episodes` (a shard's units, increasing) and writes their transitions atomically to `npz`; the caller
    /// writes the part's JSON (header and this body) after it, so a part that exists has its data.
    public static func collectPart<Config: CollectionSettings>(
        _ config: Config, episodes: [Int], npz url: URL, progress: ((Int) -> Void)? = nil
    ) throws -> CollectionPart {
        let t0 = Date()
        let data = try config.transitions(only: episodes, progress: progress)
        try createOutputDirectory(url.deletingLastPathComponent())
        try writeAtomically(try data.npz(rows: 0..<data.count, path: url.path), to: url)
        return CollectionPart(
            episodes: episodes, transitions: data.count, data: try RunManifest.Entry(file: url), seconds: Date().timeIntervalSince(t0))
    }

    /// Joins the parts read from `partsDirectory` into the collection of the whole sweep, written to `directory` as
    /// `collect` writes it (the same shards, byte for byte, and `collect.json`; seconds: the shards' summed, or none
    /// without `timings`). `keeping` names entries of `directory` left alone (the parts folder when it lies inside).
    public static func join<Config: CollectionSettings>(
        _ parts: [CollectionPart], from partsDirectory: URL, config: Config, to directory: URL, shardSize: Int, replace: Bool,
        keeping: [String], timings: Bool
    ) throws -> (data: TransitionSet, report: CollectionReport<Config>) {
        var pieces: [TransitionSet] = []
        for part in parts {
            let url = partsDirectory.appendingPathComponent(part.data.name)
            let manifest = RunManifest(writer: "collect part", complete: true, files: [part.data])
            let arrays = try Npz.decode(try manifest.read(part.data.name, in: partsDirectory), path: url.path)
            var set: TransitionSet?
            try TransitionSet.append(arrays, file: part.data.name, to: &set, env: config.env)
            guard let set, set.count == part.transitions else {
                throw DataError("\(url.path): holds other transitions than its part says (\(part.transitions))")
            }
            pieces.append(set)
        }
        let data = try TransitionSet.joined(pieces, episodes: config.episodes)
        let run = try prepare(directory, replace: replace, keeping: keeping)
        let seconds = parts.map(\.seconds).reduce(0, +)
        let report = try write(data, config: config, to: run, shardSize: shardSize) { timings ? seconds : nil }
        return (data, report)
    }
}

extension TransitionSet {
    /// The transitions of `pieces` (each holding whole episodes, in increasing order) in episode order 0 ..< `episodes`,
    /// as one collection of every episode gives them.
    static func joined(_ pieces: [TransitionSet], episodes: Int) throws -> TransitionSet {
        guard let first = pieces.first else { throw DataError("no collected transitions to join") }
        var rows = [Range<Int>?](repeating: nil, count: episodes), owner = [Int](repeating: -1, count: episodes)
        for (p, piece) in pieces.enumerated() {
            var start = 0
            while start < piece.count {
                let e = Int(piece.episodes[start])
                var end = start + 1
                while end < piece.count && piece.episodes[end] == piece.episodes[start] { end += 1 }
                guard (0..<episodes).contains(e), rows[e] == nil else { throw DataError("episode \(e) is outside the collection or in two parts") }
                rows[e] = start..<end; owner[e] = p
                start = end
            }
        }
        var set = TransitionSet(env: first.env, observationSize: first.observationSize, actionSize: first.actionSize)
        for e in 0..<episodes {
            guard let r = rows[e] else { throw DataError("episode \(e) has no transitions in any part") }
            set.append(rows: r, of: pieces[owner[e]])
        }
        return set
    }

    /// Appends rows `r` of `other` (same sizes).
    mutating func append(rows r: Range<Int>, of other: TransitionSet) {
        observations += other.observations[r.lowerBound * observationSize..<r.upperBound * observationSize]
        nextObservations += other.nextObservations[r.lowerBound * observationSize..<r.upperBound * observationSize]
        actions += other.actions[r.lowerBound * actionSize..<r.upperBound * actionSize]
        orientations += other.orientations[r]; episodes += other.episodes[r]; steps += other.steps[r]
        if !other.origins.isEmpty { origins += other.origins[3 * r.lowerBound..<3 * r.upperBound] }
    }
}
