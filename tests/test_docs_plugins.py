"""docs/plugins.md and the code cannot drift apart (datasette's guard, for ix): every hook
as `name(args)`, every protocol member in its section's table, every check of the kit,
and every code excerpt equal to the region of the file it names."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from ixcore import hookspecs, roles, testing
from ixcore.plugins import PluginHost

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs/plugins.md").read_text()
PROTOCOLS = [*roles.PROTOCOL_OF_ROLE.values(), *roles.OTHER_PROTOCOLS]


def section(title: str) -> str:
    """The text under the heading `### `title`` up to the next heading."""
    match = re.search(rf"^### `{re.escape(title)}`\n(.*?)(?=^#{{2,3}} )", DOC, flags=re.M | re.S)
    assert match, f"docs/plugins.md has no section ### `{title}`"
    return match.group(1)


def documented_members(text: str) -> set[str]:
    """First-column names of the first member table in a section."""
    table = re.search(r"^\| member \|.*?\n((?:\|.*\n)+)", text, flags=re.M)
    assert table, "no member table"
    rows = [r for r in table.group(1).splitlines() if not r.startswith("|---")]
    return {re.match(r"\| `(\w+)", r).group(1) for r in rows}


def test_every_hook_is_documented_with_its_arguments():
    host = PluginHost(autoload=False)
    for name in (n for n in dir(host.pm.hook) if n.startswith("ix_")):
        args = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### `{name}({args})`" in DOC, f"hook {name}({args}) missing from docs/plugins.md"


@pytest.mark.parametrize("proto", PROTOCOLS, ids=lambda p: p.__name__)
def test_protocol_members_match_the_document(proto):
    assert documented_members(section(proto.__name__)) == set(roles.protocol_members(proto))


def test_every_hookspec_names_an_existing_protocol():
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if name.startswith("ix_register_"):
            named = re.findall(r"ixcore\.roles\.(\w+)", fn.__doc__ or "")
            assert named and all(isinstance(getattr(roles, n, None), type) for n in named), name


def test_every_check_of_the_kit_is_documented():
    for name in testing.__all__:
        if name.startswith("check_"):
            assert f"`{name}(" in DOC, f"{name} missing from docs/plugins.md"


def test_hypergraph_fields_are_documented():
    text = section("Partitioner")
    for field in ("n", "vertex_weights", "num_nets", "ptr", "pins", "net_weights"):
        assert f"| `{field}` |" in text, field


EXCERPT = re.compile(r"<!-- excerpt: (\S+)#(\w+) -->\n```python\n(.*?)\n```", re.S)


def test_code_excerpts_equal_their_files():
    found = EXCERPT.findall(DOC)
    assert len(found) >= 6
    for path, name, code in found:
        text = (REPO / path).read_text()
        start, end = f"# --8<-- [start:{name}]\n", f"# --8<-- [end:{name}]"
        region = text[text.index(start) + len(start): text.index(end)].rstrip("\n")
        assert code == region, f"docs/plugins.md excerpt {path}#{name} differs from the file"
