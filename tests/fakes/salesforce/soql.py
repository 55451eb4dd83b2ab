"""A parser for the SOQL subset the ETL uses; syntax only (binding to fields is in plan.py).

    SELECT <field, ... | COUNT()> FROM <Object> [WHERE <condition>]
        [ORDER BY <field> [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT <n>]

Conditions: =, !=, <>, <, <=, >, >=, [NOT] IN (...), LIKE, AND, OR, NOT, parentheses. Literals:
'strings' (backslash escapes \\' \\" \\\\ \\n \\r \\t \\b \\f \\% \\_), numbers, true/false/null,
unquoted datetimes (2026-05-01T00:00:00Z, ...00.000+0000, ...+00:00) and dates (2026-05-01).

Documented SOQL rules kept: keywords, field and object names are case-insensitive; strings take
single quotes only; AND and OR cannot be mixed at one level without parentheses (`a AND b OR c`
is MALFORMED_QUERY); `NOT LIKE` does not exist (write `NOT x LIKE 'y'`). Errors read like
Salesforce's (`unexpected token: 'X'` with row and column) and answer MALFORMED_QUERY.

Valid SOQL beyond the subset (GROUP BY, OFFSET, aggregate and date functions, date literals like
LAST_N_DAYS:n, semi-joins, TYPEOF, aliases...) raises AssertionError: the fake cannot answer it
faithfully, so a test that needs it must extend the fake rather than get a wrong answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.salesforce.errors import malformed
from tests.fakes.salesforce.values import SOQL_DATETIME_RE

KEYWORDS = frozenset({
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC", "DESC", "NULLS", "FIRST",
    "LAST", "LIMIT", "TRUE", "FALSE", "NULL", "GROUP", "HAVING", "OFFSET", "WITH", "FOR", "USING", "INCLUDES",
    "EXCLUDES", "TYPEOF",
})
UNSUPPORTED_CLAUSES = frozenset({"GROUP", "HAVING", "OFFSET", "WITH", "FOR", "USING", "TYPEOF", "INCLUDES", "EXCLUDES"})
FUNCTIONS = frozenset({
    "COUNT", "COUNT_DISTINCT", "MIN", "MAX", "SUM", "AVG", "FIELDS", "TOLABEL", "FORMAT", "CONVERTCURRENCY",
    "CALENDAR_YEAR", "CALENDAR_MONTH", "CALENDAR_QUARTER", "DAY_ONLY", "DAY_IN_MONTH", "DAY_IN_WEEK", "DAY_IN_YEAR",
    "HOUR_IN_DAY", "WEEK_IN_YEAR", "FISCAL_YEAR", "FISCAL_QUARTER", "DISTANCE", "GEOLOCATION", "GROUPING",
    "CONVERTTIMEZONE",
})
DATE_LITERAL_RE = re.compile(r"^(TODAY|YESTERDAY|TOMORROW|(LAST|NEXT|THIS)_\w+|N_\w+_AGO|\w+_N_\w+)$", re.IGNORECASE)
TOKEN_RE = re.compile(
    rf"(?P<datetime>{SOQL_DATETIME_RE.pattern})"
    r"|(?P<date>\d{4}-\d{2}-\d{2})(?![\dT])"
    r"|(?P<number>[+-]?(?:\d+(?:\.\d+)?|\.\d+))(?![\w.])"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<op>!=|<>|<=|>=|=|<|>)"
    r"|(?P<punct>[(),:])"
)
ESCAPES = {"'": "'", '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass
class Token:
    kind: str  # datetime, date, number, ident, op, punct, string, eof
    text: str
    pos: int
    value: Any = None
    like: str | None = None  # for strings: the LIKE regex, where \% and \_ stay literal

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "ident" else ""


@dataclass
class Literal:
    kind: str  # string, number, boolean, null, datetime, date
    value: Any
    pos: int
    like: str | None = None


@dataclass
class FieldRef:
    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass
class Compare:
    ref: FieldRef
    op: str
    literal: Literal


@dataclass
class InList:
    ref: FieldRef
    negated: bool
    literals: list[Literal]


@dataclass
class Like:
    ref: FieldRef
    literal: Literal


@dataclass
class BoolOp:
    op: str  # AND, OR
    children: list[Any]


@dataclass
class Not:
    child: Any


@dataclass
class OrderItem:
    ref: FieldRef
    descending: bool
    nulls_first: bool


@dataclass
class Query:
    text: str
    fields: list[FieldRef]
    count: bool
    object_name: str
    object_pos: int
    where: Any = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None


def unsupported(what: str, query: str) -> AssertionError:
    return AssertionError(f"SOQL outside the fake's subset ({what}): {query}")


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(query):
        char = query[pos]
        if char.isspace():
            pos += 1
            continue
        if char == "'":
            token, pos = _string(query, pos)
            tokens.append(token)
            continue
        match = TOKEN_RE.match(query, pos)
        if match is None:
            raise malformed(query, pos, f"unexpected token: '{char}'")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(), pos))
        pos = match.end()
    tokens.append(Token("eof", "<EOF>", len(query)))
    return tokens


def _string(query: str, start: int) -> tuple[Token, int]:
    value: list[str] = []
    like: list[str] = []
    pos = start + 1
    while pos < len(query):
        char = query[pos]
        if char == "'":
            return Token("string", query[start : pos + 1], start, "".join(value), "".join(like)), pos + 1
        if char == "\\":
            nxt = query[pos + 1 : pos + 2]
            if nxt in ("%", "_"):
                value.append(nxt)
                like.append(re.escape(nxt))
            elif nxt in ESCAPES:
                value.append(ESCAPES[nxt])
                like.append(re.escape(ESCAPES[nxt]))
            else:
                raise malformed(query, pos, f"Invalid string literal '{query[start:pos + 2]}'. Illegal character "
                                f"sequence '\\{nxt}' in string literal.")
            pos += 2
            continue
        value.append(char)
        like.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        pos += 1
    raise malformed(query, start, "unexpected token: <EOF>")


class Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.at = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.token
        self.at += 1
        return token

    def fail(self, token: Token | None = None) -> Exception:
        token = token or self.token
        if token.upper in UNSUPPORTED_CLAUSES:
            return unsupported(token.upper, self.query)
        shown = "<EOF>" if token.kind == "eof" else f"'{token.text}'" if token.kind == "string" else token.text
        return malformed(self.query, token.pos, f"unexpected token: {shown}")

    def expect_keyword(self, *words: str) -> Token:
        if self.token.upper not in words:
            raise self.fail()
        return self.take()

    def expect_punct(self, char: str) -> Token:
        if self.token.kind != "punct" or self.token.text != char:
            raise self.fail()
        return self.take()

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        fields, count = self._select_list()
        self.expect_keyword("FROM")
        target = self.take()
        if target.kind != "ident" or target.upper in KEYWORDS or "." in target.text:
            raise self.fail(target)
        if self.token.kind == "punct" and self.token.text == ",":
            raise unsupported("several objects in FROM", self.query)
        if self.token.kind == "ident" and self.token.upper not in KEYWORDS:
            raise unsupported("an object alias", self.query)
        query = Query(self.query, fields, count, target.text, target.pos)
        if self.token.upper == "WHERE":
            self.take()
            query.where = self._condition()
        if self.token.upper == "ORDER":
            self.take()
            self.expect_keyword("BY")
            query.order = self._order_list()
        if self.token.upper == "LIMIT":
            self.take()
            limit = self.take()
            if limit.kind != "number" or not limit.text.isdigit():
                raise self.fail(limit)
            query.limit = int(limit.text)
        if self.token.kind != "eof":
            raise self.fail()
        return query

    def _select_list(self) -> tuple[list[FieldRef], bool]:
        if self.token.upper == "COUNT" and self.peek().text == "(":
            if self.peek(2).text != ")":
                raise unsupported("aggregate functions", self.query)
            self.at += 3
            return [], True
        fields = [self._field_ref(select=True)]
        while self.token.kind == "punct" and self.token.text == ",":
            self.take()
            fields.append(self._field_ref(select=True))
        return fields, False

    def _field_ref(self, select: bool = False) -> FieldRef:
        token = self.token
        if token.kind == "punct" and token.text == "(" and select:
            raise unsupported("parent-to-child subqueries", self.query)
        if token.kind != "ident" or (token.upper in KEYWORDS and token.upper != "COUNT"):
            raise self.fail()
        if self.peek().kind == "punct" and self.peek().text == "(":
            if token.upper in FUNCTIONS:
                raise unsupported(f"function {token.upper}()", self.query)
            raise self.fail(self.peek())
        self.take()
        return FieldRef(tuple(token.text.split(".")), token.pos)

    def _order_list(self) -> list[OrderItem]:
        items = [self._order_item()]
        while self.token.kind == "punct" and self.token.text == ",":
            self.take()
            items.append(self._order_item())
        return items

    def _order_item(self) -> OrderItem:
        ref = self._field_ref()
        descending = False
        if self.token.upper in ("ASC", "DESC"):
            descending = self.take().upper == "DESC"
        nulls_first = not descending
        if self.token.upper == "NULLS":
            self.take()
            nulls_first = self.expect_keyword("FIRST", "LAST").upper == "FIRST"
        return OrderItem(ref, descending, nulls_first)

    def _condition(self) -> Any:
        first = self._term()
        if self.token.upper not in ("AND", "OR"):
            return first
        op = self.token.upper
        children = [first]
        while self.token.upper in ("AND", "OR"):
            if self.token.upper != op:
                raise self.fail()  # SOQL has no precedence between AND and OR: parentheses are required
            self.take()
            children.append(self._term())
        return BoolOp(op, children)

    def _term(self) -> Any:
        if self.token.upper == "NOT":
            self.take()
            return Not(self._term())
        if self.token.kind == "punct" and self.token.text == "(":
            self.take()
            inner = self._condition()
            self.expect_punct(")")
            return inner
        return self._predicate()

    def _predicate(self) -> Any:
        ref = self._field_ref()
        token = self.token
        if token.kind == "op":
            self.take()
            op = "!=" if token.text == "<>" else token.text
            return Compare(ref, op, self._literal())
        if token.upper == "LIKE":
            self.take()
            return Like(ref, self._literal())
        negated = False
        if token.upper == "NOT" and self.peek().upper == "IN":
            self.take()
            negated = True
        if self.token.upper == "IN":
            self.take()
            return InList(ref, negated, self._literal_list())
        raise self.fail()

    def _literal_list(self) -> list[Literal]:
        self.expect_punct("(")
        if self.token.upper == "SELECT":
            raise unsupported("semi-join subqueries", self.query)
        values = [self._literal()]
        while self.token.kind == "punct" and self.token.text == ",":
            self.take()
            values.append(self._literal())
        self.expect_punct(")")
        return values

    def _literal(self) -> Literal:
        token = self.token
        if token.kind == "string":
            self.take()
            return Literal("string", token.value, token.pos, token.like)
        if token.kind == "number":
            self.take()
            number = float(token.text) if "." in token.text else int(token.text)
            return Literal("number", number, token.pos)
        if token.kind in ("datetime", "date"):
            self.take()
            return Literal(token.kind, token.text, token.pos)
        if token.kind == "ident":
            word = token.upper
            if word in ("TRUE", "FALSE"):
                self.take()
                return Literal("boolean", word == "TRUE", token.pos)
            if word == "NULL":
                self.take()
                return Literal("null", None, token.pos)
            if DATE_LITERAL_RE.match(token.text):
                raise unsupported(f"date literal {token.text}", self.query)
        raise self.fail()


def parse(query: str) -> Query:
    return Parser(query).parse()
