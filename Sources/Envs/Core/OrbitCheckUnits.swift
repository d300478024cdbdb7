import EWMIO
import Foundation

/// An env's orbit check (`check orbit`) cut into units that shards can share: how many units the settings make, one
/// unit's figures (a vector of numbers; its meaning is the check's own), and the report folded from all units' figures.
/// Each unit depends on the settings and its number alone, so units measured apart fold into the report one process
/// gives (`run`).
public struct OrbitCheckUnits: Sendable {
    public typealias Settings = RunPresets.OrbitCheckSettings

    public var count: @Sendable (Settings) -> Int
    public var measure: @Sendable (Settings, Int) throws -> [Double]
    public var report: @Sendable (Settings, [[Double]]) throws -> any TextReport

    public init(
        count: @escaping @Sendable (Settings) -> Int, measure: @escaping @Sendable (Settings, Int) throws -> [Double],
        report: @escaping @Sendable (Settings, [[Double]]) throws -> any TextReport
    ) {
        self.count = count; self.measure = measure; self.report = report
    }

    /// The whole check in this process.
    public func run(_ settings: Settings) throws -> any TextReport {
        try report(settings, (0..<count(settings)).map { try measure(settings, $0) })
    }
}

extension PushTOrbit {
    /// `check orbit` on PushT by units: unit u = (build u / n, orientation 2 pi (u mod n + 1) / (n + 1)), builds in
    /// `RotationBuild.allCases` order; a unit's figures are its max, then its median deviation per step.
    public static let units = OrbitCheckUnits(
        count: { RotationBuild.allCases.count * $0.elements },
        measure: { s, u in
            let (build, theta) = unit(u, s)
            let r = try measure(orientation: theta, build: build, seeds: (0..<s.episodes).map(UInt64.init), steps: s.steps)
            return r.maxDeviationByStep + r.medianDeviationByStep
        },
        report: { s, figures in
            ReportList(
                figures.enumerated().map { u, f in
                    let (build, theta) = unit(u, s)
                    return Report(
                        orientation: theta, build: build.rawValue, episodes: s.episodes, steps: s.steps,
                        maxDeviationByStep: Array(f[..<(s.steps + 1)]), medianDeviationByStep: Array(f[(s.steps + 1)...]))
                }, render: text)
        })

    static func unit(_ u: Int, _ s: OrbitCheckUnits.Settings) -> (RotationBuild, Double) {
        (RotationBuild.allCases[u / s.elements], 2 * Double.pi * Double(u % s.elements + 1) / Double(s.elements + 1))
    }
}
