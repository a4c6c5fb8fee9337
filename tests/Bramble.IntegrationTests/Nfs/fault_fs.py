#!/usr/bin/python3
"""A pass-through FUSE file system that misbehaves on demand, standing in for a hard NFS mount (LAB.md section 2).

Usage: fault_fs.py BACKING_DIR MOUNT_POINT CONTROL_FILE

CONTROL_FILE (outside the mount) is read on every operation: "ok", "slow SECONDS", "slow-fsync SECONDS", "hang", "eio",
"estale" or "squash". "squash" behaves as "ok" except that files and directories created by uid 0 come out owned by
65534 (nobody), as on an export with root_squash. "slow" delays every operation (a probe makes a dozen, so it soon passes any deadline); "slow-fsync" delays
fsync alone, once per probe file, as a NAS that is slow to commit to disk: the probe finishes, slowly.
Switch modes by writing a temp file and renaming it over CONTROL_FILE. "hang" blocks each operation until the
mode changes, as a hard mount waits for its server; switching back to "ok" releases every waiter.
Attribute and entry caching are off (like noac), so every stat reaches this process.
"""
import errno
import os
import sys
import time

try:
    from fusepy import FUSE, FuseOSError, Operations, fuse_get_context
except ImportError:
    from fuse import FUSE, FuseOSError, Operations, fuse_get_context

NOBODY = 65534


class FaultFs(Operations):
    def __init__(self, backing, control):
        self.backing = os.path.realpath(backing)
        self.control = control

    def _mode(self):
        try:
            with open(self.control) as f:
                return f.read().split()
        except OSError:
            return ["ok"]

    def _gate(self, op=None):
        mode = self._mode()
        while mode and mode[0] == "hang":
            time.sleep(0.05)
            mode = self._mode()
        if not mode or mode[0] == "ok":
            return
        if mode[0] == "slow":
            time.sleep(float(mode[1]) if len(mode) > 1 else 1.0)
        elif mode[0] == "slow-fsync":
            if op == "fsync":
                time.sleep(float(mode[1]) if len(mode) > 1 else 1.0)
        elif mode[0] == "eio":
            raise FuseOSError(errno.EIO)
        elif mode[0] == "estale":
            raise FuseOSError(errno.ESTALE)

    def _squash(self, full):
        """In squash mode, what root creates belongs to nobody (the server maps uid 0 before it creates)."""
        mode = self._mode()
        if mode and mode[0] == "squash" and fuse_get_context()[0] == 0:
            os.chown(full, NOBODY, NOBODY)

    def _full(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def getattr(self, path, fh=None):
        if path != "/":
            self._gate()
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def readdir(self, path, fh):
        self._gate()
        return [".", ".."] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        self._gate()
        os.mkdir(self._full(path), mode)
        self._squash(self._full(path))

    def rmdir(self, path):
        self._gate()
        return os.rmdir(self._full(path))

    def unlink(self, path):
        self._gate()
        return os.unlink(self._full(path))

    def rename(self, old, new):
        self._gate()
        return os.rename(self._full(old), self._full(new))

    def chmod(self, path, mode):
        self._gate()
        return os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        self._gate()
        return os.chown(self._full(path), uid, gid)

    def utimens(self, path, times=None):
        self._gate()
        return os.utime(self._full(path), times)

    def truncate(self, path, length, fh=None):
        self._gate()
        with open(self._full(path), "r+") as f:
            f.truncate(length)

    def open(self, path, flags):
        self._gate()
        return os.open(self._full(path), flags)

    def create(self, path, mode, fi=None):
        self._gate()
        fd = os.open(self._full(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        self._squash(self._full(path))
        return fd

    def read(self, path, length, offset, fh):
        self._gate()
        os.lseek(fh, offset, os.SEEK_SET)
        return os.read(fh, length)

    def write(self, path, buf, offset, fh):
        self._gate()
        os.lseek(fh, offset, os.SEEK_SET)
        return os.write(fh, buf)

    def flush(self, path, fh):
        return None

    def fsync(self, path, datasync, fh):
        self._gate("fsync")
        return os.fsync(fh)

    def release(self, path, fh):
        return os.close(fh)

    def statfs(self, path):
        self._gate()
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}


if __name__ == "__main__":
    backing, mount_point, control = sys.argv[1:4]
    FUSE(FaultFs(backing, control), mount_point, foreground=True, nothreads=False,
         attr_timeout=0, entry_timeout=0, negative_timeout=0, fsname="bt-faultfs")
