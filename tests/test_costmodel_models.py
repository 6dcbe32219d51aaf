"""The Zisk cost models reproduce Ix's numbers exactly (per-shard cost, prediction, caps)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from ixcore.costmodel import MODELS, get_cost_model
from ixcore.errors import ConfigError, InputError

GENERATIONS = [("v411", "v1", "zisk-411"), ("main", "v2", "zisk-main")]


@pytest.mark.parametrize("gen,ver,model_name", GENERATIONS)
@pytest.mark.parametrize("label", ["k8", "k32", "capq4", "ram128"])
def test_shard_cost_and_prediction_match_ix(shared_dir, gen, ver, model_name, label):
    from ixcore.formats.ixprof import read_ixprof

    golden = shared_dir / "golden/ix"
    result = json.loads((golden / f"{gen}/results/synth_n5000.{ver}_{label}.json").read_text())
    model = get_cost_model(model_name)
    profile = read_ixprof(golden / "profiles" / result["profile"])
    cost = model.step_cost(profile)
    assert cost.dtype == np.int64  # exact integer arithmetic, as Ix's u64
    per_shard = np.zeros(result["num_shards"], dtype=np.int64)
    np.add.at(per_shard, np.asarray(result["shard_of"]), cost)
    for shard in result["shards"]:
        assert per_shard[shard["id"]] == shard["cost"]
        assert model.shard_cost(shard["cost"], shard["cross_ingress"]) == shard["predicted"]


@pytest.mark.parametrize("gen,ver,model_name", GENERATIONS)
@pytest.mark.parametrize("ram", [128, 512])
def test_cap_for_ram_matches_ix(shared_dir, gen, ver, model_name, ram):
    result = json.loads((shared_dir / f"golden/ix/{gen}/results/synth_n5000.{ver}_ram{ram}.json").read_text())
    assert get_cost_model(model_name).cap_for_ram(ram) == result["cap"]


def test_spec_table_caps():
    assert get_cost_model("zisk-pr-int").cap_for_ram(128) == pytest.approx(1.71e9, rel=0.01)
    assert get_cost_model("zisk-411").cap_for_ram(256) == pytest.approx(5.08e9, rel=0.01)
    assert get_cost_model("zisk-main").cap_for_ram(256) == pytest.approx(432e9, rel=0.01)


def test_ram_and_time_lines():
    m = get_cost_model("zisk-411")
    assert m.ram_gib(2e9) == pytest.approx(50 + 33 * 2)
    assert m.seconds(2e9) == pytest.approx(54 + 158 * 2)
    assert get_cost_model("zisk-pr-int").seconds(1e9) is None


def test_ram_below_the_prover_base_is_an_input_error():
    with pytest.raises(InputError, match="base"):
        get_cost_model("zisk-411").cap_for_ram(50)


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(ConfigError, match="zisk-main"):
        get_cost_model("zisk-next")


def test_models_are_named_data():
    assert {"zisk-pr-int", "zisk-411", "zisk-main", "native"} <= set(MODELS)
    for model in MODELS.values():
        assert model.describe()["name"] == model.name
