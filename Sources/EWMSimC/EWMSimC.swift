import EWMIO
import Envs
import Foundation

// The C ABI over the env layer (declared in `ewm_sim.h` beside this file): N envs of any registered id, reset and
// stepped in one call, reading actions from and writing observations, rewards, flags and info into caller buffers.
// Every function returns a status (EWM_OK = 0 or an error code) and never traps on bad input: the message of the
// last error on the calling thread is `ewm_last_error`. A rejected action leaves every env as it was.

/// Status codes (`EWM_*` in ewm_sim.h).
enum Status: Int32 {
    case ok = 0
    case invalidArgument = 1
    case unknownEnvironment = 2
    case invalidAction = 3
    case invalidState = 4
    case needsReset = 5
    case unsupported = 6
    case bufferTooSmall = 7
    case `internal` = 8
}

/// The version of this ABI; a binding refuses a library of another version.
let abiVersion: Int32 = 1

private let errorKey = "ewm-sim.c-abi.last-error"

/// Records `message` as the calling thread's last error and returns `status`.
private func fail(_ status: Status, _ message: String) -> Int32 {
    Thread.current.threadDictionary[errorKey] = message
    return status.rawValue
}

/// Runs `body`, mapping a thrown error to its status and message.
private func guarded(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return Status.ok.rawValue
    } catch let error as EnvError {
        switch error {
        case .invalidAction: return fail(.invalidAction, error.description)
        case .invalidState: return fail(.invalidState, error.description)
        case .unknownEnvironment: return fail(.unknownEnvironment, error.description)
        case .invalidArgument: return fail(.invalidArgument, error.description)
        case .needsReset: return fail(.needsReset, error.description)
        }
    } catch let error as CABIError {
        return fail(error.status, error.message)
    } catch {
        return fail(.internal, "\(error)")
    }
}

struct CABIError: Error {
    let status: Status
    let message: String
}

/// Copies `text` (UTF-8, NUL-terminated, cut to fit) into `buffer` of `capacity` bytes; returns the full length in
/// bytes without the NUL, so a caller can retry with a larger buffer.
private func copy(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int64) -> Int64 {
    let bytes = Array(text.utf8)
    if let buffer, capacity > 0 {
        let n = min(bytes.count, Int(capacity) - 1)
        for i in 0..<n { buffer[i] = CChar(bitPattern: bytes[i]) }
        buffer[n] = 0
    }
    return Int64(bytes.count)
}

private func batch(_ handle: UnsafeMutableRawPointer?) throws -> BatchEnv {
    guard let handle else { throw CABIError(status: .invalidArgument, message: "null env handle") }
    return Unmanaged<BatchEnv>.fromOpaque(handle).takeUnretainedValue()
}

private func string(_ pointer: UnsafePointer<CChar>?, _ what: String) throws -> String {
    guard let pointer else { throw CABIError(status: .invalidArgument, message: "\(what) is null") }
    return String(cString: pointer)
}

// MARK: Version, errors, registry

@_cdecl("ewm_abi_version")
public func ewm_abi_version() -> Int32 { abiVersion }

/// The calling thread's last error message into `buffer`; returns its full length (0: none).
@_cdecl("ewm_last_error")
public func ewm_last_error(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    copy(Thread.current.threadDictionary[errorKey] as? String ?? "", to: buffer, capacity: capacity)
}

/// The registered ids, one a line, into `buffer`; returns the full length.
@_cdecl("ewm_registry_ids")
public func ewm_registry_ids(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64) -> Int64 {
    copy(Registry.ids.joined(separator: "\n"), to: buffer, capacity: capacity)
}

/// Facts of env `id` as `key=value` lines (id, summary, observation_types, options, max_episode_steps, control_hz,
/// renders) into `buffer`; `*length` gets the full length. Builds the env once (canonical, default options).
@_cdecl("ewm_registry_describe")
public func ewm_registry_describe(
    _ id: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int64, _ length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    guarded {
        let id = try string(id, "id")
        let registration = try Registry.registration(id)
        let env = try Registry.make(id)
        _ = try env.reset(seed: 0)
        let renders = env.render(width: 8, height: 8) != nil
        let lines = [
            "id=\(id)",
            "summary=\(registration.summary.replacingOccurrences(of: "\n", with: " "))",
            "observation_types=\(registration.observationTypes.joined(separator: ","))",
            "options=\(registration.extraOptions.joined(separator: ","))",
            "max_episode_steps=\(env.spec.maxEpisodeSteps.map(String.init) ?? "")",
            "control_hz=\(env.spec.controlHz.map { "\($0)" } ?? "")",
            "renders=\(renders ? 1 : 0)",
        ]
        let n = copy(lines.joined(separator: "\n"), to: buffer, capacity: capacity)
        length?.pointee = n
    }
}

// MARK: Create and destroy

/// Creates `count` envs of `id`. `observation`: an observation type name or null (the env's default);
/// `rotation`: "frame", "world" or null (frame); extras: `extraCount` key/value strings from the env's options
/// (any other key is an error); `maxEpisodeSteps`: -1 the registry's limit, 0 none, n > 0 a limit of n steps;
/// `autoreset`: 0 disabled, 1 next step (Gymnasium's default); `threads`: worker threads (0: one per core).
@_cdecl("ewm_create")
public func ewm_create(
    _ id: UnsafePointer<CChar>?, _ count: Int32, _ observation: UnsafePointer<CChar>?, _ orientation: Double,
    _ rotation: UnsafePointer<CChar>?, _ extraKeys: UnsafePointer<UnsafePointer<CChar>?>?,
    _ extraValues: UnsafePointer<UnsafePointer<CChar>?>?, _ extraCount: Int32, _ maxEpisodeSteps: Int32, _ autoreset: Int32,
    _ threads: Int32, _ handle: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 {
    guarded {
        guard let handle else { throw CABIError(status: .invalidArgument, message: "handle out-pointer is null") }
        handle.pointee = nil
        let id = try string(id, "id")
        var options = MakeOptions()
        options.observation = observation.map { String(cString: $0) }
        guard orientation.isFinite else { throw EnvError.invalidArgument("orientation must be finite, got \(orientation)") }
        options.orientation = orientation
        if let rotation {
            let name = String(cString: rotation)
            guard let build = RotationBuild(rawValue: name) else {
                throw EnvError.invalidArgument("rotation must be frame or world, got '\(name)'")
            }
            options.rotation = build
        }
        if extraCount > 0 {
            guard let extraKeys, let extraValues else { throw CABIError(status: .invalidArgument, message: "option arrays are null") }
            for k in 0..<Int(extraCount) {
                options.extra[try string(extraKeys[k], "option key")] = try string(extraValues[k], "option value")
            }
        }
        guard let mode = AutoresetMode(rawValue: autoreset) else {
            throw EnvError.invalidArgument("autoreset must be 0 (disabled) or 1 (next step), got \(autoreset)")
        }
        guard maxEpisodeSteps >= -1 else { throw EnvError.invalidArgument("max_episode_steps must be -1, 0 or positive") }
        guard threads >= 0 else { throw EnvError.invalidArgument("threads must be >= 0") }
        let batch = try BatchEnv(
            id: id, count: Int(count), options: options, maxEpisodeSteps: maxEpisodeSteps < 0 ? nil : Int(maxEpisodeSteps), autoreset: mode,
            threads: threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : Int(threads))
        handle.pointee = Unmanaged.passRetained(batch).toOpaque()
    }
}

/// Frees the envs (null is ignored).
@_cdecl("ewm_destroy")
public func ewm_destroy(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    Unmanaged<BatchEnv>.fromOpaque(handle).release()
}

// MARK: Spaces and info schema

/// Env count, observation bytes per env, info width (doubles per env) and info field count of a batch.
@_cdecl("ewm_layout")
public func ewm_layout(
    _ handle: UnsafeMutableRawPointer?, _ count: UnsafeMutablePointer<Int64>?, _ observationBytes: UnsafeMutablePointer<Int64>?,
    _ infoWidth: UnsafeMutablePointer<Int64>?, _ infoFields: UnsafeMutablePointer<Int64>?
) -> Int32 {
    guarded {
        let b = try batch(handle)
        count?.pointee = Int64(b.count)
        observationBytes?.pointee = Int64(b.observationStride)
        infoWidth?.pointee = Int64(b.infoWidth)
        infoFields?.pointee = Int64(b.infoFields.count)
    }
}

/// One env's observation (`which` = 0) or action (1) space: dtype (0 float64, 1 uint8), rank, shape (up to
/// `shapeCapacity` dims) and element count.
@_cdecl("ewm_space")
public func ewm_space(
    _ handle: UnsafeMutableRawPointer?, _ which: Int32, _ dtype: UnsafeMutablePointer<Int32>?, _ rank: UnsafeMutablePointer<Int32>?,
    _ shape: UnsafeMutablePointer<Int64>?, _ shapeCapacity: Int32, _ count: UnsafeMutablePointer<Int64>?
) -> Int32 {
    guarded {
        let space = try space(of: try batch(handle), which)
        dtype?.pointee = space.dtype == .uint8 ? 1 : 0
        rank?.pointee = Int32(space.shape.count)
        count?.pointee = Int64(space.count)
        if let shape {
            guard space.shape.count <= Int(shapeCapacity) else {
                throw CABIError(status: .bufferTooSmall, message: "the space has rank \(space.shape.count), the shape buffer holds \(shapeCapacity)")
            }
            for (k, d) in space.shape.enumerated() { shape[k] = Int64(d) }
        }
    }
}

/// The space's bounds, `count` doubles each, exactly as the env declares them.
@_cdecl("ewm_space_bounds")
public func ewm_space_bounds(
    _ handle: UnsafeMutableRawPointer?, _ which: Int32, _ low: UnsafeMutablePointer<Double>?, _ high: UnsafeMutablePointer<Double>?
) -> Int32 {
    guarded {
        let space = try space(of: try batch(handle), which)
        for i in 0..<space.count {
            low?[i] = space.low[i]
            high?[i] = space.high[i]
        }
    }
}

private func space(of b: BatchEnv, _ which: Int32) throws -> BoxSpace {
    switch which {
    case 0: return b.observationSpace
    case 1: return b.actionSpace
    default: throw EnvError.invalidArgument("space must be 0 (observation) or 1 (action), got \(which)")
    }
}

/// Info field `index`: its name into `name`, kind (0 double, 1 int, 2 bool, 3 array of doubles), offset and length
/// in an env's info row.
@_cdecl("ewm_info_field")
public func ewm_info_field(
    _ handle: UnsafeMutableRawPointer?, _ index: Int64, _ name: UnsafeMutablePointer<CChar>?, _ capacity: Int64,
    _ kind: UnsafeMutablePointer<Int32>?, _ offset: UnsafeMutablePointer<Int64>?, _ length: UnsafeMutablePointer<Int64>?
) -> Int32 {
    guarded {
        let b = try batch(handle)
        guard (0..<Int64(b.infoFields.count)).contains(index) else {
            throw EnvError.invalidArgument("info field \(index) is outside 0..<\(b.infoFields.count)")
        }
        let field = b.infoFields[Int(index)]
        guard copy(field.name, to: name, capacity: capacity) < capacity else {
            throw CABIError(status: .bufferTooSmall, message: "info field name '\(field.name)' needs \(field.name.utf8.count + 1) bytes")
        }
        kind?.pointee = field.kind.rawValue
        offset?.pointee = Int64(field.offset)
        length?.pointee = Int64(field.length)
    }
}

// MARK: Reset, step, render

/// Resets the envs selected by `mask` (null: all) with `seeds` where `hasSeed` (null: all seeds given; null `seeds`:
/// none) and from `states` (`stateLength` doubles per env) where `hasState` (null: every selected env; null
/// `states`: none). Writes the reset envs' rows of `observations` and `info`/`infoPresent` (either may be null).
@_cdecl("ewm_reset")
public func ewm_reset(
    _ handle: UnsafeMutableRawPointer?, _ mask: UnsafePointer<UInt8>?, _ seeds: UnsafePointer<UInt64>?, _ hasSeed: UnsafePointer<UInt8>?,
    _ states: UnsafePointer<Double>?, _ stateLength: Int64, _ hasState: UnsafePointer<UInt8>?, _ observations: UnsafeMutableRawPointer?,
    _ info: UnsafeMutablePointer<Double>?, _ infoPresent: UnsafeMutablePointer<UInt8>?
) -> Int32 {
    guarded {
        try batch(handle).reset(
            mask: mask, seeds: seeds, hasSeed: hasSeed, states: states, stateLength: Int(stateLength), hasState: hasState,
            buffers: BatchBuffers(observations: observations, info: info, infoPresent: infoPresent))
    }
}

/// Steps every env with its row of `actions` (`actionLength` doubles per env; checked for size and finiteness
/// before any env moves). Writes `observations`, `rewards`, `terminated`, `truncated` (bytes 0/1) and the info rows;
/// any output may be null.
@_cdecl("ewm_step")
public func ewm_step(
    _ handle: UnsafeMutableRawPointer?, _ actions: UnsafePointer<Double>?, _ actionLength: Int64, _ observations: UnsafeMutableRawPointer?,
    _ rewards: UnsafeMutablePointer<Double>?, _ terminated: UnsafeMutablePointer<UInt8>?, _ truncated: UnsafeMutablePointer<UInt8>?,
    _ info: UnsafeMutablePointer<Double>?, _ infoPresent: UnsafeMutablePointer<UInt8>?
) -> Int32 {
    guarded {
        guard let actions else { throw CABIError(status: .invalidArgument, message: "actions is null") }
        try batch(handle).step(
            actions: actions, actionLength: Int(actionLength),
            buffers: BatchBuffers(
                observations: observations, rewards: rewards, terminated: terminated, truncated: truncated, info: info, infoPresent: infoPresent))
    }
}

/// Env `index`'s picture, `height x width x 3` RGB bytes into `pixels`; EWM_UNSUPPORTED when the env cannot draw.
@_cdecl("ewm_render")
public func ewm_render(
    _ handle: UnsafeMutableRawPointer?, _ index: Int64, _ width: Int32, _ height: Int32, _ pixels: UnsafeMutablePointer<UInt8>?
) -> Int32 {
    guarded {
        guard let pixels else { throw CABIError(status: .invalidArgument, message: "pixel buffer is null") }
        let b = try batch(handle)
        guard try b.render(index: Int(index), width: Int(width), height: Int(height), into: pixels) else {
            throw CABIError(status: .unsupported, message: "\(b.id) cannot render a picture")
        }
    }
}
