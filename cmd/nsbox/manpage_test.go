//go:build linux

package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// manDir is the repository's man/ from this package's directory (go test runs tests there).
var manDir = filepath.Join("..", "..", "man")

// manPage reads man/NAME.1 or man/NAME.8.
func manPage(name string) (string, string, error) {
	for _, section := range []string{"1", "8"} {
		path := filepath.Join(manDir, name+"."+section)
		b, err := os.ReadFile(path)
		if err == nil {
			return path, string(b), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return path, "", err
		}
	}
	return "", "", os.ErrNotExist
}

// documentsLong reports whether the roff text spells --name (as \-\-name or --name, its own
// hyphens either way), not only as the start of a longer option (--net of --net-socket).
func documentsLong(page, name string) bool {
	hyphen := `(?:\\-|-)`
	parts := strings.Split(name, "-")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile(hyphen + hyphen + strings.Join(parts, hyphen) + `(?:[^A-Za-z0-9\\-]|\\[^-]|$)`)
	return re.MatchString(page)
}

// pageCommands are the commands with a man page: nsbox itself and every applet.
func pageCommands() []struct {
	name    string
	command func() (cli.Spec, any)
} {
	out := []struct {
		name    string
		command func() (cli.Spec, any)
	}{{"nsbox", func() (cli.Spec, any) { return nsboxSpec(), &nsboxGrammar{} }}}
	for _, a := range applets {
		out = append(out, struct {
			name    string
			command func() (cli.Spec, any)
		}{a.name, a.command})
	}
	return out
}

// TestManPagesDocumentEveryLongOption fails when a command accepts a long option that its man
// page does not spell, so the pages cannot drift from the kong grammars. A stub applet (only
// --help and --version) may still lack its page.
func TestManPagesDocumentEveryLongOption(t *testing.T) {
	for _, c := range pageCommands() {
		model, err := cli.Model(c.command())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var longs []string
		for _, group := range model.Node.AllFlags(true) {
			for _, f := range group {
				longs = append(longs, f.Name)
				longs = append(longs, f.Aliases...)
			}
		}
		path, page, err := manPage(c.name)
		if errors.Is(err, os.ErrNotExist) {
			if len(longs) > 2 || c.name == "nsbox" {
				t.Errorf("%s has options %q but no man/%s.1 or man/%s.8", c.name, longs, c.name, c.name)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, long := range longs {
			if !documentsLong(page, long) {
				t.Errorf("%s accepts --%s, but %s does not document it (spell it \\-\\-%s)", c.name, long, path, strings.ReplaceAll(long, "-", `\-`))
			}
		}
	}
}

func TestDocumentsLong(t *testing.T) {
	tests := []struct {
		page, name string
		want       bool
	}{
		{`.BR \-\-net [=\fIfile\fR]`, "net", true},
		{`\fB\-\-net\fR`, "net", true},
		{`\fB\-\-net\-socket\fR`, "net", false},
		{`\fB\-\-net\-socket\fR`, "net-socket", true},
		{"--preserve-credentials", "preserve-credentials", true},
		{`\-\-preserve\-credentials`, "preserve-credentials", true},
		{`\-\-preserve`, "preserve-credentials", false},
		{`\-\-kill\-child=\fIsigname\fR`, "kill-child", true},
		{`.B \-\-list`, "list", true},
		{`.B \-\-list\-columns`, "list", false},
	}
	for _, tt := range tests {
		if got := documentsLong(tt.page, tt.name); got != tt.want {
			t.Errorf("documentsLong(%q, %q): got %v, want %v", tt.page, tt.name, got, tt.want)
		}
	}
}

// requiredSections are the sections every page has, in this order.
var requiredSections = []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
	"ENVIRONMENT", "EXAMPLES", "SEE ALSO"}

// TestManPagesHaveSections checks that every page in man/ has the required .SH sections, in
// order (others may come between them).
func TestManPagesHaveSections(t *testing.T) {
	pages, err := filepath.Glob(filepath.Join(manDir, "*.[18]"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no man pages in %s (%v)", manDir, err)
	}
	for _, path := range pages {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range strings.Split(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, ".SH "); ok {
				got = append(got, strings.Trim(strings.TrimSpace(name), `"`))
			}
		}
		next := 0
		for _, s := range got {
			if next < len(requiredSections) && s == requiredSections[next] {
				next++
			}
		}
		if next < len(requiredSections) {
			t.Errorf("%s: sections %q, want %q in this order (missing from %s on)", path, got, requiredSections, requiredSections[next])
		}
	}
}
