"""The NDJSON reader: both format versions, sparse ids, and precise rejections."""
from __future__ import annotations

import pytest

from ix_native.lean.export import ExportError, read_export
from ix_native.lean.expr import APP, app_spine
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
    p = _write(tmp_path, [
        '{"in":1,"str":{"pre":0,"str":"A"}}', '{"ie":0,"sort":0}',
        '{"axiom":{"isUnsafe":false,"levelParams":[],"name":1,"type":0}}',
        '{"ie":1,"const":{"name":1,"us":[]}}', '{"ie":2,"app":{"fn":1,"arg":1}}',
        '{"ie":3,"app":{"fn":2,"arg":1}}',
    ])
    exp = read_export(p)
    assert exp.decls[0].line == 4
    from ix_native.lean.expr import mk_app, mk_const
    c = mk_const(Name.from_str("A"))
    e = mk_app(mk_app(c, c), c)
    assert e.tag == APP and app_spine(e) == (c, [c, c])


@pytest.mark.parametrize("line, msg", [
    ('{"ie":0,"sort":7}', "undefined level id 7"),
    ('{"ie":0,"frob":1}', "unknown expression kind"),
    ('{"axiom":{"isUnsafe":false,"levelParams":[],"name":0}}', "missing field 'type'"),
    ('{"widget":{}}', "unknown declaration kind"),
    ('{"ie":0,"natVal":"12a"}', "decimal string"),
])
def test_rejects_with_file_and_line(tmp_path, line, msg):
    p = _write(tmp_path, [line])
    with pytest.raises(ExportError) as info:
        read_export(p)
    assert f"{p}:2:" in str(info.value) and msg in str(info.value)


def test_duplicate_declaration(shared_dir):
    with pytest.raises(ExportError, match="duplicate declaration"):
        read_export(shared_dir / "lean-exports/nyaya/bad/tutorial/126_dup_defs.ndjson")
