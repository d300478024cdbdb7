"""SIGKILL at random points of `train`, `collect` and an episode sweep with a dump, then check the output directory.

For each command, N times: start it, kill it (SIGKILL) after a random delay in (0, its uninterrupted duration), and
check that what it left is either the old complete state or the new one (or an unfinished write that readers refuse),
that the next run resumes or refuses clearly and then finishes, that its result equals the uninterrupted run's, and
that no temporary file is left after it. Usage: python3 tools/kill_campaign.py BIN [N] [--seed S] [--json]
"""
import json, os, random, shutil, signal, struct, subprocess, sys, tempfile, time, zlib

BIN = os.path.abspath(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith('--') else 50
SEED = int(sys.argv[sys.argv.index('--seed') + 1]) if '--seed' in sys.argv else 0
AS_JSON = '--json' in sys.argv
rng = random.Random(SEED)
work = tempfile.mkdtemp(prefix='ewm-kill-')


def run(args, check=True):
    r = subprocess.run([BIN] + args, capture_output=True, text=True, cwd=work)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {r.returncode}: {r.stderr.strip()[-400:]}")
    return r


def timed(args):
    t = time.time(); run(args); return time.time() - t


def killed(args, delay):
    p = subprocess.Popen([BIN] + args, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p.wait(timeout=delay)
        return False  # finished before the kill
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL); p.wait(); return True


def temporaries(d):
    return [n for n in os.listdir(d) if '.tmp-' in n] if os.path.isdir(d) else []


def tensors(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8 + n]); h.pop('__metadata__', None)
    end = max(v['data_offsets'][1] for v in h.values())
    assert len(b) == 8 + n + end, f'{path}: {len(b)} bytes, header says {8 + n + end}'
    return b[8 + n:]


def manifest_state(d):
    """'none' (nothing committed), 'unfinished' (readers refuse), or 'complete' (every listed file matches)."""
    m = os.path.join(d, 'manifest.json')
    if not os.path.exists(m):
        return 'none'
    doc = json.load(open(m))
    if not doc['complete']:
        return 'unfinished'
    for e in doc['files']:
        data = open(os.path.join(d, e['name']), 'rb').read()
        assert len(data) == e['bytes'] and zlib.crc32(data) == e['crc32'], f"{e['name']} does not match the manifest"
    return 'complete'


def campaign(name, args_for, reference, check_left, next_args, result):
    outcomes, kills = {}, 0
    t_full = timed(args_for(os.path.join(work, f'{name}-reference')))
    ref = result(os.path.join(work, f'{name}-reference'))
    for i in range(N):
        d = os.path.join(work, f'{name}-{i}')
        delay = rng.uniform(0.02, t_full)
        kills += killed(args_for(d), delay)
        state = check_left(d)
        outcomes[state] = outcomes.get(state, 0) + 1
        for args in next_args(d, state):
            run(args)
        assert result(d) == ref, f'{name} {i}: the result after the next run differs from the uninterrupted run'
        left = temporaries(d)
        assert not left, f'{name} {i}: temporaries left after the next run: {left}'
        shutil.rmtree(d)
    return {'runs': N, 'killed before finishing': kills, 'uninterrupted seconds': round(t_full, 2), 'states after the kill': outcomes}


def train_args(d):
    return ['train', '--env', 'teacher2d', '--model', 'vn', '--episodes', '20', '--episode-steps', '10', '--steps', '300',
            '--checkpoint-every', '25', '--log-every', '10', '--out', d, '--json']


def train_left(d):
    c = os.path.join(d, 'checkpoint.safetensors')
    if not os.path.exists(c):
        return 'no checkpoint yet'
    tensors(c)  # a complete file: its header and its data agree
    return 'checkpoint'


def train_next(d, state):
    if state == 'checkpoint':
        return [train_args(d) + ['--resume']]
    return [train_args(d)]


def collect_args(d, replace=False):
    return ['collect', 'teacher2d', '--episodes', '3000', '--episode-steps', '20', '--shard-size', '2000', '--out', d, '--json'] + (['--replace'] if replace else [])


def collect_left(d):
    state = manifest_state(d) if os.path.isdir(d) else 'none'
    if state != 'complete' and os.path.isdir(d) and any(n.startswith('shard-') for n in os.listdir(d)):
        # Readers refuse what a killed collection left.
        r = run(['train', '--env', 'teacher2d', '--data', d, '--steps', '1', '--out', d + '-t'], check=False)
        assert r.returncode != 0 and ('did not finish' in r.stderr or 'no shard' in r.stderr), r.stderr
    return state


def collect_next(d, state):
    if os.path.isdir(d) and [n for n in os.listdir(d) if n != '.lock' and '.tmp-' not in n]:
        r = run(collect_args(d), check=False)  # a non-empty directory is refused, clearly
        assert r.returncode != 0 and '--replace' in r.stderr, r.stderr
        return [collect_args(d, replace=True)]
    return [collect_args(d)]


def collect_result(d):
    doc = json.load(open(os.path.join(d, 'manifest.json')))
    return [(e['name'], e['bytes'], e['crc32']) for e in doc['files'] if e['name'].startswith('shard-')]


def dump_args(d):
    os.makedirs(d, exist_ok=True)
    return ['pusht', '--obs', 'pixels', '--episodes', '20', '--max-steps', '50', '--dump', os.path.join(d, 'run.npz'), '--json']


def dump_left(d):
    p = os.path.join(d, 'run.npz')
    if not os.path.exists(p):
        return 'no dump yet'
    import numpy
    with numpy.load(p) as z:
        assert len(z.files) > 0
    return 'complete dump'


def dump_result(d):
    import numpy
    with numpy.load(os.path.join(d, 'run.npz')) as z:
        return {k: z[k].tobytes() for k in z.files}


report = {
    'train': campaign('train', train_args, None, train_left, train_next, lambda d: tensors(os.path.join(d, 'checkpoint.safetensors'))),
    'collect': campaign('collect', collect_args, None, collect_left, collect_next, collect_result),
    'episode sweep with a dump': campaign('dump', dump_args, None, dump_left, lambda d, s: [dump_args(d)], dump_result),
}
shutil.rmtree(work)
print(json.dumps(report, indent=2) if AS_JSON else '\n'.join(f'{k}: {v}' for k, v in report.items()))
