//go:build linux

package nsutil

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Small /proc readers for entering a process's context (nsenter's --env, --join-cgroup and
// --setuid/--setgid follow). Errors name the file read and the reason.

// ProcEnviron is the environment of process pid, from /proc/PID/environ, one "NAME=value" per
// entry. An empty environment is an empty, non-nil slice.
func ProcEnviron(pid int) ([]string, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/environ"
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, procError(path, err)
	}
	env := []string{}
	for _, e := range bytes.Split(data, []byte{0}) {
		if len(e) > 0 {
			env = append(env, string(e))
		}
	}
	return env, nil
}

// ProcCgroup2Path is the cgroup v2 path of process pid ("/system.slice/x.scope"), from the
// "0::PATH" line of /proc/PID/cgroup, as seen from the caller's cgroup namespace.
func ProcCgroup2Path(pid int) (string, error) {
	path := "/proc/" + strconv.Itoa(pid) + "/cgroup"
	data, err := os.ReadFile(path)
	if err != nil {
		return "", procError(path, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("%s: no cgroup v2 entry", path)
}

// ProcOwner is the owner of /proc/PID: the process's effective uid and gid (util-linux's
// --setuid follow / --setgid follow).
func ProcOwner(pid int) (uid, gid int, err error) {
	path := "/proc/" + strconv.Itoa(pid)
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, procError(path, err)
	}
	return int(st.Uid), int(st.Gid), nil
}

// procError makes a failed /proc read a *os.PathError naming the file; a vanished process is
// ESRCH, as for OpenTarget.
func procError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, unix.ENOENT) {
		err = unix.ESRCH
	}
	return &os.PathError{Op: "cannot read", Path: path, Err: err}
}
