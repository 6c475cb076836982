// SPDX-License-Identifier: GPL-2.0
/*
 * ulp_hold: leave a loopback connection with ktlso attached open in a
 * background process for SECONDS (default 120) and return at once.
 *
 * The VM runner's selftest uses it to prove that a module which cannot be
 * unloaded at the end of a run fails that run.
 */

#include <signal.h>

#include "ktlso_test.h"

int main(int argc, char **argv)
{
	unsigned int secs = argc > 1 ? (unsigned int)atoi(argv[1]) : 120;
	int cfd = -1, sfd = -1, err, ready[2];
	char ok;
	pid_t pid;

	if (pipe(ready)) {
		perror("ulp_hold: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("ulp_hold: fork");
		return 1;
	}
	if (pid > 0) {
		close(ready[1]);
		if (read(ready[0], &ok, 1) != 1) {
			fprintf(stderr, "ulp_hold: could not attach ktlso\n");
			return 1;
		}
		return 0;
	}

	close(ready[0]);
	setsid();
	err = ktlso_tcp_pair(AF_INET, &cfd, &sfd);
	if (!err)
		err = ktlso_attach(cfd);
	if (err) {
		fprintf(stderr, "ulp_hold: %s\n", strerror(-err));
		_exit(1);
	}
	if (write(ready[1], "", 1) != 1)
		_exit(1);
	close(ready[1]);
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	close(STDERR_FILENO);
	sleep(secs);
	_exit(0);
}
