"""Countries and their subdivisions (ISO 3166-1 and 3166-2) from pycountry.

Only exact lookups: pycountry's own (alpha-2, alpha-3, numeric, name, official and common name,
case-insensitive), then the same names compared without accents, punctuation or a leading "the",
then a small table of exonyms and abbreviations pycountry does not carry ("UK", "Holland",
"Deutschland"). `search_fuzzy` is not used: on junk it happily returns some country. An input
nothing matches is unknown, and the caller keeps it raw with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

# Keys as produced by _key (lower-case, no accents or dots, no leading "the") → alpha-2.
ALIASES: dict[str, str] = {
    # United Kingdom
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    # United States
    "us": "US",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "america": "US",
    "united states america": "US",
    # names pycountry spells differently or no longer uses
    "holland": "NL",
    "nederland": "NL",
    "russia": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "ivory coast": "CI",
    "macedonia": "MK",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "palestine": "PS",
    "vatican": "VA",
    "vatican city": "VA",
    "micronesia": "FM",
    "korea": "KR",
    "republic of korea": "KR",
    "dprk": "KP",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "congo kinshasa": "CD",
    "republic of congo": "CG",
    "congo brazzaville": "CG",
    "burma": "MM",
    "uae": "AE",
    "emirates": "AE",
    "macau": "MO",
    "east timor": "TL",
    "persia": "IR",
    "slovak republic": "SK",
    "bosnia": "BA",
    "trinidad": "TT",
    "st lucia": "LC",
    "st kitts and nevis": "KN",
    "st vincent and the grenadines": "VC",
    "prc": "CN",
    "mainland china": "CN",
    "hong kong sar": "HK",
    # endonyms common in European exports
    "deutschland": "DE",
    "osterreich": "AT",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    "espana": "ES",
    "italia": "IT",
    "brasil": "BR",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
    "belgique": "BE",
    "belgie": "BE",
    "eire": "IE",
    "nippon": "JP",
}

_MAX_NAME = 120  # longer text names no country or region (and is not memoised)
_PUNCT = re.compile(r"[.'’`]")
_SEPARATORS = re.compile(r"[\s,\-_/&()]+")


def _key(text: str) -> str:
    """Comparison form of a country or region name: no accents, dots, case or leading "the"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _SEPARATORS.sub(" ", _PUNCT.sub(lambda m: " " if m.group() == "." else "", text)).strip()
    text = " ".join(text.split())
    return text.removeprefix("the ")


def _canonical_name(country: object) -> str:
    return getattr(country, "common_name", None) or country.name  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    """Every pycountry code and name in _key form, then the aliases, → alpha-2. Built once."""
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                index.setdefault(_key(value), c.alpha_2)
    for alias, alpha2 in ALIASES.items():
        index.setdefault(alias, alpha2)
    return index


def country(text: str) -> tuple[str, str] | None:
    """(alpha-2, canonical name) for a code or name, e.g. "usa" → ("US", "United States"); else None.

    The canonical name is pycountry's common name where it has one ("South Korea", "Iran"),
    else its name; looking a canonical name up again gives the same country.
    """
    return _country(text) if len(text) <= _MAX_NAME else None  # no country name is that long


@lru_cache(maxsize=16384)
def _country(text: str) -> tuple[str, str] | None:
    text = " ".join(text.split())
    if not text:
        return None
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        alpha2 = _name_index().get(_key(text))
        if alpha2 is None:
            return None
        found = pycountry.countries.get(alpha_2=alpha2)
        if found is None:
            return None
    return found.alpha_2, _canonical_name(found)


@lru_cache(maxsize=512)
def _subdivision_index(alpha2: str) -> dict[str, tuple[str, str]]:
    """Codes ("US-CA" and "CA") and names of a country's subdivisions → (code, name).

    Where two subdivisions share a name, the top-level one (no parent) wins.
    """
    index: dict[str, tuple[str, str]] = {}
    subs = pycountry.subdivisions.get(country_code=alpha2) or ()
    for sub in sorted(subs, key=lambda s: (s.parent_code is not None, s.code)):
        entry = (sub.code, sub.name)
        for value in (sub.code, sub.code.partition("-")[2], sub.name):
            index.setdefault(_key(value), entry)
    return index


def subdivision(text: str, alpha2: str) -> tuple[str, str] | None:
    """(ISO 3166-2 code, name) of a region in a country: ("CA" or "California", "US") → ("US-CA", "California")."""
    return _subdivision(text, alpha2) if len(text) <= _MAX_NAME else None


@lru_cache(maxsize=16384)
def _subdivision(text: str, alpha2: str) -> tuple[str, str] | None:
    if not text.strip():
        return None
    return _subdivision_index(alpha2.upper()).get(_key(text))
