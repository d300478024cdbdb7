#!/usr/bin/env python3
"""Why does (or doesn't) a world-model baseline break outside its training slice? (numpy only)

  python3 tools/ood_diagnose.py data DIR [DIR ...]          # shards from `ewm-sim collect`
  python3 tools/ood_diagnose.py model CHECKPOINT HELDOUT_DIR  # an MLP checkpoint (bias-free) + held-out shards

data: (1) is the one-step problem well posed?  R^2 of a linear fit of the agent's displacement from (agent, action),
      + the previous frame, + the previous action (PushT's agent is a linear PD system: R^2 = 1 needs its velocity);
      (2) how anisotropic is the data?  per-point |mean exp(i angle)| about the symmetry centre, and the mean
      nearest-neighbour distance of rotated states to the data (x the unrotated distance).
model: per orientation, the model's relMSE, split by whether the T moved, and the "copy" baseline
      relMSE(E(g.o), E_ema(g.o')) that predicts no change: a predictor that stays near z + small update cannot
      exceed it by much, so copy / in-slice error bounds the OOD ratio the latent metric can show.
"""
import json, struct, sys
import numpy as np


def shards(d):
    import glob
    fs = sorted(glob.glob(d + '/shard-*.npz'))
    zs = [np.load(f) for f in fs]
    return {k: np.concatenate([z[k] for z in zs]) for k in zs[0].files}


def rot(X, th, c):
    R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    P = X.reshape(len(X), -1, 2) - c
    return (P @ R.T + c).reshape(len(X), -1)


def r2(X, y):
    X = np.c_[X, np.ones(len(X))]
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    r = y - X @ w
    return 1 - (r ** 2).sum() / ((y - y.mean(0)) ** 2).sum()


def data_report(d):
    z = shards(d)
    O, A, N, F = z['observation'], z['action'], z['next_observation'], z['frame_index']
    pusht = O.shape[1] % 18 == 0
    c, scale = (np.array([256., 256.]), 100.) if pusht else (np.zeros(2), 1.)
    print(f'{d}: {len(O)} transitions, {O.shape[1]} numbers per observation')
    if pusht:
        ag, agn, T, Tn = O[:, 16:18], N[:, 16:18], O[:, :16], N[:, :16]
        prev = np.roll(ag, 1, 0); prev[F == 0] = ag[F == 0]
        pa = np.roll(A, 1, 0); pa[F == 0] = ag[F == 0]
        Tp = np.roll(T, 1, 0); Tp[F == 0] = T[F == 0]
        d_ag = agn - ag
        print('  agent displacement, linear R^2 from (agent, action): %.3f; + previous agent: %.3f; + previous action: %.4f'
              % (r2(np.c_[ag, A], d_ag), r2(np.c_[ag, A, prev], d_ag), r2(np.c_[ag, A, prev, pa], d_ag)))
        print('  T keypoint displacement, linear R^2 from (T, agent, action): %.3f; + previous frame: %.3f'
              % (r2(np.c_[T, ag, A], Tn - T), r2(np.c_[T, ag, A, Tp, prev], Tn - T)))
    P = O.reshape(len(O), -1, 2) - c
    conc = np.abs(np.exp(1j * np.arctan2(P[..., 1], P[..., 0])).mean(0))
    print('  per-point |mean exp(i angle)| about the centre (0 = isotropic, 1 = one direction): mean %.3f, min %.3f'
          % (conc.mean(), conc.min()))
    rng = np.random.default_rng(0)
    tr = O[rng.choice(len(O), min(6000, len(O)), replace=False)]
    te = O[rng.choice(len(O), 1000, replace=False)]
    base = None
    out = []
    for deg in [0, 15, 30, 45, 90, 135, 180]:
        X = rot(te, np.deg2rad(deg), c)
        d2 = (X ** 2).sum(1)[:, None] + (tr ** 2).sum(1)[None, :] - 2 * X @ tr.T
        v = np.sqrt(np.maximum(d2.min(1), 0)).mean() / scale
        base = base or v
        out.append('%d deg x%.1f' % (deg, v / base))
    print('  nearest-neighbour distance of rotated states to the data:', ', '.join(out))


def load_st(p):
    raw = open(p, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    h = json.loads(raw[8:8 + n])
    out = {}
    for k, v in h.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        dt = {'F32': np.float32, 'F64': np.float64}[v['dtype']]
        out[k] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt).reshape(v['shape']).astype(np.float64)
    return out, h['__metadata__']


def run(Ws, x):
    for i, (W, b) in enumerate(Ws):
        x = x @ W.T + (0 if b is None else b)
        if i < len(Ws) - 1:
            x = np.where(x > 0, x, 0.2 * x)
    return x


def model_report(ckpt, held):
    t, meta = load_st(ckpt)
    if json.loads(meta['model'])['kind'] == 'vn':
        sys.exit('model: MLP checkpoints only (the VN is exactly equivariant; see ewm-sim eval one-step)')
    lay = json.loads(meta['layout'])
    c, sc, pt = np.array(lay['center']), lay['scale'], lay['actionIsPoint']

    def layers(pre):
        idx = sorted({int(k.split('.')[2]) for k in t if k.startswith(pre)})
        return [(t[f'{pre}{i}.weight'], t.get(f'{pre}{i}.bias')) for i in idx]
    enc, tenc, pred = layers('online.encoder.'), layers('target.encoder.'), layers('online.predictor.')

    def inp(O):
        P = (O.reshape(len(O), -1, 2) - c) / sc
        return np.concatenate([P[..., 0], P[..., 1]], 1)

    def E(O, target=False):
        return run(tenc if target else enc, inp(O))

    def F(z, A):
        a = (A - (c if pt else 0)) / sc
        L = z.shape[1] // 2
        return run(pred, np.concatenate([z[:, :L], a[:, :1], z[:, L:], a[:, 1:]], 1))

    def rel(p, q):
        return ((p - q) ** 2).sum(1) / ((q ** 2).sum(1) + 1e-8)

    z = shards(held)
    O, A, N = z['observation'], z['action'], z['next_observation']
    pusht = lay['env'] == 'pusht'
    moved = (np.linalg.norm(N.reshape(len(N), -1, 2)[:, :8] - O.reshape(len(O), -1, 2)[:, :8], axis=2).max(1) > 1
             if pusht else np.ones(len(O), bool))
    print(f'{ckpt}: {len(O)} held-out transitions' + (f', T moved in {moved.mean():.0%}' if pusht else ''))
    print('  deg   relMSE   (T moved / still)   copy baseline   copy/relMSE')
    for deg in [0, 10, 45, 90, 135, 180]:
        th = np.deg2rad(deg)
        o, n = rot(O, th, c), rot(N, th, c)
        a = rot(A, th, c) if pt else rot(A, th, 0 * c)
        tgt = E(n, True)
        e, cp = rel(F(E(o), a), tgt), rel(E(o, True), tgt)
        split = ' (%.2e / %.2e)' % (e[moved].mean(), e[~moved].mean()) if pusht and (~moved).any() else ''
        print('  %3d  %.3e%s   %.3e   %.1f' % (deg, e.mean(), split, cp.mean(), cp.mean() / e.mean()))


if __name__ == '__main__':
    if len(sys.argv) < 3 or sys.argv[1] not in ('data', 'model'):
        sys.exit(__doc__)
    if sys.argv[1] == 'data':
        for d in sys.argv[2:]:
            data_report(d)
    else:
        model_report(sys.argv[2], sys.argv[3])
