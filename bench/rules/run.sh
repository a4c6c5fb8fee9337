#!/usr/bin/env bash
# Rule-engine pass time: builds Release, times full passes (rules, correlation, incident lifecycle) over 100,
# 1,000 and 5,000 nodes, and writes the table into bench/RESULTS.md between the "rules" markers.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet build -c Release bench/Bramble.Bench.Rules -nologo -v quiet
command="dotnet bench/Bramble.Bench.Rules/bin/Release/net10.0/bramble-bench-rules.dll --nodes 100,1000,5000 --passes 2000"
table=$($command)
load=$(cut -d' ' -f1-3 /proc/loadavg)

section=$(cat <<MD
## Rule engine: one evaluation pass
<!-- rules:begin -->

Target (issue 4): 1,000 nodes in under 10 ms per pass. A pass is everything the aggregator's evaluation loop
does after taking its cluster snapshot: every registered rule (agents, NFS, VIP, kubelet and node health),
correlation (NetworkPartition, NasUnreachable) and the incident lifecycle, over nodes that each report an NFS
mount, a watched VIP, a kubelet and vitals; 10 % of the nodes are silent and every 50th rebooted recently, so
findings and incidents are part of every pass. Timed in-process with \`Stopwatch\` after 200 warm-up passes, one thread.
Snapshot building from the live node directory is not included.

- Date: $(date -u '+%Y-%m-%d %H:%M UTC')
- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r), .NET SDK $(dotnet --version)
- Load average when it started: $load
- Command: \`bench/rules/run.sh\` (runs \`$command\`)

$table
<!-- rules:end -->
MD
)

results=bench/RESULTS.md
[ -f "$results" ] || printf '# Bramble benchmark results\n\nEvery figure here was written by the script named with it.\n' > "$results"
# The section runs from its heading to the end marker (other scripts rewrite other sections by heading).
if grep -q '^## Rule engine: one evaluation pass' "$results"; then
  awk -v section="$section" '
    /^## Rule engine: one evaluation pass/ { print section; skip = 1; next }
    skip && /<!-- rules:end -->/ { skip = 0; next }
    !skip { print }' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
else
  printf '\n%s\n' "$section" >> "$results"
fi
echo "$table"
