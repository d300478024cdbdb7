/// The registered envs with their spaces (`list`): each env built once per observation type.
public enum EnvCatalog {
    public struct Entry: Encodable, Sendable {
        public var id: String
        public var summary: String
        public var maxEpisodeSteps: Int?
        public var actionSpace: String
        /// Observation type -> its space.
        public var observationSpaces: [String: String]
    }

    /// Every registration, in registry order.
    public static func entries() throws -> [Entry] {
        try Registry.registrations.map { r in
            var spaces: [String: String] = [:]
            var action = "", limit: Int?
            for obs in r.observationTypes {
                let env = try Registry.make(r.id, options: MakeOptions(observation: obs, timeLimit: false))
                spaces[obs] = env.observationSpace.description
                action = env.actionSpace.description
                limit = env.spec.maxEpisodeSteps
            }
            return Entry(id: r.id, summary: r.summary, maxEpisodeSteps: limit, actionSpace: action, observationSpaces: spaces)
        }
    }
}
