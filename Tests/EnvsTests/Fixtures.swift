import Foundation

/// The reference fixtures generated from gym-pusht 0.1.8 / pymunk 6.11.1 (copied from shared/reference/pusht).
enum Fixtures {
    static func url(_ name: String) -> URL { Bundle.module.resourceURL!.appendingPathComponent("Fixtures/pusht/\(name).json") }
}
