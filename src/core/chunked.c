/*
 * The chunked source: a container's plain image, served by decoding the
 * chunks a read touches.  A sequential reader (a conversion) has the
 * chunks after the one it reads decoded ahead by worker threads, while it
 * decodes the one it needs itself; a random reader (a file-system probe)
 * decodes in its own thread.  Decoded chunks live in a few slots, reused
 * least-recently-used first, so that memory stays bounded and a reader
 * going sector by sector decodes each chunk once.
 */
#include "chunked.h"
#include "paths.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Chunks decoded ahead of a sequential reader, per decoding thread, and
 * the bytes they may take (DMG's chunks are 1 MiB at most, but a file may
 * claim up to DC_CHUNK_MAX for each). */
enum { AHEAD_PER_WORKER = 2, MAX_WORKERS = 16 };
#define AHEAD_BYTES_PER_WORKER ((int64_t)4 << 20)

typedef enum slot_state {
    SLOT_EMPTY,
    SLOT_QUEUED,   /* waiting for a worker (or the reader) */
    SLOT_DECODING,
    SLOT_READY,
    SLOT_FAILED    /* err says why */
} slot_state;

typedef struct slot {
    slot_state state;
    int chunk;          /* index in map.chunks */
    uint8_t *bytes;     /* the decoded chunk */
    size_t capacity;
    uint64_t used_at;   /* for least-recently-used reuse */
    dc_error err;
} slot;

/* A thread's buffer for compressed bytes. */
typedef struct scratch {
    uint8_t *bytes;
    size_t capacity;
} scratch;

struct dc_chunked {
    dc_chunk_map map;
    dc_source *input;
    char *name;
    pthread_mutex_t lock;       /* guards the slots and `stopping` */
    pthread_cond_t changed;
    slot *slots;
    int slot_count;
    int ahead;
    int64_t ahead_bytes;
    pthread_t *threads;
    int thread_count;
    bool stopping;
    uint64_t clock;
    int64_t next_offset;        /* where a sequential reader reads next */
    scratch reader_scratch;
};

/* A buffer of at least `need` bytes; one much larger than needed (after a
 * big chunk) is given back. */
static bool grow(uint8_t **bytes, size_t *capacity, size_t need)
{
    if (*capacity >= need && *capacity / 4 <= need)
        return true;
    free(*bytes);
    *bytes = malloc(need);
    *capacity = *bytes != NULL ? need : 0;
    return *bytes != NULL;
}

/* Decodes chunk `index` into the slot, which the caller holds (state
 * DECODING) without the lock. */
static dc_status decode_into(dc_chunked *c, int index, slot *s, scratch *in,
                             dc_error *err)
{
    const dc_chunk *k = &c->map.chunks[index];
    size_t out_len = (size_t)k->out_length, in_len = (size_t)k->in_length;
    if (!grow(&s->bytes, &s->capacity, out_len) ||
        !grow(&in->bytes, &in->capacity, in_len))
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    /* No lock: a source takes reads from several threads at once, so the
     * workers' reads copy in parallel. */
    if (dc_source_read_at(c->input, k->in_offset, in->bytes, in_len, err) !=
        DC_OK)
        return err->status;
    char where[384];
    dc_chunk_where(&c->map, c->name, k, where, sizeof where);
    return dc_codec_decode(k->codec, in->bytes, in_len, s->bytes, out_len,
                           where, err);
}

/* With the lock held: decodes the slot's chunk and publishes it. */
static void decode_slot(dc_chunked *c, slot *s, scratch *in)
{
    s->state = SLOT_DECODING;
    int index = s->chunk;
    pthread_mutex_unlock(&c->lock);
    dc_error err = {0};
    dc_status status = decode_into(c, index, s, in, &err);
    pthread_mutex_lock(&c->lock);
    s->err = err;
    s->state = status == DC_OK ? SLOT_READY : SLOT_FAILED;
    pthread_cond_broadcast(&c->changed);
}

/* The earliest chunk waiting to be decoded: the reader needs them in
 * order. */
static slot *earliest_queued(dc_chunked *c)
{
    slot *next = NULL;
    for (int i = 0; i < c->slot_count; i++)
        if (c->slots[i].state == SLOT_QUEUED &&
            (next == NULL || c->slots[i].chunk < next->chunk))
            next = &c->slots[i];
    return next;
}

static void *worker(void *arg)
{
    dc_chunked *c = arg;
    scratch in = {0};
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        slot *next = earliest_queued(c);
        if (next == NULL)
            pthread_cond_wait(&c->changed, &c->lock);
        else
            decode_slot(c, next, &in);
    }
    pthread_mutex_unlock(&c->lock);
    free(in.bytes);
    return NULL;
}

static slot *find_slot(dc_chunked *c, int chunk)
{
    for (int i = 0; i < c->slot_count; i++)
        if (c->slots[i].state != SLOT_EMPTY && c->slots[i].chunk == chunk)
            return &c->slots[i];
    return NULL;
}

/* The least recently used slot that is not being decoded and holds no
 * chunk in (keep_from, keep_to]; NULL if there is none. */
static slot *reusable_slot(dc_chunked *c, int keep_from, int keep_to)
{
    slot *best = NULL;
    for (int i = 0; i < c->slot_count; i++) {
        slot *s = &c->slots[i];
        if (s->state == SLOT_QUEUED || s->state == SLOT_DECODING)
            continue;
        if (s->state != SLOT_EMPTY && s->chunk > keep_from &&
            s->chunk <= keep_to)
            continue;
        if (best == NULL || s->used_at < best->used_at ||
            s->state == SLOT_EMPTY)
            best = s;
        if (s->state == SLOT_EMPTY)
            break;
    }
    return best;
}

static bool compressed(const dc_chunk *k)
{
    return k->codec != DC_CODEC_ZERO && k->codec != DC_CODEC_STORED;
}

/* With the lock held: queues the compressed chunks after `index` that a
 * sequential reader reaches next, as far as free slots allow. */
static void queue_ahead(dc_chunked *c, int index, const slot *current)
{
    int queued = 0, last = index;
    int64_t bytes = 0;
    for (int j = index + 1; j < c->map.count && queued < c->ahead; j++)
        if (compressed(&c->map.chunks[j])) {
            bytes += c->map.chunks[j].out_length;
            if (queued > 0 && bytes > c->ahead_bytes)
                break;
            queued++;
            last = j;
        }
    bool woke = false;
    for (int j = index + 1; j <= last; j++) {
        if (!compressed(&c->map.chunks[j]) || find_slot(c, j) != NULL)
            continue;
        slot *s = reusable_slot(c, index - 1, last);
        if (s == NULL || s == current)
            break;
        s->state = SLOT_QUEUED;
        s->chunk = j;
        s->used_at = ++c->clock;
        woke = true;
    }
    if (woke)
        pthread_cond_broadcast(&c->changed);
}

/* The decoded bytes of compressed chunk `index`, decoded here unless a
 * worker has it already. */
static dc_status chunk_bytes(dc_chunked *c, int index, bool sequential,
                             const uint8_t **bytes, dc_error *err)
{
    pthread_mutex_lock(&c->lock);
    bool queued = false;
    slot *s;
    for (;;) {
        s = find_slot(c, index);
        if (s == NULL) {
            s = reusable_slot(c, -1, -1);
            if (s != NULL) {
                s->state = SLOT_QUEUED;
                s->chunk = index;
            }
        }
        if (s != NULL && sequential && c->thread_count > 0 && !queued) {
            queue_ahead(c, index, s);
            queued = true;
        }
        if (s != NULL && s->state == SLOT_QUEUED) {
            decode_slot(c, s, &c->reader_scratch);
        } else if (s == NULL || s->state == SLOT_DECODING) {
            /* A worker has it: decode a later one meanwhile, if any. */
            slot *later = earliest_queued(c);
            if (later != NULL)
                decode_slot(c, later, &c->reader_scratch);
            else
                pthread_cond_wait(&c->changed, &c->lock);
        } else {
            break;
        }
    }
    s->used_at = ++c->clock;
    dc_status status = DC_OK;
    if (s->state == SLOT_FAILED)
        status = dc_fail(err, s->err.status, "%s", s->err.message);
    pthread_mutex_unlock(&c->lock);
    *bytes = s->bytes;
    return status;
}

/* The chunk holding byte `at`, or -1 with *next_start the offset where the
 * next chunk starts (the image's end if none). */
static int chunk_at(const dc_chunked *c, int64_t at, int64_t *next_start)
{
    int lo = 0, hi = c->map.count; /* first chunk starting past `at` */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (c->map.chunks[mid].out_offset <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    const dc_chunk *k = lo > 0 ? &c->map.chunks[lo - 1] : NULL;
    if (k != NULL && at < k->out_offset + k->out_length)
        return lo - 1;
    *next_start = lo < c->map.count ? c->map.chunks[lo].out_offset
                                    : c->map.size;
    return -1;
}

/* The bytes from `offset` (at most len) that lie in one chunk, *index,
 * or in one gap between chunks (*index -1). */
static size_t run_at(const dc_chunked *c, int64_t offset, size_t len,
                     int *index)
{
    int64_t end = 0;
    *index = chunk_at(c, offset, &end);
    if (*index >= 0)
        end = c->map.chunks[*index].out_offset +
              c->map.chunks[*index].out_length;
    return (uint64_t)(end - offset) < len ? (size_t)(end - offset) : len;
}

dc_status dc_chunked_read(dc_chunked *c, int64_t offset, uint8_t *buffer,
                          size_t len, dc_error *err)
{
    bool sequential = offset == c->next_offset;
    c->next_offset = offset + (int64_t)len;
    while (len > 0) {
        int index;
        size_t n = run_at(c, offset, len, &index);
        if (index < 0) { /* a gap reads as zeros */
            memset(buffer, 0, n);
        } else {
            const dc_chunk *k = &c->map.chunks[index];
            int64_t within = offset - k->out_offset;
            if (k->codec == DC_CODEC_ZERO) {
                memset(buffer, 0, n);
            } else if (k->codec == DC_CODEC_STORED) {
                if (dc_source_read_at(c->input, k->in_offset + within,
                                      buffer, n, err) != DC_OK)
                    return err->status;
            } else {
                const uint8_t *bytes;
                if (chunk_bytes(c, index, sequential, &bytes, err) != DC_OK)
                    return err->status;
                memcpy(buffer, bytes + within, n);
            }
        }
        buffer += n;
        offset += (int64_t)n;
        len -= n;
    }
    return DC_OK;
}

dc_status dc_chunked_view(dc_chunked *c, int64_t offset, size_t len,
                          const uint8_t **bytes, size_t *got, dc_error *err)
{
    bool sequential = offset == c->next_offset;
    int index;
    *got = run_at(c, offset, len, &index);
    *bytes = NULL;
    if (index < 0 || !compressed(&c->map.chunks[index]))
        return DC_OK; /* a gap, zeros or stored: read */
    int64_t within = offset - c->map.chunks[index].out_offset;
    c->next_offset = offset + (int64_t)*got;
    /* The slot stays as it is until the reader's next call: only that
     * call's queueing picks slots to reuse. */
    const uint8_t *decoded;
    if (chunk_bytes(c, index, sequential, &decoded, err) != DC_OK)
        return err->status;
    *bytes = decoded + within;
    return DC_OK;
}

void dc_chunked_free(dc_chunked *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_broadcast(&c->changed);
    pthread_mutex_unlock(&c->lock);
    for (int i = 0; i < c->thread_count; i++)
        pthread_join(c->threads[i], NULL);
    for (int i = 0; i < c->slot_count; i++)
        free(c->slots[i].bytes);
    free(c->slots);
    free(c->threads);
    free(c->reader_scratch.bytes);
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
    dc_chunk_map_free(&c->map);
    free(c->name);
    free(c);
}

/* The map as dc_chunk_map_validate leaves it: sorted, apart, in size. */
static bool validated(const dc_chunk_map *map)
{
    int64_t end = 0;
    for (int i = 0; i < map->count; i++) {
        const dc_chunk *k = &map->chunks[i];
        if (k->out_offset < end || k->out_length <= 0 ||
            k->out_offset > map->size - k->out_length ||
            (unsigned)k->codec >= DC_CODEC_COUNT ||
            (k->codec != DC_CODEC_ZERO &&
             (k->out_length > DC_CHUNK_MAX || k->in_length < 0 ||
              k->in_length > 2 * DC_CHUNK_MAX)))
            return false;
        end = k->out_offset + k->out_length;
    }
    return true;
}

static int default_workers(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 4 ? 4 : (int)cores;
}

dc_status dc_source_chunked(dc_source **source, dc_source *input,
                            dc_chunk_map *map, int workers, const char *name,
                            dc_error *err)
{
    *source = NULL;
    if (!validated(map) || workers < 0) {
        dc_chunk_map_free(map);
        return dc_fail(err, DC_ERR_USAGE, "%s: chunk map not validated, or "
                       "%d workers", name, workers);
    }
    if (workers == 0)
        workers = default_workers();
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    dc_chunked *c = calloc(1, sizeof *c);
    if (c == NULL) {
        dc_chunk_map_free(map);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    c->map = *map;
    *map = (dc_chunk_map){0};
    c->input = input;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    /* The reader decodes too: workers - 1 threads besides it. */
    c->ahead = workers > 1 ? AHEAD_PER_WORKER * workers : 0;
    c->ahead_bytes = AHEAD_BYTES_PER_WORKER * workers;
    c->slot_count = c->ahead + 2 > 4 ? c->ahead + 2 : 4;
    c->name = dc_strdup(name);
    c->slots = calloc((size_t)c->slot_count, sizeof *c->slots);
    c->threads = calloc((size_t)workers, sizeof *c->threads);
    if (c->name == NULL || c->slots == NULL || c->threads == NULL) {
        dc_chunked_free(c);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < workers - 1; i++) {
        if (pthread_create(&c->threads[i], NULL, worker, c) != 0)
            break; /* fewer threads only make it slower */
        c->thread_count++;
    }
    return dc_source_new_chunked(source, c, input, c->map.size, name, err);
}
