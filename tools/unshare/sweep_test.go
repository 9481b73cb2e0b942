//go:build linux

package unshare

import (
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestSweepMessages is the differential table of util-linux 2.42's unshare messages: every
// err()/errx() of sys-utils/unshare.c that can be made to happen here, and getopt's
// option-parsing messages, each compared byte for byte (stdout, stderr, exit status; the PIDs
// of /proc paths aside) with util-linux 2.42.4. A row that differs names the entry of the man
// page's DIFFERENCES section that says why. Unreachable here: the failures of fork, waitpid,
// eventfd, sigaction, sigprocmask, pidfd_open, prctl and poll, of opening /etc/subuid or
// binfmt_misc's files, of opening /proc/self/setgroups, uid_map and gid_map, of running
// newuidmap, of the root propagation change, and "child exit failed".
func TestSweepMessages(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := &[2]int{uid, gid}
	nobody := &[2]int{65534, 65534} // in /etc/passwd, without subordinate IDs
	stranger := &[2]int{4242, 4242} // not in /etc/passwd
	type c = nstest.SweepCase
	cases := []c{
		{Message: "unsupported --setgroups argument '%s'", Args: []string{"--setgroups=maybe", "true"}},
		{Message: "unsupported propagation mode: %s", Args: []string{"--propagation", "sideways", "true"}},
		{Message: "write failed %s", Args: []string{"--setgroups=deny", "true"}},
		{Message: "failed to write %s", Args: []string{"--map-users=0:0:10", "--map-users=5:5:10", "true"}},
		{Message: "mount %s on %s failed", Args: []string{"--net=/nonexistent/file", "true"}},
		{Message: "mount %s on %s failed", Args: []string{"--uts=/", "true"}},
		{Message: "mount %s on %s failed", Args: []string{"--user=/nonexistent", "true"}},
		{Message: "mount %s on %s failed", Args: []string{"--time=/nonexistent", "true"}},
		{Message: "failed to write to /proc/self/timens_offsets", Args: []string{"-T", "--monotonic=9223372036854775807", "true"}},
		{Message: "failed to parse uid '%s'", Args: []string{"--map-user=no-such-user-nsbox", "true"}},
		{Message: "failed to parse gid '%s'", Args: []string{"--map-group=", "true"}},
		{Message: "invalid mapping '%s'", Args: []string{"--map-users=abc", "true"}},
		{Message: "invalid mapping '%s'", Args: []string{"--map-groups=1,2", "true"}},
		{Message: "invalid mapping '%s'", Args: []string{"--map-users=0:1:0", "true"}, Differs: "must have a count of at least 1"},
		{Message: "you (user %d) don't exist.", Args: []string{"--map-auto", "true"}, As: stranger},
		{Message: "no line matching user \"%s\" in %s", Args: []string{"--map-auto", "true"}, As: nobody},
		{Message: "no line matching user \"%s\" in %s", Args: []string{"--map-users=subids", "true"}, As: nobody},
		{Message: "write failed %s/register", Args: []string{"-Urpf", "--load-interp=bogus", "true"}},
		{Message: "mount %s failed", Args: []string{"-U", "--load-interp=bogus", "true"}},
		{Message: "failed to parse owner", Args: []string{"--owner", "1:x", "true"}},
		{Message: "unknown signal: %s", Args: []string{"--kill-child=NOSUCHSIG", "true"}},
		{Message: "failed to parse uid", Args: []string{"-S", "abc", "true"}},
		{Message: "failed to parse uid", Args: []string{"-S", "-1", "true"}},
		{Message: "failed to parse uid", Args: []string{"-S", "4294967296", "true"}, Differs: "refused as out of range"},
		{Message: "failed to parse gid", Args: []string{"-G", "", "true"}},
		{Message: "failed to parse monotonic offset", Args: []string{"-T", "--monotonic", "x", "true"}},
		{Message: "failed to parse boottime offset", Args: []string{"-T", "--boottime", "9223372036854775808", "true"}},
		{Message: "options --monotonic and --boottime require unsharing of a time namespace (-T)", Args: []string{"--monotonic", "5", "true"}},
		{Message: "setgroups failed", Args: []string{"--owner=0:0", "true"}, As: owner},
		{Message: "unshare failed", Args: []string{"-n", "true"}, As: owner},
		{Message: "options --setgroups=allow and --map-group are mutually exclusive", Args: []string{"-r", "--setgroups=allow", "true"}},
		{Message: "mount %s failed", Args: []string{"--mount-binfmt=/nonexistent", "true"}},
		{Message: "mount %s failed", Args: []string{"-m", "--mount-proc=/nonexistent", "true"}},
		{Message: "mount %s failed", Args: []string{"--mount-proc=", "true"}},
		{Message: "mount %s failed", Args: []string{"-U", "--mount-binfmt=", "true"}},
		{Message: "mount %s failed", Args: []string{"-r", "-l", ":x:M::abc::/bin/true:", "--mount-binfmt=/nonexistent", "true"}}, // /proc first
		{Message: "mount %s failed", Args: []string{"-r", "--mount-binfmt=/nonexistent", "-l", ":x:M::abc::/bin/true:", "true"}},
		{Message: "cannot change %s filesystem propagation", Args: []string{"-m", "--propagation=shared", "--mount-proc=/nonexistent", "true"}},
		{Message: "cannot change root directory to '%s'", Args: []string{"-R", "/nonexistent", "true"}},
		{Message: "cannot change directory to %s", Args: []string{"-w", "/nonexistent", "true"}},
		{Message: "setgroups failed", Args: []string{"-U", "-G", "5", "true"}, As: owner},
		{Message: "setuid() failed", Args: []string{"-U", "-S", "5", "true"}, As: owner},
		{Message: "setgroups failed", Args: []string{"-r", "-G", "5", "true"}, As: owner},
		{Message: "setgid() failed", Args: []string{"--map-users=0:0:1", "--map-groups=0:0:1", "--setgroups=allow", "-G", "5", "true"}},
		{Message: "failed to execute %s", Args: []string{"/nonexistent"}},
		{Message: "failed to execute %s", Args: []string{"/etc/passwd"}},
		{Message: "failed to execute %s", Args: []string{"/etc"}},
		{Message: "failed to execute %s", Args: []string{""}},
		{Message: "failed to execute %s", Args: []string{"-n", ""}},
		{Message: "failed to execute %s", Args: []string{"-r", "-f", "no-such-program"}, As: owner},
		// getopt's messages.
		{Message: "unrecognized option '%s'", Args: []string{"--bogus"}},
		{Message: "unrecognized option '%s'", Args: []string{"--bogus=1", "true"}},
		{Message: "unrecognized option '%s'", Args: []string{"--clear-env", "true"}, Differs: "(util-linux 2.43)"},
		{Message: "invalid option -- '%c'", Args: []string{"-x"}},
		{Message: "option requires an argument -- '%c'", Args: []string{"-S"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--map-user"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--prop"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--map-u=0", "true"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--m", "true"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--k"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--fork=x", "true"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--help=x"}},
		// Abbreviations that fit one util-linux option and one of nsbox's own.
		{Message: "(none: --c is --cgroup)", Args: []string{"--c", "true"}},
		{Message: "(none: --w is --wd)", Args: []string{"--w", "/", "true"}},
	}
	nstest.Sweep(t, nstest.SweepOptions{Ours: nstest.Applet(t, "unshare"), Ref: nstest.NewestUtilLinux(t, "unshare"),
		ManPage: "man/unshare.1", Normalize: func(s string) string { return procPID.ReplaceAllString(s, "/proc/PID/") }}, cases)
}
