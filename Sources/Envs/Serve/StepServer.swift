import Foundation

/// A request the step server cannot serve (its message goes back as `{"error": ...}`).
public struct StepServerError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The JSON-lines step protocol that lets any language drive an env, one request per line, one reply per line:
/// `{"reset": {"seed": 3}}`, `{"reset": {"state": [...]}}`, `{"step": [x, y]}`, `{"spaces": true}`, `{"close": true}`.
/// Replies carry obs, reward, terminated, truncated and info (keys sorted); `spaces` replies with the action and
/// observation spaces in `SpaceDescription`'s machine-readable form.
///
/// Every line gets exactly one reply, a blank or malformed one too (`{"error": "..."}`), so a client that waits for
/// one reply per line never hangs. Unknown keys (a second verb, a misspelt `"sed"` in reset's object) are errors, not
/// ignored. A reply never carries a non-finite number: the built-in envs reject steps that would produce one; should
/// an env produce one anyway, the reply is an error and steps are refused until the next reset.
public final class StepServer {
    public let env: any Environment
    /// Set when the env produced a non-finite number: steps are refused until a reset succeeds.
    public private(set) var needsReset = false
    public init(env: any Environment) { self.env = env }

    /// The reply to one request line, and whether the client asked to close. A bad request gets
    /// `{"error": "..."}`; the server keeps going.
    public func handle(_ line: String) -> (reply: String, close: Bool) {
        do {
            if line.allSatisfy({ $0.isWhitespace }) {
                throw StepServerError("empty request line; send one JSON object per line: reset, step, spaces or close")
            }
            guard let request = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8)) else {
                throw StepServerError("request is not a JSON object (numbers must be finite)")
            }
            guard request.count == 1, let (verb, argument) = request.first else {
                let keys = request.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
                throw StepServerError("a request has exactly one of: reset, step, spaces, close (got \(request.isEmpty ? "none" : keys))")
            }
            switch verb {
            case "reset":
                var seed: UInt64?
                var options = ResetOptions()
                if case .object(let args) = argument {
                    if let unknown = args.keys.sorted().first(where: { $0 != "seed" && $0 != "state" }) {
                        throw StepServerError("unknown key '\(unknown)' in reset; it takes seed and state")
                    }
                    if let s = args["seed"] {
                        guard case .number(let n) = s, let v = UInt64(exactly: n) else {
                            throw StepServerError("seed must be a non-negative integer")
                        }
                        seed = v
                    }
                    if let s = args["state"] { options.state = try s.numbers("state") }
                } else if argument != .null {
                    throw StepServerError("reset takes an object: {\"seed\": 3} or {\"state\": [...]}")
                }
                let (obs, info) = try env.reset(seed: seed, options: options)
                guard obs.isFinite && info.isFinite else {
                    needsReset = true
                    throw StepServerError("the env's reset gave a non-finite observation or info; reset again")
                }
                needsReset = false
                return (try encode(["obs": obs.jsonValue, "info": info.jsonValue]), false)
            case "step":
                let action = try argument.numbers("step")
                if needsReset { throw StepServerError("the env produced a non-finite number earlier; reset before stepping") }
                let r = try env.step(action)
                guard r.observation.isFinite && r.reward.isFinite && r.info.isFinite else {
                    needsReset = true
                    throw StepServerError("the step gave a non-finite observation, reward or info; reset before stepping again")
                }
                return (
                    try encode([
                        "obs": r.observation.jsonValue, "reward": r.reward, "terminated": r.terminated,
                        "truncated": r.truncated, "info": r.info.jsonValue,
                    ]), false
                )
            case "spaces":
                guard argument == .bool(true) || argument == .null else { throw StepServerError("spaces takes true: {\"spaces\": true}") }
                return (
                    try encode([
                        "action": SpaceDescription(env.actionSpace).jsonValue, "observation": SpaceDescription(env.observationSpace).jsonValue,
                    ]), false
                )
            case "close":
                guard argument == .bool(true) || argument == .null else { throw StepServerError("close takes true: {\"close\": true}") }
                return (try encode(["closed": true]), true)
            default:
                throw StepServerError("unknown request '\(verb)'; use reset, step, spaces or close")
            }
        } catch {
            return ((try? encode(["error": "\(error)"])) ?? #"{"error":"the error could not be encoded"}"#, false)
        }
    }

    private func encode(_ object: [String: Any]) throws -> String {
        guard JSONSerialization.isValidJSONObject(object),
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        else {
            throw StepServerError("reply could not be encoded (non-finite number)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
