import ArgumentParser
import Envs

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the registered envs with their spaces.")
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable {
        var id: String
        var summary: String
        var maxEpisodeSteps: Int?
        var actionSpace: String
        var observationSpaces: [String: String]
    }

    func run() throws {
        var entries: [Entry] = []
        for r in Registry.registrations {
            var spaces: [String: String] = [:]
            var action = "", limit: Int?
            for obs in r.observationTypes {
                let env = try Registry.make(r.id, options: MakeOptions(observation: obs, timeLimit: false))
                spaces[obs] = env.observationSpace.description
                action = env.actionSpace.description
                limit = env.spec.maxEpisodeSteps
            }
            entries.append(Entry(id: r.id, summary: r.summary, maxEpisodeSteps: limit, actionSpace: action, observationSpaces: spaces))
        }
        if output.json { return try printJSON(entries) }
        for e in entries {
            print("\(e.id): \(e.summary)")
            print("  action       \(e.actionSpace)")
            for (k, v) in e.observationSpaces.sorted(by: { $0.key < $1.key }) { print("  obs \(k.padding(toLength: 9, withPad: " ", startingAt: 0)) \(v)") }
            if let l = e.maxEpisodeSteps { print("  time limit   \(l) steps") }
        }
    }
}
