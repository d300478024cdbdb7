import Foundation

/// How big `ewm-sim reproduce` runs: `paper` at the sizes docs/results.md used, `quick` small enough to finish in
/// under 15 minutes on 2 cores (the same tables, wider intervals), `smoke` in seconds (for tests of the report itself,
/// not its figures).
public enum ReproductionScale: String, Codable, CaseIterable, Sendable {
    case smoke, quick, paper

    /// The value for this scale.
    public func pick<T>(smoke: T, quick: T, paper: T) -> T {
        switch self {
        case .smoke: return smoke
        case .quick: return quick
        case .paper: return paper
        }
    }
}

/// What the parts read besides their own sizes.
public struct ReproductionSettings: Sendable {
    /// The PushT reference fixtures (nil: `../shared/reference/pusht`, else the repository's copy in
    /// `Tests/EnvsTests/Fixtures/pusht`, both from the working directory).
    public var fixtures: URL?

    public init(fixtures: URL? = nil) { self.fixtures = fixtures }

    /// The fixtures directory to read: the given one, else the first default that exists.
    public func fixturesDirectory() throws -> URL {
        if let fixtures { return fixtures }
        let candidates = ["../shared/reference/pusht", "Tests/EnvsTests/Fixtures/pusht"].map { URL(fileURLWithPath: $0).standardizedFileURL }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("one_step.json").path) })
        else {
            throw ReproductionError(
                "no PushT reference fixtures at \(candidates.map(\.path).joined(separator: " or ")); run from the repository root or pass --fixtures DIR"
            )
        }
        return found
    }
}
