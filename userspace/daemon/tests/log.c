// SPDX-License-Identifier: GPL-2.0
/*
 * ktlsod's log: levels, and the budget of lines peers can cause
 * (kd_log_peer()): a burst, then the average rate, the dropped lines
 * counted in the next line kept, and threads sharing it. The lines go to
 * stderr, which each test points at a file of its own.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "daemon/log.h"

/* stderr into a fresh file; returns its descriptor for lines_of(). */
static int capture(void)
{
	char path[] = "/tmp/ktlsod-log-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) < 0)
		return -1;
	return fd;
}

/* Lines of @fd holding @what (all lines for NULL); the last one in @last. */
static int lines_of(int fd, const char *what, char *last, size_t len)
{
	char buf[1 << 16], *line, *save;
	ssize_t n;
	int count = 0;

	fflush(stderr);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (what && !strstr(line, what))
			continue;
		count++;
		if (last)
			snprintf(last, len, "%s", line);
	}
	return count;
}

TEST(levels)
{
	int fd = capture();

	ASSERT_LE(0, fd);
	kd_log_init(KD_LOG_WARNING, false);
	kd_log(KD_LOG_INFO, "dropped");
	kd_log(KD_LOG_WARNING, "kept %d", 1);
	EXPECT_TRUE(kd_log_peer(KD_LOG_DEBUG, "below the level"));
	EXPECT_EQ(1, lines_of(fd, NULL, NULL, 0));
	EXPECT_EQ(1, lines_of(fd, "ktlsod: warning: kept 1", NULL, 0));
	close(fd);
}

TEST(peer_budget)
{
	char last[512];
	int fd = capture(), i, kept = 0;

	ASSERT_LE(0, fd);
	kd_log_init(KD_LOG_INFO, false);
	for (i = 0; i < 200; i++)
		kept += kd_log_peer(KD_LOG_WARNING, "peer line %d", i);
	/* The burst, and not much more within the same instant. */
	EXPECT_LE(KD_LOG_PEER_BURST, kept);
	EXPECT_GE(KD_LOG_PEER_BURST + 1, kept);
	EXPECT_EQ(kept, lines_of(fd, "peer line", NULL, 0));
	/* Other lines are not held back meanwhile. */
	kd_log(KD_LOG_WARNING, "not a peer's");
	EXPECT_EQ(1, lines_of(fd, "not a peer's", NULL, 0));
	/* A second later, about KD_LOG_PEER_PER_S more, the first saying
	 * how many were dropped. */
	usleep(1100 * 1000);
	EXPECT_TRUE(kd_log_peer(KD_LOG_WARNING, "peer again"));
	EXPECT_EQ(1, lines_of(fd, "peer again", last, sizeof(last)));
	EXPECT_NE(NULL, strstr(last, "similar lines dropped before this one"))
		TH_LOG("%s", last);
	for (i = 0, kept = 0; i < 50; i++)
		kept += kd_log_peer(KD_LOG_WARNING, "peer more %d", i);
	EXPECT_GE(KD_LOG_PEER_PER_S, kept);
	close(fd);
}

#define THREADS 4

static void *flood(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 1000; i++)
		kd_log_peer(KD_LOG_WARNING, "threaded peer line");
	return NULL;
}

TEST(peer_budget_threads)
{
	pthread_t t[THREADS];
	int fd = capture(), i, n;

	ASSERT_LE(0, fd);
	kd_log_init(KD_LOG_INFO, false);
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, flood, NULL));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	n = lines_of(fd, "threaded peer line", NULL, 0);
	EXPECT_LE(1, n);
	EXPECT_GE(KD_LOG_PEER_BURST + 2, n);
	close(fd);
}

TEST_HARNESS_MAIN
