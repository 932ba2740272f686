#!/bin/sh
# Waits until the three nodes run as one cluster, then imports deploy/rabbitmq/definitions.json
# through the management API (with the first node's bootstrap admin), so that each quorum queue
# is created with a member on every node. Idempotent: run it again after adding a queue.
set -eu
api="http://rabbitmq-1:15672/api"
auth="${RABBITMQ_BOOTSTRAP_USER}:${RABBITMQ_BOOTSTRAP_PASSWORD}"
for _ in $(seq 1 120); do
  running=$(curl -fsS -u "$auth" "$api/nodes" 2>/dev/null | grep -o '"running":true' | wc -l || true)
  [ "$running" -ge 3 ] && break
  sleep 2
done
[ "$running" -ge 3 ] || { echo "the cluster did not form (running nodes: $running)" >&2; exit 1; }
curl -fsS -u "$auth" -H 'content-type: application/json' -X POST \
     --data-binary @/definitions.json "$api/definitions"
echo "definitions loaded into the cluster"
