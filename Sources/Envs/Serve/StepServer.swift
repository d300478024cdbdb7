import Foundation

/// A request the step server cannot serve (its message goes back as `{"error": ...}`).
public struct StepServerError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The JSON-lines step protocol that lets any language drive an env, one request per line, one reply per line:
/// `{"reset": {"seed": 3}}`, `{"reset": {"state": [...]}}`, `{"step": [x, y]}`, `{"close": true}`. Replies carry
/// obs, reward, terminated, truncated and info (keys sorted).
/// Turns one JSON request line into one JSON reply line.
public final class StepServer {
    public let env: any Environment
    public init(env: any Environment) { self.env = env }

    /// The reply to one request line, and whether the client asked to close. A bad request gets
    /// `{"error": "..."}`; the server keeps going.
    public func handle(_ line: String) -> (reply: String, close: Bool) {
        do {
            guard let request = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8)) else {
                throw StepServerError("request is not a JSON object (numbers must be finite)")
            }
            guard request.count == 1, let (verb, argument) = request.first else {
                throw StepServerError("a request has exactly one of: reset, step, close")
            }
            switch verb {
            case "reset":
                var seed: UInt64?
                var options = ResetOptions()
                if case .object(let args) = argument {
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
                return (encode(["obs": obs.jsonValue, "info": info.jsonValue]), false)
            case "step":
                let r = try env.step(try argument.numbers("step"))
                return (
                    encode([
                        "obs": r.observation.jsonValue, "reward": r.reward, "terminated": r.terminated,
                        "truncated": r.truncated, "info": r.info.jsonValue,
                    ]), false
                )
            case "close":
                return (encode(["closed": true]), true)
            default:
                throw StepServerError("unknown request '\(verb)'; use reset, step or close")
            }
        } catch {
            return (encode(["error": "\(error)"]), false)
        }
    }

    private func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return #"{"error":"reply could not be encoded (non-finite number)"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}
