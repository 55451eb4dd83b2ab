"""Rest.li 2.0 query parameters, read strictly: `(k:v,k2:(..))` records, `List(a,b)` lists, encoded leaves.

In protocol 2.0.0 the structure characters `( ) , :` are literal and every reserved character of a
leaf value is percent-encoded: `owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A5)`. A leaf
with a raw colon (an unencoded URN), a record whose parentheses arrive encoded (`%28...%29`, what a
generic URL encoder produces) or unbalanced parentheses is refused, as LinkedIn refuses them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


class RestliSyntaxError(ValueError):
    pass


def query_params(raw_query: str) -> dict[str, str]:
    """The raw (still encoded) value of each parameter; a parameter given twice is refused."""
    out: dict[str, str] = {}
    for part in raw_query.split("&") if raw_query else []:
        key, _, value = part.partition("=")
        key = unquote(key)
        if key in out:
            raise RestliSyntaxError(f"parameter {key!r} given twice")
        out[key] = value
    return out


def parse(value: str) -> Any:
    """A Rest.li value: dict for a record, list for List(...), str for a (decoded) leaf."""
    parsed, end = _value(value, 0)
    if end != len(value):
        raise RestliSyntaxError(f"unexpected {value[end : end + 10]!r}")
    return parsed


def _value(text: str, at: int) -> tuple[Any, int]:
    if text.startswith("List(", at):
        items: list[Any] = []
        at += 5
        if text.startswith(")", at):
            return items, at + 1
        while True:
            item, at = _value(text, at)
            items.append(item)
            if text.startswith(",", at):
                at += 1
            elif text.startswith(")", at):
                return items, at + 1
            else:
                raise RestliSyntaxError("a List( that never closes")
    if text.startswith("(", at):
        record: dict[str, Any] = {}
        at += 1
        while not text.startswith(")", at):
            colon = text.find(":", at)
            if colon < 0:
                raise RestliSyntaxError("a record field without ':'")
            key = unquote(text[at:colon])
            record[key], at = _value(text, colon + 1)
            if text.startswith(",", at):
                at += 1
            elif not text.startswith(")", at):
                raise RestliSyntaxError("a record that never closes")
        return record, at + 1
    end = at
    while end < len(text) and text[end] not in ",()":
        if text[end] == ":":
            raise RestliSyntaxError("a raw ':' in a value: URNs inside Rest.li values must be percent-encoded")
        end += 1
    leaf = unquote(text[at:end])
    if leaf.startswith("(") or leaf.startswith("List("):
        raise RestliSyntaxError("encoded parentheses: protocol 2.0.0 keeps ( ) , literal")
    return leaf, end


def record(raw: str | None, name: str) -> dict[str, Any]:
    if raw is None:
        raise RestliSyntaxError(f"parameter {name!r} is required")
    value = parse(raw)
    if not isinstance(value, dict):
        raise RestliSyntaxError(f"parameter {name!r} must be a Rest.li record (...)")
    return value
