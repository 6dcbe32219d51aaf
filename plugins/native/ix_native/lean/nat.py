"""Nat and String literal support: GMP-style acceleration of the kernel's Nat primitives and
the literal-to-constructor expansions used by iota reduction and definitional equality."""
from __future__ import annotations

from math import gcd

from .expr import mk_app, mk_const, mk_lit
from .level import L_ZERO
from .name import Name

N = Name.from_str
NAT, NAT_ZERO, NAT_SUCC = N("Nat"), N("Nat.zero"), N("Nat.succ")
BOOL, BOOL_TRUE, BOOL_FALSE = N("Bool"), N("Bool.true"), N("Bool.false")
STRING, STRING_OFLIST, STRING_MK = N("String"), N("String.ofList"), N("String.mk")
CHAR, CHAR_OFNAT = N("Char"), N("Char.ofNat")
LIST_NIL, LIST_CONS = N("List.nil"), N("List.cons")

POW_EXPONENT_LIMIT = 1 << 24


def _sub(a, b):
    return a - b if a > b else 0


def _div(a, b):
    return a // b if b else 0


def _mod(a, b):
    return a % b if b else a


def _pow(a, b):
    return a ** b if b <= POW_EXPONENT_LIMIT else None


def _shl(a, b):
    return a << b if b <= POW_EXPONENT_LIMIT else None


#: The binary operations the official kernel accelerates (`type_checker::reduce_nat`).
BIN_OPS = {
    N("Nat.add"): lambda a, b: a + b,
    N("Nat.sub"): _sub,
    N("Nat.mul"): lambda a, b: a * b,
    N("Nat.div"): _div,
    N("Nat.mod"): _mod,
    N("Nat.gcd"): gcd,
    N("Nat.beq"): lambda a, b: a == b,
    N("Nat.ble"): lambda a, b: a <= b,
    N("Nat.land"): lambda a, b: a & b,
    N("Nat.lor"): lambda a, b: a | b,
    N("Nat.xor"): lambda a, b: a ^ b,
    N("Nat.shiftLeft"): _shl,
    N("Nat.shiftRight"): lambda a, b: a >> b,
    N("Nat.pow"): _pow,
}
PREDICATES = frozenset((N("Nat.beq"), N("Nat.ble")))

NAT_CONST = mk_const(NAT)
NAT_ZERO_CONST = mk_const(NAT_ZERO)
NAT_SUCC_CONST = mk_const(NAT_SUCC)
BOOL_TRUE_CONST = mk_const(BOOL_TRUE)
BOOL_FALSE_CONST = mk_const(BOOL_FALSE)
STRING_CONST = mk_const(STRING)


def limbs(n: int) -> int:
    """64-bit limbs of n (at least 1): the unit of `nat_arith` work."""
    return (n.bit_length() + 63) >> 6 or 1


def nat_lit_to_constructor(n: int):
    """`0 ~> Nat.zero`, `n+1 ~> Nat.succ n` (one step; arbitrary precision)."""
    if n == 0:
        return NAT_ZERO_CONST
    return mk_app(NAT_SUCC_CONST, mk_lit(n - 1))


def string_lit_to_constructor(s: str, string_ctor: Name):
    """`"ab" ~> String.ofList [Char.ofNat 97, Char.ofNat 98]` (List at universe 0)."""
    char = mk_const(CHAR)
    nil = mk_app(mk_const(LIST_NIL, (L_ZERO,)), char)
    cons = mk_app(mk_const(LIST_CONS, (L_ZERO,)), char)
    of_nat = mk_const(CHAR_OFNAT)
    lst = nil
    for ch in reversed(s):
        lst = mk_app(mk_app(cons, mk_app(of_nat, mk_lit(ord(ch)))), lst)
    return mk_app(mk_const(string_ctor), lst)
