#!/bin/sh
# Creates compose.loadtest.yaml's Redis Cluster (3 masters + 3 replicas) once its nodes answer,
# then waits until every node reports cluster_state:ok. A cluster that already has its slots
# assigned (nodes.conf kept in the nodes' volumes from an earlier `up`) is left as it is.
# Runs in the redis:7 image (redis-cli, getent); exits non-zero on a timeout or a failed create.
set -eu

NODES="${CLUSTER_NODES:-redis-1 redis-2 redis-3 redis-4 redis-5 redis-6}"
PORT="${CLUSTER_PORT:-6379}"
TIMEOUT_SECONDS="${CLUSTER_INIT_TIMEOUT_SECONDS:-90}"
deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))

log() { echo "redis-cluster-init: $*"; }

# wait_for DESCRIPTION COMMAND...: retries COMMAND every second until it succeeds or the deadline.
wait_for() {
  what=$1
  shift
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${TIMEOUT_SECONDS}s waiting for $what" >&2
      exit 1
    fi
    sleep 1
  done
}

answers_ping() { redis-cli -h "$1" -p "$PORT" ping | grep -q PONG; }
cluster_ok() { redis-cli -h "$1" -p "$PORT" cluster info | grep -q '^cluster_state:ok'; }
slots_assigned() { redis-cli -h "$1" -p "$PORT" cluster info | sed -n 's/^cluster_slots_assigned:\([0-9]*\).*/\1/p'; }
# CLUSTER NODES: the third field holds the flags (master, slave, myself, ...).
replicas_known() { [ "$(redis-cli -h "$1" -p "$PORT" cluster nodes | awk '$3 ~ /slave/' | wc -l)" -ge "$2" ]; }

for node in $NODES; do
  wait_for "$node:$PORT to answer PING" answers_ping "$node"
done

first=${NODES%% *}
assigned=$(slots_assigned "$first")
if [ "${assigned:-0}" -gt 0 ]; then
  log "cluster already created; not creating it again"
else
  # CLUSTER MEET (used by --cluster create) takes IP addresses, so resolve the service names.
  addresses=""
  for node in $NODES; do
    ip=$(getent ahostsv4 "$node" | awk 'NR == 1 { print $1 }')
    if [ -z "$ip" ]; then
      log "cannot resolve $node" >&2
      exit 1
    fi
    addresses="$addresses $ip:$PORT"
  done
  log "creating the cluster from$addresses"
  # shellcheck disable=SC2086 # one argument per address
  redis-cli --cluster create $addresses --cluster-replicas 1 --cluster-yes
fi

for node in $NODES; do
  wait_for "$node to report cluster_state:ok" cluster_ok "$node"
done
# --cluster-replicas 1: half the nodes end up as replicas, once each has joined its master.
replicas=$(( $(echo "$NODES" | wc -w) / 2 ))
wait_for "$replicas replicas to join their masters" replicas_known "$first" "$replicas"
redis-cli -h "$first" -p "$PORT" cluster nodes
log "cluster ready"
