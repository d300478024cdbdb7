import EWMIO
import Envs
import Foundation
import Parallel

/// What a batch does when one of its envs ends an episode.
enum AutoresetMode: Int32 {
    /// Nothing: the caller resets (a single Gymnasium env).
    case disabled = 0
    /// Gymnasium 1.x's default: the step after the end resets that env instead of stepping it (its action is
    /// ignored) and reports the first observation with reward 0 and both flags false.
    case nextStep = 1
}

/// One field of the info rows a batch writes: a scalar (double, int, bool, all written as Double) or a fixed-length
/// array of doubles, at `offset` in an env's row of `BatchEnv.infoWidth` doubles.
struct InfoField {
    enum Kind: Int32 { case double = 0, int = 1, bool = 2, doubles = 3 }
    let name: String
    let kind: Kind
    let offset: Int
    let length: Int
}

/// The caller's buffers for one reset or step of the whole batch (rows of `count` envs; nil: not wanted).
struct BatchBuffers {
    var observations: UnsafeMutableRawPointer?
    var rewards: UnsafeMutablePointer<Double>?
    var terminated: UnsafeMutablePointer<UInt8>?
    var truncated: UnsafeMutablePointer<UInt8>?
    var info: UnsafeMutablePointer<Double>?
    var infoPresent: UnsafeMutablePointer<UInt8>?
}

/// N envs of one registered id with the same options, reset and stepped together (split over a worker pool when
/// there is more than one env and more than one thread), reading actions from and writing results into caller
/// buffers. The C ABI (`EWMSimC.swift`) is a thin layer over this class.
final class BatchEnv {
    let id: String
    let envs: [any Environment]
    let observationSpace: BoxSpace
    let actionSpace: BoxSpace
    let spec: EnvSpec
    let autoreset: AutoresetMode
    let infoFields: [InfoField]
    let infoWidth: Int
    let threads: Int
    /// Bytes of one env's observation.
    let observationStride: Int
    private let pool: WorkerPool?
    /// One action array per env, overwritten in place each step (no allocation once the envs have returned them).
    private var actionScratch: [[Double]]
    /// True until env i has been reset once.
    private var neverReset: [Bool]
    /// Next-step autoreset: env i ended at the last step and resets at the next.
    private var pendingReset: [Bool]
    private var errors: [(any Error)?]

    /// `maxEpisodeSteps`: nil the registry's time limit, 0 none, n > 0 a limit of n steps.
    init(id: String, count: Int, options: MakeOptions, maxEpisodeSteps: Int?, autoreset: AutoresetMode, threads: Int) throws {
        guard count > 0 else { throw EnvError.invalidArgument("num_envs must be at least 1, got \(count)") }
        guard count <= 1 << 20 else { throw EnvError.invalidArgument("num_envs must be at most \(1 << 20), got \(count)") }
        let registration = try Registry.registration(id)
        for key in options.extra.keys.sorted() where !registration.extraOptions.contains(key) {
            let known = registration.extraOptions.isEmpty ? "none" : registration.extraOptions.joined(separator: ", ")
            throw EnvError.invalidArgument("\(id) has no option '\(key)' (its options: \(known))")
        }
        func make() throws -> any Environment {
            var o = options
            if let limit = maxEpisodeSteps {
                o.timeLimit = false
                let env = try Registry.make(id, options: o)
                return limit > 0 ? TimeLimit(env, maxSteps: limit) : env
            }
            o.timeLimit = true
            return try Registry.make(id, options: o)
        }
        guard maxEpisodeSteps.map({ $0 >= 0 }) ?? true else { throw EnvError.invalidArgument("max_episode_steps must be >= 0") }
        envs = try (0..<count).map { _ in try make() }
        self.id = id
        observationSpace = envs[0].observationSpace
        actionSpace = envs[0].actionSpace
        spec = envs[0].spec
        self.autoreset = autoreset
        observationStride = observationSpace.count * (observationSpace.dtype == .uint8 ? 1 : 8)
        (infoFields, infoWidth) = try Self.infoSchema(try make(), actionSpace: actionSpace)
        self.threads = max(1, min(threads, count))
        pool = self.threads > 1 ? WorkerPool(threads: self.threads) : nil
        let midpoint = zip(actionSpace.low, actionSpace.high).map { ($0 + $1) / 2 }
        actionScratch = Array(repeating: midpoint, count: count)
        neverReset = Array(repeating: true, count: count)
        pendingReset = Array(repeating: false, count: count)
        errors = Array(repeating: nil, count: count)
    }

    var count: Int { envs.count }

    /// The info fields of a scratch env: the keys of its reset info, then new keys of one step's (in order).
    private static func infoSchema(_ env: any Environment, actionSpace: BoxSpace) throws -> ([InfoField], Int) {
        var infos = [try env.reset(seed: 0).info]
        let midpoint = zip(actionSpace.low, actionSpace.high).map { ($0 + $1) / 2 }
        if let step = try? env.step(midpoint) { infos.append(step.info) }
        var fields: [InfoField] = []
        var width = 0
        for info in infos {
            for (key, value) in info.entries where !fields.contains(where: { $0.name == key }) {
                let kind: InfoField.Kind
                var length = 1
                switch value {
                case .double: kind = .double
                case .int: kind = .int
                case .bool: kind = .bool
                case .doubles(let v):
                    kind = .doubles
                    length = v.count
                }
                fields.append(InfoField(name: key, kind: kind, offset: width, length: length))
                width += length
            }
        }
        return (fields, width)
    }

    // MARK: Reset and step

    /// Resets env i where `mask[i] != 0` (every env when nil), with `seeds[i]` where `hasSeed[i] != 0` (every seed
    /// when `hasSeed` is nil) and from `states[i * stateLength ..< ...]` where `hasState[i] != 0` (every env's state
    /// when `hasState` is nil). Writes the reset envs' observation and info rows; clears their pending autoreset.
    func reset(
        mask: UnsafePointer<UInt8>?, seeds: UnsafePointer<UInt64>?, hasSeed: UnsafePointer<UInt8>?,
        states: UnsafePointer<Double>?, stateLength: Int, hasState: UnsafePointer<UInt8>?, buffers: BatchBuffers
    ) throws {
        if states != nil, stateLength < 0 { throw EnvError.invalidArgument("state length must be >= 0") }
        if let states {
            for i in 0..<count where (mask.map { $0[i] != 0 } ?? true) && (hasState.map { $0[i] != 0 } ?? true) {
                for j in 0..<stateLength where !states[i * stateLength + j].isFinite {
                    throw EnvError.invalidState("env \(i): element \(j) is \(states[i * stateLength + j]); states must be finite")
                }
            }
        }
        let envs = self.envs
        try parallel { i, pending, _ in
            if let mask, mask[i] == 0 { return }
            let seed: UInt64? = seeds.flatMap { s in (hasSeed.map { $0[i] != 0 } ?? true) ? s[i] : nil }
            var options = ResetOptions()
            if let states, hasState.map({ $0[i] != 0 }) ?? true {
                options.state = Array(UnsafeBufferPointer(start: states + i * stateLength, count: stateLength))
            }
            let (observation, info) = try envs[i].reset(seed: seed, options: options)
            pending[i] = false
            try self.write(observation: observation, info: info, reward: 0, terminated: false, truncated: false, row: i, into: buffers)
        }
        if let mask {
            for i in 0..<count where mask[i] != 0 { neverReset[i] = false }
        } else {
            for i in 0..<count { neverReset[i] = false }
        }
    }

    /// Checks every env's action (`actionLength` values each, all finite) before any env moves: a rejected batch
    /// leaves every env as it was.
    func validate(actions: UnsafePointer<Double>, actionLength: Int) throws {
        guard actionLength == actionSpace.count else {
            throw EnvError.invalidAction("expected \(actionSpace.count) values per env, got \(actionLength)")
        }
        for i in 0..<(count * actionLength) where !actions[i].isFinite {
            let prefix = count > 1 ? "env \(i / actionLength), " : ""
            throw EnvError.invalidAction("\(prefix)element \(i % actionLength) is \(actions[i]); actions must be finite")
        }
        if let i = neverReset.firstIndex(of: true) {
            throw EnvError.needsReset(count > 1 ? "env \(i) has not been reset; call reset before step" : "call reset before step")
        }
    }

    /// Steps every env with its row of `actions` (next-step autoreset: an env that ended at the last step is reset
    /// instead). Writes observations, rewards, flags and info rows.
    func step(actions: UnsafePointer<Double>, actionLength: Int, buffers: BatchBuffers) throws {
        try validate(actions: actions, actionLength: actionLength)
        let envs = self.envs
        let nextStep = autoreset == .nextStep
        try actionScratch.withUnsafeMutableBufferPointer { scratch in
            let scratch = scratch.baseAddress!
            try parallel { i, pending, _ in
                if pending[i] {
                    pending[i] = false
                    let (observation, info) = try envs[i].reset(seed: nil, options: ResetOptions())
                    try self.write(observation: observation, info: info, reward: 0, terminated: false, truncated: false, row: i, into: buffers)
                    return
                }
                for j in 0..<actionLength { scratch[i][j] = actions[i * actionLength + j] }
                let r = try envs[i].step(scratch[i])
                if nextStep && (r.terminated || r.truncated) { pending[i] = true }
                try self.write(
                    observation: r.observation, info: r.info, reward: r.reward, terminated: r.terminated, truncated: r.truncated, row: i,
                    into: buffers)
            }
        }
    }

    /// Runs `body(i, pendingReset, errors)` for every env, in contiguous chunks on the pool's threads (inline for one
    /// thread); throws the first env's error, if any, after all have run.
    private func parallel(_ body: (Int, UnsafeMutablePointer<Bool>, UnsafeMutablePointer<(any Error)?>) throws -> Void) throws {
        let n = count, chunks = threads
        try withoutActuallyEscaping(body) { body in
            try pendingReset.withUnsafeMutableBufferPointer { pending in
                try errors.withUnsafeMutableBufferPointer { errors in
                    let p = pending.baseAddress!, e = errors.baseAddress!
                    let run: (Int) -> Void = { c in
                        for i in (c * n / chunks)..<((c + 1) * n / chunks) {
                            do { try body(i, p, e) } catch { e[i] = error }
                        }
                    }
                    if let pool { pool.run(run) } else { run(0) }
                    if let first = errors.firstIndex(where: { $0 != nil }) {
                        let error = errors[first]!
                        for i in 0..<n { e[i] = nil }
                        throw error
                    }
                }
            }
        }
    }

    // MARK: Writing results

    private func write(
        observation: Observation, info: Info, reward: Double, terminated: Bool, truncated: Bool, row i: Int, into b: BatchBuffers
    ) throws {
        if let out = b.observations {
            guard observation.shape == observationSpace.shape else {
                throw EnvError.invalidArgument("env \(i) returned an observation of shape \(observation.shape), not \(observationSpace.shape)")
            }
            let destination = out + i * observationStride
            switch (observation.storage, observationSpace.dtype) {
            case (.float64(let v), .float64):
                v.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            case (.uint8(let v), .uint8):
                v.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            default:
                throw EnvError.invalidArgument("env \(i) returned \(observation.dtype) observations, not \(observationSpace.dtype)")
            }
        }
        b.rewards?[i] = reward
        b.terminated?[i] = terminated ? 1 : 0
        b.truncated?[i] = truncated ? 1 : 0
        if let out = b.info, let present = b.infoPresent {
            write(info: info, row: out + i * infoWidth, present: present + i * infoFields.count)
        }
    }

    /// Writes the schema's fields of `info` (present[k] = 1) and marks the others absent (present[k] = 0, NaN).
    private func write(info: Info, row: UnsafeMutablePointer<Double>, present: UnsafeMutablePointer<UInt8>) {
        for k in infoFields.indices { present[k] = 0 }
        for (j, entry) in info.entries.enumerated() {
            // Infos keep their key order, so the field at the entry's own index is usually the one.
            let k: Int
            if j < infoFields.count && infoFields[j].name == entry.key {
                k = j
            } else if let found = infoFields.firstIndex(where: { $0.name == entry.key }) {
                k = found
            } else {
                continue
            }
            let field = infoFields[k]
            switch (field.kind, entry.value) {
            case (.doubles, .doubles(let v)) where v.count == field.length:
                for m in 0..<v.count { row[field.offset + m] = v[m] }
            case (.doubles, _), (_, .doubles): continue  // a different shape than the schema's: reported absent
            case (_, .double(let d)): row[field.offset] = d
            case (_, .int(let n)): row[field.offset] = Double(n)
            case (_, .bool(let flag)): row[field.offset] = flag ? 1 : 0
            }
            present[k] = 1
        }
        for (k, field) in infoFields.enumerated() where present[k] == 0 {
            for m in 0..<field.length { row[field.offset + m] = .nan }
        }
    }

    /// Env i's picture, `height x width x 3` bytes into `out`; false when the env cannot draw itself.
    func render(index i: Int, width: Int, height: Int, into out: UnsafeMutablePointer<UInt8>) throws -> Bool {
        guard (0..<count).contains(i) else { throw EnvError.invalidArgument("env index \(i) is outside 0..<\(count)") }
        guard width >= 1, height >= 1, width <= 8192, height <= 8192 else {
            throw EnvError.invalidArgument("render size must be 1...8192 by 1...8192, got \(width) x \(height)")
        }
        guard let image = envs[i].render(width: width, height: height) else { return false }
        guard image.width == width, image.height == height else {
            throw EnvError.invalidArgument("the env drew \(image.width) x \(image.height), not \(width) x \(height)")
        }
        image.pixels.withUnsafeBytes { out.update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: width * height * 3) }
        return true
    }
}
