import Testing

@Test func placeholder_AgentsTests() { #expect(1 + 1 == 2) }
