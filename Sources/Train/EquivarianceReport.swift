import Agents
import EWMIO
import Tensor

/// One measured residual.
public struct EquivarianceRow: Codable, Sendable {
    public var precision: String
    public var stage: String  // "init" or "trained"
    public var component: String
    public var residual: Double
    public var tolerance: Double
    public var passed: Bool
    /// Float rows only: the Float accuracy floor of the same component, max over the batch of
    /// |f_Float(x) - f_Double(x)| / |f_Double(x)| with the same weights and inputs. The residual
    /// compares two Float evaluations with independent rounding, so ~sqrt(2) x floor is at the floor.
    public var floatFloor: Double?
}

public struct EquivarianceReport: Codable, Sendable, TextReport {
    public var dim: Int
    public var trainingSteps: Int
    public var trainingBatch: Int
    public var groupSamples: Int
    public var includesReflections: Bool
    public var rows: [EquivarianceRow]
    public var passed: Bool { rows.allSatisfy(\.passed) }

    public var text: String {
        var lines = [
            "equivariance residual max_g,b |f(g.x) - rho(g) f(x)| / |f(x)|, d=\(dim), \(groupSamples) rotations + \(groupSamples) reflections, "
                + "training: \(trainingSteps) steps of batch \(trainingBatch)",
            "(inputs rotated in Double and rounded once; Float floor = max_b |f_Float(x) - f_Double(x)| / |f_Double(x)|,",
            " same weights and inputs: two Float evaluations differ by up to ~1.4x the floor)",
            "precision  stage    residual     tol      ok   Float floor  component",
        ]
        for r in rows {
            lines.append(
                String(
                    format: "%-9@  %-7@  %.3e  %.0e  %@  %@  %@", r.precision, r.stage, r.residual, r.tolerance, r.passed ? "yes" : "NO ",
                    r.floatFloor.map { String(format: "%.3e", $0) } ?? "         ", r.component))
        }
        for p in ["Float", "Double"] {
            for s in ["init", "trained"] where !(s == "trained" && trainingSteps == 0) {
                let floor = maxFloor(precision: p, stage: s).map { String(format: " (Float floor %.3e)", $0) } ?? ""
                lines.append(String(format: "max %@ %@: %.3e%@", p, s, maxResidual(precision: p, stage: s), floor))
            }
        }
        return lines.joined(separator: "\n")
    }

    public func maxResidual(precision: String, stage: String) -> Double {
        rows.filter { $0.precision == precision && $0.stage == stage }.map(\.residual).max() ?? 0
    }

    /// The largest Float floor of a stage (nil for Double).
    public func maxFloor(precision: String, stage: String) -> Double? {
        rows.filter { $0.precision == precision && $0.stage == stage }.compactMap(\.floatFloor).max()
    }
}

/// Residual of every VN layer of the benchmark world model, of its encoder, predictor and the
/// composition f(E(o), a), at initialisation and after `steps` training steps on random data,
/// in Float and Double, over random rotations and rotation-reflections of O(d).
public func equivarianceReport(
    dim: Int, steps: Int = 200, trainingBatch: Int = 64, points: Int = 9,
    groupSamples: Int = 8, seed: UInt64 = 0
) -> EquivarianceReport {
    MemoryTuning.retainFreedMemory()
    var rows: [EquivarianceRow] = []
    rows += equivarianceRows(
        Float.self, dim: dim, steps: steps, batch: trainingBatch, points: points,
        groupSamples: groupSamples, seed: seed)
    rows += equivarianceRows(
        Double.self, dim: dim, steps: steps, batch: trainingBatch, points: points,
        groupSamples: groupSamples, seed: seed)
    return EquivarianceReport(
        dim: dim, trainingSteps: steps, trainingBatch: trainingBatch, groupSamples: groupSamples,
        includesReflections: true, rows: rows)
}

func equivarianceRows<S: TensorScalar>(
    _: S.Type, dim: Int, steps: Int, batch: Int, points: Int, groupSamples: Int,
    seed: UInt64
) -> [EquivarianceRow] {
    let precision = MemoryLayout<S>.size == 4 ? "Float" : "Double"
    let tolerance = defaultEquivarianceTolerance(S.self)
    let config = VNWorldModelConfig.benchmark(dim: dim)
    let trainer = WorldModelTrainer<S>(config: config, seed: seed)
    let model = trainer.model
    var rng = Xoshiro256(seed: seed &+ 7)
    let invariant = VNInvariant<S>(channels: config.latentWidth, directions: 4, dim: dim, using: &rng)
    let checkBatch = 16
    let isFloat = MemoryLayout<S>.size == 4
    // A Double twin with the same weights (refreshed before each measurement) for the Float floor.
    let twin = VNWorldModel<Double>(config)
    var rng2 = Xoshiro256(seed: seed &+ 7)
    let invariantTwin = VNInvariant<Double>(channels: config.latentWidth, directions: 4, dim: dim, using: &rng2)
    for ((_, d), (_, f)) in zip(invariantTwin.namedParameters, invariant.namedParameters) { d.value = f.value.converted() }

    func measure(_ stage: String) -> [EquivarianceRow] {
        for ((_, d), (_, f)) in zip(twin.namedParameters, model.namedParameters) { d.value = f.value.converted() }
        var out: [EquivarianceRow] = []
        func row(_ name: String, _ r: Double, _ floor: Double?) {
            out.append(
                EquivarianceRow(
                    precision: precision, stage: stage, component: name, residual: r,
                    tolerance: tolerance, passed: r <= tolerance, floatFloor: isFloat ? floor : nil))
        }
        // The floor on the same inputs the residual starts from (same generator and seed).
        func floor(
            _ inputs: [(rep: Rep, batch: [Int])], seed s: UInt64,
            _ f: ([Features<S>]) -> Features<S>, _ fd: ([Features<Double>]) -> Features<Double>
        ) -> Double? {
            guard isFloat else { return nil }
            var r = Xoshiro256(seed: s)
            let xs = inputs.map { Features<S>.random($0.rep, batch: $0.batch, using: &r) }
            let xd = xs.map {
                Features<Double>(
                    scalars: $0.scalars.map { Variable($0.value.converted()) },
                    vectors: $0.vectors.map { Variable($0.value.converted()) })
            }
            let y = f(xs), yd = fd(xd)
            let yf = Features<Double>(
                scalars: y.scalars.map { Variable($0.value.converted()) },
                vectors: y.vectors.map { Variable($0.value.converted()) })
            return perSampleRelativeError(yf, yd)
        }
        func layer<L: EquivariantLayer, D: EquivariantLayer>(_ name: String, _ l: L, _ ld: D, batch: [Int])
        where L.Scalar == S, D.Scalar == Double {
            let inputs = [(l.inputRep, batch)]
            row(
                name,
                equivarianceResidual(
                    inputs: inputs, outputRep: l.outputRep, groupSamples: groupSamples,
                    seed: seed &+ 11
                ) { (x: [Features<S>]) in l(x[0]) },
                floor(inputs, seed: seed &+ 11, { l($0[0]) }, { ld($0[0]) }))
        }
        for (stackName, stack, stackD, pooled) in [
            ("encoder", model.encoder, twin.encoder, true),
            ("predictor", model.predictor, twin.predictor, false),
        ] {
            let batchShape = pooled ? [checkBatch, points] : [checkBatch]
            for i in stack.linears.indices {
                let l = stack.linears[i], a = stack.activations[i]
                layer("\(stackName).\(2 * i) VNLinear \(l.inChannels)->\(l.outChannels)", l, stackD.linears[i], batch: batchShape)
                layer("\(stackName).\(2 * i + 1) VNLeakyReLU \(a.direction.inChannels)", a, stackD.activations[i], batch: batchShape)
            }
            if pooled {
                layer(
                    "\(stackName) VNMeanPool over points", VNMeanPool<S>(stack.head.inputRep),
                    VNMeanPool<Double>(stack.head.inputRep), batch: batchShape)
            }
            layer(
                "\(stackName).\(2 * stack.linears.count) VNLinear \(stack.head.inChannels)->\(stack.head.outChannels)",
                stack.head, stackD.head, batch: [checkBatch])
            layer("\(stackName) (whole)", stack, stackD, batch: batchShape)
        }
        layer("VNInvariant \(config.latentChannels)x4 (not in the model, untrained)", invariant, invariantTwin, batch: [checkBatch])
        let inputs: [(rep: Rep, batch: [Int])] = [(model.pointsRep, [checkBatch, points]), (model.actionRep, [checkBatch])]
        row(
            "composed f(E(o), a)",
            equivarianceResidual(
                inputs: inputs, outputRep: model.latentRep, groupSamples: groupSamples, seed: seed &+ 13
            ) { (x: [Features<S>]) in Features(vectors: model.predict(model.encode(x[0].vectors!), action: x[1].vectors!)) },
            floor(
                inputs, seed: seed &+ 13,
                { Features(vectors: model.predict(model.encode($0[0].vectors!), action: $0[1].vectors!)) },
                { Features(vectors: twin.predict(twin.encode($0[0].vectors!), action: $0[1].vectors!)) }))
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
