// Code generated from cstage/stage.h by TestSeam; DO NOT EDIT.

//go:build linux

package executor

const (
	marker = "_NSBOX_PLAN" // NSBOX_MARKER
	magic  = "NSBOXPL2"    // NSBOX_MAGIC
)

const (
	opUnshare        = 1       // OP_UNSHARE
	opSetns          = 2       // OP_SETNS
	opWrite          = 3       // OP_WRITE
	opMount          = 4       // OP_MOUNT
	opChroot         = 5       // OP_CHROOT
	opChdir          = 6       // OP_CHDIR
	opFchdir         = 7       // OP_FCHDIR
	opSetgroups      = 8       // OP_SETGROUPS
	opSetresgid      = 9       // OP_SETRESGID
	opSetresuid      = 10      // OP_SETRESUID
	opKeepCaps       = 11      // OP_KEEP_CAPS
	opPrctl          = 12      // OP_PRCTL
	opCheckParent    = 13      // OP_CHECK_PARENT
	opFork           = 14      // OP_FORK
	opWait           = 15      // OP_WAIT
	opHelperFork     = 16      // OP_HELPER_FORK
	opHelperRelease  = 17      // OP_HELPER_RELEASE
	opHelperDone     = 18      // OP_HELPER_DONE
	opRun            = 19      // OP_RUN
	opExec           = 20      // OP_EXEC
	opOpenFchdir     = 21      // OP_OPEN_FCHDIR
	opEnvAt          = 22      // OP_ENV_AT
	opFail           = 23      // OP_FAIL
	flagOptional     = 1 << 0  // F_OPTIONAL
	flagFollowStops  = 1 << 2  // F_FOLLOW_STOPS
	flagForwardSigs  = 1 << 3  // F_FORWARD_SIGS
	flagBlockSigs    = 1 << 4  // F_BLOCK_SIGS
	flagEnv          = 1 << 5  // F_ENV
	flagSubstPid     = 1 << 6  // F_SUBST_PID
	flagExit1        = 1 << 7  // F_EXIT_1
	flagUnlessDenied = 1 << 8  // F_UNLESS_DENIED
	flagEinvalOk     = 1 << 9  // F_EINVAL_OK
	flagShellEnv     = 1 << 10 // F_SHELL_ENV
	roleMain         = 0       // ROLE_MAIN
	roleParent       = 1       // ROLE_PARENT
	roleHelper       = 2       // ROLE_HELPER
	planTrace        = 1 << 0  // PLAN_TRACE
	exitNotFound     = 127     // EXIT_NOT_FOUND
	exitCannotExec   = 126     // EXIT_CANNOT_EXEC
)
