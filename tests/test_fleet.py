"""The fleet file: the issue's minimal form, defaults from the cost models, validation
that names what is wrong, and calibration of a class's speed from measured leaves."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ixcore.config import load_config
from ixcore.costmodel import get_cost_model
from ixcore.errors import ConfigError, InputError
from ixcore.fleet import (
    RUN_DEFAULTS,
    fleet_from_config,
    fleet_from_table,
    load_fleet,
)
from ixcore.fleet_calibration import calibrate

MINIMAL = """
[[fleet.workers]]
name = "big"
count = 2
ram_gib = 250
cost_model = "zisk-main"   # the model whose RAM and time lines describe this class
[[fleet.workers]]
name = "small"
count = 4
ram_gib = 80
cost_model = "zisk-main"
"""


def _row(**kw):
    row = {"name": "a", "count": 1, "ram_gib": 128, "cost_model": "zisk-main"}
    row.update(kw)
    return row


def test_minimal_form_from_the_issue(tmp_path):
    path = tmp_path / "fleet.toml"
    path.write_text(MINIMAL)
    fleet = load_fleet(path)
    assert [c.name for c in fleet.classes] == ["big", "small"] and fleet.workers == 6
    big = fleet.classes[0]
    model = get_cost_model("zisk-main")
    assert (big.time.base, big.time.slope) == (29.0, 2.25)  # Ix's Zisk line: 29 s + 2.25 s per Bcost
    assert big.ram == model.ram and (big.agg_base_s, big.agg_per_child_s) == (0.0, RUN_DEFAULTS["zisk-main"]["agg_per_child_s"])
    assert big.start_seconds(1e12) == 0.0 and big.wave_s == 0.0
    assert big.leaf_seconds(2e9) == pytest.approx(29 + 2 * 2.25)
    # the class's cap is Ix's cap for its RAM, and `fits` agrees with it at the boundary
    assert abs(big.cap() - model.cap_for_ram(250)) <= 1
    assert big.fits(model.cap_for_ram(250)) and not big.fits(model.cap_for_ram(250) * 1.01)
    assert fleet.largest().name == "big"


def test_fleet_table_in_ix_toml_inline_and_by_file(tmp_path):
    (tmp_path / "ix.toml").write_text(MINIMAL)
    fleet = fleet_from_config(load_config(cwd=tmp_path))
    assert fleet.workers == 6
    (tmp_path / "f.toml").write_text(MINIMAL)
    (tmp_path / "ix.toml").write_text('[fleet]\nfile = "f.toml"\n')
    assert fleet_from_config(load_config(cwd=tmp_path)).workers == 6
    (tmp_path / "ix.toml").write_text('leaf_prover = "native"\n')
    assert fleet_from_config(load_config(cwd=tmp_path)) is None


@pytest.mark.parametrize(
    "row, words",
    [
        (_row(colour="red"), "unknown key 'colour'"),
        ({"name": "a", "count": 1, "cost_model": "zisk-main"}, "missing 'ram_gib'"),
        (_row(count=0), "count must be 1..100,000"),
        (_row(count=10**9), "count must be 1..100,000"),
        (_row(count=True), "'count' has the wrong type"),
        (_row(ram_gib=-1), "ram_gib must be positive"),
        (_row(ram_gib=float("nan")), "must be finite"),
        (_row(time_per_unit_s=-2), "must not be negative"),
        (_row(cost_model="nope"), "unknown cost model 'nope'"),
        (_row(ram_gib=36), "cannot hold the prover's base of 33.1 GiB"),
        (_row(cost_model="native"), "has no time line"),
        (_row(cost_model="native", time_base_s=1.0), "needs both"),
    ],
)
def test_bad_classes_are_named(row, words):
    with pytest.raises(ConfigError) as err:
        fleet_from_table({"workers": [row]}, "f.toml")
    assert words in str(err.value) and "f.toml" in str(err.value)


def test_duplicate_names_and_empty_fleets_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="used twice"):
        fleet_from_table({"workers": [_row(), _row()]}, "f.toml")
    with pytest.raises(ConfigError, match="no \\[\\[fleet.workers\\]\\]"):
        fleet_from_table({"workers": []}, "f.toml")
    with pytest.raises(ConfigError, match="unknown key 'speed'"):
        fleet_from_table({"workers": [_row()], "speed": 2}, "f.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[fleet.workers]\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_fleet(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_fleet(tmp_path / "absent.toml")


def test_overrides_replace_the_model_lines():
    fleet = fleet_from_table({"workers": [_row(time_base_s=10, time_per_unit_s=1.0, agg_per_child_s=3)]}, "f")
    cls = fleet.classes[0]
    assert (cls.time.base, cls.time.slope, cls.agg_seconds(4)) == (10.0, 1.0, 12.0)
    native = fleet_from_table({"workers": [_row(cost_model="native", time_base_s=0.2, time_per_unit_s=90)]}, "f").classes[0]
    assert native.ram is None and native.fits(1e12)  # no RAM line: every leaf fits, by design


def _report(tmp_path, name, rows, fold=0.3, aggregations=1):
    path = tmp_path / name
    path.write_text(json.dumps({
        "phases": {"prove": 1.0, "fold": fold}, "aggregations": aggregations,
        "shards": [{"shard": i, "status": "proven", "work": hb, "seconds": s} for i, (hb, s) in enumerate(rows)],
    }))
    return path


def test_native_calibration_recovers_a_line_from_run_reports(tmp_path):
    model = get_cost_model("native")
    hb = np.array([1000, 4000, 9000, 20000, 50000], dtype=float)
    secs = 0.3 + 80.0 * hb / 1e6
    report = _report(tmp_path, "r.json", list(zip(hb, secs)), fold=0.6, aggregations=2)
    fit = calibrate(model, [report])
    assert fit.time.base == pytest.approx(0.3) and fit.time.slope == pytest.approx(80.0) and fit.mape < 1e-9
    fleet = fleet_from_table({"workers": [_row(cost_model="native", calibration="r.json")]}, "f", base=tmp_path)
    assert fleet.classes[0].time.slope == pytest.approx(80.0) and "calibrated from 5 leaves" in fleet.classes[0].source


def test_calibration_fits_the_run_costs_the_simulator_charges(tmp_path):
    """Reports made by the simulator itself (waves fold, 2 workers) give back its start-up,
    wave and aggregation terms: calibration and simulation describe the same executor."""
    from ixcore.manifest import balanced_agg_tree
    from ixcore.schedule import simulate

    truth = {"start_base_s": 0.1, "start_per_unit_s": 4.0, "wave_s": 0.05, "agg_base_s": 0.01, "agg_per_unit_s": 3.0}
    fleet = fleet_from_table({"workers": [_row(cost_model="native", count=2, time_base_s=0.05, time_per_unit_s=50.0,
                                               agg_per_child_s=0.0, **truth)]}, "f")
    files = []
    for n, (k, hb) in enumerate([(8, 1000), (4, 2000), (8, 9000), (4, 19000), (8, 23000), (6, 30000)]):
        sched = simulate(fleet, range(k), balanced_agg_tree(0, k), [np.full(k, float(hb))], arity=4)
        leaves = sorted((t for t in sched.tasks if t.kind == "leaf"), key=lambda t: t.shard)
        prove = max(t.finish for t in leaves)
        path = tmp_path / f"r{n}.json"
        path.write_text(json.dumps({
            "phases": {"prove": prove, "fold": sched.makespan - prove}, "aggregations": sum(t.kind == "agg" for t in sched.tasks),
            "shards": [{"shard": t.shard, "status": "proven", "work": hb, "seconds": t.finish - t.start} for t in leaves],
        }))
        files.append(path)
    fit = calibrate(get_cost_model("native"), files, workers=2)
    assert fit.time.base == pytest.approx(0.05) and fit.time.slope == pytest.approx(50.0)
    for key, value in truth.items():
        assert fit.run[key] == pytest.approx(value, rel=0.02, abs=1e-6), key


def test_calibration_never_fits_a_negative_line(tmp_path):
    model = get_cost_model("native")
    # time falls with cost: the fit is a constant (the one of least relative error), not a negative slope
    fit = calibrate(model, [_report(tmp_path, "r.json", [(1000, 3.0), (5000, 2.0), (9000, 1.0)])])
    assert fit.time.slope == 0 and fit.time.base == pytest.approx((1 / 3 + 1 / 2 + 1) / (1 / 9 + 1 / 4 + 1))
    # a line through the points would have a negative intercept: the best line through the origin
    fit = calibrate(model, [_report(tmp_path, "s.json", [(1000, 0.01), (5000, 0.5), (9000, 1.0)])])
    assert fit.time.base == 0 and fit.time.slope > 0


def test_calibration_files_are_hostile_input(tmp_path):
    native, zisk = get_cost_model("native"), get_cost_model("zisk-main")
    (tmp_path / "junk.json").write_text("{not json")
    with pytest.raises(InputError, match="junk.json"):
        calibrate(native, [tmp_path / "junk.json"])
    (tmp_path / "rows.json").write_text(json.dumps({"shards": [{"status": "proven", "seconds": 1}]}))
    with pytest.raises(InputError, match="malformed shard row"):
        calibrate(native, [tmp_path / "rows.json"])
    neg = _report(tmp_path, "neg.json", [(1000, -1.0)])
    with pytest.raises(InputError, match="negative or non-finite"):
        calibrate(native, [neg])
    # a run report counts heartbeats: it cannot calibrate a Zisk cost-unit model
    with pytest.raises(InputError, match="use ix calibrate"):
        calibrate(zisk, [_report(tmp_path, "r.json", [(1000, 1.0)])])
    (tmp_path / "cal.json").write_text(json.dumps({"cost_model": "zisk-411", "fit": {"n": 3, "units_per_step": 90, "mape_ratio": 0.1}, "shards": []}))
    with pytest.raises(InputError, match="zisk-411"):
        calibrate(zisk, [tmp_path / "cal.json"])
    (tmp_path / "nan.json").write_text(json.dumps({"cost_model": "zisk-main", "fit": {"n": 3, "units_per_step": -1, "mape_ratio": 0.1}, "shards": []}))
    with pytest.raises(InputError, match="positive"):
        calibrate(zisk, [tmp_path / "nan.json"])
    with pytest.raises(InputError, match="not both"):
        calibrate(zisk, [tmp_path / "cal.json", neg])


def test_zisk_calibration_rescales_the_time_line_by_units_per_step(tmp_path):
    zisk = get_cost_model("zisk-main")
    # this env takes twice the steps per cost unit that Ix's fit assumed: twice the time per unit
    (tmp_path / "cal.json").write_text(json.dumps({"cost_model": "zisk-main", "fit": {"n": 5, "units_per_step": 46.25, "mape_ratio": 0.08}, "shards": []}))
    fit = calibrate(zisk, [tmp_path / "cal.json"])
    assert fit.time.base == 29.0 and fit.time.slope == pytest.approx(4.5) and fit.mape == pytest.approx(0.08)
