//go:build linux

package unshare

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

const (
	refUnshare = "/usr/bin/unshare"
	timeout    = 30 * time.Second
)

// runner runs unshare commands as root or as the unprivileged test user.
type runner struct {
	t    *testing.T
	user nstest.User // nil: as root
}

func asRoot(t *testing.T) runner {
	t.Helper()
	nstest.RequireRoot(t)
	return runner{t: t}
}

func asUser(t *testing.T) runner {
	t.Helper()
	uid, gid := nstest.Unprivileged(t)
	return runner{t: t, user: nstest.User(&[2]int{uid, gid})}
}

// run runs bin (ours or util-linux's) with args and env additions.
func (r runner) run(bin string, args []string, env ...string) nstest.Result {
	r.t.Helper()
	cmd := nstest.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	if r.user != nil {
		// root's PATH may hold directories the test user cannot search (EACCES, exit 126).
		cmd.Env = append(cmd.Env, "HOME=/", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	return nstest.RunAs(r.t, r.user, timeout, cmd)
}

func (r runner) ours(args ...string) nstest.Result {
	r.t.Helper()
	return r.run(nstest.Applet(r.t, "unshare"), args)
}

// ref runs the util-linux unshare bin (one of references) with args.
func (r runner) ref(bin string, args ...string) nstest.Result {
	r.t.Helper()
	return r.run(bin, args)
}

// references are the util-linux unshares ours is compared with: the newest (2.42, the release
// nsbox follows, installed by scripts/reference-util-linux) and, when old is set because 2.38
// has the feature and agrees, the system's /usr/bin/unshare.
func references(t *testing.T, old bool) []string {
	t.Helper()
	refs := []string{nstest.NewestUtilLinux(t, "unshare")}
	if old {
		nstest.RequireTool(t, refUnshare)
		refs = append(refs, refUnshare)
	}
	return refs
}

// procPID hides the PIDs in /proc paths of error messages, which differ from run to run.
var procPID = regexp.MustCompile(`/proc/[0-9]+/`)

// sameStderr compares error output with util-linux's, PIDs aside.
func sameStderr(ours, ref string) bool {
	return procPID.ReplaceAllString(ours, "/proc/PID/") == procPID.ReplaceAllString(ref, "/proc/PID/")
}

// split splits a test's option string into words.
func split(opts string) []string { return strings.Fields(opts) }

func withScript(opts, script string) []string {
	return append(split(opts), "/bin/sh", "-c", script)
}

const mapsScript = "cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups"

// normalize squeezes blanks so map files compare as words.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestIDMapsMatchUtilLinux compares uid_map, gid_map and setgroups, exit status and error
// output with util-linux 2.42's (and 2.38's where it has the option and agrees), rootless and as
// root.
func TestIDMapsMatchUtilLinux(t *testing.T) {
	const both, rootless, root = 0, 1, 2
	tests := []struct {
		opts string
		who  int
		old  bool // util-linux 2.38 has the options and agrees
	}{
		{opts: "-r", old: true},
		{opts: "-c", old: true},
		{opts: "--map-user=5 --map-group=7", old: true},
		{opts: "--map-user=nsboxtest --map-group=nsboxtest", old: true},
		{opts: "--map-user=5 -r", old: true}, // the last one wins
		{opts: "-r --map-user=5", old: true},
		{opts: "-c -r", who: rootless, old: true},
		{opts: "--map-users=auto --map-groups=auto", who: rootless, old: true},
		{opts: "--map-auto", who: rootless, old: true},
		{opts: "--map-users=100000,0,65536 --map-groups=100000,0,65536", who: rootless, old: true},
		{opts: "--map-users=100000,0,1000 --map-groups=100000,0,1000 -c", who: rootless, old: true},
		{opts: "-U --setgroups=deny", old: true},
		{opts: "-U --setgroups=allow", old: true},
		{opts: "-r --setgroups=deny", old: true},
		{opts: "-r --setgroups=allow", old: true},
		{opts: "-U", old: true},
		// util-linux 2.38 lacks these forms, or (-r --map-auto) wastes an ID.
		{opts: "-r --map-auto", who: rootless},
		{opts: "--map-auto -r", who: rootless},
		{opts: "--map-auto --map-user=0", who: rootless},
		{opts: "--map-auto --map-group=5", who: rootless},
		{opts: "--map-auto --setgroups=deny", who: rootless},
		{opts: "--map-subids", who: rootless},
		{opts: "-c --map-subids", who: rootless},
		{opts: "--map-users=subids --map-groups=subids", who: rootless},
		{opts: "--map-users=0:100000:65536 --map-groups=0:100000:65536", who: root},
		{opts: "--map-users=0:100000:65536"},
		{opts: "--map-groups=0:100000:65536 --setgroups=deny"},
		{opts: "--map-users=all --map-groups=all"}, // rootless: newuidmap refuses it
		{opts: "--map-users=0:100000:10 --map-users=10:200000:5 --map-users=20:300000:5", who: root},
		{opts: "--map-users=0:100000:10 --map-users=10:200000:5 -r", who: root},
		{opts: "--map-users=0:100000:10 --map-groups=0:100000:10 --map-users=10:200000:5 --map-user=50 --map-group=60", who: root},
		{opts: "--map-users=5:100000:10 --map-users=100:5:10 --map-user=7", who: root},
		{opts: "--map-users=all --map-groups=0:0:10 --map-groups=all", who: root}, // overlapping: the kernel refuses
		{opts: "--owner=1001:1001", who: root},
		{opts: "--owner=1001:1001 -r", who: root},
		{opts: "--map-user=3 --owner=1001:1001", who: root},
		{opts: "--map-group=3 --owner 1001:1001", who: root},
		{opts: "--owner 1001:1001 --map-users=0:100000:10", who: root},
		{opts: "--owner=1001:1001", who: rootless}, // util-linux 2.42 with -r here leaves its helper hanging
		{opts: "--map-users=0:1:1"},
		{opts: "--map-groups=0:1:1 --map-users=0:100000:1"},
	}
	for _, who := range []string{"rootless", "root"} {
		t.Run(who, func(t *testing.T) {
			r := asRoot(t)
			if who == "rootless" {
				r = asUser(t)
			}
			for _, tc := range tests {
				if (who == "root" && tc.who == rootless) || (who == "rootless" && tc.who == root) {
					continue
				}
				args := withScript(tc.opts, mapsScript)
				ours := r.ours(args...)
				for _, bin := range references(t, tc.old) {
					ref := r.ref(bin, args...)
					if ours.Code != ref.Code || normalize(ours.Stdout) != normalize(ref.Stdout) || (bin != refUnshare && !sameStderr(ours.Stderr, ref.Stderr)) {
						t.Errorf("%s: got %d %q (stderr %q), want %s's %d %q (stderr %q)",
							tc.opts, ours.Code, normalize(ours.Stdout), ours.Stderr, bin, ref.Code, normalize(ref.Stdout), ref.Stderr)
					}
				}
			}
		})
	}
}

// TestIDMapsNewerThanUtilLinux238 checks the mapping forms util-linux 2.38 lacks (the colon
// form, subids, all, several ranges, direct writes as root, the 2.40 auto fix) against what
// util-linux 2.41/2.42 document.
func TestIDMapsNewerThanUtilLinux238(t *testing.T) {
	rootless := asUser(t)
	uid, gid := rootless.user[0], rootless.user[1]
	sub := subIDStart(t, "/etc/subuid")
	subg := subIDStart(t, "/etc/subgid")
	tests := []struct {
		r    runner
		opts string
		want string
	}{
		{rootless, "--map-users=0:" + sub + ":65536 --map-groups=0:" + subg + ":65536", fmt.Sprintf("0 %s 65536 0 %s 65536 allow", sub, subg)},
		{rootless, "--map-subids", fmt.Sprintf("%s %s 65536 %s %s 65536 allow", sub, sub, subg, subg)},
		{rootless, "-c --map-subids", fmt.Sprintf("%d %d 1 %s %s 65536 %d %d 1 %s %s 65536 allow", uid, uid, sub, sub, gid, gid, subg, subg)},
		// 2.40 fixed it, 2.41 and early 2.42 regressed (#4457, an ID wasted), 2.42.4 (Debian forky) and
		// 2.43 have the fix: no ID is wasted. TestIDMapsMatchUtilLinux compares with 2.42.4.
		{rootless, "-r --map-auto", fmt.Sprintf("0 %d 1 1 %s 65536 0 %d 1 1 %s 65536 allow", uid, sub, gid, subg)},
		{asRoot(t), "--map-users=0:100000:65536 --map-groups=0:100000:65536", "0 100000 65536 0 100000 65536 allow"},
		{asRoot(t), "--map-users=0:100000:10 --map-users=10:200000:5 --map-groups=all", "0 100000 10 10 200000 5 0 0 4294967295 allow"},
		{asRoot(t), "--map-users=all --map-groups=all", "0 0 4294967295 0 0 4294967295 allow"},
		{asRoot(t), "-r --map-users=1:100000:10", "0 0 1 1 100000 10 0 0 1 deny"},
	}
	for _, tc := range tests {
		res := tc.r.ours(withScript(tc.opts, mapsScript)...)
		if res.Code != 0 || normalize(res.Stdout) != tc.want {
			t.Errorf("%s: got %d %q (stderr %q), want %q", tc.opts, res.Code, normalize(res.Stdout), res.Stderr, tc.want)
		}
	}
}

// subIDStart is the first subordinate ID of the test user in file.
func subIDStart(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := nsutil.FindSubIDRange(string(data), nstest.TestUser, ^uint32(1), true)
	if err != nil {
		t.Fatal(err)
	}
	if r.Count < 65536 {
		nstest.Skip(t, fmt.Sprintf("%s gives %s only %d IDs", file, nstest.TestUser, r.Count))
	}
	return strconv.FormatUint(uint64(r.Outer), 10)
}

// TestNamespacesAreNew checks, for every kind, that the program is in a new namespace of that
// kind, as util-linux's program is.
func TestNamespacesAreNew(t *testing.T) {
	for _, who := range []string{"root", "rootless"} {
		t.Run(who, func(t *testing.T) {
			r := asRoot(t)
			if who == "rootless" {
				r = asUser(t)
			}
			for _, k := range nsutil.Kinds {
				opts := "-f -" + string(k.Letter)
				if who == "rootless" && k.Name != "user" {
					opts += " -r"
				}
				args := withScript(opts, "readlink /proc/self/ns/"+k.Name)
				ours := r.ours(args...)
				host, err := os.Readlink(k.ProcPath(os.Getpid()))
				if err != nil {
					t.Fatal(err)
				}
				got := strings.TrimSpace(ours.Stdout)
				if ours.Code != 0 || got == host || !strings.HasPrefix(got, k.Name+":[") {
					t.Errorf("%s: got %d %q (stderr %q), want a new %s namespace (host %s)", opts, ours.Code, got, ours.Stderr, k.Name, host)
				}
				for _, bin := range references(t, true) {
					if ref := r.ref(bin, args...); ours.Code != ref.Code || strings.TrimSpace(ref.Stdout) == host {
						t.Errorf("%s: exit %d, %s's %d (%q, host %s)", opts, ours.Code, bin, ref.Code, ref.Stdout, host)
					}
				}
			}
		})
	}
}

// TestHostnameIsolation: -u gives the program its own host name, as util-linux's does, and the
// host's is left alone; rootless too.
func TestHostnameIsolation(t *testing.T) {
	host, _ := os.Hostname()
	for _, who := range []runner{asRoot(t), asUser(t)} {
		opts := "-u"
		if who.user != nil {
			opts = "-ur"
		}
		args := withScript(opts, "hostname nsbox-uts-test && hostname")
		bins := append([]string{nstest.Applet(t, "unshare")}, references(t, true)...)
		for _, bin := range bins {
			res := who.run(bin, args)
			if res.Code != 0 || strings.TrimSpace(res.Stdout) != "nsbox-uts-test" {
				t.Errorf("%s %s: got %d %q (stderr %q), want nsbox-uts-test", bin, opts, res.Code, res.Stdout, res.Stderr)
			}
			if now, _ := os.Hostname(); now != host {
				t.Fatalf("%s %s: host name changed to %q, want %q", bin, opts, now, host)
			}
		}
	}
}

// propagationOf is the optional fields of "/" in a mountinfo, with peer group numbers removed.
var peerNumbers = regexp.MustCompile(`:[0-9]+`)

func rootPropagation(mountinfo string) string {
	for _, line := range strings.Split(mountinfo, "\n") {
		f := strings.Fields(line)
		if len(f) > 6 && f[4] == "/" {
			var opt []string
			for _, o := range f[6:] {
				if o == "-" {
					break
				}
				opt = append(opt, peerNumbers.ReplaceAllString(o, ""))
			}
			return strings.Join(opt, ",")
		}
	}
	return "?"
}

// TestPropagationMatchesUtilLinux runs both inside a mount namespace whose "/" is shared, so
// every --propagation value shows in mountinfo.
func TestPropagationMatchesUtilLinux(t *testing.T) {
	r := asRoot(t)
	for _, prop := range []string{"", "private", "shared", "slave", "unchanged"} {
		opts := "-m"
		if prop != "" {
			opts += " --propagation " + prop
		}
		wrap := func(bin string) nstest.Result {
			args := append([]string{"-m", "--propagation", "shared", bin}, withScript(opts, "cat /proc/self/mountinfo")...)
			return r.run(refUnshare, args)
		}
		ours := wrap(nstest.Applet(t, "unshare"))
		for _, bin := range references(t, true) {
			ref := wrap(bin)
			got, want := rootPropagation(ours.Stdout), rootPropagation(ref.Stdout)
			if ours.Code != 0 || got != want {
				t.Errorf("%q: got %d %q (stderr %q), want %s's %q", opts, ours.Code, got, ours.Stderr, bin, want)
			}
		}
	}
}

// TestMountProc compares the proc mounted by --mount-proc (its mountinfo line and what it
// lists) with util-linux's, as root and rootless. The shell lists /proc itself, with no other
// process of the new PID namespace alive (a pipe to grep -c would count grep or not, as it
// happened to start); as root, each run is in a private mount namespace of its own, so that
// a proc mounted with --propagation=shared or unchanged cannot reach the host's /proc.
func TestMountProc(t *testing.T) {
	script := "grep ' /proc ' /proc/self/mountinfo | tail -1 | cut -d' ' -f5,6; cd /proc && echo [0-9]*"
	tests := []struct {
		opts     string
		rootless bool
	}{
		{opts: "-fp --mount-proc"},
		{opts: "-fp --mount-proc --propagation=unchanged"},
		{opts: "-fp --mount-proc --propagation=shared"},
		{opts: "-fpU -r --mount-proc"},
		{opts: "-fpr --mount-proc", rootless: true},
		{opts: "-fpr --mount-proc=/proc --propagation=slave", rootless: true},
	}
	root, user := asRoot(t), asUser(t)
	for _, tc := range tests {
		r := root
		if tc.rootless {
			r = user
		}
		run := func(bin string) nstest.Result {
			if tc.rootless {
				return r.run(bin, withScript(tc.opts, script))
			}
			return r.run(refUnshare, append([]string{"-m", "--propagation", "private", bin}, withScript(tc.opts, script)...))
		}
		ours := run(nstest.Applet(t, "unshare"))
		for _, bin := range references(t, true) {
			ref := run(bin)
			if ours.Code != 0 || ours.Stdout != ref.Stdout {
				t.Errorf("%s: got %d %q (stderr %q), want %s's %q", tc.opts, ours.Code, ours.Stdout, ours.Stderr, bin, ref.Stdout)
			}
		}
	}
}

// TestExitStatus compares exit statuses with util-linux's: the program's, the child's with -f,
// a child's fatal signal re-raised (128+N), 126 and 127.
func TestExitStatus(t *testing.T) {
	r := asRoot(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // the rootless run reads it too
		t.Fatal(err)
	}
	notExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want int
		old  bool // util-linux 2.38 agrees (it exits 1 when the child dies of SIGKILL)
	}{
		{args: withScript("-n", "exit 3"), want: 3, old: true},
		{args: withScript("-fn", "exit 4"), want: 4, old: true},
		{args: withScript("-fn", "kill -TERM $$"), want: 128 + 15, old: true},
		{args: withScript("-fn", "kill -INT $$"), want: 128 + 2, old: true},
		{args: withScript("-fn", "kill -KILL $$"), want: 128 + 9},
		{args: withScript("--kill-child -n", "kill -KILL $$"), want: 128 + 9},
		{args: withScript("--forward-signals -n", "kill -TERM $$"), want: 128 + 15},
		{args: withScript("-fp", "exit 5"), want: 5, old: true},
		{args: []string{"-n", "/nonexistent/program"}, want: 127, old: true},
		{args: []string{"-fn", "no-such-program-nsbox"}, want: 127, old: true},
		{args: []string{"-n", notExec}, want: 126, old: true},
		{args: []string{"-fn", dir}, want: 126, old: true},
		{args: []string{"-n", "true"}, want: 0, old: true},
		{args: []string{"-n", "--bogus-option"}, want: 1, old: true},
	}
	rootless := asUser(t)
	missing := nstest.MissingPath(t)
	for _, who := range []runner{r, rootless} {
		for _, tc := range tests {
			args := nstest.ReplaceMissing(missing, tc.args...)
			if who.user != nil {
				args = append([]string{"-r"}, args...) // the unprivileged need a user namespace
			}
			ours := who.ours(args...)
			if ours.Code != tc.want {
				t.Errorf("%q (rootless %v): got %d (stderr %q), want %d", args, who.user != nil, ours.Code, ours.Stderr, tc.want)
			}
			for _, bin := range references(t, tc.old) {
				if ref := who.ref(bin, args...); ref.Code != tc.want || (bin != refUnshare && !sameStderr(ours.Stderr, ref.Stderr)) {
					t.Errorf("%q (rootless %v): %s exits %d (stderr %q), want %d (ours: stderr %q)", args, who.user != nil, bin, ref.Code, ref.Stderr, tc.want, ours.Stderr)
				}
			}
		}
	}
}

// Without -f the program replaces unshare: it has unshare's PID.
func TestNoForkKeepsPID(t *testing.T) {
	nstest.RequireRoot(t)
	cmd := nstest.Command(nstest.Applet(t, "unshare"), "-n", "/bin/sh", "-c", "echo $$")
	res := nstest.Run(t, timeout, cmd)
	if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("got %d %q, want the PID unshare was started with, %d", res.Code, got, cmd.Process.Pid)
	}
}

// TestBadInput: every malformed value is one `unshare: ` line and exit 1, worded as util-linux
// 2.42 words it where util-linux has the option (and 2.38 too where it agrees).
func TestBadInput(t *testing.T) {
	r := asRoot(t)
	const ours, newest, both = 0, 1, 2 // who else says the same
	tests := []struct {
		args []string
		want string
		refs int
	}{
		{[]string{"--map-users=abc", "true"}, "unshare: invalid mapping 'abc'", newest},
		{[]string{"--map-users=0:100000", "true"}, "unshare: invalid mapping '0:100000'", newest},
		{[]string{"--map-groups=1,2", "true"}, "unshare: invalid mapping '1,2'", newest},
		{[]string{"--map-users=0:100000:10x", "true"}, "unshare: invalid mapping '0:100000:10x'", newest},
		{[]string{"--propagation", "sideways", "true"}, "unshare: unsupported propagation mode: sideways", both},
		{[]string{"--propagation=", "true"}, "unshare: unsupported propagation mode: ", both},
		{[]string{"--setgroups", "maybe", "true"}, "unshare: unsupported --setgroups argument 'maybe'", both},
		{[]string{"--setgroups=", "true"}, "unshare: unsupported --setgroups argument ''", both},
		{[]string{"-T", "--monotonic", "notanumber", "true"}, "unshare: failed to parse monotonic offset: 'notanumber'", both},
		{[]string{"-T", "--monotonic", "", "true"}, "unshare: failed to parse monotonic offset: ''", both},
		{[]string{"-T", "--boottime", "7 ", "true"}, "unshare: failed to parse boottime offset: '7 '", both},
		{[]string{"-T", "--boottime", "9223372036854775808", "true"}, "unshare: failed to parse boottime offset: '9223372036854775808': Numerical result out of range", newest},
		{[]string{"--monotonic", "5", "true"}, "unshare: options --monotonic and --boottime require unsharing of a time namespace (-T)", newest}, // 2.38 says -t
		{[]string{"--kill-child=NOSUCHSIG", "true"}, "unshare: unknown signal: NOSUCHSIG", both},
		{[]string{"--kill-child=0", "true"}, "unshare: unknown signal: 0", both},
		{[]string{"-S", "abc", "true"}, "unshare: failed to parse uid: 'abc'", both},
		{[]string{"-S", "", "true"}, "unshare: failed to parse uid: ''", newest},
		{[]string{"-S", "-1", "true"}, "unshare: failed to parse uid: '-1': Numerical result out of range", newest},
		{[]string{"--setgid=-1", "true"}, "unshare: failed to parse gid: '-1': Numerical result out of range", newest},
		{[]string{"-G", "", "true"}, "unshare: failed to parse gid: ''", both},
		{[]string{"--owner", "1:x", "true"}, "unshare: failed to parse owner", newest},
		{[]string{"--owner=", "true"}, "unshare: failed to parse owner", newest},
		{[]string{"--owner=1", "true"}, "unshare: failed to parse owner", newest},
		{[]string{"--map-user", "no-such-user-nsbox", "true"}, "unshare: failed to parse uid 'no-such-user-nsbox'", newest},
		{[]string{"--map-group=no-such-group-nsbox", "true"}, "unshare: failed to parse gid 'no-such-group-nsbox'", newest},
		{[]string{"--map-user=", "true"}, "unshare: failed to parse uid ''", newest},
		{[]string{"-r", "--setgroups=allow", "true"}, "unshare: options --setgroups=allow and --map-group are mutually exclusive", both},
		{[]string{"--init", "true"}, "unshare: --init needs a new PID namespace (--pid)", ours},
		{[]string{"-m", "--mount-proc=/nonexistent", "true"}, "unshare: mount /nonexistent failed: No such file or directory", both},
		{[]string{"--mount-binfmt=/nonexistent", "true"}, "unshare: mount /nonexistent failed: No such file or directory", newest},
		{[]string{"-R", "/nonexistent", "true"}, "unshare: cannot change root directory to '/nonexistent': No such file or directory", both},
		{[]string{"-R", "", "true"}, "unshare: cannot change root directory to '': No such file or directory", both},
		{[]string{"-w", "/nonexistent", "true"}, "unshare: cannot change directory to /nonexistent: No such file or directory", newest}, // 2.38: cannot chdir to
		{[]string{"-n", "-w", "", "true"}, "unshare: cannot change directory to : No such file or directory", newest},
		{[]string{"--net=/nonexistent/file", "true"}, "unshare: mount /proc/PID/ns/net on /nonexistent/file failed: No such file or directory", both},
		{[]string{"--uts=/", "true"}, "unshare: mount /proc/PID/ns/uts on / failed: Not a directory", both},
		{[]string{"--pid=/", "true"}, "unshare: mount /proc/PID/ns/pid_for_children on / failed: No such file or directory", both}, // no child, no pid_for_children
		// Of several bad values, the first given is reported, as getopt's single pass finds it.
		{[]string{"-S", "x", "--map-users=abc", "true"}, "unshare: failed to parse uid: 'x'", both},
		{[]string{"--map-users=abc", "-S", "x", "true"}, "unshare: invalid mapping 'abc'", newest},
		{[]string{"--propagation=y", "--setgroups=x", "true"}, "unshare: unsupported propagation mode: y", both},
		{[]string{"--setgroups=x", "--propagation=y", "true"}, "unshare: unsupported --setgroups argument 'x'", both},
		{[]string{"-G", "x", "--kill-child=FOO", "true"}, "unshare: failed to parse gid: 'x'", both},
		{[]string{"--kill-child=FOO", "-G", "x", "true"}, "unshare: unknown signal: FOO", both},
		{[]string{"--kill-child=FOO", "--kill-child=TERM", "-S", "x", "true"}, "unshare: unknown signal: FOO", both},
		{[]string{"--monotonic=y", "--owner=x", "-T", "true"}, "unshare: failed to parse monotonic offset: 'y'", newest},
		{[]string{"--map-group=no-such-group-nsbox", "--map-user=no-such-user-nsbox", "true"}, "unshare: failed to parse gid 'no-such-group-nsbox'", newest},
		{[]string{"-r", "--setgroups=allow", "--monotonic", "5", "true"}, "unshare: options --monotonic and --boottime require unsharing of a time namespace (-T)", newest},
		{[]string{"-S", "x", "-S", "5", "true"}, "unshare: failed to parse uid: 'x'", both}, // a later value does not excuse it
		{[]string{"--map-user=no-such-user-nsbox", "--map-user=5", "true"}, "unshare: failed to parse uid 'no-such-user-nsbox'", newest},
		{[]string{"--bogus", "true"}, "unshare: unrecognized option '--bogus'\nTry 'unshare --help' for more information.", newest},
		{[]string{"--map-user"}, "unshare: option '--map-user' requires an argument\nTry 'unshare --help' for more information.", newest},
	}
	missing := nstest.MissingPath(t) // not /nonexistent, which a machine may have
	for _, tc := range tests {
		tc.args, tc.want = nstest.ReplaceMissing(missing, tc.args...), nstest.ReplaceMissing(missing, tc.want)[0]
		res := r.ours(tc.args...)
		if res.Code != 1 || !sameStderr(strings.TrimRight(res.Stderr, "\n"), tc.want) || res.Stdout != "" {
			t.Errorf("%q: got %d %q, want 1 %q", tc.args, res.Code, res.Stderr, tc.want)
		}
		if tc.refs == ours {
			continue
		}
		for _, bin := range references(t, tc.refs == both) {
			if ref := r.ref(bin, tc.args...); ref.Code != 1 || !sameStderr(strings.TrimRight(ref.Stderr, "\n"), tc.want) {
				t.Errorf("%q: %s says %d %q, the test expects %q", tc.args, bin, ref.Code, ref.Stderr, tc.want)
			}
		}
	}
	// An unprivileged user without -U.
	u := asUser(t)
	want := "unshare: unshare failed: Operation not permitted\n"
	if ours := u.ours("-n", "true"); ours.Code != 1 || ours.Stderr != want {
		t.Errorf("rootless -n: got %d %q, want 1 %q", ours.Code, ours.Stderr, want)
	}
	for _, bin := range references(t, true) {
		if ref := u.ref(bin, "-n", "true"); ref.Code != 1 || ref.Stderr != want {
			t.Errorf("rootless -n: %s says %d %q, want 1 %q", bin, ref.Code, ref.Stderr, want)
		}
	}
}

// privateDir makes a tmpfs with the given propagation for persistence files, unmounted (with
// everything bound under it) at the end of the test.
func privateDir(t *testing.T, propagation string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m"); err != nil {
		t.Fatal(err)
	}
	flag := uintptr(unix.MS_PRIVATE)
	if propagation == "shared" {
		flag = unix.MS_SHARED
	}
	if err := unix.Mount("none", dir, "", flag, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unmountUnder(t, dir) })
	return dir
}

// unmountUnder unmounts everything mounted at or below dir, deepest first.
func unmountUnder(t *testing.T, dir string) {
	t.Helper()
	for _, mp := range mountsUnder(t, dir) {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil {
			t.Errorf("umount %s: %v", mp, err)
		}
	}
}

func mountsUnder(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			out = append([]string{f[4]}, out...)
		}
	}
	return out
}

func touch(t *testing.T, path string) string {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPersistence: --KIND=FILE leaves FILE a bind mount of the new namespace, which util-linux's
// nsenter can enter after unshare has exited; the same as util-linux's unshare does.
func TestPersistence(t *testing.T) {
	r := asRoot(t)
	nstest.RequireTool(t, "/usr/bin/nsenter")
	dir := privateDir(t, "private")
	bins := append([]string{nstest.Applet(t, "unshare")}, references(t, true)...)
	for n, bin := range bins {
		var files []string
		var args []string
		for _, k := range nsutil.Kinds {
			f := touch(t, filepath.Join(dir, fmt.Sprintf("%d-%s", n, k.Name)))
			files = append(files, f)
			args = append(args, "--"+k.Long+"="+f)
		}
		args = append(args, "-f", "-r", "/bin/sh", "-c", "hostname "+fmt.Sprintf("persisted-%d", n)+"; for k in user cgroup ipc uts net pid_for_children mnt time_for_children; do readlink /proc/self/ns/$k; done")
		res := r.run(bin, args)
		if res.Code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", bin, res.Code, res.Stderr)
		}
		for i, k := range nsutil.Kinds {
			var st unix.Stat_t
			if err := unix.Stat(files[i], &st); err != nil {
				t.Fatal(err)
			}
			// The bound file's inode is the namespace's: what the program saw (pid and time are
			// the children's namespaces; the sh itself read pid_for_children).
			if want := strings.Fields(res.Stdout); i >= len(want) || !strings.Contains(want[i], fmt.Sprintf("[%d]", st.Ino)) {
				t.Errorf("%s: %s file has inode %d, want the program's %q", bin, k.Name, st.Ino, res.Stdout)
			}
		}
		enter := nstest.Run(t, timeout, nstest.Command("/usr/bin/nsenter", "--uts="+files[3], "hostname"))
		if got := strings.TrimSpace(enter.Stdout); got != fmt.Sprintf("persisted-%d", n) {
			t.Errorf("%s: nsenter --uts=FILE hostname = %q (stderr %q), want persisted-%d", bin, got, enter.Stderr, n)
		}
	}
}

// A mount-namespace file on a shared mount is refused before the fork with a clear message, and
// nothing is left mounted.
func TestPersistMountOnSharedMount(t *testing.T) {
	r := asRoot(t)
	dir := privateDir(t, "shared")
	file := touch(t, filepath.Join(dir, "mnt"))
	res := r.ours("--mount="+file, "true")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "unshare: cannot bind the mount namespace to '"+file+"': it is on the shared mount "+dir) || strings.Count(res.Stderr, "\n") != 1 {
		t.Errorf("got %d %q, want one line about the shared mount %s", res.Code, res.Stderr, dir)
	}
	if m := mountsUnder(t, dir); len(m) != 1 {
		t.Errorf("mounts under %s: %q, want only the tmpfs", dir, m)
	}
}

// waitForChild waits until pid has a child running comm and returns it.
func waitForChild(t *testing.T, pid int, comm string) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		kids, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		for _, k := range strings.Fields(string(kids)) {
			if c, _ := os.ReadFile("/proc/" + k + "/comm"); strings.TrimSpace(string(c)) == comm {
				n, _ := strconv.Atoi(k)
				return n
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s child of %d", comm, pid)
	return 0
}

// TestCredentialsAndDirs compares -S, -G, -R, -w and --keep-caps with util-linux: the program's
// ids, groups, directory and inheritable/ambient capabilities, or the error.
func TestCredentialsAndDirs(t *testing.T) {
	tests := []struct {
		opts     string
		rootless bool
		old      bool // util-linux 2.38 agrees
	}{
		{opts: "-S 1001 -G 1001", old: true},
		{opts: "-G 1001", old: true},
		{opts: "-S +1001", old: true},
		{opts: "-r -S 0 -G 0", old: true},
		{opts: "-R / -w /tmp", old: true},
		{opts: "-w /usr", old: true},
		{opts: "-R /", old: true},
		{opts: "-r --keep-caps", old: true},
		{opts: "-r", old: true},
		{opts: "-r -S 5"}, // setuid() failed: Invalid argument
		{opts: "-U -G 5"}, // setgroups failed
		{opts: "-r", rootless: true, old: true},
		{opts: "-r --keep-caps", rootless: true, old: true},
		{opts: "-r -w /tmp -S 0", rootless: true, old: true},
		{opts: "-r -G 0", rootless: true}, // setgroups is denied
		{opts: "-r -S 1"},
		{opts: "--map-auto -S 5 -G 5", rootless: true},
		{opts: "-c -R / -w /", rootless: true, old: true},
	}
	root, user := asRoot(t), asUser(t)
	script := "id; pwd; grep -E '^Cap(Inh|Amb)' /proc/self/status"
	for _, tc := range tests {
		r := root
		if tc.rootless {
			r = user
		}
		args := withScript(tc.opts, script)
		ours := r.ours(args...)
		for _, bin := range references(t, tc.old) {
			ref := r.ref(bin, args...)
			if ours.Code != ref.Code || ours.Stdout != ref.Stdout || (bin != refUnshare && ours.Stderr != ref.Stderr) {
				t.Errorf("%s (rootless %v): got %d %q (stderr %q), want %s's %d %q (stderr %q)", tc.opts, tc.rootless, ours.Code, ours.Stdout, ours.Stderr, bin, ref.Code, ref.Stdout, ref.Stderr)
			}
		}
	}
}

// TestTimeOffsets compares /proc/self/timens_offsets with util-linux's, as root and rootless,
// negative offsets given as the next word included.
func TestTimeOffsets(t *testing.T) {
	tests := []struct {
		opts     string
		rootless bool
	}{
		{opts: "-T --monotonic 3600 --boottime=-10"},
		{opts: "-fT --monotonic=1000000"},
		{opts: "-T --monotonic -10 --boottime +5"},
		{opts: "-T --boottime +7"},
		{opts: "-rT --monotonic -10", rootless: true},
		{opts: "-frT --boottime 60", rootless: true},
	}
	root, user := asRoot(t), asUser(t)
	script := "cat /proc/self/timens_offsets"
	for _, tc := range tests {
		r := root
		if tc.rootless {
			r = user
		}
		ours := r.ours(withScript(tc.opts, script)...)
		for _, bin := range references(t, true) {
			ref := r.ref(bin, withScript(tc.opts, script)...)
			if ours.Code != 0 || normalize(ours.Stdout) != normalize(ref.Stdout) {
				t.Errorf("%s: got %d %q (stderr %q), want %s's %q", tc.opts, ours.Code, ours.Stdout, ours.Stderr, bin, ref.Stdout)
			}
		}
	}
}

// TestEnvironment: --clear-env and --whitelist-env (util-linux 2.43) against their documented
// behaviour; and no internal variable reaches the program.
func TestEnvironment(t *testing.T) {
	r := asRoot(t)
	tests := []struct {
		opts string
		want string
	}{
		{"--clear-env", ""},
		{"--whitelist-env=NSBOX_A,NSBOX_C", "NSBOX_A=1 NSBOX_C=3"},
		{"--whitelist-env NSBOX_A --whitelist-env NSBOX_B", "NSBOX_A=1 NSBOX_B=2"},
		{"-n", "NSBOX_A=1 NSBOX_B=2 NSBOX_C=3"},
	}
	for _, tc := range tests {
		res := r.run(nstest.Applet(t, "unshare"), append(split(tc.opts), "/usr/bin/env"), "NSBOX_A=1", "NSBOX_B=2", "NSBOX_C=3")
		var got []string
		for _, kv := range strings.Fields(res.Stdout) {
			if strings.HasPrefix(kv, executor.PlanMarker) {
				t.Errorf("%s: %s leaked into the program", tc.opts, kv)
			}
			if name, _, _ := strings.Cut(kv, "="); name == "NSBOX_A" || name == "NSBOX_B" || name == "NSBOX_C" || tc.opts == "--clear-env" {
				got = append(got, kv)
			}
		}
		if res.Code != 0 || strings.Join(got, " ") != tc.want {
			t.Errorf("%s: got %d %q (stderr %q), want %q", tc.opts, res.Code, got, res.Stderr, tc.want)
		}
	}
}

// With no program, unshare runs $SHELL as a login shell (argv[0] "-sh"), as util-linux does.
func TestDefaultShell(t *testing.T) {
	nstest.RequireRoot(t)
	for _, bin := range []string{nstest.Applet(t, "unshare"), refUnshare} {
		cmd := nstest.Command(bin, "-n")
		cmd.Env = append(os.Environ(), "SHELL=/bin/sh")
		cmd.Stdin = strings.NewReader("echo $0\n")
		res := nstest.Run(t, timeout, cmd)
		if strings.TrimSpace(res.Stdout) != "-sh" {
			t.Errorf("%s: got %d %q (stderr %q), want -sh", bin, res.Code, res.Stdout, res.Stderr)
		}
	}
}

func TestTrace(t *testing.T) {
	r := asRoot(t)
	res := r.ours("--trace", "-nu", "true")
	for _, want := range []string{"unshare(CLONE_NEWUTS|CLONE_NEWNET) = 0\n", `execve("true", ["true"]) ...`} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("trace %q lacks %q", res.Stderr, want)
		}
	}
}

// TestInit: --init makes nsbox's pidns-init PID 1 of the new PID namespace, the program its
// child; an orphan is reaped.
func TestInit(t *testing.T) {
	r := asRoot(t)
	if ready := nstest.Run(t, timeout, nstest.Command(nstest.Applet(t, "pidns-init"), "--", "true")); ready.Code != 0 {
		nstest.Skip(t, "pidns-init cannot run a program yet (its branch is not merged): "+ready.Stderr)
	}
	res := r.ours(withScript("-p --mount-proc --init", "tr '\\0' ' ' </proc/1/cmdline; echo; cat /proc/$$/stat | cut -d' ' -f4")...)
	lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
	if res.Code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "pidns-init -- /bin/sh -c") || lines[1] != "1" {
		t.Errorf("got %d %q (stderr %q), want PID 1 to be pidns-init and the program's parent", res.Code, res.Stdout, res.Stderr)
	}
	// An orphan (the sleep, whose parent sh exits) is reparented to PID 1 and reaped: no zombie.
	res = r.ours(withScript("-p --mount-proc --init", "sh -c 'sleep 0.2 &'; sleep 1; grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l")...)
	if res.Code != 0 || strings.TrimSpace(res.Stdout) != "0" {
		t.Errorf("zombies: got %d %q (stderr %q), want 0", res.Code, res.Stdout, res.Stderr)
	}
}

// Both helpers at once (persistence binds and ID maps, stacked) with a forked child.
func TestPersistenceWithIDMapHelper(t *testing.T) {
	r := asRoot(t)
	dir := privateDir(t, "private")
	file := touch(t, filepath.Join(dir, "user"))
	res := r.ours(withScript("--user="+file+" --map-users=0:100000:65536 --map-groups=0:100000:65536 -f", "readlink /proc/self/ns/user; cat /proc/self/uid_map")...)
	var st unix.Stat_t
	if err := unix.Stat(file, &st); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("user:[%d] 0 100000 65536", st.Ino)
	if res.Code != 0 || normalize(res.Stdout) != want {
		t.Errorf("got %d %q (stderr %q), want %q", res.Code, normalize(res.Stdout), res.Stderr, want)
	}
}

// A directory is refused before the fork with util-linux's one line (which util-linux prints only
// after its forked program has started): nothing runs.
func TestPersistTargetIsDirectory(t *testing.T) {
	r := asRoot(t)
	dir := privateDir(t, "private")
	target := filepath.Join(dir, "netdir")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(dir, "ran")
	res := r.ours(withScript("--net="+target+" -f", "touch "+marker)...)
	want := "unshare: mount /proc/PID/ns/net on " + target + " failed: Not a directory\n"
	if res.Code != 1 || !sameStderr(res.Stderr, want) {
		t.Errorf("got %d %q, want 1 %q", res.Code, res.Stderr, want)
	}
	for _, bin := range references(t, true) {
		if ref := r.ref(bin, "--net="+target, "-f", "true"); ref.Code != 1 || !sameStderr(ref.Stderr, want) {
			t.Errorf("%s: %d %q, the test expects 1 %q", bin, ref.Code, ref.Stderr, want)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the program ran although unshare failed")
	}
}

// When the bind fails after the fork (an unprivileged user may not mount), unshare exits 1 with
// the reason, and the forked child does not run on without it (util-linux leaves it running).
func TestPersistenceFailureStopsChild(t *testing.T) {
	u := asUser(t)
	dir := privateDir(t, "private")
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := touch(t, filepath.Join(dir, "net"))
	res := u.ours(withScript("--net="+file+" -r -f", "exec sleep 600")...)
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "unshare: mount /proc/") || !strings.HasSuffix(res.Stderr, "/ns/net on "+file+" failed: Operation not permitted\n") {
		t.Errorf("got %d %q, want 1 and the mount failure", res.Code, res.Stderr)
	}
}

// --mount-binfmt (2.41) mounts a binfmt_misc of the new user namespace; --load-interp registers
// a rule there, not on the host.
func TestBinfmt(t *testing.T) {
	r := asRoot(t)
	res := r.ours(withScript("--mount-binfmt -fpr", "ls /proc/sys/fs/binfmt_misc; grep -c ' /proc/sys/fs/binfmt_misc .* binfmt_misc ' /proc/self/mountinfo")...)
	if res.Code != 0 || normalize(res.Stdout) != "register status 1" {
		t.Errorf("--mount-binfmt: got %d %q (stderr %q), want register, status and one mount", res.Code, res.Stdout, res.Stderr)
	}
	rule := ":nsbox-unshare-test:E::nsbxtest::/bin/true:"
	res = r.ours(withScript("-fpr -l "+rule, "head -1 /proc/sys/fs/binfmt_misc/nsbox-unshare-test")...)
	if res.Code != 0 || strings.TrimSpace(res.Stdout) != "enabled" {
		t.Errorf("--load-interp: got %d %q (stderr %q), want the rule enabled", res.Code, res.Stdout, res.Stderr)
	}
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/nsbox-unshare-test"); err == nil {
		t.Error("the rule reached the host's binfmt_misc")
	}
}

// -p without -f, as util-linux: the program stays in the old PID namespace, its first child is
// PID 1 of the new one, and once that exits no more processes can be made there.
func TestPIDWithoutFork(t *testing.T) {
	r := asRoot(t)
	args := withScript("-p", "/bin/true; /bin/true; echo after")
	ours := r.ours(args...)
	for _, bin := range references(t, true) {
		if ref := r.ref(bin, args...); ours.Code != ref.Code || ours.Stdout != ref.Stdout {
			t.Errorf("got %d %q (stderr %q), want %s's %d %q (stderr %q)", ours.Code, ours.Stdout, ours.Stderr, bin, ref.Code, ref.Stdout, ref.Stderr)
		}
	}
}

// TestEnginesAgree: plans that run in unshare's own process (no fork, no user namespace) give
// the same result as through the pre-runtime stage, which --trace always uses.
func TestEnginesAgree(t *testing.T) {
	r := asRoot(t)
	script := "for k in net uts ipc mnt cgroup pid_for_children; do readlink /proc/self/ns/$k; done; pwd; " +
		"grep ' / / ' /proc/self/mountinfo | cut -d' ' -f5,7; ls /proc/self/fd | wc -l; grep -E '^(SigIgn|SigBlk|Threads)' /proc/self/status"
	for _, opts := range []string{"-nui", "-m", "-m --propagation slave", "-m --propagation unchanged", "-m -R / -w /usr", "-w /tmp", "-C", "-m --mount-proc"} {
		o, err := resolveArgs(t, withScript(opts, script)...)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := buildPlan(o); !p.InProcess() {
			t.Errorf("%s: InProcess() = false, want true", opts)
		}
		direct := r.ours(withScript(opts, script)...)
		traced := r.ours(withScript("--trace "+opts, script)...)
		direct.Stdout, traced.Stdout = newInodes(t, direct.Stdout), newInodes(t, traced.Stdout)
		if direct.Code != 0 || direct.Stdout != traced.Stdout || direct.Stderr != "" {
			t.Errorf("%s: in process %d %q (stderr %q), through the C stage %d %q", opts, direct.Code, direct.Stdout, direct.Stderr, traced.Code, traced.Stdout)
		}
	}
}

// newInodes replaces the namespace links in out that are not the host's by "KIND:[new]".
func newInodes(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		kind, _, ok := strings.Cut(line, ":[")
		if !ok {
			continue
		}
		if host, err := os.Readlink("/proc/self/ns/" + kind); err == nil && host != line {
			lines[i] = kind + ":[new]"
		}
	}
	return strings.Join(lines, "\n")
}

// Signals ignored by unshare's caller stay ignored in the program, as with util-linux (the Go
// runtime handles them in between, which execve alone would turn into the default action).
func TestIgnoredSignalsPass(t *testing.T) {
	r := asRoot(t)
	for _, opts := range []string{"-n", "-fn", "--trace -n"} {
		script := func(bin string) []string {
			o := opts
			if bin == refUnshare {
				o = strings.TrimPrefix(o, "--trace ")
			}
			return []string{"-c", "trap '' QUIT TERM PIPE USR2; exec " + bin + " " + o + " grep -E '^Sig(Ign|Blk)' /proc/self/status"}
		}
		ours, ref := r.run("/bin/sh", script(nstest.Applet(t, "unshare"))), r.run("/bin/sh", script(refUnshare))
		if ours.Code != 0 || ours.Stdout != ref.Stdout {
			t.Errorf("%s: got %d %q (stderr %q), want util-linux's %q", opts, ours.Code, ours.Stdout, ours.Stderr, ref.Stdout)
		}
	}
}

// The unshare that waits for its forked child keeps its name for ps, pgrep -x and killall: the
// child reads its parent's comm, "unshare" as with util-linux's (nsbox's, re-executed through
// /proc/self/exe, was named "exe").
func TestForkedParentName(t *testing.T) {
	nstest.RequireRoot(t)
	tests := []struct {
		bin  string
		opts []string
	}{
		{nstest.Applet(t, "unshare"), []string{"-f"}},
		{nstest.Applet(t, "unshare"), []string{"-f", "-u", "--trace"}},
		{refUnshare, []string{"-f"}},
	}
	for _, tc := range tests {
		res := nstest.Run(t, timeout, nstest.Command(tc.bin, append(tc.opts, "sh", "-c", "cat /proc/$PPID/comm")...))
		if res.Code != 0 || res.Stdout != "unshare\n" {
			t.Errorf("%s %q: the waiting parent is named %q (status %d, %s), want unshare", tc.bin, tc.opts, res.Stdout, res.Code, res.Stderr)
		}
	}
}
