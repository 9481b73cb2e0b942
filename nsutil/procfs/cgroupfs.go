//go:build linux

package procfs

import (
	"bytes"
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The cgroup filesystem is the other side of /proc/PID/cgroup: a hierarchy's directories are
// the cgroups whose paths those lines name, and each directory's cgroup.procs lists the
// processes in it. Reading the tree costs one getdents per cgroup, not a read per process.

// WalkCgroups calls fn with the cgroup path of every directory of the cgroup hierarchy mounted
// at mount ("/" for the mount point itself, then "/docker", "/docker/ID", ...: the paths
// /proc/PID/cgroup shows when the mount's root is the reader's cgroup namespace root), parents
// before children. A directory removed during the walk is skipped; any other failure ends the
// walk with its error.
func WalkCgroups(mount string, fn func(cgroupPath string)) error {
	fd, err := unix.Open(mount, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: mount, Err: err}
	}
	w := cgroupWalk{buf: make([]byte, 8<<10), fn: fn, mount: mount}
	return w.dir(fd, "/")
}

type cgroupWalk struct {
	buf   []byte
	fn    func(string)
	mount string
	name  []byte
}

// dir reports the cgroup at fd (path cgroupPath), then walks its subdirectories; it closes fd.
func (w *cgroupWalk) dir(fd int, cgroupPath string) error {
	w.fn(cgroupPath)
	var subdirs []string
	err := readDirents(fd, w.buf, func(name []byte, typ byte) {
		if typ == unix.DT_DIR && string(name) != "." && string(name) != ".." {
			subdirs = append(subdirs, string(name))
		}
	})
	if err != nil {
		rawClose(fd)
		if err == unix.ENOENT || err == unix.ENODEV { // removed while being read
			return nil
		}
		return &os.PathError{Op: "getdents", Path: w.mount + cgroupPath, Err: err}
	}
	defer rawClose(fd)
	var stx unix.Statx_t
	for _, sub := range subdirs {
		w.name = append(append(w.name[:0], sub...), 0)
		child := cgroupPath + sub
		if cgroupPath != "/" {
			child = cgroupPath + "/" + sub
		}
		// A directory's link count is 2 plus its subdirectories (kernfs keeps it so): a leaf
		// cgroup, most of them, costs one statx instead of an open and two getdents.
		err := rawStatx(fd, w.name, unix.AT_SYMLINK_NOFOLLOW, unix.STATX_NLINK, &stx)
		if err == nil && stx.Nlink == 2 {
			w.fn(child)
			continue
		}
		subfd, err := rawOpenatBytes(fd, w.name, unix.O_RDONLY|unix.O_DIRECTORY)
		if err == unix.ENOENT || err == unix.ENODEV {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "open", Path: w.mount + child, Err: err}
		}
		if err := w.dir(subfd, child); err != nil {
			return err
		}
	}
	return nil
}

// errCgroupProcs is wrapped when a cgroup.procs line is not a PID.
var errCgroupProcs = errors.New("not a PID")

// ReadCgroupProcs reads the PIDs of the processes in the cgroup directory dir (its cgroup.procs,
// in the reader's PID namespace; a process with threads in several cgroups of a cgroup v1
// hierarchy can be listed more than once).
func ReadCgroupProcs(dir string) ([]int, error) {
	name := dir + "/cgroup.procs"
	var buf [4096]byte
	n, err := readSmall(name, buf[:])
	if err != nil {
		return nil, err
	}
	data := buf[:n]
	if n == len(buf) {
		if data, err = os.ReadFile(name); err != nil {
			return nil, err
		}
	}
	var out []int
	for line := range bytes.Lines(data) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if len(line) == 0 {
			continue
		}
		pid, ok := atoiBytes(line)
		if !ok {
			return nil, &os.PathError{Op: "read", Path: name, Err: errCgroupProcs}
		}
		if pid > 0 { // 0: a process of no PID in the reader's namespace
			out = append(out, pid)
		}
	}
	return out, nil
}

// SelfPID is the PID /proc/self names: os.Getpid() when /proc is of this process's PID
// namespace; otherwise another number, or an error.
func SelfPID() (int, error) {
	link, err := os.Readlink("/proc/self")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(link)
}
