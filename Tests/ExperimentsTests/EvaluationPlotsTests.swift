import Foundation
import Testing
@testable import Experiments
@testable import Train

@Suite struct EvaluationPlotsTests {
    @Test func repeatedKindsAreLabelledByTheirRunDirectory() {
        let labels = EvaluationPlots.modelLabels([
            ("vn", "runs/vn-a/checkpoint.safetensors"), ("mlp", "runs/mlp/checkpoint.safetensors"),
            ("vn", "runs/vn-b/checkpoint.safetensors"),
        ])
        #expect(labels == ["vn vn-a", "mlp", "vn vn-b"])
        #expect(EvaluationPlots.modelLabels([]).isEmpty)
    }

    @Test func closedLoopPlotsRender() {
        let rows = [
            Teacher3DClosedLoopTests.row("equivariant:vn@identity", 3, of: 4, inSlice: true),
            Teacher3DClosedLoopTests.row("equivariant:vn@identity", 1, of: 4, inSlice: false),
        ]
        let summary = Teacher3DClosedLoop.pooledSummary(
            rows, name: "equivariant:vn@identity", model: "vn", trainingRung: "identity",
            parameters: 1, seconds: 0)
        let report = Teacher3DClosedLoop.Report(settings: .init(), rows: rows, summaries: [summary], disjoint: [:])
        let image = EvaluationPlots.closedLoop3D(report).render()
        #expect(image.width == 800 && image.height == 500)
    }
}
