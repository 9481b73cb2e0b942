//go:build linux

package nsenter

import (
	"io"

	"github.com/nsbox/nsbox/nsutil/cli"
)

// grammar is nsenter's command line. The code finds the namespace options by their long names,
// nsutil.Kinds' Long, instead of naming the eight kinds again.
type grammar struct {
	All       bool            `short:"a"`
	Target    cli.RequiredArg `short:"t" complete:"pids"`
	Container *string

	Mount  cli.OptionalValue `short:"m" name:"mount" attached:"short" optvalue:"file|:nsid"`
	UTS    cli.OptionalValue `short:"u" name:"uts" attached:"short" optvalue:"file|:nsid"`
	IPC    cli.OptionalValue `short:"i" name:"ipc" attached:"short" optvalue:"file|:nsid"`
	Net    cli.OptionalValue `short:"n" name:"net" attached:"short" optvalue:"file|name|:nsid" complete:"netns"`
	Socket cli.RequiredArg   `short:"N" name:"net-socket"`
	PID    cli.OptionalValue `short:"p" name:"pid" attached:"short" optvalue:"file|:nsid"`
	Cgroup cli.OptionalValue `short:"C" name:"cgroup" attached:"short" optvalue:"file|:nsid"`
	User   cli.OptionalValue `short:"U" name:"user" attached:"short" optvalue:"file|:nsid"`
	Parent bool              `name:"user-parent"`
	Time   cli.OptionalValue `short:"T" name:"time" attached:"short" optvalue:"file|:nsid"`

	Setuid   cli.RequiredArg `short:"S" name:"setuid"`
	Setgid   cli.RequiredArg `short:"G" name:"setgid"`
	Preserve bool            `name:"preserve-credentials"`
	KeepCaps bool            `name:"keep-caps"`

	Root   cli.OptionalValue `short:"r" name:"root" attached:"short" optvalue:"dir"`
	Wd     cli.OptionalValue `short:"w" name:"wd" attached:"short" optvalue:"dir"`
	Wdns   cli.OptionalValue `short:"W" name:"wdns" attached:"short" optvalue:"dir"`
	Env    bool              `short:"e" name:"env"`
	NoFork bool              `short:"F" name:"no-fork"`
	Cgjoin bool              `short:"c" name:"join-cgroup"`
	Follow bool              `short:"Z" name:"follow-context"`
	Trace  bool              `name:"trace"`
	cli.ColorFlag

	Help    cli.HelpFlag    `short:"h"`
	Version cli.VersionFlag `short:"V"`
	Program []string        `arg:"" optional:"" passthrough:"partial"`
}

// optionHelp is how --help shows each option and argument (see cli.OptionHelp).
var optionHelp = []cli.OptionHelp{
	{Name: "all", Help: "enter all namespaces"},
	{Name: "target", PlaceHolder: "pid[:inode]", Help: "target process to get namespaces from"},
	{Name: "container", PlaceHolder: "id", Help: "target the init of the container with this ID prefix or name"},
	{Name: "mount", Help: "enter mount namespace"},
	{Name: "uts", Help: "enter UTS namespace (hostname etc)"},
	{Name: "ipc", Help: "enter System V IPC namespace"},
	{Name: "net", Help: "enter network namespace (a name without '/': /run/netns/NAME)"},
	{Name: "net-socket", PlaceHolder: "fd", Help: "enter socket's network namespace (needs --target)"},
	{Name: "pid", Help: "enter pid namespace"},
	{Name: "cgroup", Help: "enter cgroup namespace"},
	{Name: "user", Help: "enter user namespace"},
	{Name: "user-parent", Help: "enter parent user namespace"},
	{Name: "time", Help: "enter time namespace"},
	{Name: "setuid", PlaceHolder: "uid", Help: "set uid in entered namespace ('follow': the target's)"},
	{Name: "setgid", PlaceHolder: "gid", Help: "set gid in entered namespace ('follow': the target's)"},
	{Name: "preserve-credentials", Help: "do not touch uids or gids"},
	{Name: "keep-caps", Help: "retain capabilities granted in user namespaces"},
	{Name: "root", Help: "set the root directory"},
	{Name: "wd", Help: "set the working directory"},
	{Name: "wdns", Help: "set the working directory in namespace"},
	{Name: "env", Help: "inherit environment variables from target process"},
	{Name: "no-fork", Help: "do not fork before exec'ing <program>"},
	{Name: "join-cgroup", Help: "join the cgroup of the target process"},
	{Name: "follow-context", Help: "set SELinux context according to --target PID"},
	{Name: "trace", Help: "print each step (setns, chroot, setuid...) on stderr"},
	{Name: "program", Help: "program to run and its arguments"},
}

// Command returns the applet's command-line spec and a fresh grammar for kong, for Main and for
// what is generated from the grammar (completions, man page checks).
func Command() (cli.Spec, any) {
	return cli.Spec{
		Name:        "nsenter",
		Synopsis:    "[options] [<program> [<argument>...]]",
		Description: "Run a program with namespaces of other processes.",
		Help:        optionHelp,
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
