#!/bin/sh
# Installs, upgrades or removes Bramble from an unpacked release tarball (see README.md beside this script).
#
#   sudo ./install.sh [--agent] [--aggregator] [--enable] [--root DIR]
#   sudo ./install.sh --uninstall [--purge] [--root DIR]
#
# What goes where (under DIR when --root is given):
#   /usr/lib/bramble/agent/ …       the programs, one directory each (replaced whole on upgrade); this script too
#   /usr/bin/bramble                the command-line client (a link into /usr/lib/bramble/cli)
#   /usr/lib/systemd/system/        the unit files (override them with drop-ins: systemctl edit bramble-agent)
#   /usr/lib/sysusers.d/bramble.conf  the system users, for systemd-sysusers, when the release has it
#   /etc/polkit-1/rules.d/          the polkit rule, when the release has one
#   /etc/bramble/credentials/…      secrets the units load (LoadCredential=): directories made empty, root only
#   /etc/bramble/agent.json …       configuration: written once, never overwritten; an upgrade whose example changed
#                                   puts the new example beside yours as agent.json.new (not read: it is not *.json)
#   /var/lib/bramble-agent …        state: made by systemd (StateDirectory=); kept unless --purge
# System users named by the units' User= lines are created (useradd --system). With --root, nothing on this machine
# changes: users are added to DIR/etc/passwd (useradd --root, when DIR/etc/passwd exists) and systemctl is not run.
set -eu

prog=install.sh
say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() {
  sed -n '4,5p' "$0" | sed 's/^# *//' >&2
  exit 2
}

root=${DESTDIR:-}
components=
enable=no
action=install
purge=no
while [ $# -gt 0 ]; do
  case "$1" in
    --agent) components="$components agent" ;;
    --aggregator) components="$components aggregator" ;;
    --enable) enable=yes ;;
    --uninstall) action=uninstall ;;
    --purge) purge=yes ;;
    --root) [ $# -ge 2 ] || usage; root=$2; shift ;;
    --root=*) root=${1#--root=} ;;
    -h|--help) usage ;;
    *) say "unknown option: $1"; usage ;;
  esac
  shift
done
[ "$purge" = no ] || [ "$action" = uninstall ] || die "--purge goes with --uninstall"
[ -n "$components" ] || components=agent
if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  [ "$root" != / ] || root=
fi
[ "$(id -u)" = 0 ] || [ -n "$root" ] || die "run as root (or give --root DIR to install under DIR)"

here=$(cd "$(dirname "$0")" && pwd)
lib=$root/usr/lib/bramble
units_dir=$root/usr/lib/systemd/system
polkit_dir=$root/etc/polkit-1/rules.d
sysusers=$root/usr/lib/sysusers.d/bramble.conf
etc=$root/etc/bramble
manifest=$lib/installed-files

# systemctl only on the real root and only where systemd runs (not in a container or a chroot).
use_systemd=no
if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then use_systemd=yes; fi

systemctl_quiet() {
  [ "$use_systemd" = yes ] || return 0
  systemctl "$@" || say "systemctl $* failed (continuing)"
}

user_exists() {
  if [ -n "$root" ]; then grep -q "^$1:" "$root/etc/passwd" 2>/dev/null; else getent passwd "$1" >/dev/null 2>&1; fi
}

# Users the units run as: User= lines, except root and units with DynamicUser=yes (systemd makes those itself).
unit_users() {
  for unit in "$@"; do
    grep -qi '^DynamicUser=\(yes\|true\|1\|on\)' "$unit" && continue
    sed -n 's/^User=\([A-Za-z0-9_][A-Za-z0-9_.-]*\)[[:space:]]*$/\1/p' "$unit"
  done | grep -v '^root$' | sort -u
}

create_user() {
  name=$1
  if user_exists "$name"; then say "user $name exists"; return 0; fi
  if [ -n "$root" ]; then
    if [ ! -f "$root/etc/passwd" ]; then say "no $root/etc/passwd: user $name not created"; return 0; fi
    useradd --root "$root" --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$name"
  else
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$name"
  fi
  say "created system user $name"
}

# The units this release ships for the chosen programs: bramble-agent* / bramble-aggregator*, plus units that
# belong to no program (bramble-remount@.service …) with the agent, which is what starts them.
release_units() {
  [ -d "$here/systemd" ] || return 0
  for unit in "$here"/systemd/*; do
    [ -f "$unit" ] || continue
    case "$unit" in *.service|*.socket|*.timer|*.path|*.target) ;; *) continue ;; esac
    name=$(basename "$unit")
    case "$name" in
      bramble-aggregator*) case " $components " in *" aggregator "*) echo "$unit" ;; esac ;;
      *) case " $components " in *" agent "*) echo "$unit" ;; esac ;;
    esac
  done
}

install_config() {
  example=$1
  target=$etc/$(basename "$example")
  if [ ! -e "$target" ]; then
    install -m 0644 "$example" "$target"
    say "wrote $target"
  elif cmp -s "$example" "$target"; then
    rm -f "$target.new"
    say "kept $target (same as this release's example)"
  else
    install -m 0644 "$example" "$target.new"
    say "kept your $target; this release's example is $target.new"
  fi
}

do_install() {
  { [ -f "$here/VERSION" ] && [ -d "$here/lib" ]; } || die "run install.sh from an unpacked release tarball ($here has no VERSION or lib/)"
  version=$(head -n 1 "$here/VERSION")
  previous=
  [ -f "$lib/VERSION" ] && previous=$(head -n 1 "$lib/VERSION")
  if [ -n "$previous" ]; then say "upgrading $previous to $version${root:+ under $root}"; else say "installing $version${root:+ under $root}"; fi

  units=$(release_units)
  # shellcheck disable=SC2086 # unit paths have no spaces (bramble-*.service)
  users=$(unit_users $units)
  for user in $users; do create_user "$user"; done

  # Programs: copy beside, then swap, so a failed copy leaves the running version whole.
  mkdir -p "$root/usr/lib"
  rm -rf "$lib.new" "$lib.old"
  mkdir "$lib.new"
  cp -a "$here/lib/." "$lib.new/"
  cp "$here/VERSION" "$lib.new/VERSION"
  install -m 0755 "$here/install.sh" "$lib.new/install.sh"
  [ -f "$manifest" ] && cp "$manifest" "$lib.new/installed-files.previous"
  : > "$lib.new/installed-files"
  # Users are kept on upgrade and uninstall (files they own may remain); --purge deletes them.
  { cat "$lib/installed-users" 2>/dev/null || true; for user in $users; do echo "$user"; done; } | sort -u > "$lib.new/installed-users"

  mkdir -p "$units_dir"
  for unit in $units; do
    install -m 0644 "$unit" "$units_dir/$(basename "$unit")"
    echo "/usr/lib/systemd/system/$(basename "$unit")" >> "$lib.new/installed-files"
    say "installed unit $(basename "$unit")"
  done
  # The polkit rule and the sysusers entry are the agent's (its user, its helper units).
  with_agent=no
  case " $components " in *" agent "*) with_agent=yes ;; esac
  if [ "$with_agent" = yes ] && [ -d "$here/polkit" ]; then
    for rule in "$here"/polkit/*.rules; do
      [ -f "$rule" ] || continue
      mkdir -p "$polkit_dir"
      install -m 0644 "$rule" "$polkit_dir/$(basename "$rule")"
      echo "/etc/polkit-1/rules.d/$(basename "$rule")" >> "$lib.new/installed-files"
      say "installed polkit rule $(basename "$rule")"
    done
  fi
  if [ "$with_agent" = yes ] && [ -f "$here/systemd/bramble.sysusers.conf" ]; then
    mkdir -p "$(dirname "$sysusers")"
    install -m 0644 "$here/systemd/bramble.sysusers.conf" "$sysusers"
    echo /usr/lib/sysusers.d/bramble.conf >> "$lib.new/installed-files"
  fi
  # State directories the units name (StateDirectory=), for --purge.
  # shellcheck disable=SC2086
  { cat "$lib/state-directories" 2>/dev/null || true; for unit in $units; do sed -n 's/^StateDirectory=//p' "$unit" | tr ' ' '\n'; done; } |
    sed 's/:.*//' | grep -v '^$' | sort -u > "$lib.new/state-directories" || true
  mkdir -p "$root/usr/bin"
  ln -sfn /usr/lib/bramble/cli/bramble "$root/usr/bin/bramble"
  echo /usr/bin/bramble >> "$lib.new/installed-files"

  # Files the previous version installed and this one does not (a renamed unit) go.
  if [ -f "$lib.new/installed-files.previous" ]; then
    while IFS= read -r old; do
      grep -qxF "$old" "$lib.new/installed-files" || { rm -f "$root$old"; say "removed $old (no longer shipped)"; }
    done < "$lib.new/installed-files.previous"
    rm -f "$lib.new/installed-files.previous"
  fi

  if [ -d "$lib" ]; then mv "$lib" "$lib.old"; fi
  mv "$lib.new" "$lib"
  rm -rf "$lib.old"
  say "installed programs in /usr/lib/bramble"

  mkdir -p "$etc"
  chmod 0755 "$etc"
  # Credential directories the units load (LoadCredential=NAME:/etc/bramble/credentials/…) must exist, even empty,
  # or the unit does not start; made root-only, and never touched once there (the secrets are the user's).
  # shellcheck disable=SC2086,SC2013 # unit paths and credential paths have no spaces (the sed allows none)
  for path in $(sed -n 's|^LoadCredential=[^:]*:\(/etc/bramble/credentials/[A-Za-z0-9_./-]*\)[[:space:]]*$|\1|p' $units /dev/null | sort -u); do
    case "$path" in *..*) continue ;; esac
    if [ ! -e "$root$path" ]; then
      mkdir -p "$root$path"
      chmod 0700 "$root/etc/bramble/credentials" "$root$path"
      say "made credential directory $path (root only; put secret files here)"
    fi
  done
  for component in $components; do
    if [ -f "$here/etc/$component.json" ]; then install_config "$here/etc/$component.json"; fi
  done

  systemctl_quiet daemon-reload
  for unit in $units; do
    name=$(basename "$unit")
    case "$name" in *@*) continue ;; esac
    if [ "$use_systemd" = yes ] && systemctl is-active --quiet "$name"; then
      systemctl_quiet restart "$name"; say "restarted $name"
    fi
  done
  if [ "$enable" = yes ]; then
    for component in $components; do systemctl_quiet enable --now "bramble-$component.service"; done
  fi
  if [ "$use_systemd" = no ]; then
    if [ -n "$root" ]; then say "systemctl not run (installing under $root)"; else say "systemctl not run (systemd is not running)"; fi
  fi
  say "done. Next: edit /etc/bramble/*.json, then: systemctl enable --now$(for c in $components; do printf ' bramble-%s' "$c"; done)"
}

do_uninstall() {
  if [ -f "$manifest" ]; then
    grep '^/usr/lib/systemd/system/' "$manifest" | while IFS= read -r path; do
      name=$(basename "$path")
      case "$name" in *@*) continue ;; esac
      systemctl_quiet disable --now "$name"
    done
    while IFS= read -r path; do
      rm -f "$root$path"
      say "removed $path"
    done < "$manifest"
  else
    say "no $manifest: no programs or units of Bramble are installed${root:+ under $root}"
  fi
  systemctl_quiet daemon-reload
  users=$(cat "$lib/installed-users" 2>/dev/null || true)
  states=$(cat "$lib/state-directories" 2>/dev/null || true)
  rm -rf "$lib.new" "$lib.old"
  if [ -d "$lib" ]; then
    # Without --purge, only what a later --purge needs stays: this script and the lists of users and state directories.
    find "$lib" -mindepth 1 -maxdepth 1 ! -name install.sh ! -name installed-users ! -name state-directories -exec rm -rf {} +
    say "removed the programs from /usr/lib/bramble"
  fi
  if [ "$purge" = yes ]; then
    rm -rf "$lib"
    rm -rf "$etc"
    say "purged /etc/bramble"
    for name in $states; do
      case "$name" in ''|*..*|/*) continue ;; esac
      rm -rf "$root/var/lib/$name" "$root/var/lib/private/$name"
      say "purged /var/lib/$name"
    done
    for user in $users; do
      user_exists "$user" || continue
      if [ -n "$root" ]; then userdel --root "$root" "$user"; else userdel "$user"; fi
      say "deleted system user $user"
    done
  else
    say "kept /etc/bramble, the state in /var/lib and the system users (/usr/lib/bramble/install.sh --uninstall --purge removes them)"
  fi
}

case "$action" in
  install) do_install ;;
  uninstall) do_uninstall ;;
esac
