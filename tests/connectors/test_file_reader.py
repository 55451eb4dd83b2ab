"""connectors.files: the CSV / JSONL readers and FileSource, on small files written per test.

Physical lines are "\\n"-terminated byte strings, numbered from 1 (the header is line 1).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from connectors.files.reader import HeaderError, RawRow, csv_header, read_csv, read_jsonl
from connectors.files.source import Cursor, FileSource, Record, Rejected, cursor_max
from leads.config import FileSourceConfig, load_config

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
HEADER = b"id,name,ts\n"


def write(path: Path, data: bytes) -> Path:
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def physical_lines(data: bytes) -> list[bytes]:
    """The file's lines as the readers number them: split after every b"\\n", endings kept."""
    return re.findall(rb"[^\n]*\n|[^\n]+$", data)


def csv_rows(path: Path, max_field_chars: int = 65536, delimiter: str = ",", encoding: str = "utf-8") -> list[RawRow]:
    return list(read_csv(path, encoding, delimiter, max_field_chars))


def jsonl_rows(path: Path, max_field_chars: int = 65536) -> list[RawRow]:
    return list(read_jsonl(path, "utf-8", max_field_chars))


def assert_verbatim(rows: list[RawRow], data: bytes) -> None:
    lines = physical_lines(data)
    for row in rows:
        assert row.raw == b"".join(lines[row.first_line - 1 : row.last_line]), row.position


def settings_for(path: Path, **extra) -> FileSourceConfig:
    values = {
        "type": "file",
        "path": path,
        "id_column": "id",
        "cursor_column": "ts",
        "mapping": {"email": "email", "company": "company"},
        **extra,
    }
    return FileSourceConfig.model_validate(values)


# --- CSV: records and positions -------------------------------------------------------------------


def test_simple_rows_with_positions_and_values(tmp_path):
    data = HEADER + b"1,Ann,2026-10-02 10:00\n2,Bob,2026-10-02 11:00\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [(r.position, r.values, r.problems) for r in rows] == [
        ("line 2", {"id": "1", "name": "Ann", "ts": "2026-10-02 10:00"}, []),
        ("line 3", {"id": "2", "name": "Bob", "ts": "2026-10-02 11:00"}, []),
    ]
    assert_verbatim(rows, data)


def test_valid_multiline_quoted_field_is_one_record(tmp_path):
    data = HEADER + b'1,Ann,t1\n2,"Smith, Jones\n& Partners",t2\n3,Cy,t3\n'
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [r.position for r in rows] == ["line 2", "lines 3-4", "line 5"]
    multi = rows[1]
    assert (multi.first_line, multi.last_line) == (3, 4)
    assert multi.values == {"id": "2", "name": "Smith, Jones\n& Partners", "ts": "t2"}
    assert multi.problems == []
    assert multi.raw == b'2,"Smith, Jones\n& Partners",t2\n'


def test_last_line_without_newline_is_read(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", HEADER + b"1,Ann,t1\n2,Bob,t2"))
    assert [r.values["id"] for r in rows] == ["1", "2"]
    assert rows[1].raw == b"2,Bob,t2"


def test_crlf_line_endings(tmp_path):
    data = b'id,name,ts\r\n1,Ann,t1\r\n2,"two\r\nlines",t2\r\n'
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert rows[0].values == {"id": "1", "name": "Ann", "ts": "t1"}
    assert rows[1].position == "lines 3-4"
    assert rows[1].values["name"] == "two\r\nlines"
    assert_verbatim(rows, data)


def test_other_delimiter(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", b"id;name;ts\n1;Smith, Ann;t1\n"), delimiter=";")
    assert rows[0].values == {"id": "1", "name": "Smith, Ann", "ts": "t1"}


def test_header_names_are_stripped(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", b" id , name,ts \n1,Ann,t1\n"))
    assert rows[0].values == {"id": "1", "name": "Ann", "ts": "t1"}


# --- CSV: malformed rows --------------------------------------------------------------------------


def test_unterminated_quote_quarantines_only_its_first_line(tmp_path):
    # Like samples/crm_contacts.csv line 307: later lines hold no quote until a valid quoted field.
    data = (
        HEADER
        + b"1,Ann,t1\n"
        + b'2,"Acme, Inc\n'  # line 3: the quote never closes
        + b"3,Bob,t3\n"
        + b"4,Cy,t4\n"
        + b'5,"Brightline Media, LLC",t5\n'
        + b"6,Dee,t6\n"
    )
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [r.position for r in rows] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
    ]
    bad = rows[1]
    assert bad.values is None
    assert bad.raw == b'2,"Acme, Inc\n'
    assert bad.problems and bad.problems[0].startswith("malformed CSV")
    good = [r for r in rows if r is not bad]
    assert all(r.values is not None and not r.problems for r in good)
    assert [r.values["id"] for r in good] == ["1", "3", "4", "5", "6"]
    assert rows[4].values["name"] == "Brightline Media, LLC"


def test_unterminated_quote_with_no_later_quote_still_reads_the_rest(tmp_path):
    data = HEADER + b'1,"never closed,t1\n2,Bob,t2\n3,Cy,t3\n'
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [(r.position, r.values is None) for r in rows] == [
        ("line 2", True),
        ("line 3", False),
        ("line 4", False),
    ]
    assert rows[0].raw == b'1,"never closed,t1\n'
    assert "malformed CSV" in rows[0].problems[0]


def test_unterminated_quote_that_swallows_lines_into_the_wrong_width(tmp_path):
    # The quote closes on a later line, so the parser sees one multi-line record of the wrong width.
    data = HEADER + b'1,"abc\n2,x",t2,extra,more\n3,Cy,t3\n'
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert rows[0].position == "line 2"
    assert rows[0].values is None
    assert rows[0].problems[0].startswith("malformed CSV: a quoted field that is never closed")
    assert rows[0].raw == b'1,"abc\n'
    # the following lines are re-read on their own
    assert [r.position for r in rows[1:]] == ["line 3", "line 4"]
    assert rows[-1].values == {"id": "3", "name": "Cy", "ts": "t3"}


@pytest.mark.parametrize(
    ("line", "got"),
    [(b"1,Ann\n", 2), (b"1,Ann,t1,extra\n", 4), (b"1\n", 1), (b"1,Ann,t1,,,\n", 6)],
)
def test_wrong_column_count(tmp_path, line, got):
    data = HEADER + line + b"2,Bob,t2\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert rows[0].values is None
    assert rows[0].problems == [f"expected 3 columns, got {got}"]
    assert rows[0].raw == line
    assert rows[1].values == {"id": "2", "name": "Bob", "ts": "t2"}


def test_quote_followed_by_text_is_malformed(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", HEADER + b'1,"Ann"x,t1\n2,Bob,t2\n'))
    assert rows[0].values is None
    assert rows[0].problems[0].startswith("malformed CSV")
    assert rows[1].values["id"] == "2"


def test_one_mib_field_over_the_limit_names_column_and_size(tmp_path):
    big = b"A" * (1024 * 1024)
    data = b"id,job_title,ts\n1,Boss,t1\n2," + big + b",t2\n3,Clerk,t3\n"
    rows = csv_rows(write(tmp_path / "a.csv", data), max_field_chars=65536)
    assert [r.position for r in rows] == ["line 2", "line 3", "line 4"]
    assert rows[1].problems == ["column 'job_title' is 1,048,576 characters, over the limit of 65,536"]
    assert rows[1].raw == b"2," + big + b",t2\n"
    assert rows[0].problems == [] and rows[2].problems == []


def test_field_at_the_limit_is_fine(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", HEADER + b"1," + b"x" * 10 + b",t\n"), max_field_chars=10)
    assert rows[0].problems == []


@pytest.mark.parametrize(
    ("char", "code"),
    [(b"\x07", "U+0007"), (b"\x1b", "U+001B"), (b"\x00", "U+0000"), (b"\x7f", "U+007F")],
)
def test_control_character_names_the_column(tmp_path, char, code):
    data = HEADER + b"1,Meridian" + char + b" Cloud,t1\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert rows[0].problems == [f"control character {code} in column 'name'"]
    assert rows[0].raw == b"1,Meridian" + char + b" Cloud,t1\n"


def test_bel_and_esc_in_two_columns_are_both_reported(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", b"id,company,title\n1,Meridian\x07 Cloud,CTO\x1b\n"))
    assert rows[0].problems == [
        "control character U+0007 in column 'company'",
        "control character U+001B in column 'title'",
    ]


def test_tab_and_quoted_newline_are_not_control_problems(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", HEADER + b'1,"a\tb\r\nc",t1\n'))
    assert rows[0].problems == []


def test_invalid_utf8_names_the_column_and_keeps_the_bytes(tmp_path):
    data = b"id,last_name,ts\n1,Du\xff\xfebois,t1\n2,Ok,t2\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert rows[0].problems == ["invalid UTF-8 bytes in column 'last_name'"]
    assert rows[0].raw == b"1,Du\xff\xfebois,t1\n"
    # the value keeps the bytes (surrogate escapes), never replacement characters
    assert rows[0].values["last_name"].encode("utf-8", "surrogateescape") == b"Du\xff\xfebois"
    assert "\ufffd" not in rows[0].values["last_name"]
    assert rows[1].problems == []


def test_valid_non_ascii_is_fine(tmp_path):
    rows = csv_rows(write(tmp_path / "a.csv", HEADER + "1,Łukasz Żółć 山田,t1\n".encode()))
    assert rows[0].problems == []
    assert rows[0].values["name"] == "Łukasz Żółć 山田"


def test_rejected_rows_keep_the_exact_bytes_of_their_lines(tmp_path):
    data = (
        HEADER
        + b"1,ok,t1\r\n"
        + b'2,"open\xff quote,t2\r\n'
        + b"3,too,many,cols\n"
        + b"4,Bell\x07\xfe,t4\n"
        + b'5,"multi\nline",t5\n'
        + b"6,x,t6"
    )
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert_verbatim(rows, data)
    assert b"".join(r.raw for r in rows) == data[len(HEADER) :]
    assert [r.position for r in rows] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
        "lines 6-7",
        "line 8",
    ]
    assert rows[1].raw == b'2,"open\xff quote,t2\r\n'
    assert rows[3].raw == b"4,Bell\x07\xfe,t4\n"


def test_blank_lines_are_ignored_but_still_counted(tmp_path):
    data = HEADER + b"\n1,Ann,t1\n\n   \n\t\r\n2,Bob,t2\n\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [(r.position, r.values["id"]) for r in rows] == [("line 3", "1"), ("line 7", "2")]


def test_utf8_bom_header(tmp_path):
    path = write(tmp_path / "a.csv", b"\xef\xbb\xbfid,name,ts\n1,Ann,t1\n")
    rows = csv_rows(path)
    assert rows[0].values == {"id": "1", "name": "Ann", "ts": "t1"}
    assert rows[0].problems == []
    assert csv_header(path, "utf-8", ",") == ["id", "name", "ts"]
    assert csv_header(path, "UTF8", ",") == ["id", "name", "ts"]


def test_duplicate_header_is_a_header_error(tmp_path):
    path = write(tmp_path / "dup.csv", b"id,Email,name,Email\n1,a,b,c\n")
    with pytest.raises(HeaderError, match="dup.csv: duplicate column names in header: Email"):
        csv_rows(path)


@pytest.mark.parametrize("data", [b"", b'"unclosed,header\n'])
def test_no_usable_header_is_a_header_error(tmp_path, data):
    with pytest.raises(HeaderError, match="no header row"):
        csv_rows(write(tmp_path / "h.csv", data))


# --- CSV: nothing is silently dropped (hypothesis) -----------------------------------------------

_tokens = st.sampled_from(
    [
        b'"',
        b",",
        b"\n",
        b"\r\n",
        b"\r",
        b"a",
        b"1",
        b" ",
        b"\t",
        b"\xff",
        b"\x07",
        b"\xc3\xa9",
        b"1,2,3\n",
        b'"x,\ny"',
        b"\xef\xbb\xbf",
        b"\x00",
    ]
)
_bodies = st.one_of(st.binary(max_size=300), st.lists(_tokens, max_size=60).map(b"".join))


def _carries_content(line: bytes) -> bool:
    # Only spaces, tabs and line ends make a blank line; anything else must be accounted for.
    return line.strip(b" \t\r\n") != b""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies)
@example(body=b'1,"x\n2,y,z\n3,"q",r\n\n4,\xff,\x07\n')
@example(body=b'"\n' * 5)
def test_read_csv_never_raises_and_accounts_for_every_line(tmp_path, body):
    data = HEADER + body
    rows = csv_rows(write(tmp_path / "fuzz.csv", data), max_field_chars=50)
    lines = physical_lines(data)
    covered: dict[int, RawRow] = {}
    previous_last = 1
    for row in rows:
        assert row.first_line > previous_last  # in file order, never overlapping
        assert row.first_line <= row.last_line <= len(lines)
        previous_last = row.last_line
        assert row.raw == b"".join(lines[row.first_line - 1 : row.last_line])
        for n in range(row.first_line, row.last_line + 1):
            covered[n] = row
        if row.values is None:
            assert row.problems  # a rejected row always says why
        else:
            assert list(row.values) == ["id", "name", "ts"]
    for n, line in enumerate(lines[1:], start=2):
        if n not in covered:
            assert not _carries_content(line), f"line {n} {line!r} was silently dropped"


@pytest.mark.parametrize("line", [b"\x0b\n", b"\x1c\n", b"\xef\xbb\xbf\n", b'""\n'])
def test_non_blank_junk_line_is_reported_not_dropped(tmp_path, line):
    data = HEADER + b"1,Ann,t1\n" + line + b"2,Bob,t2\n"
    rows = csv_rows(write(tmp_path / "a.csv", data))
    assert [r.position for r in rows] == ["line 2", "line 3", "line 4"]
    assert rows[1].raw == line
    assert rows[1].problems


# --- JSONL ----------------------------------------------------------------------------------------


def _jl(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def test_jsonl_records_positions_and_blank_lines(tmp_path):
    data = _jl({"id": "1", "name": "Ann"}) + b"\n  \n" + _jl({"id": 2, "name": "Bob"})
    rows = jsonl_rows(write(tmp_path / "a.jsonl", data))
    assert [(r.position, r.values, r.problems) for r in rows] == [
        ("line 1", {"id": "1", "name": "Ann"}, []),
        ("line 4", {"id": 2, "name": "Bob"}, []),
    ]
    assert_verbatim(rows, data)


def test_jsonl_truncated_line(tmp_path):
    data = _jl({"id": "1"}) + b'{"id": "2", "created_time": "2026-10-1\n' + _jl({"id": "3"})
    rows = jsonl_rows(write(tmp_path / "a.jsonl", data))
    assert [r.position for r in rows] == ["line 1", "line 2", "line 3"]
    assert rows[1].values is None
    assert rows[1].problems[0].startswith("not valid JSON: ")
    assert rows[1].raw == b'{"id": "2", "created_time": "2026-10-1\n'
    assert rows[2].values == {"id": "3"}


def test_jsonl_truncated_last_line_without_newline(tmp_path):
    data = _jl({"id": "1"}) + b'{"id": "2", "na'
    rows = jsonl_rows(write(tmp_path / "a.jsonl", data))
    assert rows[1].values is None
    assert rows[1].problems[0].startswith("not valid JSON: ")
    assert rows[1].raw == b'{"id": "2", "na'


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (b'["1", "2026-10-01"]\n', "an array"),
        (b'"text"\n', "a string"),
        (b"42\n", "a number"),
        (b"null\n", "null"),
        (b"true\n", "a boolean"),
    ],
)
def test_jsonl_line_that_is_not_an_object(tmp_path, line, kind):
    rows = jsonl_rows(write(tmp_path / "a.jsonl", line + _jl({"id": "2"})))
    assert rows[0].values is None
    assert rows[0].problems == [f"expected a JSON object, got {kind}"]
    assert rows[0].raw == line
    assert rows[1].values == {"id": "2"}


def test_jsonl_invalid_utf8(tmp_path):
    bad = b'{"id": "1", "full_name": "Du\xff\xfebois"}\n'
    rows = jsonl_rows(write(tmp_path / "a.jsonl", bad + _jl({"id": "2"})))
    assert rows[0].values is None
    assert rows[0].problems == ["invalid UTF-8 bytes in the line"]
    assert rows[0].raw == bad
    assert rows[1].problems == []


def test_jsonl_control_character_and_size_name_the_key(tmp_path):
    data = _jl({"id": "1", "company": "Meridian\u0007 Cloud", "notes": "x" * 20})
    rows = jsonl_rows(write(tmp_path / "a.jsonl", data), max_field_chars=16)
    assert rows[0].problems == [
        "control character U+0007 in column 'company'",
        "column 'notes' is 20 characters, over the limit of 16",
    ]


def test_jsonl_with_utf8_bom(tmp_path):
    rows = jsonl_rows(write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + _jl({"id": "1"}) + _jl({"id": "2"})))
    assert [r.values for r in rows] == [{"id": "1"}, {"id": "2"}]


# --- FileSource: records, rejections, cursor ------------------------------------------------------


def _items(source: FileSource, since: Cursor | None = None) -> list:
    return list(source.read(since))


def test_jsonl_source_id_and_cursor_problems(tmp_path):
    data = (
        _jl({"id": "1", "ts": "2026-10-01T10:00:00+0000", "email": "a@example.com"})  # 1 ok
        + _jl({"id": {"value": "2"}, "ts": "2026-10-01T10:00:00+0000"})  # 2 id is an object
        + _jl({"id": True, "ts": "2026-10-01T10:00:00+0000"})  # 3 id is a boolean
        + _jl({"id": "4", "ts": "not a date"})  # 4 unparseable cursor
        + _jl({"id": "", "ts": "2026-10-01T10:00:00+0000"})  # 5 blank id
        + _jl({"id": "6"})  # 6 no cursor
        + _jl({"id": 7, "ts": 1790000000})  # 7 numeric id and epoch cursor: fine
        + _jl({"id": "8", "ts": "2026-10-01T10:00:00+0000", "company": {"name": "Acme"}})  # 8 mapped dict
        + b"\n"
        + b'{"id": "10", "ts": \n'  # 10 truncated
    )
    source = FileSource("ads", settings_for(write(tmp_path / "ads.jsonl", data)))
    items = _items(source)
    by_pos = {i.position: i for i in items}
    assert len(items) == 9 and "line 9" not in by_pos

    ok = by_pos["line 1"]
    assert isinstance(ok, Record)
    assert ok.source_id == "1"
    assert ok.cursor == Cursor(datetime(2026, 10, 1, 10, 0, tzinfo=UTC), "1")
    assert ok.payload["email"] == "a@example.com"

    expected = {
        "line 2": ["wrong type: id 'id' is an object, expected a string or number"],
        "line 3": ["wrong type: id 'id' is a boolean, expected a string or number"],
        "line 5": ["missing id: column 'id' is blank or absent"],
        "line 6": ["missing cursor: column 'ts' is blank, absent or not text"],
        "line 8": ["wrong type: column 'company' (mapped to company) is an object"],
    }
    for position, reasons in expected.items():
        item = by_pos[position]
        assert isinstance(item, Rejected), position
        assert item.reasons == reasons, position
    assert by_pos["line 2"].source_id is None

    bad_ts = by_pos["line 4"]
    assert isinstance(bad_ts, Rejected)
    assert bad_ts.source_id == "4"
    assert len(bad_ts.reasons) == 1
    assert bad_ts.reasons[0].startswith("unparseable cursor in column 'ts': ")
    assert bad_ts.raw == b'{"id": "4", "ts": "not a date"}\n'

    numeric = by_pos["line 7"]
    assert isinstance(numeric, Record)
    assert numeric.source_id == "7"
    assert numeric.cursor.ts == datetime.fromtimestamp(1790000000, UTC)

    truncated = by_pos["line 10"]
    assert isinstance(truncated, Rejected)
    assert truncated.reasons[0].startswith("not valid JSON")


def test_csv_source_rejects_rows_with_reader_problems_verbatim(tmp_path):
    data = (
        b"id,email,company,ts\n"
        + b"1,a@example.com,Acme,2026-10-01 10:00\n"
        + b"2,b@example.com,Bell\x07,2026-10-01 10:00\n"
        + b"3,c@example.com,Du\xff,2026-10-01 10:00\n"
        + b"4,d@example.com,Acme,last tuesday\n"
        + b",e@example.com,Acme,2026-10-01 10:00\n"
    )
    source = FileSource("crm", settings_for(write(tmp_path / "crm.csv", data), cursor_format="%Y-%m-%d %H:%M"))
    items = _items(source)
    assert isinstance(items[0], Record)
    assert items[0].cursor == Cursor(datetime(2026, 10, 1, 10, 0, tzinfo=UTC), "1")
    rejected = items[1:]
    assert all(isinstance(i, Rejected) for i in rejected)
    assert [i.raw for i in rejected] == physical_lines(data)[2:]
    assert rejected[0].reasons == ["control character U+0007 in column 'company'"]
    assert rejected[1].reasons == ["invalid UTF-8 bytes in column 'company'"]
    assert rejected[2].reasons[0].startswith("unparseable cursor in column 'ts'")
    assert rejected[3].reasons == ["missing id: column 'id' is blank or absent"]


def test_cursor_timezone_applies_to_naive_values(tmp_path):
    data = b"id,email,company,ts\n1,a@example.com,Acme,2026-07-01 12:00\n"
    source = FileSource("crm", settings_for(write(tmp_path / "c.csv", data), timezone="Europe/Berlin"))
    (item,) = _items(source)
    assert item.cursor.ts == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def _timed_csv(tmp_path: Path) -> Path:
    rows = [
        ("1", "2026-10-02 08:00"),
        ("2", "2026-10-02 08:59"),
        ("3", "2026-10-02 09:00"),  # exactly since - lookback
        ("4", "2026-10-02 09:30"),
        ("5", "2026-10-02 10:00"),  # exactly since
        ("6", "2026-10-02 11:00"),
        ("7", "yesterday"),  # rejected rows are always reported
        ("8", "2026-10-01 00:00"),
    ]
    body = b"".join(f"{i},p{i}@example.com,Acme,{ts}\n".encode() for i, ts in rows)
    return write(tmp_path / "timed.csv", b"id,email,company,ts\n" + body)


def test_read_since_cursor_with_lookback_skips_older_rows(tmp_path):
    source = FileSource("crm", settings_for(_timed_csv(tmp_path), cursor_format="%Y-%m-%d %H:%M", lookback="1h"))
    since = Cursor(datetime(2026, 10, 2, 10, 0, tzinfo=UTC), "5")
    items = _items(source, since)
    assert len(items) == 8  # one item per row, in file order
    kinds = [None if i is None else (type(i).__name__, getattr(i, "source_id", None)) for i in items]
    assert kinds == [
        None,
        None,
        ("Record", "3"),
        ("Record", "4"),
        ("Record", "5"),
        ("Record", "6"),
        ("Rejected", "7"),
        None,
    ]


def test_read_since_cursor_without_lookback_is_inclusive(tmp_path):
    source = FileSource("crm", settings_for(_timed_csv(tmp_path), cursor_format="%Y-%m-%d %H:%M"))
    since = Cursor(datetime(2026, 10, 2, 10, 0, tzinfo=UTC), "9")
    kept = [i.source_id for i in _items(source, since) if isinstance(i, Record)]
    assert kept == ["5", "6"]


def test_read_without_cursor_yields_everything(tmp_path):
    source = FileSource("crm", settings_for(_timed_csv(tmp_path), cursor_format="%Y-%m-%d %H:%M", lookback="1h"))
    items = _items(source, None)
    assert None not in items
    assert [i.source_id for i in items if isinstance(i, Record)] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "8",
    ]


def test_cursor_order_and_max():
    t = datetime(2026, 10, 2, 10, 0, tzinfo=UTC)
    a, b, c = Cursor(t, "1"), Cursor(t, "2"), Cursor(t + timedelta(seconds=1), "0")
    assert a < b < c
    assert not b < a
    assert cursor_max(a, c) == c and cursor_max(c, a) == c
    assert cursor_max(None, b) == b and cursor_max(b, None) == b and cursor_max(None, None) is None


# --- FileSource.check -----------------------------------------------------------------------------


def test_check_reports_a_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    source = FileSource("crm", settings_for(path))
    assert source.check() == [f"sources.crm.path: no such file: {path}"]


def test_check_refuses_a_missing_cursor_column_and_reports_mapped_ones_as_drift(tmp_path):
    path = write(tmp_path / "c.csv", b"\xef\xbb\xbfid,Email,ts\n1,a@example.com,2026-10-01 10:00\n")
    settings = settings_for(path, mapping={"email": "Email", "phone": "Phone Number"}, cursor_column="Modified")
    source = FileSource("crm", settings)
    assert source.check() == ["sources.crm.cursor_column: column 'Modified' is not in the file's header"]
    assert source.missing_columns() == ["sources.crm.mapping.phone: column 'Phone Number' is not in the file's header"]


def test_jsonl_drift_is_judged_from_the_keys_seen(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"id": "1", "t": "2026-10-01T10:00:00Z", "email": "a@b.example"}\n')
    settings = settings_for(path, id_column="id", cursor_column="t", mapping={"email": "email", "phone": "phone"})
    source = FileSource("ads", settings)
    assert source.check() == []
    assert source.missing_columns() == []  # nothing known before reading
    assert source.missing_columns({"id", "t", "email"}) == [
        "sources.ads.mapping.phone: column 'phone' is not in any record read"
    ]


def test_check_passes_for_a_matching_header(tmp_path):
    path = write(tmp_path / "c.csv", b"\xef\xbb\xbfid,email,company,ts\n")
    assert FileSource("crm", settings_for(path)).check() == []


def test_check_reports_an_empty_file(tmp_path):
    path = write(tmp_path / "c.csv", b"")
    (problem,) = FileSource("crm", settings_for(path)).check()
    assert problem.startswith("sources.crm.path: c.csv: no header row")


def test_check_reports_a_duplicate_header(tmp_path):
    path = write(tmp_path / "c.csv", b"id,email,company,email,ts\n")
    with pytest.raises(HeaderError):
        list(FileSource("crm", settings_for(path)).read(None))  # reading refuses the file...
    problems = FileSource("crm", settings_for(path)).check()  # ...so checking must too
    assert problems == ["sources.crm.path: c.csv: duplicate column names in header: email"]


def test_check_does_not_inspect_jsonl_columns(tmp_path):
    path = write(tmp_path / "a.jsonl", _jl({"other": 1}))
    assert FileSource("ads", settings_for(path)).check() == []


# --- the sample exports --------------------------------------------------------------------------

needs_samples = pytest.mark.skipif(
    not ((SAMPLES / "crm_contacts.csv").is_file() and (SAMPLES / "ad_leads.jsonl").is_file()),
    reason=("samples/ not generated"),
)


@pytest.fixture(scope="module")
def example_config():
    return load_config(REPO / "leads.yaml")


@needs_samples
def test_sample_crm_export(example_config):
    settings = example_config.sources["crm_contacts"]
    assert settings.path == SAMPLES / "crm_contacts.csv"
    source = FileSource("crm_contacts", settings)
    assert source.check() == []
    items = _items(source)
    data = settings.path.read_bytes()
    lines = physical_lines(data)
    assert len(lines) == 352

    rejected = {i.position: i for i in items if isinstance(i, Rejected)}
    records = [i for i in items if isinstance(i, Record)]
    expected = {
        "line 89": "unparseable cursor in column 'Last Modified Date': ",
        "line 125": "missing id: column 'Record ID' is blank or absent",
        "line 163": "expected 15 columns, got 9",
        "line 201": "column 'Job Title' is 1,048,576 characters, over the limit of 65,536",
        "line 238": "control characters U+0007, U+001B in column 'Company Name'",
        "line 274": "invalid UTF-8 bytes in column 'Last Name'",
        "line 307": "malformed CSV",
    }
    assert sorted(rejected) == sorted(expected)
    for position, reason in expected.items():
        item = rejected[position]
        assert len(item.reasons) == 1 and item.reasons[0].startswith(reason), (
            position,
            item.reasons,
        )
        n = int(position.split()[1])
        assert item.raw == lines[n - 1]  # verbatim, including the 1 MiB line and the invalid bytes
    assert rejected["line 89"].source_id == "51234087"
    assert rejected["line 307"].raw.endswith(b',"Acme, Inc\n')
    assert b"\xff\xfe" in rejected["line 274"].raw

    # every other record is read, at the documented position
    malformed_k = {87, 123, 161, 199, 236, 272, 305}
    assert len(records) == 343
    assert {r.source_id for r in records} == {str(51234000 + k) for k in range(1, 351) if k not in malformed_k}
    for r in records:
        k = int(r.source_id) - 51234000
        if k == 48:
            assert r.position == "lines 49-50"
        else:
            assert r.position == f"line {k + 1 if k < 48 else k + 2}"

    multi = next(r for r in records if r.source_id == "51234048")
    assert multi.payload["Company Name"] == "Smith, Jones\n& Partners"
    after_quote = {r.source_id: r for r in records if r.source_id in {"51234306", "51234307", "51234308"}}
    assert [after_quote[i].position for i in sorted(after_quote)] == [
        "line 308",
        "line 309",
        "line 310",
    ]
    assert after_quote["51234308"].payload["Company Name"] == "Brightline Media, LLC"


@needs_samples
def test_sample_ad_export(example_config):
    settings = example_config.sources["ad_leads"]
    source = FileSource("ad_leads", settings)
    assert source.check() == []
    items = _items(source)
    lines = physical_lines(settings.path.read_bytes())
    assert len(lines) == 300

    rejected = {i.position: i for i in items if isinstance(i, Rejected)}
    records = [i for i in items if isinstance(i, Record)]
    expected = {
        "line 83": "not valid JSON",
        "line 129": "expected a JSON object, got an array",
        "line 176": "wrong type: id 'id' is an object, expected a string or number",
        "line 214": "unparseable cursor in column 'created_time': ",
        "line 258": "invalid UTF-8 bytes in the line",
    }
    assert sorted(rejected) == sorted(expected)
    for position, reason in expected.items():
        item = rejected[position]
        assert item.reasons[0].startswith(reason), (position, item.reasons)
        assert item.raw == lines[int(position.split()[1]) - 1]
    assert rejected["line 214"].source_id == "1208876543210214"

    assert len(records) == 294
    assert len(items) == 299  # the blank line 41 is not an item at all
    for r in records:
        line = int(r.source_id) - 1208876543210000
        assert r.position == f"line {line}"
        assert line not in {41, 83, 129, 176, 214, 258}
        assert r.cursor.ts.tzinfo is not None


def test_out_of_range_cursor_rejects_only_its_row(tmp_path):
    data = b"id,email,company,ts\n1,a@example.com,Acme,0001-01-01 00:00\n2,b@example.com,B,2026-01-01 00:00\n"
    settings = settings_for(write(tmp_path / "o.csv", data), cursor_format="%Y-%m-%d %H:%M", timezone="Europe/Berlin")
    items = _items(FileSource("crm", settings))
    assert isinstance(items[0], Rejected)
    assert items[0].reasons[0].startswith("unparseable cursor in column 'ts'")
    assert isinstance(items[1], Record)
