// kt-helper: what the kernel scenario needs that busybox has no applet for.
//
//   kt-helper pidfd-inode PID      print the inode of a pidfd for PID (pidfs, Linux 6.9), or
//                                  "none" when the pidfd is not a pidfs file
//   kt-helper as UID GID PROG ...  run PROG with only that user and group (no supplementary
//                                  groups), as a normal user would
//
// Built static by scripts/test-kernels for the initramfs and the host run alike.
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#define PID_FS_MAGIC 0x50494446

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "pidfd-inode") == 0) {
		int fd = (int)syscall(SYS_pidfd_open, atoi(argv[2]), 0);
		struct statfs sfs;
		struct stat st;
		if (fd < 0 || fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0) {
			perror("kt-helper: pidfd");
			return 1;
		}
		if (sfs.f_type != PID_FS_MAGIC)
			puts("none");
		else
			printf("%llu\n", (unsigned long long)st.st_ino);
		return 0;
	}
	if (argc > 4 && strcmp(argv[1], "as") == 0) {
		uid_t uid = (uid_t)atoi(argv[2]);
		gid_t gid = (gid_t)atoi(argv[3]);
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
			perror("kt-helper: as");
			return 1;
		}
		execvp(argv[4], argv + 4);
		perror(argv[4]);
		return 127;
	}
	fprintf(stderr, "usage: kt-helper pidfd-inode PID | as UID GID PROG [ARG...]\n");
	return 2;
}
