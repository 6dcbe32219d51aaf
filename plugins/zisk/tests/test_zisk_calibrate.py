"""`ix calibrate`: the fit itself, and the command over stand-in executions of a manifest."""
import json
import os
import subprocess
import sys

import pytest

from ix_zisk.calibrate import fit


def test_fit_recovers_an_exact_line_and_ratio():
    predicted = [100.0, 200.0, 400.0, 800.0]
    exact = fit(predicted, [p / 90 for p in predicted])
    assert exact.units_per_step == pytest.approx(90) and exact.mape_ratio == pytest.approx(0, abs=1e-12)
    line = fit(predicted, [1000 + 2 * p for p in predicted])
    assert (line.intercept, line.slope, line.r2) == (pytest.approx(1000), pytest.approx(2), pytest.approx(1))
    assert line.mape_line == pytest.approx(0, abs=1e-9) and line.mape_ratio > 0.05


def test_fit_needs_three_distinct_predictions_for_a_line():
    two = fit([1.0, 2.0], [3.0, 5.0])
    assert two.slope is None and two.units_per_step > 0
    with pytest.raises(ValueError):
        fit([0.0], [1.0])


def test_calibrate_command_over_standin_executions(tmp_path, zisk_table, fixture_env, make_manifest, monkeypatch):
    from ixcore.formats.ixes import write_ixes

    write_ixes(make_manifest(fixture_env, 4), tmp_path / "m.ixes")
    (tmp_path / "ix.toml").write_text("[plugins.zisk]\n" + "".join(f'{k} = "{v}"\n' for k, v in zisk_table.items()))
    r = subprocess.run(
        [sys.executable, "-m", "ixcore", "calibrate", str(fixture_env.path), "--manifest", "m.ixes", "--out", "fit.json", "--json"],
        cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ), timeout=300,
    )
    assert r.returncode == 0, r.stderr
    record = json.loads((tmp_path / "fit.json").read_text())
    assert record["cost_model"] == "zisk-main" and len(record["shards"]) == 4
    assert all(row["steps"] > 0 and row["predicted"] > 0 for row in record["shards"])
    assert record["fit"]["n"] == 4 and record["fit"]["units_per_step"] > 0 and record["fit"]["slope"] is not None
    assert json.loads(r.stdout)["out"] == "fit.json"
