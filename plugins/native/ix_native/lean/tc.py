"""The type checker object: per-declaration state (caches, counters, universe parameters)
assembled from the inference, whnf and definitional-equality mixins. A fresh `TypeChecker`
per declaration reproduces the official kernel's cache scope (`add_decl` creates one)."""
from __future__ import annotations

from .def_eq import DefEqMixin
from .expr import mk_const, mk_sort
from .infer import InferMixin
from .level import L_ZERO
from .name import Name
from .nat import BOOL_TRUE, NAT_SUCC, NAT_ZERO
from .pretty import pretty
from .stats import Counters
from .whnf import WhnfMixin

__all__ = ["KernelError", "TypeChecker"]


class KernelError(Exception):
    """The declaration is ill-typed or violates a kernel rule; str() is a one-line reason."""


_PROP = mk_sort(L_ZERO)
_NAT_ZERO, _NAT_SUCC, _BOOL_TRUE = mk_const(NAT_ZERO), mk_const(NAT_SUCC), mk_const(BOOL_TRUE)
_DONT_CARE = mk_const(Name.from_str("_kernel_dont_care"))


def _no_primitives(name) -> bool:
    return False


class TypeChecker(InferMixin, WhnfMixin, DefEqMixin):
    """Checks terms against an `Environment` for one declaration.

    `lparams`: the declaration's universe parameters (undeclared ones are rejected);
    `prim_ok(name)`: whether the Nat primitive `name` may be accelerated (validated).
    """

    def __init__(self, env, lparams=(), unsafe_ok=False, prim_ok=None, decl_name=None):
        self.env = env
        self.consts = env.consts  # env's name -> ConstantInfo dict, read without a method call
        self.lparam_set = frozenset(lparams)
        self.levels_ok: set = set()  # levels whose parameters are all in lparam_set
        self.unsafe_ok = unsafe_ok
        self.decl_name = decl_name
        self.ctr = Counters()
        self.infer_cache_only: dict = {}
        self.infer_cache_check: dict = {}
        self.whnf_core_cache: dict = {}
        self.whnf_cache: dict = {}
        self.binder_depth = 0
        self.unfold_cache: dict = {}
        self.failure_cache: set = set()
        self.eqv_parent: dict = {}
        self.prop = _PROP
        self.nat_zero = _NAT_ZERO
        self.nat_succ = _NAT_SUCC
        self.bool_true = _BOOL_TRUE
        self.dont_care = _DONT_CARE
        self.prim_ok = prim_ok or _no_primitives
        self.nat_ok = NAT_ZERO in env and self.prim_ok(NAT_ZERO)

    def error(self, msg: str) -> KernelError:
        where = f"{self.decl_name}: " if self.decl_name is not None else ""
        return KernelError(where + msg)

    @staticmethod
    def show(e) -> str:
        return pretty(e, 160)


