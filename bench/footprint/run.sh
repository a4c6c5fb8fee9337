#!/usr/bin/env bash
# Agent footprint (issue 14, item 2): the agent published three ways (framework-dependent, trimmed self-contained,
# NativeAOT) and prometheus-node-exporter (default collectors, scraped every 15 s), all running at once for DURATION
# seconds; then RSS, CPU share of one core, threads and open files of each, and each agent's start-up time to its
# first connection. Writes the "Agent footprint" section of bench/RESULTS.md between its markers. Needs root.
#
# Each agent runs at the shipped defaults (probes every 5 s, a report every 10 s) with 2 NFS mounts (two FUSE
# fault file systems in mode "ok", declared as NFSv3 mounts of 127.0.0.1 in a proc root that otherwise points at
# the real /proc) and 2 VIPs watched on one end of a veth pair (the other end in the same namespace, unanswering), inside a network namespace of its own (bt-fp-*) where the
# aggregator also runs, so no ARP or RPC leaves the namespace.
#
# Knobs (environment): DURATION=600 SETTLE=60
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
DURATION=${DURATION:-600}
SETTLE=${SETTLE:-60}
PY=/usr/bin/python3

missing=()
command -v clang >/dev/null || missing+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || missing+=(zlib1g-dev)
[ -e /usr/bin/prometheus-node-exporter ] || missing+=(prometheus-node-exporter)
$PY -c 'import fusepy' 2>/dev/null || $PY -c 'import fuse' 2>/dev/null || missing+=(python3-fusepy)
[ "${#missing[@]}" -eq 0 ] || apt-get install -y --no-install-recommends "${missing[@]}"

WORK=$(mktemp -d /tmp/bt-bench-footprint-XXXXXX)
NS=bt-fp-$$
pids=()
. bench/footprint/lab.sh
trap lab_cleanup EXIT

# 1. The three agent builds and the aggregator (warnings counted, not fatal: the AOT row reports them).
publish() { # name, extra arguments...
  local name=$1; shift
  local start=$SECONDS
  dotnet publish agent/Bramble.Agent -c Release -o "$WORK/$name" -p:TreatWarningsAsErrors=false -nologo "$@" > "$WORK/$name.publish.log" 2>&1 \
    || { echo "publish $name failed:"; tail -30 "$WORK/$name.publish.log"; exit 1; }
  echo "$(grep -oE 'warning [A-Z]+[0-9]+' "$WORK/$name.publish.log" | sort | uniq -c | awk '{ printf "%s%s ×%s", sep, $3, $1; sep=", " }')" > "$WORK/$name.warnings"
  echo $((SECONDS - start)) > "$WORK/$name.seconds"
}
publish fd --no-self-contained -p:UseAppHost=false
publish trim -r linux-x64 --self-contained -p:PublishTrimmed=true
publish aot -r linux-x64 -p:PublishAot=true

# 2. The lab (lab.sh): two FUSE mounts declared as NFS in a proc root, the namespace, the aggregator inside it.
lab_start

# 3. The agents, one at a time, so each start-up is timed alone: launch instant (inside the namespace, just before
#    exec) to the agent's own "Connected to the aggregator" log line. First one untimed connection, so the timed ones
#    meet an aggregator that has served an agent before (its first stream costs it ~200 ms of JIT, which would land on
#    whichever agent came first), then the NativeAOT agent before the JIT builds, whose compiling goes on for a while
#    after they connect.
declare -A cmd=([fd]="dotnet $WORK/fd/bramble-agent.dll" [trim]="$WORK/trim/bramble-agent" [aot]="$WORK/aot/bramble-agent")
declare -A pid
ip netns exec "$NS" ${cmd[aot]} --Agent:NodeName=fp-warm-up "${common[@]}" > "$WORK/warm-up.log" 2>&1 &
warm_up=$!
pids+=($warm_up)
for _ in $(seq 1 600); do grep -q "Connected to the aggregator" "$WORK/warm-up.log" && break; sleep 0.1; done
kill "$warm_up"; wait "$warm_up" 2>/dev/null || true
for name in aot trim fd; do
  ip netns exec "$NS" sh -c 'date +%s.%N > "$0"; exec "$@"' "$WORK/$name.start" ${cmd[$name]} --Agent:NodeName=fp-$name "${common[@]}" > "$WORK/$name.log" 2>&1 &
  pid[$name]=$!
  pids+=($!)
  for _ in $(seq 1 600); do grep -q "Connected to the aggregator" "$WORK/$name.log" && break; sleep 0.1; done
done
# exec kept the pid: ip netns exec execs too, and sh execs the agent; the dotnet host is the fd agent itself.

NE_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT > "$WORK/node_exporter.log" 2>&1 &
pid[node_exporter]=$!
pids+=($!)
scrapes=$(( (DURATION + 14) / 15 ))
( for _ in $(seq 1 "$scrapes"); do curl -s --max-time 10 -o /dev/null "http://127.0.0.1:$NE_PORT/metrics"; sleep 15; done ) &
pids+=($!)

CLK=$(getconf CLK_TCK)
sample() { # pid -> "own_ticks child_ticks": children reaped (cutime+cstime) and live (the long-lived NFS probe child is never reaped)
  local own kids c
  read -r own kids < <(awk '{ sub(/^.*\) /, ""); print $12 + $13, $14 + $15 }' "/proc/$1/stat")
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    kids=$((kids + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$own $kids"
}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
sleep "$SETTLE"
declare -A own0 kids0
for name in fd trim aot node_exporter; do read -r own0[$name] kids0[$name] < <(sample "${pid[$name]}"); done
t0=$(date +%s.%N)
sleep $((DURATION - SETTLE))
t1=$(date +%s.%N)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

rows=""
for name in fd trim aot node_exporter; do
  p=${pid[$name]}
  [ -d "/proc/$p" ] || { rows+="| $name | exited early | | | | | | |"$'\n'; continue; }
  read -r own1 kids1 < <(sample "$p")
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/status")
  hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$p/status")
  threads=$(awk '/^Threads:/ { print $2 }' "/proc/$p/status")
  fds=$(ls "/proc/$p/fd" | wc -l)
  cpu=$(awk -v a="${own0[$name]}" -v b="$own1" -v t0="$t0" -v t1="$t1" -v c="$CLK" 'BEGIN { printf "%.3f", 100 * (b - a) / c / (t1 - t0) }')
  cpu_all=$(awk -v a="${own0[$name]}" -v b="$own1" -v ka="${kids0[$name]}" -v kb="$kids1" -v t0="$t0" -v t1="$t1" -v c="$CLK" 'BEGIN { printf "%.3f", 100 * (b - a + kb - ka) / c / (t1 - t0) }')
  if [ "$name" = node_exporter ]; then
    startup="–"; label="prometheus-node-exporter $(prometheus-node-exporter --version 2>&1 | head -1 | awk '{ print $3 }'), default collectors, scraped every 15 s"
    size="–"
  else
    connected=$(grep -m1 "Connected to the aggregator" "$WORK/$name.log" | awk '{ print $1 }')
    launched=$(cat "$WORK/$name.start")
    # The log's time of day is UTC here (the machine's zone); the launch was the same day.
    connected_epoch=$(date -u -d "$(date -u -d "@${launched%.*}" +%F) $connected" +%s.%N 2>/dev/null || echo "")
    startup=$([ -n "$connected_epoch" ] && awk -v a="$launched" -v b="$connected_epoch" 'BEGIN { printf "%.0f", 1000 * (b - a) }' || echo "?")
    size=$(du -sm "$WORK/$name" | awk '{ print $1 }')
    case $name in
      fd) label="framework-dependent (\`dotnet bramble-agent.dll\`; size without the shared runtime)";;
      trim) label="self-contained, trimmed";;
      aot) label="NativeAOT";;
    esac
    w=$(cat "$WORK/$name.warnings"); label+=" — publish warnings: ${w:-none}"
  fi
  rows+="| $label | $rss | $hwm | $cpu | $cpu_all | $threads | $fds | $startup | $size |"$'\n'
done

# Goals (issue 14), judged on the NativeAOT row, the build the issue proposes to ship: RSS ≤ 20 MB, under 0.2 % of one
# core (probe children included: they are the agent's own work), start-up to first report ≤ 100 ms.
# goal VALUE LIMIT [strict]: reached when VALUE ≤ LIMIT, or VALUE < LIMIT with "strict" (the CPU goal says "under").
goal() { awk -v v="$1" -v t="$2" -v s="${3:-}" 'BEGIN { exit !(v ~ /^[0-9.]+$/ && (s == "strict" ? v + 0 < t + 0 : v + 0 <= t + 0)) }' && echo "reached" || echo "**not reached**"; }
aot_row=$(printf '%s' "$rows" | grep '^| NativeAOT' || true)
aot_rss=$(echo "$aot_row" | awk -F'|' '{ gsub(/ /, "", $3); print $3 }')
aot_cpu=$(echo "$aot_row" | awk -F'|' '{ gsub(/ /, "", $5); print $5 }')
aot_cpu_all=$(echo "$aot_row" | awk -F'|' '{ gsub(/ /, "", $6); print $6 }')
aot_start=$(echo "$aot_row" | awk -F'|' '{ gsub(/ /, "", $9); print $9 }')
goals="- Agent RSS ≤ 20 MB: $(goal "$aot_rss" 20) — NativeAOT ${aot_rss:-?} MB.
- Under 0.2 % of one core at the default interval: $(goal "$aot_cpu_all" 0.2 strict) — NativeAOT ${aot_cpu_all:-?} % with its probe children, ${aot_cpu:-?} % alone.
- Start-up to first report ≤ 100 ms: $(goal "$aot_start" 100) — NativeAOT ${aot_start:-?} ms on this machine at the load above (a wall time: load stretches it)."
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- agent aggregator bench || echo "+uncommitted changes")
{
  echo "## Agent footprint beside node_exporter"
  echo "<!-- footprint:begin -->"
  echo
  echo "Generated by \`bench/footprint/run.sh\` at commit $commit; do not edit by hand."
  echo
  echo "- Date: $started, $DURATION s run (figures: RSS, threads and open files at the end; CPU over the last $((DURATION - SETTLE)) s)"
  echo "- Machine: $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r), .NET SDK $(dotnet --version), $(clang --version | head -1)"
  echo "- Load average at the start: $load_start; at the end: $load_end. **Shared machine** (other sessions building and testing): CPU time is each process's own (utime+stime from /proc), which load does not inflate much, but start-up times are wall times and do stretch with load."
  echo "- Command: \`DURATION=$DURATION SETTLE=$SETTLE bench/footprint/run.sh\`"
  echo
  echo "All four ran at the same time. Each agent: shipped defaults (probes every 5 s, a report every 10 s), 2 NFS mounts (FUSE, answering, declared as NFSv3 of 127.0.0.1; the RPC ping to 127.0.0.1:2049 is refused at once), 2 VIPs watched on one end of a veth pair (the other end in the same namespace, unanswering), kubelet healthz refused (none here); its aggregator in the same network namespace."
  echo "CPU is % of one core: the process alone, and with its children, reaped and live (the NFS checks run in a child process, the agent started again in a probe mode: by default one long-lived child for all of them, see \"Agent CPU: NFS probe child\")."
  echo "Start-up: from the launch (inside the namespace, just before exec) to the agent's \"Connected to the aggregator\" log line (its first report goes out right after); one agent at a time, NativeAOT first, after one untimed agent's stream (the aggregator's first costs it ~200 ms of JIT)."
  echo
  echo "| program | RSS MB | peak RSS MB | CPU % of a core (own) | CPU % with probe children | threads | open fds | start-up to connected, ms | size on disk MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$rows"
  echo
  echo "Goals (issue 14):"
  echo
  echo "$goals"
  echo
  echo "<!-- footprint:end -->"
} > "$WORK/section.md"

results=bench/RESULTS.md
if grep -q '<!-- footprint:begin -->' "$results"; then
  awk -v section="$WORK/section.md" '
    /^## Agent footprint beside node_exporter/ { while ((getline line < section) > 0) print line; skip = 1; next }
    skip && /<!-- footprint:end -->/ { skip = 0; next }
    !skip { print }' "$results" > "$WORK/results.md"
else
  { cat "$results"; echo; cat "$WORK/section.md"; } > "$WORK/results.md"
fi
cp "$WORK/results.md" "$results"
cat "$WORK/section.md"
