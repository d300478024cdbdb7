#!/usr/bin/env python3
"""How well can the T's next keypoints be predicted from PushT transitions at all? (numpy + scikit-learn)

  pip install scikit-learn     # not a project dependency; only this diagnostic uses it
  ewm-sim collect pusht --frameskip 5 --start reference --episodes 10000 --episode-steps 20 --previous-action --seed 0 --out /tmp/tf/train
  ewm-sim collect pusht --frameskip 5 --start reference --episodes 1000 --episode-steps 20 --previous-action --seed 1000003 --out /tmp/tf/test
  python3 tools/t_floor.py /tmp/tf/train /tmp/tf/test [--features raw|tframe] [--epochs 60] [--limit N]

A plain supervised regressor (a 256x256x256 ReLU MLP with biases, Adam) fits the T's keypoint displacement over one
transition, the strongest simple reference for the world models' one-step T error (`ewm-sim eval rollout` prints
theirs in px). Observations are rotated back to the canonical frame with each episode's recorded orientation.
Features: `raw` = the 9 points, the previous action (when recorded) and the action, about (256, 256), /100;
`tframe` = the agent, previous action, action and workspace centre in the T's own frame (origin and bar direction),
the displacement predicted in that frame too (invariant to translations and rotations of the scene).
Prints the copy baseline (predict no motion), and the regressor's mean keypoint error in px, overall and on the
transitions where the T moved more than 1 px.
"""
import argparse, glob, time
import numpy as np

CENTRE = np.array([256.0, 256.0])


def load(directory):
    files = sorted(glob.glob(directory + '/shard-*.npz'))
    if not files:
        raise SystemExit(f'no shard-*.npz in {directory}')
    parts = [np.load(f) for f in files]
    get = lambda k: np.concatenate([p[k] for p in parts])
    obs, act, nxt, theta = get('observation'), get('action'), get('next_observation'), get('orientation')

    def back(points):  # rotate every (x, y) pair by -theta about the centre
        p = points.reshape(len(points), -1, 2) - CENTRE
        c, s = np.cos(-theta)[:, None], np.sin(-theta)[:, None]
        return (np.stack([c * p[..., 0] - s * p[..., 1], s * p[..., 0] + c * p[..., 1]], -1) + CENTRE).reshape(len(points), -1)

    return back(obs), back(act), back(nxt)


def keypoint_error(pred, true):
    """Mean Euclidean error over the 8 T keypoints (px)."""
    return np.linalg.norm((pred[:, :16] - true[:, :16]).reshape(-1, 8, 2), axis=-1).mean()


def t_frame(obs):
    """The T's origin (midpoint of the bar's bottom edge) and unit bar direction, from its keypoints."""
    k = obs[:, :16].reshape(-1, 8, 2)
    origin = (k[:, 0] + k[:, 1]) / 2
    u = k[:, 1] - k[:, 0]
    return origin, u / np.linalg.norm(u, axis=1, keepdims=True)


def to_frame(p, origin, u):
    d = p - origin
    return np.stack([d[:, 0] * u[:, 0] + d[:, 1] * u[:, 1], -d[:, 0] * u[:, 1] + d[:, 1] * u[:, 0]], 1)


def from_frame(q, origin, u):
    x = u[:, None, 0] * q[..., 0] - u[:, None, 1] * q[..., 1]
    y = u[:, None, 1] * q[..., 0] + u[:, None, 0] * q[..., 1]
    return np.stack([x, y], -1) + origin[:, None]


def features(kind, obs, act):
    if kind == 'raw':
        return np.hstack([(obs - 256) / 100, (act - 256) / 100])
    origin, u = t_frame(obs)
    extra = [obs[:, 18:20]] if obs.shape[1] >= 20 else []
    pts = [obs[:, 16:18]] + extra + [act, np.broadcast_to(CENTRE, origin.shape)]
    return np.hstack([to_frame(p, origin, u) for p in pts]) / 100


def targets(kind, obs, nxt):
    if kind == 'raw':
        return (nxt[:, :16] - obs[:, :16]) / 100
    origin, u = t_frame(obs)
    k0, k1 = obs[:, :16].reshape(-1, 8, 2), nxt[:, :16].reshape(-1, 8, 2)
    return np.hstack([to_frame(k1[:, i], origin, u) - to_frame(k0[:, i], origin, u) for i in range(8)]) / 100


def predicted_keypoints(kind, obs, y):
    if kind == 'raw':
        return obs[:, :16] + 100 * y
    origin, u = t_frame(obs)
    k0 = obs[:, :16].reshape(-1, 8, 2)
    local = np.stack([to_frame(k0[:, i], origin, u) for i in range(8)], 1) + 100 * y.reshape(-1, 8, 2)
    return from_frame(local, origin, u).reshape(len(obs), 16)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('train'), ap.add_argument('test')
    ap.add_argument('--features', choices=['raw', 'tframe'], default='raw')
    ap.add_argument('--epochs', type=int, default=60)
    ap.add_argument('--limit', type=int, default=0, help='use only the first N training transitions')
    a = ap.parse_args()
    from sklearn.neural_network import MLPRegressor
    obs, act, nxt = load(a.train)
    if a.limit:
        obs, act, nxt = obs[:a.limit], act[:a.limit], nxt[:a.limit]
    tobs, tact, tnxt = load(a.test)
    moved = np.linalg.norm((tnxt - tobs)[:, :16].reshape(-1, 8, 2), axis=-1).mean(1) > 1
    print(f'train {len(obs)} / test {len(tobs)} transitions; the T moves > 1 px in {moved.mean():.2f} of the test set')
    print(f'copy baseline (no motion): T keypoints {keypoint_error(tobs, tnxt):.1f} px')
    t0 = time.time()
    net = MLPRegressor(hidden_layer_sizes=(256, 256, 256), batch_size=256, learning_rate_init=1e-3,
                       max_iter=a.epochs, random_state=0)
    net.fit(features(a.features, obs, act), targets(a.features, obs, nxt))
    pred = predicted_keypoints(a.features, tobs, net.predict(features(a.features, tobs, tact)))
    print(f'{a.features} MLP, {a.epochs} epochs ({time.time() - t0:.0f} s): T keypoints {keypoint_error(pred, tnxt):.1f} px, '
          f'{keypoint_error(pred[moved], tnxt[moved]):.1f} px where the T moved')


if __name__ == '__main__':
    main()
