# Sourced by benches that declare fixture mounts to the agent (the caller runs from the repository root).
# proc_root DIR: a proc root in DIR whose every entry links to the real /proc, except self/mountinfo, self/mountstats
# and self/mounts, which the caller writes (the agent's Agent:ProcRoot then sees only the mounts it is given).
proc_root() {
  local dir=$1 entry name
  mkdir -p "$dir/self"
  for entry in /proc/*; do
    name=${entry#/proc/}
    case $name in self|thread-self|[0-9]*) ;; *) ln -s "$entry" "$dir/$name" ;; esac
  done
  for entry in /proc/self/*; do
    name=${entry#/proc/self/}
    case $name in mountinfo|mountstats|mounts) ;; *) ln -s "/proc/self/$name" "$dir/self/$name" ;; esac
  done
}
