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

    func run() throws {
        let options = MakeOptions(observation: obs)
        let single = try EnvThroughput.single(try Registry.make(env, options: options), seconds: seconds)
        var report = EnvThroughput.Report(
            env: env, obs: obs, build: isDebugBuild ? "debug" : "release", singleStepsPerSecond: single,
            vectorEnvs: envs, vectorThreads: threads)
        if envs > 0 {
            let vector = try VectorEnv(count: envs, threads: threads) { _ in try Registry.make(env, options: options) }
            let rate = try EnvThroughput.vector(vector, seconds: seconds)
            report.vectorStepsPerSecond = rate
            report.vectorSpeedup = rate / single
        }
        if reference {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tools/bench_gym_pusht.py")
                .standardized
            let rate = try EnvThroughput.reference(script: script, obs: obs, seconds: seconds)
            report.referenceStepsPerSecond = rate
            report.speedupOverReference = single / rate
        }
        try emit(WithBLAS(report: report), json: output.json)
    }

    private var isDebugBuild: Bool {
        #if DEBUG
            return true
        #else
            return false
        #endif
    }
}
