import EWMIO
import Foundation
import Testing
@testable import Experiments

/// `ewm-sim reproduce`'s runner on test-only parts (seconds): the catalog's shape, resumption, the index, the JSON.
@Suite struct ReproductionTests {
    /// How often each test part ran.
    final class Runs: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ name: String) { lock.lock(); counts[name, default: 0] += 1; lock.unlock() }
        subscript(_ name: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[name] ?? 0 }
    }

    struct Figure: TextReport {
        var value: Double
        var path = ""
        var text: String { "value \(value)" + (path.isEmpty ? "" : " at \(path)") }
    }

    /// `plot` writes a PNG, `player` (needs `plot`) an HTML animation and reads plot's PNG; `broken` throws when asked.
    static func parts(_ runs: Runs, failing: Bool = false) -> [ReproductionPart] {
        let image = RGBImage(width: 6, height: 4, fill: RGB(10, 200, 30))
        var parts = [
            ReproductionPart(
                name: "plot", regenerates: "a plot", sizes: { "\($0.rawValue) size" },
                run: { c in
                    runs.add("plot")
                    try PNG.write(image, to: c.file("plot.png"))
                    return PartOutput(report: Figure(value: 1), files: [PartFile("plot.png", kind: .image, caption: "a plot")])
                }),
            ReproductionPart(
                name: "player", regenerates: "a player", needs: ["plot"], sizes: { _ in "two frames" },
                run: { c in
                    runs.add("player")
                    _ = try readInputFile(c.input("plot", "plot.png"))
                    try HTMLAnimation.write(frames: [image, image], fps: 5, title: "t", captions: nil, to: c.file("animation.html"))
                    return PartOutput(
                        report: Figure(value: 2, path: c.file("animation.html").path),
                        files: [PartFile("animation.html", kind: .player, caption: "frames")])
                }),
        ]
        if failing {
            parts.append(
                ReproductionPart(
                    name: "broken", regenerates: "nothing", sizes: { _ in "-" },
                    run: { c in
                        runs.add("broken")
                        try Data("half".utf8).write(to: c.file("half.txt"))
                        throw ReproductionError("broken on purpose")
                    }))
        }
        return parts
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reproduce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ parts: [ReproductionPart], _ out: URL, scale: ReproductionScale = .smoke) throws -> Reproduction.Report {
        try Reproduction.run(parts: parts, out: out, scale: scale, settings: ReproductionSettings(), showProgress: false)
    }

    @Test func theCatalogCoversTheResultsInAValidOrder() throws {
        let parts = ReproductionCatalog.parts
        try Reproduction.validate(parts)
        #expect(
            parts.map(\.name) == [
                "fidelity", "env-speed", "train-step", "orbit-pusht", "orbit-3d", "vn-exactness", "planner-exactness", "one-step", "rollout",
                "stress-tests", "teacher3d-models", "ladder", "closed-loop-pusht", "closed-loop-3d", "block-isotropy", "gauge", "bi-block",
                "degree-ladder", "invariant-costs",
            ])
        for p in parts { for s in ReproductionScale.allCases { #expect(!p.sizes(s).isEmpty) } }
        // paper runs the results' sizes: the closed loop's 16 x 10 and the planner check's 16 x 50.
        let plan = Reproduction.plan(parts, scale: .paper).items
        #expect(plan.first { $0.part == "closed-loop-pusht" }?.sizes.contains("16 orientations x 10 tasks") == true)
        #expect(plan.first { $0.part == "planner-exactness" }?.sizes.contains("16 orientations x 50 states") == true)
        #expect(plan.first { $0.part == "ladder" }?.needs == ["teacher3d-models"])
    }

    @Test func badListsAreRefusedWithTheReason() {
        let p = { (name: String, needs: [String]) in
            ReproductionPart(name: name, regenerates: "", needs: needs, sizes: { _ in "" }, run: { _ in fatalError() })
        }
        #expect(throws: (any Error).self) { try Reproduction.validate([p("a", ["b"]), p("b", [])]) }
        #expect(throws: (any Error).self) { try Reproduction.validate([p("a", []), p("a", [])]) }
        #expect(throws: (any Error).self) { try Reproduction.validate([p("A b", [])]) }
        #expect((try? Reproduction.validate([p("a", []), p("b-2", ["a"])])) != nil)
    }

    @Test func aFinishedPartIsKeptAndAnInterruptedOneRunsAgain() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let runs = Runs()
        let first = try run(Self.parts(runs), out)
        #expect(first.parts.map(\.state) == [.ran, .ran])
        let record = try #require(PartRecord.read(in: out.appendingPathComponent("plot")))
        #expect(record.scale == .smoke && record.sizes == "smoke size" && record.files.map(\.name) == ["plot.png"])
        #expect(record.provenance.cores > 0 && !record.provenance.commit.isEmpty && !record.provenance.blasKernel.isEmpty)
        #expect(try String(contentsOf: out.appendingPathComponent("plot/report.txt"), encoding: .utf8) == "value 1.0\n")
        // A path into the part's temporary directory is reported where the file ended up.
        let player = try String(contentsOf: out.appendingPathComponent("player/report.txt"), encoding: .utf8)
        #expect(player == "value 2.0 at \(out.standardizedFileURL.path)/player/animation.html\n")
        #expect(try !String(contentsOf: out.appendingPathComponent("player/report.json"), encoding: .utf8).contains(".tmp"))

        let second = try run(Self.parts(runs), out)
        #expect(second.parts.map(\.state) == [.kept, .kept])
        #expect(runs["plot"] == 1 && runs["player"] == 1)

        // Killed mid-part: its temporary directory is left, and (from an older layout) a directory without part.json.
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".player.tmp-999999-1"), withIntermediateDirectories: false)
        try FileManager.default.removeItem(at: out.appendingPathComponent("player/part.json"))
        let third = try run(Self.parts(runs), out)
        #expect(third.parts.map(\.state) == [.kept, .ran])
        #expect(runs["plot"] == 1 && runs["player"] == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.contains(".tmp") }.isEmpty)

        // Another scale reruns everything.
        let paper = try run(Self.parts(runs), out, scale: .quick)
        #expect(paper.parts.map(\.state) == [.ran, .ran])
        #expect(PartRecord.read(in: out.appendingPathComponent("plot"))?.scale == .quick)

        // New sizes at the same scale rerun that part only.
        var resized = Self.parts(runs)
        resized[0].sizes = { _ in "bigger" }
        #expect(try run(resized, out, scale: .quick).parts.map(\.state) == [.ran, .kept])
    }

    @Test func aFailedPartLeavesNothingAndTheOthersRun() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let runs = Runs()
        let report = try run(Self.parts(runs, failing: true), out)
        #expect(report.parts.map(\.state) == [.ran, .ran, .failed])
        #expect(report.failed == 1 && report.parts[2].error == "broken on purpose")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(!names.contains { $0.contains("broken") })
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(index.contains("failed: broken on purpose"))
    }

    @Test func theIndexListsEveryPartAndLinksOnlyToFilesThatExist() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try run(Self.parts(Runs()), out)
        let index = try String(contentsOf: out.appendingPathComponent("index.html"), encoding: .utf8)
        for name in ["plot", "player"] { #expect(index.contains("<section id=\"\(name)\">")) }
        let links = Self.references(in: index)
        #expect(links.contains("plot/plot.png") && links.contains("player/animation.html") && links.contains("player/part.json"))
        for link in links {
            #expect(!link.contains("://") && !link.hasPrefix("/"), "not relative: \(link)")
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(link).path), "missing: \(link)")
        }
        #expect(!index.contains("<script"))
    }

    @Test func theRunReportEncodesEveryPart() throws {
        let out = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let report = try run(Self.parts(Runs()), out)
        let json = try JSONSerialization.jsonObject(with: try ReportJSON.encode(report)) as? [String: Any]
        let parts = json?["parts"] as? [[String: Any]]
        #expect(parts?.map { $0["part"] as? String } == ["plot", "player"])
        #expect(parts?.map { $0["state"] as? String } == ["ran", "ran"])
        #expect(json?["scale"] as? String == "smoke" && (json?["index"] as? String)?.hasSuffix("index.html") == true)
        let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("plot/report.json"))) as? [String: Any]
        #expect(saved?["value"] as? Double == 1)
    }

    /// The `href` and `src` values of a page, without in-page anchors and data URIs.
    static func references(in page: String) -> [String] {
        var found: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = page[...]
            while let r = rest.range(of: attribute) {
                let tail = rest[r.upperBound...]
                guard let end = tail.firstIndex(of: "\"") else { break }
                let value = String(tail[..<end])
                if !value.hasPrefix("#") && !value.hasPrefix("data:") { found.append(value) }
                rest = tail[end...]
            }
        }
        return found
    }
}
