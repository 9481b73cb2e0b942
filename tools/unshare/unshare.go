//go:build linux

package unshare

import (
	"errors"
	"io"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/executor"
)

// grammar is unshare's command line, in util-linux's --help order.
type grammar struct {
	Mount  cli.OptionalValue `short:"m" optvalue:"file"`
	UTS    cli.OptionalValue `short:"u" name:"uts" optvalue:"file"`
	IPC    cli.OptionalValue `short:"i" name:"ipc" optvalue:"file"`
	Net    cli.OptionalValue `short:"n" optvalue:"file"`
	PID    cli.OptionalValue `short:"p" name:"pid" optvalue:"file"`
	User   cli.OptionalValue `short:"U" optvalue:"file"`
	Cgroup cli.OptionalValue `short:"C" optvalue:"file"`
	Time   cli.OptionalValue `short:"T" optvalue:"file"`

	MountProc   cli.OptionalValue `name:"mount-proc" optvalue:"dir"`
	MountBinfmt cli.OptionalValue `name:"mount-binfmt" optvalue:"dir"`
	LoadInterp  cli.RequiredArg   `short:"l" name:"load-interp" complete:"none"`
	Propagation cli.RequiredArg   `complete:"values=private,shared,slave,unchanged"`
	Root        cli.RequiredArg   `short:"R"`
	Wd          cli.RequiredArg   `short:"w"`

	Setuid         cli.RequiredArg `short:"S"`
	Setgid         cli.RequiredArg `short:"G"`
	MapUser        cli.RequiredArg `name:"map-user" complete:"users"`
	MapGroup       cli.RequiredArg `name:"map-group" complete:"groups"`
	MapRootUser    bool            `short:"r" name:"map-root-user"`
	MapCurrentUser bool            `short:"c" name:"map-current-user"`
	MapAuto        bool            `name:"map-auto"`
	MapSubids      bool            `name:"map-subids"`
	MapUsers       []string        `name:"map-users" sep:"none" complete:"values=auto,subids,all"`
	MapGroups      []string        `name:"map-groups" sep:"none" complete:"values=auto,subids,all"`
	Owner          cli.RequiredArg

	Fork           bool              `short:"f"`
	KillChild      cli.OptionalValue `name:"kill-child" optvalue:"signame" complete:"signals"`
	ForwardSignals bool              `name:"forward-signals"`
	Init           bool

	Setgroups    cli.RequiredArg `complete:"values=allow,deny"`
	KeepCaps     bool            `name:"keep-caps"`
	Monotonic    cli.RequiredArg
	Boottime     cli.RequiredArg
	ClearEnv     bool     `name:"clear-env"`
	WhitelistEnv []string `name:"whitelist-env" sep:"none"`
	Trace        bool

	cli.ColorFlag
	Help    cli.HelpFlag    `short:"h"`
	Version cli.VersionFlag `short:"V"`

	Program []string `arg:"" optional:"" passthrough:"partial"`
}

// optionHelp is how --help shows each option and argument (see cli.OptionHelp).
var optionHelp = []cli.OptionHelp{
	{Name: "mount", Help: "unshare mounts namespace"},
	{Name: "uts", Help: "unshare UTS namespace (hostname etc)"},
	{Name: "ipc", Help: "unshare System V IPC namespace"},
	{Name: "net", Help: "unshare network namespace"},
	{Name: "pid", Help: "unshare pid namespace"},
	{Name: "user", Help: "unshare user namespace"},
	{Name: "cgroup", Help: "unshare cgroup namespace"},
	{Name: "time", Help: "unshare time namespace"},
	{Name: "mount-proc", Help: "mount proc filesystem first (implies --mount)"},
	{Name: "mount-binfmt", Help: "mount binfmt filesystem first (implies --user and --mount)"},
	{Name: "load-interp", PlaceHolder: "file", Help: "load binfmt definition in the namespace (implies --mount-binfmt)"},
	{Name: "propagation", PlaceHolder: "mode", Help: "modify mount propagation in mount namespace: slave, shared, private or unchanged"},
	{Name: "root", PlaceHolder: "dir", Help: "run the command with root directory set to <dir>"},
	{Name: "wd", PlaceHolder: "dir", Help: "change working directory to <dir>"},
	{Name: "setuid", PlaceHolder: "uid", Help: "set uid in entered namespace"},
	{Name: "setgid", PlaceHolder: "gid", Help: "set gid in entered namespace"},
	{Name: "map-user", PlaceHolder: "uid|name", Help: "map current user to uid (implies --user)"},
	{Name: "map-group", PlaceHolder: "gid|name", Help: "map current group to gid (implies --user)"},
	{Name: "map-root-user", Help: "map current user to root (implies --user)"},
	{Name: "map-current-user", Help: "map current user to itself (implies --user)"},
	{Name: "map-auto", Help: "map users and groups automatically (implies --user)"},
	{Name: "map-subids", Help: "map the first block of user IDs owned by euid (implies --user)"},
	{Name: "map-users", PlaceHolder: "inner:outer:count", Help: "map count users from outer to inner (implies --user); auto, subids, all; repeatable"},
	{Name: "map-groups", PlaceHolder: "inner:outer:count", Help: "map count groups from outer to inner (implies --user); auto, subids, all; repeatable"},
	{Name: "owner", PlaceHolder: "uid:gid", Help: "set the user namespace owner (implies --user)"},
	{Name: "fork", Help: "fork before launching <program>"},
	{Name: "kill-child", Help: "when dying, kill the forked child (implies --fork); defaults to SIGKILL"},
	{Name: "forward-signals", Help: "forward SIGTERM and SIGINT to child (implies --fork)"},
	{Name: "init", Help: "run pidns-init as PID 1 of the new PID namespace, the program as its child (needs --pid; implies --fork)"},
	{Name: "setgroups", PlaceHolder: "allow|deny", Help: "control the setgroups syscall in user namespaces"},
	{Name: "keep-caps", Help: "retain capabilities granted in user namespaces"},
	{Name: "monotonic", PlaceHolder: "offset", Help: "set clock monotonic offset (seconds) in time namespaces"},
	{Name: "boottime", PlaceHolder: "offset", Help: "set clock boottime offset (seconds) in time namespaces"},
	{Name: "clear-env", Help: "do not inherit environment variables from the calling process"},
	{Name: "whitelist-env", PlaceHolder: "list", Help: "clear environment except for specified variables"},
	{Name: "trace", Help: "print every namespace step as it is carried out"},
	{Name: "program", Help: "the program to run and its arguments"},
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        "unshare",
		Synopsis:    "[options] [<program> [<argument>...]]",
		Description: "Run a program with some namespaces unshared from the parent.",
		Help:        optionHelp,
		// util-linux 2.42's longopts, in its order.
		Getopt: []string{"help", "version", "mount", "uts", "ipc", "net", "pid", "user", "cgroup",
			"time", "fork", "kill-child", "forward-signals", "mount-proc", "mount-binfmt", "map-user",
			"map-users", "map-group", "map-groups", "map-root-user", "map-current-user", "map-auto",
			"map-subids", "owner", "propagation", "setgroups", "keep-caps", "setuid", "setgid", "root",
			"wd", "monotonic", "boottime", "load-interp"},
	}, &grammar{}
}

// Main runs unshare with args (without the program name), its messages on stderr, and returns
// the exit status. On success it does not return: the program replaces unshare.
func Main(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	g, opts, code, done := cli.ParseCommand(Command, args, stdout, stderr)
	if done {
		return code
	}
	o, err := resolve(g.(*grammar), opts)
	if err != nil {
		return cli.Fail(stderr, "unshare", err)
	}
	p, err := buildPlan(o)
	if err != nil {
		return cli.Fail(stderr, "unshare", err)
	}
	err = p.Run()
	code = cli.Fail(stderr, "unshare", err)
	var step *executor.StepError
	if errors.As(err, &step) {
		code = step.Code
	}
	return code
}
