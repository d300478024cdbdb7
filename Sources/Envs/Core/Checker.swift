/// A reusable conformance checker (Gymnasium's `check_env`): the tests run it over every registered env.
public struct EnvironmentCheck: Sendable {
    public struct Finding: Sendable, CustomStringConvertible {
        public let check: String
        public let passed: Bool
        public let detail: String
        public var description: String { "\(passed ? "ok  " : "FAIL") \(check)\(detail.isEmpty ? "" : ": \(detail)")" }
    }
    public var findings: [Finding] = []
    public var passed: Bool { findings.allSatisfy(\.passed) }
    public var failures: [Finding] { findings.filter { !$0.passed } }

    mutating func record(_ check: String, _ passed: Bool, _ detail: @autoclosure () -> String = "") {
        findings.append(Finding(check: check, passed: passed, detail: passed ? "" : detail()))
    }
}

/// Checks an env built by `make` (called several times for fresh copies):
/// reset/step types and spaces, seeding determinism, step determinism, observations inside the space,
/// rejection of non-finite and wrongly shaped actions without any change to the world, finite but huge actions
/// (1e308, ...) either rejected without any change or stepped to a finite outcome, and the
/// terminated/truncated contract under the registry's time limit.
public func checkEnvironment(steps: Int = 20, seed: UInt64 = 7, _ make: () throws -> any Environment) -> EnvironmentCheck {
    var report = EnvironmentCheck()
    do {
        let env = try make()
        let (obs, _) = try env.reset(seed: seed)
        report.record(
            "reset observation is in the observation space", env.observationSpace.contains(obs, tolerance: 1e-9),
            "shape \(obs.shape) vs \(env.observationSpace.shape)")
        report.record("reset observation is finite", obs.isFinite)
        report.record(
            "action space is bounded and non-empty",
            env.actionSpace.count > 0 && zip(env.actionSpace.low, env.actionSpace.high).allSatisfy { $0.isFinite && $1.isFinite && $0 <= $1 })

        // Seeding: the same seed gives the same start; another seed a different one.
        let again = try make()
        report.record("reset(seed:) is deterministic", try again.reset(seed: seed).observation == obs)
        let other = try make()
        report.record("different seeds give different starts", try other.reset(seed: seed &+ 1).observation != obs)

        // Step determinism and space membership along a seeded random action sequence.
        var rng = SplitMix64(seed: seed)
        let actions = (0..<steps).map { _ in env.actionSpace.sample(using: &rng) }
        var inSpace = true, finite = true, typesOK = true
        var trace1: [Observation] = [], trace2: [Observation] = []
        for a in actions {
            let r = try env.step(a)
            inSpace = inSpace && env.observationSpace.contains(r.observation, tolerance: 1e-6)
            finite = finite && r.observation.isFinite && r.reward.isFinite
            typesOK = typesOK && r.observation.shape == env.observationSpace.shape
            trace1.append(r.observation)
            if r.done { break }
        }
        for a in actions.prefix(trace1.count) { trace2.append(try again.step(a).observation) }
        report.record("step observations are in the observation space", inSpace)
        report.record("step observations and rewards are finite", finite)
        report.record("step observation shape matches the space", typesOK)
        report.record("step is deterministic given seed and actions", trace1 == trace2)

        // Bad actions: rejected with EnvError.invalidAction, and the world unchanged afterwards.
        let probe = try make(), twin = try make()
        _ = try probe.reset(seed: seed); _ = try twin.reset(seed: seed)
        let n = probe.actionSpace.count
        let bad: [(String, [Double])] = [
            ("NaN", Array(repeating: .nan, count: n)), ("+inf", Array(repeating: .infinity, count: n)),
            ("-inf", [-.infinity] + Array(repeating: 0, count: n - 1)), ("too short", Array(repeating: 0, count: n - 1)),
            ("too long", Array(repeating: 0, count: n + 1)), ("empty", []),
        ]
        for (name, action) in bad {
            var rejected = false
            do { _ = try probe.step(action) } catch let e as EnvError {
                if case .invalidAction = e { rejected = true }
            } catch {}
            report.record("\(name) action is rejected with invalidAction", rejected)
        }
        let good = probe.actionSpace.sample(using: &rng)
        report.record("a rejected action leaves the world unchanged", try probe.step(good).observation == twin.step(good).observation)

        // Finite but huge actions: either rejected with invalidAction and the world unchanged, or stepped with every
        // number of the outcome finite (an env must never turn its state non-finite).
        let huge: [(String, [Double])] = [
            ("1e308", Array(repeating: 1e308, count: n)), ("-1e308", Array(repeating: -1e308, count: n)),
            ("+-1e308", (0..<n).map { $0 % 2 == 0 ? 1e308 : -1e308 }), ("1e200", Array(repeating: 1e200, count: n)),
            ("1e154", Array(repeating: 1.5e154, count: n)),
            ("greatestFiniteMagnitude", [.greatestFiniteMagnitude] + Array(repeating: 0, count: n - 1)),
        ]
        for (name, action) in huge {
            let hugeProbe = try make(), hugeTwin = try make()
            _ = try hugeProbe.reset(seed: seed); _ = try hugeTwin.reset(seed: seed)
            var outcome = "accepted"
            var finiteOrRejected = false
            do {
                let r = try hugeProbe.step(action)
                finiteOrRejected = r.observation.isFinite && r.reward.isFinite && r.info.isFinite
                outcome = "accepted with a non-finite observation, reward or info"
            } catch let e as EnvError {
                if case .invalidAction = e {
                    let after = try hugeProbe.step(good).observation, expected = try hugeTwin.step(good).observation
                    finiteOrRejected = after == expected
                    outcome = "rejected, but the world changed"
                } else {
                    outcome = "threw \(e)"
                }
            } catch {
                outcome = "threw \(error)"
            }
            report.record("\(name) action is rejected (world unchanged) or keeps everything finite", finiteOrRejected, outcome)
        }

        // Time limit: truncated exactly at the registry's limit if the env declares one.
        if let limit = env.spec.maxEpisodeSteps, limit <= 1000 {
            let timed = TimeLimit(try make(), maxSteps: limit)
            _ = try timed.reset(seed: seed)
            var t = 0, ended = false, truncatedAtLimit = false
            while !ended && t < limit + 1 {
                let r = try timed.step(timed.actionSpace.sample(using: &rng))
                t += 1
                ended = r.done
                truncatedAtLimit = r.truncated && t == limit || r.terminated
            }
            report.record("episode ends by the time limit (\(limit) steps)", ended && truncatedAtLimit, "ended \(ended) after \(t) steps")
        }
    } catch {
        report.record("no unexpected error", false, "\(error)")
    }
    return report
}
