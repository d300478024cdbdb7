import Foundation
import Testing
@testable import Experiments

@Suite struct SE3ClosedLoopTests {
    @Test func groupStartsAtTheIdentity() {
        let g = SE3ClosedLoop.group(samples: 3, seed: 11)
        #expect(g.count == 4 && g[0].isIdentity && !g[1].isIdentity)
        #expect(g.map(\.coordinates) == SE3ClosedLoop.group(samples: 3, seed: 11).map(\.coordinates))
    }
}
