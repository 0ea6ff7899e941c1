/*
 * The conversion pipeline: pick the target, ask it whether it can hold the
 * disc, let it write through the streaming helpers below, then commit every
 * output at once or remove them all.
 */
#include "format.h"
#include "sector.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



bool dc_job_progress(dc_write_job *job, int64_t sectors)
{
    job->sectors_done += sectors;
    const dc_convert_options *o = job->options;
    return o->progress == NULL ||
           o->progress(o->progress_context, job->sectors_done,
                       job->sectors_total);
}

void dc_job_note(dc_write_job *job, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    dc_string_list_add(&job->result->notes, &job->result->note_count, fmt,
                       args);
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
    dc_image_read(r->job->source, r->track_index, r->first, r->count, r->form,
                  &r->job->options->read, r->buffer, r->job->report, &r->err);
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
        dc_fail(err, status, "%s", next.err.message);
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
            status = dc_fail(err, next.err.status, "%s", next.err.message);
    }
    free(buffers[0]);
    free(buffers[1]);
    return status;
}

typedef struct output_target {
    dc_output *out;
    size_t sector_size;
} output_target;

static dc_status write_chunk(void *context, const uint8_t *sectors,
                             int64_t count, dc_error *err)
{
    output_target *target = context;
    return dc_output_write(target->out, sectors,
                           (size_t)count * target->sector_size, err);
}

dc_status dc_write_track_sectors(dc_write_job *job, dc_output *out,
                                 int track_index, int64_t first,
                                 int64_t count, dc_sector_form form,
                                 dc_error *err)
{
    output_target target = {
        out, dc_sector_form_size(&job->source->disc.tracks[track_index], form)};
    return dc_stream_track(job, track_index, first, count, form, write_chunk,
                           &target, err);
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
        if (*target == NULL || (*target)->write == NULL)
            return dc_fail(err, DC_ERR_USAGE, "cannot write format '%s' "
                           "(see 'discconv formats')", options->format_name);
        return DC_OK;
    }
    *target = dc_format_for_extension(output_path);
    if (*target == NULL)
        return dc_fail(err, DC_ERR_USAGE, "%s: cannot tell the target format "
                       "from the name; add --to FORMAT", output_path);
    return DC_OK;
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

dc_status dc_convert(dc_image *image, const char *output_path,
                     const dc_convert_options *options,
                     dc_convert_result *result, dc_error *err)
{
    memset(result, 0, sizeof *result);
    const dc_format *target;
    if (choose_target(output_path, options, &target, err) != DC_OK)
        return err->status;
    if (options->track_number != 0 &&
        !has_track(&image->disc, options->track_number))
        return dc_fail(err, DC_ERR_USAGE, "%s: there is no track %d",
                       image->path, options->track_number);

    dc_output_set outputs;
    dc_output_set_init(&outputs, options->force);
    dc_output_set_protect(&outputs, image->inputs, image->input_count);
    dc_write_job job = {
        .source = image,
        .output_path = output_path,
        .options = options,
        .outputs = &outputs,
        .report = &result->report,
        .result = result,
        .sectors_total = total_sectors(&image->disc, options->track_number),
    };
    if ((target->check == NULL || target->check(&job, err) == DC_OK) &&
        target->write(&job, err) == DC_OK &&
        keep_output_names(&outputs, result, err) == DC_OK)
        dc_output_set_commit(&outputs, err);
    dc_output_set_abort(&outputs);
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
    memset(result, 0, sizeof *result);
}
