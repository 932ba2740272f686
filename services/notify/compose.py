"""From a claimed schedule row to the message to send: recipients from the dated unit catalogue
(or the sender's sealed contact, opened only here), data as it stands at send time, the
Vietnamese template rendered. Anything missing for good raises `ComposeError` (the row is parked
for an operator, never dropped)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from shared.confidential import Sealer
from shared.units import Unit, UnitCatalogue, UnitNotFound

from .channels import OutgoingMessage
from .contexts import (
    CaseFacts, case_message_context, digest_context, resolution_due, sender_context,
)
from .orm import CaseRecord, ScheduledNotification
from .schedule import NotifyPolicy, WorkingCalendarPort
from .settings import Webhook
from .templating import TemplateDataError, TemplateRenderer
from .uow import NotifyUnitOfWork

LEADERSHIP, OFFICE = "BAN_GIAM_DOC", "VAN_PHONG"
SENDER_LABEL = "người gửi đơn (địa chỉ được niêm phong trong nhật ký)"


class ComposeError(Exception):
    """The message cannot be built: no address, a unit unknown on the day, data missing."""


@dataclass(frozen=True)
class Claim:
    """A claimed row, detached from its session."""

    key: str
    case_ref: str
    unit_code: str
    kind: str
    audience: str
    template: str
    step: str
    phase: str
    due_on: date | None
    channel: str
    context: dict
    attempts: int
    not_after: datetime | None
    alerted: bool

    @classmethod
    def of(cls, row: ScheduledNotification) -> Claim:
        return cls(row.idempotency_key, row.case_ref, row.unit_code, row.kind, row.audience,
                   row.template, row.step, row.phase, row.due_on, row.channel,
                   dict(row.context or {}), row.attempts, row.not_after, row.alerted)


@dataclass(frozen=True)
class Composed:
    message: OutgoingMessage
    logged_recipient: str  # what the delivery log keeps: sealed for a sender


def facts_of(record: CaseRecord) -> CaseFacts:
    return CaseFacts(ref=record.ref, kind=record.kind, received_at=record.received_at,
                     summary=record.summary, protected=record.protected,
                     unit_code=record.unit_code, unit_name=record.unit_name,
                     deadlines=tuple(record.deadlines or ()), accepted_at=record.accepted_at)


def _attachments(claim: Claim) -> list[Path]:
    paths = [Path(a["path"]) for a in claim.context.get("attachments", [])]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ComposeError(f"attachment not found: {', '.join(missing)}")
    return paths


class Composer:
    def __init__(self, *, units: UnitCatalogue, renderer: TemplateRenderer, sealer: Sealer,
                 policy: NotifyPolicy, calendar: WorkingCalendarPort,
                 webhooks: tuple[Webhook, ...] = ()) -> None:
        self._units, self._renderer, self._sealer = units, renderer, sealer
        self._policy, self._calendar = policy, calendar
        self._webhooks = {w.name: w for w in webhooks}

    async def compose(self, work: NotifyUnitOfWork, claim: Claim, now: datetime) -> Composed:
        today = now.astimezone(self._policy.tz).date()
        webhook = claim.channel.startswith("webhook:")
        if claim.audience == "sender":
            context, to, logged = await self._for_sender(work, claim)
        else:
            context = await self._context(work, claim, today)
            to = [] if webhook else self.addresses(claim.audience, claim.unit_code, today)
            logged = ", ".join(to)
        if webhook:
            to = logged = self._webhook_url(claim.channel)
        try:
            rendered = self._renderer.render(claim.template, {**self._organisation(today),
                                                              **context})
        except TemplateDataError as exc:
            raise ComposeError(str(exc)) from exc
        message = OutgoingMessage(
            idempotency_key=claim.key, channel="webhook" if webhook else "email", to=to,
            subject=rendered.subject, body_text=rendered.body_text,
            attachments=_attachments(claim))
        return Composed(message, logged)

    async def _context(self, work: NotifyUnitOfWork, claim: Claim, today: date
                       ) -> dict[str, Any]:
        if claim.phase == "digest":
            unit = self._unit(claim.unit_code, today)
            cases = [facts_of(r) for r in await work.cases.open_for_unit(claim.unit_code)]
            return digest_context(unit, cases, today, self._calendar,
                                  self._policy.digest.due_soon_working_days)
        if claim.phase in ("before", "after"):
            return await self._case_context(work, claim, today)
        return {**claim.context, "unit": {"name": self._unit(claim.unit_code, today).name}}

    async def _case_context(self, work: NotifyUnitOfWork, claim: Claim, today: date
                            ) -> dict[str, Any]:
        record = await work.cases.get(claim.case_ref)
        if record is None:
            raise ComposeError(f"case {claim.case_ref} is unknown to notify")
        ladder = await work.schedule.ladder_sent(claim.case_ref, claim.step, claim.due_on)
        unit = self._unit(claim.unit_code, today)
        return case_message_context(facts_of(record), unit, step=claim.step, due_on=claim.due_on,
                                    today=today, calendar=self._calendar, ladder=ladder)

    async def _for_sender(self, work: NotifyUnitOfWork, claim: Claim
                          ) -> tuple[dict[str, Any], list[str], str]:
        record = await work.cases.get(claim.case_ref)
        if record is None or not record.sealed_contact:
            raise ComposeError("no sealed contact for the sender")
        contact = json.loads(self._sealer.open(record.sealed_contact))
        email = (contact.get("email") or "").strip()
        if not email:
            raise ComposeError("the sender gave no e-mail address; send the notice by post")
        facts = facts_of(record)
        context = sender_context(facts, contact, claim.context)
        extension = context.get("extension")
        if isinstance(extension, dict) and not extension.get("new_due_date"):
            extension["new_due_date"] = resolution_due(facts)
        return context, [email], self._sealer.seal(email)

    def _organisation(self, day: date) -> dict[str, str]:
        """The Department's name on the day (it changed with the 2025 merger)."""
        office = self._units.get(OFFICE, on=day)
        return {"department_name": office.parent} if office and office.parent else {}

    def _unit(self, code: str, day: date) -> Unit:
        try:
            return self._units.resolve_or_raise(code, on=day)
        except UnitNotFound as exc:
            raise ComposeError(str(exc)) from exc

    def addresses(self, audience: str, unit_code: str, day: date) -> list[str]:
        """unit: its focal point (else its head); unit_head: its head; leadership: Ban Giám đốc
        (head and secretary); office: Văn phòng Sở (focal point and head)."""
        code = {"leadership": LEADERSHIP, "office": OFFICE}.get(audience, unit_code)
        unit = self._unit(code, day)
        people = {"unit": [unit.focal_point or unit.head], "unit_head": [unit.head],
                  "leadership": [unit.head, unit.focal_point],
                  "office": [unit.focal_point, unit.head]}.get(audience, [])
        found = list(dict.fromkeys(p.email for p in people if p is not None and p.email))
        if not found:
            raise ComposeError(f"no e-mail address for the {audience} of {unit.code}")
        return found

    def _webhook_url(self, channel: str) -> str:
        hook = self._webhooks.get(channel.split(":", 1)[1])
        if hook is None:
            raise ComposeError(f"webhook {channel} is no longer configured")
        return hook.url
