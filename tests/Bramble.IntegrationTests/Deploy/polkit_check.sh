#!/bin/sh
# Asks a real polkitd what it answers to the user bramble-agent (and to another user) under deploy/polkit's rule.
# Run as root inside `unshare --mount --propagation private --pid --fork --mount-proc`: the bind mounts below (rules
# directory, /run/dbus, passwd) and every process started here (a private system bus, polkitd, the subjects) live
# and die with that namespace; the host's polkit configuration and bus are never touched.
# Usage: polkit_check.sh RULES_FILE WORK_DIR < cases, one per line: "USER ACTION UNIT VERB" (UNIT and VERB "-" for an
# action without them); prints "USER ACTION UNIT VERB => EXIT" (pkcheck: 0 authorized, 1 not authorized, 2 needs
# authentication, other: error).
set -eu
rules=$1
work=$2
mkdir -p "$work/rules" "$work/dbus"
cp "$rules" "$work/rules/"
# Only this rule (and no distribution defaults) decides.
mount --bind "$work/rules" /etc/polkit-1/rules.d
mount --bind "$work/rules" /usr/share/polkit-1/rules.d
chown messagebus "$work/dbus"
mount --bind "$work/dbus" /run/dbus
cp /etc/passwd "$work/passwd"
cp /etc/group "$work/group"
grep -q '^bramble-agent:' "$work/passwd" || echo 'bramble-agent:x:64990:64990:Bramble agent:/nonexistent:/usr/sbin/nologin' >> "$work/passwd"
grep -q '^bramble-agent:' "$work/group" || echo 'bramble-agent:x:64990:' >> "$work/group"
mount --bind "$work/passwd" /etc/passwd
mount --bind "$work/group" /etc/group

dbus-daemon --system --nofork --nopidfile >"$work/dbus.log" 2>&1 &
i=0
until [ -S /run/dbus/system_bus_socket ]; do
  i=$((i + 1)); [ "$i" -le 200 ] || { echo "no system bus"; cat "$work/dbus.log"; exit 3; }; sleep 0.1
done
# polkitd drops to its own user by itself.
/usr/lib/polkit-1/polkitd --no-debug >"$work/polkitd.log" 2>&1 &
i=0
until dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null | grep -q 'boolean true'; do
  i=$((i + 1)); [ "$i" -le 300 ] || { echo "polkitd did not start"; cat "$work/polkitd.log"; exit 3; }; sleep 0.1
done

while read -r user action unit verb; do
  [ -n "$user" ] || continue
  setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups sleep 60 &
  subject=$!
  # Ask only once the subject has become the user and is sleep: just after the fork it is still root, and polkit
  # authorizes root for everything.
  uid=$(id -u "$user")
  i=0
  until [ "$(cat /proc/$subject/comm 2>/dev/null)" = sleep ] && [ "$(awk '/^Uid:/ { print $2 }' /proc/$subject/status 2>/dev/null)" = "$uid" ]; do
    i=$((i + 1)); [ "$i" -le 100 ] || { echo "subject $subject never became $user"; exit 3; }; sleep 0.05
  done
  set +e
  if [ "$unit" = - ]; then
    pkcheck --action-id "$action" --process "$subject" >/dev/null 2>"$work/pkcheck.err"
  else
    pkcheck --action-id "$action" --process "$subject" --detail unit "$unit" --detail verb "$verb" >/dev/null 2>"$work/pkcheck.err"
  fi
  rc=$?
  set -e
  kill "$subject"
  echo "$user $action $unit $verb => $rc"
  [ "$rc" -le 2 ] || cat "$work/pkcheck.err"
done
