#!/usr/bin/env bash
# bench/scale-in-cloud.sh: issue 17's bar 1 — from a cloud's termination notice to the node out of the swarm, for
# each cloud's emulated notice (Azure Terminate with NotBefore 60 s ahead, AWS spot terminate with its 2
# minutes, GCP preemption with its 30 s), on the lab's real swarm with real busybox tasks. It runs
# tests/integration/test_cloud_notice.sh (which asserts tasks running elsewhere, node left, entry removed,
# approval sent, all before the deadline) and tabulates its MEASURE lines. (bench/scale-in.sh did not exist on
# this branch by the time this was written; its abrupt-loss path is not repeated here.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_require
log="$OUT_DIR/scale-in-cloud.log"
SB_BIN="$SB_BIN" bash "$BENCH_DIR/../tests/integration/test_cloud_notice.sh" | tee "$log"
echo
printf '%-6s %-18s %-22s\n' cloud notice_to_done_s spare_before_deadline_s
for c in azure aws gcp; do
  done_s=$(sed -n "s/^MEASURE cloud_notice\.$c\.notice_to_done_s=//p" "$log")
  spare=$(sed -n "s/^MEASURE cloud_notice\.$c\.before_deadline_s=//p" "$log")
  printf '%-6s %-18s %-22s\n' "$c" "$done_s" "$spare"
done
