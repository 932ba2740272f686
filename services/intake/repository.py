"""intake's repositories. They never commit: the unit of work does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.base import utc_now
from shared.upsert import insert_if_absent

from .orm import (
    AcceptedDigest,
    ApiKey,
    Case,
    MovementRecord,
    PendingCommand,
    RefCounter,
    RejectedMessage,
    RevealAudit,
    TaskProgress,
    TimelineEntry,
)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ref: str, *, for_update: bool = False) -> Case | None:
        if not for_update:
            return await self.session.get(Case, ref)
        return await self.session.scalar(select(Case).where(Case.ref == ref).with_for_update())

    async def find_duplicate(self, message_id: str, source_system: str,
                             external_id: str) -> Case | None:
        """The case this message repeats, by its message id or by the sender system's own id:
        one look-up for both (the message id wins if they name different cases)."""
        found = list(await self.session.scalars(select(Case).where(or_(
            Case.message_id == message_id,
            and_(Case.source_system == source_system, Case.external_id == external_id)))))
        return next((c for c in found if c.message_id == message_id), found[0] if found else None)

    def add(self, case: Case) -> None:
        self.session.add(case)

    async def was_issued(self, ref: str) -> bool:
        """Whether this reference's number has been given out. Numbers are issued in order and
        in the same commit as their case, so an issued number without a case is a wrong
        reference, never a case still on its way (that one's number is above the last)."""
        year, number = (int(part) for part in ref.split("-")[1:3])
        last = await self.session.scalar(select(RefCounter.last).where(RefCounter.year == year))
        return last is not None and number <= last

    async def next_number(self, year: int) -> int:
        bumped = await self.session.scalar(
            update(RefCounter).where(RefCounter.year == year)
            .values(last=RefCounter.last + 1).returning(RefCounter.last))
        if bumped is not None:
            return bumped
        await insert_if_absent(self.session, RefCounter, {"year": year, "last": 0})
        return await self.next_number(year)

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Case)) or 0


class TimelineRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, entry: TimelineEntry) -> None:
        self.session.add(entry)

    async def has_update(self, source_system: str, update_id: str) -> bool:
        return await self.session.scalar(select(TimelineEntry.id).where(
            TimelineEntry.source_system == source_system,
            TimelineEntry.update_id == update_id)) is not None

    async def for_case(self, ref: str) -> list[TimelineEntry]:
        return list(await self.session.scalars(
            select(TimelineEntry).where(TimelineEntry.ref == ref)
            .order_by(TimelineEntry.at, TimelineEntry.id)))


class PendingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, pending: PendingCommand) -> None:
        self.session.add(pending)

    async def has_message(self, message_id: str) -> bool:
        return await self.session.scalar(select(PendingCommand.id).where(
            PendingCommand.message_id == message_id)) is not None

    async def has_subject(self, subject_key: str) -> bool:
        return await self.session.scalar(select(PendingCommand.id).where(
            PendingCommand.subject_key == subject_key).limit(1)) is not None

    async def for_subject(self, subject_key: str) -> list[PendingCommand]:
        return list(await self.session.scalars(
            select(PendingCommand).where(PendingCommand.subject_key == subject_key)
            .order_by(PendingCommand.id)))

    async def older_than(self, moment: datetime, limit: int = 100) -> list[PendingCommand]:
        return list(await self.session.scalars(
            select(PendingCommand).where(PendingCommand.received_at < moment)
            .order_by(PendingCommand.id).limit(limit)))

    async def subjects(self) -> list[str]:
        return list(await self.session.scalars(select(PendingCommand.subject_key).distinct()))

    async def list(self, limit: int = 200) -> list[PendingCommand]:
        return list(await self.session.scalars(
            select(PendingCommand).order_by(PendingCommand.id).limit(limit)))


class AcceptedDigestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *, message_key: str, source_key: str | None, digest: str,
            ref: str | None) -> None:
        self.session.add(AcceptedDigest(message_key=message_key, source_key=source_key,
                                        digest=digest, ref=ref, accepted_at=utc_now()))

    async def earlier(self, message_key: str, source_key: str | None) -> AcceptedDigest | None:
        """The command accepted under this idempotency key, else under this source key."""
        found = list(await self.session.scalars(select(AcceptedDigest).where(_same_identity(
            AcceptedDigest.message_key, AcceptedDigest.source_key, message_key, source_key))))
        return next((d for d in found if d.message_key == message_key),
                    found[0] if found else None)


class RejectedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, rejected: RejectedMessage) -> None:
        self.session.add(rejected)

    async def get(self, rejection_id: str) -> RejectedMessage | None:
        return await self.session.get(RejectedMessage, rejection_id)

    async def list(self, *, status: str | None = "pending", limit: int = 500
                   ) -> list[RejectedMessage]:
        query = select(RejectedMessage).order_by(RejectedMessage.received_at).limit(limit)
        if status:
            query = query.where(RejectedMessage.status == status)
        return list(await self.session.scalars(query))

    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(RejectedMessage)) or 0

    async def supersede(self, *, message_key: str, source_key: str | None, by: str, note: str,
                        at: datetime) -> int:
        """Marks the pending refusals of this identity resolved by an accepted message; they
        stay kept. Returns how many."""
        result = await self.session.execute(
            update(RejectedMessage)
            .where(RejectedMessage.status == "pending", _same_identity(
                RejectedMessage.identity_key, RejectedMessage.source_key, message_key,
                source_key))
            .values(status="superseded", resolved_at=at, resolution_note=note, superseded_by=by)
            .execution_options(synchronize_session=False))
        return result.rowcount or 0


def _same_identity(message_column: Any, source_column: Any, message_key: str,
                   source_key: str | None) -> Any:
    """Rows under this idempotency key or, when there is one, this source key."""
    if source_key is None:
        return message_column == message_key
    return or_(message_column == message_key, source_column == source_key)


class RecordRepository:
    """Task progress and movement records."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def progress_exists(self, source_system: str, external_id: str) -> bool:
        return await self.session.scalar(select(TaskProgress.id).where(
            TaskProgress.source_system == source_system,
            TaskProgress.external_id == external_id)) is not None

    def add(self, record: TaskProgress | MovementRecord) -> None:
        self.session.add(record)

    async def movement(self, record_type: str, record_id: str) -> MovementRecord | None:
        return await self.session.scalar(select(MovementRecord).where(
            MovementRecord.record_type == record_type, MovementRecord.record_id == record_id))


class AccessRepository:
    """API keys and the audit of identity reveals."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def key_by_hash(self, key_hash: str) -> ApiKey | None:
        return await self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    def add(self, item: ApiKey | RevealAudit) -> None:
        self.session.add(item)

    async def keys(self) -> list[ApiKey]:
        return list(await self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)))

    async def revoke(self, key_id: str, at: datetime) -> bool:
        result = await self.session.execute(update(ApiKey).where(
            ApiKey.id == key_id, ApiKey.revoked_at.is_(None)).values(revoked_at=at))
        return bool(result.rowcount)

    async def reveals(self, ref: str) -> list[RevealAudit]:
        return list(await self.session.scalars(
            select(RevealAudit).where(RevealAudit.ref == ref).order_by(RevealAudit.id)))
