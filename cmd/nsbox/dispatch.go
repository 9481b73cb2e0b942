//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nsbox/nsbox/nsutil/cli"
	"github.com/nsbox/nsbox/nsutil/pidinit"
	"github.com/nsbox/nsbox/tools/lsns"
	"github.com/nsbox/nsbox/tools/nsenter"
	"github.com/nsbox/nsbox/tools/pidnsinit"
	"github.com/nsbox/nsbox/tools/unshare"
)

// applet is one tool of the binary: its Main takes the arguments after the program name and the
// standard streams, and command gives its kong grammar for what is generated from it
// (completions, man page checks).
type applet struct {
	name    string
	main    func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
	command func() (cli.Spec, any)
}

// applets is the registry, in the order --list prints it.
var applets = []applet{
	{"unshare", unshare.Main, unshare.Command},
	{"nsenter", nsenter.Main, nsenter.Command},
	{"lsns", lsns.Main, lsns.Command},
	{"pidns-init", pidnsinit.Main, pidnsinit.Command},
}

// aliases are the other names an applet answers to: the names container engines and images
// give their init binary (docker run --init mounts it as docker-init, podman run --init as
// podman-init; images call tini by name). --list and --install leave them out. They are the C
// init's list (nsutil/pidinit), which has the process before Go runs.
var aliases = pidinit.Aliases()

func findApplet(name string) (applet, bool) {
	if target, ok := aliases[name]; ok {
		name = target
	}
	for _, a := range applets {
		if a.name == name {
			return a, true
		}
	}
	return applet{}, false
}

// dispatch runs the applet argv names (cli.AppletOf), or, when argv[0] is nsbox itself,
// nsbox's own options and then the applet named by the first argument.
func dispatch(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name, args := cli.AppletOf(argv)
	if a, ok := findApplet(name); ok {
		return a.main(args, stdin, stdout, stderr)
	}
	if base := filepath.Base(argv[0]); !strings.HasPrefix(base, "nsbox") {
		return unknownApplet(stderr, base)
	}
	return nsboxMain(argv[1:], stdin, stdout, stderr)
}

// nsboxGrammar is the command line of nsbox itself.
type nsboxGrammar struct {
	Help    cli.HelpFlag    `short:"h"`
	Version cli.VersionFlag `short:"V"`
	List    bool            `short:"l"`
	Install bool
	Force   bool     `short:"f"`
	Applet  []string `arg:"" optional:"" passthrough:"partial" complete:"applets"`
	// Completion prints the shell completion script generated from the grammars (for make
	// install and packagers); the arguments, if any, name the commands to include.
	Completion string `complete:"values=bash,zsh,fish"`
}

// nsboxHelp is how --help shows each option and argument (see cli.OptionHelp).
var nsboxHelp = []cli.OptionHelp{
	{Name: "list", Help: "list the applets, one per line"},
	{Name: "install", Help: "create a symlink for every applet in DIR (the first argument)"},
	{Name: "force", Help: "with --install, replace files that are not links to nsbox"},
	{Name: "applet", Help: "the applet to run and its arguments, or --install's DIR"},
	{Name: "completion", PlaceHolder: "shell", Help: "print the bash, zsh or fish completion script"},
}

// nsboxSpec is the command-line spec of nsbox itself.
func nsboxSpec() cli.Spec {
	return cli.Spec{
		Name:        "nsbox",
		Synopsis:    "[--list | --install [--force] DIR | --completion=SHELL [APPLET...] | APPLET [arguments...]]",
		Description: "Linux namespace tools in one binary: " + appletNames(", ") + ".",
		Help:        nsboxHelp,
	}
}

func nsboxMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var g nsboxGrammar
	spec := nsboxSpec()
	spec.Stdout, spec.Stderr = stdout, stderr
	_, code, done := cli.Parse(spec, &g, args)
	if done {
		return code
	}
	switch {
	case g.Completion != "":
		return writeCompletion(g.Completion, g.Applet, stdout, stderr)
	case g.List:
		if len(g.Applet) > 0 {
			cli.UsageError(stderr, "nsbox", "--list takes no arguments")
			return cli.ExitFailure
		}
		fmt.Fprint(stdout, appletNames("\n")+"\n")
		return cli.ExitOK
	case g.Install:
		if len(g.Applet) != 1 {
			cli.UsageError(stderr, "nsbox", "--install takes one directory")
			return cli.ExitFailure
		}
		return install(g.Applet[0], g.Force, stdout, stderr)
	case len(g.Applet) == 0:
		cli.UsageError(stderr, "nsbox", "no applet specified; one of: "+appletNames(", "))
		return cli.ExitFailure
	}
	if a, ok := findApplet(g.Applet[0]); ok {
		return a.main(g.Applet[1:], stdin, stdout, stderr)
	}
	return unknownApplet(stderr, g.Applet[0])
}

func unknownApplet(w io.Writer, name string) int {
	fmt.Fprintf(w, "nsbox: unknown applet '%s'\nApplets: %s\n", name, appletNames(", "))
	return cli.ExitFailure
}

func appletNames(sep string) string {
	names := make([]string, len(applets))
	for i, a := range applets {
		names[i] = a.name
	}
	return strings.Join(names, sep)
}

// install makes DIR/APPLET symlinks to this binary. A file that is not already a link to nsbox
// is left alone unless force; each skip is reported.
func install(dir string, force bool, stdout, stderr io.Writer) int {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		return cli.Fail(stderr, "nsbox", fmt.Errorf("cannot find this binary: %w", err))
	}
	if st, err := os.Stat(dir); err != nil {
		return cli.Fail(stderr, "nsbox", err)
	} else if !st.IsDir() {
		return cli.Fail(stderr, "nsbox", fmt.Errorf("%s: not a directory", dir))
	}
	status := cli.ExitOK
	for _, a := range applets {
		link := filepath.Join(dir, a.name)
		if _, err := os.Lstat(link); err == nil {
			if !force && !linksTo(link, self) {
				fmt.Fprintf(stderr, "nsbox: skipped %s: it exists and is not a link to nsbox (use --force to replace it)\n", link)
				continue
			}
			if err := os.Remove(link); err != nil {
				status = cli.Fail(stderr, "nsbox", err)
				continue
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			status = cli.Fail(stderr, "nsbox", err)
			continue
		}
		if err := os.Symlink(self, link); err != nil {
			status = cli.Fail(stderr, "nsbox", err)
			continue
		}
		fmt.Fprintf(stdout, "%s -> %s\n", link, self)
	}
	return status
}

// linksTo reports whether link is a symlink that resolves to the binary self.
func linksTo(link, self string) bool {
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&os.ModeSymlink == 0 {
		return false
	}
	target, err := filepath.EvalSymlinks(link)
	return err == nil && target == self
}
