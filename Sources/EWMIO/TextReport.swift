import Foundation

/// A report the commands print: as text for people (`text`), or as JSON with `--json` (its `Encodable` form).
public protocol TextReport: Encodable {
    var text: String { get }
}

/// Right-aligned text tables and the number formats of the reports.
public enum TextTable {
    /// `header` over a rule, then `rows`, every column right-aligned to its widest cell.
    public static func render(_ header: [String], _ rows: [[String]]) -> String {
        let widths = header.indices.map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    /// Fixed-point with `digits` decimals; "-" for nil.
    public static func fixed(_ x: Double?, _ digits: Int = 3) -> String {
        guard let x else { return "-" }
        return String(format: "%.\(digits)f", x)
    }

    /// Scientific with 4 decimals; "-" for nil.
    public static func sci(_ x: Double?) -> String { x.map { String(format: "%.4e", $0) } ?? "-" }

    /// Three significant digits (residuals, deviations).
    public static func short(_ x: Double) -> String { String(format: "%.3g", x) }
}

/// Several reports of one kind printed together: as JSON the array of them, as text what `render` makes of them.
public struct ReportList<Item: Encodable>: TextReport {
    public var items: [Item]
    let render: ([Item]) -> String

    public init(_ items: [Item], render: @escaping ([Item]) -> String) { self.items = items; self.render = render }

    public var text: String { render(items) }
    public func encode(to encoder: Encoder) throws { try items.encode(to: encoder) }
}
