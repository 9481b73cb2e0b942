//go:build linux

package executor_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	"github.com/nsbox/nsbox/nsutil/nstest"
	"golang.org/x/sys/unix"
)

func TestInProcessChoice(t *testing.T) {
	tests := []struct {
		name  string
		build func(p *executor.Plan)
		want  bool
	}{
		{"net uts ipc", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWNET | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC) }, true},
		{"mount, propagation, chroot", func(p *executor.Plan) {
			p.Unshare(unix.CLONE_NEWNS).Mount("none", "/", "", unix.MS_REC|unix.MS_PRIVATE, "", "").Chroot("/").Chdir("/")
		}, true},
		{"pid without fork", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWPID | unix.CLONE_NEWCGROUP) }, true},
		{"user", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWUSER) }, false},
		{"time", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWTIME) }, false},
		{"fork", func(p *executor.Plan) {
			p.Unshare(unix.CLONE_NEWNET).Fork(executor.ForkOpts{}).As(executor.Parent).Wait(executor.ForkOpts{}).As(executor.Main)
		}, false},
		{"write", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWNET).WriteFile("/proc/self/setgroups", "deny", "") }, false},
		{"credentials", func(p *executor.Plan) { p.Unshare(unix.CLONE_NEWNET).SetUID(0) }, false},
		{"helper", func(p *executor.Plan) {
			p.HelperFork().As(executor.Helper).HelperDone().As(executor.Main).Unshare(unix.CLONE_NEWNET)
		}, false},
		{"trace", func(p *executor.Plan) { p.Trace = true; p.Unshare(unix.CLONE_NEWNET) }, false},
	}
	for _, tc := range tests {
		p := executor.NewPlan("test")
		tc.build(p)
		p.Exec([]string{"true"}, nil)
		if got := p.InProcess(); got != tc.want {
			t.Errorf("%s: InProcess() = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := executor.NewPlan("test").Unshare(unix.CLONE_NEWNET).InProcess(); got {
		t.Error("a plan without execve: InProcess() = true, want false")
	}
}

// nsInodes hides the inode numbers in readlink output, keeping whether each differs from the
// host's.
var inodeRE = regexp.MustCompile(`\[[0-9]+\]`)

// Both engines carry out the same in-process-able plan with the same result: new namespaces of
// each kind asked for, the others the host's, and nothing leaked to the program.
func TestEnginesAgree(t *testing.T) {
	nstest.RequireRoot(t)
	kinds := allKindNames()
	script := readlinksScript(kinds)
	script[2] += "ls /proc/self/fd | wc -l; env | grep -c " + executor.PlanMarker + "; grep -E '^(SigIgn|SigBlk|Threads)' /proc/self/status"
	summarize := func(out string) string {
		var s []string
		for _, line := range strings.Split(out, "\n") {
			for _, k := range kinds {
				if strings.HasPrefix(line, k+":") {
					host, _ := os.Readlink(nsutil.Kind{Name: k}.ProcPath(os.Getpid()))
					if line == host {
						line = k + ":host"
					} else {
						line = inodeRE.ReplaceAllString(line, "[new]")
					}
				}
			}
			s = append(s, line)
		}
		return strings.Join(s, "\n")
	}
	unshare := []string{"net", "uts", "ipc", "mnt", "cgroup"}
	var results [2]string
	for i, engine := range []executor.Engine{executor.EngineReexec, executor.EngineInProcess} {
		res := runPlan(t, testPlan{Unshare: unshare, Argv: script, Engine: engine}, nil)
		if res.Code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", engine, res.Code, res.Stderr)
		}
		results[i] = summarize(res.Stdout)
		for _, k := range unshare {
			if !strings.Contains(results[i], k+":[new]") {
				t.Errorf("%v: %s namespace not new:\n%s", engine, k, results[i])
			}
		}
	}
	if results[0] != results[1] {
		t.Errorf("engines differ:\nreexec:\n%s\nin-process:\n%s", results[0], results[1])
	}
	// A plan the in-process engine cannot carry out is refused, not half done.
	res := runPlan(t, testPlan{Unshare: []string{"user"}, Argv: []string{"true"}, Engine: executor.EngineInProcess}, nil)
	if res.Code != 2 || !strings.Contains(res.Stderr, executor.ErrNotInProcess.Error()) {
		t.Errorf("user namespace in process: got %d %q, want executor.ErrNotInProcess", res.Code, res.Stderr)
	}
}
