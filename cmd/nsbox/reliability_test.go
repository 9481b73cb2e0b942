//go:build linux

package main

// Reliability: hostile argument vectors generated from the applets' own grammars, concurrency
// storms, what the program inherits, and refusing to run set-user-ID. See README, Reliability.

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/nstest"
)

// junkValues are the option values the hostile-argument test tries.
var junkValues = []string{"", "-1", "0", "1", "65536", "99999999999999999999", "abc", "/nonexistent",
	"/etc/passwd", "/proc/self/ns/net", "/proc/self/ns/user", "/", ":", "0:0:0", "0:0:4294967295",
	"auto", "all", "subids", "%s%n", "\x01\x02", strings.Repeat("A", 5000), "RTMIN+99", "TERM",
	"SIGKILL", "1:0", "15:0", "=", "--", "-", "NS,TYPE", "+PATH", "NS == 1 &&", "owner", "1s", "-5s"}

// skipFlags are options that legitimately wait for ever and so cannot be fuzzed with a short
// timeout: pidns-init --pause sleeps until INT or TERM by design.
var skipFlags = map[string]bool{"pidns-init --pause": true}

type flagInfo struct {
	long, short string
	takesValue  bool // a separate value word (or =value)
	optional    bool // an optional attached value (--net[=FILE])
	enum        []string
}

func grammarFlags(t *testing.T, a applet) []flagInfo {
	t.Helper()
	spec, g := a.command()
	parser, err := kong.New(g, kong.Name(spec.Name), kong.Exit(func(int) {}))
	if err != nil {
		t.Fatalf("%s grammar: %v", a.name, err)
	}
	var out []flagInfo
	for _, group := range parser.Model.Node.AllFlags(false) {
		for _, f := range group {
			if f.Name == "help" || f.Name == "version" || skipFlags[a.name+" --"+f.Name] {
				continue
			}
			fi := flagInfo{long: "--" + f.Name, optional: f.Tag.Get("optvalue") != "", takesValue: !f.IsBool() && !f.IsCounter()}
			if f.Short != 0 {
				fi.short = "-" + string(f.Short)
			}
			if f.Enum != "" {
				fi.enum = strings.Split(f.Enum, ",")
			}
			out = append(out, fi)
		}
	}
	return out
}

// randomArgs makes one argument vector: a few options with junk or valid values, then usually
// a program.
func randomArgs(r *rand.Rand, flags []flagInfo) []string {
	var args []string
	value := func(f flagInfo) string {
		if len(f.enum) > 0 && r.Intn(2) == 0 {
			return f.enum[r.Intn(len(f.enum))]
		}
		return junkValues[r.Intn(len(junkValues))]
	}
	for n := r.Intn(5); n >= 0 && len(flags) > 0; n-- {
		f := flags[r.Intn(len(flags))]
		name := f.long
		if f.short != "" && r.Intn(2) == 0 {
			name = f.short
		}
		switch {
		case f.takesValue && r.Intn(2) == 0:
			args = append(args, f.long+"="+value(f))
		case f.takesValue:
			args = append(args, name, value(f))
		case f.optional && r.Intn(3) == 0:
			args = append(args, f.long+"="+value(f))
		default:
			args = append(args, name)
		}
	}
	switch r.Intn(6) {
	case 0:
		args = append(args, "/nonexistent/program")
	case 1:
		args = append(args, junkValues[r.Intn(len(junkValues))])
	case 2, 3, 4:
		args = append(args, "true")
	}
	return args
}

// TestHostileArguments runs hundreds of random argument vectors, built from the applets' own
// options and junk values, as an unprivileged user: none may panic, hang, or exit other than
// 0, 1, 2, 126 or 127 (the program run is `true`, or one that does not exist).
func TestHostileArguments(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	r := rand.New(rand.NewSource(20261122))
	const perApplet = 100
	for _, a := range applets {
		flags := grammarFlags(t, a)
		bin := nstest.Applet(t, a.name)
		for i := 0; i < perApplet; i++ {
			args := randomArgs(r, flags)
			cmd := nstest.AsUser(exec.Command(bin, args...), uid, gid)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "SHELL=/bin/true", "HOME=/"}
			res := nstest.Run(t, 10*time.Second, cmd)
			switch res.Code {
			case 0, 1, 2, 126, 127:
			default:
				t.Errorf("%s %q: exit %d, stderr %q", a.name, args, res.Code, res.Stderr)
			}
			if strings.Contains(res.Stderr, "goroutine ") || strings.Contains(res.Stderr, "panic:") {
				t.Errorf("%s %q panicked:\n%s", a.name, args, res.Stderr)
			}
			// With --color=always the prefix is coloured: look at the plain text. A refused ID
			// map is newuidmap's or newgidmap's own line, as with util-linux's unshare.
			plain := ansiEscape.ReplaceAllString(res.Stderr, "")
			helperSaid := strings.HasPrefix(plain, "newuidmap: ") || strings.HasPrefix(plain, "newgidmap: ")
			if res.Code == 1 && res.Stderr != "" && !strings.Contains(plain, a.name+": ") && !strings.Contains(plain, "failed to execute") && !helperSaid {
				t.Errorf("%s %q: exit 1 without an '%s: ' line: %q", a.name, args, a.name, res.Stderr)
			}
		}
	}
	assertNoZombies(t)
}

// ansiEscape matches the SGR sequences of coloured output.
var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// assertNoZombies fails when a zombie child of this test process is left.
func assertNoZombies(t *testing.T) {
	t.Helper()
	me := strconv.Itoa(os.Getpid())
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(stat)
		rest := s[strings.LastIndexByte(s, ')')+2:]
		f := strings.Fields(rest)
		if len(f) > 1 && f[0] == "Z" && f[1] == me {
			t.Errorf("zombie left: %s", strings.TrimSpace(s))
		}
	}
}

// startSleeper starts `sleep` in new net and uts namespaces (made by util-linux's unshare) and
// returns its pid; the test's cleanup kills it.
func startSleeper(t *testing.T) int {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/unshare")
	cmd := exec.Command("/usr/bin/unshare", "--net", "--uts", "sleep", "120")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 200; i++ {
		if comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid)); strings.TrimSpace(string(comm)) == "sleep" {
			return cmd.Process.Pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("sleeper did not start")
	return 0
}

// storm runs n commands, width at a time, and returns every result.
func storm(t *testing.T, n, width int, mk func(i int) *exec.Cmd) []nstest.Result {
	t.Helper()
	results := make([]nstest.Result, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, width)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = nstest.Run(t, 60*time.Second, mk(i))
		}(i)
	}
	wg.Wait()
	return results
}

// mountIDs is the set of mount IDs in the mount namespace of pid, with each mount's line.
func mountIDs(t *testing.T, pid int) map[string]string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		id, _, _ := strings.Cut(line, " ")
		ids[id] = line
	}
	return ids
}

// privateMountNS starts a process in a mount namespace of its own, private from the host's, so
// that mounts made or removed elsewhere on the machine do not change what a test counts there;
// it returns the process's PID. The test's cleanup kills it.
func privateMountNS(t *testing.T) int {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/unshare")
	cmd := exec.Command("/usr/bin/unshare", "--mount", "--propagation", "private", "sleep", "600")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	host, _ := os.Readlink("/proc/self/ns/mnt")
	for i := 0; i < 500; i++ {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid))
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", cmd.Process.Pid))
		if strings.TrimSpace(string(comm)) == "sleep" && ns != host {
			return cmd.Process.Pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no private mount namespace")
	return 0
}

func TestConcurrentNsenter(t *testing.T) {
	nstest.RequireRoot(t)
	target := startSleeper(t)
	want, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", target))
	nsenter := nstest.Applet(t, "nsenter")
	results := storm(t, 300, 16, func(int) *exec.Cmd {
		return exec.Command(nsenter, "-t", strconv.Itoa(target), "-n", "-u", "readlink", "/proc/self/ns/net")
	})
	for i, res := range results {
		if res.Code != 0 || strings.TrimSpace(res.Stdout) != want {
			t.Errorf("call %d: exit %d, stdout %q, stderr %q; want %s", i, res.Code, res.Stdout, res.Stderr, want)
		}
	}
	assertNoZombies(t)
}

func TestConcurrentUnshareInit(t *testing.T) {
	nstest.RequireRoot(t)
	// The calls run in a mount namespace of the test's own, where only they could add mounts.
	quiet := privateMountNS(t)
	nstest.RequireTool(t, "/usr/bin/nsenter")
	before := mountIDs(t, quiet)
	unshare := nstest.Applet(t, "unshare")
	results := storm(t, 100, 100, func(int) *exec.Cmd {
		return exec.Command("/usr/bin/nsenter", "-t", strconv.Itoa(quiet), "-m", "--", unshare, "-fp", "--mount-proc", "--init", "sh", "-c", "sleep 0.1 & echo $PPID; tr '\\0' ' ' </proc/1/cmdline")
	})
	for i, res := range results {
		if res.Code != 0 || !strings.HasPrefix(res.Stdout, "1\npidns-init ") {
			t.Errorf("call %d: exit %d, stdout %q (want the program's parent to be PID 1, pidns-init), stderr %q", i, res.Code, res.Stdout, res.Stderr)
		}
	}
	// A mount can go from the namespace (when the host removes its mount point), never come.
	for id, line := range mountIDs(t, quiet) {
		if _, ok := before[id]; !ok {
			t.Errorf("mount left behind: %s", line)
		}
	}
	assertNoZombies(t)
}

func TestConcurrentLsns(t *testing.T) {
	lsns := nstest.Applet(t, "lsns")
	results := storm(t, 20, 20, func(int) *exec.Cmd { return exec.Command(lsns, "-J") })
	for i, res := range results {
		var doc struct {
			Namespaces []map[string]any `json:"namespaces"`
		}
		if res.Code != 0 || json.Unmarshal([]byte(res.Stdout), &doc) != nil || len(doc.Namespaces) == 0 {
			t.Errorf("call %d: exit %d, stderr %q, %d bytes of output", i, res.Code, res.Stderr, len(res.Stdout))
		}
	}
}

// TestProgramInheritsOnlyWhatTheCallerGave: the program unshare and nsenter run sees the
// caller's environment and fds exactly (no plan marker, no namespace fd).
func TestProgramInheritsOnlyWhatTheCallerGave(t *testing.T) {
	nstest.RequireRoot(t)
	target := startSleeper(t)
	probe := []string{"sh", "-c", "ls /proc/self/fd; env"}
	direct := nstest.Run(t, 10*time.Second, exec.Command(probe[0], probe[1:]...))
	for _, argv := range [][]string{
		append([]string{nstest.Applet(t, "unshare"), "-n", "-u"}, probe...),
		append([]string{nstest.Applet(t, "unshare"), "-U", "-r", "-fp", "--mount-proc"}, probe...),
		append([]string{nstest.Applet(t, "nsenter"), "-t", strconv.Itoa(target), "-n", "-u"}, probe...),
		append([]string{nstest.Applet(t, "nsenter"), "-t", strconv.Itoa(target), "-a"}, probe...),
	} {
		res := nstest.Run(t, 10*time.Second, exec.Command(argv[0], argv[1:]...))
		if res.Code != 0 {
			t.Errorf("%q: exit %d, stderr %q", argv, res.Code, res.Stderr)
			continue
		}
		if got, want := sortedLines(res.Stdout), sortedLines(direct.Stdout); got != want {
			t.Errorf("%q: the program saw\n%s\nwant (as when run directly)\n%s", argv, got, want)
		}
	}
}

// sortedLines drops lines that differ between any two runs (PWD/_ and ls's own fd number are
// the same; SHLVL too), then sorts.
func sortedLines(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestRefusesSetuid: installed set-user-ID root, nsbox would hand every user namespaces that
// are not theirs; it refuses to run instead.
func TestRefusesSetuid(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	dir, err := os.MkdirTemp("", "nsbox-setuid")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	data, err := os.ReadFile(nstest.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	suid := filepath.Join(dir, "unshare")
	if err := os.WriteFile(suid, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(suid, 0o755|os.ModeSetuid); err != nil {
		t.Fatal(err)
	}
	res := nstest.Run(t, 10*time.Second, nstest.AsUser(exec.Command(suid, "-n", "id"), uid, gid))
	if res.Code != cli.ExitFailure || !strings.Contains(res.Stderr, "refusing to run set-user-ID") || res.Stdout != "" {
		t.Errorf("setuid unshare as %s: exit %d, stdout %q, stderr %q; want a refusal", nstest.TestUser, res.Code, res.Stdout, res.Stderr)
	}
}

// TestLsnsHostileComm: processes whose comm looks like /proc/PID/stat's own fields, or holds a
// newline, are listed exactly as util-linux lists them. Both run in a PID namespace of the
// test's own, with its own /proc: util-linux 2.38's -p lists namespaces of other processes
// that exit while it scans, and a busy machine has those.
func TestLsnsHostileComm(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/lsns")
	dir := t.TempDir()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sleep)
	if err != nil {
		t.Fatal(err)
	}
	lsns := nstest.Applet(t, "lsns")
	q := nstest.NewQuietPIDNS(t)
	for _, name := range []string{") 0 0 (", "a\nb", ") R 1 (", "((("} {
		prog := filepath.Join(dir, name)
		if err := os.WriteFile(prog, data, 0o755); err != nil {
			t.Fatal(err)
		}
		host, inner := q.Start(t, name, prog, "60")
		pid := strconv.Itoa(inner)
		for _, args := range [][]string{{"-p", pid, "-o", "NS,TYPE,PID,PPID,COMMAND", "-l"}, {"-p", pid, "-J", "-o", "NS,PID,PPID,COMMAND", "-l"}} {
			ours := nstest.Run(t, 20*time.Second, q.Command(append([]string{lsns}, args...)...))
			ref := nstest.Run(t, 20*time.Second, q.Command(append([]string{"/usr/bin/lsns"}, args...)...))
			if ref.Code != 0 {
				// util-linux 2.38 reads stat line by line and gives up, silently and with exit
				// 1, on a newline in any comm (2.41 reads the whole file): then the process's
				// namespaces must simply all be listed.
				for _, link := range []string{"mnt", "net", "pid", "user"} {
					ino, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", host, link))
					ino = strings.TrimSuffix(strings.TrimPrefix(ino, link+":["), "]")
					if err == nil && (ours.Code != 0 || !strings.Contains(ours.Stdout, ino)) {
						t.Errorf("comm %q, lsns %q: exit %d, %s namespace %s not listed:\n%s", name, args, ours.Code, link, ino, ours.Stdout)
					}
				}
				continue
			}
			if ours.Code != 0 || ours.Stdout != ref.Stdout {
				t.Errorf("comm %q, lsns %q: exit %d\n%s\nutil-linux:\n%s", name, args, ours.Code, ours.Stdout, ref.Stdout)
			}
		}
	}
}
