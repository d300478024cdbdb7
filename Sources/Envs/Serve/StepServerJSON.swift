import Foundation

// JSON of the step server: replies from observations and infos, requests as strictly typed values.

extension Observation {
    /// Nested arrays following the shape.
    public var jsonValue: Any {
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
    public var jsonValue: [String: Any] {
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
public enum JSONValue: Decodable, Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// The numbers of an array of numbers; throws naming `what` otherwise.
    public func numbers(_ what: String) throws -> [Double] {
        guard case .array(let items) = self else { throw StepServerError("\(what) must be an array of numbers") }
        return try items.map {
            guard case .number(let d) = $0 else { throw StepServerError("\(what) must be an array of numbers") }
            return d
        }
    }
}
