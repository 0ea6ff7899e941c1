/*
 * ISO: 2048-byte user data, nothing else.  One Mode 1 track starting at
 * LBA 0.  As a target it holds exactly one data track.
 */
#include "format.h"
#include "labels.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define ISO_SECTOR 2048
#define DESCRIPTOR_OFFSET (16 * ISO_SECTOR)

/* True if a volume descriptor standard identifier sits at `at`. */
static bool has_descriptor_at(const dc_probe_input *input, size_t at)
{
    static const char *const identifiers[] = {"CD001", "BEA01", "NSR02",
                                              "NSR03"};
    if (input->head_size < at + 6)
        return false;
    for (size_t i = 0; i < sizeof identifiers / sizeof identifiers[0]; i++)
        if (memcmp(input->head + at + 1, identifiers[i], 5) == 0)
            return true;
    return false;
}

static int iso_probe(const dc_probe_input *input)
{
    return has_descriptor_at(input, DESCRIPTOR_OFFSET) ? DC_PROBE_CERTAIN
                                                       : DC_PROBE_NO;
}

static dc_status iso_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    int64_t offset = first * ISO_SECTOR;
    size_t len = (size_t)count * ISO_SECTOR;
    size_t got;
    if (dc_source_read_some(image->source, offset, buffer, len, &got, err) !=
        DC_OK)
        return err->status;
    /* Only the last, partial sector may come up short: pad it. */
    if (got < len &&
        offset + (int64_t)len - dc_source_size(image->source) >= ISO_SECTOR)
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: file shrank while being "
                       "read (at offset %lld)", dc_source_name(image->source),
                       (long long)(offset + (int64_t)got));
    memset(buffer + got, 0, len - got);
    return DC_OK;
}

static const dc_image_ops iso_ops = {.read_stored = iso_read_stored};

static dc_status iso_open(dc_image *image, dc_error *err)
{
    image->ops = &iso_ops;
    int64_t size = dc_source_size(image->source);
    int64_t sectors = (size + ISO_SECTOR - 1) / ISO_SECTOR;
    if (sectors == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: file is empty", image->path);
    /* The part of a sector is read padded with zeros. */
    if (size % ISO_SECTOR != 0)
        dc_image_partial(image, 0, size % ISO_SECTOR, true,
                         "%s: truncated: %lld bytes are %lld whole "
                         "2048-byte sectors and %lld bytes of one more",
                         image->path, (long long)size,
                         (long long)(size / ISO_SECTOR),
                         (long long)(size % ISO_SECTOR));

    dc_track *track = dc_disc_add_track(&image->disc, err);
    if (track == NULL)
        return err->status;
    track->number = 1;
    track->mode = DC_MODE_MODE1;
    track->stored_size = ISO_SECTOR;
    track->length = sectors;
    track->flags = DC_FLAG_DATA;
    return dc_track_add_index(track, 1, 0, err);
}

/* The one track an ISO will hold, by position, or -1 with the reason.
 * Without a track chosen that is the disc's only data track: audio tracks beside
 * it are routed out as sound files. */
static int iso_pick_track(const dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int wanted = job->options->track_number;
    int pick = -1;
    for (int i = 0; i < disc->track_count && pick < 0; i++) {
        const dc_track *t = &disc->tracks[i];
        if (wanted != 0 ? t->number == wanted : dc_track_is_data(t))
            pick = i;
    }
    /* A track labelled audio whose sectors are data: the label is wrong,
     * and sound files of it would be noise. */
    for (int i = 0; i < disc->track_count; i++) {
        const char *found = dc_labels_contradiction(job->source, i);
        if (found != NULL && disc->tracks[i].mode == DC_MODE_AUDIO &&
            (pick < 0 ? wanted == 0 : pick == i)) {
            dc_fail(err, DC_ERR_FORMAT, "%s: %s: correct the label to "
                    "write it as an ISO, or keep its raw sectors (BIN/CUE)",
                    job->source->path, found);
            return -1;
        }
    }
    if (pick < 0) {
        dc_fail_advise(err, DC_ERR_CANNOT_HOLD, DC_ADVICE_WRITE_AUDIO, "%s: "
                       "no data track, and an ISO cannot hold audio: write "
                       "it as sound files, or write BIN/CUE",
                       job->source->path);
        return -1;
    }
    /* Several data tracks were refused by the core (no DC_CAP_DATA_TRACKS). */
    const dc_track *t = &disc->tracks[pick];
    if (dc_track_user_size(t) != ISO_SECTOR) {
        bool audio = t->mode == DC_MODE_AUDIO;
        dc_fail_advise(err, DC_ERR_CANNOT_HOLD,
                       audio ? DC_ADVICE_WRITE_AUDIO : DC_ADVICE_NONE,
                       "%s: track %d is %s with %u-byte sectors; an ISO "
                       "holds only 2048-byte user data: %s",
                       job->source->path, t->number,
                       audio ? "audio" : dc_track_mode_name(t->mode),
                       dc_track_user_size(t),
                       audio ? "write it as a sound file"
                             : "write BIN/CUE instead");
        return -1;
    }
    return pick;
}

static dc_status iso_check(const dc_write_job *job, dc_error *err)
{
    if (job->options->framing == DC_FRAMING_RAW)
        return dc_fail(err, DC_ERR_USAGE, "an ISO holds 2048-byte user data "
                       "only; for raw sectors write BIN/CUE or IMG");
    return iso_pick_track(job, err) < 0 ? err->status : DC_OK;
}

static dc_status iso_write(dc_write_job *job, dc_error *err)
{
    int pick = iso_pick_track(job, err);
    if (pick < 0)
        return err->status;
    const dc_track *track = &job->source->disc.tracks[pick];
    dc_output *out;
    if (dc_output_set_add(job->outputs, job->output_path, &out, err) != DC_OK)
        return err->status;
    /* The file system counts from INDEX 01: a stored pregap stays out. */
    int64_t pregap = dc_track_pregap(track);
    return dc_write_track_sectors(job, out, pick, pregap,
                                  track->length - pregap, DC_FORM_USER, err);
}

const dc_format dc_format_iso = {
    .info = {
        .name = "iso",
        .description = "ISO 9660 / UDF image (2048-byte sectors)",
        .extensions = "iso",
        .can_read = true,
        .can_write = true,
        .streams = true,
    },
    .probe = iso_probe,
    .open = iso_open,
    .check = iso_check,
    .write = iso_write,
};
