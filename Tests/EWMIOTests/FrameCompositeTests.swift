import Testing
@testable import EWMIO

@Suite struct FrameCompositeTests {
    @Test func runsSideBySideWithAGap() {
        let red = RGBImage(width: 3, height: 2, fill: RGB(255, 0, 0)), blue = RGBImage(width: 3, height: 2, fill: RGB(0, 0, 255))
        let frames = FrameComposite.sideBySide([[red, red, red], [blue, blue]], gap: 2)
        #expect(frames.count == 2)  // the shorter run
        let f = frames[0]
        #expect(f.width == 8 && f.height == 2)
        for y in 0..<2 {
            #expect((0..<3).allSatisfy { f[$0, y] == RGB(255, 0, 0) })
            #expect((3..<5).allSatisfy { f[$0, y] == RGB(255, 255, 255) })
            #expect((5..<8).allSatisfy { f[$0, y] == RGB(0, 0, 255) })
        }
        #expect(FrameComposite.sideBySide([[], [blue]]).isEmpty && FrameComposite.sideBySide([]).isEmpty)
    }
}
