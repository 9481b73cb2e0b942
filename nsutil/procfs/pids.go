//go:build linux

package procfs

import (
	"bytes"
	"os"

	"golang.org/x/sys/unix"
)

// PIDs returns the numeric entries of /proc (processes, not threads), in directory order.
func PIDs() ([]int, error) {
	fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc", Err: err}
	}
	defer unix.Close(fd)
	return numericEntries(fd, "/proc", make([]byte, 32<<10))
}

// numericEntries reads the numeric entry names of the open directory fd (named dir in
// errors) with getdents into buf, without stat-ing them.
func numericEntries(fd int, dir string, buf []byte) ([]int, error) {
	var out []int
	err := readDirents(fd, buf, func(name []byte, _ byte) {
		if v, ok := atoiBytes(name); ok {
			out = append(out, v)
		}
	})
	if err != nil {
		return out, &os.PathError{Op: "getdents", Path: dir, Err: err}
	}
	return out, nil
}

// readDirents lists the open directory fd with getdents into buf, calling fn with each
// entry's name (valid only during the call) and type (DT_*), "." and ".." included; it returns
// getdents' errno. A short read is not the end: procfs returns short reads under load, and
// only a read of nothing ends the listing.
func readDirents(fd int, buf []byte, fn func(name []byte, typ byte)) error {
	for {
		n, err := rawGetdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		for off := 0; off < n; {
			reclen := int(uint16(buf[off+16]) | uint16(buf[off+17])<<8)
			name := buf[off+19 : off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			fn(name, buf[off+18])
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
