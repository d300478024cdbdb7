import ArgumentParser
import EWMIO
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
        try emit(ReportList(reports, render: PushTOrbit.text), json: output.json)
    }
}
