import Tensor

/// Latents as planners see them (`LatentWorldModel`): one row per sample, channel after channel,
/// (x_0, y_0, [z_0,] x_1, ...); the nets hold them as [B, d, L]. One conversion for every dimension d.
enum LatentRows {
    /// [B, d, L] -> rows of d numbers per channel.
    static func rows<S: TensorScalar>(_ t: Tensor<S>) -> [Double] {
        let b = t.shape[0], d = t.shape[1], l = t.shape[2]
        var out = [Double](repeating: 0, count: t.count)
        t.withUnsafeBufferPointer { x in
            for i in 0..<b {
                for c in 0..<l {
                    for j in 0..<d { out[i * d * l + d * c + j] = Double(x[i * d * l + j * l + c]) }
                }
            }
        }
        return out
    }

    /// Rows of `batch` latents of `channels` d-vectors -> [B, d, L].
    static func tensor<S: TensorScalar>(_ rows: [Double], batch: Int, dim d: Int, channels l: Int) -> Tensor<S> {
        precondition(rows.count == batch * d * l, "LatentRows: \(rows.count) numbers for \(batch) latents of \(l) \(d)-vectors")
        var z = [S](repeating: 0, count: rows.count)
        for b in 0..<batch {
            for c in 0..<l {
                for j in 0..<d { z[b * d * l + j * l + c] = S(rows[b * d * l + d * c + j]) }
            }
        }
        return try! Tensor(shape: [batch, d, l], scalars: z)
    }
}
