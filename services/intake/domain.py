"""intake's pure rules: references, what other services may know of a sender."""

from __future__ import annotations

from datetime import datetime

from shared.calendar import local_date
from shared.contracts.feedback import FeedbackReceived, SenderSummary, SubmitFeedback


def case_reference(received_at: datetime, number: int) -> str:
    return f"PAKN-{local_date(received_at).year}-{number:06d}"


def reference_year(received_at: datetime) -> int:
    return local_date(received_at).year


def sender_identifiers(cmd: SubmitFeedback) -> list[str | None]:
    s = cmd.sender
    return [s.name, s.phone, s.national_id, s.email, s.address]


def received_event(cmd: SubmitFeedback, *, ref: str, subject: str, content: str,
                   sealed_contact: str | None) -> FeedbackReceived:
    body = cmd.model_dump(exclude={"sender", "confidential", "subject", "content"})
    return FeedbackReceived(
        **body,
        ref=ref,
        subject=subject,
        content=content,
        sender=SenderSummary(anonymous=cmd.sender.anonymous,
                             consent_to_contact=cmd.sender.consent_to_contact,
                             has_contact=cmd.sender.has_contact, protected=cmd.protected),
        sealed_contact=sealed_contact,
    )


def contact_for_notify(cmd: SubmitFeedback) -> dict[str, str] | None:
    """Only a consenting sender's contact travels, and then only sealed."""
    s = cmd.sender
    if s.anonymous or not s.consent_to_contact or not s.has_contact:
        return None
    return {k: v for k, v in {"name": s.name, "email": s.email, "phone": s.phone,
                              "address": s.address}.items() if v}
