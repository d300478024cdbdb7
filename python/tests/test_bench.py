"""The benchmark runs end to end (a smoke test: no timing is asserted)."""

from ewm_sim import bench


def test_bench_reports_every_rate(capsys):
    report = bench.main(["--seconds", "0.05", "--rounds", "1", "--envs", "4", "--no-reference", "--json"])
    assert set(report["steps_per_second"]) == {"single_state", "vector_state", "vector_pixels"}
    assert all(rate > 0 for rate in report["steps_per_second"].values())
    assert '"steps_per_second"' in capsys.readouterr().out
