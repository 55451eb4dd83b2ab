"""Synthetic raw leads with known duplicates, for the identity benchmark (bench/identity.py).

`write_dataset(out_dir, n, seed, names=...)` writes, for a fixed seed, always the same bytes:

- records.marshal   N raw records in chunks: (records, person ids, scenario codes, kind codes), where
                    a record is (source, source_id, observed_at epoch, {lead field: raw text}), as a
                    source mapping hands it to normalize_record;
- accounts.marshal  the reference table of known accounts (domain → firmographics), ~80% of companies;
- meta.json         counts, and the scenario and kind labels behind the codes.

People. First names come from ~250 common ones, ~70 of them with common nicknames (Robert/Bob,
Elizabeth/Liz, ...); last names are a Zipf-weighted mix of ~150 real surnames and ~3,000 made of
syllables (`names="warm"` draws from a disjoint pool of ~3,000 others, so no full name repeats
between the two datasets). Companies (20,000, the same in every dataset) have a country, a domain
under that country's usual suffixes (.com, .co.uk, .de, .com.au, ...) and a size that follows
1/(rank + 200), so the largest holds ~0.1% of the people. Emails: ~66% corporate (first.last@,
jsmith@, ...), ~30% free-mail (gmail.com, yahoo.com, outlook.com, hotmail.com, icloud.com, ...),
~1% disposable, ~1% role mailboxes (info@, sales@; the same mailbox can serve two people of one
company, as in real life). Countries are written many ways ("US", "USA", "united states",
"Deutschland", "UK", "Great Britain"); phones are valid numbers of the person's country
(libphonenumber metadata), written in a format of the person's own (E.164, international or
national).

Duplicates. ~25% of people appear 2-4 times across the sources "crm", "ads" and "events"; the
first appearance is labelled `first`, every other one with the scenario that makes it differ (see
SCENARIOS). Hard negatives are other people made to look alike (see KINDS): namesakes on gmail,
colleagues at one domain, family members sharing a landline. Records carry the noise exports have
everywhere: names shouted or lower-cased, padded emails, fields missing by source, company names
with and without legal suffix, titles in any case.
"""

from __future__ import annotations

import bisect
import itertools
import json
import marshal
import random
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import phonenumbers
import pycountry
from phonenumbers import PhoneNumberFormat, PhoneNumberType

POOL_SEED = 7  # companies, titles and first names: the same in every dataset
CHUNK = 5000
N_COMPANIES = 20_000
SOURCES = ("crm", "ads", "events")
T0 = datetime(2023, 1, 1, tzinfo=UTC).timestamp()
SPAN = 2 * 365 * 86400

# Record labels: how a record differs from its person's first appearance. Weights are the shares
# among duplicate records; a scenario that does not apply to a person falls back to email_exact.
SCENARIOS: dict[str, float] = {
    "first": 0.0,  # the person's first appearance
    "email_exact": 0.33,  # same address (case, padding), names in another case, other fields missing
    "freemail_tags": 0.10,  # gmail dots and +tag, outlook/hotmail/icloud +tag
    "full_name": 0.12,  # only full_name ("Jane Doe", "Doe, Jane"), same address
    "name_variant_same_email": 0.10,  # nickname or one typo in a name, same address
    "corp_alias": 0.07,  # another address at the same corporate domain (j.smith@ vs john.smith@)
    "corp_alias_nickname": 0.04,  # ... and a nickname (Bob for Robert)
    "corp_alias_typo": 0.04,  # ... and one typo in the last or first name
    "email_typo_phone": 0.05,  # a typo in the address; same phone, same format; same name
    "email_typo_phone_reformatted": 0.04,  # ... phone in another format
    "no_email_phone": 0.04,  # no address at all; phone (in another format) and name
    "other_email_phone": 0.03,  # a private address beside the work one (or back); same phone and name
}
# Person labels: hard negatives are made after an earlier person ("partner") to look like them.
KINDS: dict[str, float] = {
    "regular": 0.0,
    "neg_gmail_namesake": 0.015,  # same or nearly the same name, both on gmail.com
    "neg_colleague": 0.015,  # another person at the partner's corporate domain
    "neg_colleague_same_last": 0.01,  # ... with the same last name, another first name
    "neg_family_phone": 0.01,  # same last name and landline, another first name and address
    "role_address": 0.01,  # info@, sales@... at their company's domain
    "disposable": 0.01,  # an address at mailinator.com, yopmail.com, ...
}
SCENARIO_CODES = {name: i for i, name in enumerate(SCENARIOS)}
KIND_CODES = {name: i for i, name in enumerate(KINDS)}
PHONE_SCENARIOS = frozenset({"email_typo_phone", "email_typo_phone_reformatted", "no_email_phone", "other_email_phone"})
DUP_SHARE = 0.25
DUP_COUNTS = ((2, 0.6), (3, 0.3), (4, 0.1))


def words(text: str) -> list[str]:
    return text.split()


NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"),
    "William": ("Bill", "Will", "Billy"),
    "Elizabeth": ("Liz", "Beth", "Betty"),
    "Katherine": ("Kate", "Katie", "Kathy"),
    "Michael": ("Mike",),
    "James": ("Jim", "Jimmy"),
    "Jennifer": ("Jen", "Jenny"),
    "Richard": ("Rick", "Rich"),
    "Thomas": ("Tom", "Tommy"),
    "Joseph": ("Joe",),
    "Daniel": ("Dan", "Danny"),
    "Christopher": ("Chris",),
    "Matthew": ("Matt",),
    "Anthony": ("Tony",),
    "Andrew": ("Andy", "Drew"),
    "Joshua": ("Josh",),
    "Benjamin": ("Ben",),
    "Samuel": ("Sam",),
    "Alexander": ("Alex",),
    "Nicholas": ("Nick",),
    "Jonathan": ("Jon",),
    "Timothy": ("Tim",),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Edward": ("Ed", "Ted"),
    "Patricia": ("Pat", "Patty"),
    "Margaret": ("Maggie", "Peggy"),
    "Susan": ("Sue",),
    "Deborah": ("Deb", "Debbie"),
    "Rebecca": ("Becky",),
    "Jessica": ("Jess",),
    "Samantha": ("Sam",),
    "Victoria": ("Vicky",),
    "Alexandra": ("Alex",),
    "Christine": ("Chris",),
    "Kimberly": ("Kim",),
    "Cynthia": ("Cindy",),
    "Pamela": ("Pam",),
    "Gregory": ("Greg",),
    "Jeffrey": ("Jeff",),
    "Lawrence": ("Larry",),
    "Raymond": ("Ray",),
    "Gerald": ("Jerry",),
    "Donald": ("Don",),
    "Ronald": ("Ron",),
    "Kenneth": ("Ken",),
    "Charles": ("Charlie", "Chuck"),
    "Frederick": ("Fred",),
    "Peter": ("Pete",),
    "Philip": ("Phil",),
    "Douglas": ("Doug",),
    "Theodore": ("Ted", "Theo"),
    "Zachary": ("Zach",),
    "Nathaniel": ("Nate",),
    "Abigail": ("Abby",),
    "Jacqueline": ("Jackie",),
    "Madeline": ("Maddie",),
    "Catherine": ("Cathy", "Kate"),
    "Josephine": ("Jo",),
    "Valerie": ("Val",),
    "Allison": ("Ally",),
    "Gabriel": ("Gabe",),
    "Benedict": ("Ben",),
    "Leonard": ("Leo", "Len"),
    "Vincent": ("Vince",),
    "Frances": ("Fran",),
    "Dorothy": ("Dot",),
    "Joanne": ("Jo",),
    "Judith": ("Judy",),
    "Teresa": ("Terry",),
}
OTHER_FIRST = words(
    "Mary Linda Barbara Sarah Karen Nancy Lisa Betty Sandra Ashley Donna Emily Michelle Carol Amanda Melissa "
    "Stephanie Laura Sharon Amy Angela Helen Anna Brenda Nicole Emma Olivia Sophia Isabella Mia Charlotte "
    "Amelia Harper Evelyn Ella Chloe Grace Lily Hannah Zoe Nora Leah Hazel Ruby Alice Clara Lucy Julia "
    "Sofia Lea Lena Marie Sophie Laura Johanna Greta Ida Frieda Mila Camille Manon Ines Chiara Giulia "
    "Francesca Lucia Carmen Elena Paula Ana Beatriz Larissa Yuki Hana Sakura Aiko Mei Ling Priya Ananya "
    "Aisha Fatima Layla Amara Zara Ingrid Astrid Freya Maja Agnieszka Katarzyna Siobhan Aoife Niamh "
    "John David Brian Kevin George Jason Eric Jacob Gary Ryan Larry Justin Scott Brandon Frank Jack "
    "Dennis Jerry Tyler Aaron Jose Adam Henry Nathan Walter Kyle Carl Arthur Roger Keith Jeremy Terry "
    "Sean Austin Noah Liam Ethan Mason Lucas Logan Oliver Elijah Aiden Carter Owen Wyatt Luke Isaac "
    "Hugo Louis Jules Lukas Felix Maximilian Paul Leon Finn Jonas Elias Moritz Niklas Jan Tobias Florian "
    "Matteo Lorenzo Giovanni Marco Luca Alessandro Diego Javier Carlos Miguel Pablo Alejandro Mateo "
    "Rafael Thiago Joao Pedro Hiroshi Takeshi Kenji Haruto Wei Jun Hao Arjun Rahul Vikram Rohan Omar "
    "Ahmed Yusuf Kwame Kofi Chinedu Lars Erik Nils Oskar Piotr Tomasz Krzysztof Ciaran Declan Eoin"
)
REAL_LAST = words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
    "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
    "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
    "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
    "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
    "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf "
    "Dubois Moreau Laurent Lefebvre Leroy Rossi Russo Ferrari Esposito Bianchi Romano Colombo Tanaka "
    "Suzuki Takahashi Watanabe Chen Wang Li Zhang Liu Singh Kumar Sharma Khan Okafor Mensah O'Brien "
    "McDonald O'Connor Murray Byrne Andersson Johansson Nowak Kowalski Silva Santos Oliveira Costa"
)
ONSETS = words(
    "Ash Bar Bel Bran Cal Car Cor Dal Dar Del Dun Eld Fal Fen Gar Gil Gor Hal Har Hol Kel Ken Kir Lam Lar "
    "Len Lind Mal Mar Mor Nor Oak Pen Pol Rad Ram Ros Sal Sel Stan Tal Tor Ul Val Ver Wal Wes Wil Win Yar"
)
CODAS = words(
    "ton ford ley wood man son berg mann stein ez ini ova ski well field ridge croft by ham ard ing "
    "wick mont ville gate more dale holm quist vik sen dahl strom ner ger lin rick rowe ster burn"
)
WARM_ONSETS = words(
    "Ab Ack Bry Chel Cren Dov Dra Em Ev Fitz Gled Grin Hav Hux Iv Jar Jes Kav Kno Lyt Mab Mer Nev Nib Orm "
    "Pax Prit Quen Rix Ryl Sav Shen Sib Tev Thorn Trel Ub Vex Vor Wyn Yel Zan Zor Brim Clo Dru Fyn Hask"
)
WARM_CODAS = words(
    "acre bourne brook camp cott den dorf ell enko ford grave haus ich isk lock lund mere nik oft pike "
    "ridge sby shaw stad tham thorpe usk vale wald wyn ovic ak ek ius ard ley wick ston gard lake"
)
SYLLABLES = words(
    "no ra vex ka li on te bri a lu mi cor da qua ze fin tra ny ol ex ve ta ri so mar gen al pex "
    "ion zen ko pa sy nu de lo va ti ber"
)
INDUSTRY_WORDS = words(
    "Analytics Logistics Health Capital Systems Software Labs Energy Foods Media Robotics Partners "
    "Consulting Digital Networks Cloud Security Retail Bio Motors Finance Insurance Travel Education"
)
INDUSTRIES = (
    "Computer Software",
    "Information Technology and Services",
    "Marketing and Advertising",
    "Financial Services",
    "Hospital & Health Care",
    "Logistics and Supply Chain",
    "Retail",
    "Construction",
    "Real Estate",
    "Higher Education",
    "Telecommunications",
    "Automotive",
    "Banking",
    "Insurance",
    "Food & Beverages",
    "Management Consulting",
    "Biotechnology",
    "Renewables & Environment",
    "Staffing and Recruiting",
    "Internet",
    "Media Production",
    "Oil & Energy",
    "Pharmaceuticals",
    "Machinery",
    "Legal Services",
)
TECH = (
    "salesforce",
    "hubspot",
    "aws",
    "google cloud",
    "azure",
    "shopify",
    "wordpress",
    "stripe",
    "zendesk",
    "marketo",
    "segment",
    "snowflake",
    "slack",
    "jira",
    "react",
    "kubernetes",
)
REVENUES = (
    "$0-$1M",
    "$1M-$10M",
    "$10M-$50M",
    "$50M-$100M",
    "$100M-$250M",
    "$250M-$500M",
    "$500M-$1B",
    "$1B-$10B",
    "$10B+",
    "",
    "unknown",
)

# alpha-2: (weight, spellings, company domain suffixes, legal suffixes, cities)
COUNTRIES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "US": (
        40,
        ("US", "USA", "United States", "united states", "U.S.", "United States of America", "usa"),
        ("com", "com", "com", "io", "co"),
        ("Inc.", ", Inc.", "LLC", "Corp.", ""),
        ("New York", "San Francisco", "Austin", "Chicago", "Boston", "Seattle", "Denver", "Atlanta"),
    ),
    "GB": (
        12,
        ("UK", "GB", "United Kingdom", "Great Britain", "England", "uk"),
        ("co.uk", "co.uk", "com", "io"),
        ("Ltd", "Limited", "PLC", ""),
        ("London", "Manchester", "Bristol", "Leeds", "Edinburgh"),
    ),
    "DE": (
        10,
        ("DE", "Germany", "Deutschland", "germany", "GERMANY"),
        ("de", "de", "com"),
        ("GmbH", "AG", "GmbH & Co. KG", ""),
        ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main"),
    ),
    "FR": (5, ("FR", "France", "france"), ("fr", "com"), ("SAS", "SA", "SARL", ""), ("Paris", "Lyon", "Lille")),
    "CA": (5, ("CA", "Canada"), ("ca", "com"), ("Inc.", "Ltd.", ""), ("Toronto", "Vancouver", "Montréal")),
    "AU": (4, ("AU", "Australia"), ("com.au", "com.au", "com"), ("Pty Ltd", ""), ("Sydney", "Melbourne")),
    "NL": (
        3,
        ("NL", "Netherlands", "The Netherlands", "Holland"),
        ("nl", "com"),
        ("B.V.", "N.V.", ""),
        ("Amsterdam", "Rotterdam", "Utrecht"),
    ),
    "IN": (4, ("IN", "India"), ("in", "co.in", "com"), ("Pvt. Ltd.", "Limited", ""), ("Bengaluru", "Mumbai")),
    "ES": (3, ("ES", "Spain", "España"), ("es", "com"), ("S.L.", "S.A.", ""), ("Madrid", "Barcelona")),
    "IT": (3, ("IT", "Italy", "Italia"), ("it", "com"), ("S.r.l.", "S.p.A.", ""), ("Milano", "Roma", "Torino")),
    "BR": (2, ("BR", "Brazil", "Brasil"), ("com.br", "com"), ("Ltda.", "S.A.", ""), ("São Paulo", "Rio de Janeiro")),
    "JP": (2, ("JP", "Japan"), ("co.jp", "jp", "com"), ("K.K.", "Co., Ltd.", ""), ("Tokyo", "Osaka")),
    "SE": (2, ("SE", "Sweden"), ("se", "com"), ("AB", ""), ("Stockholm", "Göteborg")),
    "CH": (2, ("CH", "Switzerland", "Schweiz"), ("ch", "com"), ("AG", "GmbH", "SA", ""), ("Zürich", "Genève")),
    "AT": (1, ("AT", "Austria", "Österreich"), ("at", "com"), ("GmbH", ""), ("Wien", "Graz")),
    "PL": (1, ("PL", "Poland", "Polska"), ("pl", "com"), ("Sp. z o.o.", ""), ("Warszawa", "Kraków")),
    "IE": (1, ("IE", "Ireland"), ("ie", "com"), ("Ltd", "DAC", ""), ("Dublin", "Cork")),
    "SG": (1, ("SG", "Singapore"), ("com.sg", "sg", "com"), ("Pte. Ltd.", ""), ("Singapore",)),
    "MX": (1, ("MX", "Mexico", "México"), ("com.mx", "mx", "com"), ("S.A. de C.V.", ""), ("Ciudad de México",)),
}
FREEMAIL = (
    ("gmail.com", 55),
    ("yahoo.com", 12),
    ("outlook.com", 10),
    ("hotmail.com", 10),
    ("icloud.com", 8),
    ("aol.com", 3),
    ("gmx.de", 2),
)
PLUS_TAG_DOMAINS = frozenset({"gmail.com", "outlook.com", "hotmail.com", "icloud.com"})
DISPOSABLE = ("mailinator.com", "yopmail.com", "guerrillamail.com", "10minutemail.com", "trashmail.com")
ROLES = ("info", "sales", "contact", "hello", "office", "marketing")
FREEMAIL_TYPOS = {
    "gmail.com": ("gmial.com", "gmal.com", "gmail.co", "gnail.com"),
    "yahoo.com": ("yaho.com",),
    "outlook.com": ("outlok.com",),
    "hotmail.com": ("hotmial.com", "hotmai.com"),
    "icloud.com": ("iclod.com",),
    "aol.com": ("aol.co",),
    "gmx.de": ("gmx.d",),
}
STAGES = ("subscriber", "Lead", "Marketing Qualified Lead", "MQL", "salesqualifiedlead", "Opportunity", "customer")
PHONE_FORMATS = ("e164", "international", "national", "dotted")


def _titles() -> list[str]:
    functions = (
        "Marketing",
        "Sales",
        "Engineering",
        "Product",
        "Finance",
        "People",
        "Operations",
        "Customer Success",
        "Data",
        "IT",
        "Design",
        "Legal",
        "Growth",
        "Business Development",
        "Security",
        "Procurement",
        "Supply Chain",
        "Brand",
        "Partnerships",
        "Revenue Operations",
    )
    roles = ("Manager", "Specialist", "Analyst", "Coordinator", "Associate", "Consultant", "Lead")
    out = [
        "CEO",
        "CTO",
        "CFO",
        "COO",
        "CMO",
        "CRO",
        "Founder",
        "Co-Founder",
        "Owner",
        "President",
        "Managing Director",
        "Geschäftsführer",
        "Founder & CEO",
        "Software Engineer",
        "Senior Software Engineer",
        "Software Engineer II",
        "Data Scientist",
        "Account Executive",
        "Senior Account Executive",
        "SDR",
        "BDR",
        "Sales Development Representative",
        "Executive Assistant",
        "Office Manager",
        "Intern",
        "Marketing Intern",
        "Working Student",
        "Student",
        "Freelancer",
        "Consultant",
        "Partner",
        "Teacher",
        "Nurse",
        "Architect",
        "Solutions Architect",
        "Product Owner",
        "Scrum Master",
        "Recruiter",
    ]
    for f in functions:
        out += [
            f"VP {f}",
            f"VP of {f}",
            f"Head of {f}",
            f"Director of {f}",
            f"{f} Director",
            f"Chief {f} Officer" if f in ("Marketing", "Revenue Operations", "Data", "Product") else f"{f} Lead",
        ]
        out += [f"{f} {r}" for r in roles] + [f"Senior {f} Manager", f"Junior {f} Analyst"]
    return list(dict.fromkeys(out))


TITLES = _titles()


def zipf_cum(n: int, offset: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (k + offset) for k in range(n)))


@dataclass(slots=True)
class Company:
    name: str  # as the company writes itself, with legal suffix
    base: str  # without suffix
    domain: str
    country: str


@dataclass(slots=True)
class Person:
    first: str
    last: str
    company: int
    email: str  # the address as the person types it
    email_kind: str  # corporate | free | disposable | role
    phone: str  # E.164, or "" when the person gives none
    phone_fmt: str
    country: str
    city: str
    title: str
    kind: str
    landline: bool
    needs_phone: bool = False  # a duplicate links by phone: every appearance carries it
    scenarios: list[str] = field(default_factory=list)  # per appearance, in file order


class Pools:
    """What every dataset shares (companies, titles, first names) and this one's last names."""

    def __init__(self, names: str) -> None:
        rng = random.Random(POOL_SEED)
        self.first = list(dict.fromkeys(list(NICKNAMES) + OTHER_FIRST))
        rng.shuffle(self.first)
        self.first_cum = zipf_cum(len(self.first), 20)
        self.nick_groups = {f: {f, *nicks} for f, nicks in NICKNAMES.items()}
        for f, nicks in NICKNAMES.items():
            for nick in nicks:
                self.nick_groups.setdefault(nick, set()).update({f, nick})
        # Real surnames first (the most common ones), then the made-up ones, by falling weight.
        cold = self._synthetic(random.Random(POOL_SEED + 1), ONSETS, CODAS, 3000, set(REAL_LAST))
        if names == "cold":
            self.last = REAL_LAST + cold
        else:
            taken = set(REAL_LAST) | set(cold)
            self.last = self._synthetic(random.Random(POOL_SEED + 2), WARM_ONSETS, WARM_CODAS, 3150, taken)
        self.last_cum = zipf_cum(len(self.last), 30)
        self.titles = TITLES
        self.title_cum = zipf_cum(len(self.titles), 15)
        self.countries = list(COUNTRIES)
        self.country_cum = list(itertools.accumulate(COUNTRIES[c][0] for c in self.countries))
        self.companies = self._companies(rng)
        self.company_cum = zipf_cum(len(self.companies), 200)
        self.regions = {c: self._regions(c) for c in self.countries}

    @staticmethod
    def _synthetic(rng: random.Random, onsets: list[str], codas: list[str], count: int, taken: set[str]) -> list[str]:
        combos = [o + c for o in onsets for c in codas] + [
            o + m + c for o in onsets for m in ("a", "er", "in") for c in codas
        ]
        rng.shuffle(combos)
        return [n for n in dict.fromkeys(combos) if n not in taken][:count]

    def _companies(self, rng: random.Random) -> list[Company]:
        out: list[Company] = []
        domains: set[str] = set()
        while len(out) < N_COMPANIES:
            a2 = self.countries[bisect.bisect(self.country_cum, rng.random() * self.country_cum[-1])]
            _, _, tlds, legal, _ = COUNTRIES[a2]
            stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()
            base = stem if rng.random() < 0.4 else f"{stem} {rng.choice(INDUSTRY_WORDS)}"
            slug = base.lower().replace(" ", rng.choice(("", "", "-")))
            domain = f"{slug}.{rng.choice(tlds)}"
            if domain in domains:
                continue
            domains.add(domain)
            suffix = rng.choice(legal)
            name = base if not suffix else (f"{base}{suffix}" if suffix.startswith(",") else f"{base} {suffix}")
            out.append(Company(name, base, domain, a2))
        return out

    @staticmethod
    def _regions(alpha2: str) -> list[str]:
        subs = sorted(pycountry.subdivisions.get(country_code=alpha2) or (), key=lambda s: s.code)
        top = [s for s in subs if s.parent_code is None][:12]
        return [v for s in top for v in (s.name, s.code.partition("-")[2])]

    def pick(self, rng: random.Random, items: list, cum: list[float]):  # noqa: ANN201
        return items[bisect.bisect(cum, rng.random() * cum[-1])]


class Generator:
    def __init__(self, seed: int, names: str) -> None:
        self.rng = random.Random(seed)
        self.pools = Pools(names)
        self.persons: list[Person] = []
        self.emails: set[str] = set()  # identity forms taken (gmail ignores dots), never reused

    # --- people ------------------------------------------------------------------------------------

    def make_people(self, n_records: int) -> list[tuple[int, int]]:
        """People until their appearances reach n_records; returns (person, appearance) slots."""
        rng, slots = self.rng, list[tuple[int, int]]()
        kinds = list(KINDS.items())[1:]
        while len(slots) < n_records:
            roll, kind, acc = rng.random(), "regular", 0.0
            for name, share in kinds:
                acc += share
                if roll < acc:
                    kind = name
                    break
            person = self._person(kind)
            pid = len(self.persons)
            self.persons.append(person)
            count = 1
            if rng.random() < DUP_SHARE:
                count = rng.choices([c for c, _ in DUP_COUNTS], [w for _, w in DUP_COUNTS])[0]
            person.scenarios = ["first"] + [self._scenario(person) for _ in range(count - 1)]
            person.needs_phone |= any(sc in PHONE_SCENARIOS for sc in person.scenarios)
            slots.extend((pid, a) for a in range(count))
        slots = slots[:n_records]
        rng.shuffle(slots)
        # Appearances are numbered in file order: the first one is written without duplicate noise.
        seen: Counter[int] = Counter()
        ordered = []
        for pid, _ in slots:
            ordered.append((pid, seen[pid]))
            seen[pid] += 1
        return ordered

    def _person(self, kind: str) -> Person:
        rng, pools = self.rng, self.pools
        partner = self._partner(kind)
        if partner is None and kind.startswith("neg_"):
            kind = "regular"
        first = pools.pick(rng, pools.first, pools.first_cum)
        last = pools.pick(rng, pools.last, pools.last_cum)
        company = bisect.bisect(pools.company_cum, rng.random() * pools.company_cum[-1])
        if partner is not None:
            if kind in ("neg_colleague", "neg_colleague_same_last"):
                company = partner.company
            if kind in ("neg_colleague_same_last", "neg_family_phone"):
                last = partner.last
                while first.lower() == partner.first.lower() or first in pools.nick_groups.get(partner.first, ()):
                    first = pools.pick(rng, pools.first, pools.first_cum)
            if kind == "neg_gmail_namesake":
                first, last = partner.first, partner.last
                if rng.random() < 0.3:
                    first = rng.choice(sorted(pools.nick_groups.get(first, {first})))
        comp = pools.companies[company]
        country = comp.country if rng.random() < 0.85 else pools.pick(rng, pools.countries, pools.country_cum)
        if partner is not None and kind == "neg_family_phone":
            country = partner.country
        email_kind = {
            "role_address": "role",
            "disposable": "disposable",
            "neg_gmail_namesake": "gmail",
            "neg_family_phone": "free",
            "neg_colleague": "corporate",
            "neg_colleague_same_last": "corporate",
        }.get(kind)
        if email_kind is None:
            email_kind = "corporate" if rng.random() < 0.68 else "free"
        email = self._email(first, last, comp.domain, email_kind, country)
        email_kind = "free" if email_kind == "gmail" else email_kind
        phone, landline = "", False
        if partner is not None and kind == "neg_family_phone":
            phone, landline = partner.phone, True
        elif rng.random() < 0.65:
            landline = rng.random() < 0.4
            phone = self._phone(country, PhoneNumberType.FIXED_LINE if landline else PhoneNumberType.MOBILE)
        city = COUNTRIES[country][4]
        person = Person(
            first,
            last,
            company,
            email,
            email_kind,
            phone,
            rng.choice(PHONE_FORMATS),
            country,
            rng.choice(city),
            pools.pick(rng, pools.titles, pools.title_cum),
            kind,
            landline,
        )
        if kind == "neg_family_phone":
            person.needs_phone = partner.needs_phone = True  # type: ignore[union-attr]
            person.city = partner.city  # type: ignore[union-attr]
        return person

    def _partner(self, kind: str) -> Person | None:
        if not kind.startswith("neg_") or not self.persons:
            return None
        for _ in range(20):
            p = self.persons[self.rng.randrange(len(self.persons))]
            if kind == "neg_gmail_namesake" and p.email.lower().endswith("@gmail.com"):
                return p
            if kind in ("neg_colleague", "neg_colleague_same_last") and p.email_kind == "corporate":
                return p
            if kind == "neg_family_phone" and p.landline and p.kind == "regular":
                return p
        return None

    @staticmethod
    def _identity(email: str) -> str:
        local, _, domain = email.lower().rpartition("@")
        if domain == "gmail.com":
            local = local.partition("+")[0].replace(".", "")
        return f"{local}@{domain}"

    def _claim(self, local: str, domain: str) -> str:
        """A free address from a wished-for local part: john.smith, john.smith2, ..."""
        for n in itertools.count(1):
            email = f"{local}{n if n > 1 else ''}@{domain}"
            key = self._identity(email)
            if key not in self.emails:
                self.emails.add(key)
                return email
        raise AssertionError  # pragma: no cover

    def _email(self, first: str, last: str, company_domain: str, kind: str, country: str) -> str:
        rng = self.rng
        f, lst = _ascii(first), _ascii(last)
        if kind == "role":
            return f"{rng.choice(ROLES)}@{company_domain}"  # shared mailboxes are not claimed
        if kind == "disposable":
            return self._claim(f"{f}{lst[:1]}{rng.randrange(100, 9999)}", rng.choice(DISPOSABLE))
        if kind == "corporate":
            return self._claim(corporate_local(rng, f, lst), company_domain)
        if kind == "gmail":
            domain = "gmail.com"
        else:
            domains = [d for d, _ in FREEMAIL if d != "gmx.de" or country in ("DE", "AT", "CH")]
            domain = rng.choices(domains, [w for d, w in FREEMAIL if d in domains])[0]
        local = rng.choice(
            (
                f"{f}.{lst}",
                f"{f}{lst}",
                f"{f}.{lst}{rng.randrange(1, 99)}",
                f"{f}_{lst}{rng.randrange(1960, 2005)}",
                f"{f[:1]}{lst}{rng.randrange(1, 999)}",
                f"{f}{lst[:1]}{rng.randrange(10, 99)}",
            )
        )
        return self._claim(local, domain)

    def _phone(self, region: str, kind: int) -> str:
        rng = self.rng
        example = phonenumbers.example_number_for_type(region, kind)
        assert example is not None, region
        nsn = phonenumbers.national_significant_number(example)
        for _ in range(20):
            digits = nsn[:3] + "".join(rng.choice(string.digits) for _ in range(len(nsn) - 3))
            number = phonenumbers.parse(f"+{example.country_code}{digits}")
            if phonenumbers.is_valid_number(number):
                return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        return phonenumbers.format_number(example, PhoneNumberFormat.E164)

    # --- records -----------------------------------------------------------------------------------

    def record(self, pid: int, appearance: int, position: int) -> tuple[tuple, str]:
        rng, person = self.rng, self.persons[pid]
        scenario = person.scenarios[appearance]
        source = rng.choices(SOURCES, (5, 3, 2))[0]
        comp = self.pools.companies[person.company]
        first, last, email, phone_fmt = person.first, person.last, person.email, person.phone_fmt
        phone: str | None = person.phone or None
        with_email = True
        if scenario == "freemail_tags":
            email = freemail_variant(rng, email)
        elif scenario.startswith("corp_alias"):
            email = self._corp_alias(person)
            if scenario == "corp_alias_nickname":
                first = nickname(rng, first)
            elif scenario == "corp_alias_typo":
                if rng.random() < 0.7:
                    last = typo(rng, last)
                else:
                    first = typo(rng, first)
        elif scenario == "name_variant_same_email":
            if first in NICKNAMES and rng.random() < 0.6:
                first = nickname(rng, first)
            elif rng.random() < 0.5:
                last = typo(rng, last)
            else:
                first = typo(rng, first)
        elif scenario.startswith("email_typo_phone"):
            email = self._email_typo(email)
            if scenario == "email_typo_phone_reformatted":
                phone_fmt = rng.choice([f for f in PHONE_FORMATS if f != phone_fmt])
        elif scenario == "no_email_phone":
            with_email = False
            phone_fmt = rng.choice([f for f in PHONE_FORMATS if f != phone_fmt])
        elif scenario == "other_email_phone":
            domain = comp.domain if person.email_kind != "corporate" else "gmail.com"
            local = corporate_local(rng, _ascii(first), _ascii(last))
            email = self._claim(local if domain == comp.domain else f"{local}{rng.randrange(10, 99)}", domain)
        if scenario in ("email_exact", "full_name", "name_variant_same_email", "freemail_tags"):
            email = case_noise(rng, email, 0.5)
        elif scenario == "first":
            email = case_noise(rng, email, 0.05)
        fields: dict[str, str] = {}
        if with_email:
            fields["email"] = pad(rng, email)
        if source == "ads" and rng.random() < 0.6 or scenario == "full_name":
            full = f"{first} {last}" if rng.random() < 0.8 or source == "ads" else f"{last}, {first}"
            fields["full_name"] = name_case(rng, full)
        else:
            fields["first_name"] = name_case(rng, first)
            fields["last_name"] = name_case(rng, last)
        needs_phone = person.needs_phone
        keep = {"crm": 0.85, "ads": 0.9, "events": 0.4}[source]
        if phone and (needs_phone or rng.random() < keep):
            fields["phone"] = format_phone(phone, phone_fmt)
        country_spellings = COUNTRIES[person.country][1]
        if (
            phone_fmt == "national"
            and "phone" in fields
            or rng.random() < {"crm": 0.9, "ads": 0.5, "events": 0.8}[source]
        ):
            fields["country"] = rng.choice(country_spellings)
        if rng.random() < {"crm": 0.9, "ads": 0.7, "events": 0.95}[source]:
            fields["company"] = company_variant(rng, comp)
        if rng.random() < {"crm": 0.6, "ads": 0.2, "events": 0.3}[source]:
            fields["website"] = website(rng, comp.domain)
        if rng.random() < {"crm": 0.85, "ads": 0.6, "events": 0.8}[source]:
            title = (
                person.title if rng.random() < 0.9 else self.pools.pick(rng, self.pools.titles, self.pools.title_cum)
            )
            fields["job_title"] = rng.choice((title, title, title, title.lower(), title.upper()))
        if source != "ads" and rng.random() < 0.5:
            fields["city"] = person.city
        if source == "crm":
            regions = self.pools.regions.get(person.country)
            if regions and rng.random() < 0.4:
                fields["region"] = rng.choice(regions)
            fields["hubspot_id"] = str(100_000_000 + position)
            fields["lifecycle_stage"] = rng.choice(STAGES)
            fields["created_at"] = datetime.fromtimestamp(T0 + rng.randrange(SPAN), UTC).strftime("%Y-%m-%d %H:%M")
        elif source == "ads":
            campaign = rng.randrange(40)
            fields.update(
                {
                    "campaign_id": str(23850000000 + campaign),
                    "campaign_name": f"Campaign {campaign}",
                    "form_id": str(9100 + campaign % 7),
                    "platform": rng.choice(("fb", "ig")),
                }
            )
        else:
            fields["utm_source"] = rng.choice(("webinar", "trade-show", "meetup"))
        return (source, str(position), T0 + rng.randrange(SPAN), fields), scenario

    def _scenario(self, person: Person) -> str:
        names = list(SCENARIOS)[1:]
        scenario = self.rng.choices(names, [SCENARIOS[n] for n in names])[0]
        domain = person.email.rpartition("@")[2].lower()
        if scenario == "freemail_tags" and domain not in PLUS_TAG_DOMAINS:
            return "email_exact"
        if scenario.startswith("corp_alias") and person.email_kind != "corporate":
            return "email_exact"
        if scenario == "corp_alias_nickname" and person.first not in NICKNAMES:
            return "corp_alias"
        if scenario in PHONE_SCENARIOS and (not person.phone or person.email_kind in ("role", "disposable")):
            return "email_exact"
        return scenario

    def _corp_alias(self, person: Person) -> str:
        local, _, domain = person.email.rpartition("@")
        f, lst = _ascii(person.first), _ascii(person.last)
        for _ in range(10):
            alias = corporate_local(self.rng, f, lst)
            if alias != local and self._identity(f"{alias}@{domain}") not in self.emails:
                return self._claim(alias, domain)
        return self._claim(f"{f}.{lst}.{self.rng.randrange(10, 99)}", domain)

    def _email_typo(self, email: str) -> str:
        """One slip of the keyboard: in a free-mail local part, or in a corporate domain."""
        rng = self.rng
        local, _, domain = email.rpartition("@")
        for _ in range(10):
            if domain.lower() in FREEMAIL_TYPOS and rng.random() < 0.3:
                candidate = f"{local}@{rng.choice(FREEMAIL_TYPOS[domain.lower()])}"
            elif domain.lower() in FREEMAIL_TYPOS:
                candidate = f"{typo(rng, local, letters_only=True)}@{domain}"
            else:
                label, _, rest = domain.partition(".")
                candidate = f"{local}@{typo(rng, label, letters_only=True)}.{rest}"
            key = self._identity(candidate)
            if key not in self.emails:
                self.emails.add(key)  # nobody else may own the mistyped address
                return candidate
        return email


def _ascii(name: str) -> str:
    table = str.maketrans({"ü": "ue", "ö": "oe", "ä": "ae", "é": "e", "ã": "a", "'": "", " ": ""})
    return name.lower().translate(table)


def corporate_local(rng: random.Random, f: str, lst: str) -> str:
    return rng.choices(
        (
            f"{f}.{lst}",
            f"{f[0]}{lst}",
            f"{f[0]}.{lst}",
            f"{f}",
            f"{f}{lst[0]}",
            f"{f}_{lst}",
            f"{lst}{f[0]}",
            f"{f}-{lst}",
        ),
        (50, 15, 10, 3, 5, 5, 5, 5),
    )[0]


KEYBOARD = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm", "wqrteyuoipsadgfhkjlxzvcnbm", strict=True)}


def typo(rng: random.Random, word: str, letters_only: bool = False) -> str:
    """One edit: a neighbouring key, a dropped, doubled or swapped letter (never the first one)."""
    if len(word) < 3:
        return word + word[-1]
    for _ in range(10):
        i = rng.randrange(1, len(word))
        op = rng.randrange(4)
        ch = word[i]
        if letters_only and not ch.isalpha():
            continue
        if op == 0 and ch.lower() in KEYBOARD:
            out = word[:i] + KEYBOARD[ch.lower()] + word[i + 1 :]
        elif op == 1 and len(word) > 3:
            out = word[:i] + word[i + 1 :]
        elif op == 2:
            out = word[:i] + ch + word[i:]
        elif i < len(word) - 1:
            out = word[:i] + word[i + 1] + ch + word[i + 2 :]
        else:
            continue
        if out.lower() != word.lower():
            return out
    return word + "e"


def nickname(rng: random.Random, first: str) -> str:
    return rng.choice(NICKNAMES[first]) if first in NICKNAMES else first


def name_case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.12:
        return text.upper()
    if roll < 0.24:
        return text.lower()
    if roll < 0.28:
        return f" {text}  "
    return text


def case_noise(rng: random.Random, email: str, share: float) -> str:
    if rng.random() >= share:
        return email
    return rng.choice((email.upper(), email.title(), email.capitalize(), email.lower()))


def pad(rng: random.Random, text: str) -> str:
    return f" {text} " if rng.random() < 0.03 else text


def freemail_variant(rng: random.Random, email: str) -> str:
    local, _, domain = email.rpartition("@")
    if domain.lower() == "gmail.com":
        if "." in local and rng.random() < 0.5:
            local = local.replace(".", "")
        else:
            i = rng.randrange(1, len(local))
            local = local[:i] + "." + local[i:] if "." not in local[i - 1 : i + 1] else local + "."
            local = local.rstrip(".")
        if rng.random() < 0.6:
            local += "+" + rng.choice(("news", "leads", "work", "spam", "2024"))
        if rng.random() < 0.1:
            domain = "googlemail.com"
    else:
        local += "+" + rng.choice(("news", "leads", "work", "promo"))
    return f"{local}@{domain}"


def format_phone(e164: str, fmt: str) -> str:
    number = phonenumbers.parse(e164)
    if fmt == "e164":
        return e164
    if fmt == "international":
        return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    if fmt == "national":
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    text = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return text.replace(" ", ".").replace("-", ".")  # "+1.201.555.0123"


def company_variant(rng: random.Random, comp: Company) -> str:
    return rng.choice((comp.name, comp.name, comp.base, comp.name.upper(), comp.base.lower()))


def website(rng: random.Random, domain: str) -> str:
    return rng.choice(
        (
            f"https://www.{domain}",
            f"https://{domain}/",
            f"www.{domain}",
            domain,
            f"http://www.{domain}/about",
            f"https://{domain}/en-us",
        )
    )


def accounts(pools: Pools) -> list[dict[str, str]]:
    """The reference table: ~80% of companies, domains written as people write them."""
    rng = random.Random(POOL_SEED + 3)
    rows = []
    for comp in pools.companies:
        if rng.random() >= 0.8:
            continue
        spellings = COUNTRIES[comp.country][1]
        rows.append(
            {
                "domain": rng.choice((comp.domain, comp.domain, f"www.{comp.domain}", f"https://{comp.domain}")),
                "company_name": comp.name,
                "industry": rng.choice(INDUSTRIES),
                "employee_count": str(int(10 ** rng.uniform(0.5, 5))) if rng.random() < 0.85 else "",
                "revenue_range": rng.choice(REVENUES),
                "company_country_code": rng.choice((comp.country, spellings[-1])),
                "tech_stack": ";".join(rng.sample(TECH, rng.randrange(0, 6))),
            }
        )
    return rows


def write_dataset(out_dir: Path, n: int, seed: int, names: str = "cold", chunk: int = CHUNK) -> dict:
    """Generate N records into out_dir (see the module docstring); returns the metadata written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, names)
    slots = gen.make_people(n)
    scen_counts = dict.fromkeys(SCENARIOS, 0)
    with (out_dir / "records.marshal").open("wb") as fh:
        for start in range(0, len(slots), chunk):
            records, pids, scen, kinds = [], [], bytearray(), bytearray()
            for pos in range(start, min(start + chunk, len(slots))):
                pid, appearance = slots[pos]
                rec, scenario = gen.record(pid, appearance, pos)
                records.append(rec)
                pids.append(pid)
                scen.append(SCENARIO_CODES[scenario])
                kinds.append(KIND_CODES[gen.persons[pid].kind])
                scen_counts[scenario] += 1
            marshal.dump((records, pids, bytes(scen), bytes(kinds)), fh)
    with (out_dir / "accounts.marshal").open("wb") as fh:
        marshal.dump(accounts(gen.pools), fh)
    kind_counts = dict.fromkeys(KINDS, 0)
    for p in gen.persons:
        kind_counts[p.kind] += 1
    meta = {
        "records": len(slots),
        "persons": len(gen.persons),
        "seed": seed,
        "names": names,
        "chunk": chunk,
        "scenarios": list(SCENARIOS),
        "kinds": list(KINDS),
        "scenario_counts": scen_counts,
        "kind_counts": kind_counts,
        "companies": len(gen.pools.companies),
        "last_names": len(gen.pools.last),
        "first_names": len(gen.pools.first),
        "titles": len(gen.pools.titles),
    }
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta


def read_chunks(path: Path):  # noqa: ANN201
    """Yield (records, person ids, scenario codes, kind codes) chunk by chunk."""
    with path.open("rb") as fh:
        while True:
            try:
                yield marshal.load(fh)
            except EOFError:
                return


if __name__ == "__main__":  # python bench/identity_data.py OUT_DIR N [SEED] [cold|warm]
    import sys

    args = sys.argv[1:]
    print(
        json.dumps(
            write_dataset(
                Path(args[0]), int(args[1]), int(args[2]) if len(args) > 2 else 1, args[3] if len(args) > 3 else "cold"
            ),
            indent=1,
        )
    )
