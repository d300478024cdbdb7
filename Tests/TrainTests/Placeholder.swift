import Testing

@Test func placeholder_TrainTests() { #expect(1 + 1 == 2) }
