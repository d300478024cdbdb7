import Foundation
import Tensor

/// What every JEPA trainer's checkpoint holds besides its own layout and config: the online and EMA-target nets, the
/// Muon + AdamW state, and the metadata keys common to all world-model checkpoints (`LayoutJEPATrainer` adds its
/// layout's format string and its layout and config under the layout's keys).
struct JEPATrainingState {
    let online: WorldNet<Float>
    let target: WorldNet<Float>
    let optimizer: MuonAdamW<Float>

    /// The safetensors contents at `step`; `metadata` carries the trainer's own keys (model, layout, config, extras).
    func checkpoint(format: String, step: Int, seed: UInt64, command: String, metadata: [String: String]) -> SafeTensors {
        var tensors: [String: AnyTensor] = [:]
        online.store(into: &tensors, prefix: "online.")
        target.store(into: &tensors, prefix: "target.")
        for (i, buffer) in optimizer.muon.buffers.enumerated() { tensors["optimizer.muon.\(i)"] = AnyTensor(buffer) }
        for (i, m) in optimizer.adamW.m.enumerated() { tensors["optimizer.adam.m.\(i)"] = AnyTensor(m) }
        for (i, v) in optimizer.adamW.v.enumerated() { tensors["optimizer.adam.v.\(i)"] = AnyTensor(v) }
        var metadata = metadata
        metadata["format"] = format
        metadata["step"] = "\(step)"
        metadata["adam_steps"] = "\(optimizer.adamW.stepCount)"
        metadata["seed"] = "\(seed)"
        metadata["command"] = command
        metadata["parameters"] = "\(online.parameterCount)"
        metadata["precision"] = "F32"
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// Loads nets and optimiser state from `state` (already checked to be this trainer's format and config) and
    /// returns the step it was saved at.
    func restore(from state: SafeTensors) throws -> Int {
        guard let step = state.metadata["step"].flatMap(Int.init), let adamSteps = state.metadata["adam_steps"].flatMap(Int.init) else {
            throw SafeTensorsError.invalidHeader("checkpoint has no step count")
        }
        try online.load(from: state, prefix: "online.")
        try target.load(from: state, prefix: "target.")
        for i in optimizer.muon.buffers.indices {
            optimizer.muon.buffers[i] = try state.tensor("optimizer.muon.\(i)", as: Float.self, shape: optimizer.muon.buffers[i].shape)
        }
        for i in optimizer.adamW.m.indices {
            optimizer.adamW.m[i] = try state.tensor("optimizer.adam.m.\(i)", as: Float.self, shape: optimizer.adamW.m[i].shape)
            optimizer.adamW.v[i] = try state.tensor("optimizer.adam.v.\(i)", as: Float.self, shape: optimizer.adamW.v[i].shape)
        }
        optimizer.adamW.stepCount = adamSteps
        return step
    }
}
