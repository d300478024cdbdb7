"""Steps per second from Python: one ewm-sim env (state observations) and the native vector env (state and
pixels), with gym-pusht 0.1.8 timed in the same run when it is installed.

    python -m ewm_sim.bench                 # a table
    python -m ewm_sim.bench --json          # one JSON object
    python -m ewm_sim.bench --envs 64 --seconds 3

Every env takes uniform random actions from a seeded generator and is reset when an episode ends (the vector env
resets itself). Timed with wall-clock time after an untimed warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings

import gymnasium as gym
import numpy as np

import ewm_sim


def single_env_rate(env: gym.Env, seconds: float, warmup: float) -> float:
    """Steps per second of one env (reset with a new seed whenever an episode ends)."""
    actions = np.random.default_rng(1).uniform(0, 512, size=(4096, 2))
    episode = 0
    env.reset(seed=episode)

    def run(budget: float) -> tuple[int, float]:
        nonlocal episode
        steps = 0
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < budget:
            for _ in range(64):
                _, _, terminated, truncated, _ = env.step(actions[steps & 4095])
                steps += 1
                if terminated or truncated:
                    episode += 1
                    env.reset(seed=episode)
            elapsed = time.perf_counter() - start
        return steps, elapsed

    run(warmup)
    steps, elapsed = run(seconds)
    return steps / elapsed


def vector_env_rate(envs: gym.vector.VectorEnv, seconds: float, warmup: float) -> float:
    """Env steps per second (summed over the copies) of a vector env."""
    n = envs.num_envs
    batches = np.random.default_rng(2).uniform(0, 512, size=(64, n, 2))
    envs.reset(seed=0)

    def run(budget: float) -> tuple[int, float]:
        calls = 0
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < budget:
            for _ in range(8):
                envs.step(batches[calls & 63])
                calls += 1
            elapsed = time.perf_counter() - start
        return calls * n, elapsed

    run(warmup)
    steps, elapsed = run(seconds)
    return steps / elapsed


def gym_pusht_available() -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import gym_pusht  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m ewm_sim.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envs", type=int, default=64, help="copies in the vector env (default 64)")
    parser.add_argument("--threads", type=int, default=0, help="the vector env's worker threads (default 0: one per core)")
    parser.add_argument("--seconds", type=float, default=1.5, help="timed seconds per measurement (default 1.5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all measurements; medians reported (default 3)")
    parser.add_argument("--no-reference", action="store_true", help="do not time gym-pusht even if it is installed")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)
    warmup = min(1.0, args.seconds / 4)

    report: dict = {
        "env": "ewm_sim/PushT-v0",
        "library": str(ewm_sim.library_path()),
        "python": platform.python_version(),
        "gymnasium": gym.__version__,
        "numpy": np.__version__,
        "cores": os.cpu_count(),
        "seconds": args.seconds,
        "vector_envs": args.envs,
        "steps_per_second": {},
    }
    reference = not args.no_reference and gym_pusht_available()
    makers = {
        "single_state": lambda: gym.make("ewm_sim/PushT-v0", obs_type="state", normalize_actions=False, disable_env_checker=True),
        "vector_state": lambda: gym.make_vec(
            "ewm_sim/PushT-v0", num_envs=args.envs, vectorization_mode="vector_entry_point", obs_type="state", normalize_actions=False, threads=args.threads
        ),
        "vector_pixels": lambda: gym.make_vec(
            "ewm_sim/PushT-v0", num_envs=args.envs, vectorization_mode="vector_entry_point", obs_type="pixels", normalize_actions=False, threads=args.threads
        ),
    }
    if reference:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import gym_pusht  # noqa: F401
        for obs in ("state", "pixels"):
            makers[f"gym_pusht_{obs}"] = lambda obs=obs: gym.make("gym_pusht/PushT-v0", obs_type=obs, disable_env_checker=True)
    # Rounds: every measurement once per round, so a change in the machine's load hits ewm_sim and gym-pusht alike;
    # the report gives the median over rounds of each rate and of each round's ratios.
    per_round: dict[str, list[float]] = {key: [] for key in makers}
    for _ in range(args.rounds):
        for key, make in makers.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                env = make()
            rate = vector_env_rate if key.startswith("vector") else single_env_rate
            per_round[key].append(rate(env, args.seconds, warmup))
            env.close()
    report["rounds"] = args.rounds
    report["vector_threads"] = min(args.threads or os.cpu_count() or 1, args.envs)
    report["steps_per_second"] = {key: float(np.median(v)) for key, v in per_round.items()}
    report["steps_per_second_per_round"] = per_round
    rates = report["steps_per_second"]
    if reference:
        report["reference"] = "gym-pusht " + _version("gym-pusht")
        pairs = {
            "single_state_over_gym_pusht_state": ("single_state", "gym_pusht_state"),
            "vector_state_over_gym_pusht_state": ("vector_state", "gym_pusht_state"),
            "vector_pixels_over_gym_pusht_pixels": ("vector_pixels", "gym_pusht_pixels"),
        }
        report["ratios"] = {
            name: float(np.median(np.array(per_round[a]) / np.array(per_round[b]))) for name, (a, b) in pairs.items()
        }
    else:
        report["reference"] = None

    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(
            f"ewm_sim/PushT-v0 from Python {report['python']} (gymnasium {report['gymnasium']}, {report['cores']} cores, "
            f"median of {args.rounds} rounds of {args.seconds:g} s)"
        )
        names = {
            "single_state": "one env, state",
            "vector_state": f"native vector env x{args.envs}, state",
            "vector_pixels": f"native vector env x{args.envs}, pixels",
            "gym_pusht_state": "gym-pusht, one env, state",
            "gym_pusht_pixels": "gym-pusht, one env, pixels",
        }
        for key, rate in rates.items():
            print(f"  {names[key]:<40} {rate:>12,.0f} steps/s")
        if report.get("ratios"):
            for key, ratio in report["ratios"].items():
                print(f"  {key:<40} {ratio:>12.1f}x")
        else:
            print("  gym-pusht not installed (pip install gym-pusht): no reference timed")
    return report


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    main(sys.argv[1:])
