# The footprint lab, shared by run.sh and nfs-child.sh (sourced; the caller sets WORK, NS, PY and the array pids):
# the aggregator built, two FUSE fault file systems in mode "ok" declared as NFSv3 mounts of 127.0.0.1 in a proc
# root that otherwise points at the real /proc ($P), a network namespace $NS with an unanswering veth pair (eth0 for
# the agents' VIPs) and the aggregator inside it on 127.0.0.1:9731; the agents' arguments in $common. lab_cleanup undoes all of it (trap it on EXIT).

. bench/proc-root.sh

lab_cleanup() {
  set +e
  for m in "$WORK"/mnt1 "$WORK"/mnt2; do
    echo ok > "$m.control.tmp" 2>/dev/null && mv "$m.control.tmp" "$m.control" 2>/dev/null
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
  sleep 2
  for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
  for m in "$WORK"/mnt1 "$WORK"/mnt2; do timeout 10 umount -l "$m" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$WORK"
}
lab_start() {
  dotnet build -c Release aggregator/Bramble.Aggregator -nologo -v quiet > /dev/null
  AGGREGATOR=aggregator/Bramble.Aggregator/bin/Release/net10.0/bramble-aggregator.dll

  # Two FUSE mounts and a proc root declaring them as NFS (everything else is the real /proc).
  FIX=tests/Bramble.IntegrationTests/Nfs
  for i in 1 2; do
    mkdir -p "$WORK/backing$i" "$WORK/mnt$i"; echo ok > "$WORK/mnt$i.control"
    setsid "$PY" "$FIX/fault_fs.py" "$WORK/backing$i" "$WORK/mnt$i" "$WORK/mnt$i.control" </dev/null > "$WORK/fuse$i.log" 2>&1 &
    pids+=($!)
  done
  for _ in $(seq 1 100); do
    grep -q " $WORK/mnt2 " /proc/self/mountinfo && grep -q " $WORK/mnt1 " /proc/self/mountinfo && break; sleep 0.1
  done
  P=$WORK/proc; proc_root "$P"
  second=/var/lib/kubelet/pods/5f0c2a4e-1b7d-4c39-9a43-0d5b8e6f7a21/volumes/kubernetes.io~nfs/media-pv
  for f in mountinfo mountstats; do
    sed -e "s|@FUSE_MNT@|$WORK/mnt1|; s|$second|$WORK/mnt2|; s|192.0.2.10|127.0.0.1|g" "$FIX/Fixtures/$f.in" > "$P/self/$f"
  done

  # The namespace: loopback and eth0, one end of a veth pair whose other end (eth1) answers nothing; the aggregator inside it.
  ip netns add "$NS"
  ip -n "$NS" link set lo up
  ip -n "$NS" link add eth0 type veth peer name eth1
  ip -n "$NS" link set eth1 up
  ip -n "$NS" addr add 192.0.2.50/24 dev eth0
  ip -n "$NS" link set eth0 up
  ip netns exec "$NS" dotnet "$AGGREGATOR" --Aggregator:GrpcUrl=http://127.0.0.1:9731 --Aggregator:HttpUrl=http://127.0.0.1:9730 --Aggregator:AgentAuthentication=None \
    "--Aggregator:DataDirectory=$WORK/data" --Rules:ClockSkew:Enabled=false > "$WORK/aggregator.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do grep -q "is running" "$WORK/aggregator.log" && break; sleep 0.1; done

  # What every agent in the lab is started with: the aggregator, the proc root, the 2 VIPs on eth0.
  common=(--Agent:AggregatorAddress=http://127.0.0.1:9731 "--Agent:ProcRoot=$P"
          --Vip:Watch:0:Address=192.0.2.100 --Vip:Watch:0:Interface=eth0 --Vip:Watch:1:Address=192.0.2.101 --Vip:Watch:1:Interface=eth0)
}
