import ArgumentParser
import Envs
import Foundation

struct BenchEnv: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Env steps per second: one env, and a vector env across threads (`ewm-sim bench pusht`).",
        discussion: """
            Uniform random actions (seeded), reset when an episode ends. With --reference, also times gym-pusht
            (tools/bench_gym_pusht.py; needs `pip install gym-pusht`) in the same run and reports the ratio.
            Build with `swift build -c release` first: debug builds are many times slower.
            """)

    @Argument(help: "Env id.")
    var env: String = "pusht"
    @Option(help: "Observation type.")
    var obs: String = "state"
    @Option(help: "Copies in the vector env (0: skip the vector env).")
    var envs: Int = 4
    @Option(help: "Worker threads of the vector env (default: the processor count).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Seconds to time each configuration.")
    var seconds: Double = 2
    @Flag(help: "Also time gym-pusht (python3) on this machine now.")
    var reference = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard envs >= 0, threads > 0 else { throw ValidationError("--envs must be >= 0 and --threads > 0") }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be positive") }
    }

    struct Report: Encodable {
        var env: String
        var obs: String
        var build: String
        var singleStepsPerSecond: Double
        var vectorEnvs: Int
        var vectorThreads: Int
        var vectorStepsPerSecond: Double?
        var vectorSpeedup: Double?
        var referenceStepsPerSecond: Double?
        var speedupOverReference: Double?
    }

    func run() throws {
        let options = MakeOptions(observation: obs)
        let single = try measureSingle(try Registry.make(env, options: options))
        var report = Report(
            env: env, obs: obs, build: isDebugBuild ? "debug" : "release", singleStepsPerSecond: single,
            vectorEnvs: envs, vectorThreads: threads)
        if envs > 0 {
            let vector = try VectorEnv(count: envs, threads: threads) { _ in try Registry.make(env, options: options) }
            let rate = try measureVector(vector)
            report.vectorStepsPerSecond = rate
            report.vectorSpeedup = rate / single
        }
        if reference {
            let rate = try referenceRate()
            report.referenceStepsPerSecond = rate
            report.speedupOverReference = single / rate
        }
        if output.json { return try printJSON(report) }
        if isDebugBuild { print("warning: debug build; run `swift build -c release` and .build/release/ewm-sim for real figures") }
        print("\(env) (\(obs) obs): one env \(Int(single)) steps/s")
        if let v = report.vectorStepsPerSecond, let s = report.vectorSpeedup {
            print("vector env, \(envs) envs on \(threads) threads: \(Int(v)) steps/s (\(fmt(s, 2))x one env)")
        }
        if let r = report.referenceStepsPerSecond, let s = report.speedupOverReference {
            print("gym-pusht (python, same machine, now): \(Int(r)) steps/s; ewm-sim is \(fmt(s, 1))x faster")
        }
    }

    private var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    private func measureSingle(_ e: any Environment) throws -> Double {
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

    private func measureVector(_ v: VectorEnv) throws -> Double {
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

    private func referenceRate() throws -> Double {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools/bench_gym_pusht.py").standardized
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
        else { throw CLIError("the gym-pusht reference benchmark failed (is `pip install gym-pusht` done?)") }
        return rate
    }
}
