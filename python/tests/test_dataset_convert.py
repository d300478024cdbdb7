"""ewm-sim's own files (the `.npz` dumps of `ewm-sim pusht --dump` / `ewm-sim run ENV --dump`, `collect` directories)
converted by `python -m ewm_sim.datasets convert` to Diffusion Policy's zarr and LeRobot v3.0, read back with zarr
and pyarrow, equal to the `.npz` arrays of the same episodes; and the Python API's datasets equal to a dump's.

Both formats store vectors as float32 (Diffusion Policy's PushT replay does; LeRobot's features here are float32):
values are compared with the `.npz` float64 arrays cast to float32, exactly. Images (uint8), episode boundaries,
indices, seeds and flags are compared exactly.

These tests run the ewm-sim binary: $EWM_SIM_BINARY, else .build/$EWM_SIM_CONFIGURATION/ewm-sim (scripts/python-test.sh
sets the configuration), else .build/release/ewm-sim (scripts/setup.sh builds it), else .build/debug/ewm-sim (`swift
test` builds it); without one they skip, saying so.
"""

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from ewm_sim import datasets

ROOT = Path(__file__).resolve().parents[2]
EPISODES, STEPS, SEED, ORIENTATION = 2, 20, 3, 0.7

zarr = pytest.importorskip("zarr")
pq = pytest.importorskip("pyarrow.parquet")


def ewm_sim_binary() -> Path | None:
    configuration = os.environ.get("EWM_SIM_CONFIGURATION")  # scripts/python-test.sh's choice of build
    candidates = [os.environ.get("EWM_SIM_BINARY"), configuration and ROOT / f".build/{configuration}/ewm-sim"]
    candidates += [ROOT / ".build/release/ewm-sim", ROOT / ".build/debug/ewm-sim"]
    return next((Path(c) for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="module")
def cli():
    binary = ewm_sim_binary()
    if binary is None:
        pytest.skip("no ewm-sim binary: build it with `swift build -c release --product ewm-sim` (or set EWM_SIM_BINARY)")

    def run(*args: str, cwd: Path) -> None:
        result = subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"ewm-sim {' '.join(args)}: {result.stderr[-2000:]}"

    return run


@pytest.fixture(scope="module")
def files(cli, tmp_path_factory):
    """Small dumps and collect directories, written once per module."""
    d = tmp_path_factory.mktemp("ewm_sim_files")
    pusht = ["pusht", "--episodes", str(EPISODES), "--policy", "scripted", "--max-steps", str(STEPS), "--seed", str(SEED)]
    pusht += ["--orientation", str(ORIENTATION)]
    cli(*pusht, "--dump", "state.npz", cwd=d)
    cli(*pusht, "--obs", "pixels", "--dump", "pixels.npz", cwd=d)
    cli("run", "push3d", "--episodes", "2", "--max-steps", "15", "--seed", "5", "--dump", "push3d.npz", cwd=d)
    cli("collect", "pusht", "--episodes", "3", "--episode-steps", "8", "--seed", "1", "--out", "collect-pusht", cwd=d)
    cli("collect", "teacher3d", "--episodes", "2", "--episode-steps", "5", "--seed", "2", "--out", "collect-teacher3d", cwd=d)
    return d


def load_npz(path: Path) -> dict:
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def action_rows(dump: dict) -> np.ndarray:
    """The dump's rows that carry an action (all but each episode's last)."""
    return dump["frame_index"] < dump["episode.length"][dump["episode_index"]]


def convert(source: Path, fmt: str, out: Path, *extra: str) -> Path:
    assert datasets.main(["convert", str(source), "--format", fmt, "--out", str(out), *extra]) == 0
    return out


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def decode_png(blob: bytes) -> np.ndarray:
    """The writer's PNGs: one IDAT, 8-bit RGB, filter 0 on every row."""
    assert blob[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(blob[16:20], "big"), int.from_bytes(blob[20:24], "big")
    idat = blob[blob.index(b"IDAT") + 4 : blob.index(b"IEND") - 8]
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + width * 3)
    assert not rows[:, 0].any()
    return rows[:, 1:].reshape(height, width, 3)


def read_lerobot(root: Path) -> tuple[dict, dict, dict]:
    info = json.loads((root / "meta" / "info.json").read_text())
    data = pq.read_table(root / info["data_path"].format(chunk_index=0, file_index=0)).to_pydict()
    episodes = pq.read_table(root / "meta" / "episodes" / "chunk-000" / "file-000.parquet").to_pydict()
    assert set(info["features"]) == set(data)
    assert info["codebase_version"] == "v3.0" and info["total_frames"] == len(data["index"])
    return info, data, episodes


def wrapped(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


# PushT dumps


@pytest.mark.parametrize("obs", ["state", "pixels"])
def test_pusht_dump_to_zarr(files, tmp_path, obs):
    dump = load_npz(files / f"{obs}.npz")
    rows = action_rows(dump)
    root = zarr.open_group(str(convert(files / f"{obs}.npz", "zarr", tmp_path / "replay.zarr")), mode="r")
    assert (tmp_path / "replay.zarr" / ".zgroup").exists()  # zarr format 2, as Diffusion Policy's replay buffers
    assert list(root["meta/episode_ends"][:]) == list(np.cumsum(dump["episode.length"])) == [STEPS, 2 * STEPS]
    assert root["meta/episode_ends"].dtype == np.int64
    assert np.array_equal(root["data/action"][:], f32(dump["action"][rows]))
    assert np.array_equal(root["data/keypoint"][:, :8], f32(dump["observation.keypoints"][rows]))
    assert np.array_equal(root["data/keypoint"][:, 8], f32(dump["observation.agent_pos"][rows]))
    assert np.array_equal(root["data/state"][:, :2], f32(dump["observation.agent_pos"][rows]))
    if obs == "state":
        assert np.array_equal(root["data/state"][:], f32(dump["observation.state"][rows]))
        assert "img" not in root["data"]
    else:
        assert root["data/img"].shape == (2 * STEPS, 96, 96, 3)
        assert np.array_equal(root["data/img"][:], dump["observation.image"][rows].astype(np.float32))
        # The block pose is fitted to the keypoints: the state dump's, to float32 rounding.
        state = load_npz(files / "state.npz")["observation.state"][rows]
        derived = root["data/state"][:].astype(np.float64)
        assert np.all(np.abs(derived[:, 2:4] - state[:, 2:4]) <= np.spacing(f32(state[:, 2:4])))
        assert np.all(np.abs(wrapped(derived[:, 4] - state[:, 4])) <= np.spacing(f32(state[:, 4])))
        assert "derived" in root.attrs["ewm_sim"] and root.attrs["ewm_sim"]["derived"]
    assert "n_contacts" not in root["data"]  # not in a dump


@pytest.mark.parametrize("obs", ["state", "pixels"])
def test_pusht_dump_to_lerobot(files, tmp_path, obs):
    dump = load_npz(files / f"{obs}.npz")
    rows = action_rows(dump)
    info, data, meta = read_lerobot(convert(files / f"{obs}.npz", "lerobot", tmp_path / "lerobot"))
    frames = int(rows.sum())
    assert info["total_episodes"] == EPISODES and info["total_frames"] == frames == EPISODES * STEPS and info["fps"] == 10
    assert data["episode_index"] == list(dump["episode_index"][rows])
    assert data["frame_index"] == list(dump["frame_index"][rows])
    assert data["index"] == list(range(frames))
    assert np.array_equal(np.array(data["timestamp"], dtype=np.float32), f32(dump["frame_index"][rows] / 10))
    assert np.array_equal(np.array(data["action"], dtype=np.float32), f32(dump["action"][rows]))
    assert np.array_equal(np.array(data["observation.state"], dtype=np.float32), f32(dump["observation.agent_pos"][rows]))
    corners = dump["observation.keypoints"][rows].reshape(frames, 16)
    assert np.array_equal(np.array(data["observation.environment_state"], dtype=np.float32), f32(corners))
    assert np.array_equal(np.array(data["next.reward"], dtype=np.float32), f32(dump["next.reward"][rows]))
    assert data["next.success"] == list(dump["next.success"][rows])
    # next.done: the dump's, and each episode's last action (an episode cut by --max-steps ends there).
    last = dump["frame_index"][rows] == dump["episode.length"][dump["episode_index"][rows]] - 1
    assert data["next.done"] == list(dump["next.done"][rows] | last) and sum(data["next.done"]) == EPISODES
    if obs == "pixels":
        assert info["features"]["observation.image"]["shape"] == [96, 96, 3]
        images = dump["observation.image"][rows]
        for i in range(frames):
            assert np.array_equal(decode_png(data["observation.image"][i]["bytes"]), images[i])
    else:
        assert "observation.image" not in data
    assert meta["length"] == list(dump["episode.length"])
    assert meta["dataset_from_index"] == [0, STEPS] and meta["dataset_to_index"] == [STEPS, 2 * STEPS]
    assert meta["seed"] == list(dump["episode.seed"]) == [SEED, SEED + 1]
    assert np.array_equal(f32(meta["orientation"]), f32(dump["episode.orientation"]))
    assert meta["tasks"][0] == [datasets.TASK]
    provenance = json.loads((tmp_path / "lerobot" / "meta" / "ewm_sim.json").read_text())
    assert provenance["env"] == "pusht" and "dropped" in provenance


def test_module_entry_point(files, tmp_path):
    """`python -m ewm_sim.datasets convert` as a user types it."""
    env = dict(os.environ)
    out = tmp_path / "replay.zarr"
    args = [sys.executable, "-m", "ewm_sim.datasets", "convert", str(files / "state.npz"), "--format", "zarr", "--out", str(out)]
    result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2 episodes, 40 frames" in result.stdout
    assert datasets.main(args[3:]) == 2  # no silent overwrite
    assert datasets.main(args[3:] + ["--overwrite"]) == 0


# Other envs


def test_push3d_dump(files, tmp_path):
    dump = load_npz(files / "push3d.npz")
    rows = action_rows(dump)
    frames = int(rows.sum())
    root = zarr.open_group(str(convert(files / "push3d.npz", "zarr", tmp_path / "replay.zarr", "--env", "push3d")), mode="r")
    assert sorted(root["data"]) == ["action", "state"]
    assert np.array_equal(root["data/state"][:], f32(dump["observation.state"][rows]))
    assert np.array_equal(root["data/action"][:], f32(dump["action"][rows])) and root["data/action"].shape == (frames, 3)
    assert list(root["meta/episode_ends"][:]) == list(np.cumsum(dump["episode.length"]))
    info, data, meta = read_lerobot(convert(files / "push3d.npz", "lerobot", tmp_path / "lerobot", "--env", "push3d"))
    assert info["features"]["observation.state"]["shape"] == [dump["observation.state"].shape[1]]
    assert np.array_equal(np.array(data["observation.state"], dtype=np.float32), f32(dump["observation.state"][rows]))
    assert np.array_equal(np.array(data["action"], dtype=np.float32), f32(dump["action"][rows]))
    assert np.array_equal(np.array(data["next.reward"], dtype=np.float32), f32(dump["next.reward"][rows]))
    assert data["episode_index"] == list(dump["episode_index"][rows])
    assert meta["seed"] == [5, 6] and info["repo_id"] == "ewm-sim/push3d" and "3D" in meta["tasks"][0][0]


# collect directories


def shards(directory: Path) -> dict:
    parts = [load_npz(p) for p in sorted(directory.glob("shard-*.npz"))]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def test_pusht_collect(files, tmp_path):
    s = shards(files / "collect-pusht")
    ends = list(np.flatnonzero(np.diff(s["episode_index"])) + 1) + [len(s["episode_index"])]
    root = zarr.open_group(str(convert(files / "collect-pusht", "zarr", tmp_path / "replay.zarr")), mode="r")
    assert list(root["meta/episode_ends"][:]) == ends
    assert np.array_equal(root["data/keypoint"][:], f32(s["observation"].reshape(-1, 9, 2)))
    assert np.array_equal(root["data/action"][:], f32(s["action"]))
    assert np.array_equal(root["data/state"][:, :2], f32(s["observation"][:, 16:18]))
    info, data, meta = read_lerobot(convert(files / "collect-pusht", "lerobot", tmp_path / "lerobot"))
    assert data["frame_index"] == list(s["frame_index"]) and data["episode_index"] == list(s["episode_index"])
    assert np.array_equal(np.array(data["observation.environment_state"], dtype=np.float32), f32(s["observation"][:, :16]))
    assert sum(data["next.done"]) == 3 and "next.reward" not in data and "next.success" not in data
    starts = [0] + ends[:-1]
    assert np.array_equal(f32(meta["orientation"]), f32(s["orientation"][starts]))


def test_teacher3d_collect(files, tmp_path):
    s = shards(files / "collect-teacher3d")
    root = zarr.open_group(str(convert(files / "collect-teacher3d", "zarr", tmp_path / "replay.zarr")), mode="r")
    assert np.array_equal(root["data/state"][:], f32(s["observation"])) and "keypoint" not in root["data"]
    assert np.array_equal(root["data/action"][:], f32(s["action"]))
    assert list(root["meta/episode_ends"][:]) == [5, 10]
    info, data, meta = read_lerobot(convert(files / "collect-teacher3d", "lerobot", tmp_path / "lerobot"))
    assert np.array_equal(np.array(data["observation.state"], dtype=np.float32), f32(s["observation"]))
    assert np.array_equal(np.array(meta["origin"], dtype=np.float32), f32(s["origin"][[0, 5]]))


def test_collect_checks_the_chain(files, tmp_path):
    """A directory whose next_observation is not the next observation is refused, not silently converted."""
    s = shards(files / "collect-pusht")
    s["next_observation"][2, 0] += 1
    bad = tmp_path / "bad"
    bad.mkdir()
    np.savez(bad / "shard-00000.npz", **s)
    with pytest.raises(ValueError, match="next_observation"):
        datasets.read_collect(bad, env="pusht")
    with pytest.raises(ValueError, match="collect shard"):
        datasets.read_ewm_sim(files / "collect-pusht" / "shard-00000.npz")
    assert datasets.main(["convert", str(tmp_path / "missing.npz"), "--format", "zarr", "--out", str(tmp_path / "o")]) == 2


# The Python API against a dump of the same episodes


def test_python_api_equals_dump(files, tmp_path):
    """record_pusht replaying a dump's seeds and actions records the dump's episodes; both written the same way are
    the same datasets (keypoints: the dump computes the corners from the block pose in another order of operations,
    so they agree to 1e-12 px and in float32 to one unit in the last place)."""
    state, pixels = load_npz(files / "state.npz"), load_npz(files / "pixels.npz")
    rows = action_rows(state)
    actions = [state["action"][rows & (state["episode_index"] == e)] for e in range(EPISODES)]
    api = datasets.record_pusht(EPISODES, STEPS, seed=SEED, actions=actions, orientation=ORIENTATION)
    dumped = datasets.read_npz_dump(files / "state.npz")
    assert np.array_equal(api.episode_ends, dumped.episode_ends) and np.array_equal(api.seeds, dumped.seeds)
    assert np.array_equal(api.state, state["observation.state"][rows])
    assert np.array_equal(api.action, state["action"][rows])
    assert np.array_equal(api.reward, state["next.reward"][rows])
    assert np.array_equal(api.success, state["next.success"][rows]) and np.array_equal(api.done_flags, dumped.done_flags)
    assert np.array_equal(api.img, pixels["observation.image"][rows])
    assert np.abs(api.keypoint[:, :8] - state["observation.keypoints"][rows]).max() < 1e-12
    assert np.array_equal(api.keypoint[:, 8], state["observation.agent_pos"][rows])

    a = zarr.open_group(str(datasets.write_diffusion_policy_zarr(api, tmp_path / "api.zarr")), mode="r")
    b = zarr.open_group(str(convert(files / "pixels.npz", "zarr", tmp_path / "dump.zarr")), mode="r")
    for name in ("action", "img"):
        assert np.array_equal(a[f"data/{name}"][:], b[f"data/{name}"][:]), name
    assert np.array_equal(a["data/state"][:, :2], b["data/state"][:, :2])
    ulp = np.spacing(np.abs(a["data/state"][:, 2:]))
    difference = a["data/state"][:, 2:].astype(np.float64) - b["data/state"][:, 2:]
    difference[:, 2] = wrapped(difference[:, 2])
    assert np.all(np.abs(difference) <= ulp)
    assert np.all(np.abs(a["data/keypoint"][:] - b["data/keypoint"][:]) <= np.spacing(np.abs(a["data/keypoint"][:])))
    assert np.array_equal(a["meta/episode_ends"][:], b["meta/episode_ends"][:])

    _, api_data, api_meta = read_lerobot(datasets.write_lerobot(api, tmp_path / "api-lerobot"))
    _, dump_data, dump_meta = read_lerobot(convert(files / "pixels.npz", "lerobot", tmp_path / "dump-lerobot"))
    for name in ("observation.image", "observation.state", "action", "next.reward", "next.done", "next.success", "timestamp",
                 "frame_index", "episode_index", "index", "task_index"):
        assert api_data[name] == dump_data[name], name
    env_api, env_dump = np.array(api_data["observation.environment_state"]), np.array(dump_data["observation.environment_state"])
    assert np.all(np.abs(env_api - env_dump) <= np.spacing(np.abs(env_api).astype(np.float32)))
    for name in ("episode_index", "length", "dataset_from_index", "dataset_to_index", "seed", "orientation", "tasks"):
        assert api_meta[name] == dump_meta[name], name


# LeRobot itself (skipped unless `lerobot` is installed: it needs torch, several GB; see python/README.md)


def test_lerobot_dataset_loads_a_converted_dump(files, tmp_path, monkeypatch):
    """LeRobot's own `LeRobotDataset` on the local root of a converted pixels dump: every frame's values equal the
    `.npz` arrays (images as LeRobot returns them: float32 CHW in [0, 1] = uint8 / 255), episodes and their bounds;
    Diffusion Policy's PushT deltas (observation 2 frames, action 16) load."""
    pytest.importorskip("lerobot")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from lerobot.datasets.lerobot_dataset import LeRobotDataset

    dump = load_npz(files / "pixels.npz")
    rows = action_rows(dump)
    root = convert(files / "pixels.npz", "lerobot", tmp_path / "lerobot")
    dataset = LeRobotDataset("ewm-sim/pusht", root=root)
    assert len(dataset) == int(rows.sum()) and dataset.num_episodes == EPISODES and dataset.fps == 10
    images, agent = dump["observation.image"][rows], dump["observation.agent_pos"][rows]
    corners, action = dump["observation.keypoints"][rows].reshape(-1, 16), dump["action"][rows]
    for i in range(len(dataset)):
        item = dataset[i]
        assert np.array_equal(item["observation.image"].numpy(), images[i].transpose(2, 0, 1).astype(np.float32) / 255)
        assert np.array_equal(item["observation.state"].numpy(), f32(agent[i]))
        assert np.array_equal(item["observation.environment_state"].numpy(), f32(corners[i]))
        assert np.array_equal(item["action"].numpy(), f32(action[i]))
        assert item["episode_index"].item() == dump["episode_index"][rows][i] and item["task"] == datasets.TASK
    deltas = {"observation.image": [-0.1, 0.0], "observation.state": [-0.1, 0.0], "action": [t / 10 for t in range(-1, 15)]}
    windows = LeRobotDataset("ewm-sim/pusht", root=root, delta_timestamps=deltas)
    item = windows[STEPS - 3]  # near the end of episode 0: the action window is padded past it
    assert tuple(item["action"].shape) == (16, 2) and tuple(item["observation.image"].shape) == (2, 3, 96, 96)
    assert np.array_equal(item["action"][:4].numpy(), f32(action[STEPS - 4 : STEPS]))
    assert item["action_is_pad"].numpy().tolist() == [False] * 3 + [False] + [True] * 12
