// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration reloads on a thread of their own. See reload.h.
 */
#include "daemon/reload.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/eventfd.h>

#include "daemon/files.h"
#include "daemon/log.h"

/* The load's thread: read, parse, post the result. */
static void *load(void *arg)
{
	struct kd_reload *r = arg;
	struct kd_files files;
	uint64_t one = 1;

	r->conf = NULL;
	kd_kalg_probe_run(&r->probe);
	kd_files_init(&files, KD_FILES_READ);
	r->ret = r->helper && r->helper->pid > 0 ?
		 kd_helper_read(r->helper, &files) : 0;
	if (!r->ret)
		r->ret = kd_config_load_files(&r->conf, r->conf_path,
					      &r->probe, &files,
					      kd_log_problem, NULL);
	kd_files_free(&files);
	/* An eventfd write of 1 fails only on overflow, which 1 cannot. */
	if (write(r->fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		kd_log(KD_LOG_ERROR, "reload: eventfd: %s", strerror(errno));
	return NULL;
}

int kd_reload_init(struct kd_reload *r, const char *conf_path,
		   struct kd_helper *helper)
{
	memset(r, 0, sizeof(*r));
	r->conf_path = conf_path;
	r->helper = helper;
	r->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

int kd_reload_request(struct kd_reload *r)
{
	int ret;

	if (r->running) {
		kd_log(KD_LOG_INFO,
		       "reload asked for while one runs: reloading again when it ends");
		r->again = true;
		return 0;
	}
	kd_log(KD_LOG_INFO, "reloading %s", r->conf_path);
	/* Signals stay blocked in the thread, as in this one. */
	ret = pthread_create(&r->thread, NULL, load, r);
	if (ret) {
		kd_log(KD_LOG_ERROR, "%s: not reloaded: no thread: %s",
		       r->conf_path, strerror(ret));
		return -ret;
	}
	r->running = true;
	return 0;
}

int kd_reload_collect(struct kd_reload *r, struct kd_config **conf,
		      struct kd_kalg_probe *probe)
{
	uint64_t n;
	int ret;

	if (!r->running || read(r->fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	pthread_join(r->thread, NULL);
	r->running = false;
	if (r->ret) {
		kd_log(KD_LOG_ERROR, "%s: not reloaded; the old configuration stays",
		       r->conf_path);
		ret = -1;
	} else {
		*conf = r->conf;
		*probe = r->probe;
		ret = 1;
	}
	r->conf = NULL;
	if (r->again) {
		r->again = false;
		kd_reload_request(r);
	}
	return ret;
}

bool kd_reload_fini(struct kd_reload *r, unsigned int wait_ms)
{
	struct timespec until;

	if (r->running) {
		/*
		 * pthread_timedjoin_np() takes CLOCK_REALTIME; a clock step
		 * during the wait bends it. pthread_clockjoin_np() would not,
		 * but gcc 12's ThreadSanitizer does not know it.
		 */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait_ms / 1000;
		until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_timedjoin_np(r->thread, NULL, &until)) {
			kd_log(KD_LOG_WARNING,
			       "a reload is still reading files: stopping without it");
			/* Its thread writes the eventfd when it ends. */
			return true;
		}
		r->running = false;
		kd_config_put(r->conf);
		r->conf = NULL;
	}
	close(r->fd);
	r->fd = -1;
	return false;
}
