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
}
