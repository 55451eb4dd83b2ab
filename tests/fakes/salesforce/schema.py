"""Describe metadata: the objects the lead ETL touches and their fields.

Reproduced from the sObject describe documentation: per field `name, label, type, custom,
createable, updateable, nillable, externalId, unique, idLookup, length` (plus the other keys real
describes carry, with fixed values); type names `id, string, email, phone, url, boolean, datetime,
date, double, int, currency, picklist, reference, anyType`. Quirks kept: `Name` on Lead, Contact and
User is a compound of FirstName and LastName and is not writable; `User` and `UserRole` have no
`IsDeleted`; `LeadHistory` has no `SystemModstamp` and its OldValue/NewValue are `anyType`, neither
filterable nor sortable; `Email` is `idLookup` on Lead and Contact but not an external id (so it is
refused as an upsert key); `CurrencyIsoCode` exists only in multi-currency orgs.

Choices: only the fields the ETL needs are modelled (plus CreatedById/LastModifiedById); polymorphic
references (Task.WhoId → Lead or Contact) are modelled, Lead.OwnerId points at User only (no
queues). Picklists are unrestricted, as the standard ones are: any value is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STRINGY = frozenset({"string", "email", "phone", "url", "picklist", "textarea"})
IDLIKE = frozenset({"id", "reference"})
NUMERIC = frozenset({"int", "double", "currency", "percent"})
SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "datetime": "xsd:dateTime", "date": "xsd:date",
    "double": "xsd:double", "currency": "xsd:double", "percent": "xsd:double", "int": "xsd:int",
    "anyType": "xsd:anyType",
}
SOQL_TYPE_NAMES = {
    "datetime": "dateTime", "date": "date", "boolean": "boolean", "int": "integer", "double": "double",
    "currency": "currency", "percent": "percent", "id": "id", "reference": "id",
}
KEY_PREFIXES = {
    "Account": "001", "Contact": "003", "User": "005", "Opportunity": "006", "UserRole": "00E", "Lead": "00Q",
    "Task": "00T", "Event": "00U", "LeadHistory": "017",
}
INTEGRATION_USER_ID = "0055g0000000001AAA"
ORG_ID = "00D5g0000000001EAA"


@dataclass
class FieldDef:
    name: str
    type: str
    label: str = ""
    length: int = 0
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    external_id: bool = False
    unique: bool = False
    id_lookup: bool = False
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[str, ...] = ()
    default: Any = None
    calculated: bool = False

    @property
    def filterable(self) -> bool:
        return self.type != "anyType"

    @property
    def required(self) -> bool:
        """Must be given on create: not nillable, writable, and without a default."""
        return (not self.nillable and self.createable and self.default is None and self.type != "boolean"
                and self.name not in SYSTEM_DEFAULTED)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name, "label": self.label or _label(self.name), "type": self.type,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"), "length": self.length,
            "byteLength": self.length * 3, "precision": 18 if self.type in {"double", "currency"} else 0,
            "scale": 2 if self.type == "currency" else 0, "digits": 9 if self.type == "int" else 0,
            "custom": self.custom, "createable": self.createable, "updateable": self.updateable,
            "nillable": self.nillable, "externalId": self.external_id, "unique": self.unique,
            "idLookup": self.id_lookup, "calculated": self.calculated, "filterable": self.filterable,
            "sortable": self.filterable, "groupable": self.type not in {"anyType", "double", "currency", "datetime"},
            "defaultedOnCreate": self.default is not None or self.name in SYSTEM_DEFAULTED,
            "caseSensitive": False, "autoNumber": False, "nameField": self.name == "Name",
            "referenceTo": list(self.reference_to), "relationshipName": self.relationship_name,
            "polymorphicForeignKey": len(self.reference_to) > 1, "restrictedPicklist": False,
            "picklistValues": [
                {"active": True, "defaultValue": v == self.default, "label": v, "validFor": None, "value": v}
                for v in self.picklist
            ],
            "deprecatedAndHidden": False, "htmlFormatted": False,
        }


SYSTEM_DEFAULTED = frozenset({
    "Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "CreatedById", "LastModifiedById", "IsDeleted",
    "OwnerId",
})


@dataclass
class ObjectDef:
    name: str
    key_prefix: str
    label: str
    fields: list[FieldDef] = field(default_factory=list)
    createable: bool = True
    replicateable: bool = True

    def __post_init__(self) -> None:
        self.index: dict[str, int] = {}
        self.by_lower: dict[str, FieldDef] = {}
        self.relationships: dict[str, FieldDef] = {}
        for f in list(self.fields):
            self._register(f)

    def _register(self, f: FieldDef) -> None:
        self.index[f.name] = len(self.index)
        self.by_lower[f.name.lower()] = f
        if f.relationship_name:
            self.relationships[f.relationship_name.lower()] = f

    def add_field(self, f: FieldDef) -> None:
        self.fields.append(f)
        self._register(f)

    def field(self, name: str) -> FieldDef | None:
        return self.by_lower.get(name.lower())

    def has(self, name: str) -> bool:
        return name in self.index

    def describe(self, version: str) -> dict[str, Any]:
        base = f"/services/data/{version}/sobjects/{self.name}"
        return {
            "name": self.name, "label": self.label, "labelPlural": self.label + "s", "keyPrefix": self.key_prefix,
            "custom": False, "createable": self.createable, "updateable": self.createable,
            "deletable": self.createable, "queryable": True, "retrieveable": True, "searchable": self.createable,
            "replicateable": self.replicateable, "layoutable": self.createable, "triggerable": self.createable,
            "undeletable": self.has("IsDeleted") and self.createable, "mergeable": self.name in {"Lead", "Contact"},
            "fields": [f.describe() for f in self.fields], "childRelationships": [], "recordTypeInfos": [],
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        }

    def summary(self, version: str) -> dict[str, Any]:
        full = self.describe(version)
        return {k: v for k, v in full.items() if k not in {"fields", "childRelationships", "recordTypeInfos"}}


def _label(name: str) -> str:
    core = name.removesuffix("__c").removesuffix("Id") if name != "Id" else "Record ID"
    return "".join(" " + c if c.isupper() and i else c for i, c in enumerate(core)).replace("_", " ").strip()


def _s(name: str, length: int = 255, **kw: Any) -> FieldDef:
    return FieldDef(name, "string", length=length, **kw)


def _ref(name: str, to: tuple[str, ...], rel: str, **kw: Any) -> FieldDef:
    return FieldDef(name, "reference", length=18, reference_to=to, relationship_name=rel, **kw)


def _ro(name: str, type_: str, **kw: Any) -> FieldDef:
    return FieldDef(name, type_, createable=False, updateable=False, **kw)


def _bool(name: str, writable: bool = True, default: bool = False) -> FieldDef:
    return FieldDef(name, "boolean", nillable=False, createable=writable, updateable=writable, default=default)


def _pick(name: str, values: tuple[str, ...], **kw: Any) -> FieldDef:
    return FieldDef(name, "picklist", length=255, picklist=values, **kw)


def _id() -> FieldDef:
    return FieldDef("Id", "id", label="Record ID", length=18, createable=False, updateable=False, nillable=False,
                    id_lookup=True)


def _system(deleted: bool = True, modified: bool = True) -> list[FieldDef]:
    users = ("User",)
    out = [
        _ro("CreatedDate", "datetime", nillable=False),
        _ref("CreatedById", users, "CreatedBy", createable=False, updateable=False, nillable=False),
    ]
    if modified:
        out += [
            _ro("LastModifiedDate", "datetime", nillable=False),
            _ref("LastModifiedById", users, "LastModifiedBy", createable=False, updateable=False, nillable=False),
            _ro("SystemModstamp", "datetime", nillable=False),
        ]
    if deleted:
        out.append(FieldDef("IsDeleted", "boolean", createable=False, updateable=False, nillable=False, default=False))
    return out


def _owner() -> FieldDef:
    return _ref("OwnerId", ("User",), "Owner", nillable=False)


LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
INDUSTRIES = ("Agriculture", "Banking", "Consulting", "Education", "Finance", "Healthcare", "Manufacturing",
              "Media", "Retail", "Technology", "Telecommunications", "Other")
STAGES = ("Prospecting", "Qualification", "Needs Analysis", "Value Proposition", "Proposal/Price Quote",
          "Negotiation/Review", "Closed Won", "Closed Lost")


def _lead(country_picklists: bool) -> ObjectDef:
    fields = [
        _id(), _s("FirstName", 40), _s("LastName", 80, nillable=False), _ro("Name", "string", length=121),
        FieldDef("Email", "email", length=80, id_lookup=True), FieldDef("Phone", "phone", length=40),
        FieldDef("MobilePhone", "phone", length=40), _s("Company", 255, nillable=False),
        FieldDef("Website", "url", length=255), _s("Title", 128), _s("Country", 80), _s("State", 80),
        _s("City", 40),
        _pick("Status", LEAD_STATUSES, nillable=False, default="Open - Not Contacted"),
        _pick("LeadSource", LEAD_SOURCES), _owner(),
        _bool("IsConverted", writable=False), _ro("ConvertedDate", "date"),
        _ref("ConvertedContactId", ("Contact",), "ConvertedContact", createable=False, updateable=False),
        _ref("ConvertedOpportunityId", ("Opportunity",), "ConvertedOpportunity", createable=False, updateable=False),
        _ref("ConvertedAccountId", ("Account",), "ConvertedAccount", createable=False, updateable=False),
        _bool("HasOptedOutOfEmail"), _bool("DoNotCall"), _pick("Industry", INDUSTRIES),
        FieldDef("NumberOfEmployees", "int"), FieldDef("AnnualRevenue", "currency"),
        _pick("Rating", ("Hot", "Warm", "Cold")), *_system(),
    ]
    if country_picklists:
        fields += [_pick("CountryCode", ()), _pick("StateCode", ())]
    return ObjectDef("Lead", "00Q", "Lead", fields)


def _contact(country_picklists: bool) -> ObjectDef:
    fields = [
        _id(), _s("FirstName", 40), _s("LastName", 80, nillable=False), _ro("Name", "string", length=121),
        FieldDef("Email", "email", length=80, id_lookup=True), FieldDef("Phone", "phone", length=40),
        FieldDef("MobilePhone", "phone", length=40), _s("Title", 128), _ref("AccountId", ("Account",), "Account"),
        _s("MailingCountry", 80), _s("MailingState", 80), _s("MailingCity", 40), _pick("LeadSource", LEAD_SOURCES),
        _owner(), _bool("HasOptedOutOfEmail"), _bool("DoNotCall"), *_system(),
    ]
    if country_picklists:
        fields += [_pick("MailingCountryCode", ()), _pick("MailingStateCode", ())]
    return ObjectDef("Contact", "003", "Contact", fields)


def _task() -> ObjectDef:
    return ObjectDef("Task", "00T", "Task", [
        _id(), _ref("WhoId", ("Lead", "Contact"), "Who"), _ref("WhatId", ("Account", "Opportunity"), "What"),
        _s("Subject", 255),
        _pick("Status", ("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"),
              nillable=False, default="Not Started"),
        _pick("TaskSubtype", ("Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"), updateable=False),
        _pick("Type", ("Call", "Email", "Meeting", "Other")), FieldDef("ActivityDate", "date"),
        FieldDef("CallDurationInSeconds", "int"), _s("CallDisposition", 255), _owner(), *_system(),
    ])


def _event() -> ObjectDef:
    return ObjectDef("Event", "00U", "Event", [
        _id(), _ref("WhoId", ("Lead", "Contact"), "Who"), _ref("WhatId", ("Account", "Opportunity"), "What"),
        _s("Subject", 255), FieldDef("StartDateTime", "datetime"), FieldDef("EndDateTime", "datetime"),
        FieldDef("DurationInMinutes", "int"), _owner(), *_system(),
    ])


def _lead_history() -> ObjectDef:
    return ObjectDef("LeadHistory", "017", "Lead History", [
        _id(), _ref("LeadId", ("Lead",), "Lead", createable=False, updateable=False, nillable=False),
        _pick("Field", ("Status", "Owner", "created", "leadConverted"), createable=False, updateable=False),
        _pick("DataType", ("Text", "EntityId", "DynamicEnum"), createable=False, updateable=False),
        _ro("OldValue", "anyType"), _ro("NewValue", "anyType"), *_system(modified=False),
    ], createable=False, replicateable=False)


def _user() -> ObjectDef:
    return ObjectDef("User", "005", "User", [
        _id(), _ro("Name", "string", length=121), _s("FirstName", 40), _s("LastName", 80, nillable=False),
        FieldDef("Email", "email", length=128, nillable=False), _bool("IsActive", default=True),
        _ref("UserRoleId", ("UserRole",), "UserRole"), _ref("ManagerId", ("User",), "Manager"),
        *_system(deleted=False),
    ], createable=False)


def _user_role() -> ObjectDef:
    return ObjectDef("UserRole", "00E", "Role", [
        _id(), _s("Name", 80, nillable=False), _ref("ParentRoleId", ("UserRole",), "ParentRole"),
        _ro("SystemModstamp", "datetime", nillable=False),
    ], createable=False)


def _opportunity(multi_currency: bool) -> ObjectDef:
    fields = [
        _id(), _s("Name", 120, nillable=False), _pick("StageName", STAGES, nillable=False),
        _bool("IsClosed", writable=False), _bool("IsWon", writable=False), FieldDef("Amount", "currency"),
        FieldDef("CloseDate", "date", nillable=False), _ref("AccountId", ("Account",), "Account"),
        _ref("ContactId", ("Contact",), "Contact"), _owner(), _pick("LeadSource", LEAD_SOURCES), *_system(),
    ]
    if multi_currency:
        fields.append(_pick("CurrencyIsoCode", ("USD", "EUR", "GBP"), nillable=False, default="USD"))
    return ObjectDef("Opportunity", "006", "Opportunity", fields)


def _account() -> ObjectDef:
    return ObjectDef("Account", "001", "Account", [
        _id(), _s("Name", 255, nillable=False, id_lookup=True), FieldDef("Website", "url", length=255), _owner(),
        *_system(),
    ])


def standard_objects(multi_currency: bool = False, country_picklists: bool = False) -> dict[str, ObjectDef]:
    objects = [
        _lead(country_picklists), _contact(country_picklists), _task(), _event(), _lead_history(), _user(),
        _user_role(), _opportunity(multi_currency), _account(),
    ]
    return {o.name: o for o in objects}


def custom_field(name: str, type_: str, external_id: bool, unique: bool, length: int | None,
                 label: str | None) -> FieldDef:
    if not name.endswith("__c"):
        raise ValueError(f"custom field names end with __c: {name!r}")
    if type_ not in STRINGY | NUMERIC | {"boolean", "datetime", "date"}:
        raise ValueError(f"unsupported custom field type {type_!r}")
    if external_id and type_ not in {"string", "email", "int", "double"}:
        raise ValueError("external ids are Text, Number or Email fields")
    default_length = 255 if type_ in STRINGY else 0
    return FieldDef(name, type_, label=label or _label(name), length=length or default_length, custom=True,
                    external_id=external_id, unique=unique, id_lookup=external_id,
                    nillable=type_ != "boolean", default=False if type_ == "boolean" else None)
