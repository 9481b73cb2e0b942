//go:build linux

package nsenter

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// The reference implementation the differential tests compare with.
const refNsenter = "/usr/bin/nsenter"

// ourNsenter is the nsbox binary under test, as a symlink named nsenter.
func ourNsenter(t *testing.T) string {
	t.Helper()
	return nstest.Applet(t, "nsenter")
}

// withReferences returns our nsenter and util-linux's: the system's (2.38) and the newest
// release's (2.42, nstest.NewestUtilLinux), for differential tests where all three agree.
func withReferences(t *testing.T) []string {
	t.Helper()
	nstest.RequireTool(t, refNsenter)
	return []string{ourNsenter(t), refNsenter, newestNsenter(t)}
}

// newestNsenter is the newest util-linux release's nsenter, which nsbox follows where the
// releases differ.
func newestNsenter(t *testing.T) string {
	t.Helper()
	return nstest.NewestUtilLinux(t, "nsenter")
}

// runAs runs bin with args as the user (nil: root) from directory dir ("" for /).
func runAs(t *testing.T, as nstest.User, dir, bin string, args ...string) nstest.Result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if dir == "" {
		cmd.Dir = "/"
	}
	return nstest.RunAs(t, as, 60*time.Second, cmd)
}

// nsLink is the /proc/PID/ns/KIND link of a process ("net:[4026531840]").
var nsLink = nstest.NSLink

// showScript is a shell program that prints the ns links of every kind, then uid, gid and
// groups, one per line.
func showScript() string {
	var b strings.Builder
	for _, k := range nsutil.Kinds {
		fmt.Fprintf(&b, "readlink /proc/self/ns/%s; ", k.Name)
	}
	b.WriteString("id -u; id -g; id -G")
	return b.String()
}

// wantLinks is what showScript prints for the namespaces of pid, with the given credentials.
func wantLinks(t *testing.T, pid int, creds string) string {
	t.Helper()
	var lines []string
	for _, k := range nsutil.Kinds {
		lines = append(lines, nsLink(t, pid, k.Name))
	}
	return strings.Join(lines, "\n") + "\n" + creds
}

func kindNames() []string {
	var names []string
	for _, k := range nsutil.Kinds {
		names = append(names, k.Name)
	}
	return names
}
