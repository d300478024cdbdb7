import warnings

import gymnasium as gym
import pytest

import ewm_sim

#: (ewm-sim id, Gymnasium id, observation type) for every registered env and observation type.
ENV_OBS = [
    (env_id, ewm_sim.gym_id(env_id), obs)
    for env_id, facts in ewm_sim.REGISTRY.items()
    for obs in facts["observation_types"].split(",")
]


def obs_steps(obs: str) -> int:
    return 5 if obs == "pixels" else 30


@pytest.fixture
def strict_warnings():
    """Every warning raised inside is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def make(gid: str, **kwargs) -> gym.Env:
    return gym.make(gid, **kwargs)
