#!/usr/bin/env bash
# Agent start-up to first report (issue 14): from the launch instant (just before exec) to the agent's own
# "First report acknowledged by the aggregator" log line, against an aggregator on loopback. Each build RUNS times,
# one agent at a time; prints one table row per build (every run, median, RSS at the first ack). No NFS mounts or VIPs
# configured (the probes find nothing to probe but vitals, storage, kernel log and the kubelet's refused healthz).
#
# Builds are given as NAME=COMMAND pairs in BUILDS (space-separated words of COMMAND joined by ','), e.g.
#   BUILDS="aot=/tmp/aot/bramble-agent fd=dotnet,agent/Bramble.Agent/bin/Release/net10.0/bramble-agent.dll"
# Knobs: RUNS=5, LINE="First report acknowledged" (a binary built before that log line: "Connected to the aggregator",
# which comes just before the first report goes out), EXTRA_ENV (e.g. "DOTNET_GCgen0size=400000" — bare hex: NativeAOT ignores a 0x-prefixed value — applied to every agent run).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
LINE=${LINE:-First report acknowledged}
BUILDS=${BUILDS:?BUILDS=name=command ...}
AGGREGATOR=${AGGREGATOR:-aggregator/Bramble.Aggregator/bin/Release/net10.0/bramble-aggregator.dll}
[ -f "$AGGREGATOR" ] || dotnet build -c Release aggregator/Bramble.Aggregator -nologo -v quiet > /dev/null

WORK=$(mktemp -d /tmp/bt-bench-startup-XXXXXX)
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
grep -q "is running" "$WORK/aggregator.log" || { echo "aggregator did not start"; cat "$WORK/aggregator.log"; exit 1; }

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| build | start-up to \"$LINE\", ms (each run) | median ms | RSS then MB |"
echo "|---|---|---:|---:|"
for pair in $BUILDS; do
  name=${pair%%=*}; IFS=',' read -r -a cmd <<< "${pair#*=}"
  times=(); rss=""
  for i in $(seq 1 "$RUNS"); do
    log="$WORK/$name-$i.log"
    env ${EXTRA_ENV:-} sh -c 'date +%s.%N > "$0"; exec "$@"' "$WORK/$name-$i.start" "${cmd[@]}" --Agent:NodeName="st-$name-$i" \
      --Agent:AggregatorAddress=http://127.0.0.1:$GRPC > "$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do grep -q "$LINE" "$log" && break; sleep 0.05; done
    if grep -q "$LINE" "$log"; then
      [ -n "$rss" ] || rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
      at=$(grep -m1 "$LINE" "$log" | awk '{ print $1 }')
      launched=$(cat "$WORK/$name-$i.start")
      # The log's time of day is UTC (the machine's zone); the launch was the same day.
      acked=$(date -u -d "$(date -u -d "@${launched%.*}" +%F) $at" +%s.%N)
      times+=("$(awk -v a="$launched" -v b="$acked" 'BEGIN { printf "%.0f", 1000 * (b - a) }')")
    else
      times+=("none")
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  median=$(printf '%s\n' "${times[@]}" | grep -v none | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "–" }')
  echo "| $name${EXTRA_ENV:+ ($EXTRA_ENV)} | ${times[*]} | $median | ${rss:-?} |"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
