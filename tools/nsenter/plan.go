//go:build linux

package nsenter

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/nsutil/executor"
	"golang.org/x/sys/unix"
)

// plan turns the entry into executor steps, in util-linux's order: setgroups, two passes of
// setns, chroot and working directory, fork for a PID namespace, groups/gid/uid, capabilities,
// execve.
func (e *entry) plan() *executor.Plan {
	p := executor.NewPlan("nsenter")
	p.Trace = e.g.Trace
	// util-linux clears the groups before and after entering a user namespace and fails only
	// when both fail: one group of two attempts. A caller without supplementary groups has
	// nothing to clear; nor has one in a user namespace that denies setgroups (as the owner of
	// `unshare -r`'s is), unless -G asks for a group.
	var groups int32
	clearGroups := e.setGID && callerHasGroups()
	if e.want&userFlag != 0 && !e.g.Preserve && clearGroups {
		groups = p.NewGroup()
		p.ClearGroups(true, groups)
	}
	e.enter(p)
	e.changeDirectories(p)
	if e.want&pidFlag != 0 && !e.g.NoFork {
		fork := executor.ForkOpts{FollowStops: true}
		p.Fork(fork)
		p.As(executor.Parent).Wait(fork).As(executor.Main)
	}
	if clearGroups {
		p.ClearGroups(groups == 0, groups)
		if !e.gidGiven {
			p.UnlessDenied()
		}
	}
	if e.setGID {
		p.SetGID(e.gid)
	}
	if e.setUID {
		p.SetUID(e.uid)
	}
	if e.envDirFD >= 0 {
		p.EnvAt(e.envDirFD, fmt.Sprintf("/proc/%d", e.pid), fmt.Sprintf("cannot open /proc/%d/environ", e.pid))
	}
	if e.g.KeepCaps && e.want&userFlag != 0 {
		p.KeepCaps()
	}
	e.exec(p)
	return p
}

// enter adds the setns steps in util-linux's two passes: first everything but the user
// namespace, failures ignored; then what is left, user namespace included, failures reported.
// So the user namespace comes last when root enters a container (dropping privilege) and first
// when its unprivileged owner does (pass one fails for want of privilege). The target's pidfd
// takes one setns per pass; files one each, in nsutil.Kinds order. A failure is worded as
// util-linux's: `reassociate to namespaces failed` for the pidfd, `reassociate to namespace
// 'ns/net' failed` for a file, whatever its path.
func (e *entry) enter(p *executor.Plan) {
	label := fmt.Sprintf("pidfd:%d", e.pid)
	pidfd := -1
	if e.target != nil {
		pidfd = e.target.PidFD
	}
	fileGroups := map[string]int32{}
	// Pass one. Without the user namespace in it, the pidfd's second pass would repeat the
	// same atomic call (files are entered after it in both passes): one call does.
	first := e.viaPidfd &^ userFlag
	var pidfdGroup int32
	switch {
	case first != 0 && first == e.viaPidfd:
		p.Setns(pidfd, first, executor.SetnsOpts{Label: label})
	case first != 0:
		pidfdGroup = p.NewGroup()
		p.Setns(pidfd, first, executor.SetnsOpts{Label: label, Optional: true, Group: pidfdGroup})
	}
	for _, k := range nsutil.Kinds {
		if f := e.files[k.Name]; f != nil && k.Flag != userFlag {
			fileGroups[k.Name] = p.NewGroup()
			p.Setns(f.FD, k.Flag, executor.SetnsOpts{Label: f.Path, Name: "ns/" + k.Name, Optional: true, Group: fileGroups[k.Name]})
		}
	}
	// Pass two: the user namespace alone after a first pass that worked, else everything.
	switch {
	case pidfdGroup != 0:
		p.Setns(pidfd, userFlag, executor.SetnsOpts{Label: label, After: pidfdGroup})
		p.Setns(pidfd, e.viaPidfd, executor.SetnsOpts{Label: label, Group: pidfdGroup})
	case e.viaPidfd == userFlag:
		p.Setns(pidfd, userFlag, executor.SetnsOpts{Label: label})
	}
	for _, k := range nsutil.Kinds {
		if f := e.files[k.Name]; f != nil {
			p.Setns(f.FD, k.Flag, executor.SetnsOpts{Label: f.Path, Name: "ns/" + k.Name, Group: fileGroups[k.Name]})
		}
	}
}

// changeDirectories adds -r (fchdir to the new root, chroot("."), back to the caller's
// directory or "/"), then -W (a path in the new root, opened there) or -w (a directory opened
// before), with util-linux's messages.
func (e *entry) changeDirectories(p *executor.Plan) {
	if e.rootFD >= 0 {
		p.Fchdir(e.rootFD, e.rootPath).WithMessage(rootDir)
		p.Chroot(".").WithMessage("chroot failed")
		p.Chdir("/").WithMessage("cannot change directory to /")
		if e.cwdFD >= 0 {
			p.Fchdir(e.cwdFD, "the current working directory").WithMessage(workDir)
		}
	}
	if dir, ok := e.wdns(); ok {
		p.OpenFchdir(dir, "cannot open current working directory", workDir)
	} else if e.wdFD >= 0 {
		p.Fchdir(e.wdFD, e.wdPath).WithMessage(workDir)
	}
}

// wdns is the directory of the last -W, if it has one: as in util-linux, -W without a value
// changes nothing (but still excludes -w).
func (e *entry) wdns() (string, bool) {
	w := e.g.Wdns
	if !w.Set || !w.HasValue {
		return "", false
	}
	return optValue(w.Value), true
}

// callerHasGroups reports whether the caller has supplementary groups to clear (a variable for
// tests).
var callerHasGroups = func() bool {
	groups, err := unix.Getgroups()
	return err != nil || len(groups) > 0
}

// exec adds the program, or a login shell as util-linux runs it: argv[0] is "-" and the
// shell's base name.
func (e *entry) exec(p *executor.Plan) {
	if len(e.g.Program) > 0 {
		p.Exec(e.g.Program, e.env)
		return
	}
	shell := e.loginShell()
	if e.envDirFD >= 0 { // $SHELL is the target's, read by the plan
		p.ExecShell(shell, []string{"-" + filepath.Base(shell)})
		return
	}
	p.ExecPath(shell, []string{"-" + filepath.Base(shell)}, e.env)
}

// loginShell is the shell util-linux 2.42 runs when no program is given: $SHELL of the
// program's environment when not empty, else the passwd shell of the user the program runs as,
// else /bin/sh. util-linux looks the user up after entering the namespaces; nsenter reads the
// passwd file the program will see (the new root's, or the target's root's when its mount
// namespace is entered) and, in an entered user namespace, maps the caller's uid through the
// target's uid_map.
func (e *entry) loginShell() string {
	shell := os.Getenv("SHELL")
	switch {
	case e.envDirFD >= 0:
		shell = "" // the target's environment, not read yet: ExecShell
	case e.env != nil:
		shell = lookupEnv(e.env, "SHELL")
	}
	if shell != "" {
		return shell
	}
	if passwd, ok := e.programPasswd(); ok {
		if shell = passwdShell(passwd, e.programUID()); shell != "" {
			return shell
		}
	}
	return "/bin/sh"
}

// programPasswd is the /etc/passwd the program will see, if nsenter can tell.
func (e *entry) programPasswd() (string, bool) {
	switch {
	case e.rootFD >= 0:
		return filepath.Join(e.rootPath, "etc/passwd"), true
	case e.want&mountFlag != 0:
		return fmt.Sprintf("/proc/%d/root/etc/passwd", e.pid), e.files["mnt"] == nil && e.pid != 0
	}
	return "/etc/passwd", true
}

// programUID is the uid the program runs as: -S's, or the caller's, as seen from the target's
// user namespace when that is entered.
func (e *entry) programUID() int {
	uid := os.Getuid()
	switch {
	case e.setUID:
		return e.uid
	case e.want&userFlag != 0 && e.files["user"] == nil && e.pid != 0:
		return insideID(fmt.Sprintf("/proc/%d/uid_map", e.pid), uid)
	}
	return uid
}

// insideID maps the id outside through an id map file ("INSIDE OUTSIDE COUNT" lines); an
// unmapped id is the overflow id 65534.
func insideID(mapFile string, outside int) int {
	data, _ := os.ReadFile(mapFile)
	for _, line := range strings.Split(string(data), "\n") {
		var in, out, count int
		if n, _ := fmt.Sscan(line, &in, &out, &count); n == 3 && outside >= out && outside < out+count {
			return in + outside - out
		}
	}
	return 65534
}

// passwdShell is the shell field of uid's entry in the passwd file path, "" when none.
func passwdShell(path string, uid int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, ":")
		if len(f) == 7 && f[2] == strconv.Itoa(uid) {
			return f[6]
		}
	}
	return ""
}

// lookupEnv is the value of name in env ("NAME=value" entries; the last one wins), "" if unset.
func lookupEnv(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if len(env[i]) > len(name) && env[i][:len(name)+1] == name+"=" {
			return env[i][len(name)+1:]
		}
	}
	return ""
}
