"""What an operator may see of a dead letter's body: a denouncer's identity never.

For a body (an envelope's `data`, or a bare payload) whose kind is `to_cao` or that is marked
`confidential`, the sender's fields and any `sealed_contact` are masked, and the sender's
identifiers are removed from every text in it. `restore_redacted` puts the masked values
back into an operator's edited copy, so that a fixed message is replayed whole without its
editor ever seeing them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from shared.confidential import REDACTED, redact_texts

PROTECTED_KINDS = frozenset({"to_cao"})
_IDENTIFIER_FIELDS = ("name", "phone", "email", "address", "national_id")
# Values no citizen writes, left as sent.
_MACHINE_FIELDS = frozenset({"source_system", "kind", "channel", "received_at", "ref", "sender",
                             "sealed_contact"})


def parse_json(body: bytes) -> Any | None:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def _payload(document: Any) -> dict[str, Any] | None:
    if not isinstance(document, dict):
        return None
    data = document.get("data")
    return data if isinstance(data, dict) else document


def is_protected(document: Any) -> bool:
    payload = _payload(document)
    if payload is None:
        return False
    return payload.get("kind") in PROTECTED_KINDS or payload.get("confidential") is True


def redact_document(document: Any) -> Any:
    """A copy with the denouncer's identity masked; other documents come back unchanged."""
    if not is_protected(document):
        return document
    redacted = copy.deepcopy(document)
    payload = _payload(redacted)
    assert payload is not None
    sender = payload.get("sender")
    identifiers: list[str | None] = []
    if isinstance(sender, dict):
        identifiers = [str(sender[k]) for k in _IDENTIFIER_FIELDS if sender.get(k)]
        payload["sender"] = {k: (REDACTED if v not in (None, "", False, True) else v)
                             for k, v in sender.items()}
    if payload.get("sealed_contact"):
        payload["sealed_contact"] = REDACTED
    payload.update(redact_texts(payload, identifiers, keep=_MACHINE_FIELDS,
                                links=frozenset({"attachments"})))
    return redacted


def restore_redacted(edited: Any, original: Any) -> Any:
    """The edited document, with every value still equal to the mask taken from the original
    at the same place (a text with masked identifiers in it comes back as the original's)."""
    if isinstance(edited, dict) and isinstance(original, dict):
        return {k: restore_redacted(v, original.get(k)) if k in original else v
                for k, v in edited.items()}
    if isinstance(edited, list) and isinstance(original, list):
        return [restore_redacted(v, original[i]) if i < len(original) else v
                for i, v in enumerate(edited)]
    if isinstance(edited, str) and REDACTED in edited and isinstance(original, str):
        return original
    return edited
