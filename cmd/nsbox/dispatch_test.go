//go:build linux

package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

func run(t *testing.T, name string, args ...string) nstest.Result {
	t.Helper()
	return nstest.Run(t, 20*time.Second, exec.Command(name, args...))
}

// inProcess runs the dispatcher in this process on argv (argv[0] names the applet or nsbox),
// for what needs no process of its own: options, usage errors, help.
func inProcess(argv ...string) nstest.Result {
	return nstest.RunMain(func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return dispatch(append([]string{argv[0]}, args...), stdin, stdout, stderr)
	}, argv[1:]...)
}

func TestList(t *testing.T) {
	res := run(t, nstest.Binary(t), "--list")
	if res.Code != 0 || res.Stdout != "unshare\nnsenter\nlsns\npidns-init\n" {
		t.Errorf("nsbox --list = %d %q, want the four applets", res.Code, res.Stdout)
	}
}

func TestVersion(t *testing.T) {
	for _, flag := range []string{"--version", "-V"} {
		res := inProcess("/usr/bin/nsbox", flag)
		if res.Code != 0 || !strings.HasPrefix(res.Stdout, "nsbox from nsbox ") {
			t.Errorf("nsbox %s = %d %q", flag, res.Code, res.Stdout)
		}
	}
	for _, a := range applets {
		for _, flag := range []string{"--version", "-V"} {
			res := inProcess("/usr/local/bin/"+a.name, flag)
			if res.Code != 0 || !strings.HasPrefix(res.Stdout, a.name+" from nsbox ") {
				t.Errorf("%s %s = %d %q, want '%s from nsbox VERSION'", a.name, flag, res.Code, res.Stdout, a.name)
			}
		}
	}
}

func TestUnknownApplet(t *testing.T) {
	want := "nsbox: unknown applet 'frobnicate'\nApplets: unshare, nsenter, lsns, pidns-init\n"
	for _, argv := range [][]string{{"nsbox", "frobnicate", "-x"}, {"nsbox", "--", "frobnicate"}, {"/tmp/frobnicate"}} {
		if res := inProcess(argv...); res.Code != 1 || res.Stderr != want {
			t.Errorf("%q = %d %q, want 1 %q", argv, res.Code, res.Stderr, want)
		}
	}
	// Reached through a symlink with an unknown name, too.
	link := filepath.Join(t.TempDir(), "frobnicate")
	if err := os.Symlink(nstest.Binary(t), link); err != nil {
		t.Fatal(err)
	}
	if res := run(t, link); res.Code != 1 || res.Stderr != want {
		t.Errorf("frobnicate (symlink) = %d %q, want 1 %q", res.Code, res.Stderr, want)
	}
}

// TestHelpIsTheApplets: `APPLET --help` starts with its own name, and `nsbox APPLET --help`
// prints exactly the same.
func TestHelpIsTheApplets(t *testing.T) {
	for _, a := range applets {
		direct := inProcess(a.name, "--help")
		via := inProcess("nsbox", a.name, "--help")
		if direct.Code != 0 || !strings.HasPrefix(direct.Stdout, "Usage: "+a.name+" ") {
			t.Errorf("%s --help = %d, starts %q; want 0 and 'Usage: %s '", a.name, direct.Code, firstLine(direct.Stdout), a.name)
		}
		if via.Stdout != direct.Stdout || via.Code != direct.Code {
			t.Errorf("nsbox %s --help differs from %s --help:\n%s\nvs\n%s", a.name, a.name, via.Stdout, direct.Stdout)
		}
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// TestUsageErrors: every applet reports a bad option in util-linux's two lines and exits 1,
// never kong's 80.
func TestUsageErrors(t *testing.T) {
	for _, a := range applets {
		for _, bad := range [][]string{{"--no-such-option"}, {"-§"}} {
			res := inProcess(append([]string{a.name}, bad...)...)
			lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
			if res.Code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], a.name+": ") ||
				lines[1] != "Try '"+a.name+" --help' for more information." {
				t.Errorf("%s %s = %d %q; want exit 1 and two lines", a.name, bad[0], res.Code, res.Stderr)
			}
		}
	}
	for _, tt := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--no-such-option"}, "unrecognized option '--no-such-option'"},
		{[]string{"--list", "extra"}, "--list takes no arguments"},
		{[]string{"--install", "a", "b"}, "--install takes one directory"},
	} {
		res := inProcess(append([]string{"nsbox"}, tt.args...)...)
		if want := "nsbox: " + tt.msg + "\nTry 'nsbox --help' for more information.\n"; res.Code != 1 || res.Stdout != "" || res.Stderr != want {
			t.Errorf("nsbox %q = %d %q %q; want 1, nothing and %q", tt.args, res.Code, res.Stdout, res.Stderr, want)
		}
	}
	// --completion is in the help, as in nsbox(1) and README.
	if res := inProcess("nsbox", "--help"); !strings.Contains(res.Stdout, "\n     --completion <shell>  ") {
		t.Errorf("nsbox --help does not list --completion:\n%s", res.Stdout)
	}
}

func TestInstall(t *testing.T) {
	bin := nstest.Binary(t)
	self, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A regular file in the way is kept and reported; the others are created.
	if err := os.WriteFile(filepath.Join(dir, "lsns"), []byte("mine"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := run(t, bin, "--install", dir)
	if res.Code != 0 || !strings.Contains(res.Stderr, "skipped "+filepath.Join(dir, "lsns")) {
		t.Errorf("--install = %d, stderr %q; want a skip of lsns", res.Code, res.Stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "lsns")); string(data) != "mine" {
		t.Errorf("--install replaced a regular file without --force")
	}
	for _, name := range []string{"unshare", "nsenter", "pidns-init"} {
		if target, err := filepath.EvalSymlinks(filepath.Join(dir, name)); err != nil || target != self {
			t.Errorf("%s -> %q, %v; want a link to %s", name, target, err, self)
		}
	}
	// Again: the existing links are links to nsbox, so they are simply renewed.
	if res := run(t, bin, "--install", dir); res.Code != 0 || strings.Count(res.Stderr, "skipped") != 1 {
		t.Errorf("second --install = %d, stderr %q; want only lsns skipped", res.Code, res.Stderr)
	}
	if res := run(t, bin, "--install", "--force", dir); res.Code != 0 || res.Stderr != "" {
		t.Errorf("--install --force = %d, stderr %q", res.Code, res.Stderr)
	}
	if target, err := filepath.EvalSymlinks(filepath.Join(dir, "lsns")); err != nil || target != self {
		t.Errorf("after --force lsns -> %q, %v", target, err)
	}
	// The links work: the applet is chosen by argv[0].
	if res := run(t, filepath.Join(dir, "lsns"), "--version"); !strings.HasPrefix(res.Stdout, "lsns from nsbox") {
		t.Errorf("installed lsns --version = %q", res.Stdout)
	}
	if res := run(t, bin, "--install", filepath.Join(dir, "missing")); res.Code != 1 || !strings.HasPrefix(res.Stderr, "nsbox: ") {
		t.Errorf("--install into a missing dir = %d %q", res.Code, res.Stderr)
	}
}

// TestPlanMarkerWithoutPreRuntime: a stray marker in the environment is consumed by the
// pre-runtime stage, which reports it instead of running anything.
func TestStrayPlanMarker(t *testing.T) {
	cmd := exec.Command(nstest.Binary(t), "--list")
	cmd.Env = append(os.Environ(), "_NSBOX_PLAN=notanfd")
	res := nstest.Run(t, 10*time.Second, cmd)
	if res.Code != 1 || res.Stderr != "nsbox: malformed _NSBOX_PLAN\n" {
		t.Errorf("with a malformed marker: %d %q", res.Code, res.Stderr)
	}
	cmd = exec.Command(nstest.Binary(t), "--list")
	cmd.Env = append(os.Environ(), "_NSBOX_PLAN=0")
	cmd.Stdin = strings.NewReader("not a plan")
	if res := nstest.Run(t, 10*time.Second, cmd); res.Code != 1 || res.Stderr != "nsbox: malformed plan\n" {
		t.Errorf("with a marker on a non-plan: %d %q", res.Code, res.Stderr)
	}
}

// The names container engines give their init run pidns-init: `docker run --init` with the
// binary as docker-init, podman's init_path, or a tini drop-in; `nsbox tini` too.
func TestInitAliases(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"docker-init", "podman-init", "tini"} {
		link := filepath.Join(dir, name)
		if err := os.Symlink(nstest.Binary(t), link); err != nil {
			t.Fatal(err)
		}
		if res := run(t, link, "--version"); res.Code != 0 || !strings.HasPrefix(res.Stdout, "pidns-init from nsbox ") {
			t.Errorf("%s --version = %d %q, want pidns-init's version", name, res.Code, res.Stdout)
		}
		if res := run(t, link, "--", "sh", "-c", "exit 7"); res.Code != 7 || res.Stderr != "" {
			t.Errorf("%s -- sh -c 'exit 7' = %d (stderr %q), want 7 as the program's status", name, res.Code, res.Stderr)
		}
	}
	for _, name := range []string{"tini", "docker-init"} {
		if res := run(t, nstest.Binary(t), name, "--", "sh", "-c", "exit 7"); res.Code != 7 || res.Stderr != "" {
			t.Errorf("nsbox %s -- sh -c 'exit 7' = %d (stderr %q), want 7 as the program's status", name, res.Code, res.Stderr)
		}
	}
}
