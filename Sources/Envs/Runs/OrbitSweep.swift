import EWMIO

extension PushTOrbit {
    /// `check orbit`: `orientations` angles evenly spaced over the circle with 0 excluded (2 pi k / (n + 1),
    /// k = 1...n), in every build (frame first), each measured over seeds 0..<`seeds` for `steps` steps.
    public static func sweep(orientations: Int, seeds: Int, steps: Int) throws -> [Report] {
        var reports: [Report] = []
        for build in RotationBuild.allCases {
            for k in 1...orientations {
                let theta = 2 * Double.pi * Double(k) / Double(orientations + 1)
                reports.append(try measure(orientation: theta, build: build, seeds: (0..<seeds).map(UInt64.init), steps: steps))
            }
        }
        return reports
    }

    /// The deviation table of `reports` (at step 1, 50 and the last) and the worst deviation of each build.
    public static func text(_ reports: [Report]) -> String {
        let steps = reports.first?.steps ?? 0
        let checkpoints = [1, min(50, steps), steps]
        let table = TextTable.render(
            ["build", "theta"] + checkpoints.map { "max dev @\($0) (px)" } + ["median @\(steps)"],
            reports.map { r in
                [r.build, TextTable.fixed(r.orientation)] + checkpoints.map { TextTable.short(r.maxDeviation(atStep: $0)) }
                    + [TextTable.short(r.medianDeviationByStep[steps])]
            })
        let worst = RotationBuild.allCases.map { build in
            let w = reports.filter { $0.build == build.rawValue }.map(\.maxDeviation).max() ?? 0
            return "\(build.rawValue): worst deviation over all orientations and steps \(TextTable.short(w)) px"
        }
        return ([table] + worst).joined(separator: "\n")
    }
}
