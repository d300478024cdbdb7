import Agents
import Foundation

/// A model file that is not there, or models that cannot plan together (the message names the file or flag).
public struct ModelLoadingError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where the default PushT planning model lives: `assets/` of the working directory, else of the source tree.
/// It is the VN model trained at DINO-WM's frameskip 5 on the noisy expert dataset (`assets/pusht-vn-expert`, the
/// recipe of `assets/pusht-vn-fs5` on expert data); `assets/pusht-vn-fs5` was the default before, trained on the
/// exploratory pusher's data; `assets/pusht-vn` is the one-step model of the across-group measurements.
public enum DefaultModel {
    public static let relativePath = "assets/pusht-vn-expert/checkpoint.safetensors"
    /// The MLP baseline trained the same way (`eval closed-loop`'s default comparison).
    public static let baselinePath = "assets/pusht-mlp-expert/checkpoint.safetensors"

    /// The places looked in for `relative`: the working directory, then the source tree's root.
    public static func candidates(_ relative: String) -> [URL] {
        [
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative),
            // This file is Sources/Train/Runs/DefaultModel.swift.
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../\(relative)").standardized,
        ]
    }

    /// The default model's file; `relative` = `baselinePath` for the baseline's.
    public static func url(_ relative: String = relativePath) throws -> URL {
        let candidates = candidates(relative)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ModelLoadingError("no --model given and the default model \(relative) is not there (looked in \(candidates.map { $0.path }))")
        }
        return found
    }

    /// The checkpoint at `path` (nil: the default model); several paths separated by commas load an ensemble.
    public static func load(_ path: String?, precision: InferencePrecision) throws -> any LatentWorldModel {
        guard let path else { return try loadWorldModel(checkpoint: url(), precision: precision) }
        let paths = path.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let models = try paths.map { p -> any LatentWorldModel in
            guard !p.isEmpty, FileManager.default.fileExists(atPath: p) else { throw ModelLoadingError("no such model file: '\(p)'") }
            return try loadWorldModel(checkpoint: URL(fileURLWithPath: p), precision: precision)
        }
        if models.count == 1 { return models[0] }
        do { return try EnsembleWorldModel(models) } catch let e as EnsembleError { throw ModelLoadingError("--model \(path): \(e.description)") }
    }
}
