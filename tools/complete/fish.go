//go:build linux

package complete

import (
	"fmt"
	"io"
	"strings"
)

// fishHelpers are the functions the fish script's conditions and arguments call.
const fishHelpers = `# __nsbox_where prints where the cursor is: "option" (an option or, when the word does not start
# with -, the program), "value" (the value of the option before it) or "program" (after the
# program name). Its arguments are the options whose value may be the next word.
function __nsbox_where
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case --
                echo program
                return
            case '--*'
                contains -- $t $argv; and set skip 1
            case '-?*'
                set -l n (string length -- $t)
                for i in (seq 2 $n)
                    if contains -- -(string sub -s $i -l 1 -- $t) $argv
                        test $i -eq $n; and set skip 1
                        break
                    end
                end
            case '*'
                echo program
                return
        end
    end
    if test $skip = 1
        echo value
    else
        echo option
    end
end

# __nsbox_at_program succeeds when the current word is the program or one of its arguments.
function __nsbox_at_program
    switch (__nsbox_where $argv)
        case program
            return 0
        case option
            not string match -q -- '-*' (commandline -ct)
            return
    end
    return 1
end

# __nsbox_list completes a comma-separated list of the words after its first argument, which
# is "+" when the list may start with "+".
function __nsbox_list
    set -l val (commandline -ct | string replace -r -- '^--[^=]*=' '')
    set -l head (string replace -r -- '[^,]*$' '' $val)
    if test "$argv[1]" = +; and test -z "$head"; and string match -q -- '+*' $val
        set head +
    end
    printf '%s\n' $head$argv[2..-1]
end

# __nsbox_netns completes ip netns names (/run/netns), or files when the word has a /.
function __nsbox_netns
    set -l val (commandline -ct | string replace -r -- '^--[^=]*=' '')
    if string match -q -- '*/*' $val
        __fish_complete_path $val
        return
    end
    for f in /run/netns/*
        test -e $f; and string replace -r -- '.*/' '' $f
    end
end
`

// Fish writes a fish completion script: `complete` lines for every option of every command,
// conditioned so that options stop at the program, whose arguments complete as that program's.
// Install it as vendor_completions.d/COMMAND.fish when it has one command.
func Fish(w io.Writer, applets []*Applet) error {
	var b strings.Builder
	b.WriteString(header("fish"))
	b.WriteString(fishHelpers)
	names := appletNames(applets)
	for _, a := range applets {
		writeFishCommand(&b, a, names)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeFishCommand(b *strings.Builder, a *Applet, applets []string) {
	valOpts := strings.Join(a.separateValueOptions(), " ")
	fmt.Fprintf(b, "\ncomplete -c %s -e\ncomplete -c %s -f\n", a.Name, a.Name)
	cond := ""
	if a.endsOptions() {
		cond = fishQuote("test (__nsbox_where " + valOpts + ") != program")
	}
	for _, o := range a.Options {
		line := "complete -c " + a.Name
		if cond != "" {
			line += " -n " + cond
		}
		if o.Short != 0 {
			line += " -s " + string(o.Short)
		}
		if o.Long != "" {
			line += " -l " + o.Long
		}
		if o.Help != "" {
			line += " -d " + fishQuote(o.Help)
		}
		if o.Arity != NoValue {
			line += fishValue(o.Value, o.Arity == RequiredValue)
		}
		b.WriteString(line + "\n")
	}
	if len(a.Args) == 0 {
		return
	}
	switch v := a.Args[0]; v.Action {
	case ActCommand, ActApplets:
		at := fishQuote("__nsbox_at_program " + valOpts)
		if v.Action == ActApplets {
			first := fishQuote("test (__nsbox_where " + valOpts + ") = option")
			fmt.Fprintf(b, "complete -c %s -n %s -a %s\n", a.Name, first, fishQuote(strings.Join(applets, " ")))
			at = fishQuote("test (__nsbox_where " + valOpts + ") = program")
		}
		fmt.Fprintf(b, "complete -c %s -n %s -a %s\n", a.Name, at,
			fishQuote("(__fish_complete_subcommand -- "+valOpts+")"))
	default:
		if s := fishValue(v, false); s != "" {
			fmt.Fprintf(b, "complete -c %s%s\n", a.Name, s)
		}
	}
}

// fishValue is the part of a complete line that gives an option's values: -r (required) or
// nothing (then fish takes the value only as --long=VALUE, getopt's optional argument), and
// what the value completes to.
func fishValue(v Value, required bool) string {
	s := ""
	if required {
		s = " -r"
	}
	switch v.Action {
	case ActWords:
		if v.List {
			plus := "-"
			if v.Plus {
				plus = "+"
			}
			return s + " -f -a " + fishQuote("(__nsbox_list "+plus+" "+strings.Join(v.Words, " ")+")")
		}
		return s + " -f -a " + fishQuote(strings.Join(v.Words, " "))
	case ActPids:
		return s + " -f -a " + fishQuote("(__fish_complete_pids)")
	case ActNetns:
		return s + " -f -a " + fishQuote("(__nsbox_netns)")
	case ActFiles:
		return s + " -F"
	case ActDirs:
		return s + " -f -a " + fishQuote("(__fish_complete_directories)")
	case ActUsers:
		return s + " -f -a " + fishQuote("(__fish_complete_users)")
	case ActGroups:
		return s + " -f -a " + fishQuote("(__fish_complete_groups)")
	}
	return s + " -f" // nothing to offer, not even file names
}

// fishQuote quotes s for fish, where \ and ' are escaped inside single quotes.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
