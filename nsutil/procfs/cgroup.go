//go:build linux

package procfs

import (
	"fmt"
	"os"
	"strings"
)

// Cgroup is one line of /proc/PID/cgroup: "HIERARCHY:CONTROLLERS:PATH". The cgroup v2 line is
// "0::PATH"; the path is as seen from the reader's cgroup namespace.
type Cgroup struct {
	Hierarchy   string
	Controllers string
	Path        string
}

// V2 reports whether this is the cgroup v2 (unified) line.
func (c Cgroup) V2() bool { return c.Hierarchy == "0" && c.Controllers == "" }

// ReadCgroup reads /proc/PID/cgroup. Lines that are not HIERARCHY:CONTROLLERS:PATH are skipped.
func ReadCgroup(pid int) ([]Cgroup, error) {
	name := path(pid, "cgroup")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, readError(name, err)
	}
	return parseCgroup(string(data)), nil
}

func parseCgroup(data string) []Cgroup {
	var out []Cgroup
	for _, line := range strings.Split(data, "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) == 3 {
			out = append(out, Cgroup{Hierarchy: f[0], Controllers: f[1], Path: f[2]})
		}
	}
	return out
}

// Cgroup2Path is the cgroup v2 path of process pid ("/system.slice/x.scope"), from the "0::PATH"
// line of /proc/PID/cgroup.
func Cgroup2Path(pid int) (string, error) {
	lines, err := ReadCgroup(pid)
	if err != nil {
		return "", err
	}
	for _, c := range lines {
		if c.V2() {
			return c.Path, nil
		}
	}
	return "", fmt.Errorf("%s: no cgroup v2 entry", path(pid, "cgroup"))
}
