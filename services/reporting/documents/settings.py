"""Document settings: who issues the report and how its header and signing block read.

Dated, because the organisation changes (from 01/3/2025 Sở LĐTBXH merges into Sở Nội vụ):
the packaged YAML holds defaults plus dated variants, and the report date picks one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..content import ReportFamily

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogue"
DEFAULT_SETTINGS_PATH = CATALOGUE_DIR / "report_settings.yaml"
PACKAGED_TEMPLATE_DIR = CATALOGUE_DIR / "templates"


MARGIN_RANGES_MM = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}


class Margins(BaseModel):
    """Page margins in millimetres, held to the ranges of Nghị định 30/2020."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    top: float = Field(20, ge=MARGIN_RANGES_MM["top"][0], le=MARGIN_RANGES_MM["top"][1])
    bottom: float = Field(20, ge=MARGIN_RANGES_MM["bottom"][0], le=MARGIN_RANGES_MM["bottom"][1])
    left: float = Field(30, ge=MARGIN_RANGES_MM["left"][0], le=MARGIN_RANGES_MM["left"][1])
    right: float = Field(15, ge=MARGIN_RANGES_MM["right"][0], le=MARGIN_RANGES_MM["right"][1])


class DocumentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    valid_from: date = date.min
    parent_body: str = Field(min_length=1)
    issuing_body: str = Field(min_length=1)
    symbol: str = Field(min_length=1)
    place: str = Field(min_length=1)
    doc_type_code: str = "BC"
    signing_authority: str = ""
    signer_title: str = ""
    signer_name: str = ""
    drafting_unit: str = Field(min_length=1)
    number_placeholder: str = "      "
    kinh_gui: dict[ReportFamily, list[str]] = Field(default_factory=dict)
    recipients: dict[ReportFamily, list[str]] = Field(default_factory=dict)
    margins_mm: Margins = Field(default_factory=Margins)
    body_font_pt: float = Field(14, ge=13, le=14)
    body_table_rows: int = Field(50, ge=5, description="Longer tables (e.g. overdue cases) show "
                                 "this many rows in the .docx; the .xlsx annex has them all")
    template_dir: Path | None = None

    @model_validator(mode="after")
    def _someone_signs(self) -> DocumentSettings:
        if not (self.signing_authority or self.signer_title):
            raise ValueError("settings need a signing_authority or a signer_title")
        return self

    def template_dirs(self) -> list[Path]:
        """Where templates are looked up: the override folder first, then the packaged one."""
        return [p for p in (self.template_dir, PACKAGED_TEMPLATE_DIR) if p is not None]


def load_document_settings(
    report_date: date, path: Path | None = None, override_path: Path | None = None
) -> DocumentSettings:
    """The settings in force on `report_date`, from `path` (the packaged YAML by default)
    with the YAML at `override_path`, if any, laid over it."""
    raw = _read_yaml(path or DEFAULT_SETTINGS_PATH)
    if override_path is not None:
        raw = _overlay(raw, _read_yaml(override_path))
    return settings_for(raw, report_date)


def _anchor(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Resolve a relative `template_dir` against the folder of the file that names it."""
    for part in [raw.get("defaults") or {}, *(raw.get("variants") or [])]:
        if part.get("template_dir") and not Path(part["template_dir"]).is_absolute():
            part["template_dir"] = str(folder / part["template_dir"])
    return raw


def settings_for(raw: dict[str, Any], report_date: date) -> DocumentSettings:
    """Merge the defaults with the latest variant whose `valid_from` is on or before the date."""
    variants = sorted(raw.get("variants") or [], key=lambda v: _as_date(v.get("valid_from")))
    chosen: dict[str, Any] = dict(raw.get("defaults") or {})
    for variant in variants:
        if _as_date(variant.get("valid_from")) <= report_date:
            chosen.update(variant)
    return DocumentSettings.model_validate(chosen)


def _overlay(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = {"defaults": {**(base.get("defaults") or {}), **(override.get("defaults") or {})},
              "variants": base.get("variants") or []}
    if "variants" in override:
        merged["variants"] = override["variants"] or []
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"report settings file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"report settings file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"report settings file {path} must hold a mapping with 'defaults'")
    return _anchor(data, Path(path).resolve().parent)


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"variant valid_from must be a date (YYYY-MM-DD), got {value!r}")
