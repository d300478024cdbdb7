import Foundation
import Testing

/// The reference fixtures generated from gym-pusht 0.1.8 / pymunk 6.11.1 (copied from shared/reference/pusht).
enum Fixtures {
    static func load(_ name: String) throws -> [[String: Any]] {
        let url = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/pusht/\(name).json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return root["cases"] as! [[String: Any]]
    }

    static func doubles(_ any: Any?) -> [Double] { (any as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    static func points(_ any: Any?) -> [[Double]] { (any as! [Any]).map { doubles($0) } }
    static func double(_ any: Any?) -> Double { (any as! NSNumber).doubleValue }
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return .nan }
    let rank = p * Double(s.count - 1)
    let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
    return s[lo] + (s[hi] - s[lo]) * (rank - Double(lo))
}
