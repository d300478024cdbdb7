import Foundation

/// What identifies a part: the command that made it, the flags that define its sweep, which shard it is, and the
/// units it covers. Two parts belong to one sweep when command, flags, shard count and unit total agree.
public struct ShardPartHeader: Codable, Equatable, Sendable {
    /// Format tag and version of the part file.
    public var format = ShardPartHeader.formatName
    /// The command, e.g. "eval closed-loop".
    public var command: String
    /// The canonical flags that define the sweep, as a command line of `command` (fixed order, every value written so
    /// that parsing gives it back): the same in every part of a sweep. Flags that only choose how the result is shown
    /// (--json, --plot) or how fast it runs (--threads) are not among them.
    public var arguments: [String]
    public var shard: Int
    public var shards: Int
    /// Units of the whole sweep, and the ones this part covers (`Shard.units(of:)`).
    public var totalUnits: Int
    public var units: [Int]

    public static let formatName = "ewm-sim-part-1"

    public init(command: String, arguments: [String], shard: Shard, totalUnits: Int) {
        self.command = command; self.arguments = arguments; self.shard = shard.index; shards = shard.count
        self.totalUnits = totalUnits; units = shard.units(of: totalUnits)
    }
}

/// One shard's share of a sweep as written to `--parts DIR`: `DIR/part-I-of-N.json` with the header and the partial
/// result (`body`: whatever the command's merge needs, per unit, to assemble the report of the whole sweep).
public struct ShardPart<Body: Codable>: Codable {
    public var header: ShardPartHeader
    public var body: Body

    public init(header: ShardPartHeader, body: Body) { self.header = header; self.body = body }

    /// Writes the part atomically into `directory` (created if missing) as `part-I-of-N.json`; returns its URL.
    @discardableResult
    public func write(to directory: URL) throws -> URL {
        try createOutputDirectory(directory)
        let url = directory.appendingPathComponent(try Shard(index: header.shard, count: header.shards).partFileName)
        try writeAtomically(try ShardParts.encoder.encode(self), to: url)
        return url
    }
}

/// Reads the parts of one sweep from a directory and refuses sets that are not exactly one sweep cut in pieces.
public enum ShardParts {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    private struct HeaderOnly: Decodable { var header: ShardPartHeader }

    /// The part files of `directory` (`part-*.json`), in name order.
    public static func files(in directory: URL) throws -> [URL] {
        try listInputDirectory(directory).filter { $0.hasPrefix("part-") && $0.hasSuffix(".json") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// The checked headers of the parts in `directory`, ordered by shard: every part of one sweep (same command, flags,
    /// shard count and unit total), each shard exactly once, each covering exactly its units. Throws a `ShardError`
    /// naming the offending part otherwise.
    public static func headers(in directory: URL) throws -> [(url: URL, header: ShardPartHeader)] {
        let urls = try files(in: directory)
        guard !urls.isEmpty else {
            throw ShardError("\(directory.path) holds no parts (part-I-of-N.json); run the sweep with --parts \(directory.path)")
        }
        var parts: [(url: URL, header: ShardPartHeader)] = []
        for url in urls {
            let header: ShardPartHeader
            do { header = try decoder.decode(HeaderOnly.self, from: try readInputFile(url)).header } catch let error as IOError {
                throw error
            } catch {
                throw ShardError("\(url.lastPathComponent) is not an ewm-sim part (\(error))")
            }
            guard header.format == ShardPartHeader.formatName else {
                throw ShardError("\(url.lastPathComponent) has format '\(header.format)', this ewm-sim reads '\(ShardPartHeader.formatName)'")
            }
            parts.append((url, header))
        }
        let first = parts[0]
        let name = { (u: URL) in u.lastPathComponent }
        for (url, h) in parts {
            guard h.command == first.header.command else {
                throw ShardError("\(name(url)) is a part of '\(h.command)', \(name(first.url)) of '\(first.header.command)': not one sweep")
            }
            guard h.shards == first.header.shards else {
                throw ShardError(
                    "\(name(url)) is shard \(h.shard)/\(h.shards), \(name(first.url)) is of \(first.header.shards) shards: not one sweep")
            }
            if h.arguments != first.header.arguments {
                throw ShardError(
                    "\(name(url)) was made with other flags than \(name(first.url)) (\(h.arguments.joined(separator: " ")) vs "
                        + "\(first.header.arguments.joined(separator: " "))): not one sweep")
            }
            guard h.totalUnits == first.header.totalUnits else {
                throw ShardError(
                    "\(name(url)) counts \(h.totalUnits) units in the sweep, \(name(first.url)) \(first.header.totalUnits): not one sweep")
            }
            let shard = try Shard(index: h.shard, count: h.shards)
            guard name(url) == shard.partFileName else {
                throw ShardError("\(name(url)) holds shard \(shard) (a copy of \(shard.partFileName)?); a part's name must match its shard")
            }
            guard h.units == shard.units(of: h.totalUnits) else {
                throw ShardError("\(name(url)) covers other units than shard \(shard) of \(h.totalUnits) units does")
            }
        }
        var seen: [Int: URL] = [:]
        for (url, h) in parts {
            if let other = seen[h.shard] {
                throw ShardError("\(name(url)) and \(name(other)) are both shard \(h.shard)/\(h.shards): a duplicated part")
            }
            seen[h.shard] = url
        }
        let count = first.header.shards
        let missing = (0..<count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            let names = missing.prefix(5).map { "part-\($0)-of-\(count).json" }.joined(separator: ", ")
            throw ShardError(
                "\(directory.path) misses \(missing.count) of \(count) parts (\(names)\(missing.count > 5 ? ", ..." : "")); run those shards first")
        }
        return parts.sorted { $0.header.shard < $1.header.shard }
    }

    /// The checked parts of `directory` with their bodies, ordered by shard.
    public static func read<Body: Codable>(_ directory: URL, as _: Body.Type) throws -> [ShardPart<Body>] {
        try headers(in: directory).map { url, _ in
            do { return try decoder.decode(ShardPart<Body>.self, from: try readInputFile(url)) } catch let error as IOError {
                throw error
            } catch {
                throw ShardError("\(url.lastPathComponent): its body is not what its command writes (\(error))")
            }
        }
    }

    /// The per-unit results of parts whose body lists one result per unit of its header, as one table by unit number.
    public static func byUnit<Result: Codable>(_ parts: [ShardPart<[Result]>]) throws -> [Result] {
        guard let total = parts.first?.header.totalUnits else { return [] }
        var table = [Result?](repeating: nil, count: total)
        for part in parts {
            guard part.body.count == part.header.units.count else {
                throw ShardError(
                    "part-\(part.header.shard)-of-\(part.header.shards).json holds \(part.body.count) results for \(part.header.units.count) units")
            }
            for (u, r) in zip(part.header.units, part.body) { table[u] = r }
        }
        let missing = table.filter { $0 == nil }.count
        guard missing == 0 else { throw ShardError("the parts leave \(missing) of \(total) units without a result") }
        return table.map { $0! }
    }
}
