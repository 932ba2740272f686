"""deploy/ cross-checked against the code: the queues the services declare are in the RabbitMQ
definitions with the same arguments; every service has a user that reads only its own queues
and writes only what it publishes to; the compose files parse and name every service."""

from __future__ import annotations

import importlib
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.messaging.definitions import DEFINITIONS_PATH, SERVICE_WRITES
from shared.messaging.topology import DEAD_LETTER, EVENTS, INGRESS, QUEUES
from shared.settings import SERVICES, CommonSettings, ServiceSettings

DEPLOY = DEFINITIONS_PATH.parents[1]
SHIPPED = json.loads(DEFINITIONS_PATH.read_text(encoding="utf-8"))
DOC_KEY = "ZG9jcy1vbmx5LWtleS1uZXZlci11c2VkLWZvci1kYXQ="


def _subscribed_queues() -> dict[str, dict[str, dict[str, Any]]]:
    """{service: {queue: arguments}} as each service's broker declares them."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        common = CommonSettings(data_dir=Path(tmp), confidentiality_key=DOC_KEY)
        for name in SERVICES:
            own = ServiceSettings(database_url="sqlite+aiosqlite:///:memory:", http_port=1,
                                  amqp_url=common.amqp_url)
            parts = importlib.import_module(f"services.{name}.app").build(common, own)
            found[name] = {s.queue.name: _declared(s.queue) for s in parts.broker.subscribers}
    return found


def _declared(queue: Any) -> dict[str, Any]:
    return dict(queue.arguments or {})  # FastStream puts x-queue-type among them


SUBSCRIBED = _subscribed_queues()
QUEUES_SHIPPED = {q["name"]: q for q in SHIPPED["queues"]}
USERS = {u["name"]: u for u in SHIPPED["users"]}
PERMISSIONS = {p["user"]: p for p in SHIPPED["permissions"]}


@pytest.mark.parametrize("service", SERVICES)
def test_every_queue_a_service_consumes_is_shipped_with_the_same_arguments(service):
    assert SUBSCRIBED[service], f"{service} consumes no queue"
    for name, arguments in SUBSCRIBED[service].items():
        assert name in QUEUES_SHIPPED, f"{name} is missing from definitions.json"
        assert QUEUES_SHIPPED[name]["arguments"] == arguments
        assert QUEUES_SHIPPED[name]["durable"] is True
        assert f"{name}.dlq" in QUEUES_SHIPPED


def test_every_queue_of_the_topology_is_shipped_with_its_bindings_and_policy():
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in SHIPPED["bindings"]}
    policies = {p["pattern"]: p["definition"] for p in SHIPPED["policies"]}
    for spec in QUEUES:
        assert {(spec.exchange, spec.name, key) for key in spec.bindings} <= bindings
        assert (DEAD_LETTER, spec.dead_letter_queue, spec.name) in bindings
        policy = next(d for pattern, d in policies.items() if re.fullmatch(pattern, spec.name))
        assert policy["dead-letter-routing-key"] == spec.name
        assert not any(re.fullmatch(p, spec.dead_letter_queue) for p in policies)


def _matching(pattern: str, names: list[str]) -> set[str]:
    return {n for n in names if re.fullmatch(pattern, n)}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_user_reads_only_its_queues_and_writes_only_what_it_publishes(service):
    permission = PERMISSIONS[f"dvk-{service}"]
    queues, exchanges = list(QUEUES_SHIPPED), [e["name"] for e in SHIPPED["exchanges"]]
    assert _matching(permission["read"], queues + exchanges) == set(SUBSCRIBED[service])
    assert _matching(permission["write"], queues + exchanges + ["amq.default"]) == set(
        SERVICE_WRITES[service])
    assert {EVENTS, DEAD_LETTER} <= set(SERVICE_WRITES[service])
    assert INGRESS not in SERVICE_WRITES[service]
    assert _matching(permission["configure"], queues + exchanges) == set()
    assert USERS[f"dvk-{service}"]["tags"] == []


def test_operators_users_have_their_tags_and_nothing_more():
    assert USERS["dvk-monitoring"]["tags"] == ["monitoring"]
    monitoring = PERMISSIONS["dvk-monitoring"]
    assert {monitoring["configure"], monitoring["write"], monitoring["read"]} == {"^$"}
    ops = PERMISSIONS["dvk-ops"]
    assert _matching(ops["read"], list(QUEUES_SHIPPED)) == {q.dead_letter_queue for q in QUEUES}
    assert USERS["dvk-admin"]["tags"] == ["administrator"]


def _compose(name: str) -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("file", ["compose.yaml", "compose.cluster.yaml"])
def test_the_compose_files_name_every_service_with_its_own_user(file):
    services = _compose(file)["services"]
    assert {"rabbitmq", "postgres", "migrate", *SERVICES} <= set(services)
    assert services["migrate"]["command"] == ["migrate"]
    for name in SERVICES:
        service, upper = services[name], name.upper()
        assert service["command"] == ["run", name]
        environment = service["environment"]
        assert f"//dvk-{name}:dvk-{name}-dev@" in environment[f"DVK_{upper}_AMQP_URL"]
        assert environment["DVK_DECLARE_TOPOLOGY"] == "false"
        assert f"/dvk_{name}" in environment[f"DVK_{upper}_DATABASE_URL"]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"


def test_the_single_host_broker_loads_the_definitions_at_boot_with_management_on():
    broker = _compose("compose.yaml")["services"]["rabbitmq"]
    assert "management" in broker["image"]
    mounts = {m.split(":")[1]: m.split(":")[0] for m in broker["volumes"]}
    assert mounts["/etc/rabbitmq/definitions.json"] == "./rabbitmq/definitions.json"
    conf = (DEPLOY / mounts["/etc/rabbitmq/conf.d/20-dvk.conf"].removeprefix("./")).read_text()
    assert "load_definitions = /etc/rabbitmq/definitions.json" in conf


def test_the_cluster_has_three_nodes_and_replicas_of_every_service():
    services = _compose("compose.cluster.yaml")["services"]
    nodes = [n for n in services if re.fullmatch(r"rabbitmq-\d", n)]
    assert len(nodes) == 3
    conf = (DEPLOY / "cluster" / "rabbitmq.conf").read_text()
    assert all(f"rabbit@{node}" in conf for node in nodes)
    for name in SERVICES:
        assert services[name]["deploy"]["replicas"] == "${DVK_REPLICAS:-2}"
    assert all(q["arguments"]["x-queue-type"] == "quorum" for q in SHIPPED["queues"])


def test_postgres_gets_one_database_per_service_and_the_image_runs_dvk():
    init = (DEPLOY / "postgres" / "init.sql").read_text()
    for name in SERVICES:
        assert f"CREATE DATABASE dvk_{name} OWNER dvk_{name};" in init
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["dvk"]' in dockerfile
