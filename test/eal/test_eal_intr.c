/* test_eal_intr.c: the EAL interrupt thread (sl_intr_register). Callbacks
 * of every source run on one thread, not the caller's; a readable eventfd
 * is dispatched until drained; bad registrations are refused; unregister
 * waits for a callback of that source in progress (and only that source),
 * and a callback may unregister sources itself, its own included, without
 * deadlock; stale events of an unregistered source are not delivered;
 * sl_eal_cleanup stops the thread and leaves no fd or thread behind, and a
 * later registration starts it again. */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>

#include "eal_test.h"

static unsigned count_dir(const char *path)
{
	DIR *d = opendir(path);
	unsigned n = 0;
	REQUIRE(d != NULL, "opendir %s: %s", path, strerror(errno));
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - (strcmp(path, "/proc/self/fd") == 0); /* the DIR's own fd */
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void kick(int fd)
{
	uint64_t one = 1;
	REQUIRE(write(fd, &one, sizeof(one)) == sizeof(one), "write eventfd");
}

struct src {
	int fd;
	int calls;
	pthread_t thread;
	bool on_intr;
	unsigned sleep_ms;   /* inside the callback */
	bool self_unreg;     /* unregister itself from the callback */
	int unreg_ret;
	int done;            /* set when a slow callback returns */
};

static void cb(int fd, void *arg)
{
	struct src *s = arg;
	uint64_t v;
	CHECK(fd == s->fd);
	CHECK(read(fd, &v, sizeof(v)) == sizeof(v));
	s->thread = pthread_self();
	s->on_intr = sl_intr_thread_is_current();
	if (s->sleep_ms)
		sleep_ms(s->sleep_ms);
	if (s->self_unreg)
		s->unreg_ret = sl_intr_unregister(fd, cb, s);
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&s->calls, 1, __ATOMIC_RELEASE);
}

static int wait_calls(struct src *s, int want)
{
	for (int i = 0; i < 300 && __atomic_load_n(&s->calls, __ATOMIC_ACQUIRE) < want; i++)
		sleep_ms(10);
	return __atomic_load_n(&s->calls, __ATOMIC_ACQUIRE);
}

static void src_init(struct src *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	REQUIRE(s->fd >= 0, "eventfd: %s", strerror(errno));
}

static void test_dispatch(void)
{
	struct src a, b;
	src_init(&a);
	src_init(&b);
	CHECK(!sl_intr_thread_is_current());
	CHECK(sl_intr_register(-1, cb, &a) == -EINVAL);
	CHECK(sl_intr_register(a.fd, NULL, &a) == -EINVAL);
	CHECK(sl_intr_unregister(a.fd, cb, &a) == -ENOENT);
	unsigned n0 = sl_intr_count();
	CHECK(sl_intr_register(a.fd, cb, &a) == 0);
	CHECK(sl_intr_register(a.fd, cb, &b) == -EEXIST); /* one registration per fd */
	CHECK(sl_intr_register(b.fd, cb, &b) == 0);
	CHECK(sl_intr_count() == n0 + 2);
	/* nothing written: nothing called */
	sleep_ms(50);
	CHECK(a.calls == 0 && b.calls == 0);
	kick(a.fd);
	CHECK(wait_calls(&a, 1) == 1);
	uint64_t two = 2; /* a count of 2, drained by one read: one call */
	REQUIRE(write(b.fd, &two, sizeof(two)) == sizeof(two), "write eventfd");
	CHECK(wait_calls(&b, 1) == 1);
	sleep_ms(50);
	CHECK(b.calls == 1);
	CHECK(a.on_intr && b.on_intr);
	CHECK(pthread_equal(a.thread, b.thread));           /* one thread for all */
	CHECK(!pthread_equal(a.thread, pthread_self()));     /* not the caller's */
	kick(a.fd);
	CHECK(wait_calls(&a, 2) == 2);
	CHECK(pthread_equal(a.thread, b.thread));
	/* wrong callback or argument: not that registration */
	CHECK(sl_intr_unregister(a.fd, cb, &b) == -ENOENT);
	CHECK(sl_intr_unregister(a.fd, cb, &a) == 0);
	CHECK(sl_intr_unregister(a.fd, cb, &a) == -ENOENT);
	kick(a.fd); /* unregistered: never called */
	sleep_ms(50);
	CHECK(a.calls == 2);
	CHECK(sl_intr_unregister(b.fd, cb, &b) == 0);
	CHECK(sl_intr_count() == n0);
	close(a.fd);
	close(b.fd);
}

struct unreg_arg {
	struct src *s;
	int ret;
	int returned;
};

static void *unreg_thread(void *p)
{
	struct unreg_arg *u = p;
	u->ret = sl_intr_unregister(u->s->fd, cb, u->s);
	__atomic_store_n(&u->returned, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* unregister waits for that source's callback, not for another's */
static void test_unregister_waits(void)
{
	struct src slow, other;
	src_init(&slow);
	src_init(&other);
	slow.sleep_ms = 300;
	CHECK(sl_intr_register(slow.fd, cb, &slow) == 0);
	CHECK(sl_intr_register(other.fd, cb, &other) == 0);
	kick(slow.fd);
	for (int i = 0; i < 200 && slow.thread == 0; i++)
		sleep_ms(5);
	sleep_ms(20); /* inside the slow callback now */
	/* another source's unregister does not wait for it */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(sl_intr_unregister(other.fd, cb, &other) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK_MSG(ms < 150, "unregistering another source took %.0f ms", ms);
	/* its own does: when it returns the callback has returned */
	struct unreg_arg u = {.s = &slow};
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, unreg_thread, &u) == 0, "pthread_create");
	pthread_join(t, NULL);
	CHECK(u.ret == 0);
	CHECK(__atomic_load_n(&slow.done, __ATOMIC_ACQUIRE) == 1);
	close(slow.fd);
	close(other.fd);
}

/* a callback that unregisters itself (from the interrupt thread) does not
 * wait for itself */
static void test_self_unregister(void)
{
	struct src s;
	src_init(&s);
	s.self_unreg = true;
	s.unreg_ret = 99;
	unsigned n0 = sl_intr_count();
	CHECK(sl_intr_register(s.fd, cb, &s) == 0);
	kick(s.fd);
	CHECK(wait_calls(&s, 1) == 1);
	CHECK(s.unreg_ret == 0);
	CHECK(sl_intr_count() == n0);
	kick(s.fd);
	sleep_ms(50);
	CHECK(s.calls == 1);
	close(s.fd);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_capture_start(); /* its file stays open: count it in */
	log_capture_stop();
	unsigned fds0 = count_dir("/proc/self/fd"), tasks0 = count_dir("/proc/self/task");
	/* works before sl_eal_init too */
	test_dispatch();
	CHECK(count_dir("/proc/self/task") == tasks0 + 1); /* the interrupt thread */

	const char *args[] = {"t", "-l", "0", "--no-huge", "-m", "4", NULL};
	struct test_argv ta;
	test_argv_build(&ta, args);
	REQUIRE(sl_eal_init(ta.argc, ta.argv) >= 0, "sl_eal_init");
	test_dispatch();
	test_unregister_waits();
	test_self_unregister();
	/* a source left registered: cleanup drops it (with a warning) and stops
	 * the thread */
	struct src left;
	src_init(&left);
	CHECK(sl_intr_register(left.fd, cb, &left) == 0);
	log_capture_start();
	CHECK(sl_eal_cleanup() == 0);
	const char *log = log_capture_stop();
	CHECK(strstr(log, "1 interrupt source(s) still registered at cleanup") != NULL);
	CHECK(sl_intr_count() == 0);
	close(left.fd);
	CHECK_MSG(count_dir("/proc/self/task") == tasks0, "%u threads, %u before", count_dir("/proc/self/task"),
		  tasks0);
	CHECK_MSG(count_dir("/proc/self/fd") == fds0, "%u fds open, %u before", count_dir("/proc/self/fd"), fds0);
	/* and it starts again */
	test_dispatch();
	return test_result("test_eal_intr");
}
