"""`dvk up` starts again a service that dies, pausing longer while it keeps dying."""

from shared.supervisor import MAX_PAUSE_SECONDS, STABLE_AFTER_SECONDS, Supervisor


class FakeProc:
    def __init__(self) -> None:
        self.code: int | None = None

    def poll(self) -> int | None:
        return self.code


class Starts:
    def __init__(self) -> None:
        self.procs: dict[str, list[FakeProc]] = {}

    def __call__(self, name: str) -> FakeProc:
        proc = FakeProc()
        self.procs.setdefault(name, []).append(proc)
        return proc

    def kill_latest(self, name: str, code: int = -9) -> None:
        self.procs[name][-1].code = code


def supervisor(restart: bool = True) -> tuple[Supervisor, Starts, list[str]]:
    starts, lines = Starts(), []
    sup = Supervisor(start=starts, restart=restart, report=lines.append)
    sup.launch(("intake", "routing"), now=0.0)
    return sup, starts, lines


def test_a_killed_service_is_started_again_and_the_others_are_left_alone():
    sup, starts, lines = supervisor()
    starts.kill_latest("routing")
    sup.tick(now=100.0)  # it had run 100 s: started again at once
    sup.tick(now=100.0)
    assert len(starts.procs["routing"]) == 2 and len(starts.procs["intake"]) == 1
    assert set(sup.running) == {"intake", "routing"}
    assert lines == ["dvk: dịch vụ routing đã dừng bất thường (mã thoát -9); "
                     "khởi động lại sau 0 giây"]
    assert sup.crashed


def test_a_service_that_keeps_dying_waits_longer_each_time_up_to_the_limit():
    sup, starts, _lines = supervisor()
    now, pauses = 0.0, []
    for _ in range(8):
        starts.kill_latest("intake", code=1)
        sup.tick(now)
        pause = sup.slots["intake"].restart_at - now
        pauses.append(pause)
        sup.tick(now + pause - 0.1)
        assert "intake" not in sup.running  # not before its pause is over
        now += pause
        sup.tick(now)
        assert "intake" in sup.running
    assert pauses == [1, 2, 4, 8, 16, MAX_PAUSE_SECONDS, MAX_PAUSE_SECONDS, MAX_PAUSE_SECONDS]
    starts.kill_latest("intake", code=1)
    sup.tick(now + STABLE_AFTER_SECONDS)  # ran long enough: the pause starts over
    assert sup.slots["intake"].pause == 0


def test_without_restart_a_dead_service_is_only_reported():
    sup, starts, lines = supervisor(restart=False)
    starts.kill_latest("intake", code=3)
    sup.tick(now=5.0)
    sup.tick(now=500.0)
    assert set(sup.running) == {"routing"} and len(starts.procs["intake"]) == 1
    assert lines == ["dvk: dịch vụ intake đã dừng bất thường (mã thoát 3)"]
