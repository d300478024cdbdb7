"""Loads libEWMSimC (the C ABI over ewm-sim's envs, `Sources/EWMSimC/ewm_sim.h`) with ctypes.

The library is the one `swift build -c release --product EWMSimC` builds in the repository's `.build/release`;
the environment variable ``EWM_SIM_LIBRARY`` names another file.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import gymnasium

ABI_VERSION = 1

OK = 0
INVALID_ARGUMENT = 1
UNKNOWN_ENVIRONMENT = 2
INVALID_ACTION = 3
INVALID_STATE = 4
NEEDS_RESET = 5
UNSUPPORTED = 6
BUFFER_TOO_SMALL = 7
INTERNAL = 8


class EwmSimError(gymnasium.error.Error, RuntimeError):
    """An error the library reported that has no more specific class."""


class InvalidOption(gymnasium.error.Error, ValueError):
    """An option value the env refuses (observation type, rotation build, an env option's value, ...)."""


class UnknownOption(gymnasium.error.Error, TypeError):
    """An option name the env does not have."""


class InvalidActionError(gymnasium.error.InvalidAction, ValueError):
    """A NaN, infinite or wrongly shaped action; the env is left exactly as it was."""


class InvalidStateError(gymnasium.error.Error, ValueError):
    """A reset state the env refuses; the env is left as it was."""


def _library_name() -> str:
    if sys.platform == "darwin":
        return "libEWMSimC.dylib"
    return "libEWMSimC.so"


def library_path() -> Path:
    """The library to load: ``$EWM_SIM_LIBRARY``, else the repository's release build."""
    override = os.environ.get("EWM_SIM_LIBRARY")
    if override:
        path = Path(override)
        if not path.is_file():
            raise ImportError(f"EWM_SIM_LIBRARY={override} is not a file")
        return path
    root = Path(__file__).resolve().parents[2]
    candidates = [root / ".build" / "release" / _library_name()]
    candidates += sorted((root / ".build").glob(f"*/release/{_library_name()}"))
    for path in candidates:
        if path.is_file():
            return path
    raise ImportError(
        f"ewm_sim needs {_library_name()}, built by `swift build -c release --product EWMSimC` in {root} "
        f"(looked for {candidates[0]}); or set EWM_SIM_LIBRARY to the library's path"
    )


_p = ctypes.c_void_p
_i32 = ctypes.c_int32
_i64 = ctypes.c_int64
_f64 = ctypes.c_double
_str = ctypes.c_char_p


def _load() -> ctypes.CDLL:
    lib = ctypes.CDLL(str(library_path()))
    signatures = {
        "ewm_abi_version": (_i32, []),
        "ewm_last_error": (_i64, [_p, _i64]),
        "ewm_registry_ids": (_i64, [_p, _i64]),
        "ewm_registry_describe": (_i32, [_str, _p, _i64, _p]),
        "ewm_create": (_i32, [_str, _i32, _str, _f64, _str, _p, _p, _i32, _i32, _i32, _i32, _p]),
        "ewm_destroy": (None, [_p]),
        "ewm_layout": (_i32, [_p, _p, _p, _p, _p]),
        "ewm_space": (_i32, [_p, _i32, _p, _p, _p, _i32, _p]),
        "ewm_space_bounds": (_i32, [_p, _i32, _p, _p]),
        "ewm_info_field": (_i32, [_p, _i64, _p, _i64, _p, _p, _p]),
        "ewm_reset": (_i32, [_p, _p, _p, _p, _p, _i64, _p, _p, _p, _p]),
        "ewm_step": (_i32, [_p, _p, _i64, _p, _p, _p, _p, _p, _p]),
        "ewm_render": (_i32, [_p, _i64, _i32, _i32, _p]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    version = lib.ewm_abi_version()
    if version != ABI_VERSION:
        raise ImportError(f"{library_path()} has C ABI version {version}; this ewm_sim needs {ABI_VERSION}: rebuild it")
    return lib


lib = _load()


def _text(function, *args) -> str:
    """A text result: called once with a guess, again with the full length if it did not fit."""
    capacity = 4096
    while True:
        buffer = ctypes.create_string_buffer(capacity)
        length = function(*args, buffer, capacity)
        if length < capacity:
            return buffer.value.decode("utf-8")
        capacity = length + 1


def last_error() -> str:
    return _text(lib.ewm_last_error)


def check(status: int, context: str = "") -> None:
    """Raises the exception for a non-zero status, with the library's message."""
    if status == OK:
        return
    message = last_error()
    if context:
        message = f"{context}: {message}"
    if status == INVALID_ACTION:
        raise InvalidActionError(message)
    if status == INVALID_STATE:
        raise InvalidStateError(message)
    if status == INVALID_ARGUMENT:
        raise InvalidOption(message)
    if status == UNKNOWN_ENVIRONMENT:
        raise gymnasium.error.NameNotFound(message)
    if status == NEEDS_RESET:
        raise gymnasium.error.ResetNeeded(message)
    if status == UNSUPPORTED:
        raise gymnasium.error.UnsupportedMode(message)
    raise EwmSimError(message)


def registry_ids() -> list[str]:
    return [line for line in _text(lib.ewm_registry_ids).split("\n") if line]


def describe(env_id: str) -> dict[str, str]:
    """The registry's facts of `env_id` (id, summary, observation_types, options, max_episode_steps, control_hz,
    renders) as strings."""
    capacity = 4096
    while True:
        buffer = ctypes.create_string_buffer(capacity)
        length = ctypes.c_int64(0)
        check(lib.ewm_registry_describe(env_id.encode(), buffer, capacity, ctypes.byref(length)), env_id)
        if length.value < capacity:
            break
        capacity = length.value + 1
    facts = {}
    for line in buffer.value.decode("utf-8").split("\n"):
        key, _, value = line.partition("=")
        facts[key] = value
    return facts
