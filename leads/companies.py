"""A comparable form of a company name: "Acme, Inc." and "ACME Inc" are the same company.

Legal suffixes (Inc, GmbH, Ltd, S.A., ...) are stripped by cleanco's `basename`, which knows
the legal forms of many countries. The key is for comparison only; the displayed company keeps
the cleaned text as typed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from cleanco import basename

_JOINERS = re.compile(r"[-_/\\]+")  # "Coca-Cola" compares like "Coca Cola"
_PUNCT = re.compile(r"[^\w\s]+")  # "A.C.M.E." like "ACME", "AT&T" like "ATT"


def company_key(name: str) -> str | None:
    """Legal suffixes stripped, case-folded, punctuation squeezed; None when nothing is left.

    "Acme, Inc." → "acme"; "Northwind Logistics GmbH" → "northwind logistics". Company names
    repeat across leads, so the memo is large; overlong text is not memoised.
    """
    return _company_key(name) if len(name) <= 512 else _company_key.__wrapped__(name)


@lru_cache(maxsize=65536)
def _company_key(name: str) -> str | None:
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    if not text:
        return None
    base = basename(text) or text  # a name that is only a legal form ("GmbH") keeps itself
    key = _PUNCT.sub("", _JOINERS.sub(" ", base.casefold()))
    key = " ".join(key.split())
    return key or None
