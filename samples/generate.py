#!/usr/bin/env python3
# =============================================================================================
# Deterministic generator for the sample exports in samples/ (stdlib only).
#
#   python samples/generate.py             write samples/crm_contacts.csv and samples/ad_leads.jsonl
#   python samples/generate.py --check     exit 1 unless the files on disk are byte-identical
#   python samples/generate.py --manifest  print every row/line and the defect it carries as JSON
#
# Same bytes on every run: every random draw comes from random.Random seeded with a string
# (string seeds go through SHA-512, so PYTHONHASHSEED does not matter) and no clock is read.
# Each CRM record k and each ad line L has its own seeded stream, so editing one row never
# shifts the others. All values are invented; phone numbers use the fictional 555-01xx
# (North America) and Ofcom drama ranges where such ranges exist.
#
# ---------------------------------------------------------------------------------------------
# crm_contacts.csv -- HubSpot-style contact export
# ---------------------------------------------------------------------------------------------
# 350 records on 352 physical lines (line 1 = header; record 48 spans lines 49-50), "\n" line
# endings, UTF-8 (except one line, see below), no BOM. Record k (1..350, file order) has
# Record ID 51234000+k and starts on line k+1 for k < 48 and on line k+2 for k > 48.
# Create Date is roughly ascending (+/-30 h jitter, so not strictly); Last Modified Date is not.
#
# Malformed records (7); none at the end of the file:
#   line  89  51234087  Last Modified Date is "last tuesday"
#   line 125  (blank)   Record ID is blank (51234123 does not exist)
#   line 163  51234161  too few columns: 9 instead of 15 (ends after Country/Region)
#   line 201  51234199  Job Title is 1,048,576 x "A" (the file is ~1.05 MB because of it)
#   line 238  51234236  Company Name has BEL \x07 and ESC \x1b: "Meridian\x07 Cloud\x1b Systems"
#   line 274  51234272  raw bytes \xff\xfe (invalid UTF-8) inside Last Name: b"Du\xff\xfebois"
#   line 307  51234305  Company Name opens a quote that is never closed: the line ends in
#                       ',"Acme, Inc' (only 6 columns). The valid records on lines 308 (51234306),
#                       309 (51234307) and 310 (51234308) follow; they contain no quote character
#                       until line 310's quoted Company Name "Brightline Media, LLC". So Python's
#                       csv module (strict=False) swallows lines 308-309 and the start of 310 into
#                       one 16-column record and resynchronises at line 311; with strict=True it
#                       raises csv.Error on line 310.
# Valid on purpose (must NOT be counted as malformed):
#   lines 49-50  51234048  Company Name "Smith, Jones\n& Partners" (quoted; embedded newline, comma)
# Counts: 343 well-formed records (350 - 7); Python's csv module sees 340 of them (all but
# 51234306-51234308) when field_size_limit is raised; with the default limit (131072) it raises
# "field larger than field limit" on line 201 and can continue on line 202.
# Reading with a strict UTF-8 decoder fails on line 274; use errors="surrogateescape" or bytes.
#
# Dirty but well-formed CRM records, by Record ID (51234xxx; listed as xxx = k):
#   placeholders      009 Job Title "N/A"; 022 Company Name "-" and Website URL "-";
#                     041 Country/Region "Select"; 063 Phone Number "n/a"; 078 Last Name "unknown";
#                     104 Job Title "none"; 131 First "Test", Last "test", Email "test@test.com",
#                     Company Name "test", Job Title "test"; 177 Country/Region "unknown" and
#                     Job Title "-"; 219 Company Name "N/A"; 248 Email "none"; 283 Email "N/A";
#                     322 Job Title "Select"; 341 Company Name "n/a" and Website URL "none"
#   whitespace        005 First Name leading, Last Name trailing; 027 Company Name doubled inner
#                     space + trailing; 052 Email padded both sides; 070 Job Title doubled inner +
#                     leading; 093 First Name padded; 116 Company Name leading; 139 Email trailing;
#                     168 Last Name leading, Job Title trailing; 190 Company Name doubled inner;
#                     227 First Name trailing, Last Name padded; 256 Email leading; 290 Job Title
#                     doubled inner; 318 Website URL trailing, Phone Number padded;
#                     347 Company Name padded, First Name trailing
#   email case        014 "JOHN.SMITH@Northwind-Logistics.COM"; 036 059 084 111 145 183 204 241 266
#                     297 333 (UPPER / Title.Case / UPPER domain variants)
#   name case         018 127 262 338 lower; 044 "mary" "o'neil"; 067 158 315 UPPER;
#                     099 230 last name UPPER; 196 first name lower
#   non-ASCII names   011 José Núñez (Country "españa"); 029 Zoë Müller; 075 Łukasz Żółć;
#                     109 First "太郎" Last "山田"; 152 Søren Kierkegård; 193 Ana-María Gómez;
#                     279 Björn Ångström; 325 Çağla Öztürk   (pool names carry accents too)
#   prefix / suffix   016 "Dr. Jane" Doe; 055 Robert "Smith Jr."; 101 "Prof. Dr. Klaus" Weber;
#                     142 "Mr. Daniel" Okafor; 212 Hannah "Lindqvist, PhD";
#                     287 William "Carter III";
#                     329 "Dra. Lucía" Ferrer
#   gmail dots/plus   031 j.o.h.n+ads@gmail.com; 088 sarah.k.lindgren+crm@gmail.com;
#                     137 m.a.r.c.o.r+newsletter@gmail.com; 209 priya.n+hubspot@googlemail.com;
#                     267 Tom.Becker+2026@Gmail.com
#   role addresses    024 info@ (no name); 081 sales@ (name "Sales" "Team"); 119 marketing@;
#                     174 contact@; 223 hello@ (no name); 302 office@   (all at the company domain)
#   disposable        046 asdf@mailinator.com; 133 lead4521@mailinator.com;
#                     239 kevin.t@guerrillamail.com; 312 x7hq2@yopmail.com
#   invalid email     038 "jane.doe@" (no name); 097 "bob at example.com"; 149 "x@@y.com";
#                     186 "maria.garcia@gmail"; 251 "@nordlicht-software.de";
#                     294 "l.martin@lumiere-analytique,fr"; 336 "anna.schmidt@gmx .de"
#                     (all of these, and 248/283 above, have a phone number)
#   no email, phone   020 061 113 171 233 277 319 (233's Email is three spaces)
#   uncontactable     073 178 243: Email and Phone Number both blank
#   duplicate emails  5 pairs, same person and byte-identical Email on two Record IDs:
#                     012/140 033/207 057/259 096/299 163/331
#   free mail         74 records use a free-mail domain (gmail.com, yahoo.com, outlook.com,
#                     hotmail.com, icloud.com, protonmail.com, gmx.de, web.de, orange.fr, ...):
#                     see --manifest
# Every other email is unique under strip().lower() (and under Gmail canonicalisation), and no two
# different people in either file share a full name (ignoring case and accents).
#
# ---------------------------------------------------------------------------------------------
# ad_leads.jsonl -- Meta-style lead-ads export
# ---------------------------------------------------------------------------------------------
# 300 physical lines, "\n" endings, one JSON object per line in the stated key order, written
# with ensure_ascii=False. The record on line L has id str(1208876543210000 + L), so the id's last
# three digits are its line number. created_time is roughly ascending (+/-16 h jitter).
# 4 campaigns, 7 ad sets, 12 ads, 2 forms; 21 well-formed lines are organic (is_organic true, and
# the six ad/adset/campaign fields are ""); 118 use a free-mail domain (see --manifest).
#
# Defective lines (6); none at the end of the file:
#   line  41  blank line (not a record; readers skip it)
#   line  83  truncated JSON: '{"id": "1208876543210083", "created_time": "2026-10-1'
#   line 129  a JSON array (the record's 16 values) instead of an object
#   line 176  "id" is an object {"value": "1208876543210176"} instead of a string
#   line 214  "created_time": "not a date"
#   line 258  raw bytes \xff\xfe (invalid UTF-8) inside full_name
# Counts: 299 non-blank lines; 294 well-formed records (lines other than the 6 above).
#
# Dirty but well-formed ad lines, by line number (= last 3 digits of id):
#   placeholders      007 company_name "N/A"; 019 job_title "-"; 033 phone_number "none";
#                     058 company_name "n/a", job_title "n/a"; 077 full_name "Test Test",
#                     email "asdf@asdf.com", company_name "test", job_title "test";
#                     101 job_title "Select"; 145 company_name "unknown"; 188 phone_number "-";
#                     233 job_title "none"; 271 company_name "-", job_title "N/A"; 289 email "-"
#   whitespace        004 full_name padded; 026 email padded; 049 company_name doubled + trailing;
#                     088 job_title leading; 117 full_name doubled inner; 160 email trailing;
#                     205 company_name padded; 247 full_name trailing, email leading;
#                     283 job_title doubled inner
#   email case        012 037 065 096 138 171 222 265
#   name case         015 "liam o'connor"; 092 199 296 lower; 045 240 UPPER; 151 last name UPPER
#   non-ASCII names   023 Łucja Wróblewska; 053 Jürgen Groß; 110 Ngô Thị Hương; 133 Иван Петров;
#                     184 Élodie Chassé; 228 Mikael Ågren; 262 Siobhán Ní Bhriain;
#                     277 Dagný Þórsdóttir
#   prefix / suffix   029 Dr. Amelia Hart; 071 James Whitaker Jr.; 124 Prof. Henrik Sørensen;
#                     193 Mrs. Olivia Grant; 252 Dr. med. Petra Vogt; 286 Carlos Mendes Neto
#   gmail dots/plus   009 laura.b+fbleads@gmail.com; 062 d.a.v.i.d.k+promo@gmail.com;
#                     141 MeganR+ig@gmail.com; 217 c.h.e.n.li@gmail.com;
#                     274 nina.h+webinar@googlemail.com
#   role addresses    056 info@; 119 sales@; 201 team@; 260 marketing@
#   disposable        031 qwerty@mailinator.com; 105 free.trial@mailinator.com;
#                     180 tmp8812@10minutemail.com; 236 zz.lead@sharklasers.com
#   invalid email     014 "anna.k@"; 067 "peter at nordlicht-software.de"; 127 "y@@z.com";
#                     197 "marco.rossi@gmail,com"; 255 "lena@@web.de"   (all have a phone number)
#   no email, phone   162 244
#   uncontactable     098 292: email and phone_number both ""
#
# ---------------------------------------------------------------------------------------------
# People in both files (CRM Record ID -> ad line)
# ---------------------------------------------------------------------------------------------
# 60 CRM people also submitted an ad form. The ad's email is a re-cased and/or whitespace-padded
# copy of the CRM email (never byte-identical), so email.strip().lower() matches exactly these 60
# pairs across the files; 10 of them are plain gmail.com addresses without plus tags or dot
# changes. full_name is a compatible form of First/Last Name: joined, re-cased, padded, accents
# folded (José Núñez -> "Jose Nunez"), honorific dropped ("Dr. Jane" Doe -> "Jane Doe"), or in
# Japanese order ("山田 太郎"). The phone, when present, is the same number in E.164 form.
#   OVERLAP (CRM k -> ad line; * = gmail.com):
#   008->040* 011->126  014->139  016->054  017->254  029->093  032->239  035->291
#   044->050  047->122  058->194  065->155  070->061  071->055* 072->059  082->090
#   086->143* 099->227  105->039* 106->256  109->027  110->224  121->107  126->229
#   128->132  129->008  139->021  150->242  152->246  157->020  159->079* 166->038
#   172->042  175->140* 185->103  192->043  195->243  215->114  216->172  225->251
#   226->002* 230->269  240->276  241->022  250->018  252->102  254->287  257->109
#   261->106  262->200  269->150* 271->086  273->203  300->219  311->100* 318->125
#   330->273  338->232  348->270  350->189*
# 6 more CRM people are in the ads with a Gmail variant of their address (dots moved, plus tag,
# googlemail.com); only Gmail canonicalisation (drop dots and +tag, googlemail -> gmail) finds them:
#   GMAIL-ONLY (CRM k -> ad line):
#   068->279  107->082  108->097  156->165  173->263  258->266
# No other email matches across the files under either rule (blank values aside, no placeholder
# or invalid email string occurs in both files), and ad-only people never share a CRM person's
# email or full name. The overlapping ad lines carry no defect besides their case/padding.
# =============================================================================================
"""Generate the sample CRM (CSV) and Meta lead-ads (JSONL) exports; see the comment above."""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SEED = "leads-etl/samples/v1"
HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "crm_contacts.csv"
JSONL_PATH = HERE / "ad_leads.jsonl"

CSV_HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Company Name",
    "Website URL",
    "Job Title",
    "Country/Region",
    "Lifecycle Stage",
    "Lead Status",
    "Contact owner",
    "Create Date",
    "Last Modified Date",
    "Original Source",
]
AD_KEYS = [
    "id",
    "created_time",
    "ad_id",
    "ad_name",
    "adset_id",
    "adset_name",
    "campaign_id",
    "campaign_name",
    "form_id",
    "is_organic",
    "platform",
    "email",
    "full_name",
    "phone_number",
    "company_name",
    "job_title",
]
CRM_RECORDS = 350
CRM_ID_BASE = 51234000
AD_LINES = 300
AD_ID_BASE = 1208876543210000

# Where the defects are (asserted against the bytes actually written).
CSV_DEFECT_LINES = {
    "bad_last_modified_date": 89,
    "blank_record_id": 125,
    "too_few_columns": 163,
    "oversized_job_title": 201,
    "control_characters": 238,
    "invalid_utf8": 274,
    "unterminated_quote": 307,
}
CSV_MULTILINE_VALID_LINES = (49, 50)
CSV_SWALLOWED_LINES = (308, 309, 310)
JSONL_DEFECT_LINES = {
    "blank_line": 41,
    "truncated_json": 83,
    "json_array": 129,
    "id_not_string": 176,
    "bad_created_time": 214,
    "invalid_utf8": 258,
}


def rng_for(*parts: object) -> random.Random:
    return random.Random(":".join([SEED, *map(str, parts)]))


def wpick(u: float, pairs: Sequence[tuple[T, float]]) -> T:
    """Weighted choice driven by one uniform draw u in [0, 1)."""
    total = sum(w for _, w in pairs)
    x = u * total
    for item, w in pairs:
        if x < w:
            return item
        x -= w
    return pairs[-1][0]


# ---------------------------------------------------------------------------------------------
# Pools
# ---------------------------------------------------------------------------------------------

GENERIC_FREEMAIL = [
    ("gmail.com", 50),
    ("yahoo.com", 10),
    ("outlook.com", 10),
    ("hotmail.com", 8),
    ("icloud.com", 5),
    ("protonmail.com", 2),
]


def _words(text: str) -> list[str]:
    return text.split()


def _names(text: str) -> list[str]:
    """Names separated by "|" (for names that contain spaces)."""
    return text.split("|")


COUNTRIES: dict[str, dict[str, Any]] = {
    "US": dict(
        weight=30,
        labels=[
            ("United States", 62),
            ("US", 14),
            ("USA", 8),
            ("united states", 4),
            ("U.S.", 3),
            ("", 5),
        ],
        first=_words(
            "James Emily Michael Sarah David Jessica Christopher Ashley Daniel Megan Brian Lauren "
            "Kevin Rachel Jason Nicole Ryan Amanda Tyler Olivia Marcus Priya Carlos Mei Andre "
            "Hannah Derek Tasha Nathan Grace"
        ),
        last=_words(
            "Johnson Williams Brown Miller Davis Garcia Rodriguez Martinez Anderson Taylor Thomas "
            "Moore Jackson Thompson White Harris Clark Lewis Walker Patel Nguyen Kim Chen Reyes "
            "Sullivan Bennett Hughes Foster McAllister O'Brien"
        ),
        companies=[
            ("Northwind Logistics", "northwind-logistics.com"),
            ("Bluepeak Software", "bluepeak.io"),
            ("Cedar & Stone Analytics", "cedarstone-analytics.com"),
            ("Harborview Health Partners", "harborviewhealth.com"),
            ("Ironclad Fintech", "ironcladfin.com"),
            ("Meridian Cloud Systems", "meridiancloud.com"),
            ("Pinecrest Manufacturing", "pinecrest-mfg.com"),
            ("Silverline Media Group", "silverlinemedia.co"),
            ("Tallgrass Robotics", "tallgrassrobotics.com"),
            ("Quarry Lane Capital", "quarrylane.com"),
            ("Copperfield Retail", "copperfieldretail.com"),
            ("Redwood Ridge Insurance", "redwoodridge-ins.com"),
            ("Vantage Point Labs", "vantagepointlabs.ai"),
            ("Lakeshore Biotech", "lakeshorebio.com"),
            ("Summit Freight Co.", "summitfreight.com"),
            ("Bright Harbor Marketing", "brightharbor.agency"),
        ],
        universities=_names("University of Michigan|Arizona State University"),
        freemail=[],
        phone="NANP_US",
    ),
    "UK": dict(
        weight=11,
        labels=[("United Kingdom", 60), ("UK", 15), ("GB", 8), ("England", 7), ("", 5)],
        first=_words(
            "Oliver Amelia Harry Isla George Charlotte Jack Sophie Thomas Emily William Poppy "
            "Alfie Freya Callum Niamh Rhys Imogen Rory Eleanor"
        ),
        last=_words(
            "Smith Jones Taylor Evans Roberts Walsh Hughes Wright Edwards Green Hall Wood Harrison "
            "Clarke Kaur Murphy Fletcher Ashworth"
        ),
        companies=[
            ("Harrow & Finch Ltd", "harrowfinch.co.uk"),
            ("Kestrel Data Ltd", "kestreldata.co.uk"),
            ("Ashdown Property Group", "ashdownproperty.co.uk"),
            ("Thamesgate Consulting", "thamesgate.co.uk"),
            ("Wrenfield Engineering", "wrenfield.co.uk"),
            ("Hartley, Brooks & Co", "hartleybrooks.co.uk"),
            ("Pennine Outdoor Ltd", "pennineoutdoor.co.uk"),
        ],
        universities=_names("University of Leeds|King's College London"),
        freemail=[("yahoo.co.uk", 8), ("btinternet.com", 5)],
        phone="UK",
    ),
    "DE": dict(
        weight=14,
        labels=[("Germany", 55), ("DE", 18), ("Deutschland", 14), ("germany", 5), ("", 5)],
        first=_words(
            "Lukas Anna Felix Lena Jonas Marie Maximilian Sophie Leon Laura Tobias Katharina "
            "Jürgen Matthias Sabine Stefan Julia Franziska Jörg Annika"
        ),
        last=_words(
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch "
            "Richter Klein Wolf Schröder Neumann Zimmermann Krüger Hartmann Weiß"
        ),
        companies=[
            ("Bergmann Anlagenbau GmbH", "bergmann-anlagenbau.de"),
            ("Nordlicht Software GmbH", "nordlicht-software.de"),
            ("Rheinwerk Logistik AG", "rheinwerk-logistik.de"),
            ("Falkenstein Medizintechnik GmbH", "falkenstein-medtech.de"),
            ("Kupfer & Söhne KG", "kupfer-soehne.de"),
            ("Isarblick Ventures", "isarblick.vc"),
            ("Elbtal Energie GmbH", "elbtal-energie.de"),
        ],
        universities=_names("TU München|Universität Mannheim"),
        freemail=[("gmx.de", 12), ("web.de", 10), ("t-online.de", 4)],
        phone="DE",
        local_titles=_names("Geschäftsführer|Leiter Marketing|Vertriebsleiter|Teamleiterin Einkauf"),
    ),
    "FR": dict(
        weight=9,
        labels=[("France", 68), ("FR", 18), ("france ", 6), ("", 5)],
        first=_words(
            "Camille Louis Léa Hugo Chloé Lucas Manon Théo Inès Julien Élodie Mathieu Océane Rémi "
            "Hélène Nicolas Amélie Benoît Clémence Antoine"
        ),
        last=_words(
            "Martin Bernard Dubois Robert Richard Petit Durand Leroy Moreau Lefèvre Girard Bonnet "
            "Dupont Lambert Fontaine Rousseau Mercier Chevalier Gauthier Perrin"
        ),
        companies=[
            ("Lumière Analytique SAS", "lumiere-analytique.fr"),
            ("Groupe Vauclair", "vauclair.fr"),
            ("Atelier Marchetti", "atelier-marchetti.fr"),
            ("Solenne Cosmétiques", "solenne-cosmetiques.fr"),
            ("Brière & Associés", "briere-associes.fr"),
        ],
        universities=_names("Université Paris-Saclay|HEC Paris"),
        freemail=[("orange.fr", 8), ("free.fr", 5), ("laposte.net", 3)],
        phone="FR",
        local_titles=_names("Directeur Commercial|Responsable Marketing|Chef de projet digital"),
    ),
    "ES": dict(
        weight=7,
        labels=[("Spain", 45), ("españa", 20), ("España", 15), ("ES", 15), ("", 5)],
        first=_words(
            "Alejandro Lucía Javier María Pablo Carmen Sergio Elena Álvaro Paula Raúl Laura Íñigo Nuria Andrés Marta"
        ),
        last=_words(
            "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Jiménez Ruiz "
            "Hernández Díaz Muñoz Álvarez Romero Navarro Torres"
        ),
        companies=[
            ("Solaria Energía S.L.", "solaria-energia.es"),
            ("Grupo Albarrán", "grupoalbarran.es"),
            ("Marítima del Sur", "maritimadelsur.es"),
            ("Tecnologías Alcor S.A.", "alcor-tec.es"),
        ],
        universities=_names("Universidad Complutense de Madrid|IE University"),
        freemail=[("hotmail.es", 8), ("yahoo.es", 4)],
        phone="ES",
        local_titles=_names("Gerente de Ventas|Director de Marketing|Jefa de Producto"),
    ),
    "BR": dict(
        weight=7,
        labels=[("Brazil", 45), ("Brasil", 35), ("BR", 15), ("", 5)],
        first=_words(
            "João Ana Pedro Beatriz Lucas Mariana Gabriel Larissa Rafael Fernanda Thiago Camila "
            "Felipe Juliana Matheus Letícia"
        ),
        last=_words(
            "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro "
            "Martins Carvalho Araújo Conceição"
        ),
        companies=[
            ("Vale Verde Agrotech", "valeverde-agro.com.br"),
            ("Ipanema Pagamentos", "ipanemapag.com.br"),
            ("Cerrado Tecnologia Ltda.", "cerradotec.com.br"),
            ("Logística Paulista", "logpaulista.com.br"),
        ],
        universities=_names("Universidade de São Paulo|FGV"),
        freemail=[("uol.com.br", 6), ("bol.com.br", 4)],
        phone="BR",
        local_titles=_names("Diretor de Tecnologia|Gerente de Marketing|Analista de Dados"),
    ),
    "NL": dict(
        weight=5,
        labels=[("Netherlands", 60), ("NL", 20), ("The Netherlands", 15), ("", 5)],
        first=_words("Daan Sanne Bram Fleur Sem Lotte Thijs Anouk Ruben Femke"),
        last=_names("de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Visser|Smit|Meijer|de Boer"),
        companies=[
            ("Dijkstra Fulfilment B.V.", "dijkstra-fulfilment.nl"),
            ("Grachtenhuis Digital", "grachtenhuis.nl"),
            ("Polder Robotics", "polderrobotics.nl"),
        ],
        universities=_names("TU Delft"),
        freemail=[("ziggo.nl", 5)],
        phone="NL",
    ),
    "DK": dict(
        weight=3,
        labels=[("Denmark", 70), ("DK", 25), ("", 5)],
        first=_words("Mads Freja Rasmus Ida Mette Frederik Line Anders"),
        last=_words("Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Kjær"),
        companies=[
            ("Nordhavn Shipping ApS", "nordhavn-shipping.dk"),
            ("Skovlund Design", "skovlund.dk"),
        ],
        universities=_names("Aarhus Universitet"),
        freemail=[],
        phone="DK",
    ),
    "SE": dict(
        weight=3,
        labels=[("Sweden", 65), ("Sverige", 15), ("SE", 15), ("", 5)],
        first=_words("Erik Astrid Lars Elin Oskar Maja Johan Saga"),
        last=_words("Andersson Johansson Karlsson Nilsson Eriksson Lindqvist Bergström Åberg"),
        companies=[
            ("Fjällvik Outdoor AB", "fjallvik.se"),
            ("Norrsken Analytics AB", "norrsken-analytics.se"),
        ],
        universities=_names("KTH Royal Institute of Technology"),
        freemail=[],
        phone="SE",
    ),
    "JP": dict(
        weight=2,
        labels=[("Japan", 80), ("JP", 20)],
        # (kanji first, kanji last, romaji first, romaji last)
        jp_names=[
            ("翔太", "佐藤", "Shota", "Sato"),
            ("陽菜", "鈴木", "Hina", "Suzuki"),
            ("健", "高橋", "Ken", "Takahashi"),
            ("美咲", "田中", "Misaki", "Tanaka"),
            ("大輔", "伊藤", "Daisuke", "Ito"),
            ("由美", "渡辺", "Yumi", "Watanabe"),
        ],
        companies=[
            ("Sakura Precision K.K.", "sakura-precision.co.jp"),
            ("Kaito Systems Inc.", "kaito-systems.jp"),
        ],
        universities=_names("Keio University"),
        freemail=[("yahoo.co.jp", 12)],
        phone="JP",
    ),
    "CA": dict(
        weight=4,
        labels=[("Canada", 80), ("CA", 15), ("", 5)],
        first=_words("Liam Emma Noah Chloe Ethan Geneviève Mathieu Ava Owen Zoe"),
        last=_words("Tremblay Gagnon Roy Côté Wilson MacDonald Campbell Singh Leblanc Young"),
        companies=[
            ("Maple Arc Software", "maplearc.ca"),
            ("Laurentian Foods Inc.", "laurentianfoods.ca"),
        ],
        universities=_names("McGill University"),
        freemail=[],
        phone="NANP_CA",
    ),
    "IT": dict(
        weight=3,
        labels=[("Italy", 60), ("Italia", 25), ("IT", 15)],
        first=_words("Giulia Marco Francesca Alessandro Chiara Luca Sara Matteo"),
        last=_words("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci"),
        companies=[
            ("Ferraro Design Srl", "ferrarodesign.it"),
            ("Officine Lombarde S.p.A.", "officinelombarde.it"),
        ],
        universities=_names("Politecnico di Milano"),
        freemail=[("libero.it", 8)],
        phone="IT",
    ),
    "PL": dict(
        weight=2,
        labels=[("Poland", 60), ("Polska", 25), ("PL", 15)],
        first=_words("Jakub Zofia Kacper Julia Mateusz Agnieszka Paweł Małgorzata"),
        last=_words("Nowak Wójcik Kowalczyk Mazur Krawczyk Zając Król Wróbel"),
        companies=[
            ("Wisła Systems sp. z o.o.", "wisla-systems.pl"),
            ("Bałtyk Logistics", "baltyk-logistics.pl"),
        ],
        universities=_names("Politechnika Warszawska"),
        freemail=[("wp.pl", 8), ("onet.pl", 5)],
        phone="PL",
    ),
}
COUNTRY_WEIGHTS = [(c, v["weight"]) for c, v in COUNTRIES.items()]
AD_COUNTRY_WEIGHTS = [(c, v["weight"] * (1.4 if c in ("US", "UK", "DE") else 1.0)) for c, v in COUNTRIES.items()]

TITLES: list[tuple[str, float, str]] = [
    ("Founder & CEO", 4, ""),
    ("CEO", 3, ""),
    ("Co-Founder", 2, ""),
    ("CTO", 3, ""),
    ("CFO", 2, ""),
    ("COO", 2, ""),
    ("Chief Marketing Officer", 2, ""),
    ("CMO", 1, ""),
    ("VP of Marketing", 4, ""),
    ("VP Sales", 3, ""),
    ("VP of Engineering", 2, ""),
    ("Vice President, Revenue Operations", 1, ""),
    ("Head of Growth", 4, ""),
    ("Head of Marketing", 4, ""),
    ("Director of Demand Generation", 3, ""),
    ("Director of Operations", 2, ""),
    ("Head of Data", 2, ""),
    ("Sales Director", 3, ""),
    ("IT Director", 2, ""),
    ("Marketing Manager", 8, ""),
    ("Product Manager", 5, ""),
    ("Account Manager", 4, ""),
    ("Engineering Manager", 3, ""),
    ("Procurement Manager", 3, ""),
    ("Growth Marketing Manager", 3, ""),
    ("Office Manager", 2, ""),
    ("Operations Manager", 3, ""),
    ("Software Engineer", 6, ""),
    ("Senior Software Engineer", 3, ""),
    ("Data Analyst", 4, ""),
    ("Marketing Specialist", 4, ""),
    ("Sales Development Representative", 4, ""),
    ("Account Executive", 4, ""),
    ("Content Writer", 2, ""),
    ("UX Designer", 2, ""),
    ("Consultant", 3, ""),
    ("Business Analyst", 3, ""),
    ("Student", 4, "student"),
    ("Intern", 2, "student"),
    ("Freelancer", 2, "freelance"),
    ("Retired", 1, ""),
    ("", 6, ""),
]

CORP_PATTERNS = [
    ("first.last", 50),
    ("flast", 20),
    ("first", 9),
    ("firstl", 8),
    ("first_last", 7),
    ("last.first", 6),
]
FREE_PATTERNS = [
    ("first.last", 30),
    ("firstlast", 20),
    ("first.lastNN", 18),
    ("flastNN", 12),
    ("firstlastNN", 12),
    ("last.first", 8),
]
STAGES = [
    ("Subscriber", 14),
    ("Lead", 34),
    ("Marketing Qualified Lead", 18),
    ("Sales Qualified Lead", 10),
    ("Opportunity", 7),
    ("Customer", 9),
    ("", 8),
]
STATUSES = [
    ("New", 22),
    ("Open", 18),
    ("In progress", 14),
    ("Attempted to contact", 14),
    ("Connected", 10),
    ("Unqualified", 8),
    ("", 14),
]
OWNERS = [
    ("Dana Whitfield", 22),
    ("Marcus Ohlsson", 18),
    ("Priya Raman", 18),
    ("Tomás Ferreira", 14),
    ("Leah Goldberg", 12),
    ("", 16),
]
SOURCES = [
    ("Organic Search", 22),
    ("Paid Social", 16),
    ("Direct Traffic", 14),
    ("Referrals", 10),
    ("Offline Sources", 8),
    ("Email Marketing", 12),
    ("Paid Search", 18),
]
WEBSITE_FORMS = [
    ("https://www.{d}", 30),
    ("https://{d}", 15),
    ("http://{d}/", 8),
    ("www.{d}", 15),
    ("{d}", 12),
    ("https://www.{d}/", 8),
    ("", 12),
]
FREELANCE_COMPANIES = ["Self-employed", "Freelance", "", "Independent consultant"]

# Meta campaign structure: campaign -> ad sets -> ads. Each campaign feeds one form.
FORM_DEMO = "1450987654321001"
FORM_CONTENT = "1450987654321002"
CAMPAIGNS: list[dict[str, Any]] = [
    dict(
        id="120211045890010001",
        name="Q4-2026 | LeadGen | B2B Demo Request | US+UK",
        form=FORM_DEMO,
        weight=40,
        start=(10, 1),
        end=(11, 30),
        adsets=[
            (
                "120211045890020011",
                "US/UK - Marketing & RevOps leaders - 28-60",
                [
                    ("120211045890030111", "Demo - Carousel - 3 pains v2"),
                    ("120211045890030112", "Demo - Video 15s - Founder"),
                ],
            ),
            (
                "120211045890020012",
                "US/UK - Lookalike 1% - Customers",
                [
                    ("120211045890030121", "Demo - Static - G2 badge"),
                    ("120211045890030122", "Demo - Video 15s - Founder"),
                ],
            ),
        ],
    ),
    dict(
        id="120211045890010002",
        name="Q4-2026 | LeadGen | Webinar: Clean CRM Data in 30 Days",
        form=FORM_CONTENT,
        weight=25,
        start=(10, 1),
        end=(11, 12),
        adsets=[
            (
                "120211045890020021",
                "Global - Interests: Salesforce, HubSpot",
                [
                    ("120211045890030211", "Webinar - Speaker Static"),
                    ("120211045890030212", "Webinar - Reel 9x16"),
                ],
            ),
            (
                "120211045890020022",
                "EU - Job titles: Marketing Ops",
                [("120211045890030221", "Webinar - Speaker Static EU")],
            ),
        ],
    ),
    dict(
        id="120211045890010003",
        name="Retargeting | Pricing page visitors 30d | Nov-2026",
        form=FORM_DEMO,
        weight=15,
        start=(11, 1),
        end=(11, 30),
        adsets=[
            (
                "120211045890020031",
                "Website visitors - /pricing - 30d",
                [
                    ("120211045890030311", "RT - Customer quote carousel"),
                    ("120211045890030312", "RT - Free trial offer"),
                ],
            )
        ],
    ),
    dict(
        id="120211045890010004",
        name="DACH | Whitepaper Datenqualität 2026",
        form=FORM_CONTENT,
        weight=20,
        start=(10, 14),
        end=(11, 30),
        adsets=[
            (
                "120211045890020041",
                "DACH - Interessen: Logistik, Fertigung",
                [
                    ("120211045890030411", "Whitepaper DE - Static"),
                    ("120211045890030412", "Whitepaper DE - Carousel"),
                ],
            ),
            (
                "120211045890020042",
                "DACH - Lookalike 2% - MQLs",
                [("120211045890030421", "Whitepaper DE - Static")],
            ),
        ],
    ),
]

CRM_START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)
CRM_END = datetime(2026, 11, 15, 23, 59, tzinfo=UTC)
AD_START = datetime(2026, 10, 1, 0, 0, 0, tzinfo=UTC)
AD_END = datetime(2026, 11, 15, 23, 59, 59, tzinfo=UTC)

# ---------------------------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "đ": "d",
        "ı": "i",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
    }
)


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def slug(name: str) -> str:
    out = ascii_fold(name).lower()
    for ch in " '.’":
        out = out.replace(ch, "")
    return out


def email_local(first: str, last: str, pattern: str, num: int) -> str:
    f, g = slug(first), slug(last)
    return {
        "first.last": f"{f}.{g}",
        "flast": f"{f[0]}{g}",
        "first": f,
        "firstl": f"{f}{g[0]}",
        "first_last": f"{f}_{g}",
        "last.first": f"{g}.{f}",
        "firstlast": f"{f}{g}",
        "first.lastNN": f"{f}.{g}{num:02d}",
        "flastNN": f"{f[0]}{g}{num:02d}",
        "firstlastNN": f"{f}{g}{num:02d}",
    }[pattern]


def ws(value: str, op: str, where: str = "") -> str:
    if not value.strip():
        raise ValueError(f"{where}: whitespace defect {op!r} on an empty value")
    if op == "pad":
        return "  " + value + " "
    if op == "lead":
        return " " + value
    if op == "trail":
        return value + "  "
    if op == "dbl":
        if " " not in value.strip():
            raise ValueError(f"{where}: cannot double an inner space in {value!r}")
        head = len(value) - len(value.lstrip())
        return value[:head] + value[head:].replace(" ", "  ", 1)
    raise ValueError(op)


def email_case(email: str, op: str) -> str:
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    if op == "upper_mixed":  # JOHN.SMITH@Example.COM
        return local.upper() + "@" + ".".join([lab.title() for lab in labels[:-1]] + [labels[-1].upper()])
    if op == "title":  # John.Smith@Northwind-Logistics.com
        return (
            ".".join(p[:1].upper() + p[1:] for p in local.split("."))
            + "@"
            + ".".join([lab.title() for lab in labels[:-1]] + [labels[-1]])
        )
    if op == "upper":
        return email.upper()
    if op == "mixed_domain":
        return local + "@" + domain.upper()
    raise ValueError(op)


def name_case(first: str, last: str, op: str) -> tuple[str, str]:
    if op == "lower":
        return first.lower(), last.lower()
    if op == "upper":
        return first.upper(), last.upper()
    if op == "lastupper":
        return first, last.upper()
    if op == "firstlower":
        return first.lower(), last
    raise ValueError(op)


def simple_key(email: str) -> str | None:
    """The lowercase+strip match key, for strings that look like one address (else None)."""
    e = email.strip().lower()
    local, at, domain = e.partition("@")
    if not at or not local or "@" in domain or "." not in domain or " " in e or "," in e or ".." in domain:
        return None
    if domain.endswith(".") or domain.startswith("."):
        return None
    return e


def gmail_key(email: str) -> str | None:
    e = simple_key(email)
    if e is None:
        return None
    local, _, domain = e.partition("@")
    if domain in ("gmail.com", "googlemail.com"):
        return local.split("+", 1)[0].replace(".", "") + "@gmail.com"
    return e


# ---------------------------------------------------------------------------------------------
# Phones: (country calling code, national significant number, [(formatted, weight)])
# ---------------------------------------------------------------------------------------------


def _digits(r: random.Random, n: int) -> str:
    return "".join(str(r.randint(0, 9)) for _ in range(n))


def make_phone(kind: str, r: random.Random):
    if kind.startswith("NANP"):
        acs = (
            ["415", "212", "312", "617", "206", "512", "303", "646", "408", "737"]
            if kind == "NANP_US"
            else ["416", "604", "514", "613"]
        )
        ac, sub = r.choice(acs), f"01{r.randint(0, 99):02d}"
        ext = r.randint(2, 450)
        return (
            "1",
            f"{ac}555{sub}",
            [
                (f"+1 ({ac}) 555-{sub}", 24),
                (f"({ac}) 555-{sub}", 20),
                (f"{ac}-555-{sub}", 14),
                (f"{ac}.555.{sub}", 6),
                (f"+1{ac}555{sub}", 10),
                (f"1-{ac}-555-{sub}", 5),
                (f"({ac}) 555-{sub} ext. {ext}", 7),
                (f"{ac} 555 {sub}", 6),
            ],
        )
    if kind == "DE":
        ac = r.choice(["30", "40", "89", "69", "221", "711", "151", "160", "171", "176"])
        num = _digits(r, 7 if len(ac) == 2 else (8 if ac.startswith("1") else 6))
        return (
            "49",
            ac + num,
            [
                (f"0{ac} {num}", 20),
                (f"+49 {ac} {num}", 22),
                (f"+49 (0){ac} {num}", 10),
                (f"0049 {ac} {num}", 6),
                (f"0{ac}/{num}", 10),
                (f"+49{ac}{num}", 8),
                (f"0{ac}-{num}", 6),
            ],
        )
    if kind == "UK":
        which, d3 = r.choice(["london", "mobile", "manchester"]), f"{r.randint(0, 999):03d}"
        if which == "london":
            return (
                "44",
                f"2079460{d3}",
                [
                    (f"+44 20 7946 0{d3}", 30),
                    (f"020 7946 0{d3}", 35),
                    (f"+44 (0)20 7946 0{d3}", 15),
                    (f"+4420 7946 0{d3}", 5),
                ],
            )
        if which == "mobile":
            return (
                "44",
                f"7700900{d3}",
                [(f"07700 900{d3}", 45), (f"+44 7700 900{d3}", 35), (f"+447700900{d3}", 10)],
            )
        return "44", f"1614960{d3}", [(f"0161 496 0{d3}", 60), (f"+44 161 496 0{d3}", 40)]
    if kind == "FR":
        d, p = r.choice("1467"), [_digits(r, 2) for _ in range(4)]
        return (
            "33",
            d + "".join(p),
            [
                (f"+33 {d} {' '.join(p)}", 30),
                (f"0{d} {' '.join(p)}", 35),
                (f"0{d}.{'.'.join(p)}", 15),
                (f"+33 (0){d} {' '.join(p)}", 10),
                (f"0{d}{''.join(p)}", 10),
            ],
        )
    if kind == "ES":
        if r.random() < 0.5:
            n = "91" + _digits(r, 7)
            return (
                "34",
                n,
                [(f"+34 {n[:3]} {n[3:6]} {n[6:]}", 50), (f"{n[:3]} {n[3:6]} {n[6:]}", 50)],
            )
        n = "6" + _digits(r, 8)
        return (
            "34",
            n,
            [(f"+34 {n[:3]} {n[3:6]} {n[6:]}", 45), (f"{n[:3]} {n[3:5]} {n[5:7]} {n[7:]}", 55)],
        )
    if kind == "BR":
        ddd = r.choice(["11", "21", "31"])
        if r.random() < 0.7:
            n = "9" + _digits(r, 8)
            return (
                "55",
                ddd + n,
                [
                    (f"+55 {ddd} {n[:5]}-{n[5:]}", 35),
                    (f"({ddd}) {n[:5]}-{n[5:]}", 35),
                    (f"+55 ({ddd}) {n[:5]}-{n[5:]}", 15),
                    (f"{ddd} {n[:5]} {n[5:]}", 15),
                ],
            )
        n = "3" + _digits(r, 7)
        return "55", ddd + n, [(f"({ddd}) {n[:4]}-{n[4:]}", 60), (f"+55 {ddd} {n[:4]}-{n[4:]}", 40)]
    if kind == "NL":
        if r.random() < 0.5:
            n = _digits(r, 7)
            return "31", "20" + n, [(f"+31 20 {n[:3]} {n[3:]}", 50), (f"020-{n[:3]} {n[3:]}", 50)]
        n = _digits(r, 8)
        return "31", "6" + n, [(f"06-{n}", 55), (f"+31 6 {n}", 45)]
    if kind == "DK":
        n = r.choice("2345") + _digits(r, 7)
        return (
            "45",
            n,
            [
                (f"+45 {n[:2]} {n[2:4]} {n[4:6]} {n[6:]}", 50),
                (f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:]}", 30),
                (n, 20),
            ],
        )
    if kind == "SE":
        if r.random() < 0.5:
            n = _digits(r, 7)
            return (
                "46",
                "8" + n,
                [(f"+46 8 {n[:3]} {n[3:5]} {n[5:]}", 50), (f"08-{n[:3]} {n[3:5]} {n[5:]}", 50)],
            )
        n = _digits(r, 7)
        return (
            "46",
            "70" + n,
            [(f"070-{n[:3]} {n[3:5]} {n[5:]}", 55), (f"+46 70 {n[:3]} {n[3:5]} {n[5:]}", 45)],
        )
    if kind == "JP":
        if r.random() < 0.5:
            a, b = _digits(r, 4), _digits(r, 4)
            return "81", f"3{a}{b}", [(f"+81 3-{a}-{b}", 50), (f"03-{a}-{b}", 50)]
        a, b = _digits(r, 4), _digits(r, 4)
        return "81", f"90{a}{b}", [(f"090-{a}-{b}", 60), (f"+81 90-{a}-{b}", 40)]
    if kind == "IT":
        if r.random() < 0.5:
            a, b = _digits(r, 4), _digits(r, 4)
            return "39", f"02{a}{b}", [(f"+39 02 {a} {b}", 50), (f"02 {a} {b}", 50)]
        a, b = _digits(r, 3), _digits(r, 4)
        return "39", f"347{a}{b}", [(f"347 {a} {b}", 55), (f"+39 347 {a} {b}", 45)]
    if kind == "PL":
        if r.random() < 0.5:
            n = _digits(r, 7)
            return (
                "48",
                "22" + n,
                [(f"+48 22 {n[:3]} {n[3:5]} {n[5:]}", 55), (f"22 {n[:3]} {n[3:5]} {n[5:]}", 45)],
            )
        n = "5" + _digits(r, 8)
        return "48", n, [(f"+48 {n[:3]} {n[3:6]} {n[6:]}", 50), (f"{n[:3]}-{n[3:6]}-{n[6:]}", 50)]
    raise ValueError(kind)


# ---------------------------------------------------------------------------------------------
# Hand-placed CRM defects, keyed by record ordinal k (Record ID = 51234000 + k)
# ---------------------------------------------------------------------------------------------

CRM_MULTILINE = 48
CRM_BAD_DATE = 87
CRM_BLANK_ID = 123
CRM_FEW_COLUMNS = 161
CRM_HUGE_FIELD = 199
CRM_CONTROL = 236
CRM_BAD_UTF8 = 272
CRM_OPEN_QUOTE = 305
CRM_SWALLOWED = (306, 307, 308)  # 308 carries the next quote character in the file
CRM_SPECIAL = {
    CRM_MULTILINE,
    CRM_BAD_DATE,
    CRM_BLANK_ID,
    CRM_FEW_COLUMNS,
    CRM_HUGE_FIELD,
    CRM_CONTROL,
    CRM_BAD_UTF8,
    CRM_OPEN_QUOTE,
    *CRM_SWALLOWED,
}
BAD_BYTES_MARK = "\ue000"  # replaced by b"\xff\xfe" after encoding

# Person overrides (draw-level): the row is generated as this person from the start.
CRM_PEOPLE: dict[int, dict] = {
    # non-ASCII names
    11: dict(
        first="José",
        last="Núñez",
        country="ES",
        label="españa",
        company=("Solaria Energía S.L.", "solaria-energia.es"),
    ),
    29: dict(
        first="Zoë",
        last="Müller",
        country="DE",
        company=("Nordlicht Software GmbH", "nordlicht-software.de"),
    ),
    75: dict(
        first="Łukasz",
        last="Żółć",
        country="PL",
        company=("Wisła Systems sp. z o.o.", "wisla-systems.pl"),
    ),
    109: dict(
        first="太郎",
        last="山田",
        efirst="Taro",
        elast="Yamada",
        country="JP",
        company=("Sakura Precision K.K.", "sakura-precision.co.jp"),
    ),
    152: dict(
        first="Søren",
        last="Kierkegård",
        country="DK",
        company=("Nordhavn Shipping ApS", "nordhavn-shipping.dk"),
    ),
    193: dict(
        first="Ana-María",
        last="Gómez",
        country="ES",
        company=("Grupo Albarrán", "grupoalbarran.es"),
    ),
    279: dict(first="Björn", last="Ångström", country="SE", company=("Fjällvik Outdoor AB", "fjallvik.se")),
    325: dict(
        first="Çağla",
        last="Öztürk",
        country="DE",
        company=("Elbtal Energie GmbH", "elbtal-energie.de"),
    ),
    # honorifics / suffixes (true name here; the decoration is added to the CRM field below)
    16: dict(
        first="Jane",
        last="Doe",
        country="US",
        company=("Harborview Health Partners", "harborviewhealth.com"),
        title="Chief Medical Officer",
    ),
    55: dict(first="Robert", last="Smith", country="US"),
    101: dict(first="Klaus", last="Weber", country="DE"),
    142: dict(first="Daniel", last="Okafor", country="UK"),
    212: dict(first="Hannah", last="Lindqvist", country="SE"),
    287: dict(first="William", last="Carter", country="US"),
    329: dict(first="Lucía", last="Ferrer", country="ES"),
    # named examples
    14: dict(
        first="John",
        last="Smith",
        country="US",
        company=("Northwind Logistics", "northwind-logistics.com"),
        corp_pattern="first.last",
        freemail=False,
    ),
    44: dict(first="Mary", last="O'Neil", country="US"),
    70: dict(title="Head of Growth"),
    # gmail dots / plus tags (email set explicitly)
    31: dict(first="John", last="Harper", country="US", email="j.o.h.n+ads@gmail.com"),
    88: dict(first="Sarah", last="Lindgren", country="US", email="sarah.k.lindgren+crm@gmail.com"),
    137: dict(first="Marco", last="Ricci", country="IT", email="m.a.r.c.o.r+newsletter@gmail.com"),
    209: dict(first="Priya", last="Natarajan", country="UK", email="priya.n+hubspot@googlemail.com"),
    267: dict(first="Tom", last="Becker", country="DE", email="Tom.Becker+2026@Gmail.com"),
    # role addresses (at the company's domain)
    24: dict(role="info", first="", last="", freemail=False, title=""),
    81: dict(role="sales", first="Sales", last="Team", freemail=False),
    119: dict(role="marketing", freemail=False),
    174: dict(role="contact", freemail=False),
    223: dict(role="hello", first="", last="", freemail=False, title=""),
    302: dict(role="office", freemail=False),
    # disposable domains
    46: dict(email="asdf@mailinator.com"),
    133: dict(email="lead4521@mailinator.com"),
    239: dict(first="Kevin", last="Tran", country="US", email="kevin.t@guerrillamail.com"),
    312: dict(email="x7hq2@yopmail.com"),
    # invalid emails (all keep a phone number)
    38: dict(first="", last="", email="jane.doe@", phone=True),
    97: dict(first="Bob", last="Jenkins", country="US", email="bob at example.com", phone=True),
    149: dict(email="x@@y.com", phone=True),
    186: dict(first="María", last="García", country="ES", email="maria.garcia@gmail", phone=True),
    251: dict(
        country="DE",
        company=("Nordlicht Software GmbH", "nordlicht-software.de"),
        email="@nordlicht-software.de",
        phone=True,
    ),
    294: dict(
        first="Léa",
        last="Martin",
        country="FR",
        company=("Lumière Analytique SAS", "lumiere-analytique.fr"),
        email="l.martin@lumiere-analytique,fr",
        phone=True,
    ),
    336: dict(first="Anna", last="Schmidt", country="DE", email="anna.schmidt@gmx .de", phone=True),
    # special rows
    CRM_MULTILINE: dict(
        first="Eleanor",
        last="Ashworth",
        country="UK",
        title="Managing Partner",
        company=("Smith, Jones\n& Partners", "smithjones-partners.co.uk"),
        freemail=False,
    ),
    CRM_CONTROL: dict(
        country="US",
        company=("Meridian\x07 Cloud\x1b Systems", "meridiancloud.com"),
        freemail=False,
    ),
    CRM_BAD_UTF8: dict(
        first="Claire",
        last="Dubois",
        country="FR",
        company=("Groupe Vauclair", "vauclair.fr"),
        freemail=False,
    ),
    CRM_OPEN_QUOTE: dict(first="Peter", last="Hale", country="US", email="peter.hale@acme-inc.com", phone=True),
    306: dict(
        country="US",
        company=("Copperfield Retail", "copperfieldretail.com"),
        title="Marketing Manager",
    ),
    307: dict(
        country="DE",
        company=("Rheinwerk Logistik AG", "rheinwerk-logistik.de"),
        title="Head of Data",
    ),
    308: dict(
        country="US",
        company=("Brightline Media, LLC", "brightlinemedia.com"),
        title="VP of Marketing",
        freemail=False,
    ),
}
# Placeholders and blanks at field level: record -> {column: value}.
CRM_SET: dict[int, dict[str, str]] = {
    9: {"Job Title": "N/A"},
    22: {"Company Name": "-", "Website URL": "-"},
    41: {"Country/Region": "Select"},
    63: {"Phone Number": "n/a"},
    78: {"Last Name": "unknown"},
    104: {"Job Title": "none"},
    131: {
        "First Name": "Test",
        "Last Name": "test",
        "Email": "test@test.com",
        "Company Name": "test",
        "Job Title": "test",
    },
    177: {"Country/Region": "unknown", "Job Title": "-"},
    219: {"Company Name": "N/A"},
    248: {"Email": "none"},
    283: {"Email": "N/A"},
    322: {"Job Title": "Select"},
    341: {"Company Name": "n/a", "Website URL": "none"},
    # no email, phone present
    20: {"Email": ""},
    61: {"Email": ""},
    113: {"Email": ""},
    171: {"Email": ""},
    233: {"Email": "   "},
    277: {"Email": ""},
    319: {"Email": ""},
    # uncontactable
    73: {"Email": "", "Phone Number": ""},
    178: {"Email": "", "Phone Number": ""},
    243: {"Email": "", "Phone Number": ""},
    # honorifics / suffixes on the CRM side
    16: {"First Name": "Dr. Jane"},
    55: {"Last Name": "Smith Jr."},
    101: {"First Name": "Prof. Dr. Klaus"},
    142: {"First Name": "Mr. Daniel"},
    212: {"Last Name": "Lindqvist, PhD"},
    287: {"Last Name": "Carter III"},
    329: {"First Name": "Dra. Lucía"},
    # malformed
    CRM_BAD_DATE: {"Last Modified Date": "last tuesday"},
    CRM_BLANK_ID: {"Record ID": ""},
    CRM_HUGE_FIELD: {"Job Title": "A" * 1048576},
    CRM_BAD_UTF8: {"Last Name": "Du" + BAD_BYTES_MARK + "bois"},
}
CRM_PLACEHOLDER_ROWS = [9, 22, 41, 63, 78, 104, 131, 177, 219, 248, 283, 322, 341]
CRM_NO_EMAIL_ROWS = [20, 61, 113, 171, 233, 277, 319]
CRM_UNCONTACTABLE_ROWS = [73, 178, 243]
for _k in CRM_NO_EMAIL_ROWS + [248, 283, 318]:  # these must keep a phone number
    CRM_PEOPLE.setdefault(_k, {})["phone"] = True
CRM_PEOPLE[318].update(country="UK", company=("Kestrel Data Ltd", "kestreldata.co.uk"), website="www.kestreldata.co.uk")
CRM_WHITESPACE: dict[int, list[tuple[str, str]]] = {
    5: [("First Name", "lead"), ("Last Name", "trail")],
    27: [("Company Name", "dbl"), ("Company Name", "trail")],
    52: [("Email", "pad")],
    70: [("Job Title", "dbl"), ("Job Title", "lead")],
    93: [("First Name", "pad")],
    116: [("Company Name", "lead")],
    139: [("Email", "trail")],
    168: [("Last Name", "lead"), ("Job Title", "trail")],
    190: [("Company Name", "dbl")],
    227: [("First Name", "trail"), ("Last Name", "pad")],
    256: [("Email", "lead")],
    290: [("Job Title", "dbl")],
    318: [("Website URL", "trail"), ("Phone Number", "pad")],
    347: [("Company Name", "pad"), ("First Name", "trail")],
}
CRM_EMAIL_CASE = {
    14: "upper_mixed",
    36: "title",
    59: "upper",
    84: "mixed_domain",
    111: "upper_mixed",
    145: "title",
    183: "upper",
    204: "title",
    241: "mixed_domain",
    266: "upper_mixed",
    297: "title",
    333: "upper",
}
CRM_NAME_CASE = {
    18: "lower",
    44: "lower",
    67: "upper",
    99: "lastupper",
    127: "lower",
    158: "upper",
    196: "firstlower",
    230: "lastupper",
    262: "lower",
    315: "upper",
    338: "lower",
}
CRM_NON_ASCII_ROWS = [11, 29, 75, 109, 152, 193, 279, 325]
CRM_HONORIFIC_ROWS = [16, 55, 101, 142, 212, 287, 329]
CRM_GMAIL_PLUS_ROWS = [31, 88, 137, 209, 267]
CRM_ROLE_ROWS = [24, 81, 119, 174, 223, 302]
CRM_DISPOSABLE_ROWS = [46, 133, 239, 312]
CRM_INVALID_EMAIL_ROWS = [38, 97, 149, 186, 251, 294, 336]
CRM_DUP_PAIRS = [(12, 140), (33, 207), (57, 259), (96, 299), (163, 331)]

# ---------------------------------------------------------------------------------------------
# Hand-placed ad defects, keyed by physical line L (id = 1208876543210000 + L)
# ---------------------------------------------------------------------------------------------

AD_BLANK = 41
AD_TRUNCATED = 83
AD_ARRAY = 129
AD_ID_OBJECT = 176
AD_BAD_TIME = 214
AD_BAD_UTF8 = 258
AD_DEFECTS = {AD_BLANK, AD_TRUNCATED, AD_ARRAY, AD_ID_OBJECT, AD_BAD_TIME, AD_BAD_UTF8}

AD_PEOPLE: dict[int, dict] = {
    15: dict(first="Liam", last="O'Connor", country="US"),
    23: dict(first="Łucja", last="Wróblewska", country="PL"),
    53: dict(first="Jürgen", last="Groß", country="DE"),
    110: dict(first="Hương", last="Ngô", full="Ngô Thị Hương", efirst="huong", elast="ngo", country="US"),
    133: dict(first="Иван", last="Петров", efirst="ivan", elast="petrov", country="DE"),
    184: dict(first="Élodie", last="Chassé", country="FR"),
    228: dict(first="Mikael", last="Ågren", country="SE"),
    262: dict(first="Siobhán", last="Ní Bhriain", country="UK"),
    277: dict(first="Dagný", last="Þórsdóttir", country="DK"),
    29: dict(first="Amelia", last="Hart", full="Dr. Amelia Hart", country="US"),
    71: dict(first="James", last="Whitaker", full="James Whitaker Jr.", country="US"),
    124: dict(first="Henrik", last="Sørensen", full="Prof. Henrik Sørensen", country="DK"),
    193: dict(first="Olivia", last="Grant", full="Mrs. Olivia Grant", country="UK"),
    252: dict(first="Petra", last="Vogt", full="Dr. med. Petra Vogt", country="DE"),
    286: dict(first="Carlos", last="Mendes Neto", country="BR"),
    9: dict(first="Laura", last="Bishop", country="US", email="laura.b+fbleads@gmail.com"),
    62: dict(first="David", last="Kowalczyk", country="PL", email="d.a.v.i.d.k+promo@gmail.com"),
    141: dict(first="Megan", last="Ross", country="US", email="MeganR+ig@gmail.com"),
    217: dict(first="Li", last="Chen", country="US", email="c.h.e.n.li@gmail.com"),
    274: dict(first="Nina", last="Hoffmann", country="DE", email="nina.h+webinar@googlemail.com"),
    56: dict(role="info", country="UK"),
    119: dict(role="sales", country="DE"),
    201: dict(role="team", country="NL"),
    260: dict(role="marketing", country="FR"),
    31: dict(email="qwerty@mailinator.com"),
    105: dict(email="free.trial@mailinator.com"),
    180: dict(email="tmp8812@10minutemail.com"),
    236: dict(email="zz.lead@sharklasers.com"),
    14: dict(first="Anna", last="Kaminski", country="US", email="anna.k@", phone=True),
    67: dict(
        first="Peter",
        last="Vogel",
        country="DE",
        email="peter at nordlicht-software.de",
        phone=True,
    ),
    127: dict(email="y@@z.com", phone=True),
    197: dict(first="Marco", last="Rossi", country="IT", email="marco.rossi@gmail,com", phone=True),
    255: dict(first="Lena", last="Krause", country="DE", email="lena@@web.de", phone=True),
    162: dict(phone=True),
    244: dict(phone=True),
    AD_BAD_UTF8: dict(first="René", last="Fontaine", full="Ren" + BAD_BYTES_MARK + " Fontaine", country="FR"),
}
AD_SET: dict[int, dict[str, str]] = {
    7: {"company_name": "N/A"},
    19: {"job_title": "-"},
    33: {"phone_number": "none"},
    58: {"company_name": "n/a", "job_title": "n/a"},
    77: {
        "full_name": "Test Test",
        "email": "asdf@asdf.com",
        "company_name": "test",
        "job_title": "test",
    },
    101: {"job_title": "Select"},
    145: {"company_name": "unknown"},
    188: {"phone_number": "-"},
    233: {"job_title": "none"},
    271: {"company_name": "-", "job_title": "N/A"},
    289: {"email": "-"},
    162: {"email": ""},
    244: {"email": ""},
    98: {"email": "", "phone_number": ""},
    292: {"email": "", "phone_number": ""},
}
AD_PLACEHOLDER_ROWS = [7, 19, 33, 58, 77, 101, 145, 188, 233, 271, 289]
AD_PEOPLE.setdefault(289, {})["phone"] = True
AD_NO_EMAIL_ROWS = [162, 244]
AD_UNCONTACTABLE_ROWS = [98, 292]
AD_WHITESPACE: dict[int, list[tuple[str, str]]] = {
    4: [("full_name", "pad")],
    26: [("email", "pad")],
    49: [("company_name", "dbl"), ("company_name", "trail")],
    88: [("job_title", "lead")],
    117: [("full_name", "dbl")],
    160: [("email", "trail")],
    205: [("company_name", "pad")],
    247: [("full_name", "trail"), ("email", "lead")],
    283: [("job_title", "dbl")],
}
AD_EMAIL_CASE = {
    12: "upper_mixed",
    37: "title",
    65: "upper",
    96: "mixed_domain",
    138: "title",
    171: "upper_mixed",
    222: "mixed_domain",
    265: "title",
}
AD_NAME_CASE = {
    15: "lower",
    45: "upper",
    92: "lower",
    151: "lastupper",
    199: "lower",
    240: "upper",
    296: "lower",
}
AD_NON_ASCII_ROWS = [23, 53, 110, 133, 184, 228, 262, 277]
AD_HONORIFIC_ROWS = [29, 71, 124, 193, 252, 286]
AD_GMAIL_PLUS_ROWS = [9, 62, 141, 217, 274]
AD_ROLE_ROWS = [56, 119, 201, 260]
AD_DISPOSABLE_ROWS = [31, 105, 180, 236]
AD_INVALID_EMAIL_ROWS = [14, 67, 127, 197, 255]

# People in both files: these CRM records are forced into the overlap (names that test matching).
OVERLAP_FORCED = [11, 16, 29, 44, 109, 152]
OVERLAP_COUNT = 60
OVERLAP_GMAIL_SIMPLE = 10
OVERLAP_GMAIL_ONLY = 6

# ---------------------------------------------------------------------------------------------
# Plan: which CRM records meet which ad lines
# ---------------------------------------------------------------------------------------------


def _crm_categorised() -> set[int]:
    cats: set[int] = set(CRM_SPECIAL)
    for group in (
        CRM_PLACEHOLDER_ROWS,
        CRM_NO_EMAIL_ROWS,
        CRM_UNCONTACTABLE_ROWS,
        CRM_NON_ASCII_ROWS,
        CRM_HONORIFIC_ROWS,
        CRM_GMAIL_PLUS_ROWS,
        CRM_ROLE_ROWS,
        CRM_DISPOSABLE_ROWS,
        CRM_INVALID_EMAIL_ROWS,
        CRM_WHITESPACE,
        CRM_EMAIL_CASE,
        CRM_NAME_CASE,
        CRM_PEOPLE,
        CRM_SET,
    ):
        cats.update(group)
    for a, b in CRM_DUP_PAIRS:
        cats.update((a, b))
    return cats


def _ad_categorised() -> set[int]:
    cats: set[int] = set(AD_DEFECTS)
    for group in (AD_PEOPLE, AD_SET, AD_WHITESPACE, AD_EMAIL_CASE, AD_NAME_CASE):
        cats.update(group)
    return cats


def plan_overlap() -> dict:
    r = rng_for("overlap")
    crm_excluded = (
        set(CRM_SPECIAL)
        | set(CRM_PLACEHOLDER_ROWS)
        | set(CRM_NO_EMAIL_ROWS)
        | set(CRM_UNCONTACTABLE_ROWS)
        | set(CRM_GMAIL_PLUS_ROWS)
        | set(CRM_ROLE_ROWS)
        | set(CRM_DISPOSABLE_ROWS)
        | set(CRM_INVALID_EMAIL_ROWS)
        | {k for pair in CRM_DUP_PAIRS for k in pair}
    )
    eligible = [k for k in range(1, CRM_RECORDS + 1) if k not in crm_excluded]
    categorised = _crm_categorised()
    plain = [k for k in eligible if k not in categorised]
    gmail_only = sorted(r.sample(plain, OVERLAP_GMAIL_ONLY))
    gmail_simple = sorted(r.sample([k for k in plain if k not in gmail_only], OVERLAP_GMAIL_SIMPLE))
    taken = set(OVERLAP_FORCED) | set(gmail_only) | set(gmail_simple)
    rest = sorted(
        r.sample(
            [k for k in eligible if k not in taken],
            OVERLAP_COUNT - len(OVERLAP_FORCED) - len(gmail_simple),
        )
    )
    simple = sorted(set(OVERLAP_FORCED) | set(gmail_simple) | set(rest))
    assert len(simple) == OVERLAP_COUNT
    ad_eligible = [L for L in range(1, AD_LINES + 1) if L not in _ad_categorised()]
    lines = r.sample(ad_eligible, OVERLAP_COUNT + OVERLAP_GMAIL_ONLY)
    crm_to_ad = dict(zip(simple + gmail_only, lines, strict=True))
    return dict(
        simple=simple,
        gmail_simple=gmail_simple,
        gmail_only=gmail_only,
        crm_to_ad=crm_to_ad,
        ad_to_crm={v: k for k, v in crm_to_ad.items()},
    )


# ---------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------


def draw_person(r: random.Random, spec: dict, weights=COUNTRY_WEIGHTS, free_share: float = 0.16) -> dict:
    """One invented person. Every draw is taken whether or not spec overrides it, so the stream
    stays aligned and an override never changes the other attributes of the row."""
    country = spec.get("country") or wpick(r.random(), weights)
    if "country" in spec:
        r.random()
    c = COUNTRIES[country]
    u_first, u_last, u_roman = r.random(), r.random(), r.random()
    if country == "JP":
        kf, kl, rf, rl = c["jp_names"][int(u_first * len(c["jp_names"]))]
        first, last, efirst, elast = (rf, rl, rf, rl) if u_roman < 0.6 else (kf, kl, rf, rl)
    else:
        first = c["first"][int(u_first * len(c["first"]))]
        last = c["last"][int(u_last * len(c["last"]))]
        efirst, elast = first, last
    if "first" in spec:
        first = spec["first"]
        efirst = spec.get("efirst", first)
    if "last" in spec:
        last = spec["last"]
        elast = spec.get("elast", last)
    u_title, u_local_title = r.random(), r.random()
    title, kind = wpick(u_title, [((t, k), w) for t, w, k in TITLES])
    if c.get("local_titles") and u_local_title < 0.25 and not kind:
        title = c["local_titles"][int(u_local_title * 4 * len(c["local_titles"]))]
    title = spec.get("title", title)
    if "title" in spec:
        kind = ""
    u_company, u_free, u_fm, u_pat, num, u_univ = (
        r.random(),
        r.random(),
        r.random(),
        r.random(),
        r.randint(1, 99),
        r.random(),
    )
    company, domain = c["companies"][int(u_company * len(c["companies"]))]
    freemail = u_free < free_share
    if kind == "student":
        company, domain, freemail = (
            c["universities"][int(u_univ * len(c["universities"]))],
            "",
            True,
        )
    elif kind == "freelance":
        company, domain, freemail = (
            FREELANCE_COMPANIES[int(u_univ * len(FREELANCE_COMPANIES))],
            "",
            True,
        )
    if "company" in spec:
        company, domain = spec["company"]
    elif (spec.get("role") or spec.get("freemail") is False) and not domain:
        company, domain = c["companies"][int(u_company * len(c["companies"]))]
    freemail = spec.get("freemail", freemail)
    fm_domains = GENERIC_FREEMAIL + c["freemail"]
    if spec.get("no_gmail"):
        fm_domains = [(d, w) for d, w in fm_domains if d != "gmail.com"]
    fm_domain = spec.get("fm_domain") or wpick(u_fm, fm_domains)
    pattern = wpick(u_pat, FREE_PATTERNS if freemail else CORP_PATTERNS)
    if freemail:
        pattern = spec.get("fm_pattern") or pattern
    elif spec.get("corp_pattern"):
        pattern = spec["corp_pattern"]
    if spec.get("email") is not None:
        email = spec["email"]
    elif spec.get("role"):
        email = f"{spec['role']}@{domain}"
    else:
        email = f"{email_local(efirst, elast, pattern, num)}@{fm_domain if freemail else domain}"
    phone_seed, u_phone_fmt, u_phone_blank, u_label, u_web = (
        r.getrandbits(32),
        r.random(),
        r.random(),
        r.random(),
        r.random(),
    )
    cc, nsn, forms = make_phone(c["phone"], random.Random(phone_seed))
    phone = wpick(u_phone_fmt, forms)
    has_phone = spec.get("phone") or u_phone_blank >= 0.12
    label = spec.get("label") or wpick(u_label, c["labels"])
    website = spec.get("website") or (wpick(u_web, WEBSITE_FORMS).format(d=domain) if domain else "")
    return dict(
        country=country,
        first=first,
        last=last,
        efirst=efirst,
        elast=elast,
        title=title,
        kind=kind,
        company=company,
        domain=domain,
        freemail=freemail,
        email=email,
        pattern=pattern,
        cc=cc,
        nsn=nsn,
        phone=phone if has_phone else "",
        phone_forms=forms,
        label=label,
        website=website,
        num=num,
    )


def name_key(first: str, last: str) -> str:
    return " ".join(ascii_fold(f"{first} {last}").lower().split())


class Registry:
    """Names and addresses already given out, so that two different people never share a full name
    or an email address (except where the files say so on purpose)."""

    def __init__(self) -> None:
        self.names = {
            name_key(p["first"], p["last"])
            for p in (*CRM_PEOPLE.values(), *AD_PEOPLE.values())
            if p.get("first") and p.get("last")
        }
        self.emails: set[str] = set()

    def clashes(self, person: dict, spec: dict) -> bool:
        key = gmail_key(person["email"])
        if "email" not in spec and key is not None and key in self.emails:
            return True
        return "first" not in spec and "last" not in spec and name_key(person["first"], person["last"]) in self.names

    def add(self, person: dict) -> None:
        if person["first"] and person["last"]:
            self.names.add(name_key(person["first"], person["last"]))
        key = gmail_key(person["email"])
        if key is not None:
            self.emails.add(key)


def unique_person(r: random.Random, stream: tuple, spec: dict, registry: Registry, **kw) -> dict:
    """draw_person, redrawn from a side stream until neither the name nor the address is taken."""
    person = draw_person(r, spec, **kw)
    n = 0
    while registry.clashes(person, spec):
        n += 1
        if n > 500:
            raise RuntimeError(f"no unique person for {stream}")
        person = draw_person(rng_for(*stream, "retry", n), spec, **kw)
    registry.add(person)
    return person


# ---------------------------------------------------------------------------------------------
# CRM
# ---------------------------------------------------------------------------------------------


def _reflect(t: datetime, lo: datetime, hi: datetime) -> datetime:
    """Fold a jittered time back into [lo, hi] (clamping would pile rows up on the boundary)."""
    if t < lo:
        return lo + (lo - t)
    if t > hi:
        return hi - (t - hi)
    return t


def _fmt_crm(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def crm_dates(r: random.Random, k: int) -> tuple[datetime, datetime]:
    span = CRM_END - CRM_START
    created = CRM_START + span * ((k - 0.5) / CRM_RECORDS) + timedelta(hours=r.uniform(-30, 30))
    created = _reflect(created, CRM_START, CRM_END - timedelta(hours=1)).replace(second=0, microsecond=0)
    u = r.random()
    if u < 0.12:
        modified = created
    elif u < 0.45:
        modified = created + timedelta(minutes=r.randint(1, 600))
    elif u < 0.85:
        modified = created + timedelta(days=r.uniform(1, 25))
    else:
        modified = created + timedelta(days=r.uniform(25, 70))
    u_late = r.random()
    if modified > CRM_END:  # not edited after the export: somewhere between creation and the export
        modified = created + (CRM_END - created) * u_late
    modified = modified.replace(second=0, microsecond=0)
    return created, modified


def build_crm(plan: dict, registry: Registry) -> tuple[list[dict], dict]:
    rows: list[dict] = []
    dup_second = {b: a for a, b in CRM_DUP_PAIRS}
    by_k: dict[int, dict] = {}
    for k in range(1, CRM_RECORDS + 1):
        r = rng_for("crm", k)
        spec = dict(CRM_PEOPLE.get(k, {}))
        if k in plan["crm_to_ad"]:
            if k in plan["gmail_only"]:
                spec.update(freemail=True, fm_domain="gmail.com", fm_pattern="first.last")
            elif k in plan["gmail_simple"]:
                spec.update(freemail=True, fm_domain="gmail.com")
            else:
                spec.update(no_gmail=True)
        if k in dup_second:  # the same person again, entered a second time
            person = dict(by_k[dup_second[k]]["person"])
            u_fmt = r.random()
            if person["phone"]:
                person["phone"] = wpick(u_fmt, person["phone_forms"])
        else:
            person = unique_person(r, ("crm", k), spec, registry)
        created, modified = crm_dates(r, k)
        stage = wpick(r.random(), STAGES)
        status = wpick(r.random(), STATUSES)
        if stage == "Customer" and status not in ("", "Connected"):
            status = ""
        owner = wpick(r.random(), OWNERS)
        source = wpick(r.random(), SOURCES)
        u_src = r.random()
        fields = {
            "Record ID": str(CRM_ID_BASE + k),
            "First Name": person["first"],
            "Last Name": person["last"],
            "Email": person["email"],
            "Phone Number": person["phone"],
            "Company Name": person["company"],
            "Website URL": person["website"],
            "Job Title": person["title"],
            "Country/Region": person["label"],
            "Lifecycle Stage": stage,
            "Lead Status": status,
            "Contact owner": owner,
            "Create Date": _fmt_crm(created),
            "Last Modified Date": _fmt_crm(modified),
            "Original Source": source,
        }
        row: dict[str, Any] = dict(k=k, person=person, fields=fields, created=created, modified=modified, u_src=u_src)
        by_k[k] = row
        rows.append(row)
    # field-level defects
    for row in rows:
        k, f = row["k"], row["fields"]
        if k in CRM_NAME_CASE:
            f["First Name"], f["Last Name"] = name_case(f["First Name"], f["Last Name"], CRM_NAME_CASE[k])
        if k in CRM_EMAIL_CASE:
            f["Email"] = email_case(f["Email"], CRM_EMAIL_CASE[k])
        for col, value in CRM_SET.get(k, {}).items():
            f[col] = value
        for col, op in CRM_WHITESPACE.get(k, []):
            f[col] = ws(f[col], op, f"record {k} {col}")
    return rows, by_k


def encode_crm(rows: list[dict]) -> tuple[bytes, dict[int, tuple[int, int]]]:
    """The file's bytes and, per record k, its (first, last) physical line."""
    out = io.BytesIO()
    lines: dict[int, tuple[int, int]] = {}
    line = 1

    def emit(values: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(values)
        return buf.getvalue()

    head = emit(CSV_HEADER).encode("utf-8")
    out.write(head)
    line += head.count(b"\n")
    for row in rows:
        k, f = row["k"], row["fields"]
        values = [f[c] for c in CSV_HEADER]
        if k == CRM_FEW_COLUMNS:
            text = emit(values[:9])
        elif k == CRM_OPEN_QUOTE:
            text = emit(values[:5])[:-1] + ',"Acme, Inc\n'
        else:
            text = emit(values)
        data = text.encode("utf-8").replace(BAD_BYTES_MARK.encode("utf-8"), b"\xff\xfe")
        lines[k] = (line, line + data.count(b"\n") - 1)
        line += data.count(b"\n")
        out.write(data)
    return out.getvalue(), lines


# ---------------------------------------------------------------------------------------------
# Ads
# ---------------------------------------------------------------------------------------------


def _fmt_meta(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S+0000")


def ad_time(r: random.Random, L: int) -> datetime:
    span = AD_END - AD_START
    t = AD_START + span * ((L - 0.5) / AD_LINES) + timedelta(hours=r.uniform(-16, 16))
    return _reflect(t, AD_START, AD_END).replace(microsecond=0)


def pick_placement(r: random.Random, when: datetime) -> dict:
    u_org, u_plat, u_camp, u_set, u_ad, u_form = (r.random() for _ in range(6))
    platform = "fb" if u_plat < 0.58 else "ig"
    if u_org < 0.08:
        return dict(
            ad_id="",
            ad_name="",
            adset_id="",
            adset_name="",
            campaign_id="",
            campaign_name="",
            form_id=FORM_DEMO if u_form < 0.5 else FORM_CONTENT,
            is_organic=True,
            platform=platform,
        )
    day = (when.month, when.day)
    active = [(c, c["weight"]) for c in CAMPAIGNS if c["start"] <= day <= c["end"]]
    camp = wpick(u_camp, active)
    adset_id, adset_name, ads = camp["adsets"][int(u_set * len(camp["adsets"]))]
    ad_id, ad_name = ads[int(u_ad * len(ads))]
    return dict(
        ad_id=ad_id,
        ad_name=ad_name,
        adset_id=adset_id,
        adset_name=adset_name,
        campaign_id=camp["id"],
        campaign_name=camp["name"],
        form_id=camp["form"],
        is_organic=False,
        platform=platform,
    )


def e164(cc: str, nsn: str) -> str:
    return f"+{cc}{nsn}"


def overlap_email(crm_email: str, r: random.Random) -> str:
    """A re-cased and/or padded copy of the CRM address (never byte-identical)."""
    c = crm_email.strip().lower()
    local, _, domain = c.partition("@")
    options = [
        " " + c + " ",
        ".".join(p[:1].upper() + p[1:] for p in local.split(".")) + "@" + domain,
        c.upper(),
        local + "@" + domain.upper(),
        c + "  ",
        local[:1].upper() + local[1:] + "@" + domain + " ",
        c,
    ]
    start = int(r.random() * (len(options) - 1))
    for i in range(len(options)):
        candidate = options[(start + i) % len(options)]
        if candidate != crm_email:
            return candidate
    raise AssertionError(crm_email)


def gmail_variant(crm_email: str, i: int) -> str:
    local, _, _ = crm_email.partition("@")
    first, _, last = local.partition(".")
    return [
        f"{first}{last}+fbleads@gmail.com",
        f"{first[0]}.{first[1:]}.{last}@gmail.com",
        f"{first.title()}.{last.title()}+ig@gmail.com",
        f"{local}@googlemail.com",
        f"{first}{last}+meta-leads@gmail.com",
        f"{first[0]}.{first[1:]}{last}+leads@Gmail.com",
    ][i]


def overlap_name(person: dict, r: random.Random, k: int) -> str:
    first, last = person["first"], person["last"]
    if person["country"] == "JP" and first != person["efirst"]:
        return f"{last} {first}"
    plain = f"{first} {last}"
    folded = ascii_fold(plain)
    if k == 44 or k == 16:
        return plain
    if folded != plain and r.random() < 0.6:
        return folded
    return wpick(
        r.random(),
        [
            (plain, 60),
            (plain.lower(), 12),
            (plain.upper(), 6),
            ("  " + plain + " ", 8),
            (plain.replace(" ", "  ", 1), 8),
            (plain + " ", 6),
        ],
    )


def build_ads(plan: dict, crm_by_k: dict[int, dict], registry: Registry) -> list[dict]:
    records: list[dict] = []
    for L in range(1, AD_LINES + 1):
        r = rng_for("ad", L)
        when = ad_time(r, L)
        placement = pick_placement(r, when)
        rec: dict = {"id": str(AD_ID_BASE + L), "created_time": _fmt_meta(when), **placement}
        k = plan["ad_to_crm"].get(L)
        if k is not None:
            crm = crm_by_k[k]
            person = crm["person"]
            if k in plan["gmail_only"]:
                email = gmail_variant(crm["fields"]["Email"], plan["gmail_only"].index(k))
            else:
                email = overlap_email(crm["fields"]["Email"], r)
            full = overlap_name(person, r, k)
            phone = e164(person["cc"], person["nsn"]) if person["phone"] and r.random() < 0.8 else ""
            company = person["company"] if r.random() < 0.9 else ""
            title = person["title"] if r.random() < 0.85 else ""
            r.random()
        else:
            spec = AD_PEOPLE.get(L, {})
            person = unique_person(r, ("ad", L), spec, registry, weights=AD_COUNTRY_WEIGHTS, free_share=0.45)
            email = person["email"]
            if person["country"] == "JP" and person["first"] != person["efirst"]:
                full = f"{person['last']} {person['first']}"  # kanji: family name first
            else:
                full = f"{person['first']} {person['last']}"
            full = spec.get("full", full)
            u_phone = r.random()
            if not person["phone"]:
                phone = ""
            elif u_phone < 0.65:
                phone = e164(person["cc"], person["nsn"])
            else:
                phone = person["phone"]
            u_company, u_title = r.random(), r.random()
            company = person["company"] if ("company" in spec or u_company < 0.85) else ""
            title = person["title"] if ("title" in spec or u_title < 0.88) else ""
        rec.update(email=email, full_name=full, phone_number=phone, company_name=company, job_title=title)
        records.append(dict(L=L, rec=rec, crm_k=k, person=person))
    for item in records:
        L, rec = item["L"], item["rec"]
        if L in AD_NAME_CASE:
            first, _, last = rec["full_name"].partition(" ")
            first, last = name_case(first, last, AD_NAME_CASE[L])
            rec["full_name"] = f"{first} {last}"
        if L in AD_EMAIL_CASE:
            rec["email"] = email_case(rec["email"], AD_EMAIL_CASE[L])
        for col, value in AD_SET.get(L, {}).items():
            rec[col] = value
        for col, op in AD_WHITESPACE.get(L, []):
            rec[col] = ws(rec[col], op, f"ad line {L} {col}")
    return records


def encode_ads(records: list[dict]) -> bytes:
    out = []
    for item in records:
        L, rec = item["L"], dict(item["rec"])
        assert list(rec) == AD_KEYS
        if L == AD_BLANK:
            out.append(b"\n")
            continue
        if L == AD_ID_OBJECT:
            rec["id"] = {"value": rec["id"]}
        if L == AD_BAD_TIME:
            rec["created_time"] = "not a date"
        text = json.dumps(list(rec.values()) if L == AD_ARRAY else rec, ensure_ascii=False)
        if L == AD_TRUNCATED:
            marker = '"created_time": "'
            text = text[: text.index(marker) + len(marker) + 9]
        data = text.encode("utf-8").replace(BAD_BYTES_MARK.encode("utf-8"), b"\xff\xfe")
        out.append(data + b"\n")
    return b"".join(out)


# ---------------------------------------------------------------------------------------------
# Build, self-check, manifest
# ---------------------------------------------------------------------------------------------


def build() -> tuple[bytes, bytes, dict]:
    plan = plan_overlap()
    registry = Registry()
    crm_rows, crm_by_k = build_crm(plan, registry)
    ads = build_ads(plan, crm_by_k, registry)
    # most CRM people who also filled in a lead form came in through it
    for k, L in plan["crm_to_ad"].items():
        row = crm_by_k[k]
        if row["u_src"] < 0.75:
            organic = ads[L - 1]["rec"]["is_organic"]
            row["fields"]["Original Source"] = (
                "Paid Social" if not organic else ("Organic Search" if row["u_src"] < 0.4 else "Direct Traffic")
            )
    csv_bytes, crm_lines = encode_crm(crm_rows)
    jsonl_bytes = encode_ads(ads)
    manifest = make_manifest(plan, crm_rows, crm_lines, ads)
    self_check(csv_bytes, jsonl_bytes, manifest, crm_rows, ads, plan)
    return csv_bytes, jsonl_bytes, manifest


def _rid(k: int) -> str:
    return str(CRM_ID_BASE + k)


def _aid(L: int) -> str:
    return str(AD_ID_BASE + L)


def make_manifest(plan: dict, crm_rows: list[dict], crm_lines: dict, ads: list[dict]) -> dict:
    def crm_list(ks):
        return [{"record_id": _rid(k), "line": crm_lines[k][0]} for k in sorted(ks)]

    def ad_list(ls):
        return [{"id": _aid(L), "line": L} for L in sorted(ls)]

    free_domains = {d for d, _ in GENERIC_FREEMAIL} | {d for c in COUNTRIES.values() for d, _ in c["freemail"]}
    crm_free = [
        row["k"]
        for row in crm_rows
        if row["k"] not in CRM_SPECIAL and row["fields"]["Email"].strip().lower().rpartition("@")[2] in free_domains
    ]
    ad_free = [
        a["L"]
        for a in ads
        if a["L"] not in AD_DEFECTS and a["rec"]["email"].strip().lower().rpartition("@")[2] in free_domains
    ]
    malformed = {
        "bad_last_modified_date": CRM_BAD_DATE,
        "blank_record_id": CRM_BLANK_ID,
        "too_few_columns": CRM_FEW_COLUMNS,
        "oversized_job_title": CRM_HUGE_FIELD,
        "control_characters": CRM_CONTROL,
        "invalid_utf8": CRM_BAD_UTF8,
        "unterminated_quote": CRM_OPEN_QUOTE,
    }
    return {
        "crm_contacts.csv": {
            "records": CRM_RECORDS,
            "physical_lines": max(v[1] for v in crm_lines.values()),
            "well_formed_records": CRM_RECORDS - len(malformed),
            "malformed": {
                name: {"line": crm_lines[k][0], "record_id": "" if k == CRM_BLANK_ID else _rid(k)}
                for name, k in malformed.items()
            },
            "valid_multiline": {
                "lines": list(crm_lines[CRM_MULTILINE]),
                "record_id": _rid(CRM_MULTILINE),
            },
            "swallowed_by_open_quote": crm_list(CRM_SWALLOWED),
            "placeholders": crm_list(CRM_PLACEHOLDER_ROWS),
            "whitespace": crm_list(CRM_WHITESPACE),
            "email_case": crm_list(CRM_EMAIL_CASE),
            "name_case": crm_list(CRM_NAME_CASE),
            "non_ascii_names": crm_list(CRM_NON_ASCII_ROWS),
            "honorifics": crm_list(CRM_HONORIFIC_ROWS),
            "gmail_dots_plus": crm_list(CRM_GMAIL_PLUS_ROWS),
            "role_addresses": crm_list(CRM_ROLE_ROWS),
            "disposable": crm_list(CRM_DISPOSABLE_ROWS),
            "invalid_email": crm_list(CRM_INVALID_EMAIL_ROWS),
            "no_email_with_phone": crm_list(CRM_NO_EMAIL_ROWS),
            "uncontactable": crm_list(CRM_UNCONTACTABLE_ROWS),
            "duplicate_email_pairs": [[_rid(a), _rid(b), crm_rows[a - 1]["fields"]["Email"]] for a, b in CRM_DUP_PAIRS],
            "free_mail": crm_list(crm_free),
        },
        "ad_leads.jsonl": {
            "physical_lines": AD_LINES,
            "non_blank_lines": AD_LINES - 1,
            "well_formed_records": AD_LINES - len(AD_DEFECTS),
            "defects": {
                "blank_line": AD_BLANK,
                "truncated_json": AD_TRUNCATED,
                "json_array": AD_ARRAY,
                "id_not_string": AD_ID_OBJECT,
                "bad_created_time": AD_BAD_TIME,
                "invalid_utf8": AD_BAD_UTF8,
            },
            "placeholders": ad_list(AD_PLACEHOLDER_ROWS),
            "whitespace": ad_list(AD_WHITESPACE),
            "email_case": ad_list(AD_EMAIL_CASE),
            "name_case": ad_list(AD_NAME_CASE),
            "non_ascii_names": ad_list(AD_NON_ASCII_ROWS),
            "honorifics": ad_list(AD_HONORIFIC_ROWS),
            "gmail_dots_plus": ad_list(AD_GMAIL_PLUS_ROWS),
            "role_addresses": ad_list(AD_ROLE_ROWS),
            "disposable": ad_list(AD_DISPOSABLE_ROWS),
            "invalid_email": ad_list(AD_INVALID_EMAIL_ROWS),
            "no_email_with_phone": ad_list(AD_NO_EMAIL_ROWS),
            "uncontactable": ad_list(AD_UNCONTACTABLE_ROWS),
            "organic": ad_list([a["L"] for a in ads if a["rec"]["is_organic"] and a["L"] not in AD_DEFECTS]),
            "free_mail": ad_list(ad_free),
        },
        "overlap": {
            "simple_match": [
                {
                    "record_id": _rid(k),
                    "ad_id": _aid(plan["crm_to_ad"][k]),
                    "crm_email": crm_rows[k - 1]["fields"]["Email"],
                    "ad_email": ads[plan["crm_to_ad"][k] - 1]["rec"]["email"],
                    "gmail": k in plan["gmail_simple"],
                }
                for k in plan["simple"]
            ],
            "gmail_canonical_only": [
                {
                    "record_id": _rid(k),
                    "ad_id": _aid(plan["crm_to_ad"][k]),
                    "crm_email": crm_rows[k - 1]["fields"]["Email"],
                    "ad_email": ads[plan["crm_to_ad"][k] - 1]["rec"]["email"],
                }
                for k in plan["gmail_only"]
            ],
        },
    }


def self_check(
    csv_bytes: bytes,
    jsonl_bytes: bytes,
    manifest: dict,
    crm_rows: list[dict],
    ads: list[dict],
    plan: dict,
) -> None:
    """The documented facts, asserted against what was built."""
    crm = manifest["crm_contacts.csv"]
    assert {n: v["line"] for n, v in crm["malformed"].items()} == CSV_DEFECT_LINES, crm["malformed"]
    assert tuple(crm["valid_multiline"]["lines"]) == CSV_MULTILINE_VALID_LINES
    assert tuple(x["line"] for x in crm["swallowed_by_open_quote"]) == CSV_SWALLOWED_LINES
    assert manifest["ad_leads.jsonl"]["defects"] == JSONL_DEFECT_LINES
    physical = csv_bytes.split(b"\n")
    assert physical[-1] == b"" and len(physical) - 1 == crm["physical_lines"] == 352
    # nothing between the open quote and line 310's quoted company may contain a quote
    assert b'"' not in physical[CSV_SWALLOWED_LINES[0] - 1] and b'"' not in physical[CSV_SWALLOWED_LINES[1] - 1]
    assert b',"Brightline Media, LLC",' in physical[CSV_SWALLOWED_LINES[2] - 1]
    assert physical[CSV_DEFECT_LINES["unterminated_quote"] - 1].endswith(b',"Acme, Inc')
    # no defect at the very end
    assert max(CSV_DEFECT_LINES.values()) < 340 and max(JSONL_DEFECT_LINES.values()) < 290
    # dates
    for row in crm_rows:
        assert row["created"] <= row["modified"]
    created = [row["created"] for row in crm_rows]
    assert any(a > b for a, b in zip(created, created[1:], strict=False)), "create dates should not be strictly sorted"
    times = [a["rec"]["created_time"] for a in ads]
    assert any(a > b for a, b in zip(times, times[1:], strict=False)), "ad times should not be strictly sorted"
    # emails: designed duplicates and overlaps only
    crm_simple: dict[str, list[int]] = {}
    crm_gmail: dict[str, list[int]] = {}
    for row in crm_rows:
        if row["k"] in CRM_SPECIAL:
            continue
        e = row["fields"]["Email"]
        skey, gkey = simple_key(e), gmail_key(e)
        if skey is not None and gkey is not None:
            crm_simple.setdefault(skey, []).append(row["k"])
            crm_gmail.setdefault(gkey, []).append(row["k"])
    dups = sorted(tuple(v) for v in crm_simple.values() if len(v) > 1)
    assert dups == sorted(CRM_DUP_PAIRS), dups
    assert sorted(tuple(v) for v in crm_gmail.values() if len(v) > 1) == sorted(CRM_DUP_PAIRS)
    for a, b in CRM_DUP_PAIRS:
        assert crm_rows[a - 1]["fields"]["Email"] == crm_rows[b - 1]["fields"]["Email"]
    ad_simple: dict[str, int] = {}
    ad_gmail: dict[str, int] = {}
    for item in ads:
        if item["L"] in AD_DEFECTS:
            continue
        e = item["rec"]["email"]
        skey, gkey = simple_key(e), gmail_key(e)
        if skey is not None and gkey is not None:
            assert skey not in ad_simple and gkey not in ad_gmail, e
            ad_simple[skey] = item["L"]
            ad_gmail[gkey] = item["L"]
    simple_pairs = sorted((crm_simple[e][0], L) for e, L in ad_simple.items() if e in crm_simple)
    assert simple_pairs == sorted((k, plan["crm_to_ad"][k]) for k in plan["simple"]), simple_pairs
    gmail_pairs = sorted((crm_gmail[e][0], L) for e, L in ad_gmail.items() if e in crm_gmail)
    assert gmail_pairs == sorted(plan["crm_to_ad"].items()), gmail_pairs
    for k in plan["simple"]:
        assert crm_rows[k - 1]["fields"]["Email"] != ads[plan["crm_to_ad"][k] - 1]["rec"]["email"]
    assert (
        sum(1 for k in plan["simple"] if crm_rows[k - 1]["fields"]["Email"].strip().lower().endswith("@gmail.com"))
        == OVERLAP_GMAIL_SIMPLE
    )
    # two different people never share a full name (ignoring case and accents)
    names: dict[str, str] = {}
    dup_second = {b for _, b in CRM_DUP_PAIRS}
    people = [(f"crm {row['k']}", row["person"]) for row in crm_rows if row["k"] not in dup_second]
    people += [(f"ad {a['L']}", a["person"]) for a in ads if a["crm_k"] is None]
    for who, person in people:
        if person["first"] and person["last"]:
            key = name_key(person["first"], person["last"])
            assert key not in names, (key, who, names.get(key))
            names[key] = who

    # every contactable-looking row really is; exactly the listed rows are uncontactable
    def blank(v: str) -> bool:
        return v.strip().lower() in ("", "-", "n/a", "none", "unknown", "test", "select")

    unreachable = [
        row["k"]
        for row in crm_rows
        if row["k"] not in CRM_SPECIAL
        and not simple_key(row["fields"]["Email"])
        and blank(row["fields"]["Phone Number"])
    ]
    assert unreachable == CRM_UNCONTACTABLE_ROWS, unreachable
    unreachable = [
        a["L"]
        for a in ads
        if a["L"] not in AD_DEFECTS and not simple_key(a["rec"]["email"]) and blank(a["rec"]["phone_number"])
    ]
    assert unreachable == AD_UNCONTACTABLE_ROWS, unreachable
    # category lists do not collide
    crm_groups = [
        CRM_PLACEHOLDER_ROWS,
        CRM_NO_EMAIL_ROWS,
        CRM_UNCONTACTABLE_ROWS,
        CRM_NON_ASCII_ROWS,
        CRM_HONORIFIC_ROWS,
        CRM_GMAIL_PLUS_ROWS,
        CRM_ROLE_ROWS,
        CRM_DISPOSABLE_ROWS,
        CRM_INVALID_EMAIL_ROWS,
        [k for p in CRM_DUP_PAIRS for k in p],
        list(CRM_SPECIAL),
    ]
    flat = [k for g in crm_groups for k in g]
    assert len(flat) == len(set(flat)), "CRM categories overlap"
    ad_groups = [
        AD_PLACEHOLDER_ROWS,
        AD_NO_EMAIL_ROWS,
        AD_UNCONTACTABLE_ROWS,
        AD_NON_ASCII_ROWS,
        AD_HONORIFIC_ROWS,
        AD_GMAIL_PLUS_ROWS,
        AD_ROLE_ROWS,
        AD_DISPOSABLE_ROWS,
        AD_INVALID_EMAIL_ROWS,
        list(AD_WHITESPACE),
        list(AD_EMAIL_CASE),
        list(AD_NAME_CASE),
        list(AD_DEFECTS),
    ]
    flat = [L for g in ad_groups for L in g]
    assert len(flat) == len(set(flat)), "ad categories overlap"
    # invalid / placeholder emails keep a phone
    for k in CRM_INVALID_EMAIL_ROWS + [248, 283] + CRM_NO_EMAIL_ROWS:
        assert crm_rows[k - 1]["fields"]["Phone Number"].strip(), k
    for L in AD_INVALID_EMAIL_ROWS + [289] + AD_NO_EMAIL_ROWS:
        assert ads[L - 1]["rec"]["phone_number"].strip(), L
    for k, row in enumerate(crm_rows, start=1):
        if k not in CRM_SPECIAL:
            assert row["fields"]["Email"].isascii(), row["fields"]["Email"]


def main(argv: list[str]) -> int:
    csv_bytes, jsonl_bytes, manifest = build()
    if "--manifest" in argv:
        sys.stdout.write(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        return 0
    if "--check" in argv:
        ok = CSV_PATH.read_bytes() == csv_bytes and JSONL_PATH.read_bytes() == jsonl_bytes
        print("samples are up to date" if ok else "samples differ from generate.py output; rerun it")
        return 0 if ok else 1
    CSV_PATH.write_bytes(csv_bytes)
    JSONL_PATH.write_bytes(jsonl_bytes)
    print(
        f"wrote {CSV_PATH.name} ({len(csv_bytes):,} bytes, {CRM_RECORDS} records) and "
        f"{JSONL_PATH.name} ({len(jsonl_bytes):,} bytes, {AD_LINES} lines)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
