import Testing
@testable import Envs

@Test func box2dLinks() { #expect(box2DVersion.hasPrefix("2.4")) }
