//go:build linux

package nsenter

import (
	"io"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// grammar is nsenter's command line. The code finds the namespace options by their long names,
// nsutil.Kinds' Long, instead of naming the eight kinds again.
type grammar struct {
	All       bool            `short:"a" help:"enter all namespaces"`
	Target    cli.RequiredArg `short:"t" placeholder:"pid[:inode]" complete:"pids" help:"target process to get namespaces from"`
	Container *string         `placeholder:"id" help:"target the init of the container with this ID prefix or name"`

	Mount  cli.OptionalValue `short:"m" name:"mount" attached:"short" optvalue:"file|:nsid" help:"enter mount namespace"`
	UTS    cli.OptionalValue `short:"u" name:"uts" attached:"short" optvalue:"file|:nsid" help:"enter UTS namespace (hostname etc)"`
	IPC    cli.OptionalValue `short:"i" name:"ipc" attached:"short" optvalue:"file|:nsid" help:"enter System V IPC namespace"`
	Net    cli.OptionalValue `short:"n" name:"net" attached:"short" optvalue:"file|name|:nsid" help:"enter network namespace (a name without '/': /run/netns/NAME)"`
	Socket cli.RequiredArg   `short:"N" name:"net-socket" placeholder:"fd" help:"enter socket's network namespace (needs --target)"`
	PID    cli.OptionalValue `short:"p" name:"pid" attached:"short" optvalue:"file|:nsid" help:"enter pid namespace"`
	Cgroup cli.OptionalValue `short:"C" name:"cgroup" attached:"short" optvalue:"file|:nsid" help:"enter cgroup namespace"`
	User   cli.OptionalValue `short:"U" name:"user" attached:"short" optvalue:"file|:nsid" help:"enter user namespace"`
	Parent bool              `name:"user-parent" help:"enter parent user namespace"`
	Time   cli.OptionalValue `short:"T" name:"time" attached:"short" optvalue:"file|:nsid" help:"enter time namespace"`

	Setuid   cli.RequiredArg `short:"S" name:"setuid" placeholder:"uid" help:"set uid in entered namespace ('follow': the target's)"`
	Setgid   cli.RequiredArg `short:"G" name:"setgid" placeholder:"gid" help:"set gid in entered namespace ('follow': the target's)"`
	Preserve bool            `name:"preserve-credentials" help:"do not touch uids or gids"`
	KeepCaps bool            `name:"keep-caps" help:"retain capabilities granted in user namespaces"`

	Root   cli.OptionalValue `short:"r" name:"root" attached:"short" optvalue:"dir" help:"set the root directory"`
	Wd     cli.OptionalValue `short:"w" name:"wd" attached:"short" optvalue:"dir" help:"set the working directory"`
	Wdns   cli.OptionalValue `short:"W" name:"wdns" attached:"short" optvalue:"dir" help:"set the working directory in namespace"`
	Env    bool              `short:"e" name:"env" help:"inherit environment variables from target process"`
	NoFork bool              `short:"F" name:"no-fork" help:"do not fork before exec'ing <program>"`
	Cgjoin bool              `short:"c" name:"join-cgroup" help:"join the cgroup of the target process"`
	Follow bool              `short:"Z" name:"follow-context" help:"set SELinux context according to --target PID"`
	Trace  bool              `name:"trace" help:"print each step (setns, chroot, setuid...) on stderr"`
	cli.ColorFlag

	Help    cli.HelpFlag    `short:"h" help:"display this help"`
	Version cli.VersionFlag `short:"V" help:"display version"`
	Program []string        `arg:"" optional:"" passthrough:"partial" help:"program to run and its arguments"`
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        "nsenter",
		Synopsis:    "[options] [<program> [<argument>...]]",
		Description: "Run a program with namespaces of other processes.",
		// util-linux 2.42's longopts, in its order (follow-context in SELinux builds).
		Getopt: []string{"all", "help", "version", "target", "mount", "uts", "ipc", "net", "net-socket",
			"pid", "user", "cgroup", "time", "setuid", "setgid", "root", "wd", "wdns", "env", "no-fork",
			"join-cgroup", "preserve-credentials", "keep-caps", "user-parent", "follow-context"},
	}, &grammar{}
}

// Main runs nsenter with args (without the program name), its messages on stderr, and returns
// the exit status. On success it does not return: the program replaces nsenter.
func Main(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	g, opts, code, done := cli.ParseCommand(Command, args, stdout, stderr)
	if done {
		return code
	}
	if err := run(g.(*grammar), opts, stderr); err != nil {
		return report(stderr, err)
	}
	return cli.ExitOK
}
