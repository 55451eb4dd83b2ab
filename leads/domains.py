"""Registrable domains ("acme.co.uk" from "https://www.Acme.co.uk/path" or "jane@mail.acme.co.uk").

The registrable domain is the one a company buys: one label under a public suffix. It comes from
tldextract and the Public Suffix List. tldextract downloads a fresh list over HTTP on first use
by default; this extractor never does: no suffix-list URLs and no disk cache, so it always uses
the snapshot bundled with the installed tldextract (a pipeline run must not depend on the network,
and the list changes slowly).
"""

from __future__ import annotations

import re
from functools import lru_cache

import tldextract

# suffix_list_urls=() → never fetch; cache_dir=None → never write a cache file; the bundled
# snapshot is the fallback (fallback_to_snapshot=True by default) and here the only source.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# A registrable domain: dot-separated labels of word characters and hyphens (IDN labels are
# Unicode word characters too). Rejects what tldextract lets through from junk ("a b.com").
_DOMAIN = re.compile(r"[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)+")


def registrable_domain(text: str) -> str | None:
    """The registrable domain of a host, URL or email address, lower-cased; None for IPs and junk."""
    if "@" in text and "://" not in text:
        text = text.rpartition("@")[2]  # an email address: only the (repeating) domain part counts
    if len(text) > 2048:  # no URL worth reading is this long; not memoised
        return _registrable.__wrapped__(text)
    return _registrable(text)


@lru_cache(maxsize=65536)
def _registrable(text: str) -> str | None:
    """Memoised by host or URL: domains repeat across thousands of leads, so the memo is large."""
    host = text.strip().lower()
    if not host:
        return None
    result = _EXTRACT(host)
    domain = result.top_domain_under_public_suffix  # empty for IPs, bare suffixes and single labels
    if not domain or not _DOMAIN.fullmatch(domain):
        return None
    return domain
