import Foundation

/// The polynomial degree of a map along a ray, measured: f(t x) is sampled at `maxDegree + 1` Chebyshev nodes of
/// t in [-radius, radius] and interpolated exactly (Vandermonde solve in Double, one per output number). For a
/// polynomial map of degree n <= maxDegree, the coefficients above n come out at rounding level, and the highest
/// coefficient with a relative size above `tolerance` is the degree. Used to check `VNDegreeLadder`'s d_max(L).
public struct PolynomialDegree: Codable, Sendable, Equatable {
    /// |c_k| / max_j |c_j| for k = 0 ... maxDegree (c_k the coefficient vector of t^k).
    public var relativeCoefficients: [Double]
    /// The highest k with relativeCoefficients[k] > tolerance.
    public var degree: Int
    /// The largest relative coefficient above the degree (rounding level for a polynomial of that degree).
    public var aboveDegree: Double
    /// The largest relative coefficient of the parity the degree does not have (0 for an odd map).
    public var oppositeParity: Double

    /// Fits f(t) = sum_k c_k t^k for k <= maxDegree; `f` returns the output numbers at input scale t.
    public static func measure(
        maxDegree: Int, radius: Double = 1, tolerance: Double = 1e-9, _ f: (Double) -> [Double]
    ) -> PolynomialDegree {
        precondition(maxDegree >= 0 && radius > 0, "PolynomialDegree: maxDegree >= 0 and radius > 0")
        let n = maxDegree + 1
        let nodes = (0..<n).map { radius * cos(Double.pi * (Double($0) + 0.5) / Double(n)) }
        let samples = nodes.map(f)
        let outputs = samples.first?.count ?? 0
        precondition(samples.allSatisfy { $0.count == outputs }, "PolynomialDegree: f returned different lengths")
        // Coefficients in the scaled variable s = t / radius (well conditioned), then c_k = a_k / radius^k.
        let vandermonde = nodes.map { t in (0..<n).map { pow(t / radius, Double($0)) } }
        var norms = [Double](repeating: 0, count: n)
        for j in 0..<outputs {
            let a = solve(vandermonde, samples.map { $0[j] })
            for k in 0..<n {
                let c = a[k] / pow(radius, Double(k))
                norms[k] += c * c
            }
        }
        norms = norms.map { $0.squareRoot() }
        let top = max(norms.max() ?? 0, Double.leastNormalMagnitude)
        let relative = norms.map { $0 / top }
        let degree = relative.lastIndex { $0 > tolerance } ?? 0
        let above = relative.dropFirst(degree + 1).max() ?? 0
        let opposite = relative.indices.filter { ($0 - degree) % 2 != 0 }.map { relative[$0] }.max() ?? 0
        return PolynomialDegree(relativeCoefficients: relative, degree: degree, aboveDegree: above, oppositeParity: opposite)
    }

    /// Gaussian elimination with partial pivoting: the x with A x = b (A square, invertible).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        var m = a, y = b
        let n = y.count
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            m.swapAt(col, pivot)
            y.swapAt(col, pivot)
            for row in (col + 1)..<n {
                let factor = m[row][col] / m[col][col]
                for k in col..<n { m[row][k] -= factor * m[col][k] }
                y[row] -= factor * y[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for row in stride(from: n - 1, through: 0, by: -1) {
            var s = y[row]
            for k in (row + 1)..<n { s -= m[row][k] * x[k] }
            x[row] = s / m[row][row]
        }
        return x
    }
}
