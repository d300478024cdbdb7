import Agents
import Foundation
import Tensor

/// Where the Float equivariance residual of the composed model comes from: for every stage of
/// f(E(o), a) (each VN-Linear, direction k, VN-LeakyReLU, pool, head), the per-sample residual
/// max_g,b |s(g.x) - rho(g) s(x)| / |s(x)| of the Float model beside the Float accuracy floor
/// max_b |s_Float(x) - s_Double(x)| / |s_Double(x)| (the same weights and inputs evaluated in
/// Double), and for VN-LeakyReLU stages the conditioning of the direction: the smallest
/// |k_c| / (|U_c| |q|) over rows and channels, and how many <q,k> signs differ between the Float
/// and Double evaluations.
public struct EquivarianceStageRow: Codable, Sendable {
    public var stage: String
    public var residual: Double
    public var floor: Double
    /// The residual of exact arithmetic on Float inputs: the Double model on fl32(g.x) against
    /// rho(g) of the Double model on x (what no Float implementation can beat).
    public var inputRoundingFloor: Double
    /// The rounding this stage adds on its own: the Float stage on its Double input rounded to
    /// Float, against the Double stage on the same input.
    public var localError: Double
    public var minDirectionRatio: Double?
    public var signFlips: Int?
}

/// The composed residual when the stages whose names satisfy a predicate are evaluated in Double
/// (on the Float values of their inputs, rounded back to Float): shows which stages' rounding
/// the Float residual comes from.
public struct HybridResidual: Codable, Sendable {
    public var doubleStages: String
    public var residual: Double
}

public func equivarianceDiagnostics(
    dim: Int, steps: Int = 200, trainingBatch: Int = 64, points: Int = 9,
    groupSamples: Int = 8, seed: UInt64 = 0
) -> [EquivarianceStageRow] {
    equivarianceDiagnosticsWithHybrids(
        dim: dim, steps: steps, trainingBatch: trainingBatch, points: points,
        groupSamples: groupSamples, seed: seed
    ).stages
}

public func equivarianceDiagnosticsWithHybrids(
    dim: Int, steps: Int = 200, trainingBatch: Int = 64, points: Int = 9,
    groupSamples: Int = 8, seed: UInt64 = 0
)
    -> (stages: [EquivarianceStageRow], hybrids: [HybridResidual])
{
    MemoryTuning.retainFreedMemory()
    let config = VNWorldModelConfig.benchmark(dim: dim)
    let trainer = WorldModelTrainer<Float>(config: config, seed: seed)
    var data = Xoshiro256(seed: seed &+ 17)
    for _ in 0..<steps {
        let b = WorldModelTrainer<Float>.randomBatch(batch: trainingBatch, points: points, config: config, using: &data)
        trainer.step(points: b.points, action: b.action, nextPoints: b.nextPoints)
    }
    let mf = trainer.model
    let md = VNWorldModel<Double>(config)
    for ((_, d), (_, f)) in zip(md.namedParameters, mf.namedParameters) { d.value = f.value.converted() }

    var rng = Xoshiro256(seed: seed &+ 13)
    let checkBatch = 16
    let o = Features<Float>.random(mf.pointsRep, batch: [checkBatch, points], using: &rng)
    let a = Features<Float>.random(mf.actionRep, batch: [checkBatch], using: &rng)

    func stages<S: TensorScalar>(_ m: VNWorldModel<S>, _ o: Tensor<S>, _ a: Tensor<S>) -> [(String, Tensor<S>)] {
        let enc = m.encoder.trace(Variable(o))
        let z = enc.last!.value
        let pred = m.predictor.trace(Variable.concat([z, Variable(a)], axis: -1))
        return enc.map { ("encoder.\($0.name)", $0.value.value) } + pred.map { ("predictor.\($0.name)", $0.value.value) }
    }
    func perSample(_ x: Tensor<Double>, _ y: Tensor<Double>) -> [Double] {
        let b = x.shape[0], per = x.count / b
        return (0..<b).map { i in
            var num = 0.0, den = 0.0
            for j in i * per..<(i + 1) * per {
                num += (x.scalars[j] - y.scalars[j]) * (x.scalars[j] - y.scalars[j])
                den += y.scalars[j] * y.scalars[j]
            }
            return (num / max(den, .leastNormalMagnitude)).squareRoot()
        }
    }
    let base = stages(mf, o.vectors!.value, a.vectors!.value)
    let based = stages(md, o.vectors!.value.converted(), a.vectors!.value.converted())
    var residual = [Double](repeating: 0, count: base.count)
    var roundingFloor = [Double](repeating: 0, count: base.count)
    var g = Xoshiro256(seed: seed &+ 14)
    for reflect in [false, true] {
        for _ in 0..<groupSamples {
            let t = OrthogonalTransform.random(dim: dim, reflect: reflect, using: &g)
            let gof: Tensor<Float> = t.apply(to: o.vectors!.value.converted(to: Double.self)).converted()
            let gaf: Tensor<Float> = t.apply(to: a.vectors!.value.converted(to: Double.self)).converted()
            let rotated = stages(mf, gof, gaf)
            let exact = stages(md, gof.converted(), gaf.converted())
            for (i, ((_, s), (_, r))) in zip(based, exact).enumerated() {
                roundingFloor[i] = max(roundingFloor[i], perSample(r, t.apply(to: s)).max()!)
            }
            for (i, ((_, s), (_, r))) in zip(base, rotated).enumerated() {
                let want = t.apply(to: s.converted(to: Double.self))
                residual[i] = max(residual[i], perSample(r.converted(), want).max()!)
            }
        }
    }
    func apply<S: TensorScalar>(_ m: VNWorldModel<S>, stage i: Int, _ ins: [Tensor<S>]) -> Tensor<S> {
        let name = base[i].0
        let stack = name.hasPrefix("encoder") ? m.encoder : m.predictor
        let parts = name.split(separator: ".")
        let v = ins.map { Variable($0) }
        switch parts[1] {
        case "pool": return v[0].mean(axis: -3).value
        case "head": return stack.head(v[0]).value
        default:
            let j = Int(parts[1])! / 2
            let lin = stack.linears[j], act = stack.activations[j]
            switch parts[2] {
            case "linear": return lin(v[0]).value
            case "direction":
                if lin.inChannels * 2 <= lin.outChannels {
                    return VNLinear<S>.apply(act.direction.weight.matmul(lin.weight), to: v[0], dim: dim).value
                }
                return act.direction(v[0]).value
            default: return v[0].vnLeakyReLU(direction: v[1], slope: act.slope, eps: act.eps).value
            }
        }
    }
    // Inputs of each stage, as indices into the stages (-1: the points; -2: latent + action).
    func inputs(_ i: Int) -> [Int] {
        let name = base[i].0, parts = name.split(separator: ".")
        let first = name.hasPrefix("encoder") ? -1 : -2
        switch parts[1] {
        case "pool", "head": return [i - 1]
        default:
            let j = Int(parts[1])! / 2
            let prev = j == 0 ? first : i - 1
            switch parts[2] {
            case "linear": return [prev]
            case "direction":
                let lin = (name.hasPrefix("encoder") ? mf.encoder : mf.predictor).linears[j]
                return lin.inChannels * 2 <= lin.outChannels ? [j == 0 ? first : i - 2] : [i - 1]
            default: return [i - 2, i - 1]
            }
        }
    }
    let encoderStages = base.filter { $0.0.hasPrefix("encoder") }.count
    func local(_ i: Int) -> Double {
        let ins: [Tensor<Double>] = inputs(i).map { j in
            switch j {
            case -1: return o.vectors!.value.converted()
            case -2:
                return Variable.concat(
                    [Variable(based[encoderStages - 1].1), Variable(a.vectors!.value.converted())],
                    axis: -1
                ).value
            default: return based[j].1
            }
        }
        let insF: [Tensor<Float>] = ins.map { $0.converted() }
        let yf = apply(mf, stage: i, insF), yd = apply(md, stage: i, insF.map { $0.converted() })
        return perSample(yf.converted(), yd).max()!
    }
    var rows: [EquivarianceStageRow] = []
    for i in base.indices {
        let (name, s) = base[i]
        var row = EquivarianceStageRow(
            stage: name, residual: residual[i],
            floor: perSample(s.converted(), based[i].1).max()!,
            inputRoundingFloor: roundingFloor[i],
            localError: local(i))
        if name.hasSuffix(".direction") {
            // q is the stage before; U is the direction map of this activation.
            let q = based[i - 1].1, k = based[i].1, kf = s.converted(to: Double.self), qf = base[i - 1].1.converted(to: Double.self)
            let stack = name.hasPrefix("encoder") ? mf.encoder : mf.predictor
            let layer = Int(name.split(separator: ".")[1])! / 2
            let u = stack.activations[layer].direction.weight.value.converted(to: Double.self)
            let c = u.shape[0], rowsCount = q.count / (dim * c)
            var ratio = Double.infinity, flips = 0
            for r in 0..<rowsCount {
                var qn = 0.0
                for e in 0..<(dim * c) { qn += q.scalars[r * dim * c + e] * q.scalars[r * dim * c + e] }
                qn = qn.squareRoot()
                for ch in 0..<c {
                    var un = 0.0
                    for j in 0..<c { un += u.scalars[ch * c + j] * u.scalars[ch * c + j] }
                    var kn = 0.0, sd = 0.0, sf = 0.0
                    for i2 in 0..<dim {
                        let e = r * dim * c + i2 * c + ch
                        kn += k.scalars[e] * k.scalars[e]
                        sd += q.scalars[e] * k.scalars[e]
                        sf += qf.scalars[e] * kf.scalars[e]
                    }
                    ratio = min(ratio, kn.squareRoot() / (un.squareRoot() * qn))
                    if (sd < 0) != (sf < 0) { flips += 1 }
                }
            }
            row.minDirectionRatio = ratio
            row.signFlips = flips
        }
        rows.append(row)
    }
    func hybrid(_ o: Tensor<Float>, _ a: Tensor<Float>, _ exact: (String) -> Bool) -> Tensor<Float> {
        var vals: [Tensor<Float>] = []
        for i in base.indices {
            let ins: [Tensor<Float>] = inputs(i).map { j in
                switch j {
                case -1: return o
                case -2: return Variable.concat([Variable(vals[encoderStages - 1]), Variable(a)], axis: -1).value
                default: return vals[j]
                }
            }
            vals.append(
                exact(base[i].0)
                    ? apply(md, stage: i, ins.map { $0.converted(to: Double.self) }).converted()
                    : apply(mf, stage: i, ins))
        }
        return vals.last!
    }
    let variants: [(String, (String) -> Bool)] = [
        ("none", { _ in false }),
        ("pool and heads", { $0.hasSuffix("pool") || $0.hasSuffix("head") }),
        ("VN-LeakyReLU (dots and projection)", { $0.hasSuffix("activation") }),
        ("all of the encoder", { $0.hasPrefix("encoder") }),
        ("all of the predictor", { $0.hasPrefix("predictor") }),
        ("every stage (each stage exact, only its output rounded to Float)", { _ in true }),
        (
            "everything but the predictor's GEMMs",
            { !$0.hasPrefix("predictor") || !($0.hasSuffix("linear") || $0.hasSuffix("direction") || $0.hasSuffix("head")) }
        ),
    ]
    var hybrids: [HybridResidual] = []
    for (label, exact) in variants {
        let y = hybrid(o.vectors!.value, a.vectors!.value, exact).converted(to: Double.self)
        var g2 = Xoshiro256(seed: seed &+ 14), worst = 0.0
        for reflect in [false, true] {
            for _ in 0..<groupSamples {
                let t = OrthogonalTransform.random(dim: dim, reflect: reflect, using: &g2)
                let gof: Tensor<Float> = t.apply(to: o.vectors!.value.converted(to: Double.self)).converted()
                let gaf: Tensor<Float> = t.apply(to: a.vectors!.value.converted(to: Double.self)).converted()
                worst = max(worst, perSample(hybrid(gof, gaf, exact).converted(), t.apply(to: y)).max()!)
            }
        }
        hybrids.append(HybridResidual(doubleStages: label, residual: worst))
    }
    return (rows, hybrids)
}

/// `check equivariance --diagnose`: per stage of f(E(o), a) in Float, the residual beside the Float floors, and the
/// composed residual with some stages evaluated in Double.
public func equivarianceDiagnosticsText(_ rows: [EquivarianceStageRow], hybrids: [HybridResidual], dim: Int, steps: Int) -> String {
    var lines = [
        "Float, d=\(dim), after \(steps) steps: stage, residual, floor |f_F - f_D|/|f_D|, exact-arithmetic floor on fl32(g.x), local rounding of the stage, min |k_c|/(|U_c||q|), <q,k> sign flips F vs D"
    ]
    for r in rows {
        lines.append(
            String(
                format: "%-28@ %.3e  %.3e  %.3e  %.3e  %@", r.stage, r.residual, r.floor, r.inputRoundingFloor, r.localError,
                r.minDirectionRatio.map { String(format: "%.2e  %d", $0, r.signFlips ?? 0) } ?? ""))
    }
    lines.append("composed residual with some stages evaluated in Double:")
    for h in hybrids { lines.append(String(format: "  %.3e  %@", h.residual, h.doubleStages)) }
    return lines.joined(separator: "\n")
}
