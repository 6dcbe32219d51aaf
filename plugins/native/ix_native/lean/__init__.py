"""A Lean 4 kernel in Python: lean4export NDJSON reader (`export`), terms (`name`, `level`,
`expr`), and the checker (`checker.Kernel`). Depends on nothing from ixcore but its errors."""
