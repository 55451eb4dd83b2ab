"""leads.config.load_config: the example config, and what every kind of bad config reports."""

from __future__ import annotations

import shutil
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from leads.config import ConfigError, SecretRef, load_config
from leads.fields import FIELD_NAMES
from leads.lifecycle import Stage

EXAMPLE = Path(__file__).resolve().parents[2] / "leads.yaml"

SOURCE = """\
sources:
  crm:
    type: file
    path: exports/contacts.csv
    id_column: Record ID
    cursor_column: Last Modified Date
    mapping:
      email: Email
"""


def write(tmp_path: Path, text: str, name: str = "leads.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> tuple[str, list[str]]:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    err = info.value
    message = str(err)
    assert message.startswith(f"{path}: invalid config"), message  # the file is named
    assert err.source == str(path)
    for problem in err.problems:
        assert f"  - {problem}" in message
    return message, err.problems


def only_problem(path: Path) -> str:
    message, problems = problems_of(path)
    assert len(problems) == 1, problems
    assert "(1 problem)" in message
    return problems[0]


# --- the example config --------------------------------------------------------------------------


def test_example_config_is_valid_and_resolved_relative_to_its_folder(tmp_path):
    path = tmp_path / "conf" / "leads.yaml"
    path.parent.mkdir()
    shutil.copyfile(EXAMPLE, path)
    base = path.parent.resolve()

    config = load_config(path)

    assert config.timezone == "Europe/Berlin"
    assert config.chunk_size == 5000
    assert config.lease_ttl == timedelta(minutes=30)
    assert config.store.auto_migrate is True
    # relative SQLite path made absolute against the config's folder
    assert config.store.url == f"sqlite:///{base / '.leads' / 'leads.db'}"
    assert config.runs_dir == base / ".leads" / "runs"
    assert config.runs_dir.is_absolute()

    crm = config.sources["crm_contacts"]
    assert crm.path == base / "samples" / "crm_contacts.csv"
    assert crm.path.is_absolute()
    assert crm.format == "csv"  # inferred from the extension
    assert crm.lookback == timedelta(hours=1)
    assert crm.cursor_format == "%Y-%m-%d %H:%M"
    assert crm.mapping["email"] == "Email"
    assert crm.max_field_chars == 65536

    ads = config.sources["ad_leads"]
    assert ads.path == base / "samples" / "ad_leads.jsonl"
    assert ads.format == "jsonl"
    assert ads.source_system == "meta_lead_ads"

    sink = config.sinks["crm_leads"]
    assert sink.table == "crm_leads"
    assert sink.url is None
    assert "do_not_contact" in sink.fields


def test_example_config_in_place_loads():
    config = load_config(EXAMPLE)
    assert config.sources["crm_contacts"].path == EXAMPLE.parent / "samples" / "crm_contacts.csv"


def test_minimal_config_gets_defaults(tmp_path):
    config = load_config(write(tmp_path, SOURCE))
    assert config.timezone == "UTC"
    assert config.sinks == {}
    assert config.store.url == f"sqlite:///{tmp_path.resolve() / '.leads' / 'leads.db'}"
    assert config.sources["crm"].lookback == timedelta(0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////var/data/leads.db", "sqlite:////var/data/leads.db"),  # already absolute
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql://db.internal/leads", "postgresql://db.internal/leads"),  # no password: fine
    ],
)
def test_store_urls_that_are_kept_as_written(tmp_path, url, expected):
    config = load_config(write(tmp_path, f"store: {{url: '{url}'}}\n" + SOURCE))
    assert config.store.url == expected


def test_secret_references_are_accepted(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "store:\n  url: {env: LEADS_DATABASE_URL}\n"
            + SOURCE
            + "sinks:\n  out:\n    type: sql_table\n    url: {prefect_secret: crm-db-url}\n",
        )
    )
    assert config.store.url == SecretRef(env="LEADS_DATABASE_URL")
    assert config.sinks["out"].url == SecretRef(prefect_secret="crm-db-url")


def test_durations_and_stage_aliases(tmp_path):
    config = load_config(
        write(
            tmp_path,
            "lease_ttl: 90\n" + SOURCE + "    lookback: 2d\n    stage_aliases: {'Hot Lead': sql}\n",
        )
    )
    assert config.lease_ttl == timedelta(seconds=90)
    assert config.sources["crm"].lookback == timedelta(days=2)
    assert config.sources["crm"].stage_aliases == {"hotlead": Stage.SQL}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.CSV", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"), ("a.json", "jsonl")],
)
def test_format_inferred_from_extension(tmp_path, name, fmt):
    config = load_config(write(tmp_path, SOURCE.replace("exports/contacts.csv", name)))
    assert config.sources["crm"].format == fmt


def test_explicit_format_overrides_the_extension(tmp_path):
    config = load_config(write(tmp_path, SOURCE.replace("contacts.csv", "contacts.txt") + "    format: csv\n"))
    assert config.sources["crm"].format == "csv"


# --- bad configs ---------------------------------------------------------------------------------


def test_unknown_top_level_key_lists_the_expected_keys(tmp_path):
    problem = only_problem(write(tmp_path, "sorces: {}\n" + SOURCE))
    assert problem.startswith("sorces: unknown key; expected one of: ")
    for key in (
        "version",
        "timezone",
        "store",
        "runs_dir",
        "chunk_size",
        "lease_ttl",
        "sources",
        "sinks",
    ):
        assert key in problem


def test_unknown_key_inside_a_source_lists_the_source_keys(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE + "    id_colum: x\n"))
    assert problem.startswith("sources.crm.id_colum: unknown key; expected one of: ")
    assert "id_column" in problem and "cursor_column" in problem and "mapping" in problem


def test_unknown_key_inside_a_sink_lists_the_sink_keys(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE + "sinks:\n  out:\n    type: sql_table\n    tabel: x\n"))
    assert problem.startswith("sinks.out.tabel: unknown key; expected one of: ")
    assert "table" in problem and "fields" in problem


def test_unknown_mapping_field_names_the_field_and_lists_lead_fields(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE + "      emial: E-mail\n"))
    assert problem.startswith("sources.crm.mapping.emial: unknown lead field; expected one of: ")
    assert ", ".join(FIELD_NAMES) in problem


def test_unknown_sink_field_is_reported(tmp_path):
    problem = only_problem(
        write(tmp_path, SOURCE + "sinks:\n  out:\n    type: sql_table\n    fields: [email, emali]\n")
    )
    assert problem.startswith("sinks.out.fields.1:")
    assert "'emali'" in problem


@pytest.mark.parametrize("key", ["type", "path", "id_column", "cursor_column", "mapping"])
def test_missing_required_key(tmp_path, key):
    lines = [ln for ln in SOURCE.splitlines(keepends=True) if not ln.strip().startswith(f"{key}:")]
    if key == "mapping":
        lines = [ln for ln in lines if "email: Email" not in ln]
    problem = only_problem(write(tmp_path, "".join(lines)))
    assert problem == f"sources.crm.{key}: required key is missing"


def test_missing_sources(tmp_path):
    assert only_problem(write(tmp_path, "timezone: UTC\n")) == "sources: required key is missing"


@pytest.mark.parametrize("where", ["top", "source"])
def test_bad_timezone(tmp_path, where):
    text = "timezone: Mars/Olympus\n" + SOURCE if where == "top" else SOURCE + "    timezone: Mars/Olympus\n"
    problem = only_problem(write(tmp_path, text))
    key = "timezone" if where == "top" else "sources.crm.timezone"
    assert problem == (f"{key}: unknown IANA timezone 'Mars/Olympus'; expected a name such as Europe/Berlin or UTC")


@pytest.mark.parametrize("value", ["5 weeks", "-1", "1.5h", "soon", "true"])
def test_bad_duration(tmp_path, value):
    problem = only_problem(write(tmp_path, f"lease_ttl: {value}\n" + SOURCE))
    assert problem == "lease_ttl: expected a duration such as 500ms, 90s, 30m, 2h, 1d or a number of seconds"


def test_bad_lookback_duration(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE + "    lookback: a while\n"))
    assert problem.startswith("sources.crm.lookback: expected a duration")


@pytest.mark.parametrize("where", ["store", "sink"])
def test_password_in_a_url_is_refused_and_not_echoed(tmp_path, where):
    url = "postgresql://leads:hunter2secret@db.internal:5432/leads"
    if where == "store":
        text = f"store:\n  url: '{url}'\n" + SOURCE
        key = "store.url"
    else:
        text = SOURCE + f"sinks:\n  out:\n    type: sql_table\n    url: '{url}'\n"
        key = "sinks.out.url"
    message, problems = problems_of(write(tmp_path, text))
    assert len(problems) == 1
    assert problems[0].startswith(f"{key}: this URL contains a password")
    assert "{env: NAME}" in problems[0] and "{prefect_secret: NAME}" in problems[0]
    assert "hunter2secret" not in message


@pytest.mark.parametrize("ref", ["{env: DB_URL, prefect_secret: db-url}", "{}"])
def test_secret_ref_needs_exactly_one_of_env_or_prefect_secret(tmp_path, ref):
    problem = only_problem(write(tmp_path, f"store:\n  url: {ref}\n" + SOURCE))
    assert problem == ("store.url: give exactly one of 'env' (a variable name) or 'prefect_secret' (a block name)")


def test_secret_ref_with_unknown_key(tmp_path):
    problem = only_problem(write(tmp_path, "store:\n  url: {env: DB_URL, vault: x}\n" + SOURCE))
    assert problem.startswith("store.url.vault: unknown key")


def test_invalid_yaml_names_the_line(tmp_path):
    text = "version: 1\nstore: [unclosed\ntimezone: UTC\n" + SOURCE
    problem = only_problem(write(tmp_path, text))
    assert problem.startswith("line 3, column ")
    assert "not valid YAML" in problem


def test_invalid_yaml_bad_indentation_names_the_line(tmp_path):
    text = SOURCE + "  bad:\n type: file\n"  # line 10 dedents wrongly
    problem = only_problem(write(tmp_path, text))
    assert problem.startswith("line 10, column 2: not valid YAML")


@pytest.mark.parametrize(("text", "got"), [("- a\n- b\n", "list"), ("just text\n", "str"), ("", "NoneType")])
def test_document_that_is_not_a_mapping(tmp_path, text, got):
    problem = only_problem(write(tmp_path, text))
    assert problem == f"expected a mapping of keys at the top level, got {got}"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    assert only_problem(path) == "file not found"


def test_unreadable_file_is_a_config_error(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"sources: \xff\xfe\n")
    problem = only_problem(path)
    assert problem.startswith("cannot read the file")


@pytest.mark.parametrize("table", ["drop table;", "1leads", "crm-leads", "a b", "x" * 64])
def test_sink_table_must_be_an_identifier(tmp_path, table):
    text = SOURCE + f"sinks:\n  out:\n    type: sql_table\n    table: '{table}'\n"
    problem = only_problem(write(tmp_path, text))
    assert problem == (
        "sinks.out.table: expected a plain SQL identifier: letters, digits and underscores, not starting with a digit"
    )


def test_format_not_inferable_from_extension(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE.replace("contacts.csv", "contacts.xlsx")))
    assert problem == "sources.crm: cannot tell the format of 'contacts.xlsx'; set format: csv or jsonl"


def test_bad_source_name(tmp_path):
    problem = only_problem(write(tmp_path, SOURCE.replace("  crm:", "  CRM Contacts:")))
    assert problem.startswith("sources.CRM Contacts:")
    assert "pattern" in problem


def test_chunk_size_out_of_range_shows_the_value(tmp_path):
    problem = only_problem(write(tmp_path, "chunk_size: 5\n" + SOURCE))
    assert problem.startswith("chunk_size: ")
    assert "100" in problem and "(got 5)" in problem


def test_several_problems_are_reported_together(tmp_path):
    text = (
        "timezone: Mars/Olympus\nlease_ttl: eventually\nsorces: {}\n"
        + SOURCE
        + "      emial: E-mail\n"
        + SOURCE.replace("sources:\n", "").replace("  crm:", "  ads:").replace("contacts.csv", "leads.xlsx")
        + "sinks:\n  out:\n    type: sql_table\n    table: 'drop table;'\n"
    )
    message, problems = problems_of(write(tmp_path, text))
    keys = sorted(p.split(":", 1)[0] for p in problems)
    assert keys == sorted(
        [
            "timezone",
            "lease_ttl",
            "sorces",
            "sources.crm.mapping.emial",
            "sources.ads",
            "sinks.out.table",
        ]
    )
    assert "(6 problems)" in message
    assert message.count("\n  - ") == 6


def test_the_commented_crm_sources_in_the_example_config_are_valid(tmp_path):
    """Uncommenting the example's HubSpot and Salesforce blocks gives a config that loads as documented."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "# hubspot:")
    end = next(i for i, line in enumerate(lines) if line.startswith("# Identity resolution"))
    def uncomment(line: str) -> str:
        entries = ("  # hubspot:", "  # salesforce:", "  # meta_leads:", "  # google_ads_leads:", "  # linkedin_leads:")
        entry = line.startswith(entries) or line.startswith("  #   ")
        return line.replace("  # ", "  ", 1) if entry and not line.startswith("  #   #") else line

    block = [uncomment(line) for line in lines[start:end]]
    text = "\n".join(lines[:start] + block + lines[end:])
    path = tmp_path / "leads.yaml"
    path.write_text(text.replace("samples/", str(EXAMPLE.parent / "samples") + "/"), encoding="utf-8")
    config = load_config(path)
    hubspot, salesforce = config.sources["hubspot"], config.sources["salesforce"]
    assert hubspot.tier == "professional" and hubspot.mapping == {"phone": "mobilephone"}
    assert hubspot.archived_sweep == timedelta(days=1) and hubspot.quota.stop_at_share == 0.8
    assert salesforce.auth.rotating and salesforce.auth.refresh_token.prefect_secret == "salesforce-refresh-token"
    assert set(salesforce.objects) == {"Lead", "Contact"} and salesforce.bulk_threshold == 50000
    meta, google, linkedin = (config.sources[n] for n in ("meta_leads", "google_ads_leads", "linkedin_leads"))
    assert meta.ad_accounts == ["202020202"] and meta.quota.stop_at_share == 0.95
    assert google.customer_ids == ["1234567890"] and google.login_customer_id == "9876543210"
    assert linkedin.version == "202606" and linkedin.reauth_warning == timedelta(days=30)
