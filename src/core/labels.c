/*
 * Content against labels.  Raw sectors carry their own evidence: data has
 * a sync pattern, a BCD address and a mode byte, audio has none of these,
 * and an all-zero sector (silence, an unreadable sector dumped as zeros)
 * says nothing either way.  Sectors stored as 2048 or 2336 bytes carry no
 * framing, so those tracks are not judged.
 */
#include "labels.h"

#include "sector.h"

#include <stdio.h>
#include <stdlib.h>

/* Samples per track: enough to see a track that is all one kind, or a
 * good part of each, in a few milliseconds whatever the image size. */
#define LABEL_SAMPLES 48

/* What a track's samples were. */
typedef struct tally {
    int64_t data, audio;
    int64_t kinds[DC_SECTOR_BAD_MODE + 1]; /* data samples by kind */
    int64_t first_header, last_header;     /* data samples' addresses */
    int64_t first_audio, last_audio;       /* audio samples' LBAs */
} tally;

static void count_sample(tally *tl, const uint8_t *sector, int64_t lba)
{
    int64_t header;
    switch (dc_sector_weigh(sector, &header)) {
    case DC_EVIDENCE_DATA:
        if (tl->data++ == 0)
            tl->first_header = header;
        tl->last_header = header;
        tl->kinds[dc_sector_classify(sector)]++;
        break;
    case DC_EVIDENCE_AUDIO:
        if (tl->audio++ == 0)
            tl->first_audio = lba;
        tl->last_audio = lba;
        break;
    case DC_EVIDENCE_NONE:
        break;
    }
}

/* Samples from INDEX 01 on: the stored pregap of the first audio track
 * after a data track often holds the data track's postgap sectors. */
static void sample_track(dc_image *image, int index, tally *tl)
{
    const dc_track *track = &image->disc.tracks[index];
    int64_t from = dc_track_pregap(track);
    int64_t count = track->length - from;
    int64_t samples = count < LABEL_SAMPLES ? count : LABEL_SAMPLES;
    uint8_t sector[DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE];
    for (int64_t k = 0; k < samples; k++) {
        int64_t at = from + (samples == 1 ? 0 : (count - 1) * k / (samples - 1));
        dc_error ignored = {0};
        if (image->ops->read_stored(image, index, at, 1, sector, &ignored) !=
            DC_OK)
            return; /* a file shorter than its claims is reported elsewhere */
        count_sample(tl, sector, track->start_lba + at);
    }
}

/* "Mode 1 data", by the kind most data samples are. */
static const char *data_name(const tally *tl)
{
    static const char *const names[] = {
        [DC_SECTOR_MODE0] = "empty Mode 0 data sectors",
        [DC_SECTOR_MODE1] = "Mode 1 data",
        [DC_SECTOR_MODE2] = "Mode 2 data",
        [DC_SECTOR_MODE2_FORM1] = "Mode 2 XA data",
        [DC_SECTOR_MODE2_FORM2] = "Mode 2 XA data",
    };
    int most = DC_SECTOR_MODE1;
    for (int k = DC_SECTOR_MODE0; k <= DC_SECTOR_MODE2_FORM2; k++)
        if (tl->kinds[k] > tl->kinds[most])
            most = k;
    return names[most];
}

static dc_label_verdict judge(const dc_track *track, const tally *tl)
{
    bool audio_label = track->mode == DC_MODE_AUDIO;
    int64_t against = audio_label ? tl->data : tl->audio;
    int64_t telling = tl->data + tl->audio;
    if (telling == 0)
        return DC_LABEL_UNCHECKED;
    if (against * 10 >= telling * 9)
        return DC_LABEL_CONTRADICTED;
    /* A stray sector or two is a damaged one, counted when read. */
    if (against >= 2 && against * 10 >= telling)
        return DC_LABEL_MIXED;
    return DC_LABEL_FITS;
}

static void describe(const dc_track *track, const tally *tl,
                     dc_label_finding *f)
{
    bool mixed = f->verdict == DC_LABEL_MIXED;
    if (track->mode == DC_MODE_AUDIO)
        snprintf(f->what, sizeof f->what, "track %d is labelled audio but "
                 "its sectors are %s%s (sync and headers at LBA %lld..%lld)",
                 track->number, mixed ? "audio and " : "", data_name(tl),
                 (long long)tl->first_header, (long long)tl->last_header);
    else
        snprintf(f->what, sizeof f->what, "track %d is labelled %s but its "
                 "sectors are %s%saudio (no sync pattern at LBA %lld..%lld)",
                 track->number, dc_track_mode_name(track->mode),
                 mixed ? data_name(tl) : "", mixed ? " and " : "",
                 (long long)tl->first_audio, (long long)tl->last_audio);
}

dc_status dc_labels_survey(dc_image *image, dc_error *err)
{
    const dc_disc *disc = &image->disc;
    image->labels = calloc((size_t)disc->track_count, sizeof *image->labels);
    if (image->labels == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *track = &disc->tracks[i];
        if (track->stored_size < DC_RAW_SECTOR)
            continue; /* no framing stored: no evidence */
        tally tl = {0};
        sample_track(image, i, &tl);
        dc_label_finding *f = &image->labels[i];
        f->verdict = judge(track, &tl);
        if (f->verdict == DC_LABEL_CONTRADICTED ||
            f->verdict == DC_LABEL_MIXED) {
            describe(track, &tl, f);
            dc_image_warn(image, "%s: %s", image->path, f->what);
        }
    }
    return DC_OK;
}

static bool contradicted(const dc_image *image, int index)
{
    if (image->labels == NULL)
        return false;
    dc_label_verdict v = image->labels[index].verdict;
    return v == DC_LABEL_CONTRADICTED || v == DC_LABEL_MIXED;
}

const char *dc_labels_contradiction(const dc_image *image, int index)
{
    return contradicted(image, index) ? image->labels[index].what : NULL;
}

static dc_status refuse_sound(const dc_image *image, int index, dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: %s: as sound it would be noise; "
                   "keep its raw sectors (BIN/CUE) or correct the label",
                   image->path, image->labels[index].what);
}

dc_status dc_labels_check_sound(const dc_write_job *job, const bool *selected,
                                dc_error *err)
{
    const dc_image *image = job->source;
    for (int i = 0; i < image->disc.track_count; i++)
        if (selected[i] && image->disc.tracks[i].mode == DC_MODE_AUDIO &&
            contradicted(image, i))
            return refuse_sound(image, i, err);
    return DC_OK;
}

dc_status dc_labels_check_convert(dc_write_job *job, const dc_format *target,
                                  bool routes_audio, dc_error *err)
{
    const dc_image *image = job->source;
    const dc_convert_options *o = job->options;
    /* Sound files are chosen by a track list, which the target reads:
     * dc_labels_check_sound judges them there. */
    if (target == &dc_format_audio)
        return DC_OK;
    /* Only a target that holds audio keeps whole raw sectors; the others
     * (an ISO) and user-data framing keep what a data label makes of them. */
    bool user_data = !(target->caps & DC_CAP_AUDIO) ||
                     o->framing == DC_FRAMING_USER;
    for (int i = 0; i < image->disc.track_count; i++) {
        const dc_track *t = &image->disc.tracks[i];
        if (!contradicted(image, i) ||
            (o->track_number != 0 && t->number != o->track_number))
            continue;
        bool audio = t->mode == DC_MODE_AUDIO;
        if (audio && routes_audio)
            return refuse_sound(image, i, err);
        if (!audio && user_data)
            return dc_fail(err, DC_ERR_FORMAT, "%s: %s: its user data would "
                           "be garbage; keep its raw sectors (BIN/CUE) or "
                           "correct the label", image->path,
                           image->labels[i].what);
        if (target->caps & DC_CAP_AUDIO) /* else the target refuses it */
            dc_job_note(job, "track %d was copied sector for sector as "
                        "stored, whatever its label says", t->number);
    }
    return DC_OK;
}
