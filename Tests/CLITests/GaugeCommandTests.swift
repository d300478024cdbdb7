import Foundation
import Testing

/// `experiment gauge` and `experiment bi-block` end to end at a tiny size: JSON with every condition and rung, the
/// table and JSON written with --out, and bad input refused with a message.
@Suite struct GaugeCommandTests {
    @Test func gaugeReportsEveryConditionAndWritesItsFiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run([
            "experiment", "gauge", "--seeds", "2", "--episodes", "2", "--held-out-episodes", "1", "--steps", "2", "--json", "--out", dir.path,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let rows = report["rows"] as? [[String: Any]] ?? []
        #expect(rows.count == 5 && rows.allSatisfy { ($0["groups"] as? [String]) == ["O(n)", "stabiliser", "commutant", "identity"] })
        #expect((report["gaugeDimensions"] as? [String: Int]) == ["O(n)": 231, "stabiliser": 159, "commutant": 21])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(files.contains("gauge.txt") && files.contains("gauge.json"))
    }

    @Test func biBlockReportsTheRungsAndRefusesBadCounts() throws {
        let r = try CLI.run(["experiment", "bi-block", "--objects", "1,2", "--seeds", "2", "--scenes", "8", "--steps", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let blocks = report["blocks"] as? [[String: Any]] ?? []
        let dimensions = blocks.map { ($0["rungs"] as? [[String: Any]] ?? []).map { $0["dimension"] as? Int ?? -1 } }
        #expect(dimensions == [[28, 16, 16, 2, 2], [120, 72, 32, 12, 4]])
        for bad in [["--objects", "0"], ["--objects", "2,x"], ["--jitter", "-1"], ["--seeds", "1"]] {
            let failed = try CLI.run(["experiment", "bi-block"] + bad)
            #expect(failed.status != 0 && failed.stderr.contains("--"), "\(bad): \(failed.stderr)")
        }
    }
}
