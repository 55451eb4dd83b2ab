"""The config of CRM sinks: HubSpot contacts and Salesforce leads.

A sink maps CRM properties (or fields) to lead fields, each with a policy:
- `always`: keep the CRM's value equal to ours, unless someone edited it in the CRM since our last
  write (then it is theirs);
- `if_empty`: write only where the CRM has no value;
- `once`: write it the first time, never after.
A rule is written in full (`jobtitle: {field: job_title, policy: if_empty}`) or as the lead field
alone (`leads_etl_industry: industry`, policy `always`). `default` fills a field the lead has no
value for (Salesforce requires a Company to create a lead).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from leads.config_base import Name, RateLimitConfig, Strict
from leads.fields import LEAD_FIELD_NAMES
from leads.lifecycle import Stage
from leads.source_config import HubSpotAuthConfig, HubSpotTier, QuotaConfig, SalesforceAuthConfig

LeadFieldName = Literal[LEAD_FIELD_NAMES]  # type: ignore[valid-type]
Policy = Literal["always", "if_empty", "once"]
OUR_PREFIX = "leads_etl_"  # HubSpot properties with this prefix are ours: created on first use


class FieldRule(Strict):
    field: LeadFieldName
    policy: Policy = "always"
    default: str | None = None


def _rules(value: Any) -> Any:
    if isinstance(value, dict):
        return {prop: {"field": rule} if isinstance(rule, str) else rule for prop, rule in value.items()}
    return value


HUBSPOT_FIELDS: dict[str, dict[str, str]] = {
    "firstname": {"field": "first_name", "policy": "if_empty"},
    "lastname": {"field": "last_name", "policy": "if_empty"},
    "phone": {"field": "phone", "policy": "if_empty"},
    "company": {"field": "company", "policy": "if_empty"},
    "website": {"field": "website", "policy": "if_empty"},
    "jobtitle": {"field": "job_title", "policy": "if_empty"},
    "country": {"field": "country", "policy": "if_empty"},
    "city": {"field": "city", "policy": "if_empty"},
    "lifecyclestage": {"field": "lifecycle_stage"},  # forward only, whatever the policy
    "leads_etl_industry": {"field": "industry"},
    "leads_etl_employee_range": {"field": "employee_range"},
    "leads_etl_revenue_range": {"field": "revenue_range"},
    "leads_etl_seniority": {"field": "seniority"},
    "leads_etl_department": {"field": "department"},
    "leads_etl_email_class": {"field": "email_class"},
    "leads_etl_do_not_contact": {"field": "do_not_contact"},  # set, never cleared
    # What sales sorts by: the scores, the grade and why.
    "leads_etl_fit_score": {"field": "fit_score"},
    "leads_etl_engagement_score": {"field": "engagement_score"},
    "leads_etl_lead_grade": {"field": "lead_grade"},
    "leads_etl_score_reasons": {"field": "score_reasons"},
    "leads_etl_predicted_score": {"field": "predicted_score"},
    # The owner routing chose, only where the contact has none (an owner sales set is never replaced).
    "hubspot_owner_id": {"field": "assigned_owner_id", "policy": "if_empty"},
    "leads_etl_assignment_reason": {"field": "assignment_reason", "policy": "if_empty"},
}

SALESFORCE_FIELDS: dict[str, dict[str, str]] = {
    "FirstName": {"field": "first_name", "policy": "if_empty"},
    "LastName": {"field": "last_name", "policy": "if_empty", "default": "[not provided]"},
    "Company": {"field": "company", "policy": "if_empty", "default": "[not provided]"},
    "Email": {"field": "email", "policy": "if_empty"},
    "Phone": {"field": "phone", "policy": "if_empty"},
    "Title": {"field": "job_title", "policy": "if_empty"},
    "Website": {"field": "website", "policy": "if_empty"},
    "Country": {"field": "country", "policy": "if_empty"},
    "City": {"field": "city", "policy": "if_empty"},
    "HasOptedOutOfEmail": {"field": "do_not_contact"},  # set, never cleared
    # The owner routing chose: on a create (an existing Salesforce lead always has an owner, sales').
    "OwnerId": {"field": "assigned_owner_id", "policy": "if_empty"},
}


class _CrmSinkBase(Strict):
    # The source reading this CRM back: its records give leads their remote ids, what the sink reads
    # before writing lands there, and its next extract knows our writes as echoes.
    source: Name | None = None
    base_url: str | None = None
    fields: dict[str, FieldRule] = Field(default_factory=dict)
    min_stage: Stage | None = None  # all active leads; `mql` once scoring sets stages
    deletions: Literal["leave", "archive", "clear"] = "leave"  # what a lead deleted in the pipeline does
    batch_size: int = Field(default=100, ge=1)
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=10)
    quota: QuotaConfig = Field(default_factory=QuotaConfig)
    enabled: bool = True

    _check_rules = field_validator("fields", mode="before")(classmethod(lambda cls, v: _rules(v)))


class HubSpotSinkConfig(_CrmSinkBase):
    type: Literal["hubspot"]
    auth: HubSpotAuthConfig
    account: Name | None = None  # the rate-limit budget shared with the source of the same account
    tier: HubSpotTier = "starter"
    rate_limit: RateLimitConfig | None = None
    rate_margin: float = Field(default=0.01, ge=0, le=1)
    id_property: str = "email"  # the unique property new contacts are upserted by
    property_group: str = Field(default="leads_etl", pattern=r"^[a-z][a-z0-9_]{0,99}$")
    stamp_property: str = Field(default="leads_etl_sync_stamp", pattern=r"^[a-z][a-z0-9_]{0,99}$")
    merge_in_crm: bool = False  # merge the CRM records of two leads the pipeline merged
    batch_size: int = Field(default=100, ge=1, le=100)

    @model_validator(mode="after")
    def _default_fields(self) -> HubSpotSinkConfig:
        if not self.fields:
            self.fields = {p: FieldRule.model_validate(r) for p, r in HUBSPOT_FIELDS.items()}
        return self


class SalesforceSinkConfig(_CrmSinkBase):
    type: Literal["salesforce"]
    auth: SalesforceAuthConfig
    login_url: str = "https://login.salesforce.com"
    api_version: str = Field(default="v62.0", pattern=r"^v[0-9]{2}\.0$")
    object: Literal["Lead"] = "Lead"
    external_id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*__c$")  # our id on the record, an External ID field
    batch_size: int = Field(default=200, ge=1, le=200)

    @model_validator(mode="after")
    def _default_fields(self) -> SalesforceSinkConfig:
        if not self.fields:
            self.fields = {p: FieldRule.model_validate(r) for p, r in SALESFORCE_FIELDS.items()}
        return self
