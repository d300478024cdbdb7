import ArgumentParser
import EWMIO
import Envs
import Experiments
import Foundation
import Planner
import Tensor
import Train

extension ControllerSpec: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

struct EvalClosedLoop: ShardedSweep {
    static let configuration = CommandConfiguration(
        commandName: "closed-loop",
        abstract: "Closed-loop success of planners across the env's symmetry group, with 95% intervals.",
        discussion: """
            Any registered env with a goal protocol. Planar worlds (pusht): --elements orientations evenly spaced over
            the circle; 3D cloud worlds (teacher3d, push3d, push3d-multi): the identity and --elements - 1 seeded SE(3)
            samples. Each --controller is planner[:model], e.g. equivariant (default VN model),
            cem:assets/pusht-mlp-expert/checkpoint.safetensors, oracle; 3D: equivariant:CHECKPOINT or cem:CHECKPOINT. Per controller and element: success with its Wilson 95%
            interval, the mean final figure, time per plan and the largest trajectory deviation from the identity's run of
            the same task, mapped back. Per controller: success at the identity, off the model's training slice and over
            all elements with intervals, max - min across elements, and a chi-square homogeneity test (p > 0.05: no
            evidence against flat).
            """)

    @Option(help: "Env id: any registered env with world-model adapters and a goal protocol.") var env: String = "pusht"
    @Option(name: .customLong("controller"), help: "planner[:model]; repeat to compare (pusht default: equivariant and cem with the MLP).")
    var controllers: [ControllerSpec] = []
    @Option(name: [.customLong("elements"), .customLong("orientations")], help: "Group elements swept, the identity included.")
    var elements: Int = 16
    @Option(help: "Seed of the sampled elements (SE(3)).") var groupSeed: UInt64 = 11
    @Option(help: "Episodes (tasks) per element.") var episodes: Int = 50
    @Option(
        help:
            "The env's goal protocol (pusht: goal25, goal25-expert or full; teacher3d: offset-goal; push3d: scripted-goal or scripted-segment; default: the env's first)."
    ) var `protocol`: String?
    @Option(help: "frame (exact) or world (the simulated world rotated; planar worlds).") var rotation: RotationBuild = .frame
    @OptionGroup var search: SearchOptions
    @Flag(help: "Let the equivariant planner run a model that is not equivariant by construction (a warning says its plans are not exact).")
    var allowNonEquivariant = false
    @Option(help: "Write a plot of success per element here (.png).") var plot: String?
    @Option(help: "Planar worlds: an animation of the first controller's first episode at two orientations side by side (.html).")
    var animation: String?
    @OptionGroup var sharding: ShardOptions
    @OptionGroup var output: OutputOptions

    static let sweepName = "eval closed-loop"

    var sweepArguments: [String] {
        var a = SweepArguments()
        a.add("env", env)
        for c in controllers { a.add("controller", c.description) }
        a.add("elements", elements); a.add("group-seed", groupSeed); a.add("episodes", episodes); a.add("protocol", self.protocol)
        a.add("rotation", rotation); a.append(search.sweepArguments); a.flag("allow-non-equivariant", allowNonEquivariant)
        a.append(sharding.sweepArguments)
        return a.list
    }

    func validate() throws {
        guard elements >= 2, episodes >= 1 else { throw ValidationError("--elements must be at least 2 and --episodes positive") }
        if let p = plot, !p.hasSuffix(".png") { throw ValidationError("--plot needs a .png path") }
        if let a = animation, !a.hasSuffix(".html") { throw ValidationError("--animation needs a .html path") }
    }

    var evaluation: ClosedLoopEvaluation {
        var evaluation = ClosedLoopEvaluation(
            env: env, controllers: controllers, elements: elements, groupSeed: groupSeed, episodes: episodes, protocolName: self.protocol,
            rotation: rotation, search: search.settings, cloudSearch: search.cloudSearch)
        evaluation.allowNonEquivariant = allowNonEquivariant
        evaluation.timings = !sharding.noTimings
        return evaluation
    }

    func run() throws {
        let shard = try sharding.resolved()
        if shard != nil, plot != nil || animation != nil {
            throw CLIError("a shard writes its part only: draw --plot with `ewm-sim merge DIR --plot FILE`; --animation runs without --shard")
        }
        search.configureThreads()
        MemoryTuning.retainFreedMemory()
        let evaluation = self.evaluation
        let units = (shard ?? .whole).units(of: evaluation.grid.total)
        let progress = ProgressLine(label: "closed loop", total: units.count, enabled: !output.json)
        var done = 0
        let (part, first) = try evaluation.runPart(units: units) {
            done += 1
            progress.update(done, detail: $0)
        }
        progress.finish()
        if let shard {
            return try writePart(
                part, shard: shard, units: evaluation.grid.total, to: try sharding.partsDirectory(for: shard), quiet: output.json)
        }
        let report = try evaluation.assemble([part])
        if let plot { try PNG.write(EvaluationPlots.closedLoop(report).render(), to: URL(fileURLWithPath: plot)) }
        if let animation {
            guard let first else { throw CLIError("--animation draws planar worlds; \(env) is not one") }
            let frames = try ClosedLoop.sideBySideFrames(
                controller: first.spec, model: first.model, config: first.config, protocol: first.protocol, rotation: rotation)
            try HTMLAnimation.write(
                frames: frames, fps: 10, title: "\(first.spec): orientation 0 (left) and 0.7 rad (right)",
                captions: frames.indices.map { "step \($0)" }, to: URL(fileURLWithPath: animation))
        }
        try emit(report, json: output.json)
    }

    func merge(_ directory: URL, options: MergeOptions) throws {
        let report = try evaluation.assemble(try ShardParts.read(directory, as: ClosedLoopPart.self).map(\.body))
        if let plot = options.plot { try PNG.write(EvaluationPlots.closedLoop(report).render(), to: URL(fileURLWithPath: plot)) }
        try emit(report, json: options.output.json)
    }
}
