import Envs
import Foundation
import Testing

/// Every registered env's `step` under random and adversarial actions (NaN, infinities, huge finite numbers, wrong
/// lengths), in every observation type and both orientation builds. Invariants per case:
/// - no crash, no hang (steps are bounded);
/// - a non-finite or wrongly sized action is an error (`EnvError.invalidAction`), never a success;
/// - every accepted step's observation, reward and info are finite;
/// - a rejected action leaves the env unchanged: a twin fed only the accepted actions gives the same observations;
/// - the caller's action array is unchanged.
@Suite struct EnvStepFuzzTests {
    static let configurations: [(id: String, observation: String, theta: Double, build: RotationBuild)] = Registry.ids.flatMap { id in
        (try! Registry.registration(id)).observationTypes.flatMap { obs in
            [(id, obs, 0.0, RotationBuild.frame), (id, obs, 0.7, .frame), (id, obs, 0.7, .world)]
        }
    }

    @Test func everyEnvStepKeepsItsInvariants() throws {
        let casesPerConfiguration = fuzzCases(40)
        var stepped = 0, rejected = 0
        for (c, config) in Self.configurations.enumerated() {
            let options = MakeOptions(observation: config.observation, orientation: config.theta, rotation: config.build, timeLimit: false)
            let probe = try Registry.make(config.id, options: options), twin = try Registry.make(config.id, options: options)
            let n = probe.actionSpace.count
            let typical = probe.actionSpace.low[0]...probe.actionSpace.high[0]
            let steps = config.observation == "pixels" ? 2 : 5
            for index in 0..<casesPerConfiguration {
                var fuzz = Fuzz(seed: 0xE2F0 + UInt64(c), index: index)
                let seed = UInt64(fuzz.int(0...1_000_000))
                let start = try probe.reset(seed: seed).observation
                #expect(try twin.reset(seed: seed).observation == start)
                for _ in 0..<steps {
                    let length = fuzz.chance(0.85) ? n : fuzz.pick([0, n - 1, n + 1, n + 5])
                    let action = (0..<length).map { _ in fuzz.double(typical: typical, nonFinite: fuzz.chance(0.3)) }
                    let copy = action
                    let bad = action.count != n || action.contains { !$0.isFinite }
                    do {
                        let r = try probe.step(action)
                        stepped += 1
                        let where_ = "\(config) case \(index) action \(action)"
                        #expect(!bad, "a bad action was accepted: \(where_)")
                        #expect(r.observation.isFinite && r.reward.isFinite && r.info.isFinite, "non-finite outcome: \(where_)")
                        #expect(try twin.step(action).observation == r.observation, "probe and twin diverged: \(where_)")
                    } catch let error as EnvError {
                        rejected += 1
                        guard case .invalidAction(let message) = error else {
                            Issue.record("\(config) case \(index): \(error) is not invalidAction")
                            continue
                        }
                        #expect(!message.isEmpty)
                    }
                    #expect(action == copy || action.contains { $0.isNaN })
                }
                // After all that, both still agree on a plain step.
                let plain = probe.actionSpace.sample(using: &fuzz.rng)
                #expect(
                    try probe.step(plain).observation == twin.step(plain).observation, "\(config) case \(index): rejected actions changed the env")
            }
        }
        print(
            "env step fuzz: \(Self.configurations.count) configurations x \(casesPerConfiguration) cases: \(stepped) steps taken, \(rejected) rejected"
        )
    }
}
