// helper.c: processes for pidns-init's tests and benchmark (scripts/bench.d/pidns-init.sh).
//
//   helper orphans N           fork N children that each fork a grandchild and exit at once,
//                              so N orphans go to the init; wait until every grandchild has
//                              exited (a pipe's EOF), then exit 0
//   helper sigexec IGN BLK PEND PROGRAM [ARGS...]
//                              set SIG_IGN on the signals of the hexadecimal mask IGN, block
//                              those of BLK, raise the signals of PEND (blocked, so pending),
//                              then execute PROGRAM
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "orphans") == 0)
		return orphans(atol(argv[2]));
	if (argc >= 6 && strcmp(argv[1], "sigexec") == 0)
		return sigexec(argv + 2);
	fprintf(stderr, "usage: helper orphans N | helper sigexec IGN BLK PEND PROGRAM [ARGS...]\n");
	return 2;
}
