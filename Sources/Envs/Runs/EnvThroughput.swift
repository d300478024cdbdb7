import EWMIO
import Foundation

/// Env steps per second under uniform random actions (seeded), reset when an episode ends (`bench env`).
public enum EnvThroughput {
    /// What `bench env` reports.
    public struct Report: TextReport, Sendable {
        public var env: String
        public var obs: String
        public var build: String
        public var singleStepsPerSecond: Double
        public var vectorEnvs: Int
        public var vectorThreads: Int
        public var vectorStepsPerSecond: Double?
        public var vectorSpeedup: Double?
        public var referenceStepsPerSecond: Double?
        public var speedupOverReference: Double?

        public init(env: String, obs: String, build: String, singleStepsPerSecond: Double, vectorEnvs: Int, vectorThreads: Int) {
            self.env = env; self.obs = obs; self.build = build; self.singleStepsPerSecond = singleStepsPerSecond
            self.vectorEnvs = vectorEnvs; self.vectorThreads = vectorThreads
        }

        public var text: String {
            var lines = build == "debug" ? ["warning: debug build; run `swift build -c release` and .build/release/ewm-sim for real figures"] : []
            lines.append("\(env) (\(obs) obs): one env \(Int(singleStepsPerSecond)) steps/s")
            if let v = vectorStepsPerSecond, let s = vectorSpeedup {
                lines.append("vector env, \(vectorEnvs) envs on \(vectorThreads) threads: \(Int(v)) steps/s (\(TextTable.fixed(s, 2))x one env)")
            }
            if let r = referenceStepsPerSecond, let s = speedupOverReference {
                lines.append("gym-pusht (python, same machine, now): \(Int(r)) steps/s; ewm-sim is \(TextTable.fixed(s, 1))x faster")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The reference benchmark could not run or gave no rate.
    public struct ReferenceError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Steps per second of one env over `seconds` (after 1000 untimed warm-up steps).
    public static func single(_ e: any Environment, seconds: Double) throws -> Double {
        var rng = SplitMix64(seed: 1)
        _ = try e.reset(seed: 0)
        let actions = (0..<4096).map { _ in e.actionSpace.sample(using: &rng) }
        var steps = 0, episode: UInt64 = 0
        for _ in 0..<1000 { _ = try e.step(actions[steps & 4095]); steps += 1 }  // warm-up, untimed
        _ = try e.reset(seed: 0)
        steps = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<256 {
                if try e.step(actions[steps & 4095]).done { episode += 1; _ = try e.reset(seed: episode) }
                steps += 1
            }
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return Double(steps) / elapsed
    }

    /// Steps per second (summed over the copies) of a vector env over `seconds`, after a quarter of that untimed.
    public static func vector(_ v: VectorEnv, seconds: Double) throws -> Double {
        var rng = SplitMix64(seed: 2)
        _ = try v.reset(seed: 0)
        let batches = (0..<64).map { _ in (0..<v.count).map { _ in v.actionSpace.sample(using: &rng) } }
        var steps = 0, calls = 0
        // Warm up (threads started and scheduled, caches filled) for a quarter of the budget, untimed.
        let warmUp = DispatchTime.now().uptimeNanoseconds
        while Double(DispatchTime.now().uptimeNanoseconds - warmUp) / 1e9 < seconds / 4 {
            for _ in 0..<16 { _ = try v.step(batches[calls & 63]); calls += 1 }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<16 { _ = try v.step(batches[calls & 63]); calls += 1; steps += v.count }
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return Double(steps) / elapsed
    }

    /// Steps per second of gym-pusht, timed by `script` (tools/bench_gym_pusht.py) under python3 on this machine now.
    public static func reference(script: URL, obs: String, seconds: Double) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--obs", obs, "--seconds", String(seconds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rate = (object["steps_per_second"] as? NSNumber)?.doubleValue
        else { throw ReferenceError(description: "the gym-pusht reference benchmark failed (is `pip install gym-pusht` done?)") }
        return rate
    }
}
