"""The NDJSON reader: both format versions, sparse ids, and precise rejections."""
from __future__ import annotations

import pytest

from ix_native.lean.export import ExportError, read_export
from ix_native.lean.expr import APP, CONST, app_spine
from ix_native.lean.name import Name

META = '{"meta":{"exporter":{"name":"t","version":"0"},"format":{"version":"3.1.0"},"lean":{"githash":"x","version":"4.29.1"}}}'


def _write(tmp_path, lines):
    p = tmp_path / "t.ndjson"
    p.write_text("\n".join([META, *lines]) + "\n")
    return p


def test_reads_format_30_and_31(shared_dir):
    old = read_export(shared_dir / "lean-exports/lean4export/good/Nat.add_succ.ndjson")
    assert old.format_version == "3.0.0"
    assert Name.from_str("Nat.add_succ") in old.by_name
    new = read_export(shared_dir / "lean-exports/nyaya/good/sparse-name-index.ndjson")
    assert [d.kind for d in new.decls] == ["axiom"]


def test_interning_shares_equal_subterms(tmp_path):
    """Equal subterms are one node even when the file writes them under different ids."""
    p = _write(tmp_path, [
        '{"in":1,"str":{"pre":0,"str":"A"}}', '{"ie":0,"sort":0}',
        '{"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}}',
        '{"ie":1,"const":{"name":1,"us":[]}}', '{"ie":4,"const":{"name":1,"us":[]}}',
        '{"ie":2,"app":{"fn":1,"arg":4}}', '{"ie":3,"app":{"fn":2,"arg":1}}',  # (A A) A
        '{"ie":5,"app":{"fn":4,"arg":1}}', '{"ie":6,"app":{"fn":5,"arg":4}}',  # the same, other ids
        '{"in":2,"str":{"pre":0,"str":"B"}}', '{"axiom":{"isUnsafe":false,"levelParams":[],"name":2,"type":3}}',
        '{"in":3,"str":{"pre":0,"str":"C"}}', '{"axiom":{"isUnsafe":false,"levelParams":[],"name":3,"type":6}}',
    ])
    exp = read_export(p)
    assert exp.decls[0].line == 4
    tb = exp.by_name[Name.from_str("B")].type
    tc = exp.by_name[Name.from_str("C")].type
    assert tb is tc and tb.tag == APP
    head, args = app_spine(tb)
    assert len(args) == 2 and head is args[0] is args[1]
    assert head.tag == CONST and head.name is Name.from_str("A")


@pytest.mark.parametrize("line, msg", [
    ('{"ie":0,"sort":7}', "undefined level id 7"),
    ('{"ie":0,"frob":1}', "unknown expression kind"),
    ('{"axiom":{"isUnsafe":false,"levelParams":[],"name":0}}', "missing field 'type'"),
    ('{"widget":{}}', "unknown declaration kind"),
    ('{"ie":0,"natVal":"12a"}', "decimal string"),
    # lines the reader's plain-lookup paths try first; each failure must still be named
    ('{"ie":0,"app":{"fn":0,"arg":0}}', "undefined expression id 0"),
    ('{"ie":0,"forallE":{"name":0,"type":0,"body":0,"binderInfo":["x"]}}', "unknown binderInfo ['x']"),
    ('{"ie":0,"bvar":-1}', "bvar index must be a non-negative integer"),
    ('{"ie":0,"const":{"name":0,"us":{}}}', "const.us must be a list"),
    ('{"in":1,"str":{"pre":5,"str":"x"}}', "name refers to undefined name id 5"),
    ('{"in":1,"str":{"pre":0,"str":7}}', "component must be a string"),
    ('{"axiom":{"isUnsafe":false,"levelParams":[9],"name":0,"type":0}}', "levelParams refers to undefined name id 9"),
])
def test_rejects_with_file_and_line(tmp_path, line, msg):
    p = _write(tmp_path, [line])
    with pytest.raises(ExportError) as info:
        read_export(p)
    assert f"{p}:2:" in str(info.value) and msg in str(info.value)


def test_duplicate_declaration(shared_dir):
    with pytest.raises(ExportError, match="duplicate declaration"):
        read_export(shared_dir / "lean-exports/nyaya/bad/tutorial/126_dup_defs.ndjson")
