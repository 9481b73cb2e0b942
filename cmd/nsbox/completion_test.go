//go:build linux

package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nsbox/nsbox/nsutil/nstest"
	"github.com/nsbox/nsbox/tools/complete"
	"github.com/nsbox/nsbox/tools/complete/comptest"
)

// completionScript runs `nsbox --completion=SHELL [COMMAND...]` and returns the path of the
// script it printed.
func completionScript(t *testing.T, shell string, only ...string) string {
	t.Helper()
	res := run(t, nstest.Binary(t), append([]string{"--completion=" + shell}, only...)...)
	if res.Code != 0 || res.Stderr != "" || res.Stdout == "" {
		t.Fatalf("nsbox --completion=%s: exit %d, stderr %q, %d bytes of script", shell, res.Code, res.Stderr, len(res.Stdout))
	}
	path := filepath.Join(t.TempDir(), "nsbox."+shell)
	if err := os.WriteFile(path, []byte(res.Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// models is the completion model of nsbox and of every applet, from the grammars.
func models(t *testing.T) []*complete.Applet {
	t.Helper()
	m, err := completionModels(nil)
	if err != nil {
		t.Fatalf("completion models: %v", err)
	}
	return m
}

// issueExamples are the completions the issue names; each is checked once its applet is more
// than a stub with only --help and --version.
var issueExamples = []struct {
	applet, line string
	want         []string
}{
	{"nsenter", "nsenter --pres", []string{"--preserve-credentials"}},
	{"lsns", "lsns -o N", []string{"NETNSID", "NPROCS", "NS", "NSFS"}},
	{"nsenter", "nsbox nsenter --pres", []string{"--preserve-credentials"}},
}

// isStub reports whether the applet's grammar is still a stub: no options but -h and -V.
func isStub(ms []*complete.Applet, applet string) bool {
	for _, m := range ms {
		if m.Name == applet {
			return len(m.Options) <= 2
		}
	}
	return true
}

func hasOption(ms []*complete.Applet, applet, long string) bool {
	for _, m := range ms {
		if m.Name == applet && slices.Contains(m.LongNames(), long) {
			return true
		}
	}
	return false
}

// TestCompletionEveryLongOption checks, in bash and fish, that `APPLET --` offers every long
// option the applet's grammar accepts, through the applet's name and through `nsbox APPLET`.
func TestCompletionEveryLongOption(t *testing.T) {
	bash, fish := completionScript(t, "bash"), completionScript(t, "fish")
	for _, m := range models(t) {
		for _, line := range []string{m.Name + " --", "nsbox " + m.Name + " --"} {
			if m.Name == "nsbox" && line != "nsbox --" {
				continue
			}
			gotBash, gotFish := comptest.Bash(t, bash, line, ""), comptest.Fish(t, fish, line)
			for _, o := range m.Options {
				if o.Long == "" {
					continue
				}
				// bash offers an option whose value can only be attached both alone and as --LONG=.
				want := []string{"--" + o.Long}
				if o.Arity == complete.OptionalValue {
					want = append(want, "--"+o.Long+"=")
				}
				for _, w := range want {
					if !slices.Contains(gotBash, w) {
						t.Errorf("bash %q: got %q, want it to include %s", line, gotBash, w)
					}
				}
				if !slices.Contains(gotFish, "--"+o.Long) {
					t.Errorf("fish %q: got %q, want it to include --%s", line, gotFish, o.Long)
				}
			}
		}
	}
}

// TestCompletionFixedValues checks that every option with a fixed set of values (enums and
// the complete tag's kinds, columns, signals and values=) offers all of them after --LONG=.
func TestCompletionFixedValues(t *testing.T) {
	bash := completionScript(t, "bash")
	for _, m := range models(t) {
		for _, o := range m.Options {
			if o.Long == "" || o.Arity == complete.NoValue || o.Value.Action != complete.ActWords {
				continue
			}
			line := m.Name + " --" + o.Long + "="
			got := comptest.Bash(t, bash, line, "")
			want := slices.Sorted(slices.Values(o.Value.Words))
			if !slices.Equal(got, want) {
				t.Errorf("bash %q: got %q, want %q", line, got, want)
			}
		}
	}
}

// TestBashCompletionOptionalValueBothForms: in bash, an option whose value is optional (and so
// only ever attached) completes as in fish, to both forms, the bare one being the common use:
// `unshare --ne<TAB>` offers --net and --net=, so bash inserts --net and no space, and the whole
// name alone completes with a space. An option whose value is required completes alone, with a
// space, its value being the next word.
func TestBashCompletionOptionalValueBothForms(t *testing.T) {
	bash := completionScript(t, "bash")
	for _, tt := range []struct {
		line string
		want []string
	}{
		{"unshare --ne", []string{"--net", "--net="}},
		{"unshare --mount-pr", []string{"--mount-proc", "--mount-proc="}},
		{"unshare --col", []string{"--color", "--color="}},
		{"nsenter --col", []string{"--color", "--color="}},
		{"nsbox unshare --ne", []string{"--net", "--net="}},
		{"unshare --mount-", []string{"--mount-binfmt", "--mount-binfmt=", "--mount-proc", "--mount-proc="}},
		{"unshare --net", []string{"--net"}},
		{"unshare --mount-proc", []string{"--mount-proc"}},
		{"unshare --color", []string{"--color"}},
		{"unshare --propag", []string{"--propagation"}},
		{"unshare --color=", []string{"always", "auto", "never"}},
		{"nsenter --color pw", []string{"pwd"}},
	} {
		got, opts := comptest.BashOptions(t, bash, tt.line, "")
		if tt.line == "nsenter --color pw" { // a program name: others may start with pw
			if !slices.Contains(got, "pwd") || slices.Contains(got, "always") {
				t.Errorf("bash %q: got %q, want program names, pwd among them", tt.line, got)
			}
			continue
		}
		if !slices.Equal(got, tt.want) || slices.Contains(opts, "-o nospace") {
			t.Errorf("bash %q: got %q with compopt %q, want %q and no -o nospace", tt.line, got, opts, tt.want)
		}
	}
}

func TestCompletionIssueExamples(t *testing.T) {
	bash, fish := completionScript(t, "bash"), completionScript(t, "fish")
	ms := models(t)
	for _, ex := range issueExamples {
		if isStub(ms, ex.applet) {
			t.Logf("%s is still a stub: %q not checked", ex.applet, ex.line)
			continue
		}
		if got := comptest.Bash(t, bash, ex.line, ""); !slices.Equal(got, ex.want) {
			t.Errorf("bash %q: got %q, want %q", ex.line, got, ex.want)
		}
		if got := comptest.Fish(t, fish, ex.line); !slices.Equal(got, ex.want) {
			t.Errorf("fish %q: got %q, want %q", ex.line, got, ex.want)
		}
	}
}

// TestCompletionZsh checks the zsh scripts (all commands, and one per command as make install
// writes them) with zsh -n, and completes `nsbox --` in compsys.
func TestCompletionZsh(t *testing.T) {
	nstest.RequireTool(t, "/usr/bin/zsh")
	scripts := []string{completionScript(t, "zsh")}
	for _, m := range models(t) {
		scripts = append(scripts, completionScript(t, "zsh", m.Name))
	}
	for _, s := range scripts {
		if res := run(t, "/usr/bin/zsh", "-n", s); res.Code != 0 || res.Stderr != "" {
			t.Errorf("zsh -n %s: exit %d, stderr %q, want 0 and nothing", s, res.Code, res.Stderr)
		}
	}
	got := comptest.Zsh(t, scripts[0], "nsbox --")
	for _, long := range models(t)[0].LongNames() {
		if !slices.Contains(got, "--"+long) {
			t.Errorf("zsh %q: got %q, want it to include --%s", "nsbox --", got, long)
		}
	}
}

func TestCompletionErrors(t *testing.T) {
	for _, args := range [][]string{{"--completion=tcsh"}, {"--completion=bash", "frobnicate"}} {
		res := run(t, nstest.Binary(t), args...)
		if res.Code != 1 || res.Stdout != "" || res.Stderr == "" {
			t.Errorf("nsbox %q: got exit %d, stdout %q, stderr %q, want 1, nothing, a message", args, res.Code, res.Stdout, res.Stderr)
		}
	}
}

// TestCompletionNetnsNames: `ip netns` names are what nsenter's --net takes (--net=NAME is
// /run/netns/NAME), so its value completes them (or files); unshare's --net=FILE is a file to
// bind the new namespace onto, where a name would be a path relative to the directory, so it
// completes files.
func TestCompletionNetnsNames(t *testing.T) {
	want := map[string]complete.Action{"nsenter": complete.ActNetns, "unshare": complete.ActFiles}
	for _, m := range models(t) {
		action, ok := want[m.Name]
		if !ok {
			continue
		}
		delete(want, m.Name)
		found := false
		for _, o := range m.Options {
			if o.Long == "net" {
				found = true
				if o.Value.Action != action {
					t.Errorf("%s --net= completes %q, want %q", m.Name, o.Value.Action, action)
				}
			}
		}
		if !found {
			t.Errorf("%s has no --net option in its completion model", m.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("no completion model for %v", want)
	}
}
