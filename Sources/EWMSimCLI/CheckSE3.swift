import ArgumentParser
import EWMIO
import Envs
import Foundation

struct CheckSE3: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "se3",
        abstract: "How exactly the 3D worlds' dynamics commute with SE(3): step(g.s, g.a) = g.step(s, a).",
        discussion: """
            Residual = max over scene points (collision sphere centres and pusher; teacher3d: the cloud) of
            |step(g.s, g.a) - g.step(s, a)| / 1 m, g from the SE(3) ladder's top rung (uniform rotation, translation
            in the unit ball). One step: states after 5-40 policy steps from seeded resets (noisy scripted pusher:
            most samples in contact). Rollout: the world built transformed (reset to g.s0) driven by g.a_t against
            the canonical episode, residual after each step.
            Example: ewm-sim check se3 --samples 500 --steps 50
            """)

    @Option(help: "Envs to measure (comma separated).")
    var envs: String = "push3d,push3d-multi,teacher3d"
    @Option(help: "One-step samples per env (one random g each).")
    var samples: Int = 200
    @Option(help: "Rollout episodes per env (one random g each).")
    var episodes: Int = 8
    @Option(help: "Steps per rollout episode.")
    var steps: Int = 50
    @Option(help: "Seed of states, actions and group elements.")
    var seed: UInt64 = 0
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard samples > 0, episodes >= 0, steps > 0 else { throw ValidationError("--samples and --steps must be positive, --episodes >= 0") }
    }

    func run() throws {
        let ids = envs.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var reports: [SE3Check.Report] = []
        let progress = ProgressLine(label: "check se3", total: ids.count, enabled: !output.json)
        for (i, id) in ids.enumerated() {
            reports.append(try SE3Check.measure(env: id, samples: samples, episodes: episodes, steps: steps, seed: seed))
            progress.update(i + 1, detail: id)
        }
        progress.finish()
        try emit(ReportList(reports, render: SE3Check.text), json: output.json)
    }
}
