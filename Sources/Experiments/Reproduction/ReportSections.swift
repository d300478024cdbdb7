import EWMIO
import Foundation

/// Several reports printed as one: as text each under its heading, as JSON an object with one key per section.
public struct ReportSections: TextReport {
    public var sections: [(title: String, key: String, report: any TextReport)]

    public init(_ sections: [(title: String, key: String, report: any TextReport)]) { self.sections = sections }

    public var text: String { sections.map { "\($0.title)\n\($0.report.text)" }.joined(separator: "\n\n") }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: SectionKey.self)
        for s in sections { try c.encode(EncodedReport(s.report), forKey: SectionKey(s.key)) }
    }

    struct SectionKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ key: String) { stringValue = key }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Any report as an `Encodable` value.
struct EncodedReport: Encodable {
    let report: any Encodable
    init(_ report: any Encodable) { self.report = report }
    func encode(to encoder: Encoder) throws { try report.encode(to: encoder) }
}
