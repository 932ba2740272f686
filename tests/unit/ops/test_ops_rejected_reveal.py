"""`dvk ops rejected reveal ID --reason TEXT`: the audited reveal of a kept body, through
intake's `POST /v1/rejected/{id}/reveal` (here a fake intake answering over httpx)."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from shared.ops import cli
from shared.ops.rejected import RejectedStore

KEPT = {"id": "r-1", "status": "pending", "reason": "thiếu nội dung",
        "body": {"kind": "to_cao", "sender": {"name": "Trần Thị Hoa"}}}


class FakeIntake:
    """Answers the reveal route as intake does; remembers what it was asked."""

    def __init__(self, status: int = 200, answer: object = KEPT) -> None:
        self.status, self.answer = status, answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.answer)

    def store(self) -> RejectedStore:
        return RejectedStore("http://intake", transport=httpx.MockTransport(self))


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"DVK_OPS_AUDIT_LOG": str(tmp_path / "ops-audit.jsonl"),
            "DVK_OPS_OPERATOR": "cv.vanhanh", "DVK_DATA_DIR": str(tmp_path)}


def _run(monkeypatch, intake: FakeIntake, env: dict[str, str], *args: str):
    monkeypatch.setattr(cli, "_rejected_store", intake.store)
    return CliRunner().invoke(cli.app, ["rejected", "reveal", *args], env=env)


def _audit(env: dict[str, str]) -> list[dict]:
    with open(env["DVK_OPS_AUDIT_LOG"], encoding="utf-8") as log:
        return [json.loads(line) for line in log]


def test_reveal_asks_intake_with_the_reason_and_the_operator_and_prints_the_whole_body(
        monkeypatch, env):
    intake = FakeIntake()
    result = _run(monkeypatch, intake, env, "r-1", "--reason", " Sửa kênh để gửi lại ")
    assert result.exit_code == 0, result.output
    [request] = intake.requests
    assert (request.method, request.url.path) == ("POST", "/v1/rejected/r-1/reveal")
    assert json.loads(request.content) == {"reason": "Sửa kênh để gửi lại",
                                           "officer": "cv.vanhanh"}
    assert json.loads(result.stdout) == KEPT
    assert "Đã ghi nhận lần xem toàn văn" in result.stderr
    [entry] = _audit(env)
    assert (entry["action"], entry["rejection_id"], entry["reason"], entry["operator"]) == (
        "rejected-reveal", "r-1", "Sửa kênh để gửi lại", "cv.vanhanh")
    assert "Trần Thị Hoa" not in json.dumps(entry, ensure_ascii=False)  # never a body


def test_officer_names_who_sees_it(monkeypatch, env):
    intake = FakeIntake()
    result = _run(monkeypatch, intake, env, "r-1", "--reason", "Xác minh", "--officer",
                  "Trần Thu")
    assert result.exit_code == 0, result.output
    assert json.loads(intake.requests[0].content)["officer"] == "Trần Thu"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_blank_reason_is_refused_before_asking_intake(monkeypatch, env, reason):
    intake = FakeIntake()
    result = _run(monkeypatch, intake, env, "r-1", "--reason", reason)
    assert result.exit_code == 2
    assert result.stderr == ("Cần nêu lý do xem toàn văn (--reason); lý do được ghi lại cùng "
                             "người xem.\n")
    assert intake.requests == []


def test_a_reason_is_required(monkeypatch, env):
    result = _run(monkeypatch, FakeIntake(), env, "r-1")
    assert result.exit_code != 0 and "--reason" in result.output


def test_intakes_refusal_is_said_in_its_own_words_and_nothing_is_recorded(monkeypatch, env):
    intake = FakeIntake(403, {"detail": "khóa API không có quyền xem danh tính người gửi"})
    result = _run(monkeypatch, intake, env, "r-1", "--reason", "Xác minh")
    assert result.exit_code == 1
    assert "intake trả lời 403: khóa API không có quyền xem danh tính người gửi" in result.stderr
    assert result.stdout == ""
    with pytest.raises(FileNotFoundError):
        _audit(env)


def test_the_list_says_which_state_it_shows_and_why_a_refusal_was_resolved():
    from shared.ops.render import rejected_text

    assert rejected_text([]) == "Không có thông điệp bị từ chối đang chờ xử lý."
    assert rejected_text([], status="superseded") == \
        "Không có thông điệp bị từ chối đã có bản gửi lại hợp lệ."
    note = "đã được thay bằng bản gửi lại hợp lệ (hồ sơ PAKN-2026-000001)"
    superseded = {"id": "r-2", "received_at": "2026-11-20T01:00:00+00:00", "way_in": "amqp",
                  "reason": "thiếu nội dung", "errors": [{"field": "data.content"}],
                  "status": "superseded", "resolution_note": note}
    text = rejected_text([superseded], status="superseded")
    assert "r-2" in text and f"→ {note}" in text
