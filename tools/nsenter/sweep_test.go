//go:build linux

package nsenter

import (
	"strconv"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestSweepMessages is the differential table of util-linux 2.42's nsenter messages: every
// err()/errx()/warn() of sys-utils/nsenter.c that can be made to happen here, and getopt's
// option-parsing messages, each compared byte for byte (stdout, stderr, exit status) with
// util-linux 2.42.4. A row that differs names the entry of the man page's DIFFERENCES section
// that says why. Unreachable here: the failures of fork, fstat, statfs, clearenv/setenv and of
// reading a cgroup file or environ that opened, "--join-cgroup is only supported in cgroup v2"
// (a cgroup v1 host), and the SELinux messages of -Z.
func TestSweepMessages(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	owner := &[2]int{uid, gid}
	pid := strconv.Itoa(nstest.UnshareTarget(t, nil, "--net", "--uts"))
	rootless := strconv.Itoa(nstest.UnshareTarget(t, owner, "-U", "-r", "-n", "-u"))
	netFile := "--net=/proc/" + pid + "/ns/net"
	missing := missingPID
	type c = nstest.SweepCase
	cases := []c{
		{Message: "cannot open %s", Args: []string{"-t", missing, "-n", "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-m", "-u", "-i", "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-U", "true"}},
		{Message: "cannot open %s", Args: []string{"--net=/nonexistent", "true"}},
		{Message: "cannot open %s", Args: []string{"-r/nonexistent", "true"}},
		{Message: "cannot open %s", Args: []string{"-w/nonexistent", "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-r", "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-w", "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-e", netFile, "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-c", netFile, "true"}},
		{Message: "cannot open %s", Args: []string{"-t", missing, "-S", "follow", netFile, "true"}},
		{Message: "cannot open %s", Args: []string{"-t", pid, "-e", "-n", "true"}, As: owner},
		{Message: "cannot open %s", Args: []string{"-t", pid, "-n", "-r", "true"}, As: owner},
		{Message: "neither filename nor target pid supplied for %s", Args: []string{netFile, "-r", "true"}},
		{Message: "neither filename nor target pid supplied for %s", Args: []string{netFile, "-w", "true"}},
		{Message: "neither filename nor target pid supplied for %s", Args: []string{netFile, "-e", "true"}},
		{Message: "neither filename nor target pid supplied for %s", Args: []string{netFile, "-c", "true"}},
		{Message: "neither filename nor target pid supplied for %s", Args: []string{netFile, "-S", "follow", "true"}},
		{Message: "failed to parse nsid: %s", Args: []string{"--net=:abc", "true"}},
		{Message: "failed to parse nsid: %s", Args: []string{"--uts=:", "true"}},
		{Message: "cannot open namespace of id %ju", Args: []string{"--net=:1", "true"}},
		{Message: "reassociate to namespace '%s' failed", Args: []string{netFile, "true"}, As: owner},
		{Message: "reassociate to namespace '%s' failed", Args: []string{"--uts=/proc/" + pid + "/ns/net", "true"},
			Differs: "refusing a namespace file of the wrong kind with its kind named"},
		{Message: "reassociate to namespace '%s' failed", Args: []string{"-m/etc/passwd", "true"},
			Differs: "refusing a namespace file of the wrong kind with its kind named"},
		{Message: "reassociate to namespaces failed", Args: []string{"-t", pid, "-n", "true"}, As: owner},
		{Message: "reassociate to namespaces failed", Args: []string{"-t", pid, "-U", "true"}},
		{Message: "failed to open parent namespace", Args: []string{"-t", "1", "--user-parent", "true"}},
		{Message: "failed to pidfd_open() for %d", Args: []string{"-t", missing, "-N", "3", "true"}},
		{Message: "pidfd_getfd(%d, %u)", Args: []string{"-t", pid, "-N", "99", "true"}, Differs: "descriptor numbers"},
		{Message: "ioctl(%d, SIOCGSKNS)", Args: []string{"-t", pid, "-N", "1", "true"}, Differs: "descriptor numbers"},
		{Message: "failed to open cgroup.procs", Args: []string{"-t", pid, "-c", "-n", "true"}, As: owner},
		{Message: "stat of %s failed", Args: []string{"-t", missing, "-a", "true"}},
		{Message: "stat of %s failed", Args: []string{"-a", "true"}},
		{Message: "invalid PID argument", Args: []string{"-t", "abc", "-n", "true"}},
		{Message: "invalid PID argument", Args: []string{"-t", "0", "-n", "true"}},
		{Message: "invalid PID argument", Args: []string{"-t", "", "-n", "true"}},
		{Message: "invalid PID argument", Args: []string{"--target=-1", "-n", "true"}},
		{Message: "invalid PID argument", Args: []string{"-t", pid + ":abc", "-n", "true"}},
		{Message: "failed to parse file descriptor", Args: []string{"-t", pid, "-N", "abc", "true"}},
		{Message: "failed to parse file descriptor", Args: []string{"-t", pid, "-N", "", "true"}},
		{Message: "failed to parse file descriptor", Args: []string{"-t", pid, "-N", "99999999999", "true"}},
		{Message: "failed to parse uid", Args: []string{"-t", pid, "-n", "-S", "abc", "true"}},
		{Message: "failed to parse uid", Args: []string{"-t", pid, "-n", "-S", "-1", "true"}},
		{Message: "failed to parse gid", Args: []string{"-t", pid, "-n", "-G", "1x", "true"}},
		{Message: "failed to parse gid", Args: []string{"-t", pid, "-n", "--setgid=", "true"}},
		{Message: "no target PID specified", Args: []string{"-n", "true"}},
		{Message: "no target PID specified", Args: []string{"-N", "3", "true"}},
		{Message: "no target PID specified", Args: []string{"--user-parent", "-r", "true"}},
		{Message: "no namespace specified", Args: []string{"-t", pid, "true"}},
		{Message: "no namespace specified", Args: []string{"-t", pid, "-W", "true"}},
		{Message: "cannot open current working directory", Args: []string{"-t", pid, "-n", "-W/nonexistent", "pwd"}},
		{Message: "cannot open current working directory", Args: []string{"-t", pid, "-n", "--wdns=", "pwd"}},
		{Message: "change directory by root file descriptor failed", Args: []string{"-t", pid, "-n", "-r/etc/passwd", "true"}},
		{Message: "chroot failed", Args: []string{"-t", rootless, "-U", "--preserve-credentials", "-r/", "true"}, As: owner},
		{Message: "change directory by working directory file descriptor failed", Args: []string{"-t", pid, "-n", "-w/etc/passwd", "true"}},
		{Message: "change directory by working directory file descriptor failed", Args: []string{"-t", pid, "-n", "-W/etc/passwd", "true"}},
		{Message: "setgroups failed", Args: []string{"-t", rootless, "-U", "-G", "0", "true"}, As: owner,
			Differs: "A caller with no supplementary groups has none to clear"},
		{Message: "setgid() failed", Args: []string{"-t", rootless, "-U", "-G", "5", "true"}},
		{Message: "setuid() failed", Args: []string{"-t", rootless, "-U", "-S", "5", "true"}},
		{Message: "setuid() failed", Args: []string{"-t", pid, "-n", "-S", "4294967295", "true"}},
		{Message: "failed to execute %s", Args: []string{"-t", pid, "-n", "/nonexistent/program"}},
		{Message: "failed to execute %s", Args: []string{"-t", pid, "-n", "/etc/passwd"}},
		{Message: "failed to execute %s", Args: []string{"-t", pid, "-n", "/etc"}},
		{Message: "failed to execute %s", Args: []string{"-t", pid, "-n", ""}},
		{Message: "failed to execute %s", Args: []string{"-t", rootless, "-U", "no-such-program"}},
		// getopt's messages, and util-linux's exclusive options.
		{Message: "unrecognized option '%s'", Args: []string{"--bogus"}},
		{Message: "unrecognized option '%s'", Args: []string{"--bogus=1", "true"}},
		{Message: "invalid option -- '%c'", Args: []string{"-x"}},
		{Message: "invalid option -- '%c'", Args: []string{"-t", pid, "-n", "-Fx"}},
		{Message: "cannot open %s", Args: []string{"-t", pid, "-nx"}, Differs: "(no slash) enters"},
		{Message: "option requires an argument -- '%c'", Args: []string{"-t"}},
		{Message: "option requires an argument -- '%c'", Args: []string{"-n", "-S"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--target"}},
		{Message: "option '%s%s' requires an argument", Args: []string{"--set"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--us", "true"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--u=x", "true"}},
		{Message: "option '%s%s' is ambiguous; possibilities:", Args: []string{"--n"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--all=x"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--pre=1", "true"}},
		{Message: "option '%s%s' doesn't allow an argument", Args: []string{"--help=x"}},
		{Message: "options %s and %s cannot be combined", Args: []string{"-t", pid, "-n", "-w", "-W", "true"}},
		{Message: "options %s and %s cannot be combined", Args: []string{"-t", pid, "-n", "--wdns=/", "--wd", "true"}},
		// Abbreviations and optional values that must not be messages at all.
		{Message: "(none: --c is --cgroup)", Args: []string{"-t", pid, "--c", "true"}},
		{Message: "(none: -W without a value)", Args: []string{"-t", pid, "-n", "-W", "pwd"}},
		{Message: "(none: -W without a value)", Args: []string{"-t", pid, "-m", "-W", "pwd"}},
		{Message: "(none: -W=DIR drops the '=')", Args: []string{"-t", pid, "-n", "-W=/tmp", "pwd"}},
		{Message: "(none: -w=DIR drops the '=')", Args: []string{"-t", pid, "-n", "-w=/tmp", "pwd"}},
		{Message: "cannot open %s", Args: []string{"-t", pid, "-n", "-r=/tmp", "pwd"}}, // -r keeps it
	}
	nstest.Sweep(t, nstest.SweepOptions{Ours: ourNsenter(t), Ref: newestNsenter(t), ManPage: "man/nsenter.1"}, cases)
}
