"""Episodes from ewm-sim written in the layouts researchers load: Diffusion Policy's replay zarr (its PushT layout)
and a LeRobot dataset v3.0 (parquet data, `meta/info.json`, tasks, episodes and stats; pixels as PNG images).

From Python::

    from ewm_sim import datasets
    episodes = datasets.record_pusht(episodes=10, steps=50, seed=0)
    datasets.write_diffusion_policy_zarr(episodes, "pusht_replay.zarr")     # needs zarr
    datasets.write_lerobot(episodes, "pusht_lerobot")                        # needs pyarrow

From ewm-sim's own files (an `.npz` dump of `ewm-sim pusht --dump` / `ewm-sim run ENV --dump`, or a `collect`
directory of `shard-*.npz` and `collect.json`)::

    python -m ewm_sim.datasets convert run.npz --format zarr --out pusht_replay.zarr
    python -m ewm_sim.datasets convert run.npz --format lerobot --out pusht_lerobot

Frames follow both formats' convention: frame t of an episode holds the observation before action t, the action,
and the reward and flags that action earned (`next.*`); an episode of T steps has T frames. The observation after
an episode's last action (an `.npz` dump's last frame of each episode, whose action is NaN; a shard's last
`next_observation`) has no frame in either format and is dropped by `convert`.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import gymnasium as gym
import numpy as np

import ewm_sim  # noqa: F401  (registers the envs)

FPS = 10
TASK = "Push the T-shaped block onto the T-shaped target."

#: The T's 8 corners in body-local coordinates, in the keypoint order (bar, then stem), as PushTGeometry.corners.
T_CORNERS = np.array(
    [(-60, 0), (60, 0), (60, 30), (-60, 30), (-15, 30), (15, 30), (15, 120), (-15, 120)], dtype=np.float64
)


@dataclass
class Episodes:
    """Flat per-frame arrays of recorded episodes (frame axis first, episodes one after another).

    Every field but `action` and `episode_ends` may be None (not recorded): the writers leave out what is missing.
    PushT fills them as gym-pusht and Diffusion Policy do; other envs put their observation vector in `state`.
    """

    action: np.ndarray  # (F, a)
    episode_ends: np.ndarray  # (E,) exclusive end frame of each episode
    state: np.ndarray | None = None  # (F, d) PushT: agent x, y, block x, y, angle mod 2 pi (gym-pusht's state); else the observation vector
    keypoint: np.ndarray | None = None  # (F, 9, 2) PushT: the T's 8 corners, then the agent (ewm_sim's keypoints observation)
    img: np.ndarray | None = None  # (F, H, W, 3) uint8 pixels
    reward: np.ndarray | None = None  # (F,) reward of the action
    done: np.ndarray | None = None  # (F,) bool: the episode ends after this frame's action (None: at each episode's last frame)
    success: np.ndarray | None = None  # (F,) bool: the action reached the goal
    n_contacts: np.ndarray | None = None  # (F,) contacts per step, after the action
    seeds: np.ndarray | None = None  # (E,) reset seeds
    env: str | None = "pusht"  # ewm-sim env id
    fps: float = FPS  # frames per second (control rate / frameskip)
    task: str = TASK
    #: Further per-episode columns (E, ...) for LeRobot's episodes table (orientation, origin, ...).
    episode_columns: dict[str, np.ndarray] = field(default_factory=dict)
    #: Where the arrays came from and which fields were derived rather than read (kept beside the data).
    provenance: dict = field(default_factory=dict)

    @property
    def frames(self) -> int:
        return len(self.action)

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(np.concatenate([[0], self.episode_ends])).astype(np.int64)

    @property
    def episode_index(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.episode_ends)), self.lengths)

    @property
    def frame_index(self) -> np.ndarray:
        starts = np.concatenate([[0], self.episode_ends[:-1]])
        return np.arange(self.frames) - np.repeat(starts, self.lengths)

    @property
    def done_flags(self) -> np.ndarray:
        """`done`, and True at every episode's last frame (an episode cut by a step budget ends there too)."""
        done = np.zeros(self.frames, dtype=bool) if self.done is None else np.asarray(self.done, dtype=bool).copy()
        done[self.episode_ends[self.lengths > 0] - 1] = True
        return done

    @property
    def terminated(self) -> np.ndarray | None:
        """PushT terminates exactly when the T reaches the goal: `success`."""
        return self.success

    @property
    def truncated(self) -> np.ndarray | None:
        return None if self.success is None else self.done_flags & ~np.asarray(self.success, dtype=bool)


#: The name PushT recordings had first.
PushTEpisodes = Episodes


def record_pusht(
    episodes: int,
    steps: int,
    seed: int = 0,
    policy: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
    *,
    actions: Sequence[np.ndarray] | None = None,
    **make_kwargs,
) -> Episodes:
    """Runs `episodes` PushT episodes (reset seeds seed, seed + 1, ...) of at most `steps` steps (an episode ends
    early when the T reaches the goal), recording all three observation types from envs run in lockstep.
    `policy(state, rng)` gives the action (default: uniform in [0, 512]^2 from a generator seeded with `seed`);
    `actions[e]` (T_e, 2), if given, replays those actions in episode e instead (at most `steps` of them), e.g. an
    `.npz` dump's. `make_kwargs` go to `gymnasium.make` (orientation, rotation, reset_order, ...); actions are gym-pusht's pixel
    targets (`normalize_actions=False`) unless `make_kwargs` says otherwise."""
    rng = np.random.default_rng(seed)
    if policy is None:

        def policy(state, rng):
            return rng.uniform(0, 512, size=2)

    if actions is not None and len(actions) < episodes:
        raise ValueError(f"actions for {len(actions)} episodes, need {episodes}")
    envs = {obs: gym.make("ewm_sim/PushT-v0", obs_type=obs, **{"normalize_actions": False, **make_kwargs}).unwrapped for obs in ("state", "keypoints", "pixels")}
    columns: dict[str, list] = {k: [] for k in ("state", "keypoint", "img", "action", "reward", "done", "success", "n_contacts")}
    ends = []
    for e in range(episodes):
        obs = {k: env.reset(seed=seed + e)[0] for k, env in envs.items()}
        budget = steps if actions is None else min(steps, len(actions[e]))
        for t in range(budget):
            action = np.asarray(policy(obs["state"], rng) if actions is None else actions[e][t], dtype=np.float64)
            columns["state"].append(obs["state"])
            columns["keypoint"].append(obs["keypoints"].reshape(9, 2))
            columns["img"].append(obs["pixels"])
            columns["action"].append(action)
            results = {k: env.step(action) for k, env in envs.items()}
            obs = {k: r[0] for k, r in results.items()}
            _, reward, terminated, truncated, info = results["state"]
            columns["reward"].append(reward)
            columns["success"].append(terminated)
            columns["done"].append(terminated or truncated or t == budget - 1)
            columns["n_contacts"].append(info["n_contacts"])
            if terminated:
                break
        ends.append(len(columns["action"]))
    for env in envs.values():
        env.close()
    orientation = float(make_kwargs.get("orientation", 0.0))
    return Episodes(
        state=np.array(columns["state"]).reshape(-1, 5),
        keypoint=np.array(columns["keypoint"]).reshape(-1, 9, 2),
        img=np.array(columns["img"], dtype=np.uint8).reshape(-1, 96, 96, 3),
        action=np.array(columns["action"]).reshape(-1, 2),
        reward=np.array(columns["reward"], dtype=np.float64),
        done=np.array(columns["done"], dtype=bool),
        success=np.array(columns["success"], dtype=bool),
        n_contacts=np.array(columns["n_contacts"], dtype=np.int64),
        episode_ends=np.array(ends, dtype=np.int64),
        seeds=np.arange(seed, seed + episodes, dtype=np.int64),
        episode_columns={"orientation": np.full(episodes, orientation)},
        provenance={"source": "ewm_sim.datasets.record_pusht", "make_kwargs": {k: repr(v) for k, v in make_kwargs.items()}},
    )


def pusht_pose_from_keypoints(keypoints: np.ndarray) -> np.ndarray:
    """The block pose (x, y, angle mod 2 pi) whose 8 corners (PushT's keypoint order) best match `keypoints`
    (..., 8, 2), by a least-squares rigid fit: exact to rounding (~1e-13 px) for keypoints of a rigid T."""
    points = np.asarray(keypoints, dtype=np.float64)
    local = T_CORNERS - T_CORNERS.mean(axis=0)
    centre = points.mean(axis=-2)
    q = points - centre[..., None, :]
    dot = (local[:, 0] * q[..., 0] + local[:, 1] * q[..., 1]).sum(axis=-1)
    cross = (local[:, 0] * q[..., 1] - local[:, 1] * q[..., 0]).sum(axis=-1)
    angle = np.arctan2(cross, dot)
    c, s = np.cos(angle), np.sin(angle)
    mx, my = T_CORNERS.mean(axis=0)
    x = centre[..., 0] - (c * mx - s * my)
    y = centre[..., 1] - (s * mx + c * my)
    return np.stack([x, y, np.mod(angle, 2 * np.pi)], axis=-1)


# Reading ewm-sim's own files


def _registry_facts(env: str | None) -> dict:
    return dict(ewm_sim.REGISTRY.get(env, {})) if env else {}


def _env_fps(env: str | None, frameskip: int = 1) -> float:
    hz = _registry_facts(env).get("control_hz") or FPS
    fps = float(hz) / frameskip
    return int(fps) if fps == int(fps) else fps


def _env_task(env: str | None) -> str:
    if env == "pusht":
        return TASK
    return _registry_facts(env).get("summary") or f"ewm-sim {env or 'episodes'}"


def read_npz_dump(path: str | Path, env: str | None = None) -> Episodes:
    """The episodes of an ewm-sim trajectory dump (`ewm-sim pusht --dump run.npz`, `ewm-sim run ENV --dump
    run.npz`; the layout of Sources/Envs/IO/TrajectoryDump.swift), one frame per action.

    The dump holds length + 1 rows per episode; the last (NaN action: the observation after the last action) is
    dropped. PushT (detected by `observation.keypoints`): `keypoint` = the 8 corners then the agent position;
    `state` = `observation.state` for a state dump, else agent position and the block pose fitted to the corners
    (`pusht_pose_from_keypoints`, recorded in `provenance["derived"]`); `img` = `observation.image` for a pixels
    dump. Other envs: `state` = the observation vector. `success` = `next.success` (PushT: terminated), `done` =
    `next.done` and each episode's last action; `seeds`, orientation, final coverage and success per episode."""
    path = Path(path)
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    for key in ("action", "episode_index", "frame_index", "episode.length", "next.reward", "next.done", "next.success"):
        if key not in arrays:
            raise ValueError(f"{path}: not an ewm-sim trajectory dump (no '{key}')")
    episode, frame, lengths = arrays["episode_index"], arrays["frame_index"], arrays["episode.length"].astype(np.int64)
    count = len(lengths)
    expected_episode = np.repeat(np.arange(count), lengths + 1)
    expected_frame = np.concatenate([np.arange(n + 1) for n in lengths]) if count else np.zeros(0, dtype=np.int64)
    if not (np.array_equal(episode, expected_episode) and np.array_equal(frame, expected_frame)):
        raise ValueError(f"{path}: episode_index/frame_index are not episodes of episode.length + 1 frames in order")
    keep = frame < lengths[episode]
    action = arrays["action"][keep]
    if not np.all(np.isfinite(action)) or not np.all(np.isnan(arrays["action"][~keep])):
        raise ValueError(f"{path}: expected finite actions and a NaN action on each episode's last frame")
    pusht = "observation.keypoints" in arrays and "observation.agent_pos" in arrays
    if env is None and pusht:
        env = "pusht"
    derived = []
    state = keypoint = img = None
    observation = arrays.get("observation.state")
    if "observation.image" in arrays:
        img = arrays["observation.image"][keep].astype(np.uint8)
    if pusht:
        corners, agent = arrays["observation.keypoints"][keep], arrays["observation.agent_pos"][keep]
        keypoint = np.concatenate([corners, agent[:, None, :]], axis=1)
        if observation is not None and observation.shape[1:] == (5,):
            state = observation[keep]
        else:
            state = np.concatenate([agent, pusht_pose_from_keypoints(corners)], axis=1)
            derived.append("state[:, 2:5]: the block pose fitted to observation.keypoints")
    elif observation is not None:
        state = observation[keep].reshape(int(keep.sum()), -1)
    columns = {
        "orientation": arrays.get("episode.orientation"),
        "success": arrays.get("episode.success"),
        "final_coverage": arrays.get("episode.final_coverage"),
    }
    return Episodes(
        action=action,
        episode_ends=np.cumsum(lengths).astype(np.int64),
        state=state,
        keypoint=keypoint,
        img=img,
        reward=arrays["next.reward"][keep],
        done=arrays["next.done"][keep].astype(bool),
        success=arrays["next.success"][keep].astype(bool),
        seeds=arrays.get("episode.seed"),
        env=env,
        fps=_env_fps(env),
        task=_env_task(env),
        episode_columns={k: v for k, v in columns.items() if v is not None},
        provenance={
            "source": str(path),
            "kind": "ewm-sim trajectory dump (.npz)",
            "dropped": "the observation after each episode's last action (the dump's NaN-action frame)",
            "derived": derived,
            "rotation_world": bool(arrays["meta.rotation_world"]) if "meta.rotation_world" in arrays else None,
        },
    )


def read_collect(directory: str | Path, env: str | None = None) -> Episodes:
    """The episodes of an `ewm-sim collect` directory (`shard-*.npz` in name order, `collect.json`), one frame per
    transition: frame t = (observation t, action t); an episode's frames are its transitions in step order, each
    transition's `next_observation` being the next frame's observation (checked), so only the last one is dropped.
    PushT with plain keypoint observations (18 numbers): `keypoint` = the observation as 9 points (8 corners, then
    the agent), `state` = agent position and the block pose fitted to the corners (derived); any other env or
    layout (history, previous action, agent velocity): `state` = the observation vector. Shards hold no rewards or flags: `reward`
    and `success` are absent, `done` marks each episode's last transition. Per episode: orientation (and the 3D
    worlds' origin). fps = the env's control rate / the collection's frameskip."""
    directory = Path(directory)
    names = sorted(p for p in directory.glob("shard-*.npz"))
    if not names:
        raise ValueError(f"{directory}: no shard-*.npz files")
    config = {}
    if (directory / "collect.json").exists():
        config = json.loads((directory / "collect.json").read_text()).get("config", {})
    env = env or config.get("env")
    parts: dict[str, list] = {}
    for name in names:
        with np.load(name) as npz:
            for key in npz.files:
                parts.setdefault(key, []).append(npz[key])
    arrays = {k: np.concatenate(v) for k, v in parts.items()}
    for key in ("observation", "action", "next_observation", "episode_index", "frame_index"):
        if key not in arrays:
            raise ValueError(f"{directory}: shards without '{key}'")
    episode, step = arrays["episode_index"], arrays["frame_index"]
    starts = np.flatnonzero(np.concatenate([[True], episode[1:] != episode[:-1]]))
    ends = np.concatenate([starts[1:], [len(episode)]])
    if len(np.unique(episode[starts])) != len(starts):
        raise ValueError(f"{directory}: an episode's transitions are not contiguous")
    expected_step = np.concatenate([np.arange(e - s) for s, e in zip(starts, ends)])
    if not np.array_equal(step, expected_step):
        raise ValueError(f"{directory}: frame_index is not 0, 1, ... within each episode")
    obs, next_obs = arrays["observation"], arrays["next_observation"]
    inner = np.ones(len(episode), dtype=bool)
    inner[ends - 1] = False
    if not np.array_equal(next_obs[inner], obs[1:][inner[:-1]]):
        raise ValueError(f"{directory}: a transition's next_observation is not the next transition's observation")
    derived = []
    state = keypoint = None
    if env == "pusht" and obs.shape[1] == 18:
        keypoint = obs.reshape(-1, 9, 2)
        state = np.concatenate([keypoint[:, 8], pusht_pose_from_keypoints(keypoint[:, :8])], axis=1)
        derived.append("state: agent position and the block pose fitted to the observed corners")
    else:
        state = obs
    columns = {"orientation": arrays["orientation"][starts]} if "orientation" in arrays else {}
    if "origin" in arrays:
        columns["origin"] = arrays["origin"][starts]
    columns["collect_episode_index"] = episode[starts]
    return Episodes(
        action=arrays["action"],
        episode_ends=ends.astype(np.int64),
        state=state,
        keypoint=keypoint,
        done=None,
        env=env,
        fps=_env_fps(env, int(config.get("frameskip", 1))),
        task=_env_task(env),
        episode_columns=columns,
        provenance={
            "source": str(directory),
            "kind": "ewm-sim collect shards",
            "collect_config": config,
            "dropped": "the next_observation of each episode's last transition",
            "derived": derived,
        },
    )


def read_ewm_sim(path: str | Path, env: str | None = None) -> Episodes:
    """An `.npz` trajectory dump or a `collect` directory, by what `path` is."""
    path = Path(path)
    if path.is_dir():
        return read_collect(path, env)
    if path.suffix == ".npz":
        with np.load(path) as npz:
            is_shard = "next_observation" in npz.files
        if is_shard:
            raise ValueError(f"{path} is a collect shard: convert its directory ({path.parent})")
        return read_npz_dump(path, env)
    raise ValueError(f"{path}: expected an ewm-sim .npz trajectory dump or a collect directory")


# Diffusion Policy


def write_diffusion_policy_zarr(episodes: Episodes, path: str | Path) -> Path:
    """Diffusion Policy's replay buffer in its PushT layout (`pusht_cchi_v7_replay.zarr`, zarr format 2):
    `data/state` (F, 5), `data/keypoint` (F, 9, 2), `data/action` (F, 2), `data/img` (F, 96, 96, 3),
    `data/n_contacts` (F, 1), all float32 as in that file, and `meta/episode_ends` (E,) int64. Arrays an episode set
    does not hold are left out (a state dump has no `img`; other envs: `data/state` is their observation vector,
    `data/action` theirs). The root's attrs["ewm_sim"] tells where the data came from."""
    import zarr

    path = Path(path)
    root = zarr.open_group(str(path), mode="w", zarr_format=2)
    data, meta = root.create_group("data"), root.create_group("meta")
    arrays = {
        "state": episodes.state,
        "keypoint": episodes.keypoint,
        "action": episodes.action,
        "img": episodes.img,
        "n_contacts": None if episodes.n_contacts is None else np.asarray(episodes.n_contacts)[:, None],
    }
    for name, values in arrays.items():
        if values is None:
            continue
        values = np.asarray(values, dtype=np.float32)
        chunks = (max(1, min(len(values), 100 if name == "img" else 10_000)), *values.shape[1:])
        array = data.create_array(name, shape=values.shape, dtype=np.float32, chunks=chunks)
        array[...] = values
    ends = meta.create_array("episode_ends", shape=episodes.episode_ends.shape, dtype=np.int64, chunks=(max(1, len(episodes.episode_ends)),))
    ends[...] = episodes.episode_ends
    root.attrs["ewm_sim"] = _jsonable({"env": episodes.env, "fps": episodes.fps, **episodes.provenance})
    return path


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


# LeRobot v3.0


def png(image: np.ndarray) -> bytes:
    """An RGB uint8 image (H, W, 3) as PNG bytes (8-bit truecolour, no filter)."""
    height, width, _ = image.shape
    raw = b"".join(b"\x00" + image[y].tobytes() for y in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _stats(values: np.ndarray) -> dict:
    values = values.astype(np.float64)
    return {
        "min": values.min(axis=0).tolist(),
        "max": values.max(axis=0).tolist(),
        "mean": values.mean(axis=0).tolist(),
        "std": values.std(axis=0).tolist(),
        "count": [len(values)],
    }


def lerobot_columns(episodes: Episodes) -> dict[str, np.ndarray]:
    """The per-frame vector and scalar columns `write_lerobot` writes (images aside), as numpy arrays. PushT (state
    and keypoints recorded), as lerobot/pusht: `observation.state` = agent x, y; `observation.environment_state` =
    the T's 8 corners (16). Other envs: `observation.state` = the state/observation vector."""
    f = episodes.frames
    columns: dict[str, np.ndarray] = {}
    if episodes.env == "pusht" and episodes.state is not None and episodes.keypoint is not None:
        columns["observation.state"] = np.asarray(episodes.state)[:, :2].astype(np.float32)
        columns["observation.environment_state"] = np.asarray(episodes.keypoint)[:, :8, :].reshape(f, 16).astype(np.float32)
    elif episodes.state is not None:
        columns["observation.state"] = np.asarray(episodes.state).reshape(f, -1).astype(np.float32)
    columns["action"] = np.asarray(episodes.action).reshape(f, -1).astype(np.float32)
    if episodes.reward is not None:
        columns["next.reward"] = np.asarray(episodes.reward).astype(np.float32)
    columns["next.done"] = episodes.done_flags
    if episodes.success is not None:
        columns["next.success"] = np.asarray(episodes.success, dtype=bool)
    frame_index = episodes.frame_index
    columns["timestamp"] = (frame_index / episodes.fps).astype(np.float32)
    columns["frame_index"] = frame_index.astype(np.int64)
    columns["episode_index"] = episodes.episode_index.astype(np.int64)
    columns["index"] = np.arange(f, dtype=np.int64)
    columns["task_index"] = np.zeros(f, dtype=np.int64)
    return columns


def write_lerobot(episodes: Episodes, root: str | Path, repo_id: str | None = None, task: str | None = None) -> Path:
    """A LeRobot dataset v3.0 at `root`, shaped like lerobot/pusht for PushT: `observation.image` (PNG images, when
    recorded), `observation.state`, `observation.environment_state` (see `lerobot_columns`), `action`,
    `next.reward`, `next.done`, `next.success` (when recorded), and the index columns; one data file, one episodes
    file (with the reset seeds and orientations), tasks, stats, and `meta/ewm_sim.json` (where the data came from)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = Path(root)
    repo_id = repo_id or f"ewm-sim/{episodes.env or 'episodes'}"
    task = task or episodes.task
    (root / "data" / "chunk-000").mkdir(parents=True, exist_ok=True)
    (root / "meta" / "episodes" / "chunk-000").mkdir(parents=True, exist_ok=True)
    f = episodes.frames
    columns = lerobot_columns(episodes)

    def vectors(values: np.ndarray) -> pa.Array:
        return pa.FixedSizeListArray.from_arrays(pa.array(values.reshape(-1), type=pa.float32()), values.shape[1])

    table_columns: dict[str, pa.Array] = {}
    if episodes.img is not None:
        table_columns["observation.image"] = pa.array(
            [{"bytes": png(episodes.img[i]), "path": f"frame_{i:06d}.png"} for i in range(f)],
            type=pa.struct([("bytes", pa.binary()), ("path", pa.string())]),
        )
    for name, values in columns.items():
        table_columns[name] = vectors(values) if values.ndim == 2 else pa.array(values)
    pq.write_table(pa.table(table_columns), root / "data" / "chunk-000" / "file-000.parquet")

    starts = np.concatenate([[0], episodes.episode_ends[:-1]]).astype(np.int64)
    count = len(episodes.episode_ends)
    zeros = np.zeros(count, dtype=np.int64)
    episode_table = {
        "episode_index": pa.array(np.arange(count, dtype=np.int64)),
        "tasks": pa.array([[task]] * count, type=pa.list_(pa.string())),
        "length": pa.array(episodes.lengths),
        "data/chunk_index": pa.array(zeros),
        "data/file_index": pa.array(zeros),
        "dataset_from_index": pa.array(starts),
        "dataset_to_index": pa.array(episodes.episode_ends.astype(np.int64)),
        "meta/episodes/chunk_index": pa.array(zeros),
        "meta/episodes/file_index": pa.array(zeros),
    }
    if episodes.seeds is not None:
        episode_table["seed"] = pa.array(np.asarray(episodes.seeds, dtype=np.int64))
    for name, values in episodes.episode_columns.items():
        values = np.asarray(values)
        episode_table[name] = vectors(values.astype(np.float32)) if values.ndim == 2 else pa.array(values)
    pq.write_table(pa.table(episode_table), root / "meta" / "episodes" / "chunk-000" / "file-000.parquet")

    # Tasks: the task string is the (pandas) index, `task_index` the column, as LeRobot writes them.
    pandas_metadata = {
        "index_columns": ["task"],
        "column_indexes": [],
        "columns": [
            {"name": "task_index", "field_name": "task_index", "pandas_type": "int64", "numpy_type": "int64", "metadata": None},
            {"name": "task", "field_name": "task", "pandas_type": "unicode", "numpy_type": "object", "metadata": None},
        ],
        "creator": {"library": "ewm_sim", "version": "0.1.0"},
        "pandas_version": "2.2.0",
    }
    tasks = pa.table({"task_index": pa.array([0], type=pa.int64()), "task": pa.array([task])})
    pq.write_table(tasks.replace_schema_metadata({b"pandas": json.dumps(pandas_metadata).encode()}), root / "meta" / "tasks.parquet")

    pusht = episodes.env == "pusht"
    features: dict[str, dict] = {}
    if episodes.img is not None:
        features["observation.image"] = {"dtype": "image", "shape": list(episodes.img.shape[1:]), "names": ["height", "width", "channel"]}
    for name, values in columns.items():
        dtype = {np.dtype(np.float32): "float32", np.dtype(np.int64): "int64", np.dtype(bool): "bool"}[values.dtype]
        names = None
        if pusht and name in ("observation.state", "action"):
            names = {"motors": ["x", "y"]}
        features[name] = {"dtype": dtype, "shape": [values.shape[1] if values.ndim == 2 else 1], "names": names}
    info = {
        "codebase_version": "v3.0",
        "robot_type": None,
        "total_episodes": count,
        "total_frames": int(f),
        "total_tasks": 1,
        "chunks_size": 1000,
        "data_files_size_in_mb": 100,
        "video_files_size_in_mb": 200,
        "fps": episodes.fps,
        "splits": {"train": f"0:{count}"},
        "data_path": "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
        "video_path": None,
        "features": features,
        "repo_id": repo_id,
    }
    (root / "meta" / "info.json").write_text(json.dumps(info, indent=4))
    stats = {}
    if episodes.img is not None:
        image_stats = {
            k: np.asarray(v).reshape(3, 1, 1).tolist()
            for k, v in _stats(episodes.img.reshape(-1, 3).astype(np.float64) / 255).items()
            if k != "count"
        }
        image_stats["count"] = [int(f)]
        stats["observation.image"] = image_stats
    for name, values in columns.items():
        if values.dtype != bool:
            stats[name] = _stats(values.reshape(f, -1))
    (root / "meta" / "stats.json").write_text(json.dumps(stats, indent=4))
    (root / "meta" / "ewm_sim.json").write_text(
        json.dumps(_jsonable({"env": episodes.env, "fps": episodes.fps, **episodes.provenance}), indent=4)
    )
    return root


# Command line


def convert(source: str | Path, format: str, out: str | Path, *, env: str | None = None, repo_id: str | None = None,
            task: str | None = None, fps: float | None = None, overwrite: bool = False) -> Episodes:
    """Reads an ewm-sim `.npz` dump or `collect` directory (`read_ewm_sim`) and writes it as `format` ("zarr":
    Diffusion Policy's replay layout; "lerobot": a LeRobot v3.0 dataset) at `out`. Returns the episodes written."""
    out = Path(out)
    if format not in ("zarr", "lerobot"):
        raise ValueError(f"format must be zarr or lerobot, got {format!r}")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty (--overwrite replaces it)")
    if out.exists() and overwrite:
        import shutil

        shutil.rmtree(out)
    episodes = read_ewm_sim(source, env)
    if fps is not None:
        episodes.fps = int(fps) if float(fps) == int(fps) else float(fps)
    if task is not None:
        episodes.task = task
    if format == "zarr":
        write_diffusion_policy_zarr(episodes, out)
    else:
        write_lerobot(episodes, out, repo_id=repo_id)
    return episodes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ewm_sim.datasets",
        description="Write ewm-sim episodes in the formats researchers load.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser(
        "convert",
        help="an .npz trajectory dump (ewm-sim pusht/run --dump) or a collect directory -> zarr or LeRobot v3.0",
        description="Converts an ewm-sim .npz trajectory dump (ewm-sim pusht --dump, ewm-sim run ENV --dump) or an "
        "ewm-sim collect directory (shard-*.npz, collect.json) to Diffusion Policy's replay zarr or a LeRobot v3.0 "
        "dataset. Each episode of T actions becomes T frames (the observation after the last action is dropped).",
    )
    c.add_argument("input", help="run.npz (a trajectory dump) or a collect directory")
    c.add_argument("--format", required=True, choices=("zarr", "lerobot"))
    c.add_argument("--out", required=True, help="output directory (zarr: e.g. pusht_replay.zarr)")
    c.add_argument("--env", help="ewm-sim env id of a dump (default: pusht if the dump holds PushT keypoints; a collect directory's collect.json)")
    c.add_argument("--repo-id", help="LeRobot repo_id in meta/info.json (default: ewm-sim/ENV)")
    c.add_argument("--task", help="task text (default: PushT's, or the env's summary)")
    c.add_argument("--fps", type=float, help="frames per second (default: the env's control rate / collect's frameskip)")
    c.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        episodes = convert(args.input, args.format, args.out, env=args.env, repo_id=args.repo_id, task=args.task,
                           fps=args.fps, overwrite=args.overwrite)
    except (ValueError, FileExistsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    parts = [name for name in ("state", "keypoint", "img") if getattr(episodes, name) is not None]
    print(
        f"{args.format}: {len(episodes.episode_ends)} episodes, {episodes.frames} frames ({', '.join(parts + ['action'])}) "
        f"of {episodes.env or 'unknown env'} at {episodes.fps} fps -> {args.out}"
    )
    for note in episodes.provenance.get("derived", []):
        print(f"derived: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
