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
<!-- rules:begin -->
## Rule engine: one evaluation pass

Target (issue 4): 1,000 nodes in under 10 ms per pass. A pass is everything the aggregator's evaluation loop
does after taking its cluster snapshot: every rule (AgentSilent, AgentRestarted), correlation (NetworkPartition)
and the incident lifecycle; 10 % of the nodes are silent and every 50th rebooted recently, so findings and
incidents are part of every pass. Timed in-process with \`Stopwatch\` after 200 warm-up passes, one thread.
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
if grep -q '<!-- rules:begin -->' "$results"; then
  awk -v section="$section" '
    /<!-- rules:begin -->/ { print section; skip = 1; next }
    /<!-- rules:end -->/ { skip = 0; next }
    !skip { print }' "$results" > "$results.tmp" && mv "$results.tmp" "$results"
else
  printf '\n%s\n' "$section" >> "$results"
fi
echo "$table"
