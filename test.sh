#!/usr/bin/env bash
# Installs what Bramble's tests need (Debian packages, when run as root) and runs the whole suite:
# build with warnings as errors, `dotnet format` check, unit and integration tests. Ends with one line
# "tests: N passed, N failed, N skipped"; exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# What the tests use beyond the .NET SDK: git (the quick-start test clones the repo), setsid (util-linux), curl
# (the VIP incident test asks the aggregator inside its network namespace),
# promtool (package prometheus: the exported metrics must pass `promtool check metrics`), headless
# Chromium and a font (the status page is rendered and screenshotted as a person would see it), the NFS fault
# lab (fuse3 and python3-fusepy: a FUSE file system declared as an NFS mount), prometheus-node-exporter (its
# mountstats collector cross-checks Bramble's parser on the same fixture), and iproute2, python3 (a user-space
# ARP responder), keepalived and nftables for the VIP tests in network namespaces.
# nfs-ganesha, nfs-ganesha-vfs and rpcbind: a real user-space NFS server in a test namespace for the RPC ping tests
# (rpcbind's rpcinfo confirms it answers). tcpdump: the VIP failover test times the same failover from a packet
# capture, independently of Bramble.
packages=(git util-linux curl prometheus chromium fonts-dejavu-core fuse3 python3-fusepy prometheus-node-exporter iproute2 python3 keepalived nftables)
packages+=(nfs-ganesha nfs-ganesha-vfs rpcbind tcpdump)
# prometheus-alertmanager: the real Alertmanager the alert tests post to, run by hand on loopback.
packages+=(prometheus-alertmanager)
# PostgreSQL store conformance tests: a throwaway cluster made with initdb/pg_ctl.
packages+=(postgresql)
# systemd (systemd-analyze verify/security, systemd-escape), polkitd, dbus-daemon and dbus-bin: the deploy/systemd units
# are verified and scored, and a real polkitd on a private bus judges deploy/polkit's rule (tests/…/Deploy).
packages+=(systemd polkitd dbus-daemon dbus-bin)
# qemu-user and the arm64 C/C++ libraries: the linux-arm64 release build of the agent runs under emulation.
packages+=(qemu-user libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)
# clang and the arm64 binutils, libgcc and C library: the NativeAOT linux-arm64 agent is cross-linked here.
packages+=(clang gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
# faketime (libfaketime): the clock-jump tests step one process's wall clock, never the machine's.
packages+=(faketime)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Not root: cannot install ${missing[*]}; tests that need them will fail or skip with a reason." >&2
  fi
fi

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

echo "== build (Release, warnings as errors)"
dotnet build Bramble.sln -c Release -nologo -v quiet

echo "== format"
dotnet format Bramble.sln --verify-no-changes --no-restore -v quiet

echo "== tests"
set +e
# The hang timeout is per test: above the NFS soak's five minutes hung (tests/Bramble.Soak.Tests), with room for its setup.
dotnet test Bramble.sln -c Release --no-build -nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" \
  --blame-hang-timeout 8m
status=$?
set -e

# One closing line, summed over every test assembly's TRX file.
read -r passed failed skipped < <(
  cat "$results"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' |
  awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "=");
           gsub(/[^0-9]/, "", kv[2]);
           if (kv[1] == "passed") p += kv[2];
           else if (kv[1] == "failed" || kv[1] == "error" || kv[1] == "timeout" || kv[1] == "aborted") f += kv[2];
           else if (kv[1] == "notExecuted") s += kv[2]; } }
       END { printf "%d %d %d\n", p, f, s }')

if [ "$skipped" -gt 0 ]; then
  echo "Skipped tests and why:"
  cat "$results"/*.trx | tr '\n' ' ' | grep -o '<UnitTestResult [^>]*outcome="NotExecuted"[^>]*>.\{0,2000\}</UnitTestResult>' |
    sed -E 's/.*testName="([^"]*)".*<Message>([^<]*)<\/Message>.*/  - \1: \2/' || true
fi

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$passed" -gt 0 ] || { echo "No test ran." >&2; exit 1; }
exit "$status"
