//go:build linux

package procfs

import (
	"errors"
	"os"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// Dir reads the files of one process relative to an fd on /proc opened once, so that each read
// is one system call and no per-process directory is opened and closed. One Dir serves one
// goroutine, process after process (Reset), reusing its buffers. The owner (UID) comes with the
// fd directory, which a scan opens anyway.
type Dir struct {
	PID    int
	path   []byte // "PID/" followed by the file being read and a NUL
	prefix int    // len("PID/")
	uid    uint32
	hasUID bool
	link   [256]byte
	name   []byte // a name in /proc/PID/ns with its NUL, for the reads relative to nsFD
	dents  []byte
	nsFD   int // an O_PATH fd on /proc/PID/ns between OpenNS and CloseNS, else -1
}

var (
	procOnce sync.Once
	procFD   = -1
	procErr  error
)

// errNotNSLink is wrapped when a namespace link does not read "NAME:[INODE]".
var errNotNSLink = errors.New("not a namespace link")

// OpenDir prepares to read /proc/PID; it makes no system call beyond opening /proc once.
func OpenDir(pid int) (*Dir, error) {
	procOnce.Do(func() {
		procFD, procErr = unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if procErr != nil {
			procErr = &os.PathError{Op: "open", Path: "/proc", Err: procErr}
		}
	})
	if procErr != nil {
		return nil, procErr
	}
	d := &Dir{path: make([]byte, 0, 64)}
	d.Reset(pid)
	return d, nil
}

// Reset points d at another process, keeping its buffers.
func (d *Dir) Reset(pid int) {
	d.PID, d.hasUID, d.nsFD = pid, false, -1
	d.path = append(strconv.AppendInt(d.path[:0], int64(pid), 10), '/')
	d.prefix = len(d.path)
}

// at returns "PID/" + dir + name + NUL in the reusable path buffer.
func (d *Dir) at(dir, name string) []byte {
	d.path = append(append(append(d.path[:d.prefix], dir...), name...), 0)
	return d.path
}

// OpenNS opens /proc/PID/ns so that the LinkInode calls until CloseNS look up one name each
// instead of three: cheaper when most kinds are read.
func (d *Dir) OpenNS() {
	d.nsFD = -1
	if fd, err := rawOpenatBytes(procFD, d.at("ns", ""), unix.O_PATH|unix.O_DIRECTORY); err == nil {
		d.nsFD = fd
	}
}

// CloseNS closes what OpenNS opened.
func (d *Dir) CloseNS() {
	if d.nsFD >= 0 {
		rawClose(d.nsFD)
		d.nsFD = -1
	}
}

// UID is the owner of /proc/PID: the process's effective UID. After FDFiles it costs nothing.
func (d *Dir) UID() (uint32, error) {
	if d.hasUID {
		return d.uid, nil
	}
	var st unix.Stat_t
	if err := unix.Fstatat(procFD, strconv.Itoa(d.PID), &st, 0); err != nil {
		return 0, &os.PathError{Op: "stat", Path: "/proc/" + strconv.Itoa(d.PID), Err: err}
	}
	d.uid, d.hasUID = st.Uid, true
	return st.Uid, nil
}

// Stat reads and parses the process's stat file.
func (d *Dir) Stat() (Stat, error) {
	var buf [1024]byte
	fd, err := rawOpenatBytes(procFD, d.at("stat", ""), unix.O_RDONLY)
	if err != nil {
		return Stat{}, &os.PathError{Op: "open", Path: path(d.PID, "stat"), Err: err}
	}
	n, err := rawRead(fd, buf[:])
	rawClose(fd)
	if err != nil {
		return Stat{}, &os.PathError{Op: "read", Path: path(d.PID, "stat"), Err: err}
	}
	return parseStat(buf[:max(n, 0)])
}

// LinkInode reads the process's ns/NAME link ("net", "mnt", ...) with one readlinkat(2) and
// returns the namespace's inode.
func (d *Dir) LinkInode(name string) (uint64, error) {
	dirfd, p := procFD, d.at("ns/", name)
	if d.nsFD >= 0 { // d.path keeps "PID/": FDFiles and Stat read the same process after this
		d.name = append(append(d.name[:0], name...), 0)
		dirfd, p = d.nsFD, d.name
	}
	n, err := rawReadlinkatBytes(dirfd, p, d.link[:])
	if err != nil {
		return 0, &os.PathError{Op: "readlink", Path: path(d.PID, "ns/"+name), Err: err}
	}
	_, ino, ok := ParseNSLink(d.link[:n])
	if !ok {
		return 0, &os.PathError{Op: "readlink", Path: path(d.PID, "ns/"+name), Err: errNotNSLink}
	}
	return ino, nil
}

// FDFile is what stat(2) says of the file an open descriptor refers to.
type FDFile struct {
	Dev  uint64 // the device of its filesystem, as unix.Stat_t.Dev encodes it
	Ino  uint64
	Mode uint32 // file type (unix.S_IFMT bits) and permissions
}

// FDFiles calls fn with each open descriptor of the process and what stat(2) says of the file
// it refers to (following the fd link, as util-linux's lsns does, so that a namespace opened
// through a bind mount that is gone, whose link reads "/", is still seen as an nsfs file), and
// notes the process's owner from the fd directory. It asks statx(2) with AT_STATX_DONT_SYNC, so
// that a file on a network filesystem costs no round trip. A descriptor closed meanwhile is
// skipped.
func (d *Dir) FDFiles(fn func(fd int, f FDFile)) error {
	dfd, err := rawOpenatBytes(procFD, d.at("fd", ""), unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return &os.PathError{Op: "open", Path: path(d.PID, "fd"), Err: err}
	}
	defer rawClose(dfd)
	var st unix.Stat_t
	if rawFstat(dfd, &st) == nil {
		d.uid, d.hasUID = st.Uid, true
	}
	if d.dents == nil {
		d.dents = make([]byte, 4096)
	}
	nums, err := numericEntries(dfd, path(d.PID, "fd"), d.dents)
	if err != nil {
		return err
	}
	var name [16]byte
	var stx unix.Statx_t
	for _, n := range nums {
		p := append(strconv.AppendInt(name[:0], int64(n), 10), 0)
		if rawStatx(dfd, p, unix.AT_STATX_DONT_SYNC, unix.STATX_TYPE|unix.STATX_INO, &stx) != nil {
			continue
		}
		fn(n, FDFile{Dev: unix.Mkdev(stx.Dev_major, stx.Dev_minor), Ino: stx.Ino, Mode: uint32(stx.Mode)})
	}
	return nil
}
