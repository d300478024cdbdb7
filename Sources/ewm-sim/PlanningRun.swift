import ArgumentParser
import Agents
import EWMIO
import Envs
import Foundation
import Planner
import Tensor
import Train

extension PlannerKind: ExpressibleByArgument {}
extension PushTProtocol: ExpressibleByArgument {}
extension InferencePrecision: ExpressibleByArgument {}
extension PlanCost: ExpressibleByArgument {}

/// Where the default PushT planning model lives: `assets/` of the working directory, else of the source tree.
/// It is the VN model trained at DINO-WM's frameskip 5 (`assets/pusht-vn-fs5`); `assets/pusht-vn` is the
/// one-step model of the across-group measurements.
enum DefaultModel {
    static let relativePath = "assets/pusht-vn-fs5/checkpoint.safetensors"
    /// The MLP baseline trained the same way (`eval closed-loop`'s default comparison).
    static let baselinePath = "assets/pusht-mlp-fs5/checkpoint.safetensors"
    /// Env steps per planned action for the oracle, which has no model to take a frameskip from (DINO-WM's 5).
    static let oracleFrameskip = 5

    /// The default model's file; `relative` = `baselinePath` for the baseline's.
    static func url(_ relative: String = relativePath) throws -> URL {
        let candidates = [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(relative)").standardized,
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw CLIError("no --model given and the default model \(relative) is not there (looked in \(candidates.map { $0.path }))")
        }
        return found
    }

    /// The checkpoint at `path` (nil: the default model); several paths separated by commas load an ensemble.
    static func load(_ path: String?, precision: InferencePrecision) throws -> any LatentWorldModel {
        guard let path else { return try loadWorldModel(checkpoint: url(), precision: precision) }
        let paths = path.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let models = try paths.map { p -> any LatentWorldModel in
            guard !p.isEmpty, FileManager.default.fileExists(atPath: p) else { throw CLIError("no such model file: '\(p)'") }
            return try loadWorldModel(checkpoint: URL(fileURLWithPath: p), precision: precision)
        }
        if models.count == 1 { return models[0] }
        do { return try EnsembleWorldModel(models) } catch let e as EnsembleError { throw CLIError("--model \(path): \(e.description)") }
    }
}

/// The cores that other processes leave idle right now: over 200 ms, the idle CPU time plus this process's own
/// (from /proc/stat and /proc/self/stat; OpenBLAS's threads spin for a while after start-up) as a share of all CPU
/// time, times the core count, rounded, at least 1; all cores where /proc is unreadable. Fork-join parallel work
/// is only as fast as its slowest thread, so a thread on a core that another process holds slows every plan down.
func idleCores(sampling interval: TimeInterval = 0.2) -> Int {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    func times() -> (free: Double, total: Double)? {
        guard let all = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = all.split(separator: "\n").first, line.hasPrefix("cpu "),
              let own = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = own.lastIndex(of: ")") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let mine = own[own.index(after: close)...].split(separator: " ")
        guard fields.count >= 5, mine.count >= 13, let user = Double(mine[11]), let system = Double(mine[12]) else { return nil }
        return (fields[3] + fields[4] + user + system, fields.reduce(0, +))   // idle + iowait + own, all
    }
    guard let a = times() else { return cores }
    Thread.sleep(forTimeInterval: interval)
    guard let b = times(), b.total > a.total else { return cores }
    let freeShare = min(1, (b.free - a.free) / (b.total - a.total))
    return max(1, min(cores, Int((freeShare * Double(cores)).rounded())))
}

/// Search settings shared by every planning command (DINO-WM's CEM defaults; MPPI as TD-MPC2).
struct SearchOptions: ParsableArguments {
    @Option(help: "CEM/MPPI samples per iteration (default: CEM 300, MPPI 512).")
    var samples: Int?
    @Option(help: "CEM/MPPI iterations per plan (default: CEM 30, MPPI 6).")
    var iterations: Int?
    @Option(help: "Planning horizon, planned actions.")
    var horizon: Int = 5
    @Option(help: "Env steps executed from each plan before replanning.")
    var execute: Int = 5
    @Option(help: "Env steps each planned action is held for (default: the model's frameskip; 5 for the oracle); a multiple of the model's frameskip. The plan looks horizon x repeat steps ahead.")
    var actionRepeat: Int?
    @Option(help: "Cost along a predicted rollout: min (squared latent distance of the closest predicted step to the goal), final (the last prediction only, DINO-WM), sum (mean over every predicted step + final).")
    var cost: PlanCost = .min
    @Option(help: "Weight of the learned latent channels in the cost, against 1 for the channels that carry the observation (models trained with --observation-in-latent); 0 scores the predicted observation alone.")
    var learnedWeight: Double = 1
    @Option(help: "Initial std of the sampled actions, px (default 64).")
    var initStd: Double?
    @Option(help: "CEM/MPPI elites (default: CEM 30, MPPI 64).")
    var elites: Int?
    @Option(help: "Threads for the model's forward passes (default: the cores other processes leave idle right now, at least 1). Our worker pool splits large GEMMs and elementwise kernels and OpenBLAS runs on one thread. Idle, 2 threads plan 1.3x faster than 1; with another process on one of 2 cores, 2 threads plan 4x slower.")
    var threads: Int?

    func validate() throws {
        if let s = samples, s < 2 { throw ValidationError("--samples must be at least 2") }
        if let i = iterations, i < 1 { throw ValidationError("--iterations must be at least 1") }
        if let e = elites, e < 1 { throw ValidationError("--elites must be at least 1") }
        if let s = initStd, !(s > 0 && s.isFinite) { throw ValidationError("--init-std must be positive") }
        if let t = threads, !(1...256).contains(t) { throw ValidationError("--threads must be in 1...256") }
        if !(learnedWeight >= 0 && learnedWeight.isFinite) { throw ValidationError("--learned-weight must be a finite number >= 0") }
        guard horizon >= 1, (actionRepeat ?? 1) >= 1, execute >= 1 else {
            throw ValidationError("need --horizon >= 1, --action-repeat >= 1 and --execute >= 1")
        }
    }

    /// Sets the threads for the models' forward passes (--threads, else the idle cores). Call it first, before any
    /// BLAS work: OpenBLAS's threads keep spinning for a while after a call and would count as busy cores.
    func configureThreads() {
        BLAS.setThreadCount(1)
        Compute.setThreadCount(threads ?? idleCores())
    }

    /// The controller settings for `model` (nil, or `oracle`: the simulator plans; a model there only scores).
    func config(model: (any LatentWorldModel)?, oracle: Bool = false) throws -> MPCConfig {
        if learnedWeight != 1, (model?.observedLatentChannels ?? 0) == 0 {
            throw CLIError("--learned-weight needs a model whose latent carries the observation (trained with --observation-in-latent)")
        }
        let frameskip = oracle ? nil : model?.frameskip
        let skip = frameskip ?? 1
        let repeatSteps = actionRepeat ?? frameskip ?? DefaultModel.oracleFrameskip
        guard repeatSteps % skip == 0 else {
            throw CLIError("--action-repeat \(repeatSteps) is not a multiple of the model's frameskip \(skip)")
        }
        guard execute <= horizon * repeatSteps else {
            throw CLIError("--execute \(execute) is more than the plan's \(horizon) x \(repeatSteps) env steps")
        }
        var c = try MPCConfig(env: "pusht")
        c.cem.horizon = horizon
        c.mppi.horizon = horizon
        c.executeSteps = execute
        c.actionRepeat = repeatSteps
        if let s = samples { c.cem.samples = s; c.mppi.samples = s; c.cem.elites = min(c.cem.elites, s); c.mppi.elites = min(c.mppi.elites, s) }
        if let i = iterations { c.cem.iterations = i; c.mppi.iterations = i }
        if let e = elites { c.cem.elites = min(e, c.cem.samples); c.mppi.elites = min(e, c.mppi.samples) }
        if let s = initStd { c.cem.initialStd = s; c.mppi.initialStd = s }
        c.cost = cost
        c.learnedChannelWeight = learnedWeight
        return c
    }
}

/// Planner settings of `ewm-sim pusht`: which planner and model, and the search.
struct PlannerOptions: ParsableArguments {
    @Option(help: "Planner: equivariant (CEM in the latents' canonical frame), cem, mppi, or oracle (the simulator as model).")
    var planner: PlannerKind?
    @Option(help: "World model checkpoint (default: assets/pusht-vn-fs5/checkpoint.safetensors); several separated by commas plan as an ensemble (the cost sums the members' latent distances).")
    var model: String?
    @Option(help: "Protocol: goal25 (goal 25 steps ahead on held-out data, 50-step budget) or full (coverage > 0.95 in 300 steps).")
    var `protocol`: PushTProtocol = .goal25
    @OptionGroup var search: SearchOptions
    @Flag(help: "Diagnostic: the oracle measures its cost in the latent space of --model (default model if none): exact dynamics, learned metric.")
    var oracleLatentCost = false
    @Option(help: "Diagnostic: the oracle's rollouts shift the T by a random offset of this mean length (px) after every planned action that moves it: the simulator as a model with a learned model's one-step error.")
    var oracleNoise: Double?
    @Flag(help: "With --oracle-noise: the offset is a fixed smooth random function of agent, action and T (systematic, like a learned model's error) instead of a fresh draw per rollout.")
    var oracleNoiseSmooth = false
    @Option(help: "Arithmetic of the model's forward passes while planning: double (the trained Float weights evaluated in Double) or float (the equivariant planner's frame still comes from the Double twin, so its plans do not depend on the orientation either).")
    var precision: InferencePrecision = .double

    func validatePlanner() throws {
        if planner == .oracle, model != nil, !oracleLatentCost { throw ValidationError("the oracle plans with the simulator; --model does not apply (except with --oracle-latent-cost)") }
        if oracleLatentCost, planner != .oracle { throw ValidationError("--oracle-latent-cost applies to --planner oracle") }
        if let n = oracleNoise {
            guard planner == .oracle else { throw ValidationError("--oracle-noise applies to --planner oracle") }
            guard n >= 0, n.isFinite else { throw ValidationError("--oracle-noise must be a finite number >= 0") }
        }
        if oracleNoiseSmooth, oracleNoise == nil { throw ValidationError("--oracle-noise-smooth needs --oracle-noise") }
    }
}

/// The planning mode of `ewm-sim pusht`.
struct PlanningRun {
    let planner: PlannerOptions
    let world: WorldOptions
    let episodes: Int
    let seed: UInt64
    let compare: Bool
    let dump: String?
    let render: String?
    let frameSize: Int
    let json: Bool

    struct Report: Encodable {
        var orientation: Double
        var rotation: String
        var planner: String
        var model: String?
        var `protocol`: String
        var successRate: Double
        var successInterval95: [Double]
        var meanFinalCoverage: Double
        var meanSteps: Double
        var secondsPerPlan: Double
        /// Threads of the models' forward passes (`--threads`, else the idle cores at the start).
        var threads: Int
        var degenerateFrames: Int
        /// max over episodes and steps of |g^-1 traj_theta(t) - traj_0(t)| (px), if measured.
        var maxDeviation: Double?
        var episodes: [PlanningEpisode]
    }

    func run() throws {
        let kind = planner.planner!
        planner.search.configureThreads()
        MemoryTuning.retainFreedMemory()  // planning allocates the same large batches every iteration
        let model = kind == .oracle && !planner.oracleLatentCost ? nil : try DefaultModel.load(planner.model, precision: planner.precision)
        var config = try planner.search.config(model: model, oracle: kind == .oracle)
        config.oracleNoise = planner.oracleNoise
        config.oracleNoiseSmooth = planner.oracleNoiseSmooth
        let record = dump != nil || render != nil
        var results: [PlanningEpisode] = []
        var recorded: [Episode] = []
        let progress = ProgressLine(label: "pusht \(kind.rawValue)", total: episodes, enabled: !json)
        for i in 0..<episodes {
            let s = seed &+ UInt64(i)
            var (episode, trace) = try PushTPlanning.episode(
                protocol: planner.protocol, index: Int(s), seed: s, theta: world.orientation, rotation: world.rotation,
                kind: kind, model: model, config: config, record: record, frameSize: render != nil ? frameSize : nil)
            if compare && world.orientation != 0 {
                let (seen, _) = try PushTPlanning.episode(
                    protocol: planner.protocol, index: Int(s), seed: s, theta: 0, rotation: world.rotation,
                    kind: kind, model: model, config: config)
                episode.deviation = PushTPlanning.deviation(episode.trajectory, from: seen.trajectory, theta: world.orientation)
            }
            results.append(episode)
            if let trace { recorded.append(trace) }
            progress.update(i + 1, detail: "success \(results.filter(\.success).count)/\(results.count)")
        }
        progress.finish()
        if let dump { try TrajectoryDump.write(recorded, orientation: world.orientation, build: world.rotation, to: URL(fileURLWithPath: dump)) }
        if let render { try TrajectoryDump.writePictures(recorded, to: URL(fileURLWithPath: render, isDirectory: true)) }
        let successes = results.filter(\.success).count
        let ci = wilsonInterval(successes: successes, trials: results.count)
        let plans = results.map(\.plans).reduce(0, +)
        let report = Report(
            orientation: world.orientation, rotation: world.rotation.rawValue, planner: kind.rawValue,
            model: kind == .oracle ? nil : (planner.model ?? DefaultModel.relativePath), protocol: planner.protocol.rawValue,
            successRate: Double(successes) / Double(results.count), successInterval95: [ci.low, ci.high],
            meanFinalCoverage: results.map(\.finalCoverage).reduce(0, +) / Double(results.count),
            meanSteps: Double(results.map(\.steps).reduce(0, +)) / Double(results.count),
            secondsPerPlan: plans == 0 ? 0 : results.map { $0.secondsPerPlan * Double($0.plans) }.reduce(0, +) / Double(plans),
            threads: Compute.threadCount,
            degenerateFrames: results.map(\.degenerateFrames).reduce(0, +),
            maxDeviation: results.compactMap(\.deviation).max(), episodes: results)
        if json { return try printJSON(report) }
        print("pusht \(report.protocol) at orientation \(world.orientation) (\(world.rotation.rawValue) build), planner \(kind.rawValue)\(report.model.map { ", model \($0)" } ?? "")")
        print(table(["seed", "success", "steps", "final cov", "s/plan", "deviation (px)"], results.map {
            [String($0.seed), $0.success ? "yes" : "no", String($0.steps), fmt($0.finalCoverage), fmt($0.secondsPerPlan, 3),
             $0.deviation.map { String(format: "%.3g", $0) } ?? "-"]
        }))
        print("success \(successes)/\(results.count) = \(fmt(report.successRate, 2)) (95% CI \(fmt(ci.low, 2))-\(fmt(ci.high, 2)))  mean final coverage \(fmt(report.meanFinalCoverage))  \(fmt(report.secondsPerPlan, 3)) s/plan (\(report.threads) thread\(report.threads == 1 ? "" : "s"))  degenerate frames \(report.degenerateFrames)")
        if let d = report.maxDeviation { print("trajectory deviation from the seen orientation (rotated back): max \(String(format: "%.3g", d)) px") }
    }
}
