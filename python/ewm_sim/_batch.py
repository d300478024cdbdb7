"""One handle of the C ABI: N envs of one id, their spaces, info layout and the numpy buffers the library writes."""

from __future__ import annotations

import ctypes
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from gymnasium import spaces

from ewm_sim import _lib
from ewm_sim._lib import InvalidOption, UnknownOption, check, lib

_KIND_DOUBLE, _KIND_INT, _KIND_BOOL, _KIND_DOUBLES = 0, 1, 2, 3
_DTYPES = {0: np.dtype(np.float64), 1: np.dtype(np.uint8)}
AUTORESET_DISABLED, AUTORESET_NEXT_STEP = 0, 1


def _option_text(name: str, value: Any) -> str:
    """An env option's value as the library reads it (numbers exactly, sequences comma-separated)."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidOption(f"option {name} must be a number or a string, got {value!r}")
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (Sequence, np.ndarray)):
        return ",".join(_option_text(name, v) for v in value)
    raise InvalidOption(f"option {name} must be a number, a string or a sequence of numbers, got {value!r}")


class Batch:
    """N envs of `env_id` behind one library handle, with their buffers (row i belongs to env i)."""

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        *,
        obs_type: str | None,
        orientation: float,
        rotation: str,
        options: Mapping[str, Any],
        max_episode_steps: int,
        autoreset: int,
        threads: int,
    ):
        self.handle = None
        facts = _lib.describe(env_id)
        self.env_id = env_id
        self.facts = facts
        self.observation_types = facts["observation_types"].split(",")
        known = [k for k in facts["options"].split(",") if k]
        if isinstance(num_envs, (bool, np.bool_)) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise InvalidOption(f"num_envs must be a positive integer, got {num_envs!r}")
        if obs_type is not None and obs_type not in self.observation_types:
            raise InvalidOption(f"{env_id} has no observation type {obs_type!r}; it has {', '.join(self.observation_types)}")
        if rotation not in ("frame", "world"):
            raise InvalidOption(f"rotation must be 'frame' or 'world', got {rotation!r}")
        try:
            orientation = float(orientation)
        except (TypeError, ValueError) as error:
            raise InvalidOption(f"orientation must be a number, got {orientation!r}") from error
        if not math.isfinite(orientation):
            raise InvalidOption(f"orientation must be finite, got {orientation}")
        keys, values = [], []
        for name, value in options.items():
            key = name.replace("_", "-")
            if key not in known:
                names = ", ".join(k.replace("-", "_") for k in known) or "none"
                raise UnknownOption(f"{env_id} has no option {name!r} (its options: {names})")
            if value is None:
                continue
            keys.append(key.encode())
            values.append(_option_text(name, value).encode())
        key_array = (ctypes.c_char_p * max(1, len(keys)))(*keys)
        value_array = (ctypes.c_char_p * max(1, len(values)))(*values)
        handle = ctypes.c_void_p()
        check(
            lib.ewm_create(
                env_id.encode(),
                int(num_envs),
                obs_type.encode() if obs_type is not None else None,
                orientation,
                rotation.encode(),
                key_array,
                value_array,
                len(keys),
                int(max_episode_steps),
                int(autoreset),
                int(threads),
                ctypes.byref(handle),
            ),
            env_id,
        )
        self.handle = handle.value
        self.obs_type = obs_type or self.observation_types[0]

        layout = [ctypes.c_int64() for _ in range(4)]
        check(lib.ewm_layout(self.handle, *[ctypes.byref(v) for v in layout]))
        self.num_envs, _, self.info_width, field_count = (v.value for v in layout)
        self.observation_space = self._space(0)
        self.action_space = self._space(1)
        self.fields: list[tuple[str, int, int, int]] = []
        name = ctypes.create_string_buffer(256)
        kind, offset, length = ctypes.c_int32(), ctypes.c_int64(), ctypes.c_int64()
        for k in range(field_count):
            check(lib.ewm_info_field(self.handle, k, name, 256, ctypes.byref(kind), ctypes.byref(offset), ctypes.byref(length)))
            self.fields.append((name.value.decode(), kind.value, offset.value, length.value))

        n = self.num_envs
        self.observations = np.zeros((n, *self.observation_space.shape), dtype=self.observation_space.dtype)
        self.rewards = np.zeros(n, dtype=np.float64)
        self.terminated = np.zeros(n, dtype=np.uint8)
        self.truncated = np.zeros(n, dtype=np.uint8)
        self.info = np.zeros((n, max(1, self.info_width)), dtype=np.float64)
        self.present = np.zeros((n, max(1, field_count)), dtype=np.uint8)
        self.actions = np.zeros((n, *self.action_space.shape), dtype=np.float64)
        self.action_length = int(np.prod(self.action_space.shape))
        self.step_arguments = (
            self.handle,
            self.actions.ctypes.data,
            self.action_length,
            self.observations.ctypes.data,
            self.rewards.ctypes.data,
            self.terminated.ctypes.data,
            self.truncated.ctypes.data,
            self.info.ctypes.data,
            self.present.ctypes.data,
        )
        self._step = lib.ewm_step

    def _space(self, which: int) -> spaces.Box:
        dtype, rank, count = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int64()
        shape = (ctypes.c_int64 * 8)()
        check(lib.ewm_space(self.handle, which, ctypes.byref(dtype), ctypes.byref(rank), shape, 8, ctypes.byref(count)))
        low = np.zeros(count.value, dtype=np.float64)
        high = np.zeros(count.value, dtype=np.float64)
        check(lib.ewm_space_bounds(self.handle, which, low.ctypes.data, high.ctypes.data))
        shape = tuple(int(shape[k]) for k in range(rank.value))
        np_dtype = _DTYPES[dtype.value]
        return spaces.Box(low=low.reshape(shape).astype(np_dtype), high=high.reshape(shape).astype(np_dtype), shape=shape, dtype=np_dtype)

    # Reset and step

    def reset(
        self,
        mask: np.ndarray | None = None,
        seeds: Sequence[int | None] | None = None,
        states: np.ndarray | None = None,
        has_state: np.ndarray | None = None,
    ) -> None:
        """Resets the envs in `mask` (all when None) with `seeds[i]` (None: continue env i's generator) and from
        `states[i]` where `has_state[i]`."""
        seed_array = has_seed = None
        if seeds is not None:
            seed_array = np.zeros(self.num_envs, dtype=np.uint64)
            has_seed = np.zeros(self.num_envs, dtype=np.uint8)
            for i, seed in enumerate(seeds):
                if seed is None:
                    continue
                if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
                    raise InvalidOption(f"a seed must be an integer in [0, 2**64), got {seed!r}")
                seed_array[i] = int(seed)
                has_seed[i] = 1
        state_length = 0
        if states is not None:
            states = np.ascontiguousarray(states, dtype=np.float64)
            state_length = states.shape[1]
        mask_array = None if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
        has_state_array = None if has_state is None else np.ascontiguousarray(has_state, dtype=np.uint8)
        check(
            lib.ewm_reset(
                self.handle,
                None if mask_array is None else mask_array.ctypes.data,
                None if seed_array is None else seed_array.ctypes.data,
                None if has_seed is None else has_seed.ctypes.data,
                None if states is None else states.ctypes.data,
                state_length,
                None if has_state_array is None else has_state_array.ctypes.data,
                self.observations.ctypes.data,
                self.info.ctypes.data,
                self.present.ctypes.data,
            )
        )

    def step(self) -> None:
        """Steps every env with its row of `self.actions`."""
        status = self._step(*self.step_arguments)
        if status:
            check(status)

    def render(self, index: int, width: int, height: int) -> np.ndarray:
        frame = np.zeros((height, width, 3), dtype=np.uint8)
        check(lib.ewm_render(self.handle, index, width, height, frame.ctypes.data))
        return frame

    # Info

    def env_info(self, i: int) -> dict[str, Any]:
        """Env i's info as a dict (arrays copied, numbers as Python numbers)."""
        row = self.info[i]
        values = row.tolist()
        present = self.present[i].tolist()
        info: dict[str, Any] = {}
        for k, (name, kind, offset, length) in enumerate(self.fields):
            if not present[k]:
                continue
            if kind == _KIND_DOUBLES:
                info[name] = row[offset : offset + length].copy()
            elif kind == _KIND_DOUBLE:
                info[name] = values[offset]
            elif kind == _KIND_INT:
                info[name] = int(values[offset])
            else:
                info[name] = bool(values[offset])
        return info

    def vector_info(self, rows: np.ndarray | None = None) -> dict[str, Any]:
        """Gymnasium's vector info: per field an array over the envs and its `_name` mask (only `rows` when given;
        an env without the field holds 0 there, as in SyncVectorEnv)."""
        present = self.present.astype(bool)
        if rows is not None:
            present &= np.asarray(rows, dtype=bool)[:, None]
        everywhere = present.all(axis=0)
        info: dict[str, Any] = {}
        for k, (name, kind, offset, length) in enumerate(self.fields):
            if everywhere[k]:
                mask = np.ones(self.num_envs, dtype=bool)
                values = self.info[:, offset : offset + length] if kind == _KIND_DOUBLES else self.info[:, offset]
            else:
                mask = present[:, k].copy()
                if not mask.any():
                    continue
                if kind == _KIND_DOUBLES:
                    values = np.where(mask[:, None], self.info[:, offset : offset + length], 0.0)
                else:
                    values = np.where(mask, self.info[:, offset], 0.0)
            if kind == _KIND_INT:
                array = values.astype(np.int64)
            elif kind == _KIND_BOOL:
                array = values != 0
            else:
                array = values.copy()
            info[name] = array
            info[f"_{name}"] = mask
        return info

    def close(self) -> None:
        if self.handle is not None:
            lib.ewm_destroy(self.handle)
            self.handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
