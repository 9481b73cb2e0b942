//go:build linux

package lsns

import (
	"os"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestManPageCoversGrammar: man/lsns.8 documents every long option the grammar accepts, and
// every column.
func TestManPageCoversGrammar(t *testing.T) {
	page, err := os.ReadFile("../../man/lsns.8")
	if err != nil {
		t.Fatal(err)
	}
	text := string(page)
	_, g := Command()
	k, err := kong.New(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, group := range k.Model.Node.AllFlags(true) {
		for _, f := range group {
			if want := `\-\-` + strings.ReplaceAll(f.Name, "-", `\-`); !strings.Contains(text, want) {
				t.Errorf("man/lsns.8 lacks option --%s (%s)", f.Name, want)
			}
		}
	}
	for _, c := range columns {
		if !strings.Contains(text, ".B "+c.Name+"\n") {
			t.Errorf("man/lsns.8 lacks column %s", c.Name)
		}
	}
	for _, section := range []string{".SH EXAMPLES", ".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH SEE ALSO"} {
		if !strings.Contains(text, section) {
			t.Errorf("man/lsns.8 lacks %s", section)
		}
	}
}
