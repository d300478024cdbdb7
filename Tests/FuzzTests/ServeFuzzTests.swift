import Envs
import Foundation
import Testing

/// The step server on random request lines: well-formed and malformed JSON, unknown verbs and keys, blank lines, huge
/// and non-finite numbers, wrong lengths, deep nesting. Invariants per line:
/// - exactly one reply, one line, a JSON object;
/// - a reply is an error or carries what the verb promises; an error reply has a message;
/// - no reply ever holds a non-finite number (JSON cannot), and the server keeps answering.
@Suite struct ServeFuzzTests {
    static func line(_ fuzz: inout Fuzz, actionSize n: Int) -> String {
        func number() -> String {
            let d = fuzz.double(typical: -10...600, nonFinite: false)
            return fuzz.chance(0.1) ? fuzz.pick(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "0x10", "1.", ".5", "+1"]) : "\(d)"
        }
        func numbers(_ count: Int) -> String { "[" + (0..<count).map { _ in number() }.joined(separator: ",") + "]" }
        let length = fuzz.chance(0.8) ? n : fuzz.int(0...(n + 3))
        switch fuzz.int(0...13) {
        case 0...4: return #"{"step": \#(numbers(length))}"#
        case 5:
            return #"{"reset": {"seed": \#(fuzz.pick(["3", "-1", "1.5", "1e30", "\"3\"", "null", "18446744073709551615", "18446744073709551616"]))}}"#
        case 6: return #"{"reset": {"state": \#(numbers(fuzz.int(0...8)))}}"#
        case 7: return fuzz.pick(["", " ", "\t", "\r", "{}", "[]", "null", "3", "\"step\"", "{", "}", "{\"step\": [1, 2]", "\u{0}"])
        case 8:
            return #"{"\#(fuzz.pick(["stp", "Step", "reset ", "spaces", "close", "", "obs"])))": \#(fuzz.pick(["true", "null", "1", "[]", "{}"]))}"#
        case 9: return #"{"reset": {"seed": 1, "\#(fuzz.pick(["sed", "state ", "options", ""]))": 2}}"#
        case 10: return #"{"step": \#(numbers(length)), "reset": {}}"#
        case 11:
            let depth = fuzz.int(1...200)
            return String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        case 12: return #"{"step": \#(numbers(fuzz.int(0...2000)))}"#
        default: return String((0..<fuzz.int(1...40)).map { _ in Character(UnicodeScalar(UInt8(fuzz.int(32...126)))) })
        }
    }

    @Test func everyRequestLineGetsOneWellFormedReply() throws {
        let cases = fuzzCases(1500)
        var errors = 0, answered = 0
        let ids = Registry.ids
        var servers: [String: StepServer] = [:]
        for index in 0..<cases {
            var fuzz = Fuzz(seed: 0x5E4E, index: index)
            let id = ids[index % ids.count]
            let server = try servers[id] ?? StepServer(env: Registry.make(id, options: MakeOptions()))
            servers[id] = server
            if index % 25 == 0 { _ = server.handle(#"{"reset": {"seed": \#(index)}}"#) }
            let request = Self.line(&fuzz, actionSize: server.env.actionSpace.count)
            let (reply, _) = server.handle(request)
            #expect(!reply.contains("\n"), "request \(request.debugDescription)")
            guard let object = try? JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] else {
                Issue.record("request \(request.debugDescription): reply is not a JSON object: \(reply)")
                continue
            }
            if let message = object["error"] {
                errors += 1
                #expect((message as? String)?.isEmpty == false)
            } else {
                answered += 1
                #expect(object["obs"] != nil || object["observation"] != nil || object["closed"] != nil, "\(reply.prefix(200))")
            }
        }
        print("serve fuzz: \(cases) lines, \(errors) error replies, \(answered) answers")
    }
}
