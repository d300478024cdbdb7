import ArgumentParser
import Envs
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A JSON-lines step server on stdin/stdout, so any language can drive an env.",
        discussion: """
            One request per line, one reply per line:
              {"reset": {"seed": 3}}   {"reset": {"state": [ax, ay, bx, by, angle]}}   {"step": [x, y]}   {"close": true}
            Replies carry obs, reward, terminated, truncated and info; a bad request gets {"error": "..."} and the
            server keeps going.
            """)

    @Argument(help: "Env id (see `ewm-sim list`).")
    var env: String
    @OptionGroup var world: WorldOptions

    func run() throws {
        let environment = try Registry.make(env, options: world.makeOptions())
        let server = StepServer(env: environment)
        while let line = readLine(strippingNewline: true) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let (reply, close) = server.handle(line)
            print(reply)
            fflush(nil)  // every output stream (Swift 6: the C global `stdout` is not concurrency-safe to name)
            if close { break }
        }
    }
}

/// Turns one JSON request line into one JSON reply line.
final class StepServer {
    let env: any Environment
    init(env: any Environment) { self.env = env }

    func handle(_ line: String) -> (reply: String, close: Bool) {
        do {
            guard let request = try? JSONDecoder().decode([String: JSONValue].self, from: Data(line.utf8)) else {
                throw CLIError("request is not a JSON object (numbers must be finite)")
            }
            guard request.count == 1, let (verb, argument) = request.first else {
                throw CLIError("a request has exactly one of: reset, step, close")
            }
            switch verb {
            case "reset":
                var seed: UInt64?
                var options = ResetOptions()
                if case .object(let args) = argument {
                    if let s = args["seed"] {
                        guard case .number(let n) = s, let v = UInt64(exactly: n) else { throw CLIError("seed must be a non-negative integer") }
                        seed = v
                    }
                    if let s = args["state"] { options.state = try s.numbers("state") }
                } else if argument != .null {
                    throw CLIError("reset takes an object: {\"seed\": 3} or {\"state\": [...]}")
                }
                let (obs, info) = try env.reset(seed: seed, options: options)
                return (encode(["obs": obs.jsonValue, "info": info.jsonValue]), false)
            case "step":
                let r = try env.step(try argument.numbers("step"))
                return (encode([
                    "obs": r.observation.jsonValue, "reward": r.reward, "terminated": r.terminated,
                    "truncated": r.truncated, "info": r.info.jsonValue,
                ]), false)
            case "close":
                return (encode(["closed": true]), true)
            default:
                throw CLIError("unknown request '\(verb)'; use reset, step or close")
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

extension Observation {
    /// Nested arrays following the shape.
    var jsonValue: Any {
        let flat: [Any] = {
            switch storage {
            case .float64(let v): return v
            case .uint8(let v): return v.map { Int($0) }
            }
        }()
        func nest(_ items: ArraySlice<Any>, _ dims: ArraySlice<Int>) -> Any {
            guard dims.count > 1, let first = dims.first, first > 0 else { return Array(items) }
            let inner = items.count / first
            return (0..<first).map { nest(items[(items.startIndex + $0 * inner)..<(items.startIndex + ($0 + 1) * inner)], dims.dropFirst()) }
        }
        return nest(flat[...], shape[...])
    }
}

extension Info {
    var jsonValue: [String: Any] {
        var out: [String: Any] = [:]
        for key in keys {
            switch self[key] {
            case .double(let d): out[key] = d
            case .int(let i): out[key] = i
            case .bool(let b): out[key] = b
            case .doubles(let v): out[key] = v
            case nil: break
            }
        }
        return out
    }
}

/// A parsed JSON value (strictly typed: a number is never a bool).
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func numbers(_ what: String) throws -> [Double] {
        guard case .array(let items) = self else { throw CLIError("\(what) must be an array of numbers") }
        return try items.map {
            guard case .number(let d) = $0 else { throw CLIError("\(what) must be an array of numbers") }
            return d
        }
    }
}
