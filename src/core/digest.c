/*
 * Per-track digests in redump's layout (dc_disc_digest_compute): every
 * stored sector as 2352 raw bytes, hashed with CRC-32, MD5 and SHA-1 in one
 * pass, raw data sectors checked, audio summed into AccurateRip CRCs; and
 * the ids the AccurateRip and CUETools databases know a disc by.
 *
 * One pass, three threads: the caller's reads and makes raw sectors (EDC/ECC
 * checked or regenerated), one hasher runs MD5, the other SHA-1, CRC-32 and
 * the AccurateRip sums.  MD5 has no parallel form and is the slowest of
 * them, so it gets a thread of its own; chunks go round a small ring, so
 * memory stays bounded whatever the disc.
 */
#include "container.h"
#include "digest.h"
#include "format.h"

#include <nettle/base64.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4
#define HASHERS 2
#define SAMPLES_PER_SECTOR (DC_RAW_SECTOR / 4)
/* AccurateRip leaves out the first audio track's first and the last one's
 * last five sectors (less one sample at the start: its reference code
 * counts from 1). */
#define AR_SKIP (5 * SAMPLES_PER_SECTOR)
/* A CD-Extra's data session starts this long after its audio's end. */
#define SESSION_GAP 11400

/* One chunk of raw sectors on its way round the ring. */
typedef struct slot {
    uint8_t *stored;     /* as read_stored hands it */
    uint8_t *made;       /* raw sectors made from it, when they must be */
    const uint8_t *raw;  /* whichever of the two holds the raw sectors */
    int track;           /* by position */
    int64_t first_lba;   /* absolute LBA of its first sector */
    int64_t count;
} slot;

/* An audio track as AccurateRip cuts the disc. */
typedef struct ar_span {
    int track;           /* whose CRCs these are, by position */
    int64_t start, end;  /* absolute LBAs: INDEX 01 .. the next one */
    uint64_t from, to;   /* the sample positions summed, from 1 */
    uint32_t v1, v2;
} ar_span;

typedef struct track_hash {
    struct md5_ctx md5;
    struct sha1_ctx sha1;
    uint32_t crc;
} track_hash;

typedef struct digest_run {
    dc_image *image;
    slot slots[SLOTS];
    track_hash *hash;    /* per track */
    ar_span *spans;
    int span_count;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int64_t produced;    /* chunks put in the ring */
    int64_t consumed[HASHERS]; /* chunks each hasher is done with */
    bool finished;       /* nothing more comes */
} digest_run;

typedef struct hasher {
    digest_run *run;
    int which;           /* 0: MD5; 1: SHA-1, CRC-32, AccurateRip */
    int span;            /* the AccurateRip cursor: sectors come in order */
} hasher;

void dc_digest_hex(const uint8_t *bytes, size_t len, char *text)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = digits[bytes[i] >> 4];
        text[2 * i + 1] = digits[bytes[i] & 15];
    }
    text[2 * len] = '\0';
}

/* --- ids from the table of contents ------------------------------------- */

static uint32_t digit_sum(int64_t n)
{
    uint32_t sum = 0;
    for (; n > 0; n /= 10)
        sum += (uint32_t)(n % 10);
    return sum;
}

/* Where the disc's last track ends: the lead-out. */
static int64_t disc_leadout(const dc_disc *disc)
{
    const dc_track *last = &disc->tracks[disc->track_count - 1];
    return last->start_lba + last->length + last->postgap_unstored;
}

static int64_t track_end(const dc_track *track)
{
    return track->start_lba + track->length + track->postgap_unstored;
}

void dc_toc_ids(const dc_toc *toc, dc_toc_ids_result *ids)
{
    *ids = (dc_toc_ids_result){0};
    if (toc->count < 1)
        return;
    /* freedb: every track, in seconds of MSF (LBA + 150). */
    uint32_t sum = 0;
    for (int i = 0; i < toc->count; i++)
        sum += digit_sum((toc->start[i] + DC_PREGAP_TRACK1) / 75);
    int64_t seconds = (toc->leadout + DC_PREGAP_TRACK1) / 75 -
                      (toc->start[0] + DC_PREGAP_TRACK1) / 75;
    ids->cddb = (sum % 255) << 24 | (uint32_t)(seconds & 0xffff) << 8 |
                (uint32_t)(toc->count & 0xff);

    /* AccurateRip: the audio tracks by their place among them, the
     * disc's lead-out after them. */
    uint32_t n = 0, id1 = 0, id2 = 0;
    int64_t first_audio = -1, last_audio = -1;
    for (int i = 0; i < toc->count; i++) {
        if (toc->data[i])
            continue;
        uint32_t offset = (uint32_t)toc->start[i];
        n++;
        id1 += offset;
        id2 += (offset > 0 ? offset : 1) * n;
        if (first_audio < 0)
            first_audio = i;
        last_audio = i;
    }
    if (n == 0)
        return;
    uint32_t leadout = (uint32_t)toc->leadout;
    ids->audio_tracks = (int)n;
    ids->accuraterip_id1 = id1 + leadout;
    ids->accuraterip_id2 = id2 + (leadout > 0 ? leadout : 1) * (n + 1);

    /* CTDB: the audio tracks' starts after the first, and the audio's
     * end, relative to the first, as 8 hex digits each, padded with
     * zeros to 100 entries; SHA-1, base64 with URL-safe characters. */
    int64_t audio_end = toc->leadout;
    if (last_audio + 1 < toc->count)
        audio_end = toc->start[last_audio + 1] - SESSION_GAP;
    char text[100 * 8 + 1];
    memset(text, '0', 100 * 8);
    text[100 * 8] = '\0';
    size_t at = 0;
    char entry[9];
    int64_t base = toc->start[first_audio];
    for (int64_t i = first_audio + 1; i <= last_audio; i++) {
        if (toc->data[i])
            continue;
        snprintf(entry, sizeof entry, "%08X", (uint32_t)(toc->start[i] - base));
        memcpy(text + at, entry, 8);
        at += 8;
    }
    snprintf(entry, sizeof entry, "%08X", (uint32_t)(audio_end - base));
    memcpy(text + at, entry, 8);
    uint8_t sha[SHA1_DIGEST_SIZE];
    struct sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, 100 * 8, (const uint8_t *)text);
    sha1_digest(&ctx, sizeof sha, sha);
    char b64[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE) + 1];
    base64_encode_raw(b64, sizeof sha, sha);
    b64[sizeof b64 - 1] = '\0';
    for (char *c = b64; *c; c++)
        *c = *c == '+' ? '.' : *c == '/' ? '_' : *c == '=' ? '-' : *c;
    snprintf(ids->ctdb, sizeof ids->ctdb, "%s", b64);
}

/* The table of contents of a disc: INDEX 01 of each track, lead-out. */
static void disc_toc(const dc_disc *disc, dc_toc *toc)
{
    toc->count = disc->track_count;
    for (int i = 0; i < disc->track_count; i++) {
        toc->start[i] = dc_track_index1_lba(&disc->tracks[i]);
        toc->data[i] = dc_track_is_data(&disc->tracks[i]);
    }
    toc->leadout = disc_leadout(disc);
}

/* --- AccurateRip CRCs ---------------------------------------------------- */

void dc_accuraterip_sum(uint32_t *v1, uint32_t *v2, const uint8_t *sector,
                        uint64_t position, uint64_t from, uint64_t to)
{
    uint32_t s1 = *v1, s2 = *v2;
    for (unsigned j = 0; j < SAMPLES_PER_SECTOR; j++, position++) {
        if (position < from || position > to)
            continue;
        const uint8_t *p = sector + 4 * j;
        uint32_t sample = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
                          (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        uint64_t product = (uint64_t)sample * position;
        s1 += (uint32_t)product;
        s2 += (uint32_t)product + (uint32_t)(product >> 32);
    }
    *v1 = s1;
    *v2 = s2;
}

/* The audio tracks as AccurateRip cuts them: from INDEX 01 to the next
 * audio track's INDEX 01 in the same session (its stored pregap belongs
 * here), else to the track's own end. */
static dc_status plan_spans(digest_run *run, dc_error *err)
{
    const dc_disc *disc = &run->image->disc;
    run->spans = calloc((size_t)disc->track_count, sizeof *run->spans);
    if (run->spans == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (dc_track_is_data(t))
            continue;
        const dc_track *next = i + 1 < disc->track_count ? t + 1 : NULL;
        ar_span *s = &run->spans[run->span_count++];
        s->track = i;
        s->start = dc_track_index1_lba(t);
        s->end = next != NULL && !dc_track_is_data(next) &&
                         next->session == t->session
                     ? dc_track_index1_lba(next)
                     : track_end(t);
    }
    for (int k = 0; k < run->span_count; k++) {
        ar_span *s = &run->spans[k];
        uint64_t samples = (uint64_t)(s->end - s->start) * SAMPLES_PER_SECTOR;
        s->from = k == 0 ? AR_SKIP : 1;
        s->to = k == run->span_count - 1
                    ? (samples > AR_SKIP ? samples - AR_SKIP : 0)
                    : samples;
    }
    return DC_OK;
}

static void sum_audio(hasher *h, const slot *s)
{
    digest_run *run = h->run;
    for (int64_t i = 0; i < s->count; i++) {
        int64_t lba = s->first_lba + i;
        while (h->span < run->span_count && run->spans[h->span].end <= lba)
            h->span++;
        if (h->span == run->span_count)
            return;
        ar_span *span = &run->spans[h->span];
        if (lba < span->start)
            continue; /* the first track's pregap, or a data track's */
        uint64_t position =
            (uint64_t)(lba - span->start) * SAMPLES_PER_SECTOR + 1;
        dc_accuraterip_sum(&span->v1, &span->v2,
                           s->raw + (size_t)i * DC_RAW_SECTOR, position,
                           span->from, span->to);
    }
}

/* --- the ring ------------------------------------------------------------ */

static void hash_slot(hasher *h, const slot *s)
{
    track_hash *t = &h->run->hash[s->track];
    size_t len = (size_t)s->count * DC_RAW_SECTOR;
    if (h->which == 0) {
        md5_update(&t->md5, len, s->raw);
        return;
    }
    sha1_update(&t->sha1, len, s->raw);
    t->crc = dc_crc32(t->crc, s->raw, len);
    if (!dc_track_is_data(&h->run->image->disc.tracks[s->track]))
        sum_audio(h, s);
}

static void *run_hasher(void *arg)
{
    hasher *h = arg;
    digest_run *run = h->run;
    for (;;) {
        pthread_mutex_lock(&run->lock);
        while (run->consumed[h->which] == run->produced && !run->finished)
            pthread_cond_wait(&run->changed, &run->lock);
        bool done = run->consumed[h->which] == run->produced;
        int64_t k = run->consumed[h->which];
        pthread_mutex_unlock(&run->lock);
        if (done)
            return NULL;
        hash_slot(h, &run->slots[k % SLOTS]);
        pthread_mutex_lock(&run->lock);
        run->consumed[h->which]++;
        pthread_cond_broadcast(&run->changed);
        pthread_mutex_unlock(&run->lock);
    }
}

/* Waits until slot `k` is free: every hasher is done with its last use. */
static slot *free_slot(digest_run *run, int64_t k)
{
    pthread_mutex_lock(&run->lock);
    for (int i = 0; i < HASHERS; i++)
        while (run->consumed[i] + SLOTS <= k)
            pthread_cond_wait(&run->changed, &run->lock);
    pthread_mutex_unlock(&run->lock);
    return &run->slots[k % SLOTS];
}

static void publish(digest_run *run, bool finished)
{
    pthread_mutex_lock(&run->lock);
    if (finished)
        run->finished = true;
    else
        run->produced++;
    pthread_cond_broadcast(&run->changed);
    pthread_mutex_unlock(&run->lock);
}

/* Counts the stored raw sectors whose form contradicts their track (no
 * sync, another mode), as a conversion to user data would find them. */
static dc_status check_forms(const dc_track *track, const uint8_t *raw,
                             int64_t first_lba, int64_t count,
                             dc_read_report *report, dc_bad_list *mode_bad,
                             dc_error *err)
{
    if (track->mode == DC_MODE_AUDIO || track->stored_size < DC_RAW_SECTOR)
        return DC_OK; /* framing made here from user data always fits */
    for (int64_t i = 0; i < count; i++) {
        if (dc_sector_fits_track(raw + (size_t)i * DC_RAW_SECTOR, track->mode))
            continue;
        int64_t lba = first_lba + i;
        if (report->bad_edc + report->mode_mismatch == 0 ||
            lba < report->first_bad_lba)
            report->first_bad_lba = lba;
        report->mode_mismatch++;
        if (dc_bad_list_add(mode_bad, lba, DC_BAD_MODE, err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

/* Reads every track into the ring, raw, checked; counts what is bad. */
static dc_status produce(digest_run *run, const dc_digest_options *options,
                         dc_disc_digest *digest, dc_bad_list *bad,
                         dc_error *err)
{
    dc_image *image = run->image;
    const dc_disc *disc = &image->disc;
    static const dc_read_options verify = {.verify = true};
    int64_t total = 0, done = 0;
    for (int i = 0; i < disc->track_count; i++)
        total += disc->tracks[i].length;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *track = &disc->tracks[i];
        dc_read_report report = {0};
        dc_bad_list mode_bad = {0}; /* kept apart: EDC's list is in order */
        for (int64_t first = 0; first < track->length;) {
            int64_t count = track->length - first;
            if (count > DC_STREAM_CHUNK_SECTORS)
                count = DC_STREAM_CHUNK_SECTORS;
            slot *s = free_slot(run, run->produced);
            if (image->ops->read_stored(image, i, first, count, s->stored,
                                        err) != DC_OK ||
                dc_image_convert(image, i, first, count, DC_FORM_RAW, &verify,
                                 s->stored, s->made, &s->raw, &report, bad,
                                 err) != DC_OK ||
                check_forms(track, s->raw, track->start_lba + first, count,
                            &report, &mode_bad, err) != DC_OK) {
                dc_bad_list_free(&mode_bad);
                return err->status;
            }
            s->track = i;
            s->first_lba = track->start_lba + first;
            s->count = count;
            publish(run, false);
            first += count;
            done += count;
            if (options != NULL && options->progress != NULL &&
                !options->progress(options->progress_context, done, total)) {
                dc_bad_list_free(&mode_bad);
                return dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
            }
        }
        if (dc_bad_list_merge(bad, &mode_bad, err) != DC_OK) {
            dc_bad_list_free(&mode_bad);
            return err->status;
        }
        digest->tracks[i].bad_sectors = report.bad_edc + report.mode_mismatch;
        digest->tracks[i].first_bad_lba = report.first_bad_lba;
        dc_read_report_merge(&digest->report, &report);
    }
    return DC_OK;
}

static void finish_tracks(digest_run *run, dc_disc_digest *digest)
{
    const dc_disc *disc = &run->image->disc;
    for (int i = 0; i < disc->track_count; i++) {
        dc_track_digest *d = &digest->tracks[i];
        d->number = disc->tracks[i].number;
        d->mode = disc->tracks[i].mode;
        d->sectors = disc->tracks[i].length;
        d->crc32 = run->hash[i].crc;
        md5_digest(&run->hash[i].md5, sizeof d->md5, d->md5);
        sha1_digest(&run->hash[i].sha1, sizeof d->sha1, d->sha1);
    }
    for (int k = 0; k < run->span_count; k++) {
        dc_track_digest *d = &digest->tracks[run->spans[k].track];
        d->accuraterip_v1 = run->spans[k].v1;
        d->accuraterip_v2 = run->spans[k].v2;
    }
    dc_toc toc;
    dc_toc_ids_result ids;
    disc_toc(disc, &toc);
    dc_toc_ids(&toc, &ids);
    digest->audio_track_count = ids.audio_tracks;
    digest->accuraterip_id1 = ids.accuraterip_id1;
    digest->accuraterip_id2 = ids.accuraterip_id2;
    digest->cddb_id = ids.cddb;
    memcpy(digest->ctdb_toc_id, ids.ctdb, sizeof digest->ctdb_toc_id);
}

static dc_status setup(digest_run *run, dc_disc_digest *digest,
                       dc_error *err)
{
    const dc_disc *disc = &run->image->disc;
    digest->track_count = disc->track_count;
    digest->tracks = calloc((size_t)disc->track_count, sizeof *digest->tracks);
    run->hash = calloc((size_t)disc->track_count, sizeof *run->hash);
    if (digest->tracks == NULL || run->hash == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < disc->track_count; i++) {
        md5_init(&run->hash[i].md5);
        sha1_init(&run->hash[i].sha1);
        run->hash[i].crc = dc_crc32(0, NULL, 0);
    }
    for (int k = 0; k < SLOTS; k++) {
        run->slots[k].stored = dc_io_alloc(DC_STREAM_CHUNK_SECTORS *
                                           (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE));
        run->slots[k].made = dc_io_alloc(DC_STREAM_CHUNK_SECTORS *
                                         DC_RAW_SECTOR);
        if (run->slots[k].stored == NULL || run->slots[k].made == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    return plan_spans(run, err);
}

dc_status dc_disc_digest_compute(dc_image *image,
                                 const dc_digest_options *options,
                                 dc_disc_digest *digest, dc_error *err)
{
    *digest = (dc_disc_digest){0};
    digest_run run = {
        .image = image,
        .lock = PTHREAD_MUTEX_INITIALIZER,
        .changed = PTHREAD_COND_INITIALIZER,
    };
    dc_bad_list bad = {0};
    hasher hashers[HASHERS];
    pthread_t threads[HASHERS];
    int started = 0;
    dc_status status = setup(&run, digest, err);
    while (status == DC_OK && started < HASHERS) {
        hashers[started] = (hasher){&run, started, 0};
        if (pthread_create(&threads[started], NULL, run_hasher,
                           &hashers[started]) != 0)
            status = dc_fail(err, DC_ERR_NOMEM, "cannot start a thread");
        else
            started++;
    }
    if (status == DC_OK)
        status = produce(&run, options, digest, &bad, err);
    publish(&run, true);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (status == DC_OK)
        finish_tracks(&run, digest);
    digest->bad_range_count = bad.count;
    digest->bad_ranges = bad.ranges;
    for (int k = 0; k < SLOTS; k++) {
        free(run.slots[k].stored);
        free(run.slots[k].made);
    }
    free(run.hash);
    free(run.spans);
    pthread_mutex_destroy(&run.lock);
    pthread_cond_destroy(&run.changed);
    if (status != DC_OK)
        dc_disc_digest_free(digest);
    return status;
}

void dc_disc_digest_free(dc_disc_digest *digest)
{
    free(digest->tracks);
    free(digest->bad_ranges);
    *digest = (dc_disc_digest){0};
}
