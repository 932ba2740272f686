from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.reporting.documents import load_document_settings, render_docx
from services.reporting.documents.settings import DocumentSettings


def test_before_the_merger_the_department_issues():
    settings = load_document_settings(date(2025, 2, 28))
    assert settings.issuing_body == "SỞ LAO ĐỘNG - THƯƠNG BINH\nVÀ XÃ HỘI"
    assert settings.symbol == "SLĐTBXH"
    assert (settings.signing_authority, settings.signer_title) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    assert settings.parent_body == "UBND TỈNH HÀ TĨNH"
    assert settings.drafting_unit == "VP"


def test_from_the_merger_sở_nội_vụ_issues():
    settings = load_document_settings(date(2025, 3, 1))
    assert (settings.issuing_body, settings.symbol) == ("SỞ NỘI VỤ", "SNV")
    assert settings.valid_from == date(2025, 3, 1)
    assert settings.parent_body == "UBND TỈNH HÀ TĨNH"


def test_override_file_replaces_keys_and_variants(tmp_path):
    override = tmp_path / "override.yaml"
    override.write_text(
        "defaults:\n  signer_name: Trần Văn B\n"
        "variants:\n  - valid_from: 2030-01-01\n    symbol: SXX\n", encoding="utf-8")
    settings = load_document_settings(date(2025, 6, 1), override_path=override)
    assert settings.signer_name == "Trần Văn B"
    assert settings.symbol == "SLĐTBXH"
    assert load_document_settings(date(2030, 1, 1), override_path=override).symbol == "SXX"


def test_relative_template_dir_is_read_from_the_override_files_folder(tmp_path):
    override = tmp_path / "override.yaml"
    override.write_text("defaults:\n  template_dir: mine\n", encoding="utf-8")
    settings = load_document_settings(date(2025, 6, 1), override_path=override)
    assert settings.template_dirs()[0] == tmp_path / "mine"


def test_margins_outside_decree_30_are_refused(tmp_path):
    override = tmp_path / "o.yaml"
    override.write_text("defaults:\n  margins_mm: {top: 20, bottom: 20, left: 25, right: 15}\n")
    with pytest.raises(ValidationError, match="left"):
        load_document_settings(date(2025, 1, 1), override_path=override)


def test_missing_or_bad_settings_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"not found: .*nope.yaml"):
        load_document_settings(date(2025, 1, 1), path=tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("variants:\n  - valid_from: someday\n")
    with pytest.raises(ValueError, match="'someday'"):
        load_document_settings(date(2025, 1, 1), path=bad)


def test_render_refuses_settings_not_yet_valid(dvk_content, out):
    later = load_document_settings(date(2025, 3, 1))
    with pytest.raises(ValueError, match="valid from 2025-03-01"):
        render_docx(dvk_content, later, out / "r.docx")


def test_someone_must_sign():
    with pytest.raises(ValidationError, match="signing_authority"):
        DocumentSettings(parent_body="A", issuing_body="B", symbol="C", place="D",
                         drafting_unit="VP")
