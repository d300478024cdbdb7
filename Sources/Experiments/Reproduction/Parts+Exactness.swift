import Agents
import EWMIO
import Envs
import Foundation
import Parallel
import Planner
import Tensor
import Train

extension ReproductionPart {
    /// PushT's two orbit builds: how far the env at orientation g is from the rotated canonical env.
    static let orbitPushT = ReproductionPart(
        name: "orbit-pusht", regenerates: "Orbit builds (PushT, frame and world)",
        sizes: {
            let s = orbitPlanar($0); return "\(s.elements) orientations x \(s.episodes) seeds x \(s.steps) steps"
        },
        cost: { $0.pick(smoke: 0.1, quick: 0.3, paper: 0.3) },
        run: { context in
            context.progress("pusht")
            return PartOutput(report: try orbitCheck("pusht", orbitPlanar(context.scale)))
        })

    /// The 3D worlds' orbit checks: step(g.s, g.a) against g.step(s, a), and rollouts of the world built at g.
    static let orbit3D = ReproductionPart(
        name: "orbit-3d", regenerates: "Orbit builds of the 3D worlds (SE(3))",
        sizes: {
            let s = orbitCloud($0);
            return "push3d, push3d-multi, teacher3d: \(s.elements) one-step samples, \(s.episodes) rollouts x \(s.steps) steps"
        },
        cost: { $0.pick(smoke: 0.1, quick: 0.2, paper: 2) },
        run: { context in
            var sections: [(title: String, key: String, report: any TextReport)] = []
            for env in ["push3d", "push3d-multi", "teacher3d"] {
                context.progress(env)
                sections.append((env, env, try orbitCheck(env, orbitCloud(context.scale))))
            }
            return PartOutput(report: ReportSections(sections))
        })

    /// The VN layers and the composed benchmark model: equivariance residuals at initialisation and after training,
    /// Float and Double, d = 2 and 3.
    static let vnExactness = ReproductionPart(
        name: "vn-exactness", regenerates: "Tensor core and Vector Neuron exactness [A]",
        sizes: { "d = 2 and 3, \(equivarianceSteps($0)) training steps, \($0 == .smoke ? 1 : 8) rotations and as many reflections" },
        cost: { $0.pick(smoke: 2.7, quick: 10, paper: 40) },
        run: { context in
            var sections: [(title: String, key: String, report: any TextReport)] = []
            for dim in [2, 3] {
                context.progress("d = \(dim)")
                let smoke = context.scale == .smoke
                let report = equivarianceReport(
                    dim: dim, steps: equivarianceSteps(context.scale), trainingBatch: smoke ? 8 : 64, groupSamples: smoke ? 1 : 8)
                sections.append(("d = \(dim)", "dim\(dim)", report))
            }
            return PartOutput(report: ReportSections(sections))
        })

    /// The first planned action at orientation g, rotated back, against the one at 0 (default model, Float and Double).
    static let plannerExactness = ReproductionPart(
        name: "planner-exactness", regenerates: "Planner exactness [A]",
        sizes: {
            let s = plannerSizes($0); return "\(s.orientations) orientations x \(s.states) states, \(searchDescription($0))"
        },
        cost: { $0.pick(smoke: 0.8, quick: 16.8, paper: 1700) },
        run: { context in
            let sizes = plannerSizes(context.scale)
            configurePlanningThreads()
            var reports: [PlannerExactness.Report] = []
            for precision in InferencePrecision.allCases {
                let model = try DefaultModel.load(nil, precision: precision)
                let config = try search(context.scale).config(env: "pusht", model: model)
                reports.append(
                    try PlannerExactness.measure(
                        model: model, kind: .equivariant, precision: precision.rawValue, orientations: sizes.orientations, states: sizes.states,
                        config: config, env: "pusht", progress: { context.progress("\(precision.rawValue) state \($0)/\(sizes.states)") }))
            }
            return PartOutput(report: ReportList(reports, render: PlannerExactness.text))
        })

    static func orbitCheck(_ env: String, _ settings: RunPresets.OrbitCheckSettings) throws -> any TextReport {
        guard let check = try Registry.registration(env).run.orbitCheck else { throw ReproductionError("\(env) registers no orbit check") }
        return try check(settings)
    }

    static func orbitPlanar(_ scale: ReproductionScale) -> RunPresets.OrbitCheckSettings {
        scale.pick(
            smoke: .init(elements: 2, episodes: 1, steps: 10, seed: 0), quick: .init(elements: 8, episodes: 4, steps: 100, seed: 0),
            paper: .init(elements: 8, episodes: 4, steps: 100, seed: 0))
    }

    static func orbitCloud(_ scale: ReproductionScale) -> RunPresets.OrbitCheckSettings {
        scale.pick(
            smoke: .init(elements: 4, episodes: 1, steps: 5, seed: 0), quick: .init(elements: 100, episodes: 4, steps: 20, seed: 0),
            paper: .init(elements: 1000, episodes: 4, steps: 50, seed: 0))
    }

    static func equivarianceSteps(_ scale: ReproductionScale) -> Int { scale.pick(smoke: 2, quick: 50, paper: 200) }

    static func plannerSizes(_ scale: ReproductionScale) -> (orientations: Int, states: Int) {
        scale.pick(smoke: (2, 1), quick: (4, 2), paper: (16, 50))
    }

    /// The planar planners' search: DINO-WM's CEM defaults, cut to a toy search at the smoke scale.
    static func search(_ scale: ReproductionScale) -> SearchSettings {
        scale == .smoke ? SearchSettings(samples: 16, iterations: 2) : SearchSettings()
    }

    static func searchDescription(_ scale: ReproductionScale) -> String {
        scale == .smoke ? "CEM 16 samples x 2 iterations" : "CEM 300 samples x 30 iterations"
    }

    /// As the planning commands: the model's passes on our worker pool over the idle cores, OpenBLAS on one thread.
    static func configurePlanningThreads() {
        BLAS.setThreadCount(1)
        Compute.setThreadCount(IdleCores.count())
        MemoryTuning.retainFreedMemory()
    }
}
