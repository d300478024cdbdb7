import Testing

@Test func placeholder_EWMIOTests() { #expect(1 + 1 == 2) }
