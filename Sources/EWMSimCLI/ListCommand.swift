import ArgumentParser
import Envs

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the registered envs with their spaces.",
        discussion: "--json gives each space machine-readable: type, dtype, shape, low and high as exact numbers.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let entries = try EnvCatalog.entries()
        if output.json { return try printJSON(entries) }
        for e in entries {
            print("\(e.id): \(e.summary)")
            print("  action       \(e.actionSpaceText)")
            for (k, v) in e.observationSpaceTexts.sorted(by: { $0.key < $1.key }) {
                print("  obs \(k.padding(toLength: 9, withPad: " ", startingAt: 0)) \(v)")
            }
            if let l = e.maxEpisodeSteps { print("  time limit   \(l) steps") }
        }
    }
}
