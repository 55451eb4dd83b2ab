"""A parser for the subset of GAQL the connector speaks (and a little more), strict about the rest.

    SELECT f, ... FROM resource [WHERE cond AND cond ...] [ORDER BY f [ASC|DESC], ...] [LIMIT n]

Conditions: `field op value` with =, !=, >, >=, <, <= and a quoted string or a number,
`field BETWEEN 'a' AND 'b'`, `field IN (v, ...)`. GAQL has no OR, so neither has this parser.
Anything else is a QueryError, as Google answers it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>>=|<=|!=|=|>|<|\(|\)|,)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "ORDER", "BY", "ASC", "DESC", "LIMIT", "BETWEEN", "IN"}


class QueryError(ValueError):
    """An unparseable or unsupported query; `code` is the QueryError enum value Google would name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Condition:
    field: str
    op: str  # =, !=, >, >=, <, <=, BETWEEN, IN
    values: list[Any]


@dataclass
class Query:
    fields: list[str]
    resource: str
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    limit: int | None = None


def tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(
                "UNEXPECTED_INPUT", f"Error in query: unexpected input {text[position : position + 20]!r}."
            )
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)  # type: ignore[arg-type]
        if kind == "string":
            out.append(("value", value[1:-1].replace("\\'", "'")))
        elif kind == "number":
            out.append(("value", float(value) if "." in value else int(value)))
        elif kind == "word" and value.upper() in KEYWORDS:
            out.append(("kw", value.upper()))
        else:
            out.append((kind or "", value))
    return out


class _Reader:
    def __init__(self, text: str) -> None:
        self.items = tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def take(self, kind: str, value: Any = None) -> Any:
        item = self.peek()
        if item is None or item[0] != kind or (value is not None and item[1] != value):
            want = value or kind
            raise QueryError("UNEXPECTED_INPUT", f"Error in query: expected {want}, got {item[1] if item else 'end'}.")
        self.at += 1
        return item[1]

    def kw(self, word: str) -> bool:
        if self.peek() == ("kw", word):
            self.at += 1
            return True
        return False


def parse(text: str) -> Query:
    r = _Reader(text)
    r.take("kw", "SELECT")
    fields = [r.take("word")]
    while r.peek() == ("op", ","):
        r.at += 1
        fields.append(r.take("word"))
    r.take("kw", "FROM")
    query = Query(fields, r.take("word"))
    if r.kw("WHERE"):
        query.where.append(_condition(r))
        while r.kw("AND"):
            query.where.append(_condition(r))
    if r.kw("ORDER"):
        r.take("kw", "BY")
        while True:
            name = r.take("word")
            descending = r.kw("DESC")
            if not descending:
                r.kw("ASC")
            query.order.append((name, descending))
            if r.peek() != ("op", ","):
                break
            r.at += 1
    if r.kw("LIMIT"):
        query.limit = int(r.take("value"))
    if r.peek() is not None:
        raise QueryError("UNEXPECTED_INPUT", f"Error in query: unexpected input {r.peek()[1]!r}.")  # type: ignore[index]
    return query


def _condition(r: _Reader) -> Condition:
    name = r.take("word")
    if r.kw("BETWEEN"):
        low = r.take("value")
        r.take("kw", "AND")
        return Condition(name, "BETWEEN", [low, r.take("value")])
    if r.kw("IN"):
        r.take("op", "(")
        values = [r.take("value")]
        while r.peek() == ("op", ","):
            r.at += 1
            values.append(r.take("value"))
        r.take("op", ")")
        return Condition(name, "IN", values)
    op = r.take("op")
    if op not in ("=", "!=", ">", ">=", "<", "<="):
        raise QueryError("UNEXPECTED_INPUT", f"Error in query: unexpected operator {op!r}.")
    return Condition(name, op, [r.take("value")])


def holds(condition: Condition, value: Any) -> bool:
    """Whether a row's value meets the condition (values already made comparable by the caller)."""
    op, values = condition.op, condition.values
    if op == "BETWEEN":
        return values[0] <= value <= values[1]
    if op == "IN":
        return value in values
    target = values[0]
    return {
        "=": value == target,
        "!=": value != target,
        ">": value > target,
        ">=": value >= target,
        "<": value < target,
        "<=": value <= target,
    }[op]
