//go:build linux

package nsutil

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// Kind describes one namespace kind. Kinds is the only table of them: everything that loops over
// namespace kinds reads it.
type Kind struct {
	Name         string  // lsns's TYPE and the /proc/PID/ns link name: "mnt", "net", ...
	Long         string  // util-linux's long option: "mount", "net", ...
	Letter       byte    // util-linux's short option: 'm', 'n', ...
	Flag         uintptr // CLONE_NEW* flag
	ChildrenFile string  // "pid_for_children" / "time_for_children" when unshare takes effect in children only
}

// Kinds lists the eight namespace kinds in util-linux nsenter's entry order (user, cgroup, ipc,
// uts, net, pid, mnt, time), which is also the order the executor enters them in.
var Kinds = []Kind{
	{Name: "user", Long: "user", Letter: 'U', Flag: unix.CLONE_NEWUSER},
	{Name: "cgroup", Long: "cgroup", Letter: 'C', Flag: unix.CLONE_NEWCGROUP},
	{Name: "ipc", Long: "ipc", Letter: 'i', Flag: unix.CLONE_NEWIPC},
	{Name: "uts", Long: "uts", Letter: 'u', Flag: unix.CLONE_NEWUTS},
	{Name: "net", Long: "net", Letter: 'n', Flag: unix.CLONE_NEWNET},
	{Name: "pid", Long: "pid", Letter: 'p', Flag: unix.CLONE_NEWPID, ChildrenFile: "pid_for_children"},
	{Name: "mnt", Long: "mount", Letter: 'm', Flag: unix.CLONE_NEWNS},
	{Name: "time", Long: "time", Letter: 'T', Flag: unix.CLONE_NEWTIME, ChildrenFile: "time_for_children"},
}

// KindByName finds a kind by its /proc/PID/ns name ("mnt") or its long option ("mount").
func KindByName(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name || k.Long == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindIndex is the index in Kinds of the kind whose /proc/PID/ns name is name ("mnt", not
// "mount"): lsns's -t and TYPE spelling.
func KindIndex(name string) (int, bool) {
	for i, k := range Kinds {
		if k.Name == name {
			return i, true
		}
	}
	return -1, false
}

// kindByFlag finds the kind of a single CLONE_NEW* flag (as NS_GET_NSTYPE returns it).
func kindByFlag(flag uintptr) (Kind, bool) {
	for _, k := range Kinds {
		if k.Flag == flag {
			return k, true
		}
	}
	return Kind{}, false
}

// ProcPath is /proc/PID/ns/NAME, or "self" for pid 0.
func (k Kind) ProcPath(pid int) string {
	if pid == 0 {
		return "/proc/self/ns/" + k.Name
	}
	return fmt.Sprintf("/proc/%d/ns/%s", pid, k.Name)
}

// FlagNames spells a set of CLONE_NEW* flags as "CLONE_NEWNET|CLONE_NEWUTS", in Kinds order.
func FlagNames(flags uintptr) string {
	var names []string
	for _, k := range Kinds {
		if flags&k.Flag != 0 {
			names = append(names, cloneFlagName(k))
			flags &^= k.Flag
		}
	}
	if flags != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("%#x", flags))
	}
	return strings.Join(names, "|")
}

func cloneFlagName(k Kind) string {
	if k.Name == "mnt" {
		return "CLONE_NEWNS"
	}
	return "CLONE_NEW" + strings.ToUpper(k.Name)
}
