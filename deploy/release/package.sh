#!/usr/bin/env bash
# Builds one release tarball per runtime: artifacts/release/bramble-<version>-<rid>.tar.gz, holding the agent, the
# aggregator and the `bramble` client (one directory each under lib/), the unit files of deploy/systemd, the polkit
# rule of deploy/polkit, example configuration, install.sh and a README.
#
#   deploy/release/package.sh [--framework-dependent [--no-build]] [-c CONFIGURATION] [-o DIR] RID...
#   RID: linux-x64, linux-arm64, linux-arm; CONFIGURATION: Release (default); DIR: artifacts/release (default)
#
# linux-x64 and linux-arm64 are self-contained (no .NET on the node; not trimmed, not single-file: see
# bench/RESULTS.md, "Publishing", for what those cost and why). Their agent is NativeAOT (a native binary: ~27 MB RSS
# instead of ~90 MB, start-up in tens of ms; bench/RESULTS.md, "Shipping the agent NativeAOT"): that needs a C
# toolchain on the build machine (clang), and for linux-arm64 built elsewhere than on arm64 also the arm64 binutils,
# libgcc and C library (Debian: clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross). Without them that RID's agent is the
# self-contained JIT build, and package.sh says so and why; VERSION's "agent:" line records which. linux-arm (32-bit
# Raspberry Pi OS) is framework-dependent: its runtime packs are not served here (see bench/RESULTS.md), so the node
# needs the .NET 10 runtime (ASP.NET Core runtime for the aggregator) and the programs start through `dotnet`.
# --framework-dependent builds any RID that way (small and quick: what the install tests use; --no-build takes the
# programs from the solution's last build in CONFIGURATION instead of building them again). The version is
# Directory.Build.props' <Version>; the commit is recorded in the tarball's VERSION file.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

usage() { sed -n '6,7p' "$0" | sed 's/^# *//' >&2; exit 2; }
framework_dependent=no
no_build=()
configuration=Release
out=artifacts/release
rids=()
while [ $# -gt 0 ]; do
  case "$1" in
    --framework-dependent) framework_dependent=yes ;;
    --no-build) no_build=(--no-build) ;;
    -c|--configuration) [ $# -ge 2 ] || usage; configuration=$2; shift ;;
    -o|--output) [ $# -ge 2 ] || usage; out=$2; shift ;;
    linux-x64|linux-arm64|linux-arm) rids+=("$1") ;;
    *) echo "package.sh: unknown runtime or option: $1" >&2; usage ;;
  esac
  shift
done
[ ${#rids[@]} -gt 0 ] || usage
[ ${#no_build[@]} -eq 0 ] || [ "$framework_dependent" = yes ] || { echo "package.sh: --no-build needs --framework-dependent" >&2; exit 2; }

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || { echo "package.sh: no <Version> in Directory.Build.props" >&2; exit 1; }
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then commit="$commit+uncommitted"; fi
mkdir -p "$out"

# Why this RID's agent cannot be NativeAOT here (empty: it can). Cross-linking for arm64 (the .NET docs'
# "Cross-compilation" for Linux): ILC's build runs clang --target=aarch64-linux-gnu, which links with Debian's
# aarch64-linux-gnu-ld against the arm64 crt files and libc in /usr/aarch64-linux-gnu and /usr/lib/gcc-cross.
aot_blocker() {
  local rid=$1 host missing=()
  case "$(uname -m)" in x86_64) host=linux-x64 ;; aarch64) host=linux-arm64 ;; *) host=other ;; esac
  command -v clang > /dev/null || missing+=(clang)
  if [ "$rid" != "$host" ]; then
    [ "$rid" = linux-arm64 ] || { echo "no NativeAOT cross-build from $(uname -m) to $rid is set up"; return; }
    command -v aarch64-linux-gnu-ld > /dev/null || missing+=("arm64 linker (aarch64-linux-gnu-ld: binutils-aarch64-linux-gnu)")
    [ -e /usr/aarch64-linux-gnu/lib/crt1.o ] || missing+=("arm64 sysroot (/usr/aarch64-linux-gnu/lib/crt1.o: libc6-dev-arm64-cross)")
    compgen -G '/usr/lib/gcc-cross/aarch64-linux-gnu/*/crtbeginS.o' > /dev/null || missing+=("arm64 libgcc (gcc-aarch64-linux-gnu)")
  fi
  [ ${#missing[@]} -eq 0 ] || echo "missing: ${missing[*]}"
}

# program directory, project, executable name
programs=("agent agent/Bramble.Agent/Bramble.Agent.csproj bramble-agent"
          "aggregator aggregator/Bramble.Aggregator/Bramble.Aggregator.csproj bramble-aggregator"
          "cli cli/Bramble.Cli/Bramble.Cli.csproj bramble")

for rid in "${rids[@]}"; do
  mode=self-contained
  if [ "$framework_dependent" = yes ] || [ "$rid" = linux-arm ]; then mode=framework-dependent; fi
  name=bramble-$version-$rid
  stage=$out/stage/$name
  rm -rf "$stage"
  mkdir -p "$stage/lib"
  agent_build=$mode
  aot=()
  if [ "$mode" = self-contained ]; then
    blocker=$(aot_blocker "$rid")
    if [ -z "$blocker" ]; then
      agent_build=nativeaot
      aot=(-p:PublishAot=true)
    else
      echo "package.sh: $rid: the agent is NOT NativeAOT but the self-contained JIT build (about 3x its memory): $blocker" >&2
      agent_build="self-contained (JIT; NativeAOT $blocker)"
    fi
  fi
  echo "== $name ($mode; agent: $agent_build)"
  for entry in "${programs[@]}"; do
    read -r dir project exe <<< "$entry"
    target=$stage/lib/$dir
    if [ "$mode" = self-contained ]; then
      extra=()
      [ "$dir" != agent ] || extra=("${aot[@]}")
      dotnet publish "$project" -c "$configuration" -r "$rid" --self-contained -p:DebugType=none "${extra[@]}" \
        -o "$target" -nologo -v quiet
    else
      # Portable: no apphost (none is served for linux-arm); a two-line launcher starts it through dotnet, so the
      # units' ExecStart paths are the same on every runtime.
      dotnet publish "$project" -c "$configuration" "${no_build[@]}" --no-self-contained -p:UseAppHost=false -p:DebugType=none \
        -o "$target" -nologo -v quiet
      # shellcheck disable=SC2016 # the launcher expands these when it runs
      printf '#!/bin/sh\nexec "${DOTNET_ROOT:+$DOTNET_ROOT/}dotnet" "$(dirname "$(readlink -f "$0")")/%s.dll" "$@"\n' "$exe" > "$target/$exe"
      chmod 0755 "$target/$exe"
    fi
    [ -x "$target/$exe" ] || { echo "package.sh: $target/$exe was not produced" >&2; exit 1; }
  done

  mkdir -p "$stage/systemd" "$stage/etc"
  for unit in deploy/systemd/*; do
    case "$unit" in *.service|*.socket|*.timer|*.path|*.target|*.conf) cp "$unit" "$stage/systemd/" ;; esac
  done
  if compgen -G 'deploy/polkit/*.rules' > /dev/null; then mkdir -p "$stage/polkit" && cp deploy/polkit/*.rules "$stage/polkit/"; fi
  cp deploy/release/config/*.json "$stage/etc/"
  cp deploy/release/README.md "$stage/README.md"
  install -m 0755 deploy/release/install.sh "$stage/install.sh"
  printf '%s\nruntime: %s\nbuild: %s\nagent: %s\ncommit: %s\n' "$version" "$rid" "$mode" "$agent_build" "$commit" > "$stage/VERSION"

  # Reproducible archive: sorted names, root-owned, one fixed date.
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2000-01-01 00:00:00Z' \
    -C "$out/stage" -czf "$out/$name.tar.gz" "$name"
  rm -rf "$stage"
  echo "$out/$name.tar.gz ($(du -m "$out/$name.tar.gz" | cut -f1) MB)"
done
