#!/usr/bin/env bash
# acs_loop.sh MASTER0 LOCAL_SOCK: the acs-engine swarm-mode agent loop, re-created from its description: every 5 s
# ask the first master for the worker token (up to 120 tries), then join once through MASTER0:2377. It runs inside
# a lab node's network namespace; LOCAL_SOCK is that node's engine (what `docker` would use on the VM itself).
MASTER0=$1
LOCAL_SOCK=$2
DOCKER=${SB_DOCKER:-/usr/bin/docker}
SWARM_TOKEN=
for _ in $(seq 1 120); do
  SWARM_TOKEN=$("$DOCKER" -H "$MASTER0:2375" swarm join-token -q worker 2>/dev/null)
  if [[ -n $SWARM_TOKEN ]]; then
    break
  fi
  sleep 5
done
exec "$DOCKER" -H "unix://$LOCAL_SOCK" swarm join --token "$SWARM_TOKEN" "$MASTER0:2377"
