import EWMIO
import Foundation
import Train

extension ReproductionPart {
    /// C1, Schur block-isotropy: SIGReg and block-SIGReg on G-invariant and broken laws of the mixed SO(3) latent, and
    /// the off-block mass of the teacher3d pair's latent covariances.
    static let blockIsotropy = ReproductionPart(
        name: "block-isotropy", regenerates: "Identifiability C1: Schur block-isotropy (issue 17)", needs: ["teacher3d-models"],
        sizes: {
            let s = blockIsotropySettings($0); return "\(s.draws) draws x \(s.samples) samples, \(s.slices) slices; the teacher3d pair's encoders"
        },
        run: { context in
            let report = try BlockIsotropyExperiment.run(blockIsotropySettings(context.scale), encoders: teacher3DCheckpoints(context)) {
                context.progress("stage \($0)/5")
            }
            return PartOutput(report: report)
        })

    static func blockIsotropySettings(_ scale: ReproductionScale) -> BlockIsotropyExperiment.Settings {
        var s = BlockIsotropyExperiment.Settings()
        (s.draws, s.samples, s.slices) = scale.pick(smoke: (3, 16, 4), quick: (30, 512, 64), paper: (100, 512, 64))
        return s
    }
}
