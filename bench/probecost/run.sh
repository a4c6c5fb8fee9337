#!/usr/bin/env bash
# Cost of a probe (issue 14, item 4): what one agent at the shipped defaults asks of an NFS server and puts on the
# wire for its VIPs, over DURATION seconds. Writes the "Cost of a probe" section of bench/RESULTS.md. Needs root.
#
# NFS: the integration tests' FUSE file system with every operation counted (counting_fs.py), declared as an NFSv3
# mount in a proc root that otherwise points at the real /proc; with caching off (like noac) each FUSE operation
# stands for one NFS request. ARP: the agent watches 2 VIPs on one end of a veth pair (the other end in the same namespace, unanswering) in a namespace of its own (bt-pc-*),
# where tcpdump counts the frames it sends. Nothing leaves the namespace; the agent has no aggregator (it keeps
# probing while it retries the connection).
#
# Knobs (environment): DURATION=60
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
DURATION=${DURATION:-60}
PY=/usr/bin/python3
FIX=tests/Bramble.IntegrationTests/Nfs

missing=()
command -v tcpdump >/dev/null || missing+=(tcpdump)
$PY -c 'import fusepy' 2>/dev/null || $PY -c 'import fuse' 2>/dev/null || missing+=(python3-fusepy)
[ "${#missing[@]}" -eq 0 ] || apt-get install -y --no-install-recommends "${missing[@]}"
dotnet build -c Release agent/Bramble.Agent -nologo -v quiet > /dev/null
AGENT=agent/Bramble.Agent/bin/Release/net10.0/bramble-agent.dll

WORK=$(mktemp -d /tmp/bt-bench-probecost-XXXXXX)
NS=bt-pc-$$
pids=()
cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  sleep 2
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  timeout 10 umount -l "$WORK/mnt" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/backing" "$WORK/mnt"; echo ok > "$WORK/control"
setsid "$PY" bench/probecost/counting_fs.py "$FIX/fault_fs.py" "$WORK/backing" "$WORK/mnt" "$WORK/control" "$WORK/counts.json" \
  </dev/null > "$WORK/fuse.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q " $WORK/mnt " /proc/self/mountinfo && break; sleep 0.1; done
. bench/proc-root.sh
P=$WORK/proc; proc_root "$P"
# Only the first fixture mount (the FUSE one): the second is dropped, so every counted operation is this one's.
sed -e "s|@FUSE_MNT@|$WORK/mnt|; s|192.0.2.10|127.0.0.1|g" "$FIX/Fixtures/mountinfo.in" | grep -v 'kubernetes.io~nfs/media-pv' > "$P/self/mountinfo"
# mountstats: drop the second mount's whole block (from its "device" line to the next one).
awk '/^device / { skip = ($0 ~ /media-pv/) } !skip' <(sed -e "s|@FUSE_MNT@|$WORK/mnt|; s|192.0.2.10|127.0.0.1|g" "$FIX/Fixtures/mountstats.in") > "$P/self/mountstats"

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name eth1
ip -n "$NS" link set eth1 up
ip -n "$NS" addr add 192.0.2.50/24 dev eth0
ip -n "$NS" link set eth0 up
ip netns exec "$NS" tcpdump -i eth0 -n -w "$WORK/arp.pcap" arp > "$WORK/tcpdump.log" 2>&1 &
pids+=($!)
sleep 2
ip netns exec "$NS" dotnet "$AGENT" --Agent:NodeName=probe-cost --Agent:AggregatorAddress=http://127.0.0.1:9731 "--Agent:ProcRoot=$P" \
  --Nfs:RpcPing=false --Vip:Watch:0:Address=192.0.2.100 --Vip:Watch:0:Interface=eth0 \
  --Vip:Watch:1:Address=192.0.2.101 --Vip:Watch:1:Interface=eth0 > "$WORK/agent.log" 2>&1 &
pids+=($!)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
sleep "$DURATION"
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
kill "${pids[2]}" 2>/dev/null || true   # the agent
sleep 1
kill "${pids[1]}" 2>/dev/null || true   # tcpdump: flush the capture
sleep 1

counts=$(cat "$WORK/counts.json")
probes=$($PY -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["ops"].get("create", 0))' "$WORK/counts.json")
ops_table=$($PY - "$WORK/counts.json" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
probes = c["ops"].get("create", 0) or 1
total = sum(c["ops"].values())
print(f"| all | {total} | {total / probes:.1f} |")
for op, n in sorted(c["ops"].items(), key=lambda kv: -kv[1]):
    print(f"| {op} | {n} | {n / probes:.1f} |")
print(f"| bytes written | {c['bytes_written']} | {c['bytes_written'] / probes:.0f} |")
print(f"| bytes read | {c['bytes_read']} | {c['bytes_read'] / probes:.0f} |")
PYEOF
)
arp_rows=""
for vip in 192.0.2.100 192.0.2.101; do
  n=$(tcpdump -r "$WORK/arp.pcap" -n 2>/dev/null | grep -c "who-has $vip" || true)
  bytes=$(tcpdump -r "$WORK/arp.pcap" -n -e 2>/dev/null | grep "who-has $vip" | awk '{ for (i = 1; i <= NF; i++) if ($i == "length") { gsub(/:/, "", $(i+1)); s += $(i+1); break } } END { print s + 0 }')
  arp_rows+="| $vip | $n | $(awk -v n="$n" -v d="$DURATION" 'BEGIN { printf "%.1f", n / (d / 5) }') | $bytes |"$'\n'
done
other_arp=$(tcpdump -r "$WORK/arp.pcap" -n 2>/dev/null | grep -vc "who-has 192.0.2.10[01]" || true)

{
  echo "## Cost of a probe"
  echo "<!-- probecost:begin -->"
  echo
  echo "Generated by \`bench/probecost/run.sh\` at commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- agent bench || echo "+uncommitted changes"); do not edit by hand."
  echo
  echo "- Date: $started, one agent at the shipped defaults (probes every 5 s) for $DURATION s"
  echo "- Machine: $(nproc) cores, kernel $(uname -r), .NET SDK $(dotnet --version); load average at the start $load_start, at the end $load_end (shared machine: these are counts, not times, and load does not change them)"
  echo "- Command: \`DURATION=$DURATION bench/probecost/run.sh\`"
  echo
  echo "**NFS mount probe**, per probe round (one mount; $probes probes counted as the files the probe created): operations the"
  echo "file system received (FUSE with caching off, each standing for one NFS request a noac mount would send) and the bytes."
  echo "The RPC NULL ping to the server (Nfs:RpcPing, on by default) is not counted here (no NFS server in this set-up): by the"
  echo "protocol it is one 44-byte call and a 28-byte reply (record mark included) per round, plus TCP's own packets."
  echo
  echo "| operation | total | per probe |"
  echo "|---|---:|---:|"
  echo "$ops_table"
  echo
  echo "**ARP**, frames the agent sent on the VIPs' interface (one end of a veth pair whose other end answers nothing, so this is the most it sends — with no"
  echo "answer there are no follow-ups either). Rounds assumed: $DURATION s / 5 s. Other ARP frames in the capture: $other_arp."
  echo
  echo "| VIP | who-has requests | per 5 s round | bytes on the wire (Ethernet, as captured) |"
  echo "|---|---:|---:|---:|"
  printf '%s' "$arp_rows"
  echo
  echo "<!-- probecost:end -->"
} > "$WORK/section.md"

results=bench/RESULTS.md
if grep -q '<!-- probecost:begin -->' "$results"; then
  awk -v section="$WORK/section.md" '
    /^## Cost of a probe/ { while ((getline line < section) > 0) print line; skip = 1; next }
    skip && /<!-- probecost:end -->/ { skip = 0; next }
    !skip { print }' "$results" > "$WORK/results.md"
else
  { cat "$results"; echo; cat "$WORK/section.md"; } > "$WORK/results.md"
fi
cp "$WORK/results.md" "$results"
cat "$WORK/section.md"
echo "raw counts: $counts"
