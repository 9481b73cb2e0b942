//go:build linux

package lsns

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// Ports of util-linux's own tests/ts/lsns scenarios (v2.42.2, the newest tag of the 2.42 series
// in its repository) and of the ways lsns finds a namespace that no process is in. Each
// scenario runs in a network, mount and PID namespace of its own, with its own /proc and /run
// and no nsfs mount of the host: `ip netns` and NETNSIDs stay there, lsns sees only what the
// scenario made, and nothing is left behind. Every lsns command runs with ours and with
// util-linux 2.42.4, in the same state; the test wants the same output and exit status, and what
// util-linux's test wants of it.

// upstreamPrelude makes the quiet view and defines `both NAME ARGS...`, which runs our lsns and
// the reference with ARGS and writes what each printed (stdout and stderr) and its exit status
// to $OUT/NAME.ours and $OUT/NAME.ref.
const upstreamPrelude = `
set -eu
grep ' - nsfs ' /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l
mount -t tmpfs nsboxlsnsrun /run
both() {
  local name=$1 rc; shift
  rc=0; "$LSNS" "$@" >"$OUT/$name.ours" 2>&1 || rc=$?; echo "rc=$rc" >>"$OUT/$name.ours"
  rc=0; "$REF" "$@" >"$OUT/$name.ref" 2>&1 || rc=$?; echo "rc=$rc" >>"$OUT/$name.ref"
}
# note NAME VALUE: a value the Go test checks, in $OUT/NAME.note.
note() { printf '%s\n' "$2" >"$OUT/$1.note"; }
# waitcomm PID COMM: wait until PID runs COMM.
waitcomm() {
  for i in $(seq 1000); do [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ] && return 0; sleep 0.01; done
  echo "process $1 never ran $2" >&2; exit 1
}
ino() { stat -L -c %i "$1"; }
`

// upstreamResult is what one `both` call printed: ours, then the reference's.
type upstreamResult struct{ ours, ref string }

// runUpstream runs script (after upstreamPrelude) in namespaces of its own and returns what
// each `both` call printed, by name, and each `note`.
func runUpstream(t *testing.T, script string, env ...string) (map[string]upstreamResult, map[string]string) {
	t.Helper()
	nstest.RequireRoot(t)
	nstest.RequireTool(t, "/usr/sbin/ip")
	ref := nstest.NewestUtilLinux(t, "lsns")
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "scenario.sh")
	if err := os.WriteFile(path, []byte(upstreamPrelude+script), 0o644); err != nil {
		t.Fatal(err)
	}
	// When the scenario's shell, PID 1 of its namespace, ends, the kernel ends whatever it left
	// running there.
	cmd := exec.Command("/usr/bin/unshare", "--net", "--mount", "--pid", "--fork", "--mount-proc", "--kill-child", "bash", path)
	cmd.Env = append(os.Environ(), append([]string{"LSNS=" + nstest.Applet(t, "lsns"), "REF=" + ref, "OUT=" + out, "LANG=C.UTF-8", "LC_ALL=", "NO_COLOR=1"}, env...)...)
	res := nstest.Run(t, 2*timeout, cmd)
	if res.Code != 0 {
		t.Fatalf("scenario failed (exit %d):\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	results, notes := map[string]upstreamResult{}, map[string]string{}
	files, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(out, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name, ext, _ := strings.Cut(f.Name(), ".")
		r := results[name]
		switch ext {
		case "ours":
			r.ours = string(data)
		case "ref":
			r.ref = string(data)
		case "note":
			notes[name] = strings.TrimSpace(string(data))
			continue
		}
		results[name] = r
	}
	if len(results) == 0 {
		t.Fatalf("scenario ran no lsns:\n%s%s", res.Stdout, res.Stderr)
	}
	return results, notes
}

// compareUpstream wants ours and the reference identical in every result.
func compareUpstream(t *testing.T, results map[string]upstreamResult) {
	t.Helper()
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if r := results[name]; r.ours != r.ref {
			t.Errorf("%s:\ngot:\n%s\nwant (util-linux 2.42):\n%s", name, r.ours, r.ref)
		}
	}
}

// wantOutput checks what util-linux's test wants of one result (ours; compareUpstream holds the
// reference to the same).
func wantOutput(t *testing.T, results map[string]upstreamResult, name, want string) {
	t.Helper()
	if got := results[name].ours; got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// TestUpstreamFiledesc ports lsns/filedesc (upstream #1884): a network namespace held only by an
// fd opened through an `ip netns` bind mount that is gone since (the fd's link reads "/") is
// listed as "net 0 root"; here also with the NETNSID it was given, and by inode.
func TestUpstreamFiledesc(t *testing.T) {
	results, _ := runUpstream(t, `
NS=LSNS-TEST-FILEDESC-NS
ip netns add $NS
ip netns set $NS 118
sleep 600 4</run/netns/$NS &
PID=$!
waitcomm $PID sleep
ip netns delete $NS
[ "$(readlink /proc/$PID/fd/4)" = / ] || { echo "fd 4 reads $(readlink /proc/$PID/fd/4), not /" >&2; exit 1; }
INO=$(ino /proc/$PID/fd/4)
both filedesc --noheadings --raw --output TYPE,NPROCS,USER -Q "NS == $INO"
both issue -Q 'NPROCS == 0' -o NS,TYPE,NPROCS,USER,NETNSID
both byinode $INO
both all --output-all -l
both json -J --output-all -l
both persistent -P -t net -o NS,TYPE,NETNSID,NSFS
`)
	compareUpstream(t, results)
	wantOutput(t, results, "filedesc", "net 0 root\nrc=0\n")
	if !strings.Contains(results["issue"].ours, " 118\n") {
		t.Errorf("issue: no NETNSID 118 in\n%s", results["issue"].ours)
	}
}

// TestUpstreamNetnsid ports lsns/netnsid: the NETNSID lsns shows for a namespace is the
// link-netnsid `ip link` shows for a veth whose peer is there.
func TestUpstreamNetnsid(t *testing.T) {
	results, notes := runUpstream(t, `
NS=LSNS-TEST-NETNSID-NS
ip netns add $NS
ip link add name lsns-vetha type veth peer name lsns-vethb
ip link set lsns-vethb netns $NS
ip netns exec $NS sleep 600 &
PID=$!
waitcomm $PID sleep
IP_ID=$(ip -o link show dev lsns-vetha | sed -ne 's/.* *link-netnsid *\([0-9]*\)/\1/p')
# ip names the namespace instead when it knows it: then its id is in ip netns list-id.
[ -n "$IP_ID" ] || IP_ID=$(ip netns list-id | awk "/name: $NS/ { print \$2 }")
note ipid "$IP_ID"
both full --output +NETNSID,NSFS --type net
both id -n -o NETNSID --type net --task $PID
both json -J -l --type net -o NS,NETNSID,NSFS
`)
	compareUpstream(t, results)
	if notes["ipid"] == "" {
		t.Fatal("neither ip link nor ip netns list-id showed the NETNSID")
	}
	wantOutput(t, results, "id", notes["ipid"]+"\nrc=0\n")
}

// TestUpstreamNetnsidForPersistentNamespaces ports lsns/netnsid-for-persistent-namespaces: a
// filter on NETNSID finds a namespace that no process is in, by its NETNSID, TYPE and NSFS.
func TestUpstreamNetnsidForPersistentNamespaces(t *testing.T) {
	results, _ := runUpstream(t, `
NETNSID=4242
NS=LSNS-TEST-NETNSID-NS-FOR-PN-$NETNSID
ip netns add "$NS"
ip netns set "$NS" $NETNSID
ip netns add LSNS-TEST-UNASSIGNED
for column in NETNSID TYPE NSFS; do
  both $column --raw --noheadings --filter "NETNSID == '$NETNSID'" --output $column
done
both unassigned --raw --noheadings --filter "NETNSID == 'unassigned'" --output NETNSID,NSFS
both list -n -o NETNSID,NSFS -t net
both json -J -t net -o NS,NETNSID,NSFS
`)
	compareUpstream(t, results)
	wantOutput(t, results, "NETNSID", "4242\nrc=0\n")
	wantOutput(t, results, "TYPE", "net\nrc=0\n")
	wantOutput(t, results, "NSFS", "/run/netns/LSNS-TEST-NETNSID-NS-FOR-PN-4242\nrc=0\n")
	// The scenario's own namespace has no NETNSID either; rows are in inode order, which the
	// kernel picks.
	if got := strings.Split(results["unassigned"].ours, "\n"); !slices.Contains(got, "unassigned ") || !slices.Contains(got, "unassigned /run/netns/LSNS-TEST-UNASSIGNED") || len(got) != 4 {
		t.Errorf("unassigned = %q, want the scenario's namespace and LSNS-TEST-UNASSIGNED", results["unassigned"].ours)
	}
}

// TestUpstreamNsfs ports lsns/nsfs: NSFS lists both mount points of a namespace, on two lines
// and, with --nowrap, joined by a comma.
func TestUpstreamNsfs(t *testing.T) {
	results, _ := runUpstream(t, `
ip netns add ABC
touch /run/XYZ
mount -o bind /run/netns/ABC /run/XYZ
ip netns exec ABC sleep 600 &
PID=$!
waitcomm $PID sleep
both full --type net
both mlines -n -o NSFS --type net --task $PID
both oneline -n -o NSFS --nowrap --type net --task $PID
`)
	compareUpstream(t, results)
	wantOutput(t, results, "mlines", "/run/netns/ABC\n/run/XYZ\nrc=0\n")
	wantOutput(t, results, "oneline", "/run/netns/ABC,/run/XYZ\nrc=0\n")
}

// TestUpstreamIoctlNS ports lsns/ioctl_ns: the parent and owner of a user and a PID namespace
// made by `unshare --user --pid --mount-proc --fork`.
func TestUpstreamIoctlNS(t *testing.T) {
	results, notes := runUpstream(t, `
/usr/bin/unshare --user --pid --mount-proc --fork sleep 600 &
U=$!
for i in $(seq 1000); do C=$(cat /proc/$U/task/$U/children 2>/dev/null || true); C=${C%% *}; [ -n "$C" ] && break; sleep 0.01; done
waitcomm $C sleep
note userns "$(ino /proc/$C/ns/user) $(ino /proc/self/ns/user) $(ino /proc/self/ns/user)"
note pidns "$(ino /proc/$C/ns/pid) $(ino /proc/self/ns/pid) $(ino /proc/$C/ns/user)"
both userns --type user --noheadings --output NS,PNS,ONS $(ino /proc/$C/ns/user)
both pidns -t pid -n -o NS,PNS,ONS $(ino /proc/$C/ns/pid)
`)
	compareUpstream(t, results)
	for _, name := range []string{"userns", "pidns"} {
		// util-linux's test pipes the output through uniq: one line per process in the namespace.
		got := strings.TrimSuffix(results[name].ours, "rc=0\n")
		for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if line != notes[name] {
				t.Errorf("%s: line %q, want %q (all of it: %q)", name, line, notes[name], results[name].ours)
			}
		}
	}
}

// TestUpstreamNetnsFromSock ports lsns/netns-from-sock: a network namespace reachable only
// through a socket (made there by a process that went back to its own) is listed with TYPE net,
// NPROCS 0, USER root and no PID or COMMAND.
func TestUpstreamNetnsFromSock(t *testing.T) {
	results, notes := runUpstream(t, `
# the helper notes its namespace's inode, makes a socket there and goes back to our namespace
/usr/bin/unshare --net bash -c 'stat -L -c %i /proc/self/ns/net >"$OUT/netns.note"; ip link set lo up; exec 3<>/dev/udp/127.0.0.1/9; exec /usr/bin/nsenter --net=/proc/1/ns/net sleep 600' &
PID=$!
waitcomm $PID sleep
NETNS=$(cat "$OUT/netns.note")
for column in COMMAND NPROCS NS PID TYPE USER; do
  both $column --noheadings --raw --output $column --filter "NS == $NETNS"
done
both all --output-all -l
`)
	compareUpstream(t, results)
	want := map[string]string{"NS": notes["netns"], "TYPE": "net", "NPROCS": "0", "PID": "", "USER": "root", "COMMAND": ""}
	for column, v := range want {
		wantOutput(t, results, column, v+"\nrc=0\n")
	}
}

// TestNamespaceRoutes: every way lsns finds a namespace (a process's link, an fd by its link
// text, an fd on the nsfs device whose bind mount is gone or in another mount namespace, a
// socket, a bind mount, and the ancestors met on the way) gives the same columns, with the same
// values, as util-linux 2.42, in every output mode and tree.
func TestNamespaceRoutes(t *testing.T) {
	uid, gid := nstest.Unprivileged(t)
	nstest.RequireTool(t, "/usr/bin/setpriv")
	results, _ := runUpstream(t, `
# net held by an fd opened on /proc/self/ns/net, whose process went back to its own namespace
/usr/bin/unshare --net bash -c 'exec 7</proc/self/ns/net; exec /usr/bin/nsenter --net=/proc/1/ns/net sleep 600' &
waitcomm $! sleep
# net held by a socket
/usr/bin/unshare --net bash -c 'ip link set lo up; exec 3<>/dev/udp/127.0.0.1/9; exec /usr/bin/nsenter --net=/proc/1/ns/net sleep 600' &
waitcomm $! sleep
# net bind-mounted (ip netns), with and without a NETNSID, one of them a process is in too
ip netns add persistent-id; ip netns set persistent-id 7
ip netns add persistent-un
ip netns add with-proc; ip netns set with-proc 9
ip netns exec with-proc sleep 600 &
waitcomm $! sleep
# net held by an fd opened through a bind mount that is gone (its link reads /)
ip netns add gone; ip netns set gone 11
sleep 600 4</run/netns/gone &
waitcomm $! sleep
ip netns delete gone
# net held by an fd opened through a bind mount in another mount namespace
ip netns add elsewhere
/usr/bin/unshare --mount bash -c 'touch /run/elsewhere && mount --bind /run/netns/elsewhere /run/elsewhere && exec sleep 600 5</run/elsewhere' &
waitcomm $! sleep
ip netns delete elsewhere
# a pid namespace held by an fd only (its processes are gone)
/usr/bin/unshare --pid --fork --kill-child sleep 600 &
U=$!
for i in $(seq 1000); do C=$(cat /proc/$U/task/$U/children 2>/dev/null || true); C=${C%% *}; [ -n "$C" ] && break; sleep 0.01; done
waitcomm $C sleep
sleep 600 6</proc/$C/ns/pid &
waitcomm $! sleep
{ kill -9 $U; wait $U; } 2>/dev/null || true
# a user namespace of the test user held by an fd only, with a net namespace it owns held by
# a socket
/usr/bin/setpriv --reuid=$TESTUID --regid=$TESTGID --clear-groups /usr/bin/unshare --user --net sleep 600 &
H=$!
waitcomm $H sleep
sleep 600 8</proc/$H/ns/user 9</proc/$H/ns/net &
waitcomm $! sleep
# a net namespace a process is in, which that process holds open too, owned by a user namespace
# no process is in: util-linux, which reads namespace fds before processes' links, lists that
# owner even without a tree
/usr/bin/setpriv --reuid=$TESTUID --regid=$TESTGID --clear-groups /usr/bin/unshare --user --net sleep 600 &
H2=$!
waitcomm $H2 sleep
/usr/bin/nsenter --net=/proc/$H2/ns/net sleep 600 3</proc/$H2/ns/net &
waitcomm $! sleep
{ kill -9 $H $H2; wait $H $H2; } 2>/dev/null || true
for args in "--output-all -l" "-J --output-all -l" "-T" "-Towner --output-all" "-Tparent --output-all" \
    "-P --output-all" "-t net" "-t net -J" "-t net -W" "-t user -t pid --output-all" \
    "-Q 'NPROCS == 0' --output-all" "-Q 'NETNSID != \"\"' -o NS,NETNSID,NSFS -t net" \
    "-r -o NS,TYPE,NETNSID -Q 'NPROCS == 0 && TYPE == \"net\"'"; do
  eval "both \"$(printf %s "$args" | tr -c 'A-Za-z0-9' _)\" $args"
done
`, "TESTUID="+strconv.Itoa(uid), "TESTGID="+strconv.Itoa(gid))
	compareUpstream(t, results)
	all := results["__output_all__l"].ours
	for _, want := range []string{" nsboxtest ", " unassigned ", "          7 /run/netns/persistent-id", "         11 "} {
		if !strings.Contains(all, want) {
			t.Errorf("--output-all -l has no %q:\n%s", want, all)
		}
	}
	if n := strings.Count(all, "\n"); n < 15 {
		t.Errorf("--output-all -l: %d lines, want at least 15:\n%s", n, all)
	}
}
