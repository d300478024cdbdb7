import Foundation

/// Several world models planned with as one. The latent is the members' latents side by side and each member
/// predicts its own part, so a planner's squared latent distance is the sum of the members' distances. A plan then
/// has to look good to every member: a search that exploits one model's errors (CEM evaluates thousands of
/// sequences per plan) finds fewer of them that all members share. rho(g) acts on each member's block, so the
/// ensemble is exactly equivariant when every member is.
///
/// Members must agree on the observation, the action, the frameskip and the previous-action convention, and have
/// vector-only latents of one dimension (rows are channel after channel, as `LoadedWorldModel` lays them out).
public final class EnsembleWorldModel: LatentWorldModel {
    public let members: [any LatentWorldModel]
    private let sizes: [Int]

    public init(_ members: [any LatentWorldModel]) throws {
        guard let first = members.first else { throw EnsembleError("an ensemble needs at least one model") }
        for (i, m) in members.enumerated() {
            guard m.observationSize == first.observationSize, m.actionSize == first.actionSize else {
                throw EnsembleError(
                    "member \(i + 1) takes \(m.observationSize) observation and \(m.actionSize) action numbers; member 1 \(first.observationSize) and \(first.actionSize)"
                )
            }
            guard m.frameskip == first.frameskip, m.observesPreviousAction == first.observesPreviousAction else {
                throw EnsembleError(
                    "member \(i + 1) was trained at frameskip \(m.frameskip)\(m.observesPreviousAction ? " with" : " without") the previous action; member 1 at \(first.frameskip)\(first.observesPreviousAction ? " with" : " without")"
                )
            }
            guard m.observesAgentVelocity == first.observesAgentVelocity else {
                throw EnsembleError(
                    "member \(i + 1) \(m.observesAgentVelocity ? "observes" : "does not observe") the agent's velocity; member 1 \(first.observesAgentVelocity ? "does" : "does not")"
                )
            }
            guard m.actionOrigin == first.actionOrigin else {
                throw EnsembleError(
                    "member \(i + 1) sees its actions \(m.actionOrigin == nil ? "as the env's" : "relative to the agent"); member 1 \(first.actionOrigin == nil ? "as the env's" : "relative to the agent")"
                )
            }
            guard m.latentRep.scalars == 0, m.latentRep.dim == first.latentRep.dim else {
                throw EnsembleError("ensemble members need vector-only latents of one dimension")
            }
        }
        self.members = members
        sizes = members.map(\.latentRep.size)
        doubleTwin = members.contains(where: { $0.doubleTwin != nil }) ? try EnsembleWorldModel(members.map { $0.doubleTwin ?? $0 }) : nil
    }

    public var latentRep: Rep { .vectors(members.reduce(0) { $0 + $1.latentRep.vectors }, dim: members[0].latentRep.dim) }
    public var observationSize: Int { members[0].observationSize }
    public var actionSize: Int { members[0].actionSize }
    public var isEquivariant: Bool { members.allSatisfy(\.isEquivariant) }
    public var frameskip: Int { members[0].frameskip }
    public var trainedEnv: String? { members[0].trainedEnv }
    public var observesPreviousAction: Bool { members[0].observesPreviousAction }
    public var actionOrigin: Int? { members[0].actionOrigin }
    public var observesAgentVelocity: Bool { members[0].observesAgentVelocity }
    /// The members' Double twins as one ensemble, when any member computes in a lower precision.
    public let doubleTwin: (any LatentWorldModel)?

    /// How many vector channels of every member carry the observation (`observedLatentChannels`), when all members
    /// agree and have some; else 0. These channels are one space shared by the members, where they can disagree.
    public var sharedObservedChannels: Int {
        let counts = Set(members.map(\.observedLatentChannels))
        return counts.count == 1 ? counts.first! : 0
    }

    /// How much the members disagree about the observation one ensemble latent row predicts: the variance across
    /// members of each number of their observation channels, summed. Rotating every channel by rho(g) rotates each
    /// member's prediction alike, so this is G-invariant and a planner may add it to an invariant cost. nil when the
    /// members share no observation channels (`sharedObservedChannels` 0) or there is only one.
    public func observationDisagreement() -> ((UnsafeBufferPointer<Double>) -> Double)? {
        let observed = sharedObservedChannels * latentRep.dim
        guard observed > 0, members.count > 1 else { return nil }
        // Where each member's observation numbers start in a row: at the end of its block.
        var starts: [Int] = []
        var offset = 0
        for size in sizes {
            offset += size
            starts.append(offset - observed)
        }
        let m = Double(members.count)
        return { row in
            var total = 0.0
            for j in 0..<observed {
                var mean = 0.0
                for s in starts { mean += row[s + j] }
                mean /= m
                for s in starts { let e = row[s + j] - mean; total += e * e }
            }
            return total / m
        }
    }

    public func encode(_ observations: [Double], batch: Int) -> [Double] {
        join(members.map { $0.encode(observations, batch: batch) }, batch: batch)
    }

    public func predict(_ latents: [Double], actions: [Double], batch: Int) -> [Double] {
        let total = sizes.reduce(0, +)
        precondition(latents.count == batch * total, "predict: \(latents.count) numbers for \(batch) x \(total)")
        var offset = 0
        var parts: [[Double]] = []
        for (m, size) in zip(members, sizes) {
            var part = [Double](repeating: 0, count: batch * size)
            for b in 0..<batch {
                part.replaceSubrange((b * size)..<((b + 1) * size), with: latents[(b * total + offset)..<(b * total + offset + size)])
            }
            parts.append(m.predict(part, actions: actions, batch: batch))
            offset += size
        }
        return join(parts, batch: batch)
    }

    /// Per sample: member 1's latent, then member 2's, ...
    private func join(_ parts: [[Double]], batch: Int) -> [Double] {
        let total = sizes.reduce(0, +)
        var out = [Double](repeating: 0, count: batch * total)
        var offset = 0
        for (part, size) in zip(parts, sizes) {
            for b in 0..<batch {
                out.replaceSubrange((b * total + offset)..<(b * total + offset + size), with: part[(b * size)..<((b + 1) * size)])
            }
            offset += size
        }
        return out
    }
}

/// Members that cannot form an ensemble.
public struct EnsembleError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
