/* A progress bar on stderr, shown only on a terminal and only once the
 * work has taken more than a second, so short runs and logs stay clean. */
#include "cli.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define SHOW_AFTER_SECONDS 1.0
#define REDRAW_SECONDS 0.1
#define BAR_WIDTH 30

struct progress {
    const char *label;
    bool enabled;
    bool drawn;
    double started;
    double last_draw;
};

/* Set by the signal handler on whichever thread takes the signal and read
 * by the pipeline's workers: volatile sig_atomic_t is only safe within one
 * thread, a lock-free atomic across them (and in a handler). */
static atomic_int interrupted;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs a lock-free flag");

static void on_signal(int signo)
{
    (void)signo;
    atomic_store_explicit(&interrupted, 1, memory_order_relaxed);
}

void progress_catch_signals(void)
{
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
}

bool progress_interrupted(void)
{
    return atomic_load_explicit(&interrupted, memory_order_relaxed) != 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

progress *progress_start(const char *label, bool enabled)
{
    progress *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->label = label;
    p->enabled = enabled && isatty(STDERR_FILENO);
    p->started = now();
    return p;
}

bool progress_update(void *context, int64_t done, int64_t total)
{
    progress *p = context;
    if (progress_interrupted())
        return false;
    if (p == NULL || !p->enabled || total <= 0)
        return true;
    double t = now();
    if (t - p->started < SHOW_AFTER_SECONDS ||
        (t - p->last_draw < REDRAW_SECONDS && done < total))
        return true;
    p->last_draw = t;
    p->drawn = true;
    double fraction = (double)done / (double)total;
    int filled = (int)(fraction * BAR_WIDTH);
    double elapsed = t - p->started;
    double remaining = fraction > 0 ? elapsed / fraction - elapsed : 0;
    /* 2352 bytes per sector is what a CD carries; close enough for MB/s. */
    double rate = (double)done * 2352.0 / 1e6 / elapsed;
    fprintf(stderr, "\r%s [", p->label);
    for (int i = 0; i < BAR_WIDTH; i++)
        fputc(i < filled ? '#' : '-', stderr);
    fprintf(stderr, "] %3d%% %7.1f MB/s  %d:%02d left ", (int)(fraction * 100),
            rate, (int)remaining / 60, (int)remaining % 60);
    fflush(stderr);
    return true;
}

void progress_finish(progress *p)
{
    if (p != NULL && p->drawn)
        fputs("\r\033[K", stderr);
    free(p);
}
