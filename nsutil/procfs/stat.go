//go:build linux

package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Stat is what nsbox needs from /proc/PID/stat.
type Stat struct {
	PID   int
	Comm  string // between the first '(' and the last ')': may hold ')', spaces and newlines
	State byte
	PPID  int
}

// errBadStat is wrapped when a stat line has not the kernel's shape.
var errBadStat = errors.New("malformed stat line")

// parseStat parses a /proc/PID/stat line. The command name is delimited by the first '(' and the
// LAST ')', since it may itself hold ") R 1 (" or a newline; the fields after it never hold ')'.
func parseStat(b []byte) (Stat, error) {
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 1 || closing < open {
		return Stat{}, errBadStat
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil || pid < 0 {
		return Stat{}, errBadStat
	}
	rest := b[closing+1:]
	// ") S 1 ..." : a space, the state, a space, the ppid.
	if len(rest) < 4 || rest[0] != ' ' || rest[2] != ' ' {
		return Stat{}, errBadStat
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
		return Stat{}, errBadStat
	}
	return Stat{PID: pid, Comm: string(b[open+1 : closing]), State: rest[1], PPID: ppid}, nil
}

// ReadStat reads and parses /proc/PID/stat. A process that is gone gives an error wrapping
// ENOENT or ESRCH.
func ReadStat(pid int) (Stat, error) {
	var buf [1024]byte
	name := path(pid, "stat")
	n, err := readSmall(name, buf[:])
	if err != nil {
		return Stat{}, err
	}
	st, err := parseStat(buf[:n])
	if err != nil {
		return Stat{}, fmt.Errorf("%s: %w", name, err)
	}
	return st, nil
}

// readSmall reads up to len(buf) bytes of name with open+read+close and no allocation.
func readSmall(name string, buf []byte) (int, error) {
	fd, err := unix.Open(name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	total := 0
	for total < len(buf) {
		n, err := unix.Read(fd, buf[total:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if n == 0 {
			break
		}
		total += n
	}
	return total, nil
}

// path is /proc/PID/NAME, or /proc/self/NAME for pid 0.
func path(pid int, name string) string {
	if pid == 0 {
		return "/proc/self/" + name
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}
