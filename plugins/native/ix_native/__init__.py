"""ix plugin: the embedded default: a Lean 4 kernel in Python."""
