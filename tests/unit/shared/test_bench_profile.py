"""The benchmark's own instruments: CPU per process from /proc, and the broker's message totals."""

import os

import httpx

from bench.profile import CpuMeter, fixed, per_item_ms
from shared.ops.management import ManagementClient


def test_cpu_meter_counts_the_work_done_between_start_and_stop():
    meter = CpuMeter({"me": fixed(os.getpid()), "gone": fixed(2**22 + 12345)}).start()
    total = 0
    for n in range(3_000_000):  # ~0.1-0.3 s of CPU, well above one clock tick
        total += n * n
    used = meter.stop()
    assert used["me"] > 0.02 and used["gone"] == 0.0
    per = per_item_ms(used, 10)
    assert per["total"] == round((used["me"] + used["gone"]) * 100, 2)


def test_message_totals_reads_the_virtual_host_statistics():
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/vhosts/dvk-bench-1"
        return httpx.Response(200, json={"name": "dvk-bench-1", "message_stats": {
            "publish": 5000, "deliver_get": 9000, "ack": 9000, "confirm": 5000}})

    with ManagementClient("http://broker:15672", "guest", "guest",
                          transport=httpx.MockTransport(answer)) as api:
        totals = api.message_totals("dvk-bench-1")
    assert totals == {"publish": 5000, "deliver_get": 9000, "ack": 9000, "confirm": 5000,
                      "redeliver": 0}
