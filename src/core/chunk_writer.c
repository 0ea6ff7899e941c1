/*
 * The chunk writer: the chunked source's twin.  Bytes fed in order are cut
 * into chunks; worker threads compress them, lowest first, while the
 * caller's thread writes the finished ones in order and records the map.
 * A few chunks per worker are in flight, so memory stays bounded.
 */
#include "container.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { JOBS_PER_WORKER = 2, MAX_WORKERS = 16 };

typedef enum job_state {
    JOB_FREE,
    JOB_FILLING,   /* being fed */
    JOB_QUEUED,
    JOB_WORKING,
    JOB_DONE       /* compressed (or failed: err), waiting to be written */
} job_state;

typedef struct job {
    job_state state;
    int64_t seq;       /* the chunk's number */
    uint8_t *in;       /* chunk_size bytes */
    size_t in_len;
    uint8_t *out;      /* out_capacity bytes */
    size_t out_len;
    dc_codec codec;    /* as written: ZERO, STORED or the writer's codec */
    dc_error err;
} job;

struct dc_chunk_writer {
    dc_output *out;
    dc_codec codec;
    int level;
    size_t chunk_size;
    size_t out_capacity;
    job *jobs;
    int job_count;
    job *filling;
    int64_t next_seq;      /* the number the next full chunk gets */
    int64_t next_write;    /* the chunk to write next */
    int64_t written;       /* bytes written to `out` */
    int64_t fed;
    dc_chunk_map map;
    pthread_mutex_t lock;  /* guards the jobs' states and `stopping` */
    pthread_cond_t changed;
    pthread_t *threads;
    int thread_count;
    bool stopping;
};

static bool all_zero(const uint8_t *bytes, size_t len)
{
    /* Compare against the bytes themselves, 8 at a time. */
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, bytes + i, 8);
        if (word != 0)
            return false;
    }
    for (; i < len; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

/* Without the lock: fills in the job's result. */
static void compress_job(const dc_chunk_writer *w, job *j)
{
    dc_error_clear(&j->err);
    j->out_len = 0;
    if (all_zero(j->in, j->in_len)) {
        j->codec = DC_CODEC_ZERO;
        return;
    }
    j->codec = w->codec;
    if (dc_codec_encode(w->codec, w->level, j->in, j->in_len, j->out,
                        w->out_capacity, &j->out_len, &j->err) != DC_OK)
        return;
    if (j->out_len >= j->in_len) { /* did not shrink: kept as it is */
        j->codec = DC_CODEC_STORED;
        j->out_len = j->in_len;
    }
}

static void *worker(void *arg)
{
    dc_chunk_writer *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->stopping) {
        job *next = NULL;
        for (int i = 0; i < w->job_count; i++)
            if (w->jobs[i].state == JOB_QUEUED &&
                (next == NULL || w->jobs[i].seq < next->seq))
                next = &w->jobs[i];
        if (next == NULL) {
            pthread_cond_wait(&w->changed, &w->lock);
            continue;
        }
        next->state = JOB_WORKING;
        pthread_mutex_unlock(&w->lock);
        compress_job(w, next);
        pthread_mutex_lock(&w->lock);
        next->state = JOB_DONE;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static void submit(dc_chunk_writer *w, job *j)
{
    j->seq = w->next_seq++;
    w->filling = NULL;
    if (w->thread_count == 0) {
        compress_job(w, j);
        j->state = JOB_DONE;
        return;
    }
    pthread_mutex_lock(&w->lock);
    j->state = JOB_QUEUED;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
}

/* Waits for the next chunk in order, writes it and records it. */
static dc_status write_next(dc_chunk_writer *w, dc_error *err)
{
    job *j = NULL;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        for (int i = 0; i < w->job_count && j == NULL; i++)
            if (w->jobs[i].seq == w->next_write &&
                w->jobs[i].state >= JOB_QUEUED)
                j = &w->jobs[i];
        if (j != NULL && j->state == JOB_DONE)
            break;
        pthread_cond_wait(&w->changed, &w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    if (j->err.status != DC_OK)
        return dc_fail(err, j->err.status, "%s: chunk %lld: %s",
                       w->out->path, (long long)j->seq, j->err.message);
    if (j->seq > INT32_MAX)
        return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: more than %d chunks",
                       w->out->path, INT32_MAX);
    const uint8_t *bytes = j->codec == DC_CODEC_STORED ? j->in : j->out;
    if (j->out_len > 0 &&
        dc_output_write(w->out, bytes, j->out_len, err) != DC_OK)
        return err->status;
    dc_chunk chunk = {
        .out_offset = j->seq * (int64_t)w->chunk_size,
        .out_length = (int64_t)j->in_len,
        .in_offset = j->codec == DC_CODEC_ZERO ? 0 : w->written,
        .in_length = (int64_t)j->out_len,
        .codec = j->codec,
        .group = 0,
        .index = (int)j->seq,
    };
    if (dc_chunk_map_add(&w->map, &chunk, err) != DC_OK)
        return err->status;
    w->written += (int64_t)j->out_len;
    w->next_write++;
    pthread_mutex_lock(&w->lock);
    j->state = JOB_FREE;
    pthread_mutex_unlock(&w->lock);
    return DC_OK;
}

/* A free job, now filling, writing finished chunks until one is free. */
static dc_status free_job(dc_chunk_writer *w, job **found, dc_error *err)
{
    for (;;) {
        pthread_mutex_lock(&w->lock);
        for (int i = 0; i < w->job_count && *found == NULL; i++)
            if (w->jobs[i].state == JOB_FREE) {
                *found = &w->jobs[i];
                (*found)->state = JOB_FILLING;
            }
        pthread_mutex_unlock(&w->lock);
        if (*found != NULL)
            return DC_OK;
        if (write_next(w, err) != DC_OK)
            return err->status;
    }
}

static void stop(dc_chunk_writer *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->lock);
    for (int i = 0; i < w->thread_count; i++)
        pthread_join(w->threads[i], NULL);
    w->thread_count = 0;
}

void dc_chunk_writer_abort(dc_chunk_writer *w)
{
    if (w == NULL)
        return;
    stop(w);
    for (int i = 0; i < w->job_count; i++) {
        free(w->jobs[i].in);
        free(w->jobs[i].out);
    }
    free(w->jobs);
    free(w->threads);
    dc_chunk_map_free(&w->map);
    pthread_cond_destroy(&w->changed);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

dc_status dc_chunk_writer_start(dc_chunk_writer **writer, dc_output *out,
                                dc_codec codec, int level, size_t chunk_size,
                                int workers, dc_error *err)
{
    *writer = NULL;
    if (codec != DC_CODEC_ZLIB && codec != DC_CODEC_BZIP2 &&
        codec != DC_CODEC_XZ && codec != DC_CODEC_LZMA_BCJ &&
        codec != DC_CODEC_STORED)
        return dc_fail(err, DC_ERR_UNSUPPORTED, "no %s encoder",
                       dc_codec_name(codec));
    if (chunk_size == 0 || chunk_size > (size_t)DC_CHUNK_MAX || workers < 0)
        return dc_fail(err, DC_ERR_USAGE, "chunk writer: chunks of %zu "
                       "bytes, %d workers", chunk_size, workers);
    if (workers == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        workers = cores < 1 ? 1 : cores > 4 ? 4 : (int)cores;
    }
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    dc_chunk_writer *w = calloc(1, sizeof *w);
    if (w == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->changed, NULL);
    w->out = out;
    w->codec = codec;
    w->level = level;
    w->chunk_size = chunk_size;
    w->out_capacity = dc_codec_bound(codec, chunk_size);
    /* One worker: compressed in the caller's thread, one chunk at a time. */
    w->job_count = workers > 1 ? JOBS_PER_WORKER * workers + 1 : 1;
    w->jobs = calloc((size_t)w->job_count, sizeof *w->jobs);
    w->threads = calloc((size_t)workers, sizeof *w->threads);
    bool ok = w->jobs != NULL && w->threads != NULL;
    for (int i = 0; ok && i < w->job_count; i++) {
        w->jobs[i].seq = -1;
        w->jobs[i].in = malloc(chunk_size);
        w->jobs[i].out = malloc(w->out_capacity);
        ok = w->jobs[i].in != NULL && w->jobs[i].out != NULL;
    }
    if (!ok) {
        dc_chunk_writer_abort(w);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; workers > 1 && i < workers; i++) {
        if (pthread_create(&w->threads[i], NULL, worker, w) != 0)
            break;
        w->thread_count++;
    }
    *writer = w;
    return DC_OK;
}

dc_status dc_chunk_writer_feed(dc_chunk_writer *w, const uint8_t *bytes,
                               size_t len, dc_error *err)
{
    while (len > 0) {
        if (w->filling == NULL) {
            job *j = NULL;
            if (free_job(w, &j, err) != DC_OK)
                return err->status;
            j->in_len = 0;
            w->filling = j;
        }
        job *j = w->filling;
        size_t n = w->chunk_size - j->in_len < len ? w->chunk_size - j->in_len
                                                   : len;
        memcpy(j->in + j->in_len, bytes, n);
        j->in_len += n;
        bytes += n;
        len -= n;
        w->fed += (int64_t)n;
        if (j->in_len == w->chunk_size)
            submit(w, j);
    }
    return DC_OK;
}

dc_status dc_chunk_writer_finish(dc_chunk_writer *w, dc_chunk_map *map,
                                 dc_error *err)
{
    *map = (dc_chunk_map){0};
    if (w->filling != NULL && w->filling->in_len > 0)
        submit(w, w->filling);
    dc_status status = DC_OK;
    while (status == DC_OK && w->next_write < w->next_seq)
        status = write_next(w, err);
    if (status == DC_OK) {
        *map = w->map;
        map->size = w->fed;
        w->map = (dc_chunk_map){0};
    }
    dc_chunk_writer_abort(w);
    return status;
}
