// Package nsenter is the nsenter applet: run a program in the namespaces of another process or
// of namespace files, a drop-in for util-linux nsenter(1).
//
//	nsenter [options] [program [arguments...]]
//
// Beyond util-linux: -a skips what the caller already shares with the target, --net=NAME
// enters the ip-netns namespace /run/netns/NAME, --container=ID targets a container's init, and
// --trace shows every step.
package nsenter

import (
	"fmt"

	"github.com/alecthomas/kong"
	"github.com/nsbox/nsbox/nsutil"
	"github.com/nsbox/nsbox/tools/cli"
)

// grammar is nsenter's command line. Namespace options carry `ns:"KIND"` (the nsutil.Kinds
// name) so that the code loops over nsutil.Kinds instead of naming the eight kinds again.
type grammar struct {
	All       bool        `short:"a" help:"enter all namespaces"`
	Target    requiredArg `short:"t" placeholder:"pid[:inode]" complete:"pids" help:"target process to get namespaces from"`
	Container *string     `placeholder:"id" help:"target the init of the container with this ID prefix or name"`

	Mount  nsutil.OptionalValue `short:"m" name:"mount" ns:"mnt" attached:"short" optvalue:"file|:nsid" help:"enter mount namespace"`
	UTS    nsutil.OptionalValue `short:"u" name:"uts" ns:"uts" attached:"short" optvalue:"file|:nsid" help:"enter UTS namespace (hostname etc)"`
	IPC    nsutil.OptionalValue `short:"i" name:"ipc" ns:"ipc" attached:"short" optvalue:"file|:nsid" help:"enter System V IPC namespace"`
	Net    nsutil.OptionalValue `short:"n" name:"net" ns:"net" attached:"short" optvalue:"file|name|:nsid" help:"enter network namespace (a name without '/': /run/netns/NAME)"`
	Socket requiredArg          `short:"N" name:"net-socket" placeholder:"fd" help:"enter socket's network namespace (needs --target)"`
	PID    nsutil.OptionalValue `short:"p" name:"pid" ns:"pid" attached:"short" optvalue:"file|:nsid" help:"enter pid namespace"`
	Cgroup nsutil.OptionalValue `short:"C" name:"cgroup" ns:"cgroup" attached:"short" optvalue:"file|:nsid" help:"enter cgroup namespace"`
	User   nsutil.OptionalValue `short:"U" name:"user" ns:"user" attached:"short" optvalue:"file|:nsid" help:"enter user namespace"`
	Parent bool                 `name:"user-parent" help:"enter parent user namespace"`
	Time   nsutil.OptionalValue `short:"T" name:"time" ns:"time" attached:"short" optvalue:"file|:nsid" help:"enter time namespace"`

	Setuid   requiredArg `short:"S" name:"setuid" placeholder:"uid" help:"set uid in entered namespace ('follow': the target's)"`
	Setgid   requiredArg `short:"G" name:"setgid" placeholder:"gid" help:"set gid in entered namespace ('follow': the target's)"`
	Preserve bool        `name:"preserve-credentials" help:"do not touch uids or gids"`
	KeepCaps bool        `name:"keep-caps" help:"retain capabilities granted in user namespaces"`

	Root   nsutil.OptionalValue `short:"r" name:"root" attached:"short" optvalue:"dir" help:"set the root directory"`
	Wd     nsutil.OptionalValue `short:"w" name:"wd" attached:"short" optvalue:"dir" help:"set the working directory"`
	Wdns   nsutil.OptionalValue `short:"W" name:"wdns" attached:"short" optvalue:"dir" help:"set the working directory in namespace"`
	Env    bool                 `short:"e" name:"env" help:"inherit environment variables from target process"`
	NoFork bool                 `short:"F" name:"no-fork" help:"do not fork before exec'ing <program>"`
	Cgjoin bool                 `short:"c" name:"join-cgroup" help:"join the cgroup of the target process"`
	Follow bool                 `short:"Z" name:"follow-context" help:"set SELinux context according to --target PID"`
	Trace  bool                 `name:"trace" help:"print each step (setns, chroot, setuid...) on stderr"`
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
	}, &grammar{}
}

// Main runs nsenter with args (without the program name) and returns the exit status. On
// success it does not return: the program replaces nsenter.
func Main(args []string) int {
	spec, g := Command()
	ctx, code, done := cli.Parse(spec, g, args)
	if done {
		return code
	}
	if err := exclusive(ctx, "wd", "wdns"); err != nil {
		return report(err)
	}
	if err := run(g.(*grammar)); err != nil {
		return report(err)
	}
	return cli.ExitOK
}

// exclusive refuses the long options a and b together, with util-linux's message naming them in
// the order given: "options --wd and --wdns cannot be combined".
func exclusive(ctx *kong.Context, a, b string) error {
	var seen []string
	for _, p := range ctx.Path {
		if p.Flag != nil && (p.Flag.Name == a || p.Flag.Name == b) && (len(seen) == 0 || seen[0] != p.Flag.Name) {
			seen = append(seen, p.Flag.Name)
		}
	}
	if len(seen) < 2 {
		return nil
	}
	return fmt.Errorf("options --%s and --%s cannot be combined", seen[0], seen[1])
}
