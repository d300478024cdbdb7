"""ewm-sim's envs in Python: Gymnasium envs and native vector envs over the Swift library (libEWMSimC).

Importing the package registers every env of ewm-sim's registry with Gymnasium::

    import gymnasium as gym
    import ewm_sim  # noqa: F401

    env = gym.make("ewm_sim/PushT-v0", obs_type="state", orientation=0.7, rotation="frame", render_mode="rgb_array")
    obs, info = env.reset(seed=0)  # gym-pusht's start for seed 0
    envs = gym.make_vec("ewm_sim/PushT-v0", num_envs=64, vectorization_mode="vector_entry_point")
"""

from __future__ import annotations

import gymnasium

from ewm_sim._lib import (
    EwmSimError,
    InvalidActionError,
    InvalidOption,
    InvalidStateError,
    UnknownOption,
    library_path,
)
from ewm_sim.envs import REGISTRY, EwmSimEnv, EwmSimVectorEnv, gym_id, gym_name

__all__ = [
    "EwmSimEnv",
    "EwmSimError",
    "EwmSimVectorEnv",
    "InvalidActionError",
    "InvalidOption",
    "InvalidStateError",
    "REGISTRY",
    "UnknownOption",
    "gym_id",
    "gym_ids",
    "library_path",
]


def gym_ids() -> list[str]:
    """The Gymnasium ids of every registered ewm-sim env."""
    return [gym_id(env_id) for env_id in REGISTRY]


def _register() -> None:
    for env_id, facts in REGISTRY.items():
        name = gym_name(env_id)
        if gym_id(env_id) in gymnasium.registry:
            continue
        steps = facts["max_episode_steps"]
        gymnasium.register(
            id=gym_id(env_id),
            entry_point=f"ewm_sim.envs:{name}Env",
            vector_entry_point=f"ewm_sim.envs:{name}VectorEnv",
            max_episode_steps=int(steps) if steps else None,
            nondeterministic=False,
        )


_register()
