/// The registered envs with their spaces (`list`): each env built once per observation type.
public enum EnvCatalog {
    public struct Entry: Encodable, Sendable {
        public var id: String
        public var summary: String
        public var maxEpisodeSteps: Int?
        /// Machine-readable (dtype, shape, exact bounds); `BoxSpace.description` is the display form.
        public var actionSpace: SpaceDescription
        /// Observation type -> its space.
        public var observationSpaces: [String: SpaceDescription]
        /// The display forms (`Box(0, 512, shape [2], float64)`), for tables; not part of the JSON.
        public var actionSpaceText: String
        public var observationSpaceTexts: [String: String]

        private enum CodingKeys: String, CodingKey { case id, summary, maxEpisodeSteps, actionSpace, observationSpaces }
    }

    /// Every registration, in registry order.
    public static func entries() throws -> [Entry] {
        try Registry.registrations.map { r in
            var spaces: [String: BoxSpace] = [:]
            var action: BoxSpace?, limit: Int?
            for obs in r.observationTypes {
                let env = try Registry.make(r.id, options: MakeOptions(observation: obs, timeLimit: false))
                spaces[obs] = env.observationSpace
                action = env.actionSpace
                limit = env.spec.maxEpisodeSteps
            }
            let a = action ?? BoxSpace(low: [], high: [])
            return Entry(
                id: r.id, summary: r.summary, maxEpisodeSteps: limit, actionSpace: SpaceDescription(a),
                observationSpaces: spaces.mapValues(SpaceDescription.init), actionSpaceText: a.description,
                observationSpaceTexts: spaces.mapValues(\.description))
        }
    }
}
