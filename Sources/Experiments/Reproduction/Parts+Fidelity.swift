import EWMIO
import Envs
import Foundation

extension ReproductionPart {
    /// PushT against gym-pusht 0.1.8's fixtures: the same checks at every scale (the fixtures are fixed).
    static let fidelity = ReproductionPart(
        name: "fidelity", regenerates: "PushT fidelity against gym-pusht 0.1.8",
        sizes: { _ in "every case of the five reference fixtures" },
        cost: { $0.pick(smoke: 3.5, quick: 0.9, paper: 0.9) },
        run: { context in
            let directory = try context.settings.fixturesDirectory()
            let report = try PushTFidelity.run(fixtures: directory) { context.progress("fixture \($0)/5") }
            return PartOutput(report: report)
        })
}
