/*
 * The conversion pipeline: pick the target, ask it whether it can hold the
 * disc, let it write through the streaming helpers below, then commit every
 * output at once or remove them all.
 */
#include "audio_out.h"
#include "format.h"
#include "labels.h"
#include "model.h"
#include "sector.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

bool dc_job_progress(dc_write_job *job, int64_t sectors)
{
    job->sectors_done += sectors;
    const dc_convert_options *o = job->options;
    return o->progress == NULL ||
           o->progress(o->progress_context, job->sectors_done,
                       job->sectors_total);
}

static void add_note(dc_write_job *job, dc_advice advice, const char *fmt,
                     va_list args) __attribute__((format(printf, 3, 0)));

static void add_note(dc_write_job *job, dc_advice advice, const char *fmt,
                     va_list args)
{
    dc_convert_result *r = job->result;
    dc_advice *grown = realloc(r->note_advice,
                               (size_t)(r->note_count + 1) * sizeof *grown);
    if (grown == NULL)
        return; /* as dc_string_list_add: a lost note does not fail the work */
    r->note_advice = grown;
    int before = r->note_count;
    dc_string_list_add(&r->notes, &r->note_count, fmt, args);
    if (r->note_count > before)
        grown[before] = advice;
}

void dc_job_note(dc_write_job *job, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    add_note(job, DC_ADVICE_NONE, fmt, args);
    va_end(args);
}

void dc_job_note_advise(dc_write_job *job, dc_advice advice, const char *fmt,
                        ...)
{
    va_list args;
    va_start(args, fmt);
    add_note(job, advice, fmt, args);
    va_end(args);
}

/* One chunk read on a second thread while the previous one is consumed. */
typedef struct chunk_read {
    dc_write_job *job;
    int track_index;
    int64_t first;
    int64_t count;
    dc_sector_form form;
    uint8_t *buffer;
    dc_error err;
} chunk_read;

static void *read_chunk(void *arg)
{
    chunk_read *r = arg;
    dc_image_read_noting(r->job->source, r->track_index, r->first, r->count,
                         r->form, &r->job->options->read, r->buffer,
                         r->job->report, r->job->bad, &r->err);
    return NULL;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Reading and consuming overlap: while chunk k is consumed (written),
 * chunk k+1 is read (and stripped or regenerated) on a second thread.
 * Only one thread reads at a time, so the image and the report need no
 * locking. */
dc_status dc_stream_track(dc_write_job *job, int track_index, int64_t first,
                          int64_t count, dc_sector_form form,
                          dc_chunk_consumer consume, void *context,
                          dc_error *err)
{
    const dc_track *track = &job->source->disc.tracks[track_index];
    size_t sector_size = dc_sector_form_size(track, form);
    uint8_t *buffers[2] = {dc_io_alloc(DC_STREAM_CHUNK_SECTORS * sector_size),
                           dc_io_alloc(DC_STREAM_CHUNK_SECTORS * sector_size)};
    if (buffers[0] == NULL || buffers[1] == NULL) {
        free(buffers[0]);
        free(buffers[1]);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    chunk_read next = {job, track_index, first, min64(count, DC_STREAM_CHUNK_SECTORS),
                       form, buffers[0], {0}};
    read_chunk(&next);
    dc_status status = next.err.status;
    if (status != DC_OK)
        dc_fail_advise(err, status, next.err.advice, "%s", next.err.message);
    for (int64_t done = 0, k = 0; status == DC_OK && done < count; k++) {
        chunk_read current = next;
        done += current.count;
        next = (chunk_read){job, track_index, first + done,
                            min64(count - done, DC_STREAM_CHUNK_SECTORS), form,
                            buffers[(k + 1) % 2], {0}};
        pthread_t reader;
        bool threaded = next.count > 0 &&
                        pthread_create(&reader, NULL, read_chunk, &next) == 0;
        if (consume(context, current.buffer, current.count, err) != DC_OK)
            status = err->status;
        else if (!dc_job_progress(job, current.count))
            status = dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
        if (threaded)
            pthread_join(reader, NULL);
        else if (next.count > 0 && status == DC_OK)
            read_chunk(&next);
        if (status == DC_OK && next.err.status != DC_OK)
            status = dc_fail_advise(err, next.err.status, next.err.advice,
                                    "%s", next.err.message);
    }
    free(buffers[0]);
    free(buffers[1]);
    return status;
}

/*
 * Whether every stored sector of a raw Mode 1 track is exactly what its
 * 2048 user bytes regenerate at its address: sync, header (its LBA, mode
 * 1), EDC, zero bytes, ECC.  Anything else -- a bad EDC or ECC, a Mode 0 or
 * Mode 2 sector, a header that disagrees -- keeps the track raw.
 *
 * The cost: the track is read once more before it is written (the second
 * read mostly from the page cache) and each sector encoded once, about
 * what reading with verification costs; in bounded chunks, stopping at the
 * first sector that differs.  Writers ask only of tracks they could store
 * cooked.
 */
dc_status dc_track_regenerates(dc_write_job *job, int track_index,
                               bool *regenerates, dc_error *err)
{
    const dc_track *t = &job->source->disc.tracks[track_index];
    uint8_t *chunk = malloc((size_t)DC_STREAM_CHUNK_SECTORS * DC_RAW_SECTOR);
    if (chunk == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    *regenerates = true;
    dc_status status = DC_OK;
    for (int64_t first = 0; status == DC_OK && *regenerates &&
                            first < t->length;
         first += DC_STREAM_CHUNK_SECTORS) {
        int64_t count = t->length - first < DC_STREAM_CHUNK_SECTORS
                            ? t->length - first
                            : DC_STREAM_CHUNK_SECTORS;
        if (dc_image_read(job->source, track_index, first, count,
                          DC_FORM_RAW, NULL, chunk, NULL, err) != DC_OK) {
            status = err->status;
            break;
        }
        for (int64_t k = 0; k < count && *regenerates; k++) {
            const uint8_t *raw = chunk + k * DC_RAW_SECTOR;
            uint8_t again[DC_RAW_SECTOR];
            dc_sector_encode_mode1(again, t->start_lba + first + k,
                                   raw + DC_SYNC_SIZE + DC_HEADER_SIZE);
            *regenerates = memcmp(again, raw, DC_RAW_SECTOR) == 0;
        }
        /* No progress to count (the write counts the track), but the
         * user may stop here as anywhere. */
        if (!dc_job_progress(job, 0))
            status = dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
    }
    free(chunk);
    return status;
}

/* --- copying sectors to an output --------------------------------------- */

/* Workers beyond two help only the conversion, which few paths need. */
#define MAX_WORKERS 4

/*
 * The sector pipeline.  Each worker takes the next chunk, reads it (one
 * reader at a time, so formats need no locking), converts it on its own
 * (EDC/ECC made or checked, payloads copied out of raw sectors) and writes
 * it when its turn comes, so the output is written in order and may be a
 * pipe.  One worker's reading and writing overlap another's converting;
 * stored bytes that need no change are written from where they were read.
 *
 * Payloads are copied into one block by the workers, all at once, rather
 * than handed to writev straight from the raw sectors: the kernel's walk
 * over a thousand small pieces happens in turn and took longer (BIN to
 * ISO, 305 MB, 15 rounds: 0.090 s median against 0.100 s).  A block is
 * also what O_DIRECT wants.
 */
typedef struct pipeline {
    dc_write_job *job;
    dc_output *out;
    int track_index;
    dc_sector_form form;
    size_t form_size;         /* bytes per sector written */
    bool blocks_at;           /* whole chunks go to their place at once,
                                 so two are on their way to the disk */
    int64_t base;             /* the output's end when the run began */
    const dc_read_options *read;
    int64_t first;
    int64_t chunk_count;
    int64_t last_chunk_sectors;
    pthread_mutex_t lock;     /* guards everything below */
    pthread_cond_t changed;
    bool reading;             /* a worker is in read_stored */
    int64_t next_chunk;       /* the next to read */
    int64_t turn;             /* the next to write */
    bool stop;
    dc_error err;             /* the first failure */
    dc_read_report report;
} pipeline;

/* A worker's buffers, kept for the whole job: a disc of many tracks would
 * otherwise map and fault them in again for each. */
struct dc_worker_buffers {
    uint8_t *stored;  /* a chunk as stored, subchannel and all */
    uint8_t *out;     /* a chunk made here; touched only if bytes are made */
};

typedef struct worker {
    pipeline *p;
    dc_worker_buffers buffers;
    dc_read_report report;
    dc_bad_list bad;
} worker;

/* Makes sure the job has buffers for n workers. */
static dc_status ensure_buffers(dc_write_job *job, int n, dc_error *err)
{
    if (job->buffers == NULL) {
        job->buffers = calloc(MAX_WORKERS, sizeof *job->buffers);
        if (job->buffers == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) {
        dc_worker_buffers *b = &job->buffers[i];
        if (b->stored != NULL)
            continue;
        b->stored = dc_io_alloc(DC_STREAM_CHUNK_SECTORS *
                                (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE));
        b->out = dc_io_alloc(DC_STREAM_CHUNK_SECTORS * DC_RAW_SECTOR);
        if (b->stored == NULL || b->out == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    return DC_OK;
}

void dc_job_free_buffers(dc_write_job *job)
{
    for (int i = 0; job->buffers != NULL && i < MAX_WORKERS; i++) {
        free(job->buffers[i].stored);
        free(job->buffers[i].out);
    }
    free(job->buffers);
    job->buffers = NULL;
}

static void pipeline_fail(pipeline *p, const dc_error *err)
{
    pthread_mutex_lock(&p->lock);
    if (p->err.status == DC_OK)
        p->err = *err;
    p->stop = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* Takes the next chunk and reads it; -1 when there is none or work
 * stopped. */
static int64_t read_next_chunk(worker *w, int64_t *count, dc_error *err)
{
    pipeline *p = w->p;
    pthread_mutex_lock(&p->lock);
    while (p->reading && !p->stop)
        pthread_cond_wait(&p->changed, &p->lock);
    if (p->stop || p->next_chunk == p->chunk_count) {
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    int64_t k = p->next_chunk++;
    p->reading = true;
    pthread_mutex_unlock(&p->lock);

    *count = k + 1 == p->chunk_count ? p->last_chunk_sectors
                                     : DC_STREAM_CHUNK_SECTORS;
    dc_image *image = p->job->source;
    dc_status status = image->ops->read_stored(
        image, p->track_index, p->first + k * DC_STREAM_CHUNK_SECTORS, *count,
        w->buffers.stored, err);

    pthread_mutex_lock(&p->lock);
    p->reading = false;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return status == DC_OK ? k : -1;
}

/* Waits for chunk k's turn to write; false if work stopped. */
static bool wait_turn(pipeline *p, int64_t k)
{
    pthread_mutex_lock(&p->lock);
    while (p->turn != k && !p->stop)
        pthread_cond_wait(&p->changed, &p->lock);
    bool go = !p->stop;
    pthread_mutex_unlock(&p->lock);
    return go;
}

/* Passes the turn on and reports progress, which the caller's function
 * hears from one thread at a time. */
static dc_status end_turn(pipeline *p, int64_t count, dc_error *err)
{
    pthread_mutex_lock(&p->lock);
    p->turn++;
    bool go_on = dc_job_progress(p->job, count);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return go_on ? DC_OK : dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
}

static void *run_worker(void *arg)
{
    worker *w = arg;
    pipeline *p = w->p;
    dc_error err = {0};
    int64_t count, k;
    while ((k = read_next_chunk(w, &count, &err)) >= 0) {
        int64_t first = p->first + k * DC_STREAM_CHUNK_SECTORS;
        const uint8_t *chunk;
        size_t len = (size_t)count * p->form_size;
        bool placed = false;
        if (dc_image_convert(p->job->source, p->track_index, first, count,
                             p->form, p->read, w->buffers.stored,
                             w->buffers.out, &chunk, &w->report, &w->bad,
                             &err) != DC_OK ||
            (p->blocks_at && count == DC_STREAM_CHUNK_SECTORS &&
             (uintptr_t)chunk % DC_IO_ALIGN == 0 &&
             dc_output_write_block_at(p->out,
                                      p->base + k * (int64_t)len, chunk, len,
                                      &placed, &err) != DC_OK) ||
            !wait_turn(p, k))
            break;
        if (placed)
            dc_output_advance(p->out, len);
        else if (dc_output_write(p->out, chunk, len, &err) != DC_OK)
            break;
        if (end_turn(p, count, &err) != DC_OK)
            break;
    }
    pthread_mutex_lock(&p->lock);
    dc_read_report_merge(&p->report, &w->report);
    if (p->job->bad != NULL)
        dc_bad_list_merge(p->job->bad, &w->bad, &err);
    pthread_mutex_unlock(&p->lock);
    dc_bad_list_free(&w->bad);
    if (err.status != DC_OK)
        pipeline_fail(p, &err);
    return NULL;
}

static int worker_count(const pipeline *p)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    /* Two even on one core: one reads or writes while the other waits.
     * Chunks that go to the disk at once keep as many writes on their way
     * as there are workers, and the disk takes them faster so. */
    int64_t n = p->blocks_at || cores > MAX_WORKERS ? MAX_WORKERS
                : cores < 2                        ? 2
                                                   : cores;
    return (int)(p->chunk_count < n ? p->chunk_count : n);
}

static dc_status run_pipeline(pipeline *p, dc_error *err)
{
    int n = worker_count(p);
    if (ensure_buffers(p->job, n, err) != DC_OK)
        return err->status;
    worker workers[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS];
    for (int i = 0; i < n; i++)
        workers[i] = (worker){p, p->job->buffers[i], {0}, {0}};
    /* The calling thread is worker 0. */
    int started = 0;
    for (int i = 1; i < n; i++, started++)
        if (pthread_create(&threads[i], NULL, run_worker, &workers[i]) != 0)
            break; /* fewer workers still finish the work */
    run_worker(&workers[0]);
    for (int i = 1; i <= started; i++)
        pthread_join(threads[i], NULL);
    if (p->job->report != NULL)
        dc_read_report_merge(p->job->report, &p->report);
    if (p->err.status != DC_OK)
        return dc_fail_advise(err, p->err.status, p->err.advice, "%s",
                              p->err.message);
    return DC_OK;
}

dc_status dc_write_sectors_read_as(dc_write_job *job, dc_output *out,
                                   int track_index, int64_t first,
                                   int64_t count, dc_sector_form form,
                                   const dc_read_options *read, dc_error *err)
{
    if (dc_image_check_read(job->source, track_index, first, count, form,
                            err) != DC_OK)
        return err->status;
    if (count == 0)
        return DC_OK;
    pipeline p = {
        .job = job,
        .out = out,
        .track_index = track_index,
        .form = form,
        .read = read,
        .form_size = dc_sector_form_size(&job->source->disc.tracks[track_index],
                                         form),
        .base = dc_output_position(out),
        .first = first,
        .chunk_count = (count + DC_STREAM_CHUNK_SECTORS - 1) /
                       DC_STREAM_CHUNK_SECTORS,
        .last_chunk_sectors = count - (count - 1) / DC_STREAM_CHUNK_SECTORS *
                                          DC_STREAM_CHUNK_SECTORS,
        .lock = PTHREAD_MUTEX_INITIALIZER,
        .changed = PTHREAD_COND_INITIALIZER,
    };
    p.blocks_at = dc_output_takes_blocks_at(out, DC_STREAM_CHUNK_SECTORS *
                                                     p.form_size);
    dc_status status = run_pipeline(&p, err);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.changed);
    return status;
}

dc_status dc_write_track_sectors(dc_write_job *job, dc_output *out,
                                 int track_index, int64_t first,
                                 int64_t count, dc_sector_form form,
                                 dc_error *err)
{
    return dc_write_sectors_read_as(job, out, track_index, first, count, form,
                                    &job->options->read, err);
}

/* One generated sector of a gap the image does not store. */
static void make_gap_sector(const dc_track *track, int64_t lba,
                            dc_sector_form form, uint8_t *sector)
{
    static const uint8_t empty[DC_USER_MODE2];
    /* Mode 2 gap sectors are Form 2 with no data bit: mastering tools
     * write them so, and players skip them. */
    static const uint8_t gap_subheader[4] = {0, 0, DC_XA_SUBMODE_FORM2, 0};
    size_t size = dc_sector_form_size(track, form);
    memset(sector, 0, size);
    if (track->mode == DC_MODE_AUDIO || form == DC_FORM_USER ||
        size < DC_USER_MODE2)
        return; /* silence, or zero user data */
    uint8_t raw[DC_RAW_SECTOR];
    if (track->mode == DC_MODE_MODE1)
        dc_sector_encode_mode1(raw, lba, empty);
    else
        dc_sector_encode_form2(raw, lba, gap_subheader, empty);
    if (size >= DC_RAW_SECTOR) /* raw, or stored with an empty subchannel */
        memcpy(sector, raw, DC_RAW_SECTOR);
    else
        memcpy(sector, raw + DC_SYNC_SIZE + DC_HEADER_SIZE, DC_USER_MODE2);
}

dc_status dc_write_gap_sectors(dc_write_job *job, dc_output *out,
                               const dc_track *track, int64_t lba,
                               int64_t count, dc_sector_form form,
                               dc_error *err)
{
    uint8_t sector[DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE];
    size_t size = dc_sector_form_size(track, form);
    int64_t since_progress = 0;
    for (int64_t i = 0; i < count; i++) {
        make_gap_sector(track, lba + i, form, sector);
        if (dc_output_write(out, sector, size, err) != DC_OK)
            return err->status;
        /* Gaps count as work done, and may be interrupted like it. */
        if (++since_progress == DC_STREAM_CHUNK_SECTORS || i + 1 == count) {
            if (!dc_job_progress(job, since_progress))
                return dc_fail(err, DC_ERR_INTERRUPTED, "interrupted");
            since_progress = 0;
        }
    }
    return DC_OK;
}

/* The work a conversion may do, for progress: stored sectors and the
 * gaps a writer may generate. */
static int64_t total_sectors(const dc_disc *disc, int track_number)
{
    int64_t total = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (track_number == 0 || t->number == track_number)
            total += t->length + t->pregap_unstored + t->postgap_unstored;
    }
    return total;
}

static bool has_track(const dc_disc *disc, int number)
{
    for (int i = 0; i < disc->track_count; i++)
        if (disc->tracks[i].number == number)
            return true;
    return false;
}

static dc_status choose_target(const char *output_path,
                               const dc_convert_options *options,
                               const dc_format **target, dc_error *err)
{
    if (options->format_name != NULL) {
        *target = dc_format_find(options->format_name);
        char names[256];
        dc_format_list_names(true, names, sizeof names);
        if (*target == NULL)
            return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_LIST_FORMATS,
                                  "'%s' is not a format discconv writes; it "
                                  "writes %s", options->format_name, names);
        if ((*target)->write == NULL)
            return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_LIST_FORMATS,
                                  "%s (%s) is read only: discconv converts "
                                  "from it, not to it; it writes %s",
                                  (*target)->info.name,
                                  (*target)->info.description, names);
        return DC_OK;
    }
    *target = dc_format_for_extension(output_path);
    if (*target == NULL)
        return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_NAME_FORMAT,
                              "%s: cannot tell the target format from the "
                              "name; name the format", output_path);
    return DC_OK;
}

/* How sound files are written matters to a target that writes them, or
 * that cannot hold audio and writes it beside its output as sound files;
 * asking another target for it is a mistake, not a wish to ignore. */
static dc_status check_sound_options(const dc_format *target,
                                     const dc_convert_options *o,
                                     dc_error *err)
{
    if ((target->caps & DC_CAP_SOUND_FILES) || !(target->caps & DC_CAP_AUDIO))
        return DC_OK;
    if (o->audio_format != DC_AUDIO_WAV || o->pregap != DC_PREGAP_APPEND ||
        o->name_template != NULL)
        return dc_fail(err, DC_ERR_USAGE, "the %s format keeps audio tracks "
                       "itself and writes no sound files: a sound format, "
                       "pregap placement or file name template does not "
                       "apply to it", target->info.name);
    return DC_OK;
}

/* A target named after a sound format ("flac") writes that format. */
static dc_status choose_sound_format(dc_convert_options *o, dc_error *err)
{
    dc_audio_format named;
    if (o->format_name == NULL || !dc_audio_format_named(o->format_name,
                                                         &named))
        return DC_OK;
    if (o->audio_format != DC_AUDIO_WAV && o->audio_format != named)
        return dc_fail(err, DC_ERR_USAGE, "the target '%s' and the sound "
                       "format asked for differ: name one", o->format_name);
    o->audio_format = named;
    return DC_OK;
}

static dc_status no_such_track(const dc_image *image, long number,
                               dc_error *err)
{
    char tracks[DC_TRACK_TEXT_SIZE];
    dc_disc_describe_tracks(&image->disc, false, tracks, sizeof tracks);
    return dc_fail(err, DC_ERR_USAGE, "%s: there is no track %ld (the disc "
                   "has %s)", image->path, number, tracks);
}

/* The tracks asked for, each checked against the disc, as the target
 * takes them: a list for a target that writes any (the audio target), one
 * number for the others.  `number` holds a number made a list. */
static dc_status choose_tracks(const dc_image *image, const dc_format *target,
                               dc_convert_options *o, char number[4],
                               dc_error *err)
{
    if (o->track_number != 0 && o->track_list != NULL)
        return dc_fail(err, DC_ERR_USAGE, "a track number and a track list "
                       "were both given: give one");
    bool takes_list = target->caps & DC_CAP_TRACK_LIST;
    if (o->track_number != 0) {
        if (!has_track(&image->disc, o->track_number))
            return no_such_track(image, o->track_number, err);
        if (takes_list) {
            snprintf(number, 4, "%d", o->track_number);
            o->track_list = number;
            o->track_number = 0;
        }
        return DC_OK;
    }
    if (o->track_list == NULL)
        return DC_OK;
    bool wanted[DC_MAX_TRACKS + 1];
    if (dc_track_list_parse(o->track_list, wanted, err) != DC_OK)
        return err->status;
    int count = 0, last = 0;
    for (int n = 1; n <= DC_MAX_TRACKS; n++)
        if (wanted[n]) {
            if (!has_track(&image->disc, n))
                return no_such_track(image, n, err);
            count++;
            last = n;
        }
    if (takes_list)
        return DC_OK;
    if (count > 1)
        return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_CHOOSE_TRACK,
                              "%s: the %s format takes the whole disc or one "
                              "track, and %d tracks were chosen: choose one",
                              image->path, target->info.name, count);
    o->track_number = last;
    o->track_list = NULL;
    return DC_OK;
}

/* Whether a path names a folder: it ends in '/' or is one. */
static bool names_folder(const char *path)
{
    struct stat st;
    size_t len = strlen(path);
    return (len > 0 && path[len - 1] == '/') ||
           (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Where a target written as files goes: a folder given takes the image's
 * name and the target's first extension; a name with nothing before its
 * extension (an empty one, "dir/") is refused, as it would write hidden
 * files such as ".bin". */
static dc_status choose_output_path(const dc_image *image,
                                    const dc_format *target,
                                    const dc_convert_options *o,
                                    const char *output_path, char **path,
                                    dc_error *err)
{
    *path = NULL;
    if (o->to_stream || target->info.writes_folder || !names_folder(output_path))
        *path = dc_strdup(output_path);
    else {
        char *stem = dc_path_stem(image->path);
        size_t ext = strcspn(target->info.extensions, ",");
        size_t len = strlen(output_path) + (stem ? strlen(stem) : 0) + ext + 3;
        *path = stem != NULL ? malloc(len) : NULL;
        if (*path != NULL) {
            size_t dir = strlen(output_path);
            while (dir > 1 && output_path[dir - 1] == '/')
                dir--;
            snprintf(*path, len, "%.*s/%s.%.*s", (int)dir, output_path, stem,
                     (int)ext, target->info.extensions);
        }
        free(stem);
    }
    if (*path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (o->to_stream || target->info.writes_folder)
        return DC_OK;
    char *stem = dc_path_stem(*path);
    bool named = stem != NULL && stem[0] != '\0';
    free(stem);
    if (!named)
        return dc_fail(err, DC_ERR_USAGE, "'%s' names no file: the outputs "
                       "would be hidden files named only by their extension; "
                       "name the output", *path);
    return DC_OK;
}

/* The folder a target written as files goes into, made if missing. */
static dc_status make_output_folder(dc_write_job *job, const dc_format *target,
                                    dc_error *err)
{
    if (job->options->to_stream || target->info.writes_folder)
        return DC_OK;
    char *dir = dc_path_dirname(job->output_path);
    dc_status status = dir == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : dc_output_set_make_dir(job->outputs, dir, err);
    free(dir);
    return status;
}

/* --- options of one format ---------------------------------------------- */

static const dc_format_option *find_option(const dc_format_info *info,
                                           const char *name, size_t len)
{
    for (int i = 0; i < info->option_count; i++)
        if (strlen(info->options[i].name) == len &&
            strncmp(info->options[i].name, name, len) == 0)
            return &info->options[i];
    return NULL;
}

/* yes/no and the usual spellings; -1 for anything else. */
static int parse_bool(const char *text)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return 1;
        if (strcasecmp(text, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* The position of `word` in the comma-separated `choices`, without case;
 * -1 if it is not one of them. */
static int find_choice(const char *choices, const char *word)
{
    size_t len = strlen(word);
    int index = 0;
    for (const char *p = choices; *p != '\0'; index++) {
        size_t n = strcspn(p, ",");
        if (n == len && strncasecmp(p, word, n) == 0)
            return index;
        p += n + (p[n] == ',');
    }
    return -1;
}

/* "FORMAT.NAME=VALUE" in its three parts; false if it is not that shape. */
typedef struct setting {
    const char *format, *name, *value;
    size_t format_len, name_len;
} setting;

static bool split_setting(const char *text, setting *s)
{
    const char *dot = strchr(text, '.'), *eq = strchr(text, '=');
    if (dot == NULL || eq == NULL || eq < dot)
        return false;
    *s = (setting){text, dot + 1, eq + 1, (size_t)(dot - text),
                   (size_t)(eq - dot - 1)};
    return true;
}

/* Every setting must be FORMAT.NAME=VALUE for an option the target
 * declares, with a value of its type. */
static dc_status check_format_options(const dc_format *target,
                                      const dc_convert_options *options,
                                      dc_error *err)
{
    const dc_format_info *info = &target->info;
    for (const char *const *s = options->format_options; s != NULL && *s;
         s++) {
        setting set;
        if (!split_setting(*s, &set))
            return dc_fail(err, DC_ERR_USAGE, "'%s': a format's option is "
                           "set as FORMAT.NAME=VALUE", *s);
        if (set.format_len != strlen(info->name) ||
            strncasecmp(set.format, info->name, set.format_len) != 0)
            return dc_fail(err, DC_ERR_USAGE, "'%s': an option of the %.*s "
                           "format, but the target is %s", *s,
                           (int)set.format_len, set.format, info->name);
        const dc_format_option *option =
            find_option(info, set.name, set.name_len);
        if (option == NULL)
            return dc_fail(err, DC_ERR_USAGE, "'%s': %s has no option "
                           "'%.*s'", *s, info->name, (int)set.name_len,
                           set.name);
        if (option->type == DC_OPTION_BOOL && parse_bool(set.value) < 0)
            return dc_fail(err, DC_ERR_USAGE, "'%s': %s.%s is yes or no", *s,
                           info->name, option->name);
        if (option->type == DC_OPTION_CHOICE &&
            find_choice(option->choices, set.value) < 0)
            return dc_fail(err, DC_ERR_USAGE, "'%s': %s.%s is one of %s", *s,
                           info->name, option->name, option->choices);
    }
    return DC_OK;
}

bool dc_job_option_bool(const dc_write_job *job, const char *name)
{
    bool value = false;
    size_t len = strlen(name);
    for (const char *const *s = job->options->format_options;
         s != NULL && *s; s++) {
        /* Checked by dc_convert: the last setting of the option wins. */
        setting set;
        if (split_setting(*s, &set) && set.name_len == len &&
            strncmp(set.name, name, len) == 0)
            value = parse_bool(set.value) == 1;
    }
    return value;
}

int dc_job_option_choice(const dc_write_job *job,
                         const dc_format_option *option)
{
    int value = 0;
    size_t len = strlen(option->name);
    for (const char *const *s = job->options->format_options;
         s != NULL && *s; s++) {
        /* Checked by dc_convert: the last setting of the option wins. */
        setting set;
        if (split_setting(*s, &set) && set.name_len == len &&
            strncmp(set.name, option->name, len) == 0)
            value = find_choice(option->choices, set.value);
    }
    return value < 0 ? 0 : value;
}

/* What the target's capabilities say of this disc, before a byte is
 * written: several data tracks where one fits are refused; sessions a
 * target cannot keep apart are noted. */
static dc_status check_capacity(const dc_format *target, dc_write_job *job,
                                dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    if (job->options->track_number != 0)
        return DC_OK;
    int data = 0;
    for (int i = 0; i < disc->track_count; i++)
        data += dc_track_is_data(&disc->tracks[i]);
    if (data > 1 && !(target->caps & DC_CAP_DATA_TRACKS))
        return dc_fail_advise(err, DC_ERR_CANNOT_HOLD, DC_ADVICE_CHOOSE_TRACK,
                              "%s: %d data tracks, and the %s format holds "
                              "one: pick one track, or write BIN/CUE",
                              job->source->path, data, target->info.name);
    if (disc->session_count > 1 && !(target->caps & DC_CAP_SESSIONS))
        dc_job_note(job, "the disc's %d sessions are written one after the "
                    "other as one in %s", disc->session_count,
                    dc_path_basename(job->output_path));
    return DC_OK;
}

/* CD-TEXT and ISRCs a target has no place for are said to be lost; sound
 * files keep block 0 as tags, not the other languages. */
static void note_lost_text(const dc_format *target, dc_write_job *job)
{
    const dc_disc *disc = &job->source->disc;
    if (target->caps & DC_CAP_CDTEXT)
        return;
    int blocks = 0; /* up to the last block with text */
    for (int k = 0; k < DC_CDTEXT_MAX_BLOCKS; k++)
        for (int i = -1; i < disc->track_count; i++) {
            const dc_cdtext *t = i < 0 ? dc_disc_cdtext(disc, k)
                                       : dc_track_cdtext(&disc->tracks[i], k);
            for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
                if (t->field[f] != NULL)
                    blocks = k + 1;
        }
    bool text = blocks > 0, isrc = false;
    for (int i = 0; i < disc->track_count; i++)
        isrc |= disc->tracks[i].isrc[0] != '\0';
    const char *output = dc_path_basename(job->output_path);
    if (target == &dc_format_audio) {
        if (blocks > 1)
            dc_job_note(job, "sound file tags hold one language: CD-TEXT "
                        "block%s 1%s%.0d %s left out", blocks > 2 ? "s" : "",
                        blocks > 2 ? "-" : "", blocks > 2 ? blocks - 1 : 0,
                        blocks > 2 ? "are" : "is");
    } else if (text || isrc) {
        dc_job_note(job, "%s keeps no %s: the disc's %s left out of %s",
                    target->info.name,
                    text && isrc ? "CD-TEXT or ISRCs" : text ? "CD-TEXT"
                                                           : "ISRCs",
                    text && isrc ? "are" : text ? "is" : "are", output);
    }
}

/* Audio tracks a target cannot hold go beside its output as sound files,
 * unless one track was chosen. */
static int audio_to_route(const dc_format *target, const dc_write_job *job)
{
    const dc_disc *disc = &job->source->disc;
    int audio = 0;
    for (int i = 0; i < disc->track_count; i++)
        audio += disc->tracks[i].mode == DC_MODE_AUDIO;
    return (target->caps & DC_CAP_AUDIO) || job->options->track_number != 0
               ? 0
               : audio;
}

static dc_status route_audio(dc_write_job *job, int audio, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    bool selected[DC_MAX_TRACKS];
    for (int i = 0; i < disc->track_count; i++)
        selected[i] = disc->tracks[i].mode == DC_MODE_AUDIO;
    char *dir = dc_path_dirname(job->output_path);
    char *name = dc_path_stem(job->output_path);
    dc_status status;
    if (dir == NULL || name == NULL) {
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    } else {
        status = dc_audio_write_tracks(job, dir, name, selected, NULL, err);
        if (status == DC_OK)
            dc_job_note(job, "%d audio track%s cannot go into %s: written "
                        "beside it as sound files", audio,
                        audio == 1 ? "" : "s", dc_path_basename(job->output_path));
    }
    free(dir);
    free(name);
    return status;
}

static dc_status keep_output_names(const dc_output_set *set,
                                   dc_convert_result *result, dc_error *err)
{
    result->outputs = calloc((size_t)set->count + 1, sizeof *result->outputs);
    if (result->outputs == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < set->count; i++) {
        result->outputs[i] = dc_strdup(set->items[i]->path);
        if (result->outputs[i] == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        result->output_count++;
    }
    return DC_OK;
}

/* An output named for another format than the one it is written in
 * ("-t iso -o disc.cue") is what was asked, but worth a word: the next
 * reader of the name will expect the other format. */
static void note_misleading_name(const dc_format *target, dc_write_job *job)
{
    const dc_format *named = dc_format_for_extension(job->output_path);
    if (job->options->to_stream || target->info.writes_folder ||
        named == NULL || named == target)
        return;
    dc_job_note(job, "%s is written as %s (%s), though its name says %s",
                job->output_path, target->info.name, target->info.description,
                named->info.name);
}

/* An image that holds less than it says is converted only on request,
 * and then says what it lacks. */
static dc_status check_truncation(dc_write_job *job, dc_error *err)
{
    int64_t missing = job->source->missing_sectors;
    const char *truncation = job->source->truncation;
    if (missing == 0)
        return DC_OK;
    if (truncation == NULL) /* its message was lost to a lack of memory */
        truncation = job->source->path;
    if (!job->options->allow_truncated)
        return dc_fail_advise(err, DC_ERR_FORMAT, DC_ADVICE_ALLOW_TRUNCATED,
                              "%s; allow truncation to convert what is "
                              "there", truncation);
    dc_job_note(job, "%s: converted what is there; %lld sector%s the image "
                "claims %s missing", truncation, (long long)missing,
                missing == 1 ? "" : "s", missing == 1 ? "is" : "are");
    return DC_OK;
}

/* A disk inside a container (a DMG of HFS+ or APFS) has no CD sectors to
 * make a disc of: only a copy of its bytes holds it. */
static dc_status check_contents(const dc_format *target,
                               const dc_write_job *job, dc_error *err)
{
    const dc_image *image = job->source;
    if (image->contents == NULL || strcmp(image->contents, "device") != 0 ||
        ((target->caps & DC_CAP_PLAIN) &&
         job->options->framing != DC_FRAMING_RAW))
        return DC_OK;
    return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: holds a disk with no ISO "
                   "9660 file system, not a CD's or DVD's sectors: only a raw "
                   "image of its bytes (img, without raw sectors) can hold "
                   "it", image->path);
}

/* Settles what the caller asked for against the disc and the target: the
 * sound format a target's name gives, the tracks, the output's path. */
static dc_status settle_request(dc_image *image, const dc_format *target,
                               const char *output_path,
                               dc_convert_options *o, char number[4],
                               char **path, dc_error *err)
{
    *path = NULL;
    if (choose_sound_format(o, err) != DC_OK ||
        check_sound_options(target, o, err) != DC_OK ||
        choose_tracks(image, target, o, number, err) != DC_OK ||
        check_format_options(target, o, err) != DC_OK)
        return err->status;
    if (o->to_stream && !target->info.streams)
        return dc_fail(err, DC_ERR_USAGE, "%s: a %s target is written as "
                       "several files or rewrites what it wrote, so it "
                       "cannot go to a stream; write it to a file",
                       output_path, target->info.name);
    return choose_output_path(image, target, o, output_path, path, err);
}

dc_status dc_convert(dc_image *image, const char *output_path,
                     const dc_convert_options *options,
                     dc_convert_result *result, dc_error *err)
{
    memset(result, 0, sizeof *result);
    const dc_format *target;
    if (choose_target(output_path, options, &target, err) != DC_OK)
        return err->status;
    dc_convert_options settled = *options;
    char number[4];
    char *path;
    if (settle_request(image, target, output_path, &settled, number, &path,
                       err) != DC_OK) {
        free(path);
        return err->status;
    }
    dc_output_policy policy = {
        .force = settled.force,
        .durable = settled.sync,
        .stream_fd = settled.to_stream ? settled.stream_fd : -1,
    };
    dc_output_set outputs;
    dc_output_set_init(&outputs, &policy);
    dc_output_set_protect(&outputs, image->inputs, image->input_count);
    dc_bad_list bad = {0};
    dc_write_job job = {
        .source = image,
        .output_path = path,
        .options = &settled,
        .outputs = &outputs,
        .report = &result->report,
        .bad = &bad,
        .result = result,
        .sectors_total = total_sectors(&image->disc, settled.track_number),
    };
    note_misleading_name(target, &job);
    dc_status status = check_truncation(&job, err);
    if (status == DC_OK)
        status = check_contents(target, &job, err);
    if (status == DC_OK)
        status = check_capacity(target, &job, err);
    if (status == DC_OK)
        note_lost_text(target, &job);
    int audio = status == DC_OK ? audio_to_route(target, &job) : 0;
    if (audio > 0 && settled.to_stream)
        status = dc_fail(err, DC_ERR_USAGE, "%s: its audio tracks would be "
                         "written beside the %s as sound files, and a stream "
                         "takes one file: choose the data track, or write to "
                         "a file", image->path, target->info.name);
    /* What the target cannot hold at all is said before what the sectors
     * would make of it. */
    if (status == DC_OK &&
        (target->check == NULL || target->check(&job, err) == DC_OK) &&
        dc_labels_check_convert(&job, target, audio > 0, err) == DC_OK &&
        make_output_folder(&job, target, err) == DC_OK &&
        target->write(&job, err) == DC_OK &&
        (audio == 0 || route_audio(&job, audio, err) == DC_OK) &&
        keep_output_names(&outputs, result, err) == DC_OK)
        dc_output_set_commit(&outputs, err);
    result->bad_ranges = bad.ranges;
    result->bad_range_count = bad.count;
    dc_job_free_buffers(&job);
    dc_output_set_abort(&outputs);
    free(path);
    return err->status;
}

void dc_convert_result_free(dc_convert_result *result)
{
    for (int i = 0; i < result->output_count; i++)
        free(result->outputs[i]);
    free(result->outputs);
    for (int i = 0; i < result->note_count; i++)
        free(result->notes[i]);
    free(result->notes);
    free(result->note_advice);
    free(result->bad_ranges);
    memset(result, 0, sizeof *result);
}
