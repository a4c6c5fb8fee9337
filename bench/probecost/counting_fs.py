#!/usr/bin/python3
"""The FUSE fault file system of the integration tests (tests/Bramble.IntegrationTests/Nfs/fault_fs.py), imported
as is, with every operation counted: how many of each and the bytes read and written. With attribute and entry
caching off (as with an NFS mount's noac), each FUSE operation stands for one request the NFS client would send.

Usage: counting_fs.py FAULT_FS_PY BACKING_DIR MOUNT_POINT CONTROL_FILE COUNTS_JSON
COUNTS_JSON is rewritten (temp file and rename) after every operation.
"""
import importlib.util
import json
import os
import sys
import threading

spec = importlib.util.spec_from_file_location("fault_fs", sys.argv[1])
fault_fs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fault_fs)


class CountingFs(fault_fs.FaultFs):
    def __init__(self, backing, control, counts_file):
        super().__init__(backing, control)
        self.counts_file = counts_file
        self.counts = {"ops": {}, "bytes_read": 0, "bytes_written": 0}
        self.lock = threading.Lock()

    def __call__(self, op, *args):
        result = super().__call__(op, *args)
        with self.lock:
            if op not in ("init", "destroy"):
                self.counts["ops"][op] = self.counts["ops"].get(op, 0) + 1
            if op == "read" and result is not None:
                self.counts["bytes_read"] += len(result)
            if op == "write":
                self.counts["bytes_written"] += len(args[1])
            temporary = self.counts_file + ".tmp"
            with open(temporary, "w") as f:
                json.dump(self.counts, f)
            os.replace(temporary, self.counts_file)
        return result


if __name__ == "__main__":
    _, _, backing, mount_point, control, counts = sys.argv
    fault_fs.FUSE(CountingFs(backing, control, counts), mount_point, foreground=True, nothreads=False,
                  attr_timeout=0, entry_timeout=0, negative_timeout=0, fsname="bt-countfs")
