import Foundation
import Parallel

/// N copies of an env stepped together, split across threads, with Gymnasium 1.x's next-step autoreset:
/// when copy i ends (terminated or truncated) at step t, its step t+1 call resets it instead of stepping
/// (the action is ignored) and returns the first observation with reward 0 and both flags false.
public final class VectorEnv {
    public let envs: [any Environment]
    public let threads: Int
    private let pool: WorkerPool
    private var autoreset: [Bool]
    private var episodeSeeds: [UInt64?]

    /// `make(i)` builds copy i. `threads`: worker threads (default: the active processor count).
    public init(count: Int, threads: Int = ProcessInfo.processInfo.activeProcessorCount, make: (Int) throws -> any Environment) rethrows {
        precondition(count > 0, "VectorEnv needs at least one env")
        envs = try (0..<count).map(make)
        self.threads = max(1, min(threads, count))
        pool = WorkerPool(threads: self.threads)
        autoreset = Array(repeating: false, count: count)
        episodeSeeds = Array(repeating: nil, count: count)
    }

    public var count: Int { envs.count }
    public var actionSpace: BoxSpace { envs[0].actionSpace }
    public var observationSpace: BoxSpace { envs[0].observationSpace }

    /// Resets every copy; copy i gets seed `seed + i` (Gymnasium's convention) when a seed is given.
    public func reset(seed: UInt64? = nil) throws -> [(observation: Observation, info: Info)] {
        autoreset = Array(repeating: false, count: count)
        return try parallel { i in try self.envs[i].reset(seed: seed.map { $0 &+ UInt64(i) }) }
    }

    /// Steps every copy with its action (`actions.count == count`).
    public func step(_ actions: [[Double]]) throws -> [StepResult] {
        guard actions.count == count else {
            throw EnvError.invalidAction("expected \(count) actions (one per env), got \(actions.count)")
        }
        for a in actions { try envs[0].validate(action: a) }
        let results: [StepResult] = try parallel { i in
            if self.autoreset[i] {
                let (obs, info) = try self.envs[i].reset(seed: nil)
                return StepResult(observation: obs, reward: 0, terminated: false, truncated: false, info: info)
            }
            return try self.envs[i].step(actions[i])
        }
        for i in 0..<count { autoreset[i] = results[i].done }
        return results
    }

    /// Runs `body(i)` for every copy on the pool's threads, in contiguous chunks; rethrows the first error.
    private func parallel<T>(_ body: @escaping (Int) throws -> T) throws -> [T] {
        var out = [Result<T, Error>?](repeating: nil, count: count)
        let chunks = threads
        let n = count
        out.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            pool.run { c in
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                for i in lo..<hi { base[i] = Result { try body(i) } }
            }
        }
        return try out.map { try $0!.get() }
    }
}
