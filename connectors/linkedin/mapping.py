"""LinkedIn lead responses and analytics to our shapes (pure): flat lead payloads and spend rows.

A response's answers name numeric `questionId`s only; the form (`leadForms`) says what each
question is. The payload keeps an answer under the question's predefined field in lower case
(EMAIL → `email`, PHONE_NUMBER → `phone_number`, COMPANY_NAME → `company_name`), else under the
question's own `name`, else as `question:<id>` (a question the form no longer has, in an older
version of it). A multiple-choice answer is its options' texts, comma-joined. Consents are kept
as `consent:<id>` (true or false).

Attribution: the campaign (`leadMetadata.sponsoredLeadMetadata.campaign`) and the creative
(`associatedEntity.associatedCreative`) are URNs; the payload keeps their ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from connectors.ad_mapping import STANDARD_ANSWER_KEYS, MalformedLead, spend_record
from connectors.ad_mapping import effective_mapping as shared_mapping
from leads.source_config import LinkedInSourceConfig

# Lead field → payload key. A source's `mapping` overrides entries (null drops one).
DEFAULT_MAPPING: dict[str, str] = {
    "email": "email",
    **STANDARD_ANSWER_KEYS,
    "created_at": "submitted_at",
    "campaign_id": "campaign_id",
    "ad_id": "ad_id",
    "form_id": "form_id",
    "form_name": "form_name",
    "platform": "platform",
    "is_organic": "is_organic",
}


def effective_mapping(settings: LinkedInSourceConfig) -> dict[str, str]:
    return shared_mapping(DEFAULT_MAPPING, settings.mapping)


def urn_id(urn: Any) -> str | None:
    """urn:li:sponsoredCampaign:367378525 → 367378525."""
    if not isinstance(urn, str) or ":" not in urn:
        return None
    return urn.rsplit(":", 1)[-1] or None


def form_of(response: dict[str, Any]) -> tuple[str, str] | None:
    """(form id, version) from urn:li:versionedLeadGenForm:(urn:li:leadGenForm:3162,1)."""
    urn = response.get("versionedLeadGenFormUrn")
    if not isinstance(urn, str) or "leadGenForm:" not in urn:
        return None
    inner = urn.rsplit("leadGenForm:", 1)[-1].rstrip(")")
    form_id, _, version = inner.partition(",")
    return (form_id, version) if form_id.isdigit() else None


def questions(form: dict[str, Any]) -> dict[int, tuple[str, dict[int, str]]]:
    """questionId → (payload key, option id → text) for a form."""
    out: dict[int, tuple[str, dict[int, str]]] = {}
    for question in (form.get("content") or {}).get("questions") or []:
        if not isinstance(question, dict) or not isinstance(question.get("questionId"), int):
            continue
        qid = question["questionId"]
        key = str(question.get("predefinedField") or "").lower() or question.get("name") or f"question:{qid}"
        details = (question.get("questionDetails") or {}).get("multipleChoiceQuestionDetails") or {}
        options = {o["id"]: _text(o.get("text")) for o in details.get("options") or [] if isinstance(o, dict)}
        out[qid] = (str(key), options)
    return out


def _text(value: Any) -> str:
    if isinstance(value, dict):
        localized = value.get("localized") or {}
        return str(next(iter(localized.values()), "")) if isinstance(localized, dict) else ""
    return str(value or "")


def lead_payload(
    response: Any, account_id: str, form_name: str | None, known: dict[int, tuple[str, dict[int, str]]]
) -> tuple[dict[str, Any], datetime]:
    """The payload and submission time of one response; raises MalformedLead with the reason."""
    if not isinstance(response, dict) or not isinstance(response.get("id"), str) or not response["id"]:
        raise MalformedLead("missing lead response id")
    submitted_ms = response.get("submittedAt")
    if isinstance(submitted_ms, bool) or not isinstance(submitted_ms, int):
        raise MalformedLead(f"submittedAt is not epoch milliseconds: {submitted_ms!r}")
    submitted = datetime.fromtimestamp(submitted_ms / 1000, UTC)
    form = form_of(response)
    lead_type = str(response.get("leadType") or "SPONSORED")
    metadata = (response.get("leadMetadata") or {}).get("sponsoredLeadMetadata") or {}
    payload: dict[str, Any] = {
        "id": response["id"],
        "account_id": account_id,
        "lead_type": lead_type,
        "form_id": form[0] if form else None,
        "form_version": form[1] if form else None,
        "form_name": form_name,
        "submitted_at": submitted.isoformat(),
        "campaign_id": urn_id(metadata.get("campaign")),
        "ad_id": urn_id((response.get("associatedEntity") or {}).get("associatedCreative")),
        "platform": "linkedin",
        "is_organic": lead_type != "SPONSORED",
    }
    answers = (response.get("formResponse") or {}).get("answers") or []
    if not isinstance(answers, list):
        raise MalformedLead("formResponse.answers is not a list")
    for answer in answers:
        if not isinstance(answer, dict) or not isinstance(answer.get("questionId"), int):
            raise MalformedLead("an answer without a numeric questionId")
        key, options = known.get(answer["questionId"], (f"question:{answer['questionId']}", {}))
        payload[key] = _answer(answer.get("answerDetails") or {}, options)
    for consent in (response.get("formResponse") or {}).get("consentResponses") or []:
        if isinstance(consent, dict) and consent.get("consentId") is not None:
            payload[f"consent:{consent['consentId']}"] = bool(consent.get("accepted"))
    return {k: v for k, v in payload.items() if v not in (None, "")}, submitted


def _answer(details: dict[str, Any], options: dict[int, str]) -> str:
    text = details.get("textQuestionAnswer")
    if isinstance(text, dict):
        return str(text.get("answer") or "")
    choice = details.get("multipleChoiceAnswer")
    if isinstance(choice, dict):
        return ", ".join(options.get(o, str(o)) for o in choice.get("options") or [])
    return ""


def spend_row(element: Any, account_id: str, currency: str) -> dict[str, Any] | None:
    """One creative's spend on one day from an adAnalytics element (None when it is unreadable)."""
    try:
        campaign_urn, creative_urn = element["pivotValues"][:2]
        start = element["dateRange"]["start"]
        day = date(int(start["year"]), int(start["month"]), int(start["day"]))
        amount = float(element.get("costInLocalCurrency") or 0)
        impressions, clicks = int(element.get("impressions") or 0), int(element.get("clicks") or 0)
    except (KeyError, TypeError, ValueError):
        return None
    campaign, creative = urn_id(campaign_urn), urn_id(creative_urn)
    if not campaign or not creative or len(currency) != 3:
        return None
    return spend_record("linkedin", account_id, campaign, creative, day, amount, currency, impressions, clicks)
