// pidinit.h: what pidns-init's Go side (plan.go) hands its C init (init.c), and the names the
// binary is pidns-init by. Both sides compile this header (Go through cgo), so the layout of the
// plan is defined once.

#ifndef NSBOX_PIDINIT_H
#define NSBOX_PIDINIT_H

#include <stdint.h>

// The names that make the binary pidns-init: its own, and those container engines give their
// init (docker-init is tini for Docker, podman-init catatonit for Podman), as argv[0]'s base name
// or after nsbox (`nsbox pidns-init`, `nsbox tini`). The one table of them: Go reads it too.
static const char pidinit_names[] = "pidns-init\0docker-init\0podman-init\0tini\0";

#define PIDINIT_MAGIC 0x31444950u // "PID1"
#define PIDINIT_NSIG 64
#define PIDINIT_NERRNO 134 // errno texts in the plan: 1 to 133

// Plan flags.
enum {
	PIDINIT_SUBREAPER = 1 << 0,  // -s: register as a child subreaper even as PID 1, or fail
	PIDINIT_PGROUP = 1 << 1,     // -g: forward signals to the program's process group
	PIDINIT_WARN_REAP = 1 << 2,  // -w: a reaped orphan is a warning
	PIDINIT_PAUSE = 1 << 3,      // --pause: no program; INT or TERM ends the init
};

// A rewrite[] entry that leaves the signal to the init's default rule.
#define PIDINIT_DEFAULT (-1)

// The plan: this fixed part, then `strings` bytes of NUL-terminated strings: the program's argc
// arguments (argv[0] first, searched in PATH), and for the messages the names of the signals 1
// to 64 and the texts of the errnos 1 to PIDINIT_NERRNO-1 (the GNU C library's wording, whatever
// libc is linked).
struct pidinit_plan {
	uint32_t magic;
	uint32_t flags;
	int32_t verbosity; // 1 warnings (the default), 2 information, 3 debug; below 1 silent
	int32_t pdeathsig; // -p: the parent-death signal, 0 for none
	int64_t grace_ns;  // --grace, 0 for none
	uint32_t argc;
	uint32_t strings;
	uint8_t expect[256]; // -e: 1 for each exit code that becomes 0
	int8_t rewrite[PIDINIT_NSIG + 1]; // -r, by signal received: PIDINIT_DEFAULT, 0 (drop) or the signal to send
};

#endif
