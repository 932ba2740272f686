"""API keys of integrating systems (only hashes are stored) and audited identity reveals."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid

from shared.confidential import Sealer
from shared.contracts.base import utc_now

from .orm import ApiKey, Case, RevealAudit
from .uow import IntakeUnitOfWork

RIGHTS = frozenset({"submit", "read", "read_all", "read_identity", "operate"})
# Rights that read any case; `read` alone reads the cases its own system sent.
READ_ANY = frozenset({"read_all", "read_identity"})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(system: str, rights: set[str]) -> tuple[ApiKey, str]:
    unknown = rights - RIGHTS
    if unknown:
        raise ValueError(f"unknown rights: {', '.join(sorted(unknown))}")
    clear = f"dvk_{secrets.token_urlsafe(32)}"
    key = ApiKey(id=uuid.uuid4().hex[:12], system=system, key_hash=hash_key(clear),
                 rights=",".join(sorted(rights)), created_at=utc_now(), revoked_at=None)
    return key, clear


def rights_of(key: ApiKey) -> set[str]:
    return set(filter(None, key.rights.split(",")))


def may_read(key: ApiKey, case: Case) -> bool:
    """A system reads the cases it sent; reading others' (what a citizen wrote to another
    channel, a denunciation's content) takes `read_all` or `read_identity`."""
    rights = rights_of(key)
    return bool(rights & READ_ANY) or ("read" in rights and case.source_system == key.system)


async def authenticate(work: IntakeUnitOfWork, presented: str | None) -> ApiKey | None:
    """The key's record if it is known and not revoked; None otherwise."""
    if not presented:
        return None
    key = await work.access.key_by_hash(hash_key(presented))
    return key if key is not None and key.revoked_at is None else None


def reveal_sender(work: IntakeUnitOfWork, case: Case, *, sealer: Sealer, officer: str,
                  reason: str, via: str) -> dict[str, object]:
    """Opens the sealed sender and records who saw it and why, in the same transaction."""
    if not reason.strip():
        raise ValueError("a reason is required to reveal a sender's identity")
    work.access.add(RevealAudit(ref=case.ref, at=utc_now(), officer=officer,
                                reason=reason.strip(), via=via))
    return json.loads(sealer.open(case.sealed_sender)) if case.sealed_sender else {}
