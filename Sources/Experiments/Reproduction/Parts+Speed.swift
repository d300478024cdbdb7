import EWMIO
import Envs
import Foundation
import Tensor
import Train

extension ReproductionPart {
    /// Env steps per second of PushT in each observation type, one env and the 16-env vector env on the machine's
    /// cores. gym-pusht is not timed here (it needs Python; `ewm-sim bench pusht --reference` does).
    static let envSpeed = ReproductionPart(
        name: "env-speed", regenerates: "Speed: environment steps",
        sizes: { "3 observation types, \(format(envSeconds($0))) s per timing, vector env of 16" },
        cost: { $0.pick(smoke: 1.5, quick: 3.6, paper: 13) },
        run: { context in
            let seconds = envSeconds(context.scale)
            let threads = ProcessInfo.processInfo.activeProcessorCount
            var reports: [EnvThroughput.Report] = []
            for obs in ["state", "keypoints", "pixels"] {
                context.progress(obs)
                let options = MakeOptions(observation: obs)
                let single = try EnvThroughput.single(try Registry.make("pusht", options: options), seconds: seconds)
                var report = EnvThroughput.Report(
                    env: "pusht", obs: obs, build: isDebugBuild ? "debug" : "release", singleStepsPerSecond: single, vectorEnvs: 16,
                    vectorThreads: threads)
                let vector = try VectorEnv(count: 16, threads: threads) { _ in try Registry.make("pusht", options: options) }
                let rate = try EnvThroughput.vector(vector, seconds: seconds)
                (report.vectorStepsPerSecond, report.vectorSpeedup) = (rate, rate / single)
                reports.append(report)
            }
            return PartOutput(report: ReportList(reports) { $0.map(\.text).joined(separator: "\n") })
        })

    /// One training step of the benchmark VN world model, d = 2 and 3, on the machine's cores (PyTorch is not timed
    /// here: `ewm-sim bench train-step --torch` does).
    static let trainStep = ReproductionPart(
        name: "train-step", regenerates: "Speed: training step (the ewm-sim side)",
        sizes: { "d = 2 and 3, \(trainSteps($0)) timed steps after 5 warm-up" },
        cost: { $0.pick(smoke: 1.5, quick: 0.9, paper: 2) },
        run: { context in
            Compute.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
            var sections: [(title: String, key: String, report: any TextReport)] = []
            for dim in [2, 3] {
                context.progress("d = \(dim)")
                let result = trainStepBenchmark(dim: dim, steps: trainSteps(context.scale), warmup: context.scale == .smoke ? 1 : 5)
                sections.append(("d = \(dim)", "dim\(dim)", TorchBenchmark.Comparison(swift: result)))
            }
            return PartOutput(report: ReportSections(sections))
        })

    static func envSeconds(_ scale: ReproductionScale) -> Double { scale.pick(smoke: 0.02, quick: 0.5, paper: 2) }
    static func trainSteps(_ scale: ReproductionScale) -> Int { scale.pick(smoke: 2, quick: 20, paper: 50) }
    static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }

    static var isDebugBuild: Bool {
        #if DEBUG
            return true
        #else
            return false
        #endif
    }
}
