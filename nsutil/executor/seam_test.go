//go:build linux

package executor

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite seam.go from cstage/stage.h")

// The constants Go and C share come from cstage/stage.h: seam.go is generated from it, so an
// operation, flag, role or exit status that differs between the two fails this test.
var (
	seamEnumRE   = regexp.MustCompile(`(?m)^\s*((?:OP|F|ROLE|PLAN|EXIT)_[A-Z0-9_]+)\s*=\s*([^,]+),`)
	seamStringRE = regexp.MustCompile(`(?m)^#define NSBOX_([A-Z]+) ("[^"]*")$`)
)

// goName turns OP_CHECK_PARENT into opCheckParent and F_EXIT_1 into flagExit1.
func goName(c string) string {
	words := strings.Split(strings.ToLower(c), "_")
	prefix := map[string]string{"op": "op", "f": "flag", "role": "role", "plan": "plan", "exit": "exit"}[words[0]]
	if prefix == "" { // NSBOX_MARKER's "marker"
		return words[0]
	}
	var b strings.Builder
	b.WriteString(prefix)
	for _, w := range words[1:] {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func generateSeam(header []byte) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated from cstage/stage.h by TestSeam; DO NOT EDIT.\n\n")
	b.WriteString("//go:build linux\n\npackage executor\n\n")
	strs := seamStringRE.FindAllSubmatch(header, -1)
	enums := seamEnumRE.FindAllSubmatch(header, -1)
	if len(strs) == 0 || len(enums) == 0 {
		return nil, fmt.Errorf("stage.h: found %d strings and %d constants", len(strs), len(enums))
	}
	b.WriteString("const (\n")
	for _, m := range strs {
		fmt.Fprintf(&b, "\t%s = %s // NSBOX_%s\n", goName(strings.ToLower(string(m[1]))), m[2], m[1])
	}
	b.WriteString(")\n\nconst (\n")
	for _, m := range enums {
		fmt.Fprintf(&b, "\t%s = %s // %s\n", goName(string(m[1])), strings.TrimSpace(string(m[2])), m[1])
	}
	b.WriteString(")\n")
	return format.Source(b.Bytes())
}

func TestSeam(t *testing.T) {
	header, err := os.ReadFile("cstage/stage.h")
	if err != nil {
		t.Fatal(err)
	}
	want, err := generateSeam(header)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("seam.go", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("seam.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("seam.go differs from cstage/stage.h (run go test -run TestSeam -update):\ngot:\n%s\nwant:\n%s", got, want)
	}
}

func TestGoName(t *testing.T) {
	for c, want := range map[string]string{
		"OP_CHECK_PARENT": "opCheckParent", "F_EXIT_1": "flagExit1", "ROLE_MAIN": "roleMain",
		"PLAN_TRACE": "planTrace", "EXIT_NOT_FOUND": "exitNotFound", "marker": "marker",
	} {
		if got := goName(c); got != want {
			t.Errorf("goName(%q) = %q, want %q", c, got, want)
		}
	}
}
