#!/bin/sh
# Runs rpcbind and nfs-ganesha (LAB.md section 2) inside the network namespace `ip netns exec` put us in.
# Usage: nfs_server.sh DIR   (DIR holds ganesha.conf; the log and pid file go there too)
# ip netns exec gave this process a mount namespace of its own (a slave of the host's): a tmpfs on /run here keeps
# rpcbind's socket and lock files away from the host and from any other lab. rpcbind runs with -f but without -h
# (which crashes); ganesha registers with it and then serves NFSv3 on TCP 2049. The last step execs ganesha, so the
# pid the test holds is the NFS server's own and SIGSTOP / SIGKILL reach it directly.
set -e
dir=$1
mount -t tmpfs -o size=1m,mode=755 bt-nfs-run /run
mkdir -p /run/rpcbind
/usr/sbin/rpcbind -f </dev/null >/dev/null 2>&1 &
echo "rpcbind pid $!"
i=0
while [ ! -S /run/rpcbind.sock ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
exec /usr/bin/ganesha.nfsd -F -L "$dir/ganesha.log" -f "$dir/ganesha.conf" -p "$dir/ganesha.pid" -N NIV_EVENT
