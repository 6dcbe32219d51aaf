"""After a rejection the kernel keeps judging later declarations on their own merits."""
from ix_native.lean.checker import Kernel
from ix_native.lean.export import read_export


def test_dependents_of_a_rejected_declaration_get_first_hand_reasons(shared_dir):
    # Nat's recursor lies, so Nat is rejected; `g` and `bad` use Nat. Without admitting the
    # rejected Nat, they would fail with "unknown constant Nat" instead of their own reason.
    exp = read_export(shared_dir / "lean-exports/lean-kernel-arena/bad/NatRecKLie.ndjson")
    rejected = {str(st.name): st.reason for st in Kernel().check_all(exp, stop_on_error=False) if not st.ok}
    assert "Nat" in rejected and "recursor" in rejected["Nat"]
    assert not any("unknown constant" in r for r in rejected.values()), rejected
