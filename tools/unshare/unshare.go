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
	Mount  cli.OptionalValue `short:"m" optvalue:"file" help:"unshare mounts namespace"`
	UTS    cli.OptionalValue `short:"u" name:"uts" optvalue:"file" help:"unshare UTS namespace (hostname etc)"`
	IPC    cli.OptionalValue `short:"i" name:"ipc" optvalue:"file" help:"unshare System V IPC namespace"`
	Net    cli.OptionalValue `short:"n" optvalue:"file" complete:"netns" help:"unshare network namespace"`
	PID    cli.OptionalValue `short:"p" name:"pid" optvalue:"file" help:"unshare pid namespace"`
	User   cli.OptionalValue `short:"U" optvalue:"file" help:"unshare user namespace"`
	Cgroup cli.OptionalValue `short:"C" optvalue:"file" help:"unshare cgroup namespace"`
	Time   cli.OptionalValue `short:"T" optvalue:"file" help:"unshare time namespace"`

	MountProc   cli.OptionalValue `name:"mount-proc" optvalue:"dir" help:"mount proc filesystem first (implies --mount)"`
	MountBinfmt cli.OptionalValue `name:"mount-binfmt" optvalue:"dir" help:"mount binfmt filesystem first (implies --user and --mount)"`
	LoadInterp  cli.RequiredArg   `short:"l" name:"load-interp" placeholder:"file" complete:"none" help:"load binfmt definition in the namespace (implies --mount-binfmt)"`
	Propagation cli.RequiredArg   `placeholder:"mode" complete:"values=private,shared,slave,unchanged" help:"modify mount propagation in mount namespace: slave, shared, private or unchanged"`
	Root        cli.RequiredArg   `short:"R" placeholder:"dir" help:"run the command with root directory set to <dir>"`
	Wd          cli.RequiredArg   `short:"w" placeholder:"dir" help:"change working directory to <dir>"`

	Setuid         cli.RequiredArg `short:"S" placeholder:"uid" help:"set uid in entered namespace"`
	Setgid         cli.RequiredArg `short:"G" placeholder:"gid" help:"set gid in entered namespace"`
	MapUser        cli.RequiredArg `name:"map-user" placeholder:"uid|name" complete:"users" help:"map current user to uid (implies --user)"`
	MapGroup       cli.RequiredArg `name:"map-group" placeholder:"gid|name" complete:"groups" help:"map current group to gid (implies --user)"`
	MapRootUser    bool            `short:"r" name:"map-root-user" help:"map current user to root (implies --user)"`
	MapCurrentUser bool            `short:"c" name:"map-current-user" help:"map current user to itself (implies --user)"`
	MapAuto        bool            `name:"map-auto" help:"map users and groups automatically (implies --user)"`
	MapSubids      bool            `name:"map-subids" help:"map the first block of user IDs owned by euid (implies --user)"`
	MapUsers       []string        `name:"map-users" sep:"none" placeholder:"inner:outer:count" complete:"values=auto,subids,all" help:"map count users from outer to inner (implies --user); auto, subids, all; repeatable"`
	MapGroups      []string        `name:"map-groups" sep:"none" placeholder:"inner:outer:count" complete:"values=auto,subids,all" help:"map count groups from outer to inner (implies --user); auto, subids, all; repeatable"`
	Owner          cli.RequiredArg `placeholder:"uid:gid" help:"set the user namespace owner (implies --user)"`

	Fork           bool              `short:"f" help:"fork before launching <program>"`
	KillChild      cli.OptionalValue `name:"kill-child" optvalue:"signame" complete:"signals" help:"when dying, kill the forked child (implies --fork); defaults to SIGKILL"`
	ForwardSignals bool              `name:"forward-signals" help:"forward SIGTERM and SIGINT to child (implies --fork)"`
	Init           bool              `help:"run pidns-init as PID 1 of the new PID namespace, the program as its child (needs --pid; implies --fork)"`

	Setgroups    cli.RequiredArg `placeholder:"allow|deny" complete:"values=allow,deny" help:"control the setgroups syscall in user namespaces"`
	KeepCaps     bool            `name:"keep-caps" help:"retain capabilities granted in user namespaces"`
	Monotonic    cli.RequiredArg `placeholder:"offset" help:"set clock monotonic offset (seconds) in time namespaces"`
	Boottime     cli.RequiredArg `placeholder:"offset" help:"set clock boottime offset (seconds) in time namespaces"`
	ClearEnv     bool            `name:"clear-env" help:"do not inherit environment variables from the calling process"`
	WhitelistEnv []string        `name:"whitelist-env" sep:"none" placeholder:"list" help:"clear environment except for specified variables"`
	Trace        bool            `help:"print every namespace step as it is carried out"`

	cli.ColorFlag
	Help    cli.HelpFlag    `short:"h" help:"display this help"`
	Version cli.VersionFlag `short:"V" help:"display version"`

	Program []string `arg:"" optional:"" passthrough:"partial" help:"the program to run and its arguments"`
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        "unshare",
		Synopsis:    "[options] [<program> [<argument>...]]",
		Description: "Run a program with some namespaces unshared from the parent.",
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
