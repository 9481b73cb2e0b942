//go:build linux

package lsns

import (
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestSweepMessages is the differential table of util-linux 2.42's lsns messages that do not
// depend on what the scan finds: every err()/errx()/warn() of sys-utils/lsns.c about the
// command line that can be made to happen here, and getopt's option-parsing messages, each
// compared byte for byte (stdout, stderr, exit status) with util-linux 2.42.4. A row that
// differs names the entry of the man page's DIFFERENCES section that says why. Unreachable
// here: the failures to allocate, to read /proc/self/mountinfo, and "--tree={parent|owner} is
// unsupported for your system" (a build without the namespace ioctls); "Unsupported ioctl" is
// TestUnsupportedIoctlWarning's.
func TestSweepMessages(t *testing.T) {
	many := func(n int) string { return strings.TrimSuffix(strings.Repeat("NS,", n), ",") }
	type c = nstest.SweepCase
	cases := []c{
		{Message: "unknown column: %s", Args: []string{"-o", "BOGUS"}},
		{Message: "unknown column: %s", Args: []string{"-o", "NS,BOGUS,TYPE"}},
		{Message: "unknown column: %s", Args: []string{"--output=+bogus"}},
		{Message: "(silent failure of -o)", Args: []string{"-o", ""}},
		{Message: "(silent failure of -o)", Args: []string{"-o", "NS,"}},
		{Message: "(silent failure of -o)", Args: []string{"-o", many(27)}},
		{Message: "too many columns specified, the limit is %zu columns", Args: []string{"-Q", "NPROCS > 1", "-o", many(26)}},
		{Message: "failed to initialize filter", Args: []string{"-Q", "BOGUS == 1 && FOO == 2"}},
		{Message: "failed to parse \"%s\": %s", Args: []string{"-Q", "NS =="}},
		{Message: "failed to parse \"%s\": %s", Args: []string{"-Q", "TYPE=~n*"}},
		{Message: "failed to parse \"%s\": %s", Args: []string{"--filter", "(NS == 1"}},
		{Message: "unknown namespace type: %s", Args: []string{"-t", "bogus"}},
		{Message: "unknown namespace type: %s", Args: []string{"--type="}},
		{Message: "unknown tree type: %s", Args: []string{"-Tbogus"}},
		{Message: "unknown tree type: %s", Args: []string{"--tree=", "-n"}},
		{Message: "--task is mutually exclusive with <namespace>", Args: []string{"-p", "1", "4026531837"}},
		{Message: "invalid namespace argument", Args: []string{"abc"}},
		{Message: "invalid namespace argument", Args: []string{"18446744073709551616"}},
		{Message: "not found namespace: %ju", Args: []string{"1"}},
		{Message: "not found namespace: %ju", Args: []string{"1", "extra", "words"}}, // ignored
		{Message: "invalid PID argument", Args: []string{"-p", "abc"}},
		{Message: "invalid PID argument", Args: []string{"--task=-3"}},
		{Message: "invalid PID argument", Args: []string{"-p", "99999999999"}},
		{Message: "options %s and %s cannot be combined", Args: []string{"-J", "-r"}},
		{Message: "options %s and %s cannot be combined", Args: []string{"--raw", "--json"}},
		{Message: "options %s and %s cannot be combined", Args: []string{"-p", "1", "-P"}},
		{Message: "failed to apply filter", Args: []string{"-Q", "PID == 1", "-n", "-o", "PID", "4026531837"},
			Differs: "filters the processes"},
		// getopt's messages.
		{Message: "unrecognized option '%s'", Args: []string{"--bogus"}},
		{Message: "unrecognized option '%s'", Args: []string{"--bogus=1"}},
		{Message: "invalid option -- '%c'", Args: []string{"-x"}},
		{Message: "option requires an argument -- '%c'", Args: []string{"-o"}},
		{Message: "option requires an argument -- '%c'", Args: []string{"-n", "-p"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--output"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--fil"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--t"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--no=x"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--json=x"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--output-all=1"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--help=x"}},
	}
	nstest.Sweep(t, nstest.SweepOptions{Ours: nstest.Applet(t, "lsns"), Ref: nstest.NewestUtilLinux(t, "lsns"),
		ManPage: "man/lsns.8"}, cases)
}
