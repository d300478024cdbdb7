import Agents
import Tensor

/// One measured residual.
public struct EquivarianceRow: Codable, Sendable {
    public var precision: String
    public var stage: String          // "init" or "trained"
    public var component: String
    public var residual: Double
    public var tolerance: Double
    public var passed: Bool
}

public struct EquivarianceReport: Codable, Sendable {
    public var dim: Int
    public var trainingSteps: Int
    public var trainingBatch: Int
    public var groupSamples: Int
    public var includesReflections: Bool
    public var rows: [EquivarianceRow]
    public var passed: Bool { rows.allSatisfy(\.passed) }

    public func maxResidual(precision: String, stage: String) -> Double {
        rows.filter { $0.precision == precision && $0.stage == stage }.map(\.residual).max() ?? 0
    }
}

/// Residual of every VN layer of the benchmark world model, of its encoder, predictor and the
/// composition f(E(o), a), at initialisation and after `steps` training steps on random data,
/// in Float and Double, over random rotations and rotation-reflections of O(d).
public func equivarianceReport(dim: Int, steps: Int = 200, trainingBatch: Int = 64, points: Int = 9,
                               groupSamples: Int = 8, seed: UInt64 = 0) -> EquivarianceReport {
    MemoryTuning.retainFreedMemory()
    var rows: [EquivarianceRow] = []
    rows += equivarianceRows(Float.self, dim: dim, steps: steps, batch: trainingBatch, points: points,
                             groupSamples: groupSamples, seed: seed)
    rows += equivarianceRows(Double.self, dim: dim, steps: steps, batch: trainingBatch, points: points,
                             groupSamples: groupSamples, seed: seed)
    return EquivarianceReport(dim: dim, trainingSteps: steps, trainingBatch: trainingBatch, groupSamples: groupSamples,
                              includesReflections: true, rows: rows)
}

func equivarianceRows<S: TensorScalar>(_: S.Type, dim: Int, steps: Int, batch: Int, points: Int, groupSamples: Int,
                                       seed: UInt64) -> [EquivarianceRow] {
    let precision = MemoryLayout<S>.size == 4 ? "Float" : "Double"
    let tolerance = defaultEquivarianceTolerance(S.self)
    let config = VNWorldModelConfig.benchmark(dim: dim)
    let trainer = WorldModelTrainer<S>(config: config, seed: seed)
    let model = trainer.model
    var rng = Xoshiro256(seed: seed &+ 7)
    let invariant = VNInvariant<S>(channels: config.latentChannels, directions: 4, dim: dim, using: &rng)
    let checkBatch = 16

    func measure(_ stage: String) -> [EquivarianceRow] {
        var out: [EquivarianceRow] = []
        func row(_ name: String, _ r: Double) {
            out.append(EquivarianceRow(precision: precision, stage: stage, component: name, residual: r,
                                       tolerance: tolerance, passed: r <= tolerance))
        }
        func layer<L: EquivariantLayer>(_ name: String, _ l: L, batch: [Int]) where L.Scalar == S {
            row(name, equivarianceResidual(inputs: [(l.inputRep, batch)], outputRep: l.outputRep, groupSamples: groupSamples,
                                           seed: seed &+ 11) { (x: [Features<S>]) in l(x[0]) })
        }
        for (stackName, stack, pooled) in [("encoder", model.encoder, true), ("predictor", model.predictor, false)] {
            let batchShape = pooled ? [checkBatch, points] : [checkBatch]
            for i in stack.linears.indices {
                let l = stack.linears[i], a = stack.activations[i]
                layer("\(stackName).\(2 * i) VNLinear \(l.inChannels)->\(l.outChannels)", l, batch: batchShape)
                layer("\(stackName).\(2 * i + 1) VNLeakyReLU \(a.direction.inChannels)", a, batch: batchShape)
            }
            if pooled {
                layer("\(stackName) VNMeanPool over points", VNMeanPool<S>(stack.head.inputRep), batch: batchShape)
            }
            layer("\(stackName).\(2 * stack.linears.count) VNLinear \(stack.head.inChannels)->\(stack.head.outChannels)",
                  stack.head, batch: [checkBatch])
            layer("\(stackName) (whole)", stack, batch: batchShape)
        }
        layer("VNInvariant \(config.latentChannels)x4 (not in the model, untrained)", invariant, batch: [checkBatch])
        row("composed f(E(o), a)", equivarianceResidual(
            inputs: [(model.pointsRep, [checkBatch, points]), (model.actionRep, [checkBatch])],
            outputRep: model.latentRep, groupSamples: groupSamples, seed: seed &+ 13
        ) { (x: [Features<S>]) in Features(vectors: model.predict(model.encode(x[0].vectors!), action: x[1].vectors!)) })
        return out
    }

    var rows = measure("init")
    var data = Xoshiro256(seed: seed &+ 17)
    for _ in 0..<steps {
        let b = WorldModelTrainer<S>.randomBatch(batch: batch, points: points, config: config, using: &data)
        trainer.step(points: b.points, action: b.action, nextPoints: b.nextPoints)
    }
    if steps > 0 { rows += measure("trained") }
    return rows
}
