import EWMIO
import Foundation

/// How `ewm-sim reproduce --shard I/N` cuts a list of parts into N shards: the parts linked by `needs` (the connected
/// components of the needs graph, taken undirected) stay together, so a shard never waits for another's files; the
/// groups go to the shards longest first, each to the shard with the least estimated seconds so far (`part.cost`;
/// ties: the lower shard), a group's cost being the sum of its parts'. The assignment depends only on the list (names,
/// needs, costs at the scale) and N: every shard of one run computes the same one, and it is stable across runs.
/// Within a shard the parts keep the list's order. With more shards than groups, some shards are empty.
public struct ReproductionSharding: Sendable {
    /// The shard of each part of the list, by index.
    public let shardOfPart: [Int]
    public let count: Int
    /// The groups closed under `needs`: indices into the list, each group in list order, groups by their first part.
    public let groups: [[Int]]

    /// Cuts `parts` (a valid list, `Reproduction.validate`) into `count` shards by their costs at `scale`.
    public init(_ parts: [ReproductionPart], scale: ReproductionScale, count: Int) {
        precondition(count >= 1, "a run has at least one shard")
        let groups = Self.groups(parts)
        let costs = groups.map { g in g.reduce(0.0) { $0 + max(0, parts[$1].cost(scale)) } }
        // Longest first; equal costs by list position, so the order is total and the same everywhere.
        let order = groups.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : groups[$0][0] < groups[$1][0] }
        var load = [Double](repeating: 0, count: count)
        var shardOfPart = [Int](repeating: 0, count: parts.count)
        for g in order {
            let shard = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            load[shard] += costs[g]
            for p in groups[g] { shardOfPart[p] = shard }
        }
        self.shardOfPart = shardOfPart
        self.count = count
        self.groups = groups
    }

    /// The indices of `shard`'s parts, in list order.
    public func parts(of shard: Int) -> [Int] { shardOfPart.indices.filter { shardOfPart[$0] == shard } }

    /// The parts of the list that `shard` runs, in list order.
    public static func select(_ parts: [ReproductionPart], scale: ReproductionScale, shard: Shard) -> [ReproductionPart] {
        ReproductionSharding(parts, scale: scale, count: shard.count).parts(of: shard.index).map { parts[$0] }
    }

    /// The connected components of the needs graph (needs taken both ways), as sorted indices, ordered by their
    /// first part. Needs that name no part of the list are ignored (`Reproduction.validate` refuses them).
    public static func groups(_ parts: [ReproductionPart]) -> [[Int]] {
        var parent = Array(parts.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { (parent[i], i) = (parent[parent[i]], parent[i]) }
            return i
        }
        let index = Dictionary(parts.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (i, part) in parts.enumerated() {
            for need in part.needs {
                guard let j = index[need] else { continue }
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var byRoot: [Int: [Int]] = [:]
        for i in parts.indices { byRoot[root(i), default: []].append(i) }
        return byRoot.values.sorted { $0[0] < $1[0] }
    }
}
