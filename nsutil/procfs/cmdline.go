//go:build linux

package procfs

import (
	"strings"
	"sync"
)

// cmdlineMax is how much of /proc/PID/cmdline util-linux reads (BUFSIZ - 1).
const cmdlineMax = 8191

// ReadCmdline returns /proc/PID/cmdline as util-linux shows it: the first 8191 bytes, NULs turned
// into spaces and the last byte dropped (it is the final NUL of an ordinary command line).
// Kernel threads and zombies have none: "" with a nil error.
func ReadCmdline(pid int) (string, error) {
	buf := cmdlineBuffers.Get().(*[cmdlineMax]byte)
	defer cmdlineBuffers.Put(buf)
	n, err := readSmall(path(pid, "cmdline"), buf[:])
	if err != nil {
		return "", err
	}
	return formatCmdline(buf[:n]), nil
}

var cmdlineBuffers = sync.Pool{New: func() any { return new([cmdlineMax]byte) }}

// formatCmdline is the util-linux rendering of raw cmdline bytes (see ReadCmdline).
func formatCmdline(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	out := []byte(string(raw[:len(raw)-1]))
	for i, c := range out {
		if c == 0 {
			out[i] = ' '
		}
	}
	return string(out)
}

// ReadComm returns /proc/PID/comm without its newline.
func ReadComm(pid int) (string, error) {
	var buf [64]byte
	n, err := readSmall(path(pid, "comm"), buf[:])
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(buf[:n]), "\n"), nil
}
