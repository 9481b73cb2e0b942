//go:build linux

package procfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// TestWalkCgroups walks a directory tree as a cgroup hierarchy: every directory, as the cgroup
// path /proc/PID/cgroup would show, parents first; files are not cgroups.
func TestWalkCgroups(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"docker/abc", "system.slice/docker-x.scope/container", "empty"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "docker", "cgroup.procs"), nil, 0o644)
	var got []string
	if err := WalkCgroups(root, func(p string) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/docker", "/docker/abc", "/empty", "/system.slice", "/system.slice/docker-x.scope",
		"/system.slice/docker-x.scope/container"}
	index := map[string]int{}
	for i, p := range got {
		index[p] = i
	}
	sorted := append([]string(nil), got...)
	sort.Strings(sorted)
	if !reflect.DeepEqual(sorted, want) {
		t.Errorf("WalkCgroups = %q, want %q in some order", got, want)
	}
	for _, p := range want[1:] {
		if parent := filepath.Dir(p); index[parent] > index[p] {
			t.Errorf("%s came before its parent %s: %q", p, parent, got)
		}
	}
	if err := WalkCgroups(filepath.Join(root, "missing"), func(string) {}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WalkCgroups(missing) = %v, want ENOENT", err)
	}
}

func TestReadCgroupProcs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		text string
		want []int
		bad  bool
	}{
		{"", nil, false},
		{"1\n42\n42\n", []int{1, 42, 42}, false},
		{"0\n7\n", []int{7}, false}, // 0: a process of another PID namespace
		{"12\nx\n", nil, true},
	} {
		os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(tc.text), 0o644)
		got, err := ReadCgroupProcs(dir)
		if (err != nil) != tc.bad || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ReadCgroupProcs(%q) = %v, %v; want %v (error %v)", tc.text, got, err, tc.want, tc.bad)
		}
	}
	if _, err := ReadCgroupProcs(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadCgroupProcs(missing) = %v, want ENOENT", err)
	}
}
