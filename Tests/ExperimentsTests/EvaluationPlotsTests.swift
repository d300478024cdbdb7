import Foundation
import Testing
@testable import Experiments
@testable import Train
@testable import Planner

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
        let rows = [(3, true), (1, false)].map { successes, inSlice in
            var cell = ClosedLoopCell(element: 0.0, episodes: 4)
            cell.successes = successes
            return ClosedLoopReport.Row(controller: "equivariant:vn@identity", element: [0, 0, 0, 0, 0, 0], inSlice: inSlice, cell: cell)
        }
        let summary = ClosedLoopReport.Summary(
            rows: rows, controller: "equivariant:vn@identity", model: "vn", trainingSlice: "identity", parameters: 1, seconds: 0)
        let report = ClosedLoopReport(
            env: "teacher3d", protocol: "offset-goal", rotation: .frame, episodes: 4, finalFigure: "final error", rows: rows,
            summaries: [summary])
        let image = EvaluationPlots.closedLoop(report).render()
        #expect(image.width == 800 && image.height == 500)
    }
}
