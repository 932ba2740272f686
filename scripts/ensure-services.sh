#!/usr/bin/env bash
# Makes sure the servers dvk needs are up: starts a locally installed RabbitMQ / PostgreSQL
# that is stopped (and enables RabbitMQ's management plugin, which `dvk ops` reads), or says
# exactly what to install. Usage: ensure-services.sh [rabbitmq|postgres|definitions]...
#   definitions: loads deploy/rabbitmq/definitions.json (vhost dvk, users, policies) as well.
set -u
wanted=("$@"); [ ${#wanted[@]} -eq 0 ] && wanted=(rabbitmq postgres)

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {  # host port seconds
  for _ in $(seq 1 "$3"); do port_open "$1" "$2" && return 0; sleep 1; done
  return 1
}

ensure_management() {  # the management API (port 15672) that `dvk ops queues` reads
  command -v rabbitmq-plugins >/dev/null 2>&1 || return 0  # not ours to change (e.g. Docker)
  if rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1; then return 0; fi
  echo "RabbitMQ: enabling the management plugin (port 15672)"
  rabbitmq-plugins -q enable rabbitmq_management >/dev/null 2>&1 \
    || { echo "RabbitMQ: could not enable rabbitmq_management" >&2; return 1; }
}

ensure_rabbitmq() {
  local host=${DVK_RABBIT_HOST:-127.0.0.1}
  if port_open "$host" 5672; then
    echo "RabbitMQ: running on $host:5672"; ensure_management; return $?
  fi
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "RabbitMQ: not running; starting the local rabbitmq-server"
    rabbitmq-server -detached >/dev/null 2>&1 || true
    if wait_port "$host" 5672 90; then
      echo "RabbitMQ: started"
      for _ in $(seq 1 60); do rabbitmqctl -q await_startup >/dev/null 2>&1 && break; sleep 1; done
      ensure_management; return $?
    fi
    echo "RabbitMQ: failed to start; see /var/log/rabbitmq/" >&2; return 1
  fi
  cat >&2 <<MSG
RabbitMQ is not reachable on $host:5672 and is not installed here. Install one of:
  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached
  Docker:         docker run -d --name dvk-rabbit -p 5672:5672 -p 15672:15672 rabbitmq:3-management
or point DVK_AMQP_URL at a running broker.
MSG
  return 1
}

ensure_definitions() {  # vhost dvk with its exchanges, queues, policies and least-privilege users
  local file; file="$(cd "$(dirname "$0")/.." && pwd)/deploy/rabbitmq/definitions.json"
  if command -v rabbitmqctl >/dev/null 2>&1; then
    rabbitmqctl -q import_definitions "$file" >/dev/null || return 1
  else  # a broker elsewhere (Docker): through the management API, as its administrator
    curl -fsS -u "${DVK_RABBIT_ADMIN:-guest:guest}" -H 'content-type: application/json' \
      -X POST --data-binary @"$file" "http://${DVK_RABBIT_HOST:-127.0.0.1}:15672/api/definitions" \
      || return 1
  fi
  if command -v rabbitmqctl >/dev/null 2>&1; then  # rabbitmqctl's import is asynchronous
    for _ in $(seq 1 30); do rabbitmqctl -q list_vhosts | grep -qx dvk && break; sleep 1; done
  fi
  echo "RabbitMQ: definitions loaded (vhost dvk, users dvk-intake, dvk-routing, ...; development passwords)"
}

ensure_postgres() {
  if port_open 127.0.0.1 5432; then echo "PostgreSQL: running on 127.0.0.1:5432"; return 0; fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "PostgreSQL: not running; starting the local cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    if wait_port 127.0.0.1 5432 60; then echo "PostgreSQL: started"; return 0; fi
  fi
  echo "PostgreSQL: not available; the PostgreSQL store tests will be skipped" \
       "(install postgresql, or set DVK_TEST_POSTGRES_URL)" >&2
  return 0  # optional: SQLite is the embedded default
}

status=0
for service in "${wanted[@]}"; do
  "ensure_$service" || status=1
done
exit $status
