//go:build linux

package nsenter

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

// TestIPNetnsName checks --net=NAME enters `ip netns add NAME`'s namespace, as util-linux does
// with the full path.
func TestIPNetnsName(t *testing.T) {
	name := fmt.Sprintf("nsbox-test-%d", os.Getpid())
	want := fmt.Sprintf("net:[%d]", nstest.IPNetns(t, name))
	runs := map[string][]string{
		ourNsenter(t): {"--net=" + name},
		refNsenter:    {"--net=/run/netns/" + name},
	}
	for bin, args := range runs {
		res := runAs(t, nil, "", bin, append(args, "readlink", "/proc/self/ns/net")...)
		if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != want {
			t.Errorf("%s %q: got %q (exit %d, stderr %q), want %s", bin, args, got, res.Code, res.Stderr, want)
		}
	}
}

// fakeContainer is a fake container (nstest.FakeContainer) in new net and uts namespaces.
func fakeContainer(t *testing.T, mount, rel string) int {
	t.Helper()
	return nstest.FakeContainer(t, mount, rel, "--net", "--uts")
}

// dockerScope is the cgroup v2 path docker's systemd driver gives container id.
func dockerScope(id string) string { return "system.slice/docker-" + id + ".scope" }

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, (n+1)/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// TestContainer checks --container finds a (fake) docker container by ID prefix and enters it,
// and that an ambiguous prefix lists the candidates and fails.
func TestContainer(t *testing.T) {
	prefix := randomHex(t, 8)
	ids := []string{prefix + "0" + randomHex(t, 55), prefix + "1" + randomHex(t, 55)}
	v2 := nstest.CgroupMount(t, "cgroup2", "")
	pids := []int{fakeContainer(t, v2, dockerScope(ids[0])), fakeContainer(t, v2, dockerScope(ids[1]))}
	bin := ourNsenter(t)
	for i, id := range ids {
		for _, query := range []string{id[:9], id, "docker:" + id[:12]} {
			res := runAs(t, nil, "", bin, "--container="+query, "-n", "-u", "sh", "-c", "readlink /proc/self/ns/net /proc/self/ns/uts")
			want := nsLink(t, pids[i], "net") + "\n" + nsLink(t, pids[i], "uts") + "\n"
			if res.Code != 0 || res.Stdout != want {
				t.Errorf("--container=%s: got %q (exit %d, stderr %q), want %q", query, res.Stdout, res.Code, res.Stderr, want)
			}
		}
	}
	// From a cgroup namespace of its own, as inside a container, /proc shows the containers'
	// cgroups outside its root ("/../..."), which no walk of the mounted hierarchies reaches:
	// the lookup falls back to the scan and finds the same containers.
	for i, id := range ids {
		res := runAs(t, nil, "", "/usr/bin/unshare", "-C", bin, "--container="+id[:12], "-n", "readlink", "/proc/self/ns/net")
		if want := nsLink(t, pids[i], "net") + "\n"; res.Code != 0 || res.Stdout != want {
			t.Errorf("unshare -C nsenter --container=%s: got %q (exit %d, stderr %q), want %q", id[:12], res.Stdout, res.Code, res.Stderr, want)
		}
	}
	res := runAs(t, nil, "", bin, "--container="+prefix, "-n", "true")
	lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
	if res.Code != 1 || len(lines) != 3 || !strings.HasPrefix(lines[0], "nsenter: container '"+prefix+"' is ambiguous") {
		t.Fatalf("ambiguous --container=%s: exit %d, stderr %q; want exit 1 and the two candidates", prefix, res.Code, res.Stderr)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("docker:%s (init PID %d)", id[:12], pids[i]); !strings.Contains(lines[1+i], want) {
			t.Errorf("candidate %d: got %q, want it to show %q", i, lines[1+i], want)
		}
	}
}

// TestContainerCgroupV1 checks --container finds a container by its cgroup v1 path (docker's
// cgroupfs driver: /docker/ID in the pids hierarchy).
func TestContainerCgroupV1(t *testing.T) {
	id := randomHex(t, 64)
	pid := fakeContainer(t, nstest.CgroupMount(t, "cgroup", "pids"), "docker/"+id)
	res := runAs(t, nil, "", ourNsenter(t), "--container="+id[:10], "-n", "readlink", "/proc/self/ns/net")
	if want := nsLink(t, pid, "net"); res.Code != 0 || strings.TrimSpace(res.Stdout) != want {
		t.Errorf("--container=%s (cgroup v1): got %q (exit %d, stderr %q), want %s", id[:10], res.Stdout, res.Code, res.Stderr, want)
	}
}

// TestJoinCgroup checks -c (util-linux 2.40, newer than the reference here) puts the program in
// the target's cgroup v2. When /sys/fs/cgroup is not cgroup v2 (a hybrid host), it runs inside
// a private mount namespace with cgroup v2 mounted there, and checks the error outside it.
func TestJoinCgroup(t *testing.T) {
	target := fakeContainer(t, nstest.CgroupMount(t, "cgroup2", ""), dockerScope(randomHex(t, 64)))
	bin := ourNsenter(t)
	cmd := []string{bin, "-t", strconv.Itoa(target), "-c", "-n", "cat", "/proc/self/cgroup"}
	var fs unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type != unix.CGROUP2_SUPER_MAGIC {
		res := runAs(t, nil, "", bin, cmd[1:]...)
		if res.Code != 1 || res.Stderr != "nsenter: --join-cgroup is only supported in cgroup v2\n" {
			t.Errorf("-c on a hybrid host: exit %d, stderr %q", res.Code, res.Stderr)
		}
		script := `mount -t cgroup2 none /sys/fs/cgroup && exec "$@"`
		cmd = append([]string{"/usr/bin/unshare", "--mount", "sh", "-c", script, "sh"}, cmd...)
	}
	res := runAs(t, nil, "", cmd[0], cmd[1:]...)
	want, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", target))
	if err != nil {
		t.Fatal(err)
	}
	if got := cgroup2Line(res.Stdout); res.Code != 0 || got == "" || got != cgroup2Line(string(want)) {
		t.Errorf("-c: got %q (exit %d, stderr %q), want the target's %q", got, res.Code, res.Stderr, cgroup2Line(string(want)))
	}
}

func cgroup2Line(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "0::") {
			return line
		}
	}
	return ""
}

// TestNetSocket compares -N (util-linux 2.41) with 2.42: a process that made
// a socket in a new network namespace and then went back to the host's is entered into the
// socket's namespace, as util-linux's enter-via-socket test does.
func TestNetSocket(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/bin/python3")
	out := filepath.Join(t.TempDir(), "sock")
	script := `
import ctypes, os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
os.set_inheritable(s.fileno(), True)
with open(sys.argv[2], "w") as f:
    f.write("%d %s" % (s.fileno(), os.readlink("/proc/self/ns/net")))
fd = os.open("/proc/%s/ns/net" % sys.argv[1], os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).setns(fd, 0) != 0:
    sys.exit("setns failed")
os.execv("/bin/sleep", ["sleep", "600"])
`
	target := nstest.StartTarget(t, nil, exec.Command("/usr/bin/unshare", "--net", "/usr/bin/python3", "-c", script, strconv.Itoa(os.Getpid()), out))
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	fd, sockNet, _ := strings.Cut(string(data), " ")
	if sockNet == nsLink(t, target, "net") {
		t.Fatalf("the target did not leave the socket's namespace %s", sockNet)
	}
	for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
		res := runAs(t, nil, "", bin, "-t", strconv.Itoa(target), "-N", fd, "readlink", "/proc/self/ns/net")
		if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != sockNet {
			t.Errorf("%s -N %s: got %q (exit %d, stderr %q), want the socket's %s", bin, fd, got, res.Code, res.Stderr, sockNet)
		}
	}
}

// TestUserParent compares --user-parent (util-linux 2.40) with 2.42: it enters the parent of
// the target's user namespace, the middle one of two nested user namespaces.
func TestUserParent(t *testing.T) {
	nstest.RequireRoot(t)
	target := nstest.UnshareTarget(t, nil, "--user", "--map-root-user", "/usr/bin/unshare", "--user", "--map-root-user")
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/user", target))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	user, _ := nsutil.KindByName("user")
	rel, err := nsutil.Relations(int(f.Fd()), user)
	if err != nil || rel.Parent == 0 {
		t.Fatalf("the parent of the target's user namespace: %+v, %v", rel, err)
	}
	want := fmt.Sprintf("user:[%d]", rel.Parent)
	for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
		res := runAs(t, nil, "", bin, "-t", strconv.Itoa(target), "--user-parent", "--preserve-credentials", "readlink", "/proc/self/ns/user")
		if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != want {
			t.Errorf("%s --user-parent: got %q (exit %d, stderr %q), want %s", bin, got, res.Code, res.Stderr, want)
		}
	}
}

// TestKeepCaps compares --keep-caps (util-linux 2.40) with 2.42: the program gets the user
// namespace's capabilities as ambient ones, and without it none.
func TestKeepCaps(t *testing.T) {
	nstest.RequireRoot(t)
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--user", "--map-root-user", "--uts"))
	for _, keep := range []bool{true, false} {
		// -u too: util-linux 2.42 ignores --keep-caps with -U alone (its first pass, given no
		// other kind, enters every kind, and it then sees no user namespace left to keep caps for).
		args := []string{"-t", target, "-U", "-u"}
		if keep {
			args = append(args, "--keep-caps")
		}
		for _, bin := range []string{ourNsenter(t), newestNsenter(t)} {
			res := runAs(t, nil, "", bin, append(args, "grep", "CapAmb", "/proc/self/status")...)
			none := strings.Contains(res.Stdout, "0000000000000000")
			if res.Code != 0 || none == keep {
				t.Errorf("%s %q: got %q (exit %d, stderr %q), want ambient capabilities %v", bin, args, res.Stdout, res.Code, res.Stderr, keep)
			}
		}
	}
}

// TestChildStopFollowed checks the forking nsenter (-p) stops when the program stops and, once
// continued, continues it, as util-linux's does.
func TestChildStopFollowed(t *testing.T) {
	nstest.RequireRoot(t)
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--pid", "--fork", "--kill-child"))
	for _, bin := range withReferences(t) {
		cmd := exec.Command(bin, "-t", target, "-p", "sh", "-c", "kill -STOP $$; echo resumed")
		var out strings.Builder
		cmd.Stdout = &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stopped := false
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !stopped; {
			stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", cmd.Process.Pid))
			_, rest, _ := strings.Cut(string(stat), ") ")
			stopped = strings.HasPrefix(rest, "T")
			if !stopped {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !stopped {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		cmd.Process.Signal(syscall.SIGCONT)
		err := cmd.Wait()
		if !stopped || err != nil || out.String() != "resumed\n" {
			t.Errorf("%s: stopped with the program %v; after SIGCONT: %v, output %q", bin, stopped, err, out.String())
		}
	}
}

// TestTrace checks --trace shows the setns through the pidfd and the execve.
func TestTrace(t *testing.T) {
	nstest.RequireRoot(t)
	target := strconv.Itoa(nstest.UnshareTarget(t, nil, "--net"))
	res := runAs(t, nil, "", ourNsenter(t), "--trace", "-t", target, "-n", "true")
	for _, want := range []string{"<pidfd:" + target + ">, CLONE_NEWNET) = 0\n", `execve("true", ["true"]) ...`} {
		if res.Code != 0 || !strings.Contains(res.Stderr, want) {
			t.Errorf("--trace: exit %d, stderr %q; want it to contain %q", res.Code, res.Stderr, want)
		}
	}
}

// TestThreadTarget checks a thread ID as target: it has no pidfd, and its own namespaces (here
// a network namespace only that thread unshared) are entered through /proc/TID/ns, as
// util-linux does.
func TestThreadTarget(t *testing.T) {
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/bin/python3")
	script := `
import ctypes, os, threading, time
def worker():
    ctypes.CDLL(None, use_errno=True).unshare(0x40000000)  # CLONE_NEWNET, this thread only
    print(threading.get_native_id(), os.readlink("/proc/thread-self/ns/net"), flush=True)
    time.sleep(600)
threading.Thread(target=worker, daemon=True).start()
time.sleep(600)
`
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var tid, want string
	if _, err := fmt.Fscan(out, &tid, &want); err != nil {
		t.Fatalf("reading the thread's ID: %v", err)
	}
	for _, bin := range withReferences(t) {
		res := runAs(t, nil, "", bin, "-t", tid, "-n", "readlink", "/proc/self/ns/net")
		if got := strings.TrimSpace(res.Stdout); res.Code != 0 || got != want {
			t.Errorf("%s -t %s (a thread): got %q (exit %d, stderr %q), want %s", bin, tid, got, res.Code, res.Stderr, want)
		}
	}
}
