"""intake's pure rules: references, what other services may know of a sender."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.calendar import local_date
from shared.confidential import redact_texts
from shared.contracts.feedback import FeedbackReceived, SenderSummary, SubmitFeedback


def case_reference(received_at: datetime, number: int) -> str:
    return f"PAKN-{local_date(received_at).year}-{number:06d}"


def reference_year(received_at: datetime) -> int:
    return local_date(received_at).year


def sender_identifiers(cmd: SubmitFeedback) -> list[str | None]:
    s = cmd.sender
    return [s.name, s.phone, s.national_id, s.email, s.address]


def received_event(cmd: SubmitFeedback, *, ref: str,
                   sealed_contact: str | None) -> FeedbackReceived:
    return FeedbackReceived(
        **shareable_body(cmd),
        ref=ref,
        sender=SenderSummary(anonymous=cmd.sender.anonymous,
                             consent_to_contact=cmd.sender.consent_to_contact,
                             has_contact=cmd.sender.has_contact, protected=cmd.protected),
        sealed_contact=sealed_contact,
    )


# Values other services match on, never written by a citizen: left as sent.
_MACHINE_FIELDS = frozenset({"source_system", "kind", "channel", "received_at", "action",
                             "decision_date"})


def shareable_body(cmd: SubmitFeedback) -> dict[str, Any]:
    """The command without its sender; for a protected case every free text (subject, content,
    hints, locality, letter handling, attachment links...) without the sender's identifiers."""
    body = cmd.model_dump(mode="json", exclude={"sender", "confidential"})
    if not cmd.protected:
        return body
    return redact_texts(body, sender_identifiers(cmd), keep=_MACHINE_FIELDS,
                        links=frozenset({"attachments"}))


def contact_for_notify(cmd: SubmitFeedback) -> dict[str, str] | None:
    """Only a consenting sender's contact travels, and then only sealed."""
    s = cmd.sender
    if s.anonymous or not s.consent_to_contact or not s.has_contact:
        return None
    return {k: v for k, v in {"name": s.name, "email": s.email, "phone": s.phone,
                              "address": s.address}.items() if v}
