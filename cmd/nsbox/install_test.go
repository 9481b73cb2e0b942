//go:build linux

package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
	"github.com/nsbox/nsbox/tools/complete/comptest"
)

// installedFiles lists the files and links under root, relative to it, sorted.
func installedFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func makeTarget(t *testing.T, destdir, target string) {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/make")
	cmd := exec.Command("make", "-C", filepath.Join("..", ".."), target,
		"PREFIX=/usr/local", "DESTDIR="+destdir, "NSBOX="+nstest.Binary(t))
	if res := nstest.Run(t, 5*time.Minute, cmd); res.Code != 0 {
		t.Fatalf("make %s: exit %d\n%s%s", target, res.Code, res.Stdout, res.Stderr)
	}
}

// TestMakeInstall installs into a DESTDIR, checks the files, that each shell finds the
// installed completions where it looks for them, and that make uninstall removes exactly them.
func TestMakeInstall(t *testing.T) {
	destdir := t.TempDir()
	// A file that is not nsbox's in a completion directory must survive uninstall.
	other := filepath.Join(destdir, "usr/local/share/bash-completion/completions/other")
	if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte("complete -F _other other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	makeTarget(t, destdir, "install")

	pages, _ := filepath.Glob(filepath.Join(manDir, "*.[18]"))
	want := []string{"usr/local/bin/nsbox", "usr/local/share/bash-completion/completions/nsbox",
		"usr/local/share/bash-completion/completions/other"}
	for _, name := range append([]string{"nsbox"}, appletNamesList()...) {
		want = append(want, "usr/local/share/zsh/site-functions/_"+name,
			"usr/local/share/fish/vendor_completions.d/"+name+".fish")
	}
	for _, name := range appletNamesList() {
		want = append(want, "usr/local/bin/"+name, "usr/local/share/bash-completion/completions/"+name)
	}
	for _, p := range pages {
		want = append(want, "usr/local/share/man/man"+p[len(p)-1:]+"/"+filepath.Base(p))
	}
	slices.Sort(want)
	if got := installedFiles(t, destdir); !slices.Equal(got, want) {
		t.Errorf("make install: got %q, want %q", got, want)
	}
	for _, name := range appletNamesList() {
		if target, err := os.Readlink(filepath.Join(destdir, "usr/local/bin", name)); err != nil || target != "nsbox" {
			t.Errorf("usr/local/bin/%s: got link %q (%v), want nsbox", name, target, err)
		}
	}

	share := filepath.Join(destdir, "usr/local/share")
	t.Run("bash-completion loads it", func(t *testing.T) {
		nstest.RequireTool(t, "/usr/share/bash-completion/bash_completion")
		// bash-completion finds completions/NAME on demand, under XDG_DATA_DIRS.
		pre := "source /usr/share/bash-completion/bash_completion; XDG_DATA_DIRS=" + share + " __load_completion nsenter"
		got := comptest.Bash(t, os.DevNull, "nsenter --ver", pre)
		if !slices.Equal(got, []string{"--version"}) {
			t.Errorf("bash %q: got %q, want [--version]", "nsenter --ver", got)
		}
	})
	t.Run("zsh autoloads it", func(t *testing.T) {
		// zsh ships its own _nsenter, which has no --trace; the site-functions one comes first
		// in fpath and wins. (While nsenter is a stub without --trace, pidns-init is checked.)
		line, want := "pidns-init --vers", "--version"
		if hasOption(models(t), "nsenter", "trace") {
			line, want = "nsenter --tra", "--trace"
		}
		got := comptest.ZshWith(t, "fpath=("+filepath.Join(share, "zsh/site-functions")+" $fpath)", ":", line)
		if !slices.Equal(got, []string{want}) {
			t.Errorf("zsh %q: got %q, want [%s]", line, got, want)
		}
	})
	t.Run("fish autoloads it", func(t *testing.T) {
		nstest.RequireTool(t, "/usr/bin/fish")
		// fish sets up its completion path from XDG_DATA_DIRS only with its configuration read
		// (not with --no-config), so HOME is a fresh directory instead; and it loads the
		// completions of a command only when the command is on PATH.
		cmd := exec.Command("/usr/bin/fish", "-c", `complete -C"pidns-init --vers"`)
		home := t.TempDir()
		cmd.Env = append(os.Environ(), "XDG_DATA_DIRS="+share+":/usr/share", "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home,
			"PATH="+filepath.Join(destdir, "usr/local/bin")+":"+os.Getenv("PATH"))
		res := nstest.Run(t, time.Minute, cmd)
		if res.Code != 0 || !strings.HasPrefix(res.Stdout, "--version\t") {
			t.Errorf("fish %q: got %d %q, want --version", "pidns-init --vers", res.Code, res.Stdout)
		}
	})

	makeTarget(t, destdir, "uninstall")
	want = []string{"usr/local/share/bash-completion/completions/other"}
	if got := installedFiles(t, destdir); !slices.Equal(got, want) {
		t.Errorf("make uninstall left %q, want only %q", got, want)
	}
}

func appletNamesList() []string {
	return strings.Split(appletNames(" "), " ")
}
