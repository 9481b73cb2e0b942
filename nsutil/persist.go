//go:build linux

package nsutil

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/nsbox/nsbox/nsutil/procfs"
	"golang.org/x/sys/unix"
)

// mountContaining finds the mount that holds path (absolute, symlinks resolved) among mounts:
// the longest mount point that is path or one of its parents, the last-mounted one when several
// are stacked.
func mountContaining(mounts []procfs.Mount, path string) (procfs.Mount, bool) {
	var best procfs.Mount
	found := false
	for _, m := range mounts {
		if !pathWithin(path, m.MountPoint) || (found && len(m.MountPoint) < len(best.MountPoint)) {
			continue
		}
		best, found = m, true
	}
	return best, found
}

func pathWithin(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, dir+"/")
}

// CheckPersistTarget checks that file can receive a bind mount of a namespace: it exists, and
// for a mount namespace (mnt), it is not on a shared mount, where the kernel refuses the bind
// (EINVAL) because the namespace could end up holding itself. It returns the mount point that
// holds file when that is the problem.
func CheckPersistTarget(file string, mnt bool) (sharedMount string, err error) {
	st, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	if st.IsDir() {
		return "", unix.EISDIR // a namespace file binds onto a file only
	}
	if !mnt {
		return "", nil
	}
	abs, err := filepath.Abs(file)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", err
	}
	mounts, err := procfs.ReadMountinfo(0)
	if err != nil {
		return "", err
	}
	if m, ok := mountContaining(mounts, abs); ok && m.Shared() {
		return m.MountPoint, nil
	}
	return "", nil
}

// MayMount reports whether this process has CAP_SYS_ADMIN in its effective set. Without it,
// mount(2) refuses a bind (EPERM) as soon as it has looked the target up.
func MayMount() bool {
	var data [2]unix.CapUserData
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	return data[unix.CAP_SYS_ADMIN/32].Effective&(1<<(unix.CAP_SYS_ADMIN%32)) != 0
}
