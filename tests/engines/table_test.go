//go:build linux

package engines

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEngineTable keeps README's engine table and the tests in step: a ✓ only where a test
// checks that cell (a query of the lookup case, the CONTAINER column, nsbox as the engine's
// init), a – where none does.
func TestEngineTable(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(script())), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(data), "<!-- engines -->\n")
	table, _, ok := strings.Cut(rest, "<!-- /engines -->")
	if !ok {
		t.Fatal("README.md has no <!-- engines --> table")
	}
	layouts := map[string]string{
		"docker": "docker", "docker `--cgroup-parent`": "docker --cgroup-parent", "podman": "podman",
		"podman pod": "podman pod", "podman rootless": "podman rootless", "containerd (`ctr run`)": "containerd (ctr)",
		"Kubernetes pod (containerd CRI, `crictl`)": "Kubernetes pod (containerd CRI, crictl)",
		"runc, docker-style cgroup":                 "runc, docker-style cgroup", "runc, kubepods cgroup": "runc, kubepods cgroup",
	}
	inits := map[string]bool{}
	for _, ic := range initCases() {
		if ic.init == "nsbox" {
			inits[ic.engine] = true
		}
	}
	rows := 0
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) != 6 {
			t.Errorf("README row %q: %d cells, want 6", line, len(cells))
			continue
		}
		layout, ok := layouts[cells[0]]
		var lc *lookupCase
		for i := range lookupCases {
			if lookupCases[i].layout == layout {
				lc = &lookupCases[i]
			}
		}
		if !ok || lc == nil {
			t.Errorf("README row %q: no lookup case", cells[0])
			continue
		}
		rows++
		queries := lc.queries(container{id: strings.Repeat("0", 64), name: "x"})
		tested := []bool{queries["id"] != "", queries["prefix"] != "", queries["name"] != "", lc.column != nil, inits[layout]}
		for i, want := range tested {
			if got := strings.HasPrefix(cells[i+1], "✓"); got != want {
				t.Errorf("README row %q column %d: %q, but the tests check it: %v", cells[0], i+1, cells[i+1], want)
			}
		}
	}
	if rows != len(lookupCases) {
		t.Errorf("README's engine table has %d rows, the lookup tests %d cases", rows, len(lookupCases))
	}
}
