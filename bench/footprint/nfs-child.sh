#!/usr/bin/env bash
# Agent CPU with its NFS probe children (issue 14's "under 0.2 % of one core"): one NativeAOT agent binary run twice
# side by side, with the long-lived probe child (Nfs:SharedProbeChild=true, the default) and with one child per check
# (false, the earlier design), in the set-up of run.sh: shipped defaults (probes every 5 s), 2 NFS mounts (two FUSE
# fault file systems in mode "ok", declared as NFSv3 in a proc root), 2 VIPs on one end of a veth pair in a network
# namespace of its own (bt-fpc-*), the aggregator in it too. Needs root. Prints a table; writes nothing.
#
# CPU counts the agent, its reaped children (cutime+cstime) AND its live children (utime+stime+cutime+cstime of
# each): a long-lived child is never reaped, so the reaped-children figure alone would miss all of its work.
#
# Knobs (environment): DURATION=300 SETTLE=30 AGENT=<a published NativeAOT bramble-agent; published here when unset>
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
DURATION=${DURATION:-300}
SETTLE=${SETTLE:-30}
PY=/usr/bin/python3

WORK=$(mktemp -d /tmp/bt-bench-nfschild-XXXXXX)
NS=bt-fpc-$$
pids=()
. bench/footprint/lab.sh
trap lab_cleanup EXIT

if [ -z "${AGENT:-}" ]; then
  dotnet publish agent/Bramble.Agent -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/aot" -nologo > "$WORK/publish.log" 2>&1 \
    || { tail -30 "$WORK/publish.log"; exit 1; }
  AGENT=$WORK/aot/bramble-agent
fi
lab_start

declare -A pid
for name in shared per-check; do
  shared=$([ "$name" = shared ] && echo true || echo false)
  ip netns exec "$NS" "$AGENT" --Agent:NodeName=fpc-$name "${common[@]}" --Nfs:SharedProbeChild=$shared > "$WORK/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
  for _ in $(seq 1 600); do grep -q "Connected to the aggregator" "$WORK/$name.log" && break; sleep 0.1; done
done

CLK=$(getconf CLK_TCK)
children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
ticks() { # pid -> "own reaped_children live_children" (ticks)
  local own reaped live=0 c
  read -r own reaped < <(awk '{ sub(/^.*\) /, ""); print $12 + $13, $14 + $15 }' "/proc/$1/stat")
  for c in $(children "$1"); do
    live=$((live + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$own $reaped $live"
}
spawns() { grep -c "Started the NFS probe child" "$WORK/$1.log" || true; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
sleep "$SETTLE"
declare -A own0 reaped0 live0 spawns0
for name in shared per-check; do read -r own0[$name] reaped0[$name] live0[$name] < <(ticks "${pid[$name]}"); spawns0[$name]=$(spawns "$name"); done
t0=$(date +%s.%N)
sleep $((DURATION - SETTLE))
t1=$(date +%s.%N)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

echo "- Date: $started, ${DURATION} s run, CPU over the last $((DURATION - SETTLE)) s; load average $load_start at the start, $load_end at the end"
echo "- Agent: $AGENT ($(du -m "$AGENT" | cut -f1) MB); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- agent || echo "+uncommitted changes")"
echo
echo "| NFS probe children | CPU % own | CPU % with children | of which live children | probe-child starts in the window | agent RSS MB | live NFS children: count, RSS MB, PSS MB, private MB |"
echo "|---|---:|---:|---:|---:|---:|---|"
for name in shared per-check; do
  p=${pid[$name]}
  read -r own1 reaped1 live1 < <(ticks "$p")
  pct() { awk -v d="$1" -v t0="$t0" -v t1="$t1" -v c="$CLK" 'BEGIN { printf "%.3f", 100 * d / c / (t1 - t0) }'; }
  own=$(pct $((own1 - own0[$name])))
  all=$(pct $((own1 - own0[$name] + reaped1 - reaped0[$name] + live1 - live0[$name])))
  live=$(pct $((live1 - live0[$name])))
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/status")
  kids=""
  for c in $(children "$p"); do
    grep -qa -e --probe-server -e --probe-nfs-path -e --copy-file "/proc/$c/cmdline" 2>/dev/null || continue
    kids+="$(awk '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } /^Private_(Clean|Dirty):/ { v += $2 } END { printf "pid %s: %.1f, %.1f, %.1f; ", "'"$c"'", r / 1024, s / 1024, v / 1024 }' "/proc/$c/smaps_rollup")"
  done
  if [ "$name" = shared ]; then starts=$(( $(spawns shared) - spawns0[shared] )); else starts="3 a round (not logged)"; fi
  echo "| $name | $own | $all | $live | $starts | $rss | ${kids:-none at the end} |"
done
