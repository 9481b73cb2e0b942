// helper.c: processes for pidns-init's tests and benchmark (scripts/bench.d/pidns-init.sh).
//
//   helper orphans N           fork N children that each fork a grandchild and exit at once,
//                              so N orphans go to the init; wait until every grandchild has
//                              exited (a pipe's EOF), then exit 0
//   helper sigexec IGN BLK PEND PROGRAM [ARGS...]
//                              set SIG_IGN on the signals of the hexadecimal mask IGN, block
//                              those of BLK, raise the signals of PEND (blocked, so pending),
//                              then execute PROGRAM
//   helper termafter USEC PROGRAM [ARGS...]
//                              run PROGRAM as PID 1 of a new PID namespace, send it SIGTERM
//                              USEC microseconds after its execve, and print its exit status
//                              (128+N when killed by N); needs CAP_SYS_ADMIN
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int orphans(long n)
{
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			if (fork() < 0)
				_exit(1);
			_exit(0); // both the child and the grandchild (now an orphan) exit
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	// Every grandchild held the pipe's write end; EOF means all of them have exited.
	close(fds[1]);
	char c;
	while (read(fds[0], &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static int sigexec(char **argv)
{
	unsigned long long ign = strtoull(argv[0], NULL, 16);
	unsigned long long blk = strtoull(argv[1], NULL, 16);
	unsigned long long pend = strtoull(argv[2], NULL, 16);
	sigset_t set;
	sigemptyset(&set);
	for (int sig = 1; sig <= 64; sig++) {
		if (ign & (1ull << (sig - 1)))
			signal(sig, SIG_IGN);
		if (blk & (1ull << (sig - 1)))
			sigaddset(&set, sig);
	}
	sigprocmask(SIG_SETMASK, &set, NULL);
	for (int sig = 1; sig <= 64; sig++)
		if (pend & (1ull << (sig - 1)))
			kill(getpid(), sig);
	execvp(argv[3], argv + 3);
	fprintf(stderr, "helper: cannot execute %s: %s\n", argv[3], strerror(errno));
	return 127;
}

static int termafter(char **argv)
{
	long usec = atol(argv[0]);
	int ready[2];
	if (unshare(CLONE_NEWPID) < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		perror("unshare/pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(ready[0]);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	// The pipe's close-on-exec end closes at the child's execve: the clock starts there.
	close(ready[1]);
	char c;
	while (read(ready[0], &c, 1) < 0 && errno == EINTR)
		;
	struct timespec ts = {usec / 1000000, (usec % 1000000) * 1000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	kill(pid, SIGTERM);
	int ws;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	printf("%d\n", WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "orphans") == 0)
		return orphans(atol(argv[2]));
	if (argc >= 6 && strcmp(argv[1], "sigexec") == 0)
		return sigexec(argv + 2);
	if (argc >= 4 && strcmp(argv[1], "termafter") == 0)
		return termafter(argv + 2);
	fprintf(stderr, "usage: helper orphans N | helper sigexec IGN BLK PEND PROGRAM [ARGS...] | helper termafter USEC PROGRAM [ARGS...]\n");
	return 2;
}
