//go:build linux

package comptest

import (
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nsbox/nsbox/nsutil/nstest"
)

// bashWords splits a command line as bash does for COMP_WORDS: at blanks, and around runs of
// the COMP_WORDBREAKS characters = and :.
func bashWords(line string) []string {
	var words []string
	for _, field := range strings.Fields(line) {
		start := 0
		for i := 0; i < len(field); {
			if !strings.ContainsRune("=:", rune(field[i])) {
				i++
				continue
			}
			if i > start {
				words = append(words, field[start:i])
			}
			j := i
			for j < len(field) && strings.ContainsRune("=:", rune(field[j])) {
				j++
			}
			words = append(words, field[i:j])
			start, i = j, j
		}
		if start < len(field) {
			words = append(words, field[start:])
		}
	}
	if line == "" || strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	return words
}

// Bash runs the bash completion function of the command in line (completing at its
// end) as bash's programmable completion would, and returns COMPREPLY.
func Bash(t *testing.T, script, line string, preamble string) []string {
	t.Helper()
	nstest.RequireTool(t, "/bin/bash")
	words := bashWords(line)
	prog := `source "$1" || exit 3
` + preamble + `
COMP_LINE=$2 COMP_POINT=${#2} COMP_CWORD=$3 COMP_WORDS=("${@:4}")
spec=$(complete -p -- "${COMP_WORDS[0]}") || exit 4
fn=${spec#*-F } fn=${fn%% *}
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
	args := append([]string{"--norc", "--noprofile", "-c", prog, "bash", script, line, strconv.Itoa(len(words) - 1)}, words...)
	res := nstest.Run(t, 60*time.Second, exec.Command("/bin/bash", args...))
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("bash completion of %q: exit %d, stderr %q", line, res.Code, res.Stderr)
	}
	return lines(res.Stdout)
}

// lines is the non-empty lines of s, sorted.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// Fish sources script in a fish without configuration and returns `complete -C LINE`: the
// candidates for the end of line, without their descriptions.
func Fish(t *testing.T, script, line string) []string {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/fish")
	cmd := exec.Command("/usr/bin/fish", "--no-config", "-c", `source $argv[1]; or exit 3; complete -C $argv[2]`, script, line)
	res := nstest.Run(t, 60*time.Second, cmd)
	if res.Code != 0 || res.Stderr != "" {
		t.Fatalf("fish completion of %q: exit %d, stderr %q", line, res.Code, res.Stderr)
	}
	var out []string
	for _, l := range lines(res.Stdout) {
		word, _, _ := strings.Cut(l, "\t")
		out = append(out, word)
	}
	slices.Sort(out)
	return out
}

// zshCapture runs an interactive zsh on a pseudo-terminal (zsh/zpty), loads compsys and the
// script, types LINE and TAB, and prints every match compadd is given (compadd is wrapped to
// print them), one per line between markers, then exits from a comppostfuncs hook.
const zshCapture = `zmodload zsh/zpty || exit 2
zpty z zsh -f -i
zpty -w z "PROMPT= RPROMPT= PS2= ; $1; autoload -Uz compinit && compinit -u -D && $2 && bindkey '^I' complete-word"
zpty -w z 'compadd () { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local r=$? h; for h in $__hits; do print -r -- "<""<$h>"">"; done; return r }'
zpty -w z 'comppostfuncs=( __done ); __done() { print -r -- "@@DONE""@@"; exit }'
zpty -w -n z "$3"$'\t'
local all= chunk
integer i=0
while (( i++ < 1200 )); do
  if zpty -r -t z chunk; then all+=$chunk; [[ $all == *'@@DONE@@'* ]] && break; else sleep 0.05; fi
done
zpty -d z
[[ $all == *'@@DONE@@'* ]] || exit 4
print -r -- "$all" | grep -o '<<.*>>' | sed 's/^<<//; s/>>$//'
`

// Zsh completes LINE with the script loaded into compsys in an interactive zsh on a
// pseudo-terminal, and returns the matches offered.
func Zsh(t *testing.T, script, line string) []string {
	t.Helper()
	return ZshWith(t, ":", "source "+shellQuote(script), line)
}

// ZshWith completes LINE in an interactive zsh on a pseudo-terminal after running pre (before
// compinit: fpath=(...)) and post (after it), and returns the matches offered.
func ZshWith(t *testing.T, pre, post, line string) []string {
	t.Helper()
	nstest.RequireTool(t, "/usr/bin/zsh")
	cmd := exec.Command("/usr/bin/zsh", "-f", "-c", zshCapture, "zsh", pre, post, line)
	res := nstest.Run(t, 90*time.Second, cmd)
	if res.Code != 0 {
		t.Fatalf("zsh completion of %q: exit %d, stderr %q", line, res.Code, res.Stderr)
	}
	return slices.Compact(lines(res.Stdout))
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
