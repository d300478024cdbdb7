#!/usr/bin/env python3
"""Times gym-pusht (the reference PushT) the way `ewm-sim bench pusht` times ewm-sim: uniform random
actions from a seeded generator, reset when an episode ends, for a fixed wall-clock budget. Prints JSON.

    pip install gym-pusht
    python3 tools/bench_gym_pusht.py --obs state --seconds 2
"""
import argparse
import json
import sys
import time
import warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--obs", default="state", choices=["state", "keypoints", "pixels"])
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import gymnasium as gym
            import gym_pusht  # noqa: F401  (registers the env)
            import numpy as np
    except ImportError as error:
        sys.exit(f"gym-pusht is not installed ({error}); run: pip install gym-pusht")

    obs_type = {"state": "state", "keypoints": "environment_state_agent_pos", "pixels": "pixels"}[args.obs]
    env = gym.make("gym_pusht/PushT-v0", obs_type=obs_type, disable_env_checker=True)
    rng = np.random.default_rng(1)
    actions = rng.uniform(0, 512, size=(4096, 2))
    env.reset(seed=0)
    steps, episode = 0, 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < args.seconds:
        for _ in range(64):
            _, _, terminated, truncated, _ = env.step(actions[steps & 4095])
            steps += 1
            if terminated or truncated:
                episode += 1
                env.reset(seed=episode)
        elapsed = time.perf_counter() - start
    print(json.dumps({"env": "gym-pusht 0.1.8", "obs": args.obs, "steps_per_second": steps / elapsed}))


if __name__ == "__main__":
    main()
