#!/usr/bin/env bash
# Publishes the agent and the aggregator in every way this repository may ship them and prints one markdown row per
# attempt: project, runtime, mode, result, warnings, wall time and size. Usage: bench/publish/run.sh [MODE:RID ...]
# (default: the whole matrix). MODE is fd (framework-dependent, portable), sc (self-contained), trim (self-contained,
# trimmed) or aot (NativeAOT). Output trees go to artifacts/bench-publish/; logs beside them.
set -eu
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
out=artifacts/bench-publish
mkdir -p "$out"
matrix=("$@")
[ ${#matrix[@]} -gt 0 ] || matrix=(fd:portable sc:linux-x64 trim:linux-x64 aot:linux-x64 sc:linux-arm64 trim:linux-arm64 aot:linux-arm64 sc:linux-arm)
projects=(agent/Bramble.Agent/Bramble.Agent.csproj aggregator/Bramble.Aggregator/Bramble.Aggregator.csproj)

echo "| program | runtime | mode | result | warnings | publish s | size MB |"
echo "|---|---|---|---|---:|---:|---:|"
for entry in "${matrix[@]}"; do
  mode=${entry%%:*}
  rid=${entry#*:}
  for project in "${projects[@]}"; do
    name=$(basename "$project" .csproj)
    dir="$out/$name-$rid-$mode"
    rm -rf "$dir"
    args=(-c Release -o "$dir" -p:TreatWarningsAsErrors=false)
    case "$mode" in
      fd) args+=(--no-self-contained -p:UseAppHost=false) ;;
      sc) args+=(-r "$rid" --self-contained) ;;
      trim) args+=(-r "$rid" --self-contained -p:PublishTrimmed=true) ;;
      aot) args+=(-r "$rid" -p:PublishAot=true) ;;
      *) echo "unknown mode $mode" >&2; exit 2 ;;
    esac
    start=$(date +%s.%N)
    if dotnet publish "$project" "${args[@]}" > "$dir.log" 2>&1; then result=ok; else result=failed; fi
    end=$(date +%s.%N)
    # Distinct warning codes (msbuild prints each warning twice: inline and in the summary).
    warnings=$(grep ': warning [A-Z]*[0-9]*' "$dir.log" | sed 's/ \[[^]]*\]$//' | sort -u | grep -o 'warning [A-Z]*[0-9]*' | awk '{print $2}' | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=" "}')
    size=$( [ -d "$dir" ] && du -sb "$dir" | awk '{printf "%.1f", $1/1048576}' || echo -)
    [ "$result" = ok ] || size=-
    printf '| %s | %s | %s | %s | %s | %.0f | %s |\n' "$name" "$rid" "$mode" "$result" "${warnings:-0}" "$(echo "$end - $start" | bc)" "$size"
  done
done
