import EWMIO
import Foundation

/// PushT against the reference fixtures generated from gym-pusht 0.1.8 / pymunk 6.11.1 (`shared/reference/pusht`, copied
/// into `Tests/EnvsTests/Fixtures/pusht`): the five checks of the results' fidelity table, each with what it measured
/// and the bound the spec requires.
public enum PushTFidelity {
    /// One check: what it measured (`measured`, with its unit in `detail`) against the bound it must meet.
    public struct Check: Codable, Sendable {
        public var name: String
        public var cases: Int
        public var measured: Double
        public var bound: Double?
        public var detail: String
        public var passed: Bool { bound.map { measured <= $0 } ?? true }
    }

    public struct Report: TextReport, Sendable {
        public var fixtures: String
        public var checks: [Check]
        public var passed: Bool { checks.allSatisfy(\.passed) }

        private enum CodingKeys: String, CodingKey { case fixtures, checks, passed }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(fixtures, forKey: .fixtures)
            try c.encode(checks, forKey: .checks)
            try c.encode(passed, forKey: .passed)
        }

        public var text: String {
            let table = TextTable.render(
                ["check", "cases", "measured", "required", "passed", "detail"],
                checks.map {
                    [$0.name, "\($0.cases)", TextTable.short($0.measured), $0.bound.map(TextTable.short) ?? "-", $0.passed ? "yes" : "NO", $0.detail]
                })
            return table + "\n(fixtures: \(fixtures))"
        }
    }

    /// The fixtures' file names (`NAME.json`, each `{"cases": [...]}`).
    public static let fixtureNames = ["reset_seeds", "coverage", "open_loop_episodes", "one_step", "closed_loop_scripted"]

    /// Runs every check on the fixtures in `directory`. Throws, naming the file, when one is missing or malformed.
    public static func run(fixtures directory: URL, progress: (Int) -> Void = { _ in }) throws -> Report {
        let load = { (name: String) in try FixtureFile(directory.appendingPathComponent("\(name).json")) }
        var checks: [Check] = []
        checks.append(try resetSeeds(load("reset_seeds")))
        progress(1)
        checks.append(try coverage(load("coverage")))
        progress(2)
        checks += try openLoop(load("open_loop_episodes"))
        progress(3)
        checks.append(try oneStep(load("one_step")))
        progress(4)
        checks.append(try closedLoopScripted(load("closed_loop_scripted")))
        progress(5)
        return Report(fixtures: directory.path, checks: checks)
    }

    static func resetSeeds(_ f: FixtureFile) throws -> Check {
        let env = PushTEnv(observationType: .state)
        var worst = 0.0
        for c in f.cases {
            let (obs, _) = try env.reset(seed: UInt64(try f.double(c, "seed")))
            for (a, b) in zip(obs.values, try f.doubles(c, "obs")) { worst = max(worst, abs(a - b)) }
            for (p, q) in zip(PushTGeometry.keypoints(at: env.physics.blockPose), try f.points(c, "keypoints")) {
                worst = max(worst, abs(p.x - q[0]), abs(p.y - q[1]))
            }
        }
        return Check(name: "reset(seed:) initial state", cases: f.cases.count, measured: worst, bound: 1e-6, detail: "max error, px/rad")
    }

    static func coverage(_ f: FixtureFile) throws -> Check {
        var worst = 0.0, mismatches = 0
        for c in f.cases {
            let p = try f.doubles(c, "block_pose")
            let coverage = PushTGeometry.coverage(block: Pose(x: p[0], y: p[1], angle: p[2]))
            worst = max(
                worst, abs(coverage - (try f.double(c, "coverage"))), abs(PushTGeometry.reward(coverage: coverage) - (try f.double(c, "reward"))))
            guard let success = c["success"] as? Bool else { throw f.malformed("a case without a boolean 'success'") }
            if (coverage > PushTGeometry.successThreshold) != success { mismatches += 1 }
        }
        return Check(
            name: "coverage and reward of fixture poses", cases: f.cases.count, measured: worst, bound: 1e-6,
            detail: "max error; \(mismatches) success mismatches")
    }

    /// The agent's position (bounded) and the block's (chaotic, reported only) over the open-loop episodes.
    static func openLoop(_ f: FixtureFile) throws -> [Check] {
        let env = PushTEnv(observationType: .state)
        var worstAgent = 0.0, block: [Double] = []
        for c in f.cases {
            _ = try env.reset(options: ResetOptions(state: try f.doubles(c, "reset_to_state")))
            let reference = try f.points(c, "obs")
            for (t, a) in try f.points(c, "actions").enumerated() where t + 1 < reference.count {
                let obs = try env.step(a).observation.values, ref = reference[t + 1]
                worstAgent = max(worstAgent, abs(obs[0] - ref[0]), abs(obs[1] - ref[1]))
                block.append(hypot(obs[2] - ref[2], obs[3] - ref[3]))
            }
        }
        return [
            Check(name: "agent position, open-loop episodes", cases: f.cases.count, measured: worstAgent, bound: 0.01, detail: "max error, px"),
            Check(
                name: "block position, open-loop episodes", cases: f.cases.count, measured: quantile(block, 0.5), bound: nil,
                detail: "median px; p90 \(TextTable.short(quantile(block, 0.9))) px (chaotic, reported only)"),
        ]
    }

    static func oneStep(_ f: FixtureFile) throws -> Check {
        let env = PushTEnv(observationType: .state)
        var relative: [Double] = []
        for c in f.cases {
            _ = try env.reset(options: ResetOptions(state: try f.doubles(c, "reset_to_state")))
            let k0 = try f.points(c, "keypoints0"), k1 = try f.points(c, "keypoints1")
            _ = try env.step(try f.doubles(c, "action"))
            let ours = PushTGeometry.keypoints(at: env.physics.blockPose)
            var displacement = 0.0, error = 0.0
            for k in 0..<min(8, k0.count, k1.count) {
                displacement += hypot(k1[k][0] - k0[k][0], k1[k][1] - k0[k][1]) / 8
                error += hypot(ours[k].x - k1[k][0], ours[k].y - k1[k][1]) / 8
            }
            if displacement > 1 { relative.append(error / displacement) }
        }
        return Check(
            name: "one-step T keypoint error / displacement, contact cases", cases: relative.count, measured: quantile(relative, 0.5), bound: 0.05,
            detail: "median; p90 \(TextTable.short(quantile(relative, 0.9))) (bound 0.15)")
    }

    static func closedLoopScripted(_ f: FixtureFile) throws -> Check {
        let env = PushTEnv(observationType: .state)
        var ours = 0.0, reference = 0.0
        for c in f.cases {
            _ = try env.reset(seed: UInt64(try f.double(c, "seed")))
            var coverage = 0.0
            for _ in 0..<100 { coverage = try env.step(ScriptedPusher.action(state: env.state)).info.double("coverage") ?? 0 }
            ours += coverage / Double(f.cases.count)
            reference += try f.double(c, "final_coverage") / Double(f.cases.count)
        }
        return Check(
            name: "scripted pusher, 100 steps, mean final coverage", cases: f.cases.count, measured: abs(ours - reference), bound: 0.03,
            detail: "|ours - reference|: \(TextTable.fixed(ours, 3)) vs \(TextTable.fixed(reference, 3))")
    }

    /// Linear-interpolated quantile `p` of `values` (nan when empty).
    static func quantile(_ values: [Double], _ p: Double) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        let rank = p * Double(s.count - 1)
        let lo = Int(rank.rounded(.down)), hi = Int(rank.rounded(.up))
        return s[lo] + (s[hi] - s[lo]) * (rank - Double(lo))
    }
}

/// A reference fixture file, `{"cases": [{...}, ...]}`, with accessors that name the file when a field is wrong.
struct FixtureFile {
    let url: URL
    let cases: [[String: Any]]

    init(_ url: URL) throws {
        self.url = url
        let data = try readInputFile(url)
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], let cases = root["cases"] as? [[String: Any]] else {
            throw EnvError.invalidArgument("\(url.path) is not a reference fixture (a JSON object with a 'cases' array)")
        }
        self.cases = cases
    }

    func malformed(_ what: String) -> EnvError { EnvError.invalidArgument("\(url.path): \(what)") }

    func double(_ c: [String: Any], _ key: String) throws -> Double {
        guard let n = c[key] as? NSNumber else { throw malformed("a case without a number '\(key)'") }
        return n.doubleValue
    }

    func doubles(_ c: [String: Any], _ key: String) throws -> [Double] {
        guard let a = c[key] as? [NSNumber] else { throw malformed("a case without a number list '\(key)'") }
        return a.map(\.doubleValue)
    }

    func points(_ c: [String: Any], _ key: String) throws -> [[Double]] {
        guard let a = c[key] as? [[NSNumber]] else { throw malformed("a case without a list of number lists '\(key)'") }
        return a.map { $0.map(\.doubleValue) }
    }
}
