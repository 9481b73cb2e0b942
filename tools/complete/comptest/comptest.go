//go:build linux

// Package comptest drives the generated shell completion scripts the way the shells do, for
// tests: bash's completion function with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT set, and
// fish's `complete -C`.
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

// BashWords splits a command line as bash does for COMP_WORDS: at blanks, and around runs of
// the COMP_WORDBREAKS characters = and :.
func BashWords(line string) []string {
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
	words := BashWords(line)
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
	return Lines(res.Stdout)
}

// Lines is the non-empty lines of s, sorted.
func Lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}
