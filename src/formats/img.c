/*
 * Raw IMG: a headerless dump of 2048, 2352 or 2448-byte sectors (a CloneCD
 * .img without its .ccd, a renamed ISO, a raw single-track BIN).  The sector
 * size and mode come from the bytes: sync patterns, sector headers, and
 * where 'CD001' sits.  As a target it writes every track as 2352-byte raw
 * sectors, gaps included, in disc order.
 */
#include "format.h"
#include "model.h"
#include "sector.h"

#include <stdlib.h>
#include <string.h>

#define PROBE_SYNC_SECTORS 4  /* syncs that must line up to believe a size */
#define SUBCHANNEL_SECTOR (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE)
#define Q_SIZE 12              /* subchannel Q: 10 bytes and a CRC */

typedef struct img_layout {
    unsigned sector_size;  /* 2048, 2336, 2352 or 2448 */
    bool audio;            /* 2352 bytes, no sync anywhere we looked */
} img_layout;

static bool sync_at(const dc_probe_input *input, size_t at)
{
    return input->head_size >= at + DC_SYNC_SIZE &&
           memcmp(input->head + at, dc_sync_pattern, DC_SYNC_SIZE) == 0;
}

static bool syncs_every(const dc_probe_input *input, size_t stride)
{
    int seen = 0;
    for (size_t at = 0; at + DC_SYNC_SIZE <= input->head_size &&
                        seen < PROBE_SYNC_SECTORS; at += stride, seen++)
        if (!sync_at(input, at))
            return false;
    return seen >= 2 || (size_t)input->file_size == stride;
}

/* The headers after those syncs agree with each other: valid addresses,
 * one after the other, and a mode of 0, 1 or 2.  Sync patterns alone
 * could be chance; with counting headers they are a CD's. */
static bool headers_count_up(const dc_probe_input *input, size_t stride)
{
    int64_t first = 0;
    int seen = 0;
    for (size_t at = 0; at + DC_SYNC_SIZE + DC_HEADER_SIZE <= input->head_size &&
                        seen < PROBE_SYNC_SECTORS; at += stride, seen++) {
        const uint8_t *raw = input->head + at;
        int64_t lba;
        if (!dc_sector_header_lba(raw, &lba) || raw[15] > 2 ||
            (seen > 0 && lba != first + seen))
            return false;
        if (seen == 0)
            first = lba;
    }
    return seen > 0;
}

/* Subchannel Q ends with its CRC, stored inverted. */
static bool q_crc_ok(const uint8_t q[Q_SIZE])
{
    unsigned stored = (unsigned)q[Q_SIZE - 2] << 8 | q[Q_SIZE - 1];
    return (dc_subcode_crc(q, Q_SIZE - 2) ^ 0xFFFFu) == stored;
}

/* 2448-byte sectors without sync (audio): most of the interleaved
 * subchannels seen (one bit of each channel per byte, Q in bit 6) carry a
 * Q whose CRC checks.  A few bad Qs are normal on a real disc. */
static bool subchannel_q_checks(const dc_probe_input *input)
{
    int checked = 0, good = 0;
    for (size_t at = 0; at + SUBCHANNEL_SECTOR <= input->head_size;
         at += SUBCHANNEL_SECTOR, checked++) {
        const uint8_t *sub = input->head + at + DC_RAW_SECTOR;
        uint8_t q[Q_SIZE] = {0};
        for (int i = 0; i < DC_SUBCHANNEL_SIZE; i++)
            q[i / 8] |= (uint8_t)(((sub[i] >> 6) & 1) << (7 - i % 8));
        good += q_crc_ok(q);
    }
    return good * 2 > checked &&
           (good >= 2 || input->file_size == SUBCHANNEL_SECTOR);
}

static bool cd001_at(const dc_probe_input *input, size_t at)
{
    return input->head_size >= at + 6 &&
           memcmp(input->head + at + 1, "CD001", 5) == 0;
}

static unsigned get_be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* Apple file systems, which Mac CDs hold in 2048-byte sectors: an Apple
 * partition map (driver descriptor "ER" with its block size, then a "PM"
 * entry), or an HFS or HFS+ volume header 1024 bytes in (HFS with its
 * allocation block size, HFS+/HFSX with their versions 4 and 5). */
static bool apple_file_system(const dc_probe_input *input)
{
    const uint8_t *h = input->head;
    if (input->head_size < 1024 + 24)
        return false;
    unsigned block = get_be16(h + 2);
    if (memcmp(h, "ER", 2) == 0 && (block == 512 || block == 2048) &&
        memcmp(h + 512, "PM", 2) == 0)
        return true;
    const uint8_t *v = h + 1024;
    unsigned version = get_be16(v + 2);
    uint32_t alloc = (uint32_t)v[20] << 24 | (uint32_t)v[21] << 16 |
                     (uint32_t)v[22] << 8 | v[23];
    return (memcmp(v, "BD", 2) == 0 && alloc != 0 && alloc % 512 == 0) ||
           (memcmp(v, "H+", 2) == 0 && version == 4) ||
           (memcmp(v, "HX", 2) == 0 && version == 5);
}

/* Works out the layout; returns the probe score: LIKELY with evidence in
 * the bytes, WEAK when only the size fits (the core then wants a name
 * that claims a raw image). */
static int detect_layout(const dc_probe_input *input, img_layout *layout)
{
    memset(layout, 0, sizeof *layout);
    if (syncs_every(input, DC_RAW_SECTOR)) {
        layout->sector_size = DC_RAW_SECTOR;
        return headers_count_up(input, DC_RAW_SECTOR) ? DC_PROBE_LIKELY
                                                      : DC_PROBE_WEAK;
    }
    if (syncs_every(input, SUBCHANNEL_SECTOR)) {
        layout->sector_size = SUBCHANNEL_SECTOR;
        return headers_count_up(input, SUBCHANNEL_SECTOR) ? DC_PROBE_LIKELY
                                                          : DC_PROBE_WEAK;
    }
    if (input->file_size > 0 && input->file_size % SUBCHANNEL_SECTOR == 0 &&
        subchannel_q_checks(input)) {
        layout->sector_size = SUBCHANNEL_SECTOR;
        return DC_PROBE_LIKELY;
    }
    /* Mode 2 without sync and header: subheader copies match and the
     * volume descriptor sits 8 bytes into sector 16. */
    if (cd001_at(input, 16 * DC_USER_MODE2 + DC_SUBHEADER_SIZE)) {
        layout->sector_size = DC_USER_MODE2;
        return DC_PROBE_LIKELY;
    }
    if (input->file_size > 0 && input->file_size % 2048 == 0 &&
        apple_file_system(input)) {
        layout->sector_size = 2048;
        return DC_PROBE_LIKELY;
    }
    /* Audio has no signature at all: raw CD-DA is a guess from the size. */
    if (input->file_size > 0 && input->file_size % DC_RAW_SECTOR == 0 &&
        !sync_at(input, 0)) {
        layout->sector_size = DC_RAW_SECTOR;
        layout->audio = true;
        return DC_PROBE_WEAK;
    }
    if (input->file_size > 0 && input->file_size % 2048 == 0) {
        layout->sector_size = 2048;
        return DC_PROBE_WEAK;
    }
    return DC_PROBE_NO;
}

static int img_probe(const dc_probe_input *input)
{
    img_layout layout;
    return detect_layout(input, &layout);
}

/* Tracks follow each other in the file, one sector per LBA. */
static dc_status img_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    const dc_track *track = &image->disc.tracks[track_index];
    int64_t before = track->start_lba - image->disc.tracks[0].start_lba;
    unsigned size = track->stored_size;
    return dc_source_read_at(image->source, (before + first) * size, buffer,
                             (size_t)count * size, err);
}

static const dc_image_ops img_ops = {.read_stored = img_read_stored};

/* Sectors looked at for the track mode: past a whole track-1 pregap of
 * empty Mode 0 sectors, and the volume descriptors after it. */
#define MODE_SCAN_SECTORS (DC_PREGAP_TRACK1 + 17)

static dc_track_mode mode_of(dc_sector_kind kind)
{
    switch (kind) {
    case DC_SECTOR_NO_SYNC: return DC_MODE_AUDIO;
    case DC_SECTOR_MODE2: return DC_MODE_MODE2;
    case DC_SECTOR_MODE2_FORM1:
    case DC_SECTOR_MODE2_FORM2: return DC_MODE_MODE2_MIXED;
    default: return DC_MODE_MODE1;
    }
}

/* Track mode from the first sector that is not an empty Mode 0 gap
 * sector, and the first LBA from the first sector's header: a dump that
 * starts at 00:00:00 holds track 1's pregap. */
static dc_status read_track_mode(dc_source *source, const img_layout *layout,
                                 dc_track *track, dc_error *err)
{
    if (layout->sector_size == DC_USER_MODE2) {
        track->mode = DC_MODE_MODE2_MIXED;
        return DC_OK;
    }
    if (layout->sector_size == 2048) {
        track->mode = DC_MODE_MODE1;
        return DC_OK;
    }
    uint8_t raw[DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE];
    dc_sector_kind kind = DC_SECTOR_MODE0;
    for (int64_t i = 0; i < MODE_SCAN_SECTORS && i < track->length &&
                        kind == DC_SECTOR_MODE0; i++) {
        if (dc_source_read_at(source, i * layout->sector_size, raw,
                              DC_RAW_SECTOR, err) != DC_OK)
            return err->status;
        kind = dc_sector_classify(raw);
        int64_t lba;
        if (i == 0 && kind != DC_SECTOR_NO_SYNC &&
            dc_sector_header_lba(raw, &lba) && lba >= -DC_PREGAP_TRACK1 &&
            lba <= 0)
            track->start_lba = lba;
    }
    track->mode = mode_of(kind);
    return DC_OK;
}

/*
 * A raw dump of a mixed-mode disc holds its data track, then its audio.
 * Without a track table the boundary is found in the sectors: samples
 * spread over the file place it between the last one framed as data and
 * the next one that is audio, a binary search finds the first sector
 * without data framing, and the sectors either side of it must agree.
 * A few hundred sectors are read, whatever the size of the file.
 */
#define TYPE_SAMPLES 64
#define BOUNDARY_CHECK 16

typedef struct dump {
    dc_source *source;
    unsigned sector_size;
    int64_t length;
} dump;

static dc_status weigh_at(const dump *d, int64_t i, dc_sector_evidence *e,
                          dc_error *err)
{
    uint8_t raw[DC_RAW_SECTOR];
    int64_t header;
    if (dc_source_read_at(d->source, i * d->sector_size, raw, sizeof raw,
                          err) != DC_OK)
        return err->status;
    *e = dc_sector_weigh(raw, &header);
    return DC_OK;
}

/* Samples sectors from..to spread evenly: *last_data becomes the last
 * framed as data (unchanged if none), *audio_after the first audio one
 * after it (-1 if none), *audio_before whether audio came before it. */
static dc_status sample_dump(const dump *d, int64_t from, int64_t to,
                             int64_t *last_data, int64_t *audio_after,
                             bool *audio_before, dc_error *err)
{
    *audio_after = -1;
    for (int64_t k = 0; k < TYPE_SAMPLES; k++) {
        int64_t i = from + (to - from) * k / (TYPE_SAMPLES - 1);
        dc_sector_evidence e;
        if (weigh_at(d, i, &e, err) != DC_OK)
            return err->status;
        if (e == DC_EVIDENCE_DATA) {
            *audio_before |= *audio_after >= 0;
            *last_data = i;
            *audio_after = -1;
        } else if (e == DC_EVIDENCE_AUDIO && *audio_after < 0) {
            *audio_after = i;
        }
    }
    return DC_OK;
}

/* True when sectors [from, to) are all framed as data (want_data) or
 * none is. */
static dc_status all_are(const dump *d, int64_t from, int64_t to,
                         bool want_data, bool *yes, dc_error *err)
{
    *yes = true;
    for (int64_t i = from < 0 ? 0 : from; i < to && i < d->length && *yes;
         i++) {
        dc_sector_evidence e;
        if (weigh_at(d, i, &e, err) != DC_OK)
            return err->status;
        *yes = (e == DC_EVIDENCE_DATA) == want_data;
    }
    return DC_OK;
}

/* Where a dump that starts with data stops being data and turns to audio:
 * *boundary is the first audio sector, or 0 when the dump is not one data
 * run then audio. */
static dc_status find_audio_start(const dump *d, int64_t *boundary,
                                  dc_error *err)
{
    *boundary = 0;
    int64_t lo = 0, hi;
    bool audio_before = false;
    if (d->length < 2 ||
        sample_dump(d, 0, d->length - 1, &lo, &hi, &audio_before, err) !=
            DC_OK)
        return err->status;
    /* An audio track that ends in silence may hide between samples. */
    if (hi < 0 && lo + 1 < d->length &&
        sample_dump(d, lo + 1, d->length - 1, &lo, &hi, &audio_before,
                    err) != DC_OK)
        return err->status;
    if (hi < 0 || audio_before)
        return DC_OK; /* all data, or mixed beyond one run of each */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        dc_sector_evidence e;
        if (weigh_at(d, mid, &e, err) != DC_OK)
            return err->status;
        *(e == DC_EVIDENCE_DATA ? &lo : &hi) = mid;
    }
    bool data_before, none_after;
    if (all_are(d, hi - BOUNDARY_CHECK, hi, true, &data_before, err) !=
            DC_OK ||
        all_are(d, hi, hi + BOUNDARY_CHECK, false, &none_after, err) != DC_OK)
        return err->status;
    if (data_before && none_after)
        *boundary = hi;
    return DC_OK;
}

/* Cuts the dump's one data track where its audio starts, if it does. */
static dc_status split_off_audio(dc_image *image, dc_error *err)
{
    const dc_track *data = &image->disc.tracks[0];
    dump d = {image->source, data->stored_size, data->length};
    int64_t boundary;
    if (data->mode == DC_MODE_AUDIO || data->stored_size < DC_RAW_SECTOR ||
        find_audio_start(&d, &boundary, err) != DC_OK || boundary == 0)
        return err->status;
    if (boundary <= dc_track_pregap(data))
        return DC_OK; /* the data would be no more than a pregap */
    dc_track *audio = dc_disc_add_track(&image->disc, err);
    if (audio == NULL)
        return err->status;
    data = &image->disc.tracks[0]; /* adding may have moved it */
    audio->number = 2;
    audio->mode = DC_MODE_AUDIO;
    audio->stored_size = data->stored_size;
    audio->has_subchannel = data->has_subchannel;
    audio->start_lba = data->start_lba + boundary;
    audio->length = data->length - boundary;
    image->disc.tracks[0].length = boundary;
    dc_image_warn(image, "%s: no track table: its sectors make a %s track "
                  "of %lld sectors, then audio from LBA %lld", image->path,
                  dc_track_mode_name(data->mode), (long long)boundary,
                  (long long)audio->start_lba);
    return dc_track_add_index(audio, 1, 0, err);
}

static dc_status img_open(dc_image *image, dc_error *err)
{
    image->ops = &img_ops;
    uint8_t head[DC_PROBE_HEAD];
    size_t got;
    if (dc_source_read_some(image->source, 0, head, sizeof head, &got, err) !=
        DC_OK)
        return err->status;
    int64_t size = dc_source_size(image->source);
    dc_probe_input probe = {.path = image->path, .file_size = size,
                            .head = head, .head_size = got};
    img_layout layout;
    if (detect_layout(&probe, &layout) == DC_PROBE_NO)
        return dc_fail(err, DC_ERR_FORMAT, "%s: size %lld is not a whole "
                       "number of 2048, 2336, 2352 or 2448-byte sectors",
                       image->path, (long long)size);
    /* The part of a sector cannot be read: the whole ones are there. */
    if (size % layout.sector_size != 0)
        dc_image_partial(image, 0, size % layout.sector_size, false,
                         "%s: truncated: %lld bytes are %lld whole %u-byte "
                         "sectors and %lld bytes of one more", image->path,
                         (long long)size,
                         (long long)(size / layout.sector_size),
                         layout.sector_size,
                         (long long)(size % layout.sector_size));

    dc_track *track = dc_disc_add_track(&image->disc, err);
    if (track == NULL)
        return err->status;
    track->number = 1;
    track->stored_size = layout.sector_size;
    track->has_subchannel = layout.sector_size == 2448;
    track->length = size / layout.sector_size;
    if (read_track_mode(image->source, &layout, track, err) != DC_OK)
        return err->status;
    if (layout.audio)
        dc_image_warn(image, "%s: no sync pattern found; reading it as "
                      "CD-DA audio", image->path);
    if (track->mode != DC_MODE_AUDIO)
        track->flags = DC_FLAG_DATA;
    /* A dump that starts in track 1's pregap has INDEX 00 there. */
    dc_status status;
    if (track->start_lba < 0 && track->length > -track->start_lba) {
        status = dc_track_add_index(track, 0, 0, err);
        if (status == DC_OK)
            status = dc_track_add_index(track, 1, -track->start_lba, err);
    } else {
        track->start_lba = 0;
        status = dc_track_add_index(track, 1, 0, err);
    }
    return status == DC_OK ? split_off_audio(image, err) : status;
}

static dc_status img_check(const dc_write_job *job, dc_error *err)
{
    if (job->options->framing == DC_FRAMING_USER)
        return dc_fail(err, DC_ERR_USAGE, "a raw IMG holds 2352-byte sectors; "
                       "for 2048-byte user data write an ISO");
    return DC_OK;
}

static dc_status img_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    if (disc->track_count > 1 && job->options->track_number == 0)
        dc_job_note(job, "a raw IMG keeps no track table: %d tracks were "
                    "written as one stream of sectors (write BIN/CUE to keep "
                    "them apart)", disc->track_count);
    dc_output *out;
    if (dc_output_set_add(job->outputs, job->output_path, &out, err) != DC_OK)
        return err->status;
    /* A container's plain image is the raw image of what it holds. */
    if (job->source->plain != NULL && job->options->framing != DC_FRAMING_RAW)
        return dc_write_plain(job, out, err);
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (job->options->track_number != 0 &&
            t->number != job->options->track_number)
            continue;
        if (dc_write_gap_sectors(job, out, t, t->start_lba - t->pregap_unstored,
                                 t->pregap_unstored, DC_FORM_RAW, err) != DC_OK ||
            dc_write_track_sectors(job, out, i, 0, t->length, DC_FORM_RAW,
                                   err) != DC_OK ||
            dc_write_gap_sectors(job, out, t, t->start_lba + t->length,
                                 t->postgap_unstored, DC_FORM_RAW, err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

const dc_format dc_format_img = {
    .info = {
        .name = "img",
        .description = "raw sector dump (2048/2336/2352/2448 bytes per "
                       "sector)",
        .extensions = "img,raw",
        .can_read = true,
        .can_write = true,
        .streams = true,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_PLAIN,
    .probe = img_probe,
    .open = img_open,
    .check = img_check,
    .write = img_write,
};
