import ArgumentParser
import Envs
import Foundation

struct CheckOrbit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orbit",
        abstract: "How exactly PushT at orientation theta is the rotated canonical PushT, in both builds.",
        discussion: "Deviation = max over T keypoints and agent of |g^-1 obs_theta(t) - obs_0(t)| in px, scripted pusher, same seeds.")

    @Option(help: "Number of orientations, evenly spaced over the circle (0 excluded).")
    var orientations: Int = 8
    @Option(help: "Episodes (seeds 0..<n) per orientation.")
    var seeds: Int = 4
    @Option(help: "Steps per episode.")
    var steps: Int = 100
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard orientations > 0, seeds > 0, steps > 0 else { throw ValidationError("--orientations, --seeds and --steps must be positive") }
    }

    func run() throws {
        let reports = try PushTOrbit.sweep(orientations: orientations, seeds: seeds, steps: steps)
        if output.json { return try printJSON(reports) }
        let checkpoints = [1, min(50, steps), steps]
        print(
            table(
                ["build", "theta"] + checkpoints.map { "max dev @\($0) (px)" } + ["median @\(steps)"],
                reports.map { r in
                    [r.build, fmt(r.orientation)] + checkpoints.map { String(format: "%.3g", r.maxDeviation(atStep: $0)) }
                        + [String(format: "%.3g", r.medianDeviationByStep[steps])]
                }))
        for build in RotationBuild.allCases {
            let worst = reports.filter { $0.build == build.rawValue }.map(\.maxDeviation).max() ?? 0
            print("\(build.rawValue): worst deviation over all orientations and steps \(String(format: "%.3g", worst)) px")
        }
    }
}
