"""What the fake LinkedIn holds: sponsored ad accounts, lead forms with questions, lead responses, analytics.

Forms are versioned: `add_question` makes a new version (a real form edit does), and responses name
the version they were submitted on. `GET leadForms/{id}` shows the latest version's questions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.fakes.ad_common import insert_in_order

PREDEFINED = {
    "FIRST_NAME",
    "LAST_NAME",
    "EMAIL",
    "PHONE_NUMBER",
    "CITY",
    "STATE",
    "COUNTRY",
    "ZIP_CODE",
    "JOB_TITLE",
    "JOB_FUNCTION",
    "SENIORITY",
    "COMPANY_NAME",
    "COMPANY_SIZE",
    "INDUSTRY",
    "WORK_EMAIL",
    "WORK_PHONE_NUMBER",
    "LINKEDIN_PROFILE_LINK",
}


@dataclass
class Form:
    id: int
    account_id: str
    name: str
    version: int = 1
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Response:
    id: str
    account_id: str
    form_id: int
    form_version: int
    submitted_ms: int
    answers: list[dict[str, Any]]
    campaign_id: str | None
    creative_id: str | None
    test: bool
    lead_type: str = "SPONSORED"


@dataclass
class Account:
    id: str
    currency: str
    name: str
    responses: list[Response] = field(default_factory=list)
    keys: list[tuple[int, str]] = field(default_factory=list)
    analytics: dict[tuple[str, str, str], tuple[float, int, int]] = field(default_factory=dict)  # (day, camp, crtv)


class Seeding:
    def _init_state(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.forms: dict[int, Form] = {}
        self._counter = 0
        self._question = 10_000

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def add_account(self, account_id: str, currency: str = "USD", name: str = "Ad account") -> str:
        self.accounts[str(account_id)] = Account(str(account_id), currency, name)
        return str(account_id)

    def add_form(self, account_id: str, name: str = "Lead form", questions: list[Any] | None = None) -> int:
        """A form with questions: a predefined field name ("EMAIL") or {name, text, predefined_field?}."""
        form = Form(3000 + self._next(), str(account_id), name)
        self.forms[form.id] = form
        for question in questions or ["FIRST_NAME", "LAST_NAME", "EMAIL", "COMPANY_NAME", "JOB_TITLE"]:
            self._add_question(form, question)
        return form.id

    def add_question(self, form_id: int, question: Any) -> int:
        """A new question: the form moves to its next version; returns the question id."""
        form = self.forms[int(form_id)]
        form.version += 1
        return self._add_question(form, question)

    def _add_question(self, form: Form, question: Any) -> int:
        spec = (
            {"name": question.lower(), "text": question.title(), "predefined_field": question}
            if isinstance(question, str)
            else dict(question)
        )
        if spec.get("predefined_field") and spec["predefined_field"] not in PREDEFINED:
            raise ValueError(f"unknown predefined field {spec['predefined_field']!r}")
        self._question += 1
        entry: dict[str, Any] = {
            "questionId": self._question,
            "name": spec["name"],
            "question": {"localized": {"en_US": spec.get("text") or spec["name"]}},
            "questionDetails": {"textQuestionDetails": {"maxResponseLength": 300}},
        }
        if spec.get("predefined_field"):
            entry["predefinedField"] = spec["predefined_field"]
        form.questions.append(entry)
        return self._question

    def add_lead(
        self,
        account_id: str,
        form_id: int,
        answers: dict[str, str],
        submitted_at: float | None = None,
        campaign_id: str | None = "367378525",
        creative_id: str | None = "991",
        test: bool = False,
    ) -> str:
        """A response; `answers` keyed by question name (or predefined field); `submitted_at` epoch seconds."""
        account, form = self.accounts[str(account_id)], self.forms[int(form_id)]
        by_name = {q["name"]: q["questionId"] for q in form.questions}
        by_name |= {q["predefinedField"]: q["questionId"] for q in form.questions if q.get("predefinedField")}
        answered = [
            {"questionId": by_name[k], "answerDetails": {"textQuestionAnswer": {"answer": str(v)}}}
            for k, v in answers.items()
        ]
        at = self.now() if submitted_at is None else submitted_at  # type: ignore[attr-defined]
        lead = Response(
            f"{self._next():08x}-4fa1-b2c3-fake-lead",
            account.id,
            form.id,
            form.version,
            int(at * 1000),
            answered,
            campaign_id,
            creative_id,
            bool(test),
        )
        insert_in_order(account.keys, account.responses, (lead.submitted_ms, lead.id), lead)
        return lead.id

    def restate_lead(self, lead_id: str, answers: dict[str, str], submitted_at: float) -> None:
        """Serve a response again with other answers and submission time.

        A test hook with no counterpart at the platform (leads are write-once): the source contract
        suite uses it for a record changed behind the watermark; a connector sees a changed record.
        """
        for account in self.accounts.values():
            for at, found in enumerate(account.responses):
                if found.id == lead_id:
                    del account.responses[at], account.keys[at]
                    form = self.forms[found.form_id]
                    names = {q["name"]: q["questionId"] for q in form.questions}
                    names |= {q["predefinedField"]: q["questionId"] for q in form.questions if q.get("predefinedField")}
                    found.answers = [
                        {"questionId": names[k], "answerDetails": {"textQuestionAnswer": {"answer": str(v)}}}
                        for k, v in answers.items()
                    ]
                    found.submitted_ms = int(submitted_at * 1000)
                    insert_in_order(account.keys, account.responses, (found.submitted_ms, found.id), found)
                    return
        raise KeyError(lead_id)

    def add_leads(self, account_id: str, form_id: int, leads: list[dict[str, Any]]) -> list[str]:
        """Many responses: each {answers, submitted_at?, campaign_id?, creative_id?, test?}."""
        return [self.add_lead(account_id, form_id, **lead) for lead in leads]

    def set_spend(
        self,
        account_id: str,
        day: str,
        campaign_id: str,
        creative_id: str,
        cost: float,
        impressions: int = 0,
        clicks: int = 0,
    ) -> None:
        """A creative's delivery on a day; setting it again is LinkedIn correcting it."""
        date.fromisoformat(day)
        self.accounts[str(account_id)].analytics[(day, str(campaign_id), str(creative_id))] = (
            float(cost),
            int(impressions),
            int(clicks),
        )
