"""A compact, bounded printer for kernel expressions (error messages and debugging only)."""
from __future__ import annotations

from .expr import APP, BVAR, CONST, FVAR, LAM, LET, LIT, PI, PROJ, SORT, app_spine
from .level import to_str

_LIMIT = 400


def pretty(e, limit: int = _LIMIT) -> str:
    out: list = []
    budget = [limit]

    def emit(s):
        budget[0] -= len(s)
        out.append(s)

    def go(x):
        if budget[0] <= 0:
            emit("…")
            return
        t = x.tag
        if t == BVAR:
            emit(f"#{x.idx}")
        elif t == FVAR:
            emit(f"{x.name}")
        elif t == SORT:
            emit(f"Sort {to_str(x.level)}")
        elif t == CONST:
            emit(str(x.name) + (".{" + ", ".join(to_str(l) for l in x.levels) + "}" if x.levels else ""))
        elif t == APP:
            f, args = app_spine(x)
            emit("(")
            go(f)
            for a in args:
                emit(" ")
                go(a)
            emit(")")
        elif t == LAM or t == PI:
            emit("(fun " if t == LAM else "(∀ ")
            emit(f"({x.name} : ")
            go(x.type)
            emit("), ")
            go(x.body)
            emit(")")
        elif t == LET:
            emit(f"(let {x.name} : ")
            go(x.type)
            emit(" := ")
            go(x.value)
            emit("; ")
            go(x.body)
            emit(")")
        elif t == LIT:
            emit(repr(x.value))
        elif t == PROJ:
            go(x.struct)
            emit(f".{x.idx + 1}")

    go(e)
    return "".join(out)
