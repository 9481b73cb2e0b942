//go:build linux

package complete

import (
	"fmt"
	"io"
	"strings"
)

// zshHelpers are the functions the zsh script's actions call.
const zshHelpers = `# __nsbox_netns completes ip netns names (/run/netns), or files.
(( $+functions[__nsbox_netns] )) || __nsbox_netns() {
    local -a names
    names=(/run/netns/*(N:t))
    _alternative 'netns:network namespace:compadd -a names' 'files:file:_files'
}
`

// Zsh writes a zsh completion script: one _arguments function per command. The script works
// both ways zsh takes one: autoloaded by compinit as a file in $fpath (its first line is the
// #compdef line; install it as _COMMAND when it has one command) and sourced after compinit.
func Zsh(w io.Writer, applets []*Applet) error {
	var b strings.Builder
	names := make([]string, len(applets))
	for i, a := range applets {
		names[i] = a.Name
	}
	fmt.Fprintf(&b, "#compdef %s\n", strings.Join(names, " "))
	b.WriteString(header("zsh"))
	b.WriteString(zshHelpers)
	for _, a := range applets {
		writeZshFunction(&b, a, appletNames(applets))
	}
	b.WriteString("\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n")
	b.WriteString("    # autoloaded by compinit for $service: complete it now\n")
	b.WriteString("    _nsbox_${service//-/_} \"$@\"\nelse\n")
	for _, a := range applets {
		fmt.Fprintf(&b, "    compdef %s %s\n", funcName(a.Name), a.Name)
	}
	b.WriteString("fi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeZshFunction(b *strings.Builder, a *Applet, applets []string) {
	flags := "-s -S"
	if a.endsOptions() {
		flags += " -A '-*'" // getopt's "+": options stop at the program
	}
	fmt.Fprintf(b, "\n%s() {\n    _arguments %s", funcName(a.Name), flags)
	for _, o := range a.Options {
		for _, spec := range zshOptionSpecs(o, applets) {
			fmt.Fprintf(b, " \\\n        %s", shellQuote(spec))
		}
	}
	for i, v := range a.Args {
		switch v.Action {
		case ActCommand:
			fmt.Fprintf(b, " \\\n        %s \\\n        %s", shellQuote("1: :_command_names -e"), shellQuote("*::arguments:_normal"))
		case ActApplets:
			fmt.Fprintf(b, " \\\n        %s \\\n        %s", shellQuote("1:applet:("+strings.Join(applets, " ")+")"), shellQuote("*::arguments:_normal"))
		case ActNone:
			// Nothing to offer for the argument itself, but options go on completing (with
			// the empty action " ", _arguments would insert nothing at all, even for --no<TAB>).
			fmt.Fprintf(b, " \\\n        %s", shellQuote(fmt.Sprintf(`%d:argument:_guard "[^-]#" argument`, i+1)))
		default:
			fmt.Fprintf(b, " \\\n        %s", shellQuote(fmt.Sprintf("%d:argument:%s", i+1, zshAction(v, applets))))
		}
		if v.Action == ActCommand || v.Action == ActApplets {
			break
		}
	}
	b.WriteString("\n}\n")
}

// endsOptions reports whether the applet's first positional argument is a program or an
// applet, after which nothing is an option.
func (a *Applet) endsOptions() bool {
	return len(a.Args) > 0 && (a.Args[0].Action == ActCommand || a.Args[0].Action == ActApplets)
}

// zshOptionSpecs spells one option for _arguments: '(-t --target)-t+[help]:pid:_pids' and
// '(-t --target)--target=[help]:pid:_pids'.
func zshOptionSpecs(o Option, applets []string) []string {
	var forms []string
	if o.Short != 0 {
		forms = append(forms, "-"+string(o.Short))
	}
	if o.Long != "" {
		forms = append(forms, "--"+o.Long)
	}
	exclusion := "(" + strings.Join(forms, " ") + ")"
	if o.Repeatable {
		exclusion = "*"
	}
	desc := "[" + zshEscape(o.Help) + "]"
	value := ":" + zshEscape(o.Placeholder) + ":" + zshAction(o.Value, applets)
	var specs []string
	for _, form := range forms {
		short := len(form) == 2
		spec := exclusion + form
		switch {
		case o.Arity == RequiredValue && short:
			spec += "+" + desc + value
		case o.Arity == RequiredValue:
			spec += "=" + desc + value
		case o.Arity == OptionalValue && short && o.AttachedShort:
			spec += "-" + desc + ":" + value
		case o.Arity == OptionalValue && !short:
			spec += "=-" + desc + ":" + value
		default:
			spec += desc
		}
		specs = append(specs, spec)
	}
	return specs
}

// zshAction is the _arguments action for a value.
func zshAction(v Value, applets []string) string {
	switch v.Action {
	case ActWords:
		words := make([]string, len(v.Words))
		for i, w := range v.Words {
			words[i] = zshWord(w)
		}
		if v.List {
			return "_sequence compadd - " + strings.Join(words, " ")
		}
		return "(" + strings.Join(words, " ") + ")"
	case ActPids:
		return "_pids"
	case ActNetns:
		return "__nsbox_netns"
	case ActFiles:
		return "_files"
	case ActDirs:
		return "_files -/"
	case ActUsers:
		return "_users"
	case ActGroups:
		return "_groups"
	case ActCommand:
		return "_command_names -e"
	case ActApplets:
		return "(" + strings.Join(applets, " ") + ")"
	}
	return " "
}

// zshEscape escapes what _arguments treats specially in a description.
func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

// zshWord escapes a word of a "(a b c)" action.
func zshWord(s string) string {
	return strings.NewReplacer(`\`, `\\`, ":", `\:`, "(", `\(`, ")", `\)`, " ", `\ `).Replace(s)
}
