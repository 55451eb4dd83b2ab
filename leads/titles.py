"""Job title → seniority and department, by a table of regular expressions.

No maintained package does this (research/enrich_score.md §2), so the table is ours. Levels are
PDL's `job_title_levels` (config.SENIORITY_LEVELS, without "unpaid"). Departments are a PDL-like
set of job functions:

    executive, engineering, data, it, product, design, marketing, sales, customer_success,
    support, finance, hr, legal, operations, education, health, research

Rules are tried in order and the first match wins, so specific rules come before general ones
("Executive Assistant to the CEO" is entry, not cxo; "VP Sales Engineering" is vp; "Product
Marketing Manager" is marketing, not product). A title no rule matches gets None: a plain
"Software Engineer" has no level rather than a guessed one. Choices worth knowing: "Head of"
is director, "Managing Director" (the European CEO) is cxo, "General Manager" is director, "Lead"
is senior except "Team Lead", which is manager; "Product Owner" is not an owner.

Configured rules (TitleRulesConfig) are tried before the built-in ones, in the order written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from leads.config import TitleRulesConfig

# (level, patterns), in the order they are tried.
SENIORITY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "training",
        (
            r"\bintern(ship)?\b",
            r"\btrainee\b",
            r"\bapprentice(ship)?\b",
            r"\bworking student\b",
            r"\bwerkstudent(in)?\b",
            r"\bpraktikant(in)?\b",
            r"\bstagiaire\b",
        ),
    ),
    (
        "entry",  # assistants *to* an executive, before the executive's title matches
        (
            r"\b(executive|personal|administrative|admin|office)\s+assistant\b",
            r"\bassistant\s+(to|of)\b",
            r"\b(ceo|cfo|coo|cto|founder)('s)?\s+assistant\b",
        ),
    ),
    (
        "cxo",
        (
            r"\b(ceo|cto|cfo|coo|cmo|cro|cio|ciso|cso|cpo|cdo|cco|chro|cao|clo|cxo)\b",
            r"\bchief\b(?!\s+of\s+staff)",
            r"(?<!vice )(?<!vice-)\bpresident\b",
            r"\bmanaging\s+director\b",
            r"\bgesch(ä|ae)ftsf(ü|ue)hrer(in)?\b",
            r"\bdirect(eur|rice)\s+g(é|e)n(é|e)ral\b",
            r"\bchair(man|woman|person)?\b(?!\s+of\s+the\s+department)",
        ),
    ),
    (
        "owner",
        (
            r"\b(co[\s-]?)?founder\b",
            r"\b(?<!product )(?<!process )(?<!data )(?<!business )(?<!platform )owner\b",
            r"\bproprietor\b",
        ),
    ),
    (
        "partner",
        (
            r"(?<!business )(?<!channel )(?<!alliance )\bpartner\b(?!s?\s*(manager|marketing|success|sales|"
            r"development|account|relations|program|programme|ecosystem|enablement|operations|specialist|"
            r"lead|director|executive|engineer|integrations?|solutions?))",
        ),
    ),
    (
        "vp",
        (
            r"\b(s|e|a)?vp\b",
            r"\bv\.\s?p\.?",
            r"\bvice[\s-]+president\b",
            r"\bvice\s+chair",
        ),
    ),
    (
        "director",
        (
            r"\bdirector\b",
            r"\bdir\b\.?",
            r"\bdirect(eur|rice|or(a|in))\b",
            r"\bhead\b",
            r"\bgeneral\s+manager\b",
            r"\bgm\b",
        ),
    ),
    (
        "manager",
        (
            r"\bmanager\b",
            r"\bmgr\b",
            r"\bmanaging\b",
            r"\bsupervisor\b",
            r"\bteam\s*lead(er)?\b",
            r"\bforeman\b",
            r"\bleiter(in)?\b",
            r"\bresponsable\b",
        ),
    ),
    (
        "senior",
        (
            r"\bsenior\b",
            r"\bsr\b\.?",
            r"\bprincipal\b",
            r"\bstaff\s+(software|engineer|developer|scientist|data|architect|designer|product|"
            r"research|security|ml|machine|platform|backend|frontend|infrastructure|site)",
            r"\blead\b(?!\s*gen)",
            r"\barchitect\b",
            r"\bexpert\b",
            r"\b(iii|iv)$",
        ),
    ),
    (
        "entry",
        (
            r"\bjunior\b",
            r"\bjr\b\.?",
            r"\bassociate\b",
            r"\bassistant\b",
            r"\bentry[\s-]level\b",
            r"\bgraduate\b",
            r"\b(sdr|bdr|adr)\b",
            r"\b(sales|business|account)\s+development\s+rep(resentative)?\b",
            r"\bcoordinator\b",
            r"\breceptionist\b",
            r"\bclerk\b",
        ),
    ),
)

DEPARTMENT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # C-level abbreviations name their function directly
    ("executive", (r"\bceo\b", r"\bchief\s+executive\b")),
    ("engineering", (r"\bcto\b", r"\bchief\s+technology\b")),
    ("finance", (r"\bcfo\b",)),
    ("marketing", (r"\bcmo\b",)),
    ("sales", (r"\bcro\b", r"\bchief\s+revenue\b")),
    ("operations", (r"\bcoo\b", r"\bchief\s+operating\b")),
    ("it", (r"\bciso\b", r"\bcio\b", r"\bchief\s+information\b")),
    ("hr", (r"\bchro\b", r"\bchief\s+(people|human)\b")),
    ("data", (r"\bcdo\b", r"\bchief\s+data\b")),
    ("product", (r"\bcpo\b",)),
    # the heads of a company, whatever their function
    (
        "executive",
        (
            r"(?<!vice )(?<!vice-)\bpresident\b",
            r"\b(co[\s-]?)?founder\b",
            r"\b(?<!product )(?<!process )(?<!data )(?<!business )(?<!platform )owner\b",
            r"\bmanaging\s+(director|partner)\b",
            r"\bgesch(ä|ae)ftsf(ü|ue)hrer(in)?\b",
            r"\bgeneral\s+manager\b",
            r"\bchair(man|woman|person)?\b",
            r"\bboard\s+member\b",
            r"\bentrepreneur\b",
            r"\bchief\s+of\s+staff\b",
        ),
    ),
    # before engineering: engineers who sell or support
    (
        "sales",
        (
            r"\b(sales|pre-?sales|solutions?|field)\s+(engineer|engineering|consultant|architect)\b",
            r"\bpre-?sales\b",
        ),
    ),
    (
        "marketing",
        (
            r"\bmarketing\b",
            r"\bmarketer\b",
            r"\bgrowth\b",
            r"\b(seo|sem|ppc)\b",
            r"\bdemand\s+gen",
            r"\blead\s+gen",
            r"\bbrand(ing)?\b",
            r"\bcontent\b",
            r"\bcommunications?\b",
            r"\bcomms\b",
            r"\bpublic\s+relations\b",
            r"\bpr\b",
            r"\bsocial\s+media\b",
            r"\bcopywriter\b",
            r"\bevents?\b",
            r"\bcommunity\s+manager\b",
        ),
    ),
    (
        "customer_success",
        (
            r"\bcustomer\s+success\b",
            r"\bchief\s+customer\b",
            r"\bclient\s+success\b",
            r"\bcsm\b",
            r"\bcustomer\s+experience\b",
            r"\bonboarding\b",
            r"\bimplementation\b",
            r"\baccount\s+management\b",
        ),
    ),
    (
        "it",
        (
            r"\bit\b",
            r"\binformation\s+(technology|systems|security)\b",
            r"\bsys\s?admin\b",
            r"\bsystems?\s+administrator\b",
            r"\bnetwork\b",
            r"\bdesktop\s+support\b",
            r"\bhelp\s?desk\b",
            r"\bservice\s+desk\b",
            r"\bcyber",
            r"\binfosec\b",
        ),
    ),
    (
        "support",
        (
            r"\bsupport\b",
            r"\bcustomer\s+(service|care)\b",
            r"\bcall\s+cent(er|re)\b",
        ),
    ),
    (
        "engineering",
        (
            r"\bengineer(ing)?\b",
            r"\bdevelop(er|ment)\b(?<!business development)(?<!sales development)",
            r"\bdev\b",
            r"\bdevops\b",
            r"\bsre\b",
            r"\bsite\s+reliability\b",
            r"\bprogrammer\b",
            r"\bsoftware\b",
            r"\b(full[\s-]?stack|front[\s-]?end|back[\s-]?end)\b",
            r"\bqa\b",
            r"\bquality\s+assurance\b",
            r"\btest(er|ing)?\b",
            r"\barchitect\b",
            r"\btechnology\b",
        ),
    ),
    (
        "design",
        (
            r"\bdesign(er)?\b",
            r"\bux\b",
            r"\bui\b",
            r"\buser\s+experience\b",
            r"\bcreative\b",
            r"\bart\s+director\b",
            r"\billustrator\b",
        ),
    ),
    ("product", (r"\bproduct\b", r"\bpm\b")),
    (
        "sales",
        (
            r"\bsales\b",
            r"\bsell(er|ing)\b",
            r"\baccount\s+(executive|manager|director)\b",
            r"\bae\b",
            r"\b(sdr|bdr|adr)\b",
            r"\bbusiness\s+development\b",
            r"\bbiz\s?dev\b",
            r"\brevenue\b",
            r"\bpartnerships?\b",
            r"\b(channel\s+)?partner\s+(manager|sales|development|account|success)\b",
            r"\bchannel\b",
            r"\bcommercial\b",
            r"\bvertrieb\b",
        ),
    ),
    (
        "finance",
        (
            r"\bfinanc",
            r"\baccount(ing|ant)\b",
            r"\bcontroll(er|ing)\b",
            r"\bcomptroller\b",
            r"\btreasur(y|er)\b",
            r"\btax\b",
            r"\baudit(or)?\b",
            r"\bbookkeep",
            r"\bpayroll\b",
            r"\bfp&a\b",
            r"\binvestor\s+relations\b",
            r"\bbilling\b",
        ),
    ),
    (
        "hr",
        (
            r"\bhr\b",
            r"\bhuman\s+resources?\b",
            r"\bpeople\b",
            r"\btalent\b",
            r"\brecruit(er|ing|ment)\b",
            r"\bhiring\b",
            r"\bpersonnel\b",
            r"\bcompensation\b",
            r"\bbenefits\b",
            r"\blearning\s+(and|&)\s+development\b",
            r"\bl&d\b",
        ),
    ),
    (
        "legal",
        (
            r"\blegal\b",
            r"\bcounsel\b",
            r"\battorney\b",
            r"\blawyer\b",
            r"\bparalegal\b",
            r"\bsolicitor\b",
            r"\bcompliance\b",
            r"\bprivacy\b",
            r"\bcontracts?\b",
        ),
    ),
    (
        "data",
        (
            r"\bdata\b",
            r"\banalytics\b",
            r"\banalyst\b",
            r"\bbusiness\s+intelligence\b",
            r"\bbi\b",
            r"\bmachine\s+learning\b",
            r"\bml\b",
            r"\bai\b",
            r"\bstatistic",
        ),
    ),
    (
        "operations",
        (
            r"\boperations?\b",
            r"\bops\b",
            r"\bsupply\s+chain\b",
            r"\blogistics\b",
            r"\bprocurement\b",
            r"\bpurchasing\b",
            r"\bbuyer\b",
            r"\bfacilit(y|ies)\b",
            r"\boffice\s+manager\b",
            r"\bproject\s+manager\b",
            r"\bprogram(me)?\s+manager\b",
            r"\bwarehouse\b",
            r"\bfulfil(l)?ment\b",
            r"\bstrategy\b",
            r"\badministrat(ion|or|ive)\b",
        ),
    ),
    (
        "education",
        (
            r"\bteacher\b",
            r"\bprofessor\b",
            r"\blecturer\b",
            r"\btutor\b",
            r"\binstructor\b",
            r"\bdean\b",
            r"\bfaculty\b",
            r"\beducat(ion|or)\b",
            r"\bschool\b",
            r"\bacademic\b",
            r"\bcurriculum\b",
        ),
    ),
    (
        "health",
        (
            r"\bnurse\b",
            r"\bphysician\b",
            r"\bsurgeon\b",
            r"\bclinical\b",
            r"\bclinic\b",
            r"\bmedical\b",
            r"\bhealth(care)?\b",
            r"\bpharmacist\b",
            r"\btherapist\b",
            r"\bdentist\b",
            r"\bpatient\b",
        ),
    ),
    (
        "research",
        (
            r"\bresearch(er)?\b",
            r"\bscientist\b",
            r"\br&d\b",
            r"\blab(oratory)?\b",
        ),
    ),
)

_MAX_TITLE = 300  # longer text is not a job title; only its start is classified


def _compile(rules: Iterable[tuple[str, Iterable[str]]]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One alternation per rule, case-insensitive, so a title costs one search per rule."""
    return tuple(
        (label, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
        for label, patterns in rules
        if patterns
    )


_BUILTIN_SENIORITY = _compile(SENIORITY_RULES)
_BUILTIN_DEPARTMENT = _compile(DEPARTMENT_RULES)


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], title: str) -> str | None:
    for label, pattern in rules:
        if pattern.search(title):
            return label
    return None


class TitleRules:
    """Classifies job titles; configured rules first, then the built-in table.

    Configured patterns are matched case-insensitively, like the built-in ones. Each instance
    memoises its answers by title (titles repeat a lot across leads).
    """

    def __init__(self, extra: TitleRulesConfig | None = None, cache_size: int = 65536) -> None:
        seniority = _compile(extra.seniority.items()) if extra else ()
        department = _compile(extra.department.items()) if extra else ()
        self._seniority = seniority + _BUILTIN_SENIORITY
        self._department = department + _BUILTIN_DEPARTMENT
        self._cached = lru_cache(maxsize=cache_size)(self._classify)

    def classify(self, title: str) -> tuple[str | None, str | None]:
        """(seniority, department) of a job title; either is None when no rule matches."""
        return self._cached(title) if len(title) <= _MAX_TITLE else self._classify(title)

    def cache_info(self) -> Any:
        """The memo's hits, misses, maxsize and current size (functools' CacheInfo)."""
        return self._cached.cache_info()

    def _classify(self, title: str) -> tuple[str | None, str | None]:
        text = " ".join(title[:_MAX_TITLE].split())
        if not text:
            return None, None
        return _first(self._seniority, text), _first(self._department, text)
