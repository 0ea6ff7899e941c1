/*
 * DMG checksums: CRC-32 (dc_crc32) or MD5 (nettle's) of the data fork, of
 * each partition's data, and (master) of the partitions' checksums.
 *
 * A partition's checksum covers the decoded bytes of its chunks in order,
 * leaving out its "ignore" (type 2) chunks: the corpus's hdiutil images
 * all check so (7-Zip instead skips partitions holding such a chunk).
 * It is verified as a conversion reads the plain image front to back, so
 * the image is decoded once: the read that completes a partition fails if
 * its bytes do not match, and the output is then never kept.
 */
#include "dmg.h"

#include <nettle/md5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool dmg_checksum_known(const dmg_checksum *c)
{
    return (c->type == DMG_CHECKSUM_CRC32 && c->bits == 32) ||
           (c->type == DMG_CHECKSUM_MD5 && c->bits == 128);
}

void dmg_checksum_text(const dmg_checksum *c, const uint8_t *value,
                       char *text, size_t size)
{
    int n = snprintf(text, size, "%s ",
                     c->type == DMG_CHECKSUM_MD5 ? "MD5" : "CRC-32");
    for (uint32_t i = 0; i < c->bits / 8 && n > 0 && (size_t)n + 3 <= size;
         i++)
        n += snprintf(text + n, size - (size_t)n, "%02x", value[i]);
}

/* A running checksum of either kind. */
typedef struct running {
    uint32_t crc;
    struct md5_ctx md5;
} running;

static void running_start(running *r)
{
    r->crc = 0;
    md5_init(&r->md5);
}

static void running_add(running *r, const dmg_checksum *c,
                        const uint8_t *bytes, size_t len)
{
    if (c->type == DMG_CHECKSUM_CRC32)
        r->crc = dc_crc32(r->crc, bytes, len);
    else
        md5_update(&r->md5, len, bytes);
}

/* The value, as the table stores it (big-endian CRC). */
static void running_end(running *r, const dmg_checksum *c,
                        uint8_t value[DMG_CHECKSUM_BYTES])
{
    memset(value, 0, DMG_CHECKSUM_BYTES);
    if (c->type == DMG_CHECKSUM_CRC32) {
        value[0] = (uint8_t)(r->crc >> 24);
        value[1] = (uint8_t)(r->crc >> 16);
        value[2] = (uint8_t)(r->crc >> 8);
        value[3] = (uint8_t)r->crc;
    } else {
        md5_digest(&r->md5, MD5_DIGEST_SIZE, value);
    }
}

static dc_status mismatch(const dmg_checksum *c, const uint8_t *got,
                          const char *what, dc_error *err)
{
    char found[80], stated[80];
    dmg_checksum_text(c, got, found, sizeof found);
    dmg_checksum_text(c, c->value, stated, sizeof stated);
    return dc_fail(err, DC_ERR_FORMAT, "%s: checksum mismatch: its bytes "
                   "have %s, the image states %s", what, found, stated);
}

/* A mismatch, naming `what`, unless the running checksum ends at the value
 * the image states. */
static dc_status check_end(running *r, const dmg_checksum *c,
                           const char *what, dc_error *err)
{
    uint8_t value[DMG_CHECKSUM_BYTES];
    running_end(r, c, value);
    if (memcmp(value, c->value, c->bits / 8) != 0)
        return mismatch(c, value, what, err);
    return DC_OK;
}

#define CHECK_BLOCK (1 << 20)

/* Adds bytes [from, to) of a source to a running checksum, read into
 * `block` (CHECK_BLOCK bytes) a piece at a time. */
static dc_status add_range(dc_source *source, int64_t from, int64_t to,
                           uint8_t *block, running *r, const dmg_checksum *c,
                           dc_error *err)
{
    while (from < to) {
        size_t n = to - from < CHECK_BLOCK ? (size_t)(to - from) : CHECK_BLOCK;
        if (dc_source_read_at(source, from, block, n, err) != DC_OK)
            return err->status;
        running_add(r, c, block, n);
        from += (int64_t)n;
    }
    return DC_OK;
}

dc_status dmg_check_bytes(dc_source *source, int64_t offset, int64_t len,
                          const dmg_checksum *c, const char *what,
                          dc_error *err)
{
    uint8_t *block = malloc(CHECK_BLOCK);
    if (block == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    running r;
    running_start(&r);
    add_range(source, offset, offset + len, block, &r, c, err);
    free(block);
    if (err->status != DC_OK)
        return err->status;
    return check_end(&r, c, what, err);
}

/* --- the data fork, from the chunks' reads -------------------------------- */

/* A read the chunks made, and its CRC-32. */
typedef struct fork_read {
    int64_t offset, length;
    uint32_t crc;
} fork_read;

/* Reads beyond this many are not recorded: the check reads their bytes
 * again instead, so a reader that jumps around cannot grow the list
 * without bound (24 MiB at most). */
#define MAX_FORK_READS (1 << 20)

struct dmg_fork_tap {
    dc_source *fork;
    dmg_checksum checksum;
    char *what;
    pthread_mutex_t lock;
    fork_read *reads;
    size_t count, capacity;
};

static void tap_free(void *context)
{
    dmg_fork_tap *t = context;
    pthread_mutex_destroy(&t->lock);
    free(t->reads);
    free(t->what);
    free(t);
}

/* Keeps the read if there is room; a read not kept is read again later. */
static void tap_record(dmg_fork_tap *t, fork_read read)
{
    pthread_mutex_lock(&t->lock);
    if (t->count == t->capacity && t->capacity < MAX_FORK_READS) {
        size_t more = t->capacity > 0 ? 2 * t->capacity : 1024;
        fork_read *grown = realloc(t->reads, more * sizeof *grown);
        if (grown != NULL) {
            t->reads = grown;
            t->capacity = more;
        }
    }
    if (t->count < t->capacity)
        t->reads[t->count++] = read;
    pthread_mutex_unlock(&t->lock);
}

static dc_status tap_read(void *context, int64_t offset, uint8_t *buffer,
                          size_t len, size_t *got, dc_error *err)
{
    dmg_fork_tap *t = context;
    if (dc_source_read_some(t->fork, offset, buffer, len, got, err) != DC_OK)
        return err->status;
    if (*got > 0) /* in the reading thread, while the bytes are in cache */
        tap_record(t, (fork_read){offset, (int64_t)*got,
                                  dc_crc32(0, buffer, *got)});
    return DC_OK;
}

static const dc_source_ops tap_ops = {
    .read = tap_read,
    .close = tap_free,
};

dc_status dmg_fork_tap_open(dc_source **source, dmg_fork_tap **tap,
                       dc_source *fork, const dmg_checksum *checksum,
                       const char *what, dc_error *err)
{
    *source = NULL;
    *tap = NULL;
    dmg_fork_tap *t = calloc(1, sizeof *t);
    if (t == NULL || (t->what = dc_strdup(what)) == NULL) {
        free(t);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&t->lock, NULL);
    t->fork = fork;
    t->checksum = *checksum;
    if (dc_source_custom(source, &tap_ops, t, dc_source_size(fork),
                         dc_source_name(fork), err) != DC_OK)
        return err->status;
    *tap = t;
    return DC_OK;
}

static int by_offset(const void *a, const void *b)
{
    const fork_read *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

dc_status dmg_fork_tap_check(dmg_fork_tap *t, dc_error *err)
{
    uint8_t *block = malloc(CHECK_BLOCK);
    if (block == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    pthread_mutex_lock(&t->lock);
    qsort(t->reads, t->count, sizeof *t->reads, by_offset);
    /* The reads in order of offset; what none covers, and the part of one
     * that overlaps the read before, is read here. */
    const dmg_checksum *c = &t->checksum; /* a CRC-32: pieces combine */
    running whole = {.crc = 0};
    int64_t at = 0, end = dc_source_size(t->fork);
    for (size_t i = 0; i < t->count && err->status == DC_OK; i++) {
        const fork_read *r = &t->reads[i];
        if (r->offset + r->length <= at)
            continue;
        if (r->offset < at) /* overlaps the one before: its new part */
            add_range(t->fork, at, r->offset + r->length, block, &whole, c,
                      err);
        else if (add_range(t->fork, at, r->offset, block, &whole, c, err) ==
                 DC_OK)
            whole.crc = dc_crc32_combine(whole.crc, r->crc, r->length);
        at = r->offset + r->length;
    }
    pthread_mutex_unlock(&t->lock);
    if (err->status == DC_OK)
        add_range(t->fork, at, end, block, &whole, c, err);
    free(block);
    if (err->status != DC_OK)
        return err->status;
    return check_end(&whole, c, t->what, err);
}

/* --- the verifying source ------------------------------------------------ */

/* A run of the plain image: counted in its partition's checksum or not. */
typedef struct span {
    int64_t start, end;
    int partition;
    bool counted;
} span;

typedef struct verifier {
    dc_source *plain;
    char *path;
    dmg_partition *parts;   /* copies of the names and checksums */
    int part_count;
    int64_t *part_end;      /* where each partition's bytes end */
    span *spans;
    int span_count;
    pthread_mutex_t lock;
    int64_t verified_to;    /* every byte before this is accounted for */
    int next_span;
    running *sums;          /* per partition */
    dmg_fork_tap *tap;      /* the data fork's, checked at the end; or NULL */
} verifier;

static void verifier_free(void *context)
{
    verifier *v = context;
    for (int i = 0; i < v->part_count; i++)
        free(v->parts[i].name);
    free(v->parts);
    free(v->part_end);
    free(v->spans);
    free(v->sums);
    free(v->path);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

/* Takes in bytes [verified_to, end) of what a read brought, at `buffer`
 * (which holds the plain image from `offset`). */
static dc_status account(verifier *v, const uint8_t *buffer, int64_t offset,
                         int64_t end, dc_error *err)
{
    while (v->next_span < v->span_count && v->verified_to < end) {
        const span *s = &v->spans[v->next_span];
        int64_t from = v->verified_to > s->start ? v->verified_to : s->start;
        int64_t to = s->end < end ? s->end : end;
        const dmg_partition *p = &v->parts[s->partition];
        if (from < to && s->counted)
            running_add(&v->sums[s->partition], &p->checksum,
                        buffer + (from - offset), (size_t)(to - from));
        v->verified_to = to > v->verified_to ? to : v->verified_to;
        if (to < s->end)
            break;
        v->next_span++;
        if (to == v->part_end[s->partition] && dmg_checksum_known(&p->checksum)) {
            char what[400], where[700];
            dmg_partition_label(p, s->partition, what, sizeof what);
            snprintf(where, sizeof where, "%s: %s", v->path, what);
            if (check_end(&v->sums[s->partition], &p->checksum, where, err) !=
                DC_OK)
                return err->status;
        }
    }
    if (v->next_span < v->span_count)
        return DC_OK;
    v->verified_to = end > v->verified_to ? end : v->verified_to;
    dmg_fork_tap *tap = v->tap;
    v->tap = NULL; /* checked once */
    return tap != NULL ? dmg_fork_tap_check(tap, err) : DC_OK;
}

/* Accounts for the bytes of a read or view that start where verification
 * stands; a read past a gap (not in order) leaves the partitions it skips
 * unverified. */
static dc_status verifier_saw(verifier *v, const uint8_t *bytes,
                              int64_t offset, size_t len, dc_error *err)
{
    pthread_mutex_lock(&v->lock);
    dc_status status = DC_OK;
    int64_t end = offset + (int64_t)len;
    if (offset <= v->verified_to && end > v->verified_to)
        status = account(v, bytes, offset, end, err);
    pthread_mutex_unlock(&v->lock);
    return status;
}

static dc_status verifier_read(void *context, int64_t offset,
                               uint8_t *buffer, size_t len, size_t *got,
                               dc_error *err)
{
    verifier *v = context;
    if (dc_source_read_some(v->plain, offset, buffer, len, got, err) != DC_OK)
        return err->status;
    return verifier_saw(v, buffer, offset, *got, err);
}

static dc_status verifier_view(void *context, int64_t offset, size_t len,
                               const uint8_t **bytes, size_t *got,
                               dc_error *err)
{
    verifier *v = context;
    if (dc_source_view(v->plain, offset, len, bytes, got, err) != DC_OK ||
        *bytes == NULL)
        return err->status;
    return verifier_saw(v, *bytes, offset, *got, err);
}

static const dc_source_ops verifier_ops = {
    .read = verifier_read,
    .close = verifier_free,
    .view = verifier_view,
};

static int by_start(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Every data entry's run, in the order of the plain image (the chunk map
 * has made sure they do not overlap). */
static dc_status make_spans(verifier *v, const dmg_partition *parts,
                            int count, dc_error *err)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        total += parts[i].entry_count;
    v->spans = calloc((size_t)(total > 0 ? total : 1), sizeof *v->spans);
    v->part_end = calloc((size_t)count + 1, sizeof *v->part_end);
    if (v->spans == NULL || v->part_end == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < count; i++) {
        const dmg_partition *p = &parts[i];
        v->part_end[i] = (p->first_sector + p->sector_count) * DMG_SECTOR;
        for (int k = 0; k < p->entry_count; k++) {
            const dmg_entry *e = &p->entries[k];
            int64_t start = (p->first_sector + e->sector_offset) * DMG_SECTOR;
            v->spans[v->span_count++] = (span){
                .start = start,
                .end = start + e->sector_count * DMG_SECTOR,
                .partition = i,
                .counted = e->type != DMG_CHUNK_IGNORE,
            };
        }
    }
    qsort(v->spans, (size_t)v->span_count, sizeof *v->spans, by_start);
    return DC_OK;
}

dc_status dmg_verifying_source(dc_source **source, dc_source *plain,
                               const char *path, const dmg_partition *parts,
                               int count, int first, dmg_fork_tap *tap,
                               dc_error *err)
{
    *source = NULL;
    verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    v->tap = tap;
    pthread_mutex_init(&v->lock, NULL);
    v->plain = plain;
    v->path = dc_strdup(path);
    v->parts = calloc((size_t)count + 1, sizeof *v->parts);
    v->sums = calloc((size_t)count + 1, sizeof *v->sums);
    if (v->path == NULL || v->parts == NULL || v->sums == NULL) {
        verifier_free(v);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < count; i++) {
        v->parts[i] = (dmg_partition){
            .name = dc_strdup(parts[i].name),
            .first_sector = parts[i].first_sector,
            .sector_count = parts[i].sector_count,
            .checksum = parts[i].checksum,
        };
        v->part_count++;
        running_start(&v->sums[i]);
        if (v->parts[i].name == NULL) {
            verifier_free(v);
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        }
    }
    if (make_spans(v, parts, count, err) != DC_OK) {
        verifier_free(v);
        return err->status;
    }
    /* A chosen partition is read from its start. */
    if (first > 0) {
        v->verified_to = parts[first].first_sector * DMG_SECTOR;
        while (v->next_span < v->span_count &&
               v->spans[v->next_span].end <= v->verified_to)
            v->next_span++;
    }
    return dc_source_custom(source, &verifier_ops, v, dc_source_size(plain),
                            dc_source_name(plain), err);
}
