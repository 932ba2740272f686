"""`dvk route explain` and `dvk deadline`: Vietnamese text for people, JSON for machines."""

import json

import typer
from typer.testing import CliRunner

from services.routing.cli import app, deadline_app

runner = CliRunner()


def dvk() -> typer.Typer:
    """The apps mounted the way the main CLI mounts them."""
    root = typer.Typer()
    root.add_typer(app, name="route")
    root.add_typer(deadline_app)
    return root


def run(*args: str):
    result = runner.invoke(dvk(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_explain_prints_unit_and_reason_in_vietnamese() -> None:
    output = run("route", "explain", "toi chua nhan duoc tro cap that nghiep", "--on", "2024-10-15")
    assert "Đơn vị phụ trách: Trung tâm Dịch vụ việc làm Hà Tĩnh (TT_DICH_VU_VIEC_LAM)" in output
    assert "Từ khóa khớp: trợ cấp thất nghiệp" in output
    assert "Cần phân loại thủ công: không" in output


def test_explain_json_for_a_denunciation() -> None:
    output = run("route", "explain", "Cán bộ thu tiền sai quy định", "--kind", "to_cao",
                 "--on", "2024-10-15", "--json")
    decision = json.loads(output)
    assert decision["unit_code"] == "THANH_TRA"
    assert decision["rule_id"] == "to-cao-thanh-tra"
    assert decision["routed_on"] == "2024-10-15"
    assert decision["needs_triage"] is False


def test_explain_unmatched_text_needs_triage() -> None:
    output = run("route", "explain", "Đường thôn bị sạt lở", "--json", "--on", "2024-10-15")
    assert json.loads(output)["needs_triage"] is True


def test_explain_with_channel_and_district_options() -> None:
    output = run("route", "explain", "Đề nghị tổ chức giao lưu thể thao giữa các phòng",
                 "--kind", "gop_y", "--channel", "hom_thu_gop_y", "--district", "Can Lộc",
                 "--on", "2024-10-15")
    assert "(VAN_PHONG)" in output and "gop-y-noi-bo" in output


def test_deadline_prints_dd_mm_yyyy_days_unit_and_basis() -> None:
    output = run("deadline", "to_cao", "--from", "2026-02-06", "--accepted", "2026-02-24")
    assert "nhận đơn ngày 06/02/2026" in output
    assert "Thông báo thụ lý cho người tố cáo: hạn 03/03/2026 — 5 ngày làm việc, tính từ " \
           "ngày thụ lý 24/02/2026; căn cứ: Luật Tố cáo 2018, Điều 29" in output
    assert "Giải quyết: hạn 26/03/2026 — 30 ngày, tính từ ngày thụ lý 24/02/2026" in output
    assert "⚠" in output


def test_deadline_json_uses_iso_dates_and_english_keys() -> None:
    output = run("deadline", "khieu_nai", "--from", "2026-02-06", "--round", "2",
                 "--step", "giai_quyet", "--complicated", "--json")
    payload = json.loads(output)
    assert payload["complaint_round"] == 2 and payload["variant"] == "complicated"
    [step] = payload["deadlines"]
    assert step == step | {"step": "giai_quyet", "due_on": "2026-04-24", "days": 60,
                           "unit": "calendar", "counted_from": "acceptance",
                           "start_on": "2026-02-23", "provisional": True}


def test_deadline_transfer_step() -> None:
    output = run("deadline", "to_cao", "--from", "2026-02-12", "--step", "chuyen_don")
    assert "Chuyển đơn đến cơ quan có thẩm quyền: hạn 26/02/2026 — 5 ngày làm việc" in output


def test_deadline_refuses_round_for_a_denunciation() -> None:
    result = runner.invoke(dvk(), ["deadline", "to_cao", "--from", "2026-02-06", "--round", "2"])
    flat = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code != 0
    assert "chỉ áp dụng cho đơn khiếu nại" in flat


def test_deadline_reads_the_operators_calendar_like_the_service(
        tmp_path, monkeypatch) -> None:
    """With DVK_CATALOGUE_DIR set, the CLI answers as the running service would."""
    shipped = run("deadline", "phan_anh", "--from", "2026-11-14", "--json")
    (tmp_path / "calendar_overrides.yaml").write_text(
        "days_off: []\nworking_days:\n  - date: 2026-11-24\n    name: Ngày làm việc\n")
    monkeypatch.setenv("DVK_CATALOGUE_DIR", str(tmp_path))
    edited = run("deadline", "phan_anh", "--from", "2026-11-14", "--json")

    def handling_due(output: str) -> str:
        return json.loads(output)["deadlines"][0]["due_on"]

    assert handling_due(shipped) == "2026-11-25"  # 24/11 off in the shipped calendar
    assert handling_due(edited) == "2026-11-24"
