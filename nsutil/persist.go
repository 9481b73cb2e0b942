//go:build linux

package nsutil

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// MountEntry is what persistence checks need of a /proc/PID/mountinfo line.
type MountEntry struct {
	MountPoint string
	Shared     bool // a "shared:N" optional field: propagation peers exist
}

// MountContaining finds the mount that holds path (absolute, symlinks resolved) in mountinfo
// text: the longest mount point that is path or one of its parents, the last-mounted one when
// several are stacked.
func MountContaining(mountinfo, path string) (MountEntry, bool) {
	var best MountEntry
	found := false
	for _, line := range strings.Split(mountinfo, "\n") {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		mp := unescapeMountinfo(f[4])
		if !pathWithin(path, mp) || (found && len(mp) < len(best.MountPoint)) {
			continue
		}
		e := MountEntry{MountPoint: mp}
		for _, opt := range f[6:] {
			if opt == "-" {
				break
			}
			if strings.HasPrefix(opt, "shared:") {
				e.Shared = true
			}
		}
		best, found = e, true
	}
	return best, found
}

func pathWithin(path, dir string) bool {
	return dir == "/" || path == dir || strings.HasPrefix(path, dir+"/")
}

// unescapeMountinfo undoes the kernel's octal escapes (\040 for a space) in mountinfo paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
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
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", err
	}
	if e, ok := MountContaining(string(info), abs); ok && e.Shared {
		return e.MountPoint, nil
	}
	return "", nil
}
