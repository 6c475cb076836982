// SPDX-License-Identifier: GPL-2.0
/*
 * A fleet's ticket keys through Redis, against a real redis-server the
 * test starts (127.0.0.1, a free port, a password, nothing saved): two
 * instances agree on the keys (what one seals the other opens); the next
 * epoch's key opens before anyone seals with it; a wrong password fails
 * and changes nothing; Redis gone: the keys held stay and sealing goes on,
 * each failed attempt counted; Redis back (empty): both agree again.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "kselftest_harness.h"

#include "daemon/tickets_redis.h"
#include "kd_test.h"

#define PASSWORD "fleet-pass"
#define ROTATION 3600

struct redis_proc {
	pid_t pid;
	unsigned int port;
	char dir[64];
};

static unsigned int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	unsigned int port = 0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* A redis-server command: 0 when it answered with no error. */
static int redis_ok(unsigned int port, const char *cmd)
{
	const struct timeval tv = { .tv_sec = 1 };
	redisContext *c = redisConnectWithTimeout("127.0.0.1", (int)port, tv);
	redisReply *rep = NULL;
	int ret = -1;

	if (c && !c->err)
		rep = redisCommand(c, "AUTH %s", PASSWORD);
	if (rep && rep->type != REDIS_REPLY_ERROR) {
		freeReplyObject(rep);
		rep = redisCommand(c, cmd);
		ret = rep && rep->type != REDIS_REPLY_ERROR ? 0 : -1;
	}
	if (rep)
		freeReplyObject(rep);
	if (c)
		redisFree(c);
	return ret;
}

static int redis_start(struct redis_proc *r)
{
	char port[16], log[96];
	int i;

	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		snprintf(port, sizeof(port), "%u", r->port);
		snprintf(log, sizeof(log), "%s/redis.log", r->dir);
		execlp("redis-server", "redis-server", "--port", port,
		       "--bind", "127.0.0.1", "--save", "", "--appendonly",
		       "no", "--requirepass", PASSWORD, "--dir", r->dir,
		       "--logfile", log, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (redis_ok(r->port, "PING") == 0)
			return 0;
		usleep(50 * 1000);
	}
	return -1;
}

static void redis_stop(struct redis_proc *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
}

/* Wait up to 10 s for @r to have made @syncs exchanges or @failures. */
static bool wait_counts(struct kd_tickets_redis *r, uint64_t syncs,
			uint64_t failures)
{
	bool done = false;
	int i;

	for (i = 0; i < 200 && !done; i++) {
		pthread_mutex_lock(&r->lock);
		done = r->syncs >= syncs && r->failures >= failures;
		pthread_mutex_unlock(&r->lock);
		if (!done)
			usleep(50 * 1000);
	}
	return done;
}

/* Seal with @a, open with @b: 0, 1 (does not open), or an error. */
static int sealed_opens(struct ktlso_ticket_keys *a,
			struct ktlso_ticket_keys *b)
{
	uint8_t t[5 + KTLSO_TICKET_OVERHEAD], out[8];
	size_t len, n;
	int ret;

	ret = ktlso_ticket_seal(a, (const uint8_t *)"p", 1,
				(const uint8_t *)"state", 5, t, sizeof(t),
				&len);
	if (ret)
		return ret < 0 ? ret : -1;
	return ktlso_ticket_open(b, (const uint8_t *)"p", 1, t, len, out,
				 sizeof(out), &n);
}

FIXTURE(fleet) {
	struct redis_proc redis;
	struct kd_redis_conf conf;
	struct ktlso_ticket_keys *ka, *kb;
	struct kd_tickets_redis a, b;
};

FIXTURE_SETUP(fleet)
{
	if (access("/usr/bin/redis-server", X_OK))
		SKIP(return, "no redis-server (Debian package redis-server)");
	snprintf(self->redis.dir, sizeof(self->redis.dir),
		 "/tmp/ktlso-redis.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->redis.dir));
	self->redis.port = free_port();
	ASSERT_NE(0u, self->redis.port);
	ASSERT_EQ(0, redis_start(&self->redis));
	memset(&self->conf, 0, sizeof(self->conf));
	self->conf.on = true;
	snprintf(self->conf.host, sizeof(self->conf.host), "127.0.0.1");
	self->conf.port = self->redis.port;
	snprintf(self->conf.prefix, sizeof(self->conf.prefix), "ktlso:t");
	snprintf(self->conf.password, sizeof(self->conf.password), PASSWORD);
	/* Each starts with a local key of its own, as ktlsod does. */
	ASSERT_EQ(0, ktlso_ticket_keys_new(&self->ka, 0));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->ka, NULL));
	ASSERT_EQ(0, ktlso_ticket_keys_new(&self->kb, 0));
	ASSERT_EQ(0, ktlso_ticket_keys_rotate(self->kb, NULL));
	ASSERT_EQ(1, sealed_opens(self->ka, self->kb));
}

FIXTURE_TEARDOWN(fleet)
{
	kd_tickets_redis_stop(&self->a);
	kd_tickets_redis_stop(&self->b);
	ktlso_ticket_keys_free(self->ka);
	ktlso_ticket_keys_free(self->kb);
	char log[96];

	redis_stop(&self->redis);
	if (!self->redis.dir[0])
		return;
	snprintf(log, sizeof(log), "%s/redis.log", self->redis.dir);
	unlink(log);
	rmdir(self->redis.dir);
}

TEST_F(fleet, shared_keys_and_redis_down)
{
	struct ktlso_ticket_keys *ahead;
	struct ktlso_ticket_key key;
	char name[96];
	redisContext *c;
	redisReply *rep;

	ASSERT_EQ(0, kd_tickets_redis_start(&self->a, self->ka, &self->conf,
					    ROTATION, 2));
	ASSERT_EQ(0, kd_tickets_redis_start(&self->b, self->kb, &self->conf,
					    ROTATION, 2));
	ASSERT_TRUE(wait_counts(&self->a, 1, 0));
	ASSERT_TRUE(wait_counts(&self->b, 1, 0));
	EXPECT_EQ(0, sealed_opens(self->ka, self->kb));
	EXPECT_EQ(0, sealed_opens(self->kb, self->ka));

	/* The next epoch's key is in Redis, and already opens. */
	snprintf(name, sizeof(name), "ktlso:t:%lld",
		 (long long)(time(NULL) / ROTATION + 1));
	c = redisConnect("127.0.0.1", (int)self->redis.port);
	ASSERT_NE(NULL, c);
	rep = redisCommand(c, "AUTH %s", PASSWORD);
	ASSERT_NE(NULL, rep);
	freeReplyObject(rep);
	rep = redisCommand(c, "GET %s", name);
	ASSERT_NE(NULL, rep);
	ASSERT_EQ(REDIS_REPLY_STRING, rep->type);
	ASSERT_EQ(sizeof(key), (size_t)rep->len);
	memcpy(&key, rep->str, sizeof(key));
	freeReplyObject(rep);
	rep = redisCommand(c, "TTL %s", name);
	ASSERT_NE(NULL, rep);
	EXPECT_LT(4 * ROTATION, rep->integer);
	EXPECT_GE(5 * ROTATION, rep->integer);
	freeReplyObject(rep);
	redisFree(c);
	ASSERT_EQ(0, ktlso_ticket_keys_new(&ahead, 0));
	ASSERT_EQ(0, ktlso_ticket_keys_install(ahead, &key, 1));
	EXPECT_EQ(0, sealed_opens(ahead, self->ka));
	EXPECT_EQ(0, sealed_opens(ahead, self->kb));
	ktlso_ticket_keys_free(ahead);

	/* Redis gone: an attempt (a change of keep) fails; nothing stops. */
	redis_stop(&self->redis);
	kd_tickets_redis_configure(&self->a, ROTATION, 3);
	ASSERT_TRUE(wait_counts(&self->a, 1, 1));
	EXPECT_EQ(0, sealed_opens(self->ka, self->kb));
	EXPECT_EQ(0, sealed_opens(self->kb, self->ka));
	/* It retries; still failing, still counted. */
	ASSERT_TRUE(wait_counts(&self->a, 1, 2));

	/* Back, empty: both agree on new keys. */
	ASSERT_EQ(0, redis_start(&self->redis));
	ASSERT_TRUE(wait_counts(&self->a, 2, 2));
	kd_tickets_redis_configure(&self->b, ROTATION, 3);
	ASSERT_TRUE(wait_counts(&self->b, 2, 0));
	EXPECT_EQ(0, sealed_opens(self->ka, self->kb));
	EXPECT_EQ(0, sealed_opens(self->kb, self->ka));
	EXPECT_EQ(0, kd_test_leaks());
}

TEST_F(fleet, wrong_password_changes_nothing)
{
	struct kd_redis_conf bad = self->conf;

	snprintf(bad.password, sizeof(bad.password), "not-it");
	ASSERT_EQ(0, kd_tickets_redis_start(&self->a, self->ka, &bad,
					    ROTATION, 1));
	ASSERT_TRUE(wait_counts(&self->a, 0, 1));
	pthread_mutex_lock(&self->a.lock);
	EXPECT_EQ(0u, self->a.syncs);
	EXPECT_FALSE(self->a.shared);
	pthread_mutex_unlock(&self->a.lock);
	/* Its own key seals; nobody else's opens there. */
	EXPECT_EQ(0, sealed_opens(self->ka, self->ka));
	ASSERT_EQ(0, kd_tickets_redis_start(&self->b, self->kb, &self->conf,
					    ROTATION, 1));
	ASSERT_TRUE(wait_counts(&self->b, 1, 0));
	EXPECT_EQ(1, sealed_opens(self->kb, self->ka));
}

TEST_HARNESS_MAIN
