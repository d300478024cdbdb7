import Foundation

/// One shard of a sweep: shard `index` (0-based) of `count`. A sweep is a list of units (one (model, element, episode),
/// one collection episode, ...) numbered 0 ..< total; shard I of N does the units u with u mod N == I, so the shards
/// are disjoint, cover the sweep, and the costly units (a slow controller, a long episode) spread over all of them.
///
/// The shard comes from `--shard I/N`, else from the environment of a cluster's array job (`fromEnvironment`):
/// Slurm's `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN` (default 0) over `SLURM_ARRAY_TASK_COUNT`, or a
/// Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` over `EWM_SIM_SHARD_COUNT` (set in the manifest).
public struct Shard: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The whole sweep as one shard.
    public static let whole = Shard(validIndex: 0, count: 1)

    private init(validIndex: Int, count: Int) { index = validIndex; self.count = count }

    /// Throws unless 0 <= index < count.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError("a sweep has at least one shard, got N = \(count)") }
        guard (0..<count).contains(index) else { throw ShardError("shard index \(index) is outside 0..<\(count) (indices are 0-based)") }
        self.init(validIndex: index, count: count)
    }

    /// Parses "I/N" (0-based I, 0 <= I < N).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError("'\(text)' is not a shard I/N (e.g. 0/4: the first of four, 0-based)")
        }
        try self.init(index: i, count: n)
    }

    /// The shard an array job's environment gives, or nil when it gives none (a run of the whole sweep). Slurm first,
    /// then Kubernetes; a variable that is set but malformed or inconsistent throws, naming it.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        func integer(_ name: String) throws -> Int? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let value = Int(raw) else { throw ShardError("\(name)='\(raw)' is not an integer") }
            return value
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            guard let count = try integer("SLURM_ARRAY_TASK_COUNT") else {
                throw ShardError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard I/N")
            }
            let first = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            do { return try Shard(index: task - first, count: count) } catch let error as ShardError {
                throw ShardError(
                    "SLURM_ARRAY_TASK_ID \(task) - SLURM_ARRAY_TASK_MIN \(first) over SLURM_ARRAY_TASK_COUNT \(count): \(error.message) "
                        + "(the array must be contiguous, e.g. --array=0-\(count - 1))")
            }
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let count = try integer("EWM_SIM_SHARD_COUNT") else {
                throw ShardError("JOB_COMPLETION_INDEX is set but EWM_SIM_SHARD_COUNT is not (set it to the Job's completions); pass --shard I/N")
            }
            do { return try Shard(index: index, count: count) } catch let error as ShardError {
                throw ShardError("JOB_COMPLETION_INDEX \(index) over EWM_SIM_SHARD_COUNT \(count): \(error.message)")
            }
        }
        return nil
    }

    /// This shard's units of a sweep of `total` units, in increasing order: u with u mod count == index.
    public func units(of total: Int) -> [Int] { Array(stride(from: index, to: max(total, 0), by: count)) }

    /// Whether unit `u` is this shard's.
    public func owns(_ unit: Int) -> Bool { unit % count == index }

    /// The part's file name in a parts directory: `part-I-of-N.json`.
    public var partFileName: String { "part-\(index)-of-\(count).json" }

    public var description: String { "\(index)/\(count)" }
}

/// A shard that cannot be parsed or does not exist, or parts that do not make one sweep.
public struct ShardError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
