//go:build linux

package lsns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

const timeout = 60 * time.Second

// fixtureScript builds, inside a fresh PID and mount namespace, a fixed set of processes and
// namespaces (one network namespace bind-mounted twice, for a two-line NSFS cell); host nsfs
// mounts are detached there so that only the fixture is seen, and /run is a tmpfs of its own.
// It then runs every case with our
// lsns and with each util-linux lsns in $REFS, one after the other, writing to fd $OUT.
const fixtureScript = `
set -u
grep ' - nsfs ' /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
# A /run of the fixture's own: its ip netns file is then not on the host, where another test
# run's fixture would find the name taken.
mount -t tmpfs nsboxlsnsrun /run
{
sleep 600 &
/usr/bin/unshare --net --uts sleep 600 &
/usr/bin/unshare --user --map-root-user --pid --fork --mount-proc sleep 600 &
/usr/bin/unshare --ipc --cgroup --time --fork sleep 600 &
ip netns add nsboxlsnstest
ip netns exec nsboxlsnstest sleep 600 &
} 3>&-
# The second mount point is on a tmpfs of the fixture's own (private) mount namespace, so
# nothing is left on the host whatever happens.
mount -t tmpfs nsboxlsnstest /mnt && touch /mnt/net && mount --bind /run/netns/nsboxlsnstest /mnt/net
for i in $(seq 600); do [ "$(pgrep -c -x sleep)" -ge 5 ] && break; sleep 0.05; done
NETPID=
for p in $(pgrep -x sleep); do
  [ "$(readlink /proc/$p/ns/uts)" != "$(readlink /proc/$$/ns/uts)" ] && NETPID=$p
done
NETINO=$(stat -L -c %i /proc/$NETPID/ns/net)
USERINO=$(for p in $(pgrep -x sleep); do stat -L -c %i /proc/$p/ns/user; done | sort -n | tail -1)
while IFS= read -r name; do
  echo "=== $name" >&$OUT
  args=${name//NETINO/$NETINO}; args=${args//USERINO/$USERINO}
  for lsns in "$LSNS" $REFS; do
    eval "$lsns $args" >&$OUT 2>&1; echo "--- rc=$?" >&$OUT
  done
done
umount /mnt/net
ip netns delete nsboxlsnstest
kill $(jobs -p) 2>/dev/null
`

// utilLinux238 is the system's util-linux lsns (Debian 12: 2.38).
const utilLinux238 = "/usr/bin/lsns"

// differentialCases are the option sets compared byte for byte with util-linux 2.38 and 2.42,
// which agree on them. (Trees with -t are left out here: 2.38 adds owner and parent
// namespaces of kinds -t excludes, which 2.41 no longer does; see newestCases.)
var differentialCases = []string{
	"", "-l", "-u", "-J", "-J -l", "-r", "-r -n", "-t net", "-W -t net",
	"-t mnt", "-t ipc -t uts -t cgroup -t time",
	"-o NS,TYPE,PATH,NPROCS,PID,PPID,COMMAND,UID,USER,NETNSID,NSFS,PNS,ONS", "-o +PATH,PPID",
	"-o ns,type,uid", "-o NS,NETNSID", "--output-all", "-r --output-all -l",
	"-p 1", "-p $NETPID", "-J -p $NETPID", "-T", "-Towner", "-Tparent", "-Tprocess", "--tree=parent",
	"--tree=owner -J", "-r -Tparent", "-Tparent -o NS,PNS,ONS,NPROCS", "-o NS,PNS,ONS -n",
	"NETINO", "-l NETINO", "-J NETINO", "USERINO -o PID,PPID,UID,USER,COMMAND,PATH,NS,TYPE",
	"--json --list --noheadings --notruncate --nowrap --type net --task $NETPID",
	"-t bogus", "-o BOGUS", "999", "-p 1 NETINO", "-Tbogus", "-p x",
}

// jsonNSFSCases put a namespace with two mount points in JSON. util-linux 2.42 writes only the
// first one there (and stray blanks after it); we keep 2.38's "A\nB", so these are compared
// with 2.38 only.
var jsonNSFSCases = []string{"-J -t net", "-J --output-all", "-J -t net -o NS,NSFS"}

// newestCases are compared with util-linux 2.42 only: what 2.38 lacks (-P, -Q, trees with -t,
// -H) or does differently (column width hints, -n, error messages, namespace 0).
var newestCases = []string{
	"-n", "-t user -t pid", "--output-all -n", "-n -o NS,NETNSID,TYPE,PID -t user",
	"-P", "-P -l", "-P --output-all", "-P -J", "-P -Towner", "-t net -P -o +NSFS",
	"-T -t user", "-Tparent -t user -t pid", "-Towner -t net", "-Towner -t user -t net -o NS,TYPE,ONS",
	"-T -J -t pid", "-Tprocess -t net", "-l -T", "-p $NETPID -Towner",
	"-o NSFS,NS -t net", "-W -t net -o NS,NSFS,COMMAND", "-J -t net -o NS,NETNSID",
	"-o NS,TYPE -o +PID", "-o ''", "-o +", "-o NS,", "-o ,NS", "-o NS,BOGUS,TYPE",
	"-Q 'TYPE == \"net\"'", "-Q 'NPROCS > 1 && TYPE =~ \"^u\"'", "-Q 'NS == NETINO'",
	"-Q 'PID == 1 or not (NPROCS >= 2)' -l", "-Q 'TYPE !~ \"n\"' -o NS,TYPE",
	"-Q 'PNS == 0' -o NS,TYPE,PNS", "-Q 'ONS != 0' -o NS,ONS -J", "-Q 'USER == \"root\"' -T",
	"-Q 'TYPE == \"pid\"' -Tparent", "-Q 'TYPE == \"user\"' -Towner -J",
	"-Q 'FOO == 1'", "-Q 'foo == 1 && bar == 2'", "-Q 'TYPE == net'",
	"-Q 'NS =='", "-Q 'NS == 1)'", "-Q '(NS == 1'", "-Q 'NS = 1'", "-Q 'NS == 1 &&'", "-Q 'NS == -1'",
	"-Q 'and NS'", "-Q 'NS 1'", "-Q 'NS == 1 NPROCS'", "-Q '(NS == 1 \"x\")'", "-Q \"NS == 'x\"",
	"-Q 'TYPE == \"net'", "-Q 'NS == 99999999999999999999K'", "-Q 'TYPE =~ NS'",
	"-Q '\"abc\"' -o NS", "-Q 'TYPE > 3'", "-Q 'not TYPE == \"net\"' -o NS,TYPE",
	"-Q 'NPROCS =~ \"1\"' -o NS", "-Q 'NETNSID != \"x\"' -o NS,TYPE,NETNSID", "-Q 'PID' -P",
	"-Q 'NPROCS < 1K and PID > 1.5' -o NS,PID", "-Q 'TYPE =~ \"(\"'", "-Q 'TYPE =~ \"*a\"'",
	"-Q 'TYPE =~ \"a{2,1}\"'", "-Q 'TYPE =~ \"[[:foo:]]\"'", "-Q 'TYPE =~ \"[[:alpha:]]+t$\"' -o NS,TYPE", "-Q 'USER == 1.5'", "-Q 'NS' -o NS -t user",
	"-p 0", "-p 99999999999", "-p ' 5'", "0", "18446744073709551616", "NETINO 2",
	"-J -r", "-P -p 1", "-p -1", "-p ''", "--task=-3",
	// Options are checked in command-line order, -H after them.
	"-r -J", "-p 1 -P", "-Tbogus -t bogus", "-t bogus -Tbogus", "-Q 'NS = 1' -t bogus",
	"-t bogus -Q 'NS = 1'", "-p x -t bogus", "-t bogus -p x", "-H -t bogus", "-t bogus -H",
	"-H -Q 'a =='", "-H -P -p 1", "-p x -p 1", "-Q 'NS = 1' -Q 'NS == 1' -t bogus", "-Q 'NS == -1' -o BOGUS", "-Q 'NS == -1' -p 1 999",
	"-r -Towner", "--output-all -Tparent", "-Towner -o NS,NSFS,TYPE -t net -t user",
	"-Tprocess -t net -o NS,NSFS,COMMAND", "-T -t net -o COMMAND,NSFS,NS",
	"-H -r | grep -v '^CONTAINER '",
}

// fixture says how runFixture runs the cases: against which util-linux lsns, on a pipe or on
// a terminal (tty) of width columns (0: a terminal that does not say), with $COLUMNS set to
// columns when that is not empty.
type fixture struct {
	refs    []string
	tty     bool
	width   int
	columns string
}

// runFixture runs the cases in the fixture and returns, per case, our output and each
// reference's, in the order of f.refs (each with its exit status appended).
func runFixture(t *testing.T, cases []string, f fixture) map[string][]string {
	t.Helper()
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/sbin/ip")
	lsns := nstest.Applet(t, "lsns")
	script := filepath.Join(t.TempDir(), "fixture.sh")
	if err := os.WriteFile(script, []byte(fixtureScript), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/unshare", "-fp", "--mount-proc", "bash", script)
	cmd.Env = append(os.Environ(), "LSNS="+lsns, "REFS="+strings.Join(f.refs, " "), "LANG=C.UTF-8", "LC_ALL=", "OUT=1", "NO_COLOR=1")
	cmd.Stdin = strings.NewReader(strings.Join(cases, "\n") + "\n")
	var tty *ptyCapture
	cmd.Env = append(cmd.Env, "COLUMNS="+f.columns)
	if f.tty {
		tty = openPtyCapture(t, f.width)
		cmd.ExtraFiles = []*os.File{tty.terminal}
		cmd.Env = append(cmd.Env, "OUT=3")
	}
	res := nstest.Run(t, 5*timeout, cmd)
	if res.Code != 0 {
		t.Fatalf("fixture exit %d: %s", res.Code, res.Stderr)
	}
	stdout := res.Stdout
	if tty != nil {
		stdout = tty.output()
	}
	out := map[string][]string{}
	for _, block := range strings.Split(stdout, "=== ")[1:] {
		name, body, _ := strings.Cut(block, "\n")
		parts := strings.Split(body, "--- rc=")
		if len(parts) != len(f.refs)+2 {
			t.Fatalf("case %q: malformed fixture output:\n%s", name, body)
		}
		var outputs []string
		for i := 0; i+1 < len(parts); i++ {
			text := parts[i]
			if i > 0 {
				_, text, _ = strings.Cut(text, "\n")
			}
			rc, _, _ := strings.Cut(parts[i+1], "\n")
			outputs = append(outputs, text+rc)
		}
		out[name] = outputs
	}
	if len(out) != len(cases) {
		t.Fatalf("fixture ran %d cases, want %d:\n%s", len(out), len(cases), stdout)
	}
	return out
}

// compareFixture runs the cases and wants our output identical to every reference's.
func compareFixture(t *testing.T, cases []string, f fixture) {
	t.Helper()
	results := runFixture(t, cases, f)
	for _, c := range cases {
		got := results[c]
		for i, ref := range f.refs {
			if got[0] != got[i+1] {
				t.Errorf("lsns %s (terminal %v, width %d, COLUMNS=%s):\ngot:\n%s\nwant (%s):\n%s", c, f.tty, f.width, f.columns, got[0], ref, got[i+1])
			}
		}
	}
}

// TestDifferentialFixture: every option both util-linux releases have, byte-identical text and
// exit status with 2.38 and 2.42.
func TestDifferentialFixture(t *testing.T) {
	nstest.RequireTool(t, utilLinux238)
	compareFixture(t, differentialCases, fixture{refs: []string{utilLinux238, nstest.NewestUtilLinux(t, "lsns")}})
	compareFixture(t, jsonNSFSCases, fixture{refs: []string{utilLinux238}})
}

// TestDifferentialNewest: what only util-linux 2.42 has or does differently from 2.38.
func TestDifferentialNewest(t *testing.T) {
	compareFixture(t, newestCases, fixture{refs: []string{nstest.NewestUtilLinux(t, "lsns")}})
}

// terminalCases are the option sets compared with util-linux 2.42 on a terminal, where
// libsmartcols fits the table to the width: truncating COMMAND, wrapping NSFS, keeping trees.
var terminalCases = []string{
	"", "-l", "-u", "-W -t net", "-u -W -t net", "-t net", "-T", "-Tparent", "-Tprocess -o +PATH",
	"-o NS,TYPE,NSFS,PATH,COMMAND -t net", "-o NS,NSFS,PATH", "-o COMMAND,NS", "-o COMMAND,PID",
	"-l -o NS,COMMAND,PATH", "--output-all", "-u --output-all", "NETINO", "-n -t user",
	"-Q 'TYPE == \"net\"' -o NS,COMMAND", "-Q 'NPROCS > 1' -o NS,TYPE",
	"-Towner -t net -t user -o +NSFS", "-Tprocess -t net -o NS,NSFS,COMMAND", "-o COMMAND,NSFS -t net",
}

// TestDifferentialTerminal: on a pseudo-terminal of several widths, the same text as
// util-linux 2.42.
func TestDifferentialTerminal(t *testing.T) {
	ref := nstest.NewestUtilLinux(t, "lsns")
	for _, width := range []int{40, 60, 80, 120, 200} {
		compareFixture(t, terminalCases, fixture{refs: []string{ref}, tty: true, width: width})
	}
	// The terminal's size wins over $COLUMNS, which counts when the terminal does not say.
	for _, f := range []fixture{{tty: true, width: 50, columns: "90"}, {tty: true, columns: "70"}, {tty: true, columns: "x"}} {
		f.refs = []string{ref}
		compareFixture(t, []string{"", "-o NS,PID,USER,COMMAND,PATH"}, f)
	}
}

// ptyCapture is a pseudo-terminal whose output is collected as it comes.
type ptyCapture struct {
	terminal *os.File // the side programs write to
	master   *os.File
	buf      bytes.Buffer
	done     chan struct{}
}

// openPtyCapture opens a pseudo-terminal of width columns without output processing (no
// CR before LF) and starts collecting what is written to it.
func openPtyCapture(t *testing.T, width int) *ptyCapture {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open the pty: %v", err)
	}
	fd := int(tty.Fd())
	if err := unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Row: 50, Col: uint16(width)}); err != nil {
		t.Fatalf("TIOCSWINSZ: %v", err)
	}
	term, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatalf("TCGETS: %v", err)
	}
	term.Oflag &^= unix.OPOST
	term.Lflag &^= unix.ECHO | unix.ICANON
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, term); err != nil {
		t.Fatalf("TCSETS: %v", err)
	}
	p := &ptyCapture{terminal: tty, master: master, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		chunk := make([]byte, 32<<10)
		for {
			n, err := master.Read(chunk)
			p.buf.Write(chunk[:n])
			if err != nil {
				return // EIO once every writer has closed the terminal
			}
		}
	}()
	t.Cleanup(func() { tty.Close(); master.Close() })
	return p
}

// output closes our side of the terminal and returns all that was written to it, once every
// program that had it open is gone.
func (p *ptyCapture) output() string {
	p.terminal.Close()
	<-p.done
	return p.buf.String()
}

// startProcess starts a command that lasts, returns it once its comm is want (after exec), and
// kills it at the end of the test.
func startProcess(t *testing.T, cmd *exec.Cmd, want string) *exec.Cmd {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", cmd.Process.Pid))
		if strings.TrimSpace(string(comm)) == want {
			return cmd
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q did not exec %s", cmd.Args, want)
	return nil
}

// nsInode is the inode of a process's namespace, as lsns's NS column and argument spell it.
func nsInode(t *testing.T, pid int, kind string) string {
	t.Helper()
	return strconv.FormatUint(nstest.NSInode(t, pid, kind), 10)
}

// compareWithUtilLinux runs ours and util-linux's lsns with args in the quiet namespace q and
// wants the same output and status: util-linux 2.42's, and for JSON and raw output (where
// column widths play no part) 2.38's too. (The two releases size text columns differently:
// whether PID or PPID takes its width hint depends on how many digits the PIDs have.) A
// reference run that fails where ours did not is run again, up to three times: util-linux 2.38
// exits 1 when a process vanishes while it reads /proc.
func compareWithUtilLinux(t *testing.T, q nstest.QuietPIDNS, args ...string) {
	t.Helper()
	refs := []string{nstest.NewestUtilLinux(t, "lsns")}
	if slices.Contains(args, "-J") || slices.Contains(args, "-r") {
		refs = append(refs, utilLinux238)
	}
	ours := nstest.Run(t, timeout, q.Command(append([]string{nstest.Applet(t, "lsns")}, args...)...))
	for _, lsns := range refs {
		ref := nstest.Run(t, timeout, q.Command(append([]string{lsns}, args...)...))
		for retry := 0; retry < 3 && ref.Code != 0 && ref.Code != ours.Code; retry++ {
			t.Logf("lsns %q: %s exited %d (%s), again", args, lsns, ref.Code, strings.TrimSpace(ref.Stderr))
			ref = nstest.Run(t, timeout, q.Command(append([]string{lsns}, args...)...))
		}
		if ours.Stdout != ref.Stdout || ours.Code != ref.Code {
			t.Errorf("lsns %q: exit %d, want %d (%s)\ngot:\n%s%s\nwant:\n%s%s", args, ours.Code, ref.Code, lsns, ours.Stdout, ours.Stderr, ref.Stdout, ref.Stderr)
		}
	}
}

// TestDifferentialUserNamespaces: user namespaces made by root and rootless, by task and by
// inode, in a PID namespace of the test's own.
func TestDifferentialUserNamespaces(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/lsns")
	nstest.RequireTool(t, "/usr/bin/setpriv")
	uid, gid := nstest.Unprivileged(t)
	q := nstest.NewQuietPIDNS(t)
	rootful, rootfulPID := q.Start(t, "unshare", "/usr/bin/unshare", "--user", "--pid", "--fork", "--kill-child", "sleep", "600")
	rootless, rootlessPID := q.Start(t, "sleep", "/usr/bin/setpriv", "--reuid", strconv.Itoa(uid), "--regid", strconv.Itoa(gid), "--clear-groups",
		"/usr/bin/unshare", "--user", "--net", "sleep", "600")
	for _, pid := range [][2]int{{rootful, rootfulPID}, {rootless, rootlessPID}} {
		p := strconv.Itoa(pid[1])
		compareWithUtilLinux(t, q, "-p", p, "-l", "-o", "NS,TYPE,PATH,PID,PPID,UID,USER,COMMAND,PNS,ONS")
		compareWithUtilLinux(t, q, "-p", p, "-t", "user", "-o", "NS,TYPE,PID,UID,USER,PNS,ONS", "-J")
		compareWithUtilLinux(t, q, "-p", p, "-r", "-t", "net", "-o", "NS,TYPE,NETNSID,NSFS")
		compareWithUtilLinux(t, q, nsInode(t, pid[0], "user"))
		compareWithUtilLinux(t, q, nsInode(t, pid[0], "user"), "-J", "-o", "PID,PPID,UID,USER,COMMAND")
	}
}

// lsnsJSON runs our lsns with args (adding -J) and returns its rows, flattened.
func lsnsJSON(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	return lsnsJSONIn(t, nil, args...)
}

// lsnsJSONIn is lsnsJSON with lsns run through the command prefix in (nil: directly).
func lsnsJSONIn(t *testing.T, in []string, args ...string) []map[string]any {
	t.Helper()
	argv := append(append(in[:len(in):len(in)], nstest.Applet(t, "lsns"), "-J"), args...)
	res := nstest.Run(t, timeout, exec.Command(argv[0], argv[1:]...))
	if res.Code != 0 {
		t.Fatalf("lsns -J %q: exit %d: %s", args, res.Code, res.Stderr)
	}
	var doc struct{ Namespaces []map[string]any }
	dec := json.NewDecoder(strings.NewReader(res.Stdout))
	dec.UseNumber() // inodes do not fit a float64 exactly
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("lsns -J %q: %v\n%s", args, err, res.Stdout)
	}
	var rows []map[string]any
	var flat func([]map[string]any)
	flat = func(rs []map[string]any) {
		for _, r := range rs {
			rows = append(rows, r)
			if kids, ok := r["children"].([]any); ok {
				var ms []map[string]any
				for _, k := range kids {
					ms = append(ms, k.(map[string]any))
				}
				flat(ms)
			}
		}
	}
	flat(doc.Namespaces)
	return rows
}

// jsonValue turns a decoded JSON number into its text, and leaves other values alone.
func jsonValue(v any) any {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	return v
}

func findRow(rows []map[string]any, ino string) map[string]any {
	for _, r := range rows {
		if fmt.Sprint(r["ns"]) == ino {
			return r
		}
	}
	return nil
}

// TestPersistentNamespace: a namespace only a bind mount keeps is listed (with -P too), with its
// NSFS mount point, NPROCS 0, no PID, owner root; -Q selects it; NETNSID is asked of netlink.
// The namespace is made with ip netns in a mount namespace of the test's own, on a /run of its
// own, and lsns runs there: what the rest of the machine mounts (another /run/netns bound
// elsewhere, other persistent namespaces) is not seen, and nothing is left on the host.
func TestPersistentNamespace(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/sbin/ip")
	nstest.RequireTool(t, "/usr/bin/nsenter")
	name := fmt.Sprintf("nsboxlsns%d", os.Getpid())
	holder := startProcess(t, exec.Command("/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs nsboxlsnsrun /run && ip netns add "$0" && exec sleep 600`, name), "sleep")
	in := []string{"/usr/bin/nsenter", "-t", strconv.Itoa(holder.Process.Pid), "-m", "--"}
	res := nstest.Run(t, timeout, exec.Command(in[0], append(in[1:], "stat", "-c", "%i", "/run/netns/"+name)...))
	if res.Code != 0 {
		t.Fatalf("ip netns add %s: %s", name, res.Stderr)
	}
	ino := strings.TrimSpace(res.Stdout)
	for _, args := range [][]string{{"-l", "-t", "net", "--output-all"}, {"-P", "-l", "--output-all"}, {"-Q", "NS == " + ino, "--output-all"}} {
		r := findRow(lsnsJSONIn(t, in, args...), ino)
		if r == nil {
			t.Errorf("lsns %q: no row for persistent netns %s", args, ino)
			continue
		}
		want := map[string]any{"type": "net", "nprocs": "0", "pid": nil, "user": "root", "nsfs": "/run/netns/" + name, "netnsid": nil}
		for k, v := range want {
			if got := jsonValue(r[k]); got != v {
				t.Errorf("lsns %q: %s = %v, want %v", args, k, r[k], v)
			}
		}
	}
	rows := lsnsJSONIn(t, in, "-Q", "NS == "+ino+" && NPROCS == 0", "-o", "NS")
	if len(rows) != 1 {
		t.Errorf("-Q 'NS == %s && NPROCS == 0': %d rows, want 1", ino, len(rows))
	}
	for _, r := range lsnsJSONIn(t, in, "-P", "-l") {
		if jsonValue(r["nprocs"]) != "0" {
			t.Errorf("-P listed %v with nprocs %v, want only namespaces without processes", r["ns"], r["nprocs"])
		}
	}
}

// kindSelections are the ways a test asks for a network namespace: alone (one kind read per
// process) and among all kinds (the scan then reads each process's ns directory through one
// descriptor, a different path through the code).
var kindSelections = [][]string{{"-t", "net"}, nil}

// TestNamespaceHeldByFD: a network namespace kept alive only by an open descriptor is listed.
func TestNamespaceHeldByFD(t *testing.T) {
	nstest.RequireRoot(t)
	holder := startProcess(t, exec.Command("/usr/bin/unshare", "--net", "sleep", "600"), "sleep")
	ino := nsInode(t, holder.Process.Pid, "net")
	// A second process opens the namespace as fd 3, then the first one goes.
	keeper := startProcess(t, exec.Command("bash", "-c", fmt.Sprintf("exec 3</proc/%d/ns/net; exec sleep 600", holder.Process.Pid)), "sleep")
	holder.Process.Kill()
	holder.Wait()
	for _, kinds := range kindSelections {
		r := findRow(lsnsJSON(t, append([]string{"-l", "-o", "NS,TYPE,NPROCS,PID,USER"}, kinds...)...), ino)
		if r == nil {
			t.Errorf("lsns %q: netns %s held by fd 3 of %d is not listed", kinds, ino, keeper.Process.Pid)
			continue
		}
		if jsonValue(r["nprocs"]) != "0" || r["user"] != "root" || r["pid"] != nil {
			t.Errorf("lsns %q: fd-held netns row = %v, want nprocs 0, user root, no pid", kinds, r)
		}
	}
}

// TestNamespaceHeldBySocket: a network namespace reachable only through a socket is listed (as
// util-linux 2.41's netns-from-sock test wants: net, NPROCS 0, root, no PID or COMMAND).
func TestNamespaceHeldBySocket(t *testing.T) {
	nstest.RequireRoot(t)
	holder := startProcess(t, exec.Command("/usr/bin/unshare", "--net", "sleep", "600"), "sleep")
	ino := nsInode(t, holder.Process.Pid, "net")
	s := nstest.SocketIn(t, holder.Process.Pid)
	defer unix.Close(s)
	holder.Process.Kill()
	holder.Wait()
	for _, kinds := range kindSelections {
		r := findRow(lsnsJSON(t, append([]string{"-l", "-o", "NS,TYPE,NPROCS,PID,USER,COMMAND"}, kinds...)...), ino)
		if r == nil {
			t.Errorf("lsns %q: netns %s held by a socket of the test is not listed", kinds, ino)
			continue
		}
		if r["type"] != "net" || jsonValue(r["nprocs"]) != "0" || r["user"] != "root" || r["pid"] != nil || r["command"] != nil {
			t.Errorf("lsns %q: socket-held netns row = %v, want net, nprocs 0, root, no pid or command", kinds, r)
		}
	}
}

// TestFilterOption: -Q selects rows; its errors are libsmartcols' and exit 1.
func TestFilterOption(t *testing.T) {
	nstest.RequireRoot(t)
	p := startProcess(t, exec.Command("/usr/bin/unshare", "--net", "--uts", "sleep", "600"), "sleep")
	net, uts := nsInode(t, p.Process.Pid, "net"), nsInode(t, p.Process.Pid, "uts")
	lsns := nstest.Applet(t, "lsns")
	tests := []struct {
		filter string
		want   string
	}{
		{"NS == " + net + " && NPROCS == 1", net + " net\n"},
		{"(NS == " + net + " or NS == " + uts + ") and TYPE =~ '^u'", uts + " uts\n"},
		{"PID == " + strconv.Itoa(p.Process.Pid) + " and not (TYPE == \"net\")", uts + " uts\n"},
		{"NS == 1", ""},
	}
	for _, tt := range tests {
		res := nstest.Run(t, timeout, exec.Command(lsns, "-n", "-l", "-o", "NS,TYPE", "-Q", tt.filter))
		if res.Code != 0 || res.Stdout != tt.want {
			t.Errorf("lsns -Q %q: exit %d, output %q; want 0, %q", tt.filter, res.Code, res.Stdout, tt.want)
		}
	}
	errs := []struct{ filter, want string }{
		{"NS ==", `lsns: failed to parse "NS ==": syntax error, unexpected end of file`},
		{"FOO == 1", "lsns: unknown column: FOO\nlsns: failed to initialize filter"},
		{"NS == 1)", `unexpected ')', expecting end of file`},
	}
	for _, tt := range errs {
		res := nstest.Run(t, timeout, exec.Command(lsns, "-Q", tt.filter))
		if res.Code != 1 || !strings.Contains(res.Stderr, tt.want) || res.Stdout != "" {
			t.Errorf("lsns -Q %q: exit %d, stderr %q; want 1 and %q", tt.filter, res.Code, res.Stderr, tt.want)
		}
	}
}

// TestListColumnsOption: -H lists every column, in text, raw and JSON.
func TestListColumnsOption(t *testing.T) {
	lsns := nstest.Applet(t, "lsns")
	res := nstest.Run(t, timeout, exec.Command(lsns, "-H"))
	for _, c := range columns {
		if !regexp.MustCompile(`(?m)^ *` + c.Name + ` +<(string|integer)> +` + regexp.QuoteMeta(c.Help) + `$`).MatchString(res.Stdout) {
			t.Errorf("lsns -H lacks column %s:\n%s", c.Name, res.Stdout)
		}
	}
	res = nstest.Run(t, timeout, exec.Command(lsns, "-H", "-J"))
	var doc map[string][]map[string]string
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil || len(doc["lsns-columns"]) != len(columns) {
		t.Errorf("lsns -H -J: %v, %d columns, want %d\n%s", err, len(doc["lsns-columns"]), len(columns), res.Stdout)
	}
	if res.Code != 0 {
		t.Errorf("lsns -H -J: exit %d", res.Code)
	}
}

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColor: --color=always colours without moving a column; auto and NO_COLOR do not colour.
func TestColor(t *testing.T) {
	nstest.RequireRoot(t)
	p := startProcess(t, exec.Command("/usr/bin/unshare", "--net", "--uts", "sleep", "600"), "sleep")
	lsns := nstest.Applet(t, "lsns")
	args := []string{"-p", strconv.Itoa(p.Process.Pid), "-o", "NS,TYPE,PID,USER,COMMAND"}
	plain := nstest.Run(t, timeout, exec.Command(lsns, args...))
	colored := nstest.Run(t, timeout, exec.Command(lsns, append([]string{"--color=always"}, args...)...))
	if !ansi.MatchString(colored.Stdout) {
		t.Errorf("--color=always: no colour in\n%s", colored.Stdout)
	}
	if got := ansi.ReplaceAllString(colored.Stdout, ""); got != plain.Stdout {
		t.Errorf("--color=always without its escapes:\n%s\nwant the plain output:\n%s", got, plain.Stdout)
	}
	cmd := exec.Command(lsns, append([]string{"--color=auto"}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if res := nstest.Run(t, timeout, cmd); ansi.MatchString(res.Stdout) || res.Stdout != plain.Stdout {
		t.Errorf("NO_COLOR, --color=auto: got\n%q\nwant\n%q", res.Stdout, plain.Stdout)
	}
	if res := nstest.Run(t, timeout, exec.Command(lsns, append([]string{"--color=always", "-J"}, args...)...)); ansi.MatchString(res.Stdout) {
		t.Errorf("--color=always -J coloured JSON:\n%s", res.Stdout)
	}
}

// TestContainerColumn: a process in a docker-style cgroup shows RUNTIME:SHORTID; host ones nothing.
func TestContainerColumn(t *testing.T) {
	nstest.RequireRoot(t)
	// The ID is this test process's: test runs side by side make cgroups of their own.
	id := fmt.Sprintf("3f2a1b4c5d6e%052x", os.Getpid())
	var dir string
	for _, base := range []string{"/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"} {
		if _, err := os.Stat(filepath.Join(base, "cgroup.procs")); err == nil {
			dir = filepath.Join(base, "docker", id)
			break
		}
	}
	if dir == "" {
		nstest.Skip(t, "no writable cgroup hierarchy")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		nstest.Skip(t, "cannot make a cgroup: "+err.Error())
	}
	t.Cleanup(func() { os.Remove(dir); os.Remove(filepath.Dir(dir)) })
	p := startProcess(t, exec.Command("/usr/bin/unshare", "--net", "sleep", "600"), "sleep")
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(p.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Process.Kill(); p.Wait() })
	net := nsInode(t, p.Process.Pid, "net")
	rows := lsnsJSON(t, "-l", "-p", strconv.Itoa(p.Process.Pid), "-o", "NS,TYPE,CONTAINER")
	for _, r := range rows {
		want := any(nil)
		if fmt.Sprint(r["ns"]) == net {
			want = "docker:3f2a1b4c5d6e"
		}
		if r["container"] != want {
			t.Errorf("row %v: container = %v, want %v", r["ns"], r["container"], want)
		}
	}
}

// TestVanishingProcesses: processes that exit while lsns scans are skipped, never an error.
func TestVanishingProcesses(t *testing.T) {
	nstest.RequireRoot(t)
	churn := exec.Command("bash", "-c", "while :; do for i in $(seq 20); do /usr/bin/unshare --net true & sleep 0.001 & done; wait; done")
	if err := churn.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { churn.Process.Kill(); churn.Wait() }()
	lsns := nstest.Applet(t, "lsns")
	for i := 0; i < 30; i++ {
		for _, args := range [][]string{{}, {"-J", "--output-all", "-Towner"}, {"-t", "net"}} {
			res := nstest.Run(t, timeout, exec.Command(lsns, args...))
			if res.Code != 0 || res.Stderr != "" {
				t.Fatalf("run %d, lsns %q: exit %d, stderr %q", i, args, res.Code, res.Stderr)
			}
		}
	}
}

// TestTreeWithType: as in util-linux 2.41, owner and parent trees restricted with -t list only
// namespaces of the kinds asked for, nesting each under its parent when that is listed too.
func TestTreeWithType(t *testing.T) {
	nstest.RequireRoot(t)
	p := startProcess(t, exec.Command("/usr/bin/unshare", "--user", "--map-root-user", "--pid", "--fork", "--kill-child", "sleep", "600"), "unshare")
	child := ""
	for i := 0; i < 600 && child == ""; i++ {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", p.Process.Pid, p.Process.Pid))
		child = strings.TrimSpace(string(data))
		time.Sleep(10 * time.Millisecond)
	}
	pid, err := strconv.Atoi(child)
	if err != nil {
		t.Fatalf("no child of unshare: %q", child)
	}
	pidns := nsInode(t, pid, "pid")
	for _, tree := range []string{"-Tparent", "-Towner"} {
		for _, r := range lsnsJSON(t, tree, "-t", "pid", "-o", "NS,TYPE,PNS") {
			if r["type"] != "pid" {
				t.Errorf("lsns %s -t pid listed a %v namespace", tree, r["type"])
			}
		}
	}
	res := nstest.Run(t, timeout, exec.Command(nstest.Applet(t, "lsns"), "-Tparent", "-t", "pid", "-r", "-n", "-o", "NS,PNS"))
	if !regexp.MustCompile(`(?m)^\S+`+pidns+` \d+$`).MatchString(res.Stdout) || !strings.Contains(res.Stdout, `\xe2\x94`) && !strings.Contains(res.Stdout, "`-") {
		t.Errorf("lsns -Tparent -t pid: namespace %s not nested under its parent:\n%s", pidns, res.Stdout)
	}
}
