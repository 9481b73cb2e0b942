//go:build linux

package nsutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// ProcStat is what lsns needs from /proc/PID/stat.
type ProcStat struct {
	PID   int
	Comm  string // between the first '(' and the last ')': may hold ')', spaces and newlines
	State byte
	PPID  int
}

// ErrBadStat is wrapped by ParseStat when a stat line has not the kernel's shape.
var ErrBadStat = errors.New("malformed stat line")

// ParseStat parses a /proc/PID/stat line. The command name is delimited by the first '(' and the
// LAST ')', since it may itself hold ") R 1 (" or a newline; the fields after it never hold ')'.
func ParseStat(b []byte) (ProcStat, error) {
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 1 || closing < open {
		return ProcStat{}, ErrBadStat
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil || pid < 0 {
		return ProcStat{}, ErrBadStat
	}
	rest := b[closing+1:]
	// ") S 1 ..." : a space, the state, a space, the ppid.
	if len(rest) < 4 || rest[0] != ' ' || rest[2] != ' ' {
		return ProcStat{}, ErrBadStat
	}
	end := 3
	if rest[end] == '-' {
		end++
	}
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	ppid, err := strconv.Atoi(string(rest[3:end]))
	if err != nil {
		return ProcStat{}, ErrBadStat
	}
	return ProcStat{PID: pid, Comm: string(b[open+1 : closing]), State: rest[1], PPID: ppid}, nil
}

// ReadStat reads and parses /proc/PID/stat. A process that is gone gives an error wrapping ENOENT
// or ESRCH (see IsGone).
func ReadStat(pid int) (ProcStat, error) {
	var buf [1024]byte
	path := procPath(pid, "stat")
	n, err := readSmall(path, buf[:])
	if err != nil {
		return ProcStat{}, err
	}
	st, err := ParseStat(buf[:n])
	if err != nil {
		return ProcStat{}, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// IsGone reports whether err means the process (or its file) vanished while it was read:
// ENOENT, ESRCH, or EACCES/EPERM on a file a dying process no longer lets us see.
func IsGone(err error) bool {
	return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH)
}

// readSmall reads up to len(buf) bytes of path with open+read+close and no allocation.
func readSmall(path string, buf []byte) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	total := 0
	for total < len(buf) {
		n, err := unix.Read(fd, buf[total:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if n == 0 {
			break
		}
		total += n
	}
	return total, nil
}

func procPath(pid int, name string) string {
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// ProcessUID is the owner of /proc/PID, which is the process's effective UID (what util-linux's
// lsns shows as UID), with one stat(2).
func ProcessUID(pid int) (uint32, error) {
	var st unix.Stat_t
	path := "/proc/" + strconv.Itoa(pid)
	if err := unix.Stat(path, &st); err != nil {
		return 0, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return st.Uid, nil
}

// ParseStatusUIDs returns the real, effective, saved and filesystem UIDs of a /proc/PID/status text.
func ParseStatusUIDs(status []byte) ([4]uint32, error) {
	var ids [4]uint32
	for _, line := range bytes.Split(status, []byte("\n")) {
		rest, ok := bytes.CutPrefix(line, []byte("Uid:"))
		if !ok {
			continue
		}
		fields := strings.Fields(string(rest))
		if len(fields) != 4 {
			return ids, errors.New("malformed Uid: line")
		}
		for i, f := range fields {
			v, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				return ids, fmt.Errorf("malformed Uid: line: %w", err)
			}
			ids[i] = uint32(v)
		}
		return ids, nil
	}
	return ids, errors.New("no Uid: line")
}

// cmdlineMax is how much of /proc/PID/cmdline util-linux reads (BUFSIZ - 1).
const cmdlineMax = 8191

// ReadCmdline returns /proc/PID/cmdline as util-linux shows it: the first 8191 bytes, NULs turned
// into spaces and the last byte dropped (it is the final NUL of an ordinary command line).
// Kernel threads and zombies have none: "" with a nil error.
func ReadCmdline(pid int) (string, error) {
	buf := cmdlineBuffers.Get().(*[cmdlineMax]byte)
	defer cmdlineBuffers.Put(buf)
	n, err := readSmall(procPath(pid, "cmdline"), buf[:])
	if err != nil {
		return "", err
	}
	return FormatCmdline(buf[:n]), nil
}

var cmdlineBuffers = sync.Pool{New: func() any { return new([cmdlineMax]byte) }}

// FormatCmdline is the util-linux rendering of raw cmdline bytes (see ReadCmdline).
func FormatCmdline(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	out := []byte(string(raw[:len(raw)-1]))
	for i, c := range out {
		if c == 0 {
			out[i] = ' '
		}
	}
	// A C string ends at its first NUL: only relevant when the data held none before the end.
	return string(out)
}

// ReadComm returns /proc/PID/comm without its newline.
func ReadComm(pid int) (string, error) {
	var buf [64]byte
	n, err := readSmall(procPath(pid, "comm"), buf[:])
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(buf[:n]), "\n"), nil
}

// ParseNSLinkBytes is ParseNSLink without allocating: the name it returns is a sub-slice of s.
func ParseNSLinkBytes(s []byte) (name []byte, ino uint64, ok bool) {
	colon := bytes.IndexByte(s, ':')
	if colon <= 0 || len(s) < colon+4 || s[colon+1] != '[' || s[len(s)-1] != ']' {
		return nil, 0, false
	}
	digits := s[colon+2 : len(s)-1]
	if len(digits) == 0 || len(digits) > 20 {
		return nil, 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, 0, false
		}
		next := ino*10 + uint64(c-'0')
		if next < ino {
			return nil, 0, false
		}
		ino = next
	}
	return s[:colon], ino, true
}

// ParseNSLink parses a namespace link target, "net:[4026531840]", into its kind name and inode.
func ParseNSLink(s string) (name string, ino uint64, ok bool) {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || len(s) < colon+4 || s[colon+1] != '[' || s[len(s)-1] != ']' {
		return "", 0, false
	}
	ino, err := strconv.ParseUint(s[colon+2:len(s)-1], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return s[:colon], ino, true
}

// LinkInode reads /proc/PID/ns/KIND with one readlink(2) and returns the namespace inode.
func LinkInode(pid int, k Kind) (uint64, error) {
	var buf [64]byte
	path := procPath(pid, "ns/"+k.Name)
	n, err := unix.Readlink(path, buf[:])
	if err != nil {
		return 0, &os.PathError{Op: "readlink", Path: path, Err: err}
	}
	_, ino, ok := ParseNSLink(string(buf[:n]))
	if !ok {
		return 0, &os.PathError{Op: "readlink", Path: path, Err: ErrNotNamespace}
	}
	return ino, nil
}

// ListPIDs returns the numeric entries of /proc (processes, not threads), in directory order.
func ListPIDs() ([]int, error) {
	return listNumeric("/proc")
}

// listNumeric lists the numeric names in dir with getdents, without stat-ing them.
func listNumeric(dir string) ([]int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	return getdentsNumeric(fd, dir)
}

// getdentsNumeric reads the numeric entry names of the open directory fd.
func getdentsNumeric(fd int, dir string) ([]int, error) {
	return getdentsInto(fd, dir, make([]byte, 32<<10))
}

// getdentsInto is getdentsNumeric with the caller's buffer.
func getdentsInto(fd int, dir string, buf []byte) ([]int, error) {
	var out []int
	for {
		n, err := rawGetdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return out, &os.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		for off := 0; off < n; {
			reclen := int(uint16(buf[off+16]) | uint16(buf[off+17])<<8)
			name := buf[off+19 : off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if v, ok := atoiBytes(name); ok {
				out = append(out, v)
			}
			off += reclen
		}
	}
}

func atoiBytes(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// FD is one open file descriptor of a process: its number and its /proc/PID/fd link target
// ("net:[4026531840]", "socket:[123]", "/dev/null", ...).
type FD struct {
	Num    int
	Target string
}

// ProcessFDs lists /proc/PID/fd with one readlink per descriptor. Descriptors closed while
// listing are skipped; a process that is gone (or whose fds cannot be read) gives an error.
func ProcessFDs(pid int) ([]FD, error) {
	dir := procPath(pid, "fd")
	nums, err := listNumeric(dir)
	if err != nil {
		return nil, err
	}
	out := make([]FD, 0, len(nums))
	var buf [256]byte
	for _, n := range nums {
		k, err := unix.Readlink(dir+"/"+strconv.Itoa(n), buf[:])
		if err != nil {
			continue
		}
		out = append(out, FD{Num: n, Target: string(buf[:k])})
	}
	return out, nil
}

// ProcDir reads the files of one process relative to an fd on /proc opened once, so that
// each read is one system call and no per-process directory is opened and closed. The owner
// (UID) comes with the fd directory, which the scan opens anyway.
type ProcDir struct {
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

// OpenNS opens /proc/PID/ns so that the LinkInode calls until CloseNS look up one name each
// instead of three: cheaper when most kinds are read.
func (d *ProcDir) OpenNS() {
	d.nsFD = -1
	if fd, err := rawOpenatBytes(procFD, d.at("ns"), unix.O_PATH|unix.O_DIRECTORY); err == nil {
		d.nsFD = fd
	}
}

// CloseNS closes what OpenNS opened.
func (d *ProcDir) CloseNS() {
	if d.nsFD >= 0 {
		rawClose(d.nsFD)
		d.nsFD = -1
	}
}

var (
	procOnce sync.Once
	procFD   = -1
	procErr  error
)

// OpenProcDir prepares to read /proc/PID; it makes no system call beyond opening /proc once.
func OpenProcDir(pid int) (*ProcDir, error) {
	procOnce.Do(func() {
		procFD, procErr = unix.Open("/proc", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if procErr != nil {
			procErr = &os.PathError{Op: "open", Path: "/proc", Err: procErr}
		}
	})
	if procErr != nil {
		return nil, procErr
	}
	d := &ProcDir{path: make([]byte, 0, 64)}
	d.Reset(pid)
	return d, nil
}

// Reset points d at another process, keeping its buffers (one ProcDir per scanning goroutine).
func (d *ProcDir) Reset(pid int) {
	d.PID, d.hasUID, d.nsFD = pid, false, -1
	d.path = append(strconv.AppendInt(d.path[:0], int64(pid), 10), '/')
	d.prefix = len(d.path)
}

// at returns "PID/name\x00" in the reusable path buffer.
func (d *ProcDir) at(name string) []byte {
	d.path = append(append(d.path[:d.prefix], name...), 0)
	return d.path
}

// Close releases the directory (nothing to do; kept for symmetry with open files).
func (d *ProcDir) Close() error { return nil }

// UID is the owner of /proc/PID: the process's effective UID. After FDs it costs nothing.
func (d *ProcDir) UID() (uint32, error) {
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
func (d *ProcDir) Stat() (ProcStat, error) {
	var buf [1024]byte
	fd, err := rawOpenatBytes(procFD, d.at("stat"), unix.O_RDONLY)
	if err != nil {
		return ProcStat{}, &os.PathError{Op: "open", Path: procPath(d.PID, "stat"), Err: err}
	}
	n, err := rawRead(fd, buf[:])
	rawClose(fd)
	if err != nil {
		return ProcStat{}, &os.PathError{Op: "read", Path: procPath(d.PID, "stat"), Err: err}
	}
	return ParseStat(buf[:max(n, 0)])
}

// LinkInode reads the process's ns/KIND link with one readlinkat(2).
func (d *ProcDir) LinkInode(k Kind) (uint64, error) {
	dirfd, path := procFD, d.at(nsFile(k))
	if d.nsFD >= 0 { // d.path keeps "PID/": FDs and Stat read the same process after this
		d.name = append(append(d.name[:0], k.Name...), 0)
		dirfd, path = d.nsFD, d.name
	}
	n, err := rawReadlinkatBytes(dirfd, path, d.link[:])
	if err != nil {
		return 0, &os.PathError{Op: "readlink", Path: procPath(d.PID, "ns/"+k.Name), Err: err}
	}
	_, ino, ok := ParseNSLinkBytes(d.link[:n])
	if !ok {
		return 0, &os.PathError{Op: "readlink", Path: procPath(d.PID, "ns/"+k.Name), Err: ErrNotNamespace}
	}
	return ino, nil
}

// FDs calls fn with each open descriptor of the process and its link target (valid only during
// the call), and notes the process's owner from the fd directory. A descriptor closed meanwhile
// is skipped.
func (d *ProcDir) FDs(fn func(fd int, target []byte)) error {
	dfd, err := rawOpenatBytes(procFD, d.at("fd"), unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return &os.PathError{Op: "open", Path: procPath(d.PID, "fd"), Err: err}
	}
	defer rawClose(dfd)
	var st unix.Stat_t
	if rawFstat(dfd, &st) == nil {
		d.uid, d.hasUID = st.Uid, true
	}
	if d.dents == nil {
		d.dents = make([]byte, 4096)
	}
	nums, err := getdentsInto(dfd, procPath(d.PID, "fd"), d.dents)
	if err != nil {
		return err
	}
	var name [16]byte
	for _, n := range nums {
		p := append(strconv.AppendInt(name[:0], int64(n), 10), 0)
		k, err := rawReadlinkatBytes(dfd, p, d.link[:])
		if err != nil {
			continue
		}
		fn(n, d.link[:k])
	}
	return nil
}

// nsFiles caches "ns/NAME" for each kind so the scan does not build it per process.
var nsFiles = func() map[string]string {
	m := map[string]string{}
	for _, k := range Kinds {
		m[k.Name] = "ns/" + k.Name
	}
	return m
}()

func nsFile(k Kind) string { return nsFiles[k.Name] }
