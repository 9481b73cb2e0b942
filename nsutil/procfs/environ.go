//go:build linux

package procfs

import (
	"bytes"
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Environ is the environment of process pid, from /proc/PID/environ, one "NAME=value" per
// entry. An empty environment is an empty, non-nil slice.
func Environ(pid int) ([]string, error) {
	name := path(pid, "environ")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, readError(name, err)
	}
	env := []string{}
	for _, e := range bytes.Split(data, []byte{0}) {
		if len(e) > 0 {
			env = append(env, string(e))
		}
	}
	return env, nil
}

// Owner is the owner of /proc/PID: the process's effective uid and gid (util-linux's
// --setuid follow / --setgid follow).
func Owner(pid int) (uid, gid int, err error) {
	name := "/proc/" + strconv.Itoa(pid)
	var st unix.Stat_t
	if err := unix.Stat(name, &st); err != nil {
		return 0, 0, readError(name, err)
	}
	return int(st.Uid), int(st.Gid), nil
}

// readError makes a failed read of a process's file a *os.PathError "cannot read" naming the
// file; a vanished process is ESRCH, as nsutil.OpenTarget says it.
func readError(name string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, unix.ENOENT) {
		err = unix.ESRCH
	}
	return &os.PathError{Op: "cannot read", Path: name, Err: err}
}
