"""`ix check --keep-going` lists exactly the declarations `ix demo-env --corrupt K` planted."""
import json

from click.testing import CliRunner

from ixcore.cli import cli
from ixcore.plugins import PluginHost


def test_keep_going_lists_each_planted_corruption(tmp_path):
    PluginHost().add_commands(cli)  # as `ix` does at start-up: plugin commands join the group
    runner = CliRunner()
    env = tmp_path / "demo.ndjson"
    made = runner.invoke(cli, ["--json", "demo-env", "--constants", "300", "--seed", "3", "--corrupt", "6", str(env)])
    assert made.exit_code == 0, made.output
    planted = set(json.loads(made.stdout)["corrupted_kinds"])
    checked = runner.invoke(cli, ["--json", "check", "--keep-going", str(env)])
    assert checked.exit_code == 1, checked.output  # a rejected file: exit 1 (the listing is still printed)
    result = json.loads(checked.stdout)["results"][0]
    assert result["verdict"] == "reject"
    assert {d["name"] for d in result["rejected_declarations"]} == planted
    assert len(planted) == 6
