"""Feedback (phản ánh, kiến nghị, khiếu nại, tố cáo, góp ý): the ingress command and intake's
events."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import AnyUrl, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from .base import Payload


class FeedbackKind(StrEnum):
    PHAN_ANH = "phan_anh"
    KIEN_NGHI = "kien_nghi"
    KHIEU_NAI = "khieu_nai"
    TO_CAO = "to_cao"
    GOP_Y = "gop_y"


class Channel(StrEnum):
    TIEP_CONG_DAN = "tiep_cong_dan"
    DON_THU = "don_thu"
    DUONG_DAY_NONG = "duong_day_nong"
    CONG_DICH_VU_CONG = "cong_dich_vu_cong"
    HOM_THU_GOP_Y = "hom_thu_gop_y"
    HOI_NGHI_DOI_THOAI = "hoi_nghi_doi_thoai"
    EMAIL = "email"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Sender(_Strict):
    anonymous: bool = False
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .\-]{6,20}$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    national_id: str | None = Field(default=None, pattern=r"^[0-9]{9,12}$")
    consent_to_contact: bool = False

    @model_validator(mode="after")
    def _name_unless_anonymous(self) -> Sender:
        if not self.anonymous and not self.name:
            raise ValueError("name is required unless the sender is anonymous")
        return self

    @property
    def has_contact(self) -> bool:
        return bool(self.email or self.phone or self.address)


class Locality(_Strict):
    district: str | None = Field(default=None, max_length=200)
    commune: str | None = Field(default=None, max_length=200)


class ComplaintDetails(_Strict):
    round: Literal[1, 2] = 1
    decision_number: str | None = Field(default=None, max_length=100)
    decision_date: date | None = None
    decision_issuer: str | None = Field(
        default=None, max_length=100, description="Code of the unit that issued the decision"
    )


class LetterHandling(_Strict):
    eligible: bool | None = None
    within_competence: bool | None = None
    action: Literal["guided", "transferred", "urged"] | None = None
    transferred_to: str | None = Field(default=None, max_length=300)
    reply_document: str | None = Field(default=None, max_length=200)


class FeedbackBody(_Strict):
    """What describes a piece of feedback, shared by the command and the received event."""

    source_system: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=200)
    kind: FeedbackKind
    channel: Channel
    received_at: AwareDatetime
    subject: str = Field(min_length=1, max_length=500)
    content: str = Field(min_length=1, max_length=20000)
    category_hints: list[str] = Field(default_factory=list, max_length=20)
    locality: Locality = Field(default_factory=Locality)
    complaint: ComplaintDetails | None = None
    attachments: list[AnyUrl] = Field(default_factory=list, max_length=50)
    letter: LetterHandling | None = None


class SubmitFeedback(FeedbackBody, Payload):
    """Command on dvk.ingress (routing key feedback.submit.v1): a new piece of feedback."""

    message_type = "feedback.submit"

    sender: Sender
    confidential: bool = Field(
        default=False, description="Protect the sender's identity as for a denunciation"
    )

    @model_validator(mode="after")
    def _complaint_only_for_khieu_nai(self) -> SubmitFeedback:
        if self.complaint is not None and self.kind is not FeedbackKind.KHIEU_NAI:
            raise ValueError("complaint details are only for kind khieu_nai")
        return self

    @property
    def protected(self) -> bool:
        return self.confidential or self.kind is FeedbackKind.TO_CAO


class SenderSummary(_Strict):
    """What other services may know of a sender: never who they are."""

    anonymous: bool
    consent_to_contact: bool
    has_contact: bool
    protected: bool


class FeedbackReceived(FeedbackBody, Payload):
    """Event: intake accepted a new case. Carries no identity of the sender."""

    message_type = "intake.feedback_received"

    ref: str
    sender: SenderSummary
    sealed_contact: str | None = Field(
        default=None,
        description="Sender contact encrypted for notify only (None when absent or not consented)",
    )


class IntakeRejected(Payload):
    """Event: something an integrating system sent could not be accepted; it is kept for replay."""

    message_type = "intake.rejected"

    rejection_id: str
    source_message_id: str | None
    source_routing_key: str | None
    reason: str
    errors: list[dict[str, str]]
