"""leads.emails and leads.domains: validation equivalence, class, role, identity form, domains."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leads.domains import registrable_domain
from leads.emails import email_class, identity_email, is_role_address, validate_address

# --- validation: the memoised path decides exactly as validate_email ------------------------------


def library(text: str) -> tuple[str | None, str | None]:
    try:
        return validate_email(text, check_deliverability=False).normalized, None
    except EmailNotValidError as exc:
        return None, f"not a valid email address: {exc}"


_LOCAL_PIECES = st.sampled_from(
    list("abcXYZ019.+-_'!#$%&*/=?^`{|}~\"\\ <>()[],;:@")
    + ["é", "ß", "ü", "\u0301", "\u200b", "\u00a0", "ｱ", "😀", "\u0338", "＠", "Å", "A\u030a", "\x00", "\t"]
)
_LOCALS = st.lists(_LOCAL_PIECES, max_size=20).map("".join)
_LABELS = st.sampled_from(
    [
        "example",
        "EXAMPLE",
        "acme",
        "com",
        "co",
        "uk",
        "de",
        "xn--bcher-kva",
        "bücher",
        "xn--",
        "-bad",
        "bad-",
        "localhost",
        "local",
        "invalid",
        "test",
        "onion",
        "arpa",
        "a" * 64,
        "a" * 63,
        "1",
        "123",
        "",
        "ｅｘａｍｐｌｅ",
        "münchen",
        "ß",
        "Ⅸ",
        "a_b",
        "\u200d",
    ]
)
_DOMAINS = st.one_of(
    st.lists(_LABELS, min_size=1, max_size=5).map(".".join),
    st.sampled_from(["[127.0.0.1]", "[IPv6:::1]", "[300.1.1.1]", "[x]", "gmail.com.", ".gmail.com", "a..b.com"]),
    st.text(max_size=20),
)
_ADDRESSES = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", _LOCALS, _DOMAINS),
    st.builds(lambda name, addr: f"{name} <{addr}>", _LOCALS, st.emails()),
    st.emails(),
    st.text(max_size=40),
    st.builds(lambda local, domain: f"{local}@{domain}", st.just("x" * 70), _DOMAINS),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ADDRESSES)
@example("John.Smith@Northwind-Logistics.COM")
@example("Postmaster@EXAMPLE.com")
@example('"quoted"@example.com')
@example("Jane <jane@example.com>")
@example("a@[127.0.0.1]")
@example("jane.doe@")
@example("x@@y.com")
@example("bob at example.com")
@example("e\u0301@example.com")  # NFC changes the local part
@example("x" * 65 + "@example.com")  # local part too long
@example("x@" + ".".join(["a" * 63] * 4) + ".com")  # address too long
@example("ｊａｎｅ@ｅｘａｍｐｌｅ.com")
def test_validate_address_agrees_with_validate_email(text):
    assert validate_address(text) == library(text)


def test_validate_address_is_idempotent_on_its_output():
    for text in [
        "John.Smith@Northwind-Logistics.COM",
        "jane@BÜCHER.de",
        "jane@xn--bcher-kva.de",
        "ｊａｎｅ@example.com",
    ]:
        normalized, reason = validate_address(text)
        assert reason is None
        assert validate_address(normalized) == (normalized, None)


@settings(max_examples=300, deadline=None)
@given(st.emails())
def test_normalized_addresses_are_fixed_points(address):
    normalized, reason = validate_address(address)
    if reason is None:
        assert validate_address(normalized) == (normalized, None)


# --- class ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "klass"),
    [
        ("jane@gmail.com", "free"),
        ("jane@GMAIL.COM", "free"),
        ("jane@hotmail.co.uk", "free"),
        ("jane@yahoo.com", "free"),
        ("jane@gmx.de", "free"),
        ("jane@mailinator.com", "disposable"),
        ("jane@sub.mailinator.com", "disposable"),  # matched on the registrable domain
        ("jane@0815.su", "disposable"),  # on both lists: disposable wins
        ("jane@northwind-logistics.com", "corporate"),
        ("jane@mail.northwind-logistics.co.uk", "corporate"),
        ("jane@stanford.edu", "corporate"),
    ],
)
def test_email_class(email, klass):
    assert email_class(email) == klass


def test_email_class_of_something_without_a_domain_is_none():
    assert email_class("not an address") is None
    assert email_class("jane@") is None


# --- role -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "info@acme.com",
        "Sales@acme.com",
        "support+eu@acme.com",
        "noreply@acme.com",
        "no-reply@acme.com",
        "hello@acme.io",
        "contact@acme.fr",
        "office@acme.de",
        "marketing@acme.com",
        "hr@acme.com",
        "jobs@acme.com",
        "billing@acme.com",
        "sales.emea@acme.com",
        "support-team@acme.com",
        "admin@acme.com",
    ],
)
def test_role_addresses(email):
    assert is_role_address(email)


@pytest.mark.parametrize("email", ["jane.doe@acme.com", "j.info@acme.com", "salesforce.admin.jane@acme.com", "jo@x.io"])
def test_personal_addresses_are_not_roles(email):
    assert not is_role_address(email)


def test_role_of_text_without_at_sign_is_false():
    assert not is_role_address("info")


# --- identity form --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("J.O.H.N+ads@gmail.com", "john@gmail.com"),
        ("john@googlemail.com", "john@gmail.com"),
        ("John.Smith+x@GoogleMail.com", "johnsmith@gmail.com"),
        ("jane+news@outlook.com", "jane@outlook.com"),
        ("jane+news@hotmail.co.uk", "jane@hotmail.co.uk"),
        ("jane+a@icloud.com", "jane@icloud.com"),
        ("jane+a@me.com", "jane@me.com"),
        ("jane+a@fastmail.com", "jane@fastmail.com"),
        ("jane+a@proton.me", "jane@proton.me"),
        ("Jane.Doe+a@yahoo.com", "jane.doe+a@yahoo.com"),  # Yahoo: left alone
        ("Jane.Doe-a@yahoo.com", "jane.doe-a@yahoo.com"),
        ("Jane.Doe+a@Acme.com", "jane.doe+a@acme.com"),  # unknown provider: only lower-cased
        ("+tag@gmail.com", "+tag@gmail.com"),  # nothing left after the tag: kept
    ],
)
def test_identity_email(email, key):
    assert identity_email(email) == key


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.emails(), st.text(max_size=40)))
def test_identity_email_is_idempotent(text):
    key = identity_email(text)
    assert identity_email(key) == key


# --- registrable domains --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("https://www.Acme.co.uk/path", "acme.co.uk"),
        ("acme.com", "acme.com"),
        ("ACME.COM.", "acme.com"),
        ("user@mail.acme.com", "acme.com"),
        ("http://shop.acme.com:8080/x?y=1", "acme.com"),
        ("www.bücher.de", "bücher.de"),
        ("192.168.1.1", None),
        ("http://[::1]/x", None),
        ("localhost", None),
        ("co.uk", None),
        ("junk", None),
        ("a b.com", None),
        ("", None),
        ("   ", None),
    ],
)
def test_registrable_domain(text, domain):
    assert registrable_domain(text) == domain


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_registrable_domain_never_raises_and_is_idempotent(text):
    domain = registrable_domain(text)
    if domain is not None:
        assert registrable_domain(domain) == domain


def test_the_suffix_list_is_never_downloaded():
    """With every socket refused, a fresh interpreter still answers from the bundled snapshot."""
    code = (
        "import socket\n"
        "tried = []\n"
        "def refuse(*a, **k):\n"
        "    tried.append(a)\n"
        "    raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from leads.domains import registrable_domain\n"
        "assert registrable_domain('https://www.acme.co.uk/') == 'acme.co.uk'\n"
        "assert not tried, tried\n"
        "print('ok')\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
