#!/usr/bin/env bash
# Bramble's main job on this machine: build, then run the aggregator (embedded SQLite in ./data/demo) and one
# agent for this machine, both on loopback. Prints the status page URL. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"

http_port=${BRAMBLE_DEMO_HTTP_PORT:-9730}
grpc_port=${BRAMBLE_DEMO_GRPC_PORT:-9731}
data_dir=${BRAMBLE_DEMO_DATA:-./data/demo}
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "Building Bramble (Release)…"
dotnet build agent/Bramble.Agent/Bramble.Agent.csproj -c Release -nologo -v quiet
dotnet build aggregator/Bramble.Aggregator/Bramble.Aggregator.csproj -c Release -nologo -v quiet

aggregator_pid="" agent_pid=""
stop() {
  trap - INT TERM EXIT
  echo "Stopping…"
  for pid in $agent_pid $aggregator_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

dotnet aggregator/Bramble.Aggregator/bin/Release/net10.0/bramble-aggregator.dll \
  --Aggregator:HttpUrl="http://127.0.0.1:$http_port" \
  --Aggregator:GrpcUrl="http://127.0.0.1:$grpc_port" \
  --Aggregator:DataDirectory="$data_dir" \
  --Aggregator:AgentAuthentication=None &
aggregator_pid=$!

# Wait (bounded) until the aggregator answers before starting the agent.
for _ in $(seq 1 150); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$http_port") 2>/dev/null; then break; fi
  kill -0 "$aggregator_pid" 2>/dev/null || { echo "The aggregator did not start." >&2; exit 1; }
  sleep 0.2
done

dotnet agent/Bramble.Agent/bin/Release/net10.0/bramble-agent.dll \
  --Agent:AggregatorAddress="http://127.0.0.1:$grpc_port" &
agent_pid=$!

echo
echo "Status page: http://127.0.0.1:$http_port/"
echo "JSON API:    http://127.0.0.1:$http_port/api/v1/nodes   Metrics: http://127.0.0.1:$http_port/metrics"
echo "Remediation: dry-run (the demo never acts on this machine). Press Ctrl-C to stop."
echo

# Ends when either program exits (or on Ctrl-C, through the trap).
wait -n "$aggregator_pid" "$agent_pid" || true
