//go:build linux

package unshare

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	"golang.org/x/sys/unix"
)

// Clock ids as /proc/self/timens_offsets takes them.
const (
	clockMonotonic = 1
	clockBoottime  = 7
)

// pseudoFSFlags are the flags proc and binfmt_misc are mounted with.
const pseudoFSFlags = unix.MS_NOSUID | unix.MS_NOEXEC | unix.MS_NODEV

// buildPlan turns resolved options into the executor's steps, in util-linux's sequence:
// persistence helper, ID-map helper, --owner, unshare, maps released, time offsets, a namespace
// file found unbindable (reported here, before the fork), fork (the
// parent binds the persistent files and waits), then in the child: parent-death signal, single
// maps and setgroups, propagation, chroot/chdir, proc and binfmt mounts, -G/-S, capabilities,
// and exec.
func buildPlan(o *options) (*executor.Plan, error) {
	p := executor.NewPlan("unshare")
	p.Trace = o.trace
	// Plans that need no single-threaded stage (e.g. -nui) run in this process: no re-exec.
	p.Engine = executor.EngineAuto
	bindHelper := len(o.persist) > 0
	if bindHelper {
		addBindHelper(p, o.persist)
	}
	idmapHelper := len(o.userRanges) > 0 || len(o.groupRanges) > 0
	if idmapHelper {
		if err := addIDMapHelper(p, o); err != nil {
			return nil, err
		}
	}
	if o.ownerGID != noID {
		p.ClearGroups(false, 0).SetGID(int(o.ownerGID))
	}
	if o.ownerUID != noID {
		p.SetUID(int(o.ownerUID))
	}
	p.Unshare(o.flags)
	if idmapHelper {
		p.HelperRelease()
	}
	if o.boottime != nil {
		p.WriteFile("/proc/self/timens_offsets", fmt.Sprintf("%d %d 0", clockBoottime, *o.boottime), "failed to write to /proc/self/timens_offsets")
	}
	if o.monotonic != nil {
		p.WriteFile("/proc/self/timens_offsets", fmt.Sprintf("%d %d 0", clockMonotonic, *o.monotonic), "failed to write to /proc/self/timens_offsets")
	}
	if f := o.persistFailure; f != nil {
		// util-linux's bind would fail here (or, with a fork, while its program runs).
		p.Fail(f.errno, f.msg)
	}
	if o.fork {
		fo := executor.ForkOpts{ForwardSignals: o.forwardSignals, BlockSignals: !o.forwardSignals}
		p.Fork(fo)
		p.As(executor.Parent)
		if bindHelper {
			p.HelperRelease()
		}
		p.Wait(fo).As(executor.Main)
		if o.killSignal != 0 {
			p.Prctl(unix.PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG", uint64(o.killSignal)).ExitIfOrphaned()
		}
	} else if bindHelper {
		p.HelperRelease()
	}
	addMaps(p, o)
	addMounts(p, o)
	if o.setgid != noID {
		p.ClearGroups(false, 0).SetGID(int(o.setgid))
	}
	if o.setuid != noID {
		p.SetUID(int(o.setuid))
	}
	if o.keepCaps && o.flags&unix.CLONE_NEWUSER != 0 {
		p.KeepCaps()
	}
	return p, addExec(p, o)
}

// addBindHelper forks the helper that, from the original namespaces, bind-mounts each
// namespace onto its file once released (after the fork, so that pid_for_children exists).
func addBindHelper(p *executor.Plan, persist []persistTarget) {
	p.HelperFork().As(executor.Helper)
	for _, t := range persist {
		src := t.source("%p")
		p.Mount(src, t.File, "", unix.MS_BIND, "", fmt.Sprintf("mount %s on %s failed", src, t.File))
	}
	p.HelperDone().As(executor.Main)
}

// addIDMapHelper forks the helper that writes the uid and gid maps of ranges once unshare has
// made the user namespace: directly when root, else through newuidmap and newgidmap, which check
// the ranges against /etc/subuid and /etc/subgid.
func addIDMapHelper(p *executor.Plan, o *options) error {
	p.HelperFork().As(executor.Helper)
	maps := []struct {
		ranges       []nsutil.IDRange
		file, helper string
	}{{o.userRanges, "uid_map", "newuidmap"}, {o.groupRanges, "gid_map", "newgidmap"}}
	for _, m := range maps {
		if len(m.ranges) == 0 {
			continue
		}
		if o.euid == 0 {
			text, err := nsutil.FormatIDMap(m.ranges)
			if err != nil {
				return fmt.Errorf("/proc/self/%s %w", m.file, err)
			}
			p.WriteFile("/proc/%p/"+m.file, text, "failed to write /proc/%p/"+m.file)
			continue
		}
		argv := append([]string{m.helper, "%p"}, nsutil.IDMapArgs(m.ranges)...)
		p.RunProgram(argv, m.helper+" failed")
	}
	p.HelperDone().As(executor.Main)
	return nil
}

// addMaps writes the single-ID maps (the process's own, no helper) and setgroups.
func addMaps(p *executor.Plan, o *options) {
	if o.mapUser != noID {
		p.WriteFile("/proc/self/uid_map", fmt.Sprintf("%d %d 1", o.mapUser, o.euid), "write failed /proc/self/uid_map")
	}
	if o.mapGroup != noID {
		p.WriteFile("/proc/self/setgroups", "deny", "write failed /proc/self/setgroups")
		p.WriteFile("/proc/self/gid_map", fmt.Sprintf("%d %d 1", o.mapGroup, o.egid), "write failed /proc/self/gid_map")
	}
	if o.setgroups != "" {
		p.WriteFile("/proc/self/setgroups", o.setgroups, "write failed /proc/self/setgroups")
	}
}

// addMounts: propagation, an F-flagged interpreter before chroot, chroot and chdir, proc,
// binfmt_misc and the interpreter.
func addMounts(p *executor.Plan, o *options) {
	if o.flags&unix.CLONE_NEWNS != 0 && o.propagation != 0 {
		p.Mount("none", "/", "", o.propagation, "", "cannot change root filesystem propagation")
	}
	fixedInterp := o.interp != "" && o.root != "" && interpIsFixed(o.interp)
	if fixedInterp {
		p.Mount("binfmt_misc", binfmtMisc, "binfmt_misc", pseudoFSFlags, "", "mount "+binfmtMisc+" failed")
		p.WriteFile(binfmtMisc+"/register", o.interp, "write failed "+binfmtMisc+"/register")
	}
	wd := o.wd
	if o.root != "" {
		p.Chroot(o.root)
		if wd == "" {
			wd = "/"
		}
	}
	if wd != "" {
		p.Chdir(wd).WithMessage("cannot change directory to " + wd)
	}
	if o.mountProc {
		if o.root == "" && o.propagation != unix.MS_REC|unix.MS_PRIVATE {
			// A proc that is not mounted yet gives EINVAL here: not an error.
			p.Mount("none", o.procDir, "", unix.MS_REC|unix.MS_PRIVATE, "", "cannot change "+o.procDir+" filesystem propagation")
			p.IgnoreEINVAL()
		}
		p.Mount("proc", o.procDir, "proc", pseudoFSFlags, "", "mount "+o.procDir+" failed")
	}
	if o.mountBinfmt {
		p.Mount("binfmt_misc", o.binfmtDir, "binfmt_misc", pseudoFSFlags, "",
			nsutil.WithHint("mount "+o.binfmtDir+" failed", nsutil.LimitBinfmtUserNS))
	}
	if o.interp != "" && !fixedInterp {
		p.WriteFile(o.binfmtDir+"/register", o.interp, "write failed "+o.binfmtDir+"/register")
	}
}

// interpIsFixed reports whether a binfmt_misc rule has the F (fix binary) flag, which opens the
// interpreter when the rule is registered, so it must happen before chroot.
func interpIsFixed(rule string) bool {
	i := strings.LastIndexByte(rule, ':')
	return i >= 0 && strings.ContainsRune(rule[i:], 'F')
}

// addExec ends the plan: the program, or with no program the shell ($SHELL, the passwd shell,
// /bin/sh) as a login shell; with --init, nsbox's pidns-init runs it as PID 1's child.
func addExec(p *executor.Plan, o *options) error {
	argv := o.argv
	if o.init {
		fd, name, err := executor.OpenSelf()
		if err != nil {
			return err
		}
		if len(argv) == 0 {
			argv = []string{shell(o.env)}
		}
		p.ExecFD(fd, name, append([]string{"pidns-init", "--"}, argv...), o.env, selfInRoot(o.root, fd, name))
		return nil
	}
	if len(argv) == 0 {
		sh := shell(o.env)
		p.ExecPath(sh, []string{"-" + filepath.Base(sh)}, o.env)
		return nil
	}
	p.Exec(argv, o.env)
	return nil
}

// selfInRoot is this binary (fd, opened as name) as seen from inside root, a name for
// re-executing it there when /dev/fd and /proc are not: without a root, name when it is a path
// of its own (not /proc/self/exe); with one, its path when it is under root; else "".
func selfInRoot(root string, fd int, name string) string {
	if root == "" {
		if name == "/proc/self/exe" {
			return ""
		}
		abs, err := filepath.Abs(name)
		if err != nil {
			return ""
		}
		return abs
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return ""
	}
	dir, err := filepath.EvalSymlinks(root)
	if err == nil {
		dir, err = filepath.Abs(dir)
	}
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(dir, exe)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return ""
	}
	return "/" + rel
}

// shell is $SHELL (in the program's environment), else the caller's passwd shell, else /bin/sh.
func shell(env []string) string {
	if env == nil {
		if sh := os.Getenv("SHELL"); sh != "" {
			return sh
		}
	} else {
		for _, kv := range env {
			if sh, ok := strings.CutPrefix(kv, "SHELL="); ok && sh != "" {
				return sh
			}
		}
	}
	if sh := passwdShell(os.Getuid()); sh != "" {
		return sh
	}
	return "/bin/sh"
}

// passwdShell is uid's login shell in /etc/passwd, "" when unknown.
func passwdShell(uid int) string {
	data, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return ""
	}
	want := fmt.Sprint(uid)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == want {
			return f[6]
		}
	}
	return ""
}
