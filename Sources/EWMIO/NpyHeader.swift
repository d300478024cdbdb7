import Foundation

/// The three fields of an `.npy` header dict, parsed from its Python-literal text.
struct NpyHeader: Equatable {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }` (any key order,
    /// either quote style, optional trailing commas, Python 2 `3L` integers).
    /// - Throws: `IOError.malformedHeader` naming `path` and what was wrong,
    ///   `IOError.unsupportedDType` for structured (list) descriptors.
    static func parse(_ text: String, path: String) throws -> NpyHeader {
        var parser = LiteralParser(text: Array(text.unicodeScalars), path: path)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.atEnd else { throw parser.error("unexpected text after the dict") }
        guard case let .dict(entries) = value else { throw IOError.malformedHeader(path: path, reason: "header is not a dict") }
        func field(_ key: String) throws -> PyLiteral {
            guard let value = entries.first(where: { $0.0 == key })?.1 else {
                throw IOError.malformedHeader(path: path, reason: "missing key '\(key)'")
            }
            return value
        }
        let descrValue = try field("descr")
        let descr: String
        switch descrValue {
        case let .string(s): descr = s
        case .list: throw IOError.unsupportedDType(path: path, dtype: "\(descrValue)", reason: "structured (record) dtypes are not supported")
        default: throw IOError.malformedHeader(path: path, reason: "'descr' is not a string")
        }
        guard case let .bool(fortran) = try field("fortran_order") else {
            throw IOError.malformedHeader(path: path, reason: "'fortran_order' is not True/False")
        }
        guard case let .tuple(items) = try field("shape") else {
            throw IOError.malformedHeader(path: path, reason: "'shape' is not a tuple")
        }
        let shape = try items.map { item -> Int in
            guard case let .int(n) = item else { throw IOError.malformedHeader(path: path, reason: "'shape' has a non-integer entry") }
            guard n >= 0 else { throw IOError.malformedHeader(path: path, reason: "'shape' has a negative entry \(n)") }
            return n
        }
        return NpyHeader(descr: descr, fortranOrder: fortran, shape: shape)
    }
}

/// The subset of Python literals that appear in `.npy` headers.
indirect enum PyLiteral: Equatable, CustomStringConvertible {
    case string(String), int(Int), bool(Bool), none
    case tuple([PyLiteral]), list([PyLiteral]), dict([(String, PyLiteral)])

    static func == (a: PyLiteral, b: PyLiteral) -> Bool { a.description == b.description }

    var description: String {
        switch self {
        case let .string(s): return "'\(s)'"
        case let .int(n): return String(n)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case let .tuple(items): return "(" + items.map(\.description).joined(separator: ", ") + ")"
        case let .list(items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .dict(entries): return "{" + entries.map { "'\($0.0)': \($0.1)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A recursive-descent parser over unicode scalars.
private struct LiteralParser {
    let text: [Unicode.Scalar]
    let path: String
    var index = 0

    var atEnd: Bool { index >= text.count }

    func error(_ reason: String) -> IOError {
        IOError.malformedHeader(
            path: path, reason: "\(reason) at offset \(index) in \(String(String.UnicodeScalarView(text.prefix(120))).debugDescription)")
    }

    mutating func skipWhitespace() {
        while index < text.count, text[index].properties.isWhitespace { index += 1 }
    }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipWhitespace()
        guard index < text.count, text[index] == c else { throw error("expected '\(c)'") }
        index += 1
    }

    mutating func peek() -> Unicode.Scalar? {
        skipWhitespace()
        return index < text.count ? text[index] : nil
    }

    mutating func parseValue() throws -> PyLiteral {
        guard let c = peek() else { throw error("unexpected end") }
        switch c {
        case "{":
            index += 1
            var entries: [(String, PyLiteral)] = []
            while peek() != "}" {
                guard case let .string(key) = try parseValue() else { throw error("dict key is not a string") }
                try expect(":")
                entries.append((key, try parseValue()))
                if peek() == "," { index += 1 } else { break }
            }
            try expect("}")
            return .dict(entries)
        case "(", "[":
            let close: Unicode.Scalar = c == "(" ? ")" : "]"
            index += 1
            var items: [PyLiteral] = []
            while peek() != close {
                items.append(try parseValue())
                if peek() == "," { index += 1 } else { break }
            }
            try expect(close)
            return c == "(" ? .tuple(items) : .list(items)
        case "'", "\"":
            index += 1
            var scalars = String.UnicodeScalarView()
            while index < text.count, text[index] != c {
                if text[index] == "\\", index + 1 < text.count { index += 1 }
                scalars.append(text[index])
                index += 1
            }
            guard index < text.count else { throw error("unterminated string") }
            index += 1
            return .string(String(scalars))
        case "-", "0"..."9":
            let start = index
            index += 1
            while index < text.count, ("0"..."9").contains(text[index]) { index += 1 }
            let digits = String(String.UnicodeScalarView(text[start..<index]))
            if index < text.count, text[index] == "L" || text[index] == "l" { index += 1 }
            guard let n = Int(digits) else { throw error("bad integer '\(digits)'") }
            return .int(n)
        default:
            for (word, value) in [("True", PyLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] {
                let scalars = Array(word.unicodeScalars)
                if index + scalars.count <= text.count, Array(text[index..<(index + scalars.count)]) == scalars {
                    index += scalars.count
                    return value
                }
            }
            throw error("unexpected character '\(c)'")
        }
    }
}
