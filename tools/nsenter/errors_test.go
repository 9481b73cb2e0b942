//go:build linux

package nsenter

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// TestBadInput checks that each kind of bad input ends with exit 1 and one line that starts
// with "nsenter: " and says what failed and why (util-linux's words where it has them).
func TestBadInput(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--net", "--uts"))
	tests := []struct {
		as   nstest.User
		args []string
		want []string // substrings of the message
	}{
		{nil, []string{"-t", "999999", "-n", "true"}, []string{"cannot open /proc/999999/ns/net: No such file or directory"}},
		{nil, []string{"-t", "abc", "-n", "true"}, []string{"nsenter: invalid PID argument\n"}},
		{nil, []string{"-t", "0", "-n", "true"}, []string{"nsenter: invalid PID argument\n"}},
		{nil, []string{"--net=/proc/self/ns/uts", "true"}, []string{"/proc/self/ns/uts", "uts namespace, not net"}},
		{nil, []string{"-m/etc/passwd", "true"}, []string{"/etc/passwd", "not a namespace"}},
		{nil, []string{"--net=/nonexistent/netns", "true"}, []string{"/nonexistent/netns", "No such file or directory"}},
		{nil, []string{"--net=nsbox-no-such-netns", "true"}, []string{"/run/netns/nsbox-no-such-netns", "No such file or directory"}},
		{nil, []string{"-t", target, "-n", "-S", "notauid", "true"}, []string{"failed to parse uid: 'notauid'"}},
		{nil, []string{"-t", target, "-n", "-G", "1x", "true"}, []string{"failed to parse gid: '1x'"}},
		{nil, []string{"-t", target, "-n", "-G", "-1", "true"}, []string{"failed to parse gid: '-1': Numerical result out of range"}},
		{nil, []string{"-t", "-n", "true"}, []string{"nsenter: invalid PID argument\n"}}, // getopt: -t takes the next word
		{nil, []string{"-n", "true"}, []string{"no target PID specified"}},
		{nil, []string{"-t", target, "true"}, []string{"no namespace specified"}},
		{nil, []string{"-t", target, "-n", "-N", "abc", "true"}, []string{"failed to parse file descriptor: 'abc'"}},
		{nil, []string{"-t", target, "-N", "999", "true"}, []string{"pidfd_getfd(", ", 999): Bad file descriptor"}},
		{nil, []string{"-t", target, "-n", "-w", "-W/", "true"}, []string{"options --wd and --wdns cannot be combined"}},
		{nil, []string{"--container=nsbox-no-such-container", "-n", "true"}, []string{"nsbox-no-such-container", "no such container"}},
		{nil, []string{"--container=", "-n", "true"}, []string{"--container", "ID prefix or name is needed"}},
		{&[2]int{uid, gid}, []string{"-t", target, "-n", "true"}, []string{"reassociate to namespaces failed: Operation not permitted"}},
		{&[2]int{uid, gid}, []string{"-t", target, "-n", "-r", "true"}, []string{"/proc/" + target + "/root", "Permission denied"}},
	}
	bin := ourNsenter(t)
	missing := nstest.MissingPath(t)
	for _, tc := range tests {
		tc.args, tc.want = nstest.ReplaceMissing(missing, tc.args...), nstest.ReplaceMissing(missing, tc.want...)
		res := runAs(t, tc.as, "", bin, tc.args...)
		lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
		ok := res.Code == 1 && len(lines) == 1 && strings.HasPrefix(lines[0], "nsenter: ") && res.Stdout == ""
		for _, w := range tc.want {
			ok = ok && strings.Contains(res.Stderr, w)
		}
		if !ok {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 1 and one line 'nsenter: ...' with %q", tc.args, res.Code, res.Stderr, res.Stdout, tc.want)
		}
	}
}

// TestUsageErrors checks getopt-style usage errors: the message, the Try line, exit 1.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"-t"}, {"-x"}} {
		res := nstest.RunMain(Main, args...)
		lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
		if res.Code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "nsenter: ") || lines[1] != "Try 'nsenter --help' for more information." {
			t.Errorf("%q: exit %d, stderr %q; want exit 1, a message and the Try line", args, res.Code, res.Stderr)
		}
	}
}
