import Agents
import Foundation
import Seeded
import Tensor

/// `experiment block-isotropy` cut into units: unit u < laws x draws is (law u / draws, draw u mod draws), seeded from
/// the settings' seed and the draw alone; the units after them are the encoders, one each. Units measured in different
/// processes fold into the report one process gives (`report(_:units:)`).
extension BlockIsotropyExperiment {
    /// The three statistics of one draw of one law, or one encoder's row.
    public struct Unit: Codable, Sendable {
        /// SIGReg, block-SIGReg and whitened SIGReg of the draw.
        public var statistics: [Double]?
        public var encoder: EncoderRow?
    }

    /// The laws measured (`laws(seed:)`).
    public static var lawCount: Int { laws(seed: 0).count }

    /// Units of a run: every law's draws, then the encoders.
    public static func unitCount(_ settings: Settings, encoders: [String]) -> Int { lawCount * settings.draws + encoders.count }

    /// Measures unit `u`.
    public static func measure(unit u: Int, _ settings: Settings, encoders: [String]) throws -> Unit {
        let drawUnits = lawCount * settings.draws
        guard u < drawUnits else { return Unit(statistics: nil, encoder: try encoderRow(encoders[u - drawUnits], seed: settings.seed)) }
        return Unit(statistics: try statistics(of: laws(seed: settings.seed)[u / settings.draws], draw: u % settings.draws, settings), encoder: nil)
    }

    /// SIGReg, block-SIGReg and whitened SIGReg of draw `draw` of `law`.
    static func statistics(of law: Law, draw: Int, _ settings: Settings) throws -> [Double] {
        let rep = Rep(scalars: 4, vectors: 6, dim: 3)
        var rng = Xoshiro256(seed: settings.seed &+ UInt64(draw) &* 7919)
        let n = settings.samples
        var s = Tensor<Double>.randomNormal([n, 4], using: &rng).scalars
        var v = Tensor<Double>.randomNormal([n, 3, 6], using: &rng).scalars
        law.transform(&s, &v, n)
        var z: [Double] = []
        z.reserveCapacity(n * 22)
        for r in 0..<n {
            z += s[r * 4..<r * 4 + 4]
            z += v[r * 18..<r * 18 + 18]
        }
        var slicesA = Xoshiro256(seed: settings.seed &+ 13 &+ UInt64(draw)), slicesB = slicesA
        let plain = Loss.sigreg(Variable(try Tensor(shape: [n, 22], scalars: z)), slices: settings.slices, using: &slicesA).value.scalar
        let features = Features(
            scalars: Variable(try Tensor(shape: [n, 4], scalars: s)), vectors: Variable(try Tensor(shape: [n, 3, 6], scalars: v)))
        let block = Loss.blockSIGReg(features, rep: rep, slices: settings.slices, using: &slicesB).value.scalar
        var slicesC = Xoshiro256(seed: settings.seed &+ 13 &+ UInt64(draw))
        let w = whiten(s, rows: n, groups: 1, copies: 4) + whiten(v, rows: n, groups: 3, copies: 6)
        let whitened = Loss.sigreg(Variable(try Tensor(shape: [n, 22], scalars: interleave(w, rows: n))), slices: settings.slices, using: &slicesC)
            .value.scalar
        return [plain, block, whitened]
    }

    /// The report from all units in order (the isotropic law first: it gives the floor).
    public static func report(_ settings: Settings, units: [Unit]) -> Report {
        var rows: [Row] = []
        var floors: (Double, Double, Double) = (1, 1, 1)
        for (index, law) in laws(seed: settings.seed).enumerated() {
            let draws = units[index * settings.draws..<(index + 1) * settings.draws].map { $0.statistics! }
            let (pm, pci) = meanInterval(draws.map { $0[0] }), (bm, bci) = meanInterval(draws.map { $0[1] })
            let (wm, wci) = meanInterval(draws.map { $0[2] })
            if index == 0 { floors = (pm, bm, wm) }
            rows.append(
                Row(
                    law: law.name, invariant: law.invariant, prediction: law.prediction, sigregMean: pm, sigregInterval95: pci, blockSIGRegMean: bm,
                    blockSIGRegInterval95: bci, whitenedMean: wm, whitenedInterval95: wci, sigregOverFloor: pm / floors.0,
                    blockSIGRegOverFloor: bm / floors.1, whitenedOverFloor: wm / floors.2))
        }
        return Report(settings: settings, rows: rows, encoders: units[(lawCount * settings.draws)...].map { $0.encoder! })
    }
}
