import EWMIO
import Envs
import Foundation
import Planner
import Train

extension ReproductionPart {
    /// PushT's closed loop across the orientations, frame build: VN + equivariant CEM and MLP + CEM (the default
    /// pair), with the plot of success per orientation and the first controller's first episode at 0 and 0.7 rad.
    static let closedLoopPushT = ReproductionPart(
        name: "closed-loop-pusht", regenerates: "Planning: closed loop across the group, frame build [C]",
        sizes: {
            let s = closedLoopSizes($0); return "goal25, \(s.elements) orientations x \(s.episodes) tasks, \(searchDescription($0))"
        },
        cost: { $0.pick(smoke: 4.5, quick: 138.7, paper: 2800) },
        run: { context in
            configurePlanningThreads()
            let s = closedLoopSizes(context.scale)
            let evaluation = ClosedLoopEvaluation(
                env: "pusht", controllers: [], elements: s.elements, groupSeed: 11, episodes: s.episodes, protocolName: nil, rotation: .frame,
                search: search(context.scale), cloudSearch: SE3ClosedLoop.Search())
            let (report, first) = try evaluation.run { context.progress($0) }
            try PNG.write(EvaluationPlots.closedLoop(report).render(), to: context.file("plot.png"))
            var files = [PartFile("plot.png", kind: .image, caption: "success per orientation with Wilson 95% intervals")]
            if let first {
                context.progress("animation")
                let frames = try ClosedLoop.sideBySideFrames(
                    controller: first.spec, model: first.model, config: first.config, protocol: first.protocol, rotation: .frame)
                let title = "\(first.spec): orientation 0 (left) and 0.7 rad (right)"
                try HTMLAnimation.write(
                    frames: frames, fps: 10, title: title, captions: frames.indices.map { "step \($0)" }, to: context.file("animation.html"))
                try APNG.write(frames, fps: 10, to: context.file("animation.png"))
                files += [
                    PartFile("animation.html", kind: .player, caption: title),
                    PartFile("animation.png", kind: .image, caption: title + ", animated PNG"),
                ]
            }
            return PartOutput(report: report, files: files)
        })

    /// teacher3d's closed loop over the identity and seeded SE(3) samples: VN + equivariant CEM and MLP + CEM, the
    /// pair of `teacher3d-models`.
    static let closedLoop3D = ReproductionPart(
        name: "closed-loop-3d", regenerates: "3D closed loop across SE(3) [C]", needs: ["teacher3d-models"],
        sizes: {
            let s = closedLoop3DSizes($0);
            return "identity + \(s.elements - 1) SE(3) samples x \(s.episodes) tasks, CEM \(cloudSearch($0).samples) samples"
        },
        cost: { $0.pick(smoke: 0.6, quick: 14.4, paper: 360) },
        run: { context in
            configurePlanningThreads()
            let s = closedLoop3DSizes(context.scale)
            let checkpoints = teacher3DCheckpoints(context)
            let evaluation = ClosedLoopEvaluation(
                env: "teacher3d",
                controllers: [ControllerSpec(planner: .equivariant, model: checkpoints[0]), ControllerSpec(planner: .cem, model: checkpoints[1])],
                elements: s.elements, groupSeed: 11, episodes: s.episodes, protocolName: nil, rotation: .frame, search: search(context.scale),
                cloudSearch: cloudSearch(context.scale))
            let (report, _) = try evaluation.run { context.progress($0) }
            try PNG.write(EvaluationPlots.closedLoop(report).render(), to: context.file("plot.png"))
            return PartOutput(
                report: report, files: [PartFile("plot.png", kind: .image, caption: "success per group element with Wilson 95% intervals")])
        })

    static func closedLoopSizes(_ scale: ReproductionScale) -> (elements: Int, episodes: Int) {
        scale.pick(smoke: (2, 1), quick: (4, 2), paper: (16, 10))
    }

    static func closedLoop3DSizes(_ scale: ReproductionScale) -> (elements: Int, episodes: Int) {
        scale.pick(smoke: (2, 1), quick: (4, 4), paper: (17, 24))
    }

    static func cloudSearch(_ scale: ReproductionScale) -> SE3ClosedLoop.Search {
        var s = SE3ClosedLoop.Search()
        if scale == .smoke { (s.samples, s.iterations) = (16, 2) }
        return s
    }
}
