import ArgumentParser
import Agents
import EWMIO
import Envs
import Experiments
import Foundation
import Parallel
import Planner
import Tensor
import Train

extension PlannerKind: ExpressibleByArgument {}
extension PushTProtocol: ExpressibleByArgument {}
extension InferencePrecision: ExpressibleByArgument {}
extension PlanCost: ExpressibleByArgument {}

/// Search settings shared by every planning command (DINO-WM's CEM defaults; MPPI as TD-MPC2).
struct SearchOptions: ParsableArguments {
    @Option(help: "CEM/MPPI samples per iteration (default: CEM 300, MPPI 512).")
    var samples: Int?
    @Option(help: "CEM/MPPI iterations per plan (default: CEM 30, MPPI 6).")
    var iterations: Int?
    @Option(help: "Planning horizon, planned actions (default: 5; 3D controllers 4).")
    var horizon: Int?
    @Option(help: "Env steps executed from each plan before replanning (default: 5; 3D controllers 1).")
    var execute: Int?
    @Option(
        help:
            "Env steps each planned action is held for (default: the model's frameskip; 5 for the oracle); a multiple of the model's frameskip. The plan looks horizon x repeat steps ahead."
    )
    var actionRepeat: Int?
    @Option(
        help:
            "Cost along a predicted rollout: min (squared latent distance of the closest predicted step to the goal), final (the last prediction only, DINO-WM), sum (mean over every predicted step + final)."
    )
    var cost: PlanCost = .min
    @Option(
        help:
            "Weight of the learned latent channels in the cost, against 1 for the channels that carry the observation (models trained with --observation-in-latent); 0 scores the predicted observation alone."
    )
    var learnedWeight: Double = 1
    @Option(
        help:
            "Ensembles (--model a,b): weight of the members' disagreement in the cost, the variance across members of the observation each predicts (models trained with --observation-in-latent), added at every predicted step. 0: none."
    )
    var disagreementWeight: Double = 0
    @Option(help: "Initial std of the sampled actions, px (default 64).")
    var initStd: Double?
    @Option(help: "CEM/MPPI elites (default: CEM 30, MPPI 64).")
    var elites: Int?
    @Flag(
        help:
            "CEM as iCEM (Pinneri et al. 2020): noise coloured along the horizon (1/f^2), 30% of the elites kept into the next iteration, samples decaying by 1.25 per iteration (down to 2 x elites), and the best sequence seen executed instead of the mean. Not for MPPI."
    )
    var icem = false
    @Option(
        help:
            "Threads for the model's forward passes (default: the cores other processes leave idle right now, at least 1). Our worker pool splits large GEMMs and elementwise kernels and OpenBLAS runs on one thread. Idle, 2 threads plan 1.3x faster than 1; with another process on one of 2 cores, 2 threads plan 4x slower."
    )
    var threads: Int?

    func validate() throws {
        if let s = samples, s < 2 { throw ValidationError("--samples must be at least 2") }
        if let i = iterations, i < 1 { throw ValidationError("--iterations must be at least 1") }
        if let e = elites, e < 1 { throw ValidationError("--elites must be at least 1") }
        if let s = initStd, !(s > 0 && s.isFinite) { throw ValidationError("--init-std must be positive") }
        if let t = threads, !(1...256).contains(t) { throw ValidationError("--threads must be in 1...256") }
        if !(learnedWeight >= 0 && learnedWeight.isFinite) { throw ValidationError("--learned-weight must be a finite number >= 0") }
        if !(disagreementWeight >= 0 && disagreementWeight.isFinite) { throw ValidationError("--disagreement-weight must be a finite number >= 0") }
        guard (horizon ?? 1) >= 1, (actionRepeat ?? 1) >= 1, (execute ?? 1) >= 1 else {
            throw ValidationError("need --horizon >= 1, --action-repeat >= 1 and --execute >= 1")
        }
    }

    /// Sets the threads for the models' forward passes (--threads, else the idle cores). Call it first, before any
    /// BLAS work: OpenBLAS's threads keep spinning for a while after a call and would count as busy cores.
    func configureThreads() {
        BLAS.setThreadCount(1)
        Compute.setThreadCount(threads ?? IdleCores.count())
    }

    var settings: SearchSettings {
        SearchSettings(
            samples: samples, iterations: iterations, horizon: horizon ?? 5, execute: execute ?? 5, actionRepeat: actionRepeat,
            cost: cost, learnedWeight: learnedWeight, disagreementWeight: disagreementWeight, initStd: initStd, elites: elites,
            improved: icem ? ImprovedCEM() : nil)
    }

    /// The flags that shape the search, as a sweep's part header records them (--threads does not change a plan).
    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("samples", samples); a.add("iterations", iterations); a.add("horizon", horizon); a.add("execute", execute)
        a.add("action-repeat", actionRepeat); a.add("cost", cost); a.add("learned-weight", learnedWeight)
        if disagreementWeight != 0 { a.add("disagreement-weight", disagreementWeight) }
        a.add("init-std", initStd)
        a.add("elites", elites); a.flag("icem", icem)
        return a.list
    }

    /// The same flags for the 3D cloud controllers (their own defaults where a flag is not given).
    var cloudSearch: SE3ClosedLoop.Search {
        var s = SE3ClosedLoop.Search()
        if let horizon { s.horizon = horizon }
        if let samples { s.samples = samples }
        if let iterations { s.iterations = iterations }
        if let execute { s.execute = execute }
        s.learnedWeight = learnedWeight
        return s
    }

    /// The controller settings for `model` in env `env` (nil, or `oracle`: the simulator plans; a model there only scores).
    func config(env: String = "pusht", model: (any LatentWorldModel)?, oracle: Bool = false) throws -> MPCConfig {
        try settings.config(env: env, model: model, oracle: oracle)
    }
}

/// Planner settings of `ewm-sim pusht`: which planner and model, and the search.
struct PlannerOptions: ParsableArguments {
    @Option(help: "Planner: equivariant (CEM in the latents' canonical frame), cem, mppi, or oracle (the simulator as model).")
    var planner: PlannerKind?
    @Option(
        help:
            "World model checkpoint (default: assets/pusht-vn-expert/checkpoint.safetensors); several separated by commas plan as an ensemble (the cost sums the members' latent distances)."
    )
    var model: String?
    @Option(
        help:
            "Protocol: goal25-expert (start and goal 25 steps apart on held-out noisy expert episodes, 50-step budget: the protocol of DINO-WM's and LeWM's PushT figures), goal25 (goal 25 steps ahead on held-out exploratory data, 50-step budget) or full (coverage > 0.95 in 300 steps)."
    )
    var `protocol`: PushTProtocol = .goal25Expert
    @OptionGroup var search: SearchOptions
    @Flag(help: "Let --planner equivariant run a model that is not equivariant by construction (its plans are then not exact).")
    var allowNonEquivariant = false
    @Flag(help: "Diagnostic: the oracle measures its cost in the latent space of --model (default model if none): exact dynamics, learned metric.")
    var oracleLatentCost = false
    @Option(
        help:
            "Diagnostic: the oracle's rollouts shift the T by a random offset of this mean length (px) after every planned action that moves it: the simulator as a model with a learned model's one-step error."
    )
    var oracleNoise: Double?
    @Flag(
        help:
            "With --oracle-noise: the offset is a fixed smooth random function of agent, action and T (systematic, like a learned model's error) instead of a fresh draw per rollout."
    )
    var oracleNoiseSmooth = false
    @Option(
        help:
            "Arithmetic of the model's forward passes while planning: double (the trained Float weights evaluated in Double) or float (the equivariant planner's frame still comes from the Double twin, so its plans do not depend on the orientation either)."
    )
    var precision: InferencePrecision = .double

    func validatePlanner() throws {
        if planner == .oracle, model != nil, !oracleLatentCost {
            throw ValidationError("the oracle plans with the simulator; --model does not apply (except with --oracle-latent-cost)")
        }
        if oracleLatentCost, planner != .oracle { throw ValidationError("--oracle-latent-cost applies to --planner oracle") }
        if let n = oracleNoise {
            guard planner == .oracle else { throw ValidationError("--oracle-noise applies to --planner oracle") }
            guard n >= 0, n.isFinite else { throw ValidationError("--oracle-noise must be a finite number >= 0") }
        }
        if oracleNoiseSmooth, oracleNoise == nil { throw ValidationError("--oracle-noise-smooth needs --oracle-noise") }
        if search.icem, planner == .mppi { throw ValidationError("--icem changes CEM; --planner mppi has its own update") }
    }
}

/// The planning mode of `ewm-sim pusht`; with a shard, its episodes i mod N = I into a part (`ewm-sim merge` joins them).
struct PlanningRun {
    let planner: PlannerOptions
    let world: WorldOptions
    let compare: Bool
    let batch: EpisodeBatch
    let timings: Bool

    /// The run's episodes and settings (no model loaded).
    var goalReaching: GoalReachingRun {
        GoalReachingRun(
            protocol: planner.protocol, orientation: world.orientation, rotation: world.rotation, planner: planner.planner!,
            episodes: batch.episodes, seed: batch.seed, compare: compare, record: batch.dump != nil || batch.render != nil,
            frameSize: batch.render != nil ? batch.frameSize : nil)
    }

    /// The model file the report names (nil for the oracle).
    var modelName: String? { planner.planner == .oracle ? nil : (planner.model ?? DefaultModel.relativePath) }

    /// Runs the episodes (`only`: a shard's) and returns them with their traces and the forward passes' threads.
    func episodes(only: [Int]? = nil) throws -> (episodes: [PlanningEpisode], traces: [Episode], threads: Int) {
        let kind = planner.planner!
        planner.search.configureThreads()
        MemoryTuning.retainFreedMemory()  // planning allocates the same large batches every iteration
        let model = kind == .oracle && !planner.oracleLatentCost ? nil : try DefaultModel.load(planner.model, precision: planner.precision)
        var config = try planner.search.config(model: model, oracle: kind == .oracle)
        config.oracleNoise = planner.oracleNoise
        config.oracleNoiseSmooth = planner.oracleNoiseSmooth
        config.allowNonEquivariantModel = planner.allowNonEquivariant
        try kind.admit(model: model, allowNonEquivariant: planner.allowNonEquivariant, name: planner.model ?? DefaultModel.relativePath)
        let progress = ProgressLine(label: "pusht \(kind.rawValue)", total: only?.count ?? batch.episodes, enabled: !batch.output.json)
        let (results, recorded) = try goalReaching.run(model: model, config: config, only: only) {
            progress.update($0.count, detail: "success \($0.filter(\.success).count)/\($0.count)")
        }
        progress.finish()
        return (results, recorded, Compute.threadCount)
    }

    func run() throws {
        let (results, recorded, threads) = try episodes()
        if let dump = batch.dump {
            try TrajectoryDump.write(recorded, orientation: world.orientation, build: world.rotation, to: URL(fileURLWithPath: dump))
        }
        if let render = batch.render { try EpisodePictures.write(recorded, env: "pusht", to: URL(fileURLWithPath: render, isDirectory: true)) }
        try emit(report(results, threads: threads), json: batch.output.json)
    }

    /// The report of the run's episodes (all of them, in order), as one process or a merge prints it.
    func report(_ results: [PlanningEpisode], threads: Int) -> GoalReachingRun.Report {
        let report = goalReaching.report(results, model: modelName, threads: threads)
        return timings ? report : GoalReachingRun.withoutTimings(report)
    }
}
