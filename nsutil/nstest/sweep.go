//go:build linux

package nstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// SweepCase is one row of a differential table of messages: the arguments that make the
// reference tool print one of its messages, and what nsbox does with them.
type SweepCase struct {
	Message string   // the reference's message (its format string), the row's name
	Args    []string // the command line after the tool's name
	As      User     // whom to run as; nil: the test's own user (root)
	// Differs is "" when nsbox's stdout, stderr and exit status are the reference's byte for
	// byte. Otherwise nsbox deliberately differs, and Differs is a phrase of the DIFFERENCES
	// section of the tool's man page, which says how and why.
	Differs string
}

// SweepOptions says how to run and compare a table.
type SweepOptions struct {
	Ours, Ref string // the binaries
	ManPage   string // the man page whose DIFFERENCES section Differs phrases are looked up in
	Dir       string // working directory, "" for /
	// Normalize rewrites both outputs before they are compared (PIDs of helper processes,
	// for instance); nil keeps them as they are.
	Normalize func(string) string
}

// Sweep runs each case with both binaries and reports every row whose results differ without
// a documented reason, or whose reason the man page does not give. It returns how many rows
// were identical and how many differ as documented.
func Sweep(t *testing.T, o SweepOptions, cases []SweepCase) (same, documented int) {
	t.Helper()
	differences := ManSection(t, o.ManPage, "DIFFERENCES")
	norm := o.Normalize
	if norm == nil {
		norm = func(s string) string { return s }
	}
	for _, c := range cases {
		var got, want Result
		identical := false
		// util-linux's lsns fails now and then when a process exits while it reads /proc (and
		// other helpers' tests start and end many): a difference counts if it stays.
		for try := 0; try < 3 && !identical; try++ {
			got = sweepRun(t, o.Ours, o.Dir, c)
			want = sweepRun(t, o.Ref, o.Dir, c)
			got.Stdout, got.Stderr = norm(got.Stdout), norm(strings.ReplaceAll(got.Stderr, o.Ours, "BIN"))
			want.Stdout, want.Stderr = norm(want.Stdout), norm(strings.ReplaceAll(want.Stderr, o.Ref, "BIN"))
			identical = got == want
			if c.Differs != "" {
				break
			}
		}
		switch {
		case c.Differs == "" && !identical:
			t.Errorf("%s %q: ours: exit %d, stdout %q, stderr %q; %s: exit %d, stdout %q, stderr %q",
				c.Message, c.Args, got.Code, got.Stdout, got.Stderr, o.Ref, want.Code, want.Stdout, want.Stderr)
		case c.Differs == "":
			same++
		case identical:
			t.Errorf("%s %q: documented as differing (%q), but ours and %s agree: exit %d, stderr %q",
				c.Message, c.Args, c.Differs, o.Ref, got.Code, got.Stderr)
		case !strings.Contains(differences, c.Differs):
			t.Errorf("%s %q: the DIFFERENCES section of %s does not say %q", c.Message, c.Args, o.ManPage, c.Differs)
		default:
			documented++
		}
	}
	t.Logf("%d cases: %d identical, %d documented differences", len(cases), same, documented)
	return same, documented
}

func sweepRun(t *testing.T, bin, dir string, c SweepCase) Result {
	t.Helper()
	cmd := exec.Command(bin, c.Args...)
	cmd.Dir = "/"
	if dir != "" {
		cmd.Dir = dir
	}
	if c.As != nil {
		// root's PATH may hold directories the user cannot search (EACCES, exit 126).
		cmd.Env = append(os.Environ(), "HOME=/", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
	}
	return RunAs(t, c.As, 60*time.Second, cmd)
}

// ManSection is the text of section name (".SH NAME") of the man page file (a path relative
// to the module's root, e.g. "man/nsenter.1"), roff requests stripped and lines joined by
// single spaces, so that a phrase is found whatever the line breaks and fonts.
func ManSection(t testing.TB, file, name string) string {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, ".SH ") {
			in = strings.HasPrefix(strings.TrimPrefix(line, ".SH "), name)
			continue
		}
		if !in {
			continue
		}
		if strings.HasPrefix(line, ".") {
			request, rest, _ := strings.Cut(line, " ")
			if request == ".IP" || request == ".PP" || request == ".TP" {
				continue
			}
			line = strings.Trim(rest, `"`)
		}
		words = append(words, strings.Fields(roffEscapes.ReplaceAllString(line, ""))...)
	}
	return strings.ReplaceAll(strings.Join(words, " "), `\-`, "-")
}

// roffEscapes are the font changes and spacing escapes of roff text.
var roffEscapes = regexp.MustCompile(`\\f[BIRP]|\\\(bu|\\&|\\\(dq`)
