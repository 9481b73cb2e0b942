//go:build linux

package unshare

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// resolveArgs parses args as unshare's command line (which must parse) and resolves it.
func resolveArgs(t *testing.T, args ...string) (*options, error) {
	t.Helper()
	spec, g := Command()
	var out, errb bytes.Buffer
	spec.Stdout, spec.Stderr = &out, &errb
	opts, code, done := cli.Parse(spec, g, args)
	if done {
		t.Fatalf("parse %q: exit %d, %s", args, code, errb.String())
	}
	return resolve(g.(*grammar), opts)
}

// describe parses args and returns the plan's steps as nsutil's Describe lists them.
func describe(t *testing.T, args ...string) string {
	t.Helper()
	o, err := resolveArgs(t, args...)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	p, err := buildPlan(o)
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return p.Describe()
}

// inOrder checks that each want line occurs in plan, in this order.
func inOrder(t *testing.T, args []string, plan string, want ...string) {
	t.Helper()
	rest := plan
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Errorf("%q: %q missing or out of order in\n%s", args, w, plan)
			return
		}
		rest = rest[i+len(w):]
	}
}

// The plan follows util-linux's sequence (reference: "Sequence").
func TestPlanSequence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "net")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	euid := os.Geteuid()
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"-nui", "true"}, []string{"[0] unshare(CLONE_NEWIPC|CLONE_NEWUTS|CLONE_NEWNET)", `[0] execve("true", ["true"])`}},
		{[]string{"-r", "-n", "id"}, []string{"[0] unshare(CLONE_NEWUSER|CLONE_NEWNET)", `write /proc/self/uid_map "0 `, `write /proc/self/setgroups "deny"`, `write /proc/self/gid_map "0 `, "execve"}},
		// Persistence: the bind helper is forked first and released by the parent after fork.
		{[]string{"--net=" + file, "--map-users=1:100000:10", "-f", "true"}, []string{
			"[0] fork() helper", `[2] mount("/proc/%p/ns/net", "` + file + `"`, "[2] exit helper",
			"[0] fork() helper", "[2] exit helper",
			"[0] unshare(CLONE_NEWUSER|CLONE_NEWNET)", "[0] wait4(helper)", "[0] fork()", "[1] wait4(helper)", "[1] wait4(child)", "[0] execve"}},
		// A file that cannot be bound fails where util-linux's bind would: after unshare (and
		// the ID maps and time offsets), before the fork.
		{[]string{"--net=" + filepath.Join(filepath.Dir(file), "missing"), "--map-users=1:100000:10", "-T", "--monotonic=5", "-f", "true"}, []string{
			"[0] unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWTIME)", "[0] wait4(helper)", `[0] write /proc/self/timens_offsets "1 5 0"`,
			`[0] fail("mount /proc/%p/ns/net on ` + filepath.Join(filepath.Dir(file), "missing") + ` failed", 2)`, "[0] fork()"}},
		{[]string{"--owner=1:2", "true"}, []string{"[0] setgroups(0, [])", "[0] setresgid(2, 2, 2)", "[0] setresuid(1, 1, 1)", "[0] unshare(CLONE_NEWUSER)"}},
		{[]string{"--kill-child=TERM", "true"}, []string{"[0] fork()", "[1] wait4(child)", "[0] prctl(PR_SET_PDEATHSIG, 15)", "[0] getppid() == parent", "[0] execve"}},
		{[]string{"-T", "--monotonic=5", "--boottime=-3", "-f", "true"}, []string{`write /proc/self/timens_offsets "7 -3 0"`, `write /proc/self/timens_offsets "1 5 0"`, "[0] fork()"}},
		{[]string{"-fp", "--mount-proc", "-R", "/", "-S", "0", "-G", "0", "true"}, []string{
			"unshare(CLONE_NEWPID|CLONE_NEWNS)", "fork()", `mount("none", "/", "", MS_REC|MS_PRIVATE`, `chroot("/")`, `chdir("/")`,
			`mount("proc", "/proc", "proc", MS_NOSUID|MS_NOEXEC|MS_NODEV`, "setgroups(0, [])", "setresgid(0, 0, 0)", "setresuid(0, 0, 0)", "execve"}},
		{[]string{"-m", "--propagation=unchanged", "--mount-proc=/mnt", "true"}, []string{`mount("none", "/mnt", "", MS_REC|MS_PRIVATE`, `mount("proc", "/mnt"`}},
		{[]string{"-p", "--init", "sleep", "1"}, []string{"[0] fork()", `execveat(`, `["pidns-init", "--", "sleep", "1"]`}},
		{[]string{"-U", "--keep-caps", "true"}, []string{"capset(inheritable=permitted)"}},
	}
	for _, tc := range tests {
		plan := describe(t, tc.args...)
		inOrder(t, tc.args, plan, tc.want...)
	}
	if euid == 0 {
		plan := describe(t, "--map-users=0:100000:65536", "true")
		inOrder(t, nil, plan, `write /proc/%p/uid_map "0 100000 65536\n"`)
	}
}

// -m without --propagation makes "/" private; unchanged leaves it; without -m nothing.
func TestPlanPropagation(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" for no propagation step
	}{
		{[]string{"-m", "true"}, "MS_REC|MS_PRIVATE"},
		{[]string{"-m", "--propagation", "slave", "true"}, "MS_REC|MS_SLAVE"},
		{[]string{"-m", "--propagation=shared", "true"}, "MS_REC|MS_SHARED"},
		{[]string{"-m", "--propagation=unchanged", "true"}, ""},
		{[]string{"-n", "--propagation=slave", "true"}, ""},
	}
	for _, tc := range tests {
		plan := describe(t, tc.args...)
		got := ""
		for _, line := range strings.Split(plan, "\n") {
			if strings.Contains(line, `mount("none", "/"`) {
				got = line
			}
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%q: propagation step %q, want %q", tc.args, got, tc.want)
		}
	}
}

// No program: $SHELL as a login shell.
func TestPlanShell(t *testing.T) {
	t.Setenv("SHELL", "/bin/bash")
	inOrder(t, nil, describe(t, "-n"), `execve("/bin/bash", ["-bash"])`)
	inOrder(t, nil, describe(t, "-n", "--clear-env"), `execve("`)
}
