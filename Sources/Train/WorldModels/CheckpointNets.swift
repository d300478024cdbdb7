import Foundation
import Tensor

/// What every world-model checkpoint holds, read and validated once for the 2D and 3D loaders: the
/// safetensors state (for the loader's own metadata), the architecture, and the frozen online and EMA
/// target networks.
struct CheckpointNets {
    let state: SafeTensors
    let spec: ModelSpec
    let online: WorldNet<Float>
    let target: WorldNet<Float>

    /// - Parameters:
    ///   - format: the `format` metadata the loader accepts.
    ///   - missingHint: what to tell the user when the file is not there.
    ///   - kind: how the error names a checkpoint of this format ("an ewm-sim world-model checkpoint").
    init(url: URL, format: String, missingHint: String, kind: String) throws {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DataError("no checkpoint at \(url.path) (\(missingHint))")
        }
        state = try SafeTensors.readWeights(from: url)
        guard state.metadata["format"] == format else {
            throw SafeTensorsError.invalidHeader("\(url.lastPathComponent) is not \(kind) (format \(state.metadata["format"] ?? "missing"))")
        }
        spec = try decodeJSON(ModelSpec.self, state.metadata["model"], what: "model")
        try spec.config.validate()
        online = WorldNet<Float>(spec, seed: 0)
        target = WorldNet<Float>(spec, seed: 0)
        try online.load(from: state, prefix: "online.")
        try target.load(from: state, prefix: "target.")
        online.setTrainable(false)
        target.setTrainable(false)
    }
}
