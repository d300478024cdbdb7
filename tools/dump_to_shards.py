#!/usr/bin/env python3
"""Turn a PushT planning dump into world-model transitions, to measure a model on the states and actions its
planner actually visits (numpy only).

  ewm-sim pusht --planner equivariant --episodes 30 --no-compare --dump /tmp/plan.npz
  python3 tools/dump_to_shards.py /tmp/plan.npz /tmp/onpolicy --frameskip 5
  ewm-sim eval rollout --checkpoint assets/pusht-vn-fs5/checkpoint.safetensors --data /tmp/onpolicy --horizons 1,2

A transition is (o_t, a_t, o_{t+k}) for the env steps t where a plan's action starts (t = 0, k, 2k, ... of each
episode) and the action was held for all k steps (the planners hold each action `--action-repeat` steps, by default
the model's frameskip); segments cut short by the episode's end are dropped. The dump must come from orientation 0
(the canonical frame). Writes DIR/shard-00000.npz in the format of `ewm-sim collect`.
"""
import argparse, os, tempfile
import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('dump'), ap.add_argument('out')
    ap.add_argument('--frameskip', type=int, default=5)
    a = ap.parse_args()
    k = a.frameskip
    if k < 1:
        raise SystemExit('--frameskip must be at least 1')
    d = np.load(a.dump)
    for key in ('observation.state', 'action', 'episode_index', 'frame_index'):
        if key not in d.files:
            raise SystemExit(f'{a.dump} has no {key}: is it a `ewm-sim pusht --dump` file?')
    if 'meta.orientation' in d.files and float(d['meta.orientation']) != 0:
        raise SystemExit(f'{a.dump} was recorded at orientation {float(d["meta.orientation"])}; record at 0')
    obs, act, ep, fr = d['observation.state'], d['action'], d['episode_index'], d['frame_index']
    if obs.shape[1] != 18:
        raise SystemExit(f'{a.dump} holds {obs.shape[1]}-number observations; record keypoints (the planners do)')
    rows = {(int(e), int(f)): i for i, (e, f) in enumerate(zip(ep, fr))}
    O, A, N, E, F = [], [], [], [], []
    held_out = 0
    for (e, f), i in sorted(rows.items()):
        if f % k or (e, f + k) not in rows:
            continue
        steps = [rows.get((e, f + j)) for j in range(k)]
        if any(s is None for s in steps) or not all(np.array_equal(act[s], act[i]) for s in steps):
            held_out += 1
            continue
        O.append(obs[i]), A.append(act[i]), N.append(obs[rows[(e, f + k)]]), E.append(e), F.append(f // k)
    if not O:
        raise SystemExit('no complete transitions (is --frameskip the planner\'s action repeat?)')
    os.makedirs(a.out, exist_ok=True)
    arrays = dict(observation=np.array(O), action=np.array(A), next_observation=np.array(N),
                  orientation=np.zeros(len(O)), episode_index=np.array(E, dtype=np.int64), frame_index=np.array(F, dtype=np.int64))
    fd, tmp = tempfile.mkstemp(suffix='.npz', dir=a.out)
    with os.fdopen(fd, 'wb') as fh:
        np.savez(fh, **arrays)
    os.replace(tmp, os.path.join(a.out, 'shard-00000.npz'))
    print(f'{len(O)} transitions from {len(set(E))} episodes -> {a.out}/shard-00000.npz'
          + (f' ({held_out} segments skipped: the action changed within {k} steps)' if held_out else ''))


if __name__ == '__main__':
    main()
