"""Gymnasium envs over ewm-sim's registered envs: one `gymnasium.Env` class and one native `VectorEnv` class per
registered id (`PushTEnv`, `PushTVectorEnv`, ...), generated from the library's registry when this module loads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode
from gymnasium.vector.utils import batch_space

from ewm_sim import _lib
from ewm_sim._batch import AUTORESET_DISABLED, AUTORESET_NEXT_STEP, Batch
from ewm_sim._lib import InvalidActionError, InvalidOption

#: Gymnasium names of the built-in ids (others: the id's dash-separated words capitalised).
NAMES = {
    "pusht": "PushT", "push3d": "Push3D", "push3d-multi": "Push3DMulti", "push3d-box": "Push3DBox", "push3d-l": "Push3DL",
    "push3d-tripod": "Push3DTripod", "teacher3d": "Teacher3D", "teacher2d": "Teacher2D",
}

#: Reset option names: a start state instead of a seeded draw (gym-pusht calls it `reset_to_state`).
_STATE_OPTIONS = ("state", "reset_to_state")


def gym_name(env_id: str) -> str:
    return NAMES.get(env_id) or "".join(word[:1].upper() + word[1:] for word in env_id.split("-"))


def gym_id(env_id: str) -> str:
    """The Gymnasium id of ewm-sim env `env_id` (pusht -> ewm_sim/PushT-v0)."""
    return f"ewm_sim/{gym_name(env_id)}-v0"


def _render_size(size: Any) -> tuple[int, int]:
    """(width, height) from an int or a pair."""
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        width = height = int(size)
    else:
        try:
            width, height = (int(v) for v in size)
        except (TypeError, ValueError) as error:
            raise InvalidOption(f"render_size must be an int or (width, height), got {size!r}") from error
    if not (1 <= width <= 8192 and 1 <= height <= 8192):
        raise InvalidOption(f"render_size must be within 1...8192, got {size!r}")
    return width, height


def _state_option(options: Mapping[str, Any] | None, rows: int) -> np.ndarray | None:
    """The start state(s) in reset options, as `rows` rows of doubles (None: a seeded draw)."""
    if not options:
        return None
    unknown = sorted(set(options) - set(_STATE_OPTIONS) - {"reset_mask"})
    if unknown:
        raise InvalidOption(f"unknown reset options {unknown}; ewm-sim envs take {list(_STATE_OPTIONS)}")
    state = next((options[k] for k in _STATE_OPTIONS if options.get(k) is not None), None)
    if state is None:
        return None
    try:
        state = np.array(state, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidOption(f"a reset state must be numbers, got {state!r}") from error
    if rows == 1 and state.ndim == 1:
        state = state[None, :]
    if state.ndim != 2 or state.shape[0] != rows:
        raise InvalidOption(f"reset state must have shape ({rows}, n) (or (n,) for one env), got {state.shape}")
    return state


class _ActionScaling:
    """[-1, 1] mapped linearly onto the env's native action box (`normalize_actions=True`, the default: the space
    Gymnasium's checker asks for), or the native box itself (`normalize_actions=False`; PushT: gym-pusht's pixel box
    [0, 512]^2, a drop-in for `gym_pusht/PushT-v0`). On a native box that is already [-1, 1] the map is the identity,
    exactly."""

    def __init__(self, native: gym.spaces.Box, normalize: bool):
        self.normalize = bool(normalize)
        self.native = native
        if self.normalize:
            if not (np.all(np.isfinite(native.low)) and np.all(np.isfinite(native.high))):
                raise InvalidOption("normalize_actions needs a bounded action space")
            self.space = gym.spaces.Box(low=-1.0, high=1.0, shape=native.shape, dtype=np.float64)
            self.offset = (native.high + native.low) / 2
            self.scale = (native.high - native.low) / 2
        else:
            self.space = native


class EwmSimEnv(gym.Env):
    """A registered ewm-sim env as a Gymnasium env (use `gymnasium.make("ewm_sim/<Name>-v0", ...)`).

    Args:
        obs_type: an observation type of the env (PushT: "state", "keypoints", "pixels"); None: its default.
        orientation: the world's orientation (radians; PushT about (256, 256), 3D worlds about the z axis).
        rotation: "frame" (exact: physics canonical, observations turned) or "world" (the simulated world turned).
        render_mode: None or "rgb_array" (envs that can draw themselves).
        render_size: width and height of `render()` frames (int or pair; default 680, gym-pusht's).
        normalize_actions: True (default): actions in [-1, 1], mapped linearly onto the env's action box; False: the
            native box itself (PushT: gym-pusht's [0, 512]^2 pixel targets, for a drop-in `gym_pusht/PushT-v0`).
        **options: the env's own options (PushT: reset_order; push3d: se3, shape; push3d_multi: se3, shape,
            objects; teacher3d: se3, teacher_seed; teacher2d: points, teacher_seed).

    `reset(seed=s)` gives the env's start for seed s (PushT: gym-pusht's, bit for bit); `reset(options={"state":
    s})` (or gym-pusht's "reset_to_state") starts from a given state. A NaN, infinite or wrongly shaped action raises
    `ValueError` (`InvalidActionError`) and leaves the env as it was.
    """

    env_id: str = ""
    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(
        self,
        render_mode: str | None = None,
        obs_type: str | None = None,
        orientation: float = 0.0,
        rotation: str = "frame",
        render_size: Any = 680,
        normalize_actions: bool = True,
        **options: Any,
    ):
        self._batch = None
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise gym.error.UnsupportedMode(
                f"{gym_id(self.env_id)} has render modes {self.metadata['render_modes']}, not {render_mode!r}"
            )
        self.render_mode = render_mode
        self._render_width, self._render_height = _render_size(render_size)
        self._batch = Batch(
            self.env_id,
            1,
            obs_type=obs_type,
            orientation=orientation,
            rotation=rotation,
            options=options,
            max_episode_steps=0,  # Gymnasium's TimeLimit (from the registered max_episode_steps) ends episodes
            autoreset=AUTORESET_DISABLED,
            threads=1,
        )
        self.obs_type = self._batch.obs_type
        self.observation_space = self._batch.observation_space
        self._actions = _ActionScaling(self._batch.action_space, normalize_actions)
        self.action_space = self._actions.space
        self._action_shape = self.action_space.shape
        self._action_row = self._batch.actions[0]
        self._observation_row = self._batch.observations[0]

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        states = _state_option(options, 1)
        self._batch.reset(seeds=None if seed is None else [seed], states=states)
        return self._observation_row.copy(), self._batch.env_info(0)

    def step(self, action):
        try:
            a = np.asarray(action, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidActionError(f"{gym_id(self.env_id)}: the action is not an array of numbers: {action!r}") from error
        if a.shape != self._action_shape:
            raise InvalidActionError(
                f"{gym_id(self.env_id)}: invalid action: expected shape {self._action_shape}, got shape {a.shape}"
            )
        if self._actions.normalize:
            a = self._actions.offset + self._actions.scale * a
        self._action_row[...] = a
        try:
            self._batch.step()
        except InvalidActionError as error:
            raise InvalidActionError(f"{gym_id(self.env_id)}: {error}") from None
        b = self._batch
        return self._observation_row.copy(), float(b.rewards[0]), bool(b.terminated[0]), bool(b.truncated[0]), b.env_info(0)

    def render(self):
        if self.render_mode is None:
            gym.logger.warn(
                f"render() of {gym_id(self.env_id)} without a render mode: make it with render_mode='rgb_array'"
            )
            return None
        return self._batch.render(0, self._render_width, self._render_height)

    def close(self):
        if self._batch is not None:
            self._batch.close()
        super().close()


class EwmSimVectorEnv(gym.vector.VectorEnv):
    """`num_envs` copies of a registered ewm-sim env stepped in one library call, split over worker threads
    (`gymnasium.make_vec("ewm_sim/<Name>-v0", num_envs=64, vectorization_mode="vector_entry_point", ...)`).

    Gymnasium's next-step autoreset (`metadata["autoreset_mode"]`): the step after an env ends resets it instead
    (its action is ignored) and returns its first observation with reward 0 and both flags false. The time limit
    (`max_episode_steps`, the registered one unless given) truncates inside the library. Options as `EwmSimEnv`, plus
    `threads` (worker threads; 0: one per core).
    """

    env_id: str = ""
    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        num_envs: int = 1,
        render_mode: str | None = None,
        obs_type: str | None = None,
        orientation: float = 0.0,
        rotation: str = "frame",
        max_episode_steps: int | None = None,
        render_size: Any = 680,
        normalize_actions: bool = True,
        threads: int = 0,
        **options: Any,
    ):
        self._batch = None
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise gym.error.UnsupportedMode(
                f"{gym_id(self.env_id)} has render modes {self.metadata['render_modes']}, not {render_mode!r}"
            )
        if max_episode_steps is not None and (isinstance(max_episode_steps, bool) or not isinstance(max_episode_steps, (int, np.integer))):
            raise InvalidOption(f"max_episode_steps must be an integer or None, got {max_episode_steps!r}")
        if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 0:
            raise InvalidOption(f"threads must be a non-negative integer, got {threads!r}")
        self.render_mode = render_mode
        self._render_width, self._render_height = _render_size(render_size)
        self._batch = Batch(
            self.env_id,
            num_envs,
            obs_type=obs_type,
            orientation=orientation,
            rotation=rotation,
            options=options,
            max_episode_steps=0 if max_episode_steps is None or max_episode_steps <= 0 else int(max_episode_steps),
            autoreset=AUTORESET_NEXT_STEP,
            threads=int(threads),
        )
        self.num_envs = self._batch.num_envs
        self.obs_type = self._batch.obs_type
        self.single_observation_space = self._batch.observation_space
        self._actions = _ActionScaling(self._batch.action_space, normalize_actions)
        self.single_action_space = self._actions.space
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._actions_shape = (self.num_envs, *self.single_action_space.shape)

    def reset(self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None):
        n = self.num_envs
        # The vector env's own generator (Gymnasium's `np_random`) follows an int seed, as SyncVectorEnv's does.
        super().reset(seed=int(seed) if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None)
        if seed is None:
            seeds = None
        elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
            seeds = [int(seed) + i for i in range(n)]
        else:
            seeds = list(seed)
            if len(seeds) != n:
                raise ValueError(f"If seeds are passed as a list the length must match num_envs={n} but got length={len(seeds)}.")
        mask = None
        if options and options.get("reset_mask") is not None:
            mask = options["reset_mask"]
            if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.shape != (n,):
                raise InvalidOption(f"options['reset_mask'] must be a bool array of shape ({n},)")
            if not mask.any():
                raise InvalidOption("options['reset_mask'] must select at least one env")
        states = _state_option(options, n)
        self._batch.reset(mask=mask, seeds=seeds, states=states)
        return self._batch.observations.copy(), self._batch.vector_info(rows=mask)

    def step(self, actions):
        try:
            a = np.asarray(actions, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise InvalidActionError(f"{gym_id(self.env_id)}: the actions are not an array of numbers") from error
        if a.shape != self._actions_shape:
            raise InvalidActionError(
                f"{gym_id(self.env_id)}: invalid actions: expected shape {self._actions_shape}, got shape {a.shape}"
            )
        if self._actions.normalize:
            a = self._actions.offset + self._actions.scale * a
        b = self._batch
        b.actions[...] = a
        try:
            b.step()
        except InvalidActionError as error:
            raise InvalidActionError(f"{gym_id(self.env_id)}: {error}") from None
        return b.observations.copy(), b.rewards.copy(), b.terminated.astype(bool), b.truncated.astype(bool), b.vector_info()

    def render(self):
        if self.render_mode is None:
            gym.logger.warn(f"render() of {gym_id(self.env_id)} without a render mode: make it with render_mode='rgb_array'")
            return None
        return tuple(self._batch.render(i, self._render_width, self._render_height) for i in range(self.num_envs))

    def close_extras(self, **kwargs: Any):
        if self._batch is not None:
            self._batch.close()


#: Registered ewm-sim ids and their facts, read from the library once.
REGISTRY: dict[str, dict[str, str]] = {env_id: _lib.describe(env_id) for env_id in _lib.registry_ids()}


def _metadata(facts: Mapping[str, str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"] if facts["renders"] == "1" else []}
    if facts["control_hz"]:
        fps = float(facts["control_hz"])
        metadata["render_fps"] = int(fps) if fps.is_integer() else fps
    return metadata


for _env_id, _facts in REGISTRY.items():
    _name = gym_name(_env_id)
    _doc = f"{gym_id(_env_id)}: {_facts['summary']}"
    globals()[f"{_name}Env"] = type(
        f"{_name}Env",
        (EwmSimEnv,),
        {"env_id": _env_id, "metadata": _metadata(_facts), "__module__": __name__, "__doc__": _doc + "\n\n" + (EwmSimEnv.__doc__ or "")},
    )
    globals()[f"{_name}VectorEnv"] = type(
        f"{_name}VectorEnv",
        (EwmSimVectorEnv,),
        {
            "env_id": _env_id,
            "metadata": {"autoreset_mode": AutoresetMode.NEXT_STEP, **_metadata(_facts)},
            "__module__": __name__,
            "__doc__": _doc + "\n\n" + (EwmSimVectorEnv.__doc__ or ""),
        },
    )
