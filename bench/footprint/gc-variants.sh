#!/usr/bin/env bash
# The NativeAOT agent's memory and CPU under GC settings (issue 14, agent RSS ≤ 20 MB): one agent per variant, all at
# once against one aggregator on loopback, at the shipped defaults (probes every 5 s, a report every 10 s; no NFS
# mounts or VIPs configured); after DURATION seconds: VmRSS, VmHWM, threads, and CPU % of one core after the first
# SETTLE seconds. GC settings go in as DOTNET_ environment variables, which NativeAOT reads at start — as bare hex
# digits: NativeAOT's parser refuses a 0x prefix and then ignores the variable silently (so DOTNET_GCgen0size=100000
# is 1 MiB, and DOTNET_GCgen0size=0x100000 does nothing).
#
#   AGENT=/path/to/native/bramble-agent bench/footprint/gc-variants.sh
# Knobs: DURATION=180 SETTLE=30 VARIANTS (';'-separated; each a space-separated list of VAR=VALUE, "-" for none).
set -euo pipefail
cd "$(dirname "$0")/../.."
AGENT=${AGENT:?AGENT=path to the NativeAOT bramble-agent}
DURATION=${DURATION:-180}
SETTLE=${SETTLE:-30}
VARIANTS=${VARIANTS:-"-;DOTNET_GCgen0size=400000;DOTNET_GCgen0size=100000;DOTNET_GCgen0size=100000 DOTNET_GCRegionSize=100000;DOTNET_GCConserveMemory=7"}
AGGREGATOR=${AGGREGATOR:-aggregator/Bramble.Aggregator/bin/Release/net10.0/bramble-aggregator.dll}
[ -f "$AGGREGATOR" ] || dotnet build -c Release aggregator/Bramble.Aggregator -nologo -v quiet > /dev/null

WORK=$(mktemp -d /tmp/bt-bench-gc-XXXXXX)
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GRPC=$(port); HTTP=$(port)
dotnet "$AGGREGATOR" --Aggregator:GrpcUrl=http://127.0.0.1:$GRPC --Aggregator:HttpUrl=http://127.0.0.1:$HTTP \
  --Aggregator:AgentAuthentication=None "--Aggregator:DataDirectory=$WORK/data" --Rules:ClockSkew:Enabled=false > "$WORK/aggregator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 1200); do grep -q "is running" "$WORK/aggregator.log" && break; sleep 0.1; done

IFS=';' read -r -a variants <<< "$VARIANTS"
declare -a vpid
for i in "${!variants[@]}"; do
  v=${variants[$i]}; [ "$v" = "-" ] && v=""
  env $v "$AGENT" --Agent:NodeName="gc-$i" --Agent:AggregatorAddress=http://127.0.0.1:$GRPC > "$WORK/agent-$i.log" 2>&1 &
  vpid[$i]=$!; pids+=($!)
done
CLK=$(getconf CLK_TCK)
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
sleep "$SETTLE"
declare -a t0; for i in "${!variants[@]}"; do t0[$i]=$(ticks "${vpid[$i]}"); done
s0=$(date +%s.%N)
sleep $((DURATION - SETTLE))
s1=$(date +%s.%N)
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $DURATION s, load average at the start $load_start, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| GC settings (environment) | RSS MB | anonymous MB | file-backed MB | peak RSS MB | threads | CPU % of a core | reports acked |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
for i in "${!variants[@]}"; do
  p=${vpid[$i]}
  if [ ! -d "/proc/$p" ]; then echo "| ${variants[$i]} | exited | | | | | | |"; continue; fi
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/status")
  # smaps_rollup: Anonymous is the process's own (heap, stacks, the binary's writable data); the rest of RSS is
  # file-backed pages, mostly the binary's code and read-only data.
  anon=$(awk '/^Anonymous:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/smaps_rollup")
  file=$(awk '/^Rss:/ { r = $2 } /^Anonymous:/ { a = $2 } END { printf "%.1f", (r - a) / 1024 }' "/proc/$p/smaps_rollup")
  hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/status")
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$p/status")
  cpu=$(awk -v a="${t0[$i]}" -v b="$(ticks "$p")" -v t0="$s0" -v t1="$s1" -v c="$CLK" 'BEGIN { printf "%.3f", 100 * (b - a) / c / (t1 - t0) }')
  acked=$(grep -c "First report acknowledged" "$WORK/agent-$i.log" || true)
  echo "| ${variants[$i]} | $rss | $anon | $file | $hwm | $threads | $cpu | $([ "$acked" -gt 0 ] && echo yes || echo no) |"
done
