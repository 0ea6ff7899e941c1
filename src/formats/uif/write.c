/*
 * UIF (MagicISO) target.  A disc that is one data track of 2048-byte
 * sectors, stored so or as raw Mode 1 that its user data regenerates,
 * becomes an ISO-type UIF (image type 8) of that track's user data; any
 * other disc (audio, several tracks, Mode 2, damaged or foreign sectors,
 * raw framing asked for) a mixed one (type 9) of every track's raw 2352-byte sectors, one
 * after the other as a single BIN would hold them, with a `blms` track
 * table and a `blss` section holding the cue sheet of that BIN.  The
 * sectors are cut into blocks that the core's chunk writer compresses in
 * parallel: zlib (version 2, as MagicISO writes it) or LZMA with the x86
 * BCJ filter (version 3); all-zero blocks become zero-fill blocks and
 * blocks that do not shrink are stored.  The block table follows the
 * blocks, then `blms` and `blss`, then the 64-byte `bbis` footer.  No
 * encryption.  The layout is uif.h's (../shared/FORMATS.md §5).
 */
#include "write.h"
#include "container.h"
#include "cuesheet.h"
#include "model.h"
#include "uif.h"

#include <stdlib.h>
#include <string.h>

#define ISO_SECTOR 2048
#define RAW_SECTOR 2352
/* Sectors per block: 1 MiB of ISO sectors, big enough for zlib and LZMA
 * to find their matches, small enough to decode on every core. */
#define BLOCK_SECTORS 512

/* The codec option's choices, in its order (the first is the default). */
static const dc_codec codec_choices[] = {DC_CODEC_ZLIB, DC_CODEC_LZMA_BCJ};

const dc_format_option uif_write_options[UIF_WRITE_OPTION_COUNT] = {
    {"codec", DC_OPTION_CHOICE, "how blocks are compressed: zlib (version "
     "2, read by every UIF reader) or lzma (version 3, LZMA with x86 BCJ)",
     "zlib,lzma"},
};

/* --- what goes in --------------------------------------------------------- */

/* The image a disc makes: type 8 of one track's user data, or type 9 of
 * the chosen tracks' raw sectors. */
typedef struct uif_plan {
    bool mixed;
    int track;              /* type 8: the track, by position */
    unsigned sector_size;
} uif_plan;

static bool chosen(const dc_write_job *job, const dc_track *track)
{
    return job->options->track_number == 0 ||
           job->options->track_number == track->number;
}

static dc_status plan_image(const dc_write_job *job, uif_plan *plan,
                            dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int count = 0, last = -1;
    for (int i = 0; i < disc->track_count; i++)
        if (chosen(job, &disc->tracks[i])) {
            count++;
            last = i;
        }
    const dc_track *t = &disc->tracks[last];
    if (count == 1 && dc_track_is_data(t) &&
        dc_track_user_size(t) == ISO_SECTOR &&
        job->options->framing != DC_FRAMING_RAW &&
        (job->options->framing == DC_FRAMING_USER ||
         t->stored_size == ISO_SECTOR ||
         (t->mode == DC_MODE_MODE1 && t->stored_size >= RAW_SECTOR))) {
        *plan = (uif_plan){.mixed = false, .track = last,
                           .sector_size = ISO_SECTOR};
        return DC_OK;
    }
    if (job->options->framing == DC_FRAMING_USER)
        return dc_fail(err, DC_ERR_USAGE, "%s: a UIF holds user data only "
                       "for one data track of 2048-byte sectors; this %s is "
                       "kept as raw 2352-byte sectors", job->source->path,
                       count > 1 ? "disc" : "track");
    *plan = (uif_plan){.mixed = true, .track = -1,
                       .sector_size = RAW_SECTOR};
    return DC_OK;
}

dc_status uif_check(const dc_write_job *job, dc_error *err)
{
    uif_plan plan;
    return plan_image(job, &plan, err);
}

/*
 * Whether an ISO-type image of a raw track gives back every byte the
 * source stores: no stored pregap (type 8 starts at INDEX 01), INDEX 01 at
 * LBA 0 (where a reader puts the image), and every sector what its 2048
 * user bytes regenerate.  Otherwise the track's raw sectors go into a mixed
 * image, unless user data was asked for.
 */
static dc_status keep_raw_if_lossy(dc_write_job *job, uif_plan *plan,
                                   dc_error *err)
{
    if (plan->mixed || job->options->framing == DC_FRAMING_USER)
        return DC_OK;
    const dc_track *t = &job->source->disc.tracks[plan->track];
    if (t->stored_size < RAW_SECTOR)
        return DC_OK;
    bool regenerates = false;
    if (t->start_lba == 0 && dc_track_pregap(t) == 0 &&
        dc_track_regenerates(job, plan->track, &regenerates, err) != DC_OK)
        return err->status;
    if (!regenerates) {
        dc_job_note(job, "track %d's sectors are not all what its 2048-byte "
                    "user data makes: kept raw in a mixed UIF", t->number);
        *plan = (uif_plan){.mixed = true, .track = -1,
                           .sector_size = RAW_SECTOR};
    }
    return DC_OK;
}

/* --- the mixed image's descriptors ---------------------------------------- */

static const char *cue_keyword(const dc_track *track)
{
    if (track->mode == DC_MODE_AUDIO)
        return "AUDIO";
    if (track->mode == DC_MODE_MODE1)
        return "MODE1/2352";
    return track->cdi ? "CDI/2352" : "MODE2/2352";
}

/* The cue sheet of the payload as one BIN named `bin`. */
static dc_status build_cue(const dc_write_job *job, const char *bin,
                           char **text, size_t *len, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    dc_cue_track_layout *tracks = calloc((size_t)disc->track_count,
                                         sizeof *tracks);
    if (tracks == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_cue_file file = {.name = bin, .type = "BINARY"};
    int64_t at = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (!chosen(job, t))
            continue;
        dc_cue_track_layout *layout = &tracks[i];
        layout->keyword = cue_keyword(t);
        layout->pregap = dc_cue_unstored_pregap(
            disc, i, job->options->track_number == 0);
        layout->postgap = t->postgap_unstored;
        for (int k = 0; k < t->index_count; k++)
            layout->index[layout->index_count++] =
                (dc_cue_index){t->index[k].number, 0, at + t->index[k].offset};
        at += t->length;
    }
    dc_cue_layout layout = {
        .file_count = 1,
        .files = &file,
        .tracks = tracks,
        .sessions = job->options->track_number == 0 &&
                    disc->session_count > 1,
    };
    dc_status status = dc_cue_sheet_build(disc, &layout, text, len, err);
    free(tracks);
    return status;
}

/* The `blms` table: no stored names, then a record per track saying where
 * its INDEX 01 is in the payload (as binary MSF, 2 s on), its kind and
 * sector size, as uif2iso and Aaru read it. */
static dc_status build_blms(const dc_write_job *job, uint8_t **blms,
                            size_t *len, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    size_t size = UIF_BLMS_NAMES + (size_t)disc->track_count * UIF_BLMS_RECORD;
    uint8_t *table = calloc(1, size);
    if (table == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    uint8_t *record = table + UIF_BLMS_NAMES;
    int64_t at = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (!chosen(job, t))
            continue;
        int64_t msf = at + dc_track_pregap(t) + UIF_BLMS_MSF_LEAD;
        if (msf / (60 * 75) > UINT8_MAX) {
            free(table);
            return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: track %d starts "
                           "past 255 minutes of raw sectors, more than a "
                           "UIF's track table can say", job->source->path,
                           t->number);
        }
        uif_blms_track_pack(&(uif_blms_track){
            .session = (uint8_t)t->session,
            .adr_control = t->mode == DC_MODE_AUDIO ? UIF_BLMS_AUDIO
                                                    : UIF_BLMS_DATA,
            .number = (uint8_t)t->number,
            .minute = (uint8_t)(msf / (60 * 75)),
            .second = (uint8_t)(msf / 75 % 60),
            .frame = (uint8_t)(msf % 75),
            .mode = t->mode == DC_MODE_AUDIO   ? 0
                    : t->mode == DC_MODE_MODE1 ? 1
                                               : 2,
            .sector_size = RAW_SECTOR,
        }, record);
        record += UIF_BLMS_RECORD;
        at += t->length;
    }
    *blms = table;
    *len = (size_t)(record - table);
    return DC_OK;
}

/* --- the tables ----------------------------------------------------------- */

static uint32_t block_type(dc_codec codec)
{
    switch (codec) {
    case DC_CODEC_ZERO: return UIF_BLOCK_ZERO;
    case DC_CODEC_STORED: return UIF_BLOCK_STORED;
    default: return UIF_BLOCK_COMPRESSED;
    }
}

/* The block table: one entry per chunk, in the payload's order. */
static dc_status build_blhr(const dc_chunk_map *map, unsigned sector_size,
                            uint8_t **table, size_t *len, dc_error *err)
{
    *len = (size_t)map->count * UIF_BLOCK_ENTRY;
    *table = calloc(1, *len + 1);
    if (*table == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    int64_t packed = 0; /* where the blocks' bytes have got to */
    for (int i = 0; i < map->count; i++) {
        const dc_chunk *c = &map->chunks[i];
        if (c->codec != DC_CODEC_ZERO)
            packed = c->in_offset;
        uif_block_pack(&(uif_block){
            .offset = (uint64_t)packed,
            .stored = (uint32_t)c->in_length,
            .sector = (uint32_t)(c->out_offset / sector_size),
            .count = (uint32_t)(c->out_length / sector_size),
            .type = block_type(c->codec),
        }, *table + (size_t)i * UIF_BLOCK_ENTRY);
        packed += c->in_length;
    }
    return DC_OK;
}

/* Writes a section: its 16-byte header, `extra` bytes (blss's original
 * type), then `data` compressed as the blocks are.  `count` is blhr's
 * entry count, or for blms and blss the plain length. */
static dc_status write_section(dc_output *out, const char *signature,
                               dc_codec codec, const uint8_t *data,
                               size_t len, uint32_t count,
                               const uint8_t *extra, size_t extra_len,
                               dc_error *err)
{
    size_t bound = dc_codec_bound(codec, len);
    uint8_t *packed = malloc(UIF_SECTION_HEADER + extra_len + bound);
    if (packed == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    size_t packed_len = 0;
    uint8_t *body = packed + UIF_SECTION_HEADER + extra_len;
    dc_status status = dc_codec_encode(codec, 0, data, len, body, bound,
                                       &packed_len, err);
    if (status == DC_OK) {
        /* The size counts the flag and count fields, and `extra`. */
        uif_section header = {.size = (uint32_t)(8 + extra_len + packed_len),
                              .compressed = 1, .count = count};
        memcpy(header.signature, signature, 4);
        uif_section_pack(&header, packed);
        if (extra_len > 0)
            memcpy(packed + UIF_SECTION_HEADER, extra, extra_len);
        status = dc_output_write(out, packed,
                                 UIF_SECTION_HEADER + extra_len + packed_len,
                                 err);
    }
    free(packed);
    return status;
}

/* The descriptors of a mixed image: blms, then blss holding the cue sheet
 * of the payload as NAME.bin, NAME the UIF's. */
static dc_status write_descriptors(dc_write_job *job, dc_output *out,
                                   dc_codec codec, dc_error *err)
{
    char *stem = dc_path_stem(job->output_path);
    char *bin = stem != NULL ? malloc(strlen(stem) + 5) : NULL;
    if (bin == NULL) {
        free(stem);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    strcpy(bin, stem);
    strcat(bin, ".bin");
    uint8_t *blms = NULL;
    char *cue = NULL;
    size_t blms_len = 0, cue_len = 0;
    uint8_t original[UIF_BLSS_TYPE_SIZE];
    uif_put32(original, UIF_ORIGINAL_CUE);
    dc_status status = build_blms(job, &blms, &blms_len, err);
    if (status == DC_OK)
        status = build_cue(job, bin, &cue, &cue_len, err);
    if (status == DC_OK)
        status = write_section(out, "blms", codec, blms, blms_len,
                               (uint32_t)blms_len, NULL, 0, err);
    if (status == DC_OK)
        status = write_section(out, "blss", codec, (const uint8_t *)cue,
                               cue_len, (uint32_t)cue_len, original,
                               sizeof original, err);
    free(blms);
    free(cue);
    free(bin);
    free(stem);
    return status;
}

/* --- the target ----------------------------------------------------------- */

/* Where the streamed sectors go. */
typedef struct feed_state {
    dc_chunk_writer *writer;
    unsigned sector_size;
} feed_state;

static dc_status feed(void *context, const uint8_t *sectors, int64_t count,
                      dc_error *err)
{
    feed_state *state = context;
    return dc_chunk_writer_feed(state->writer, sectors,
                                (size_t)count * state->sector_size, err);
}

/* Streams the payload's sectors into the chunk writer; *sectors receives
 * how many. */
static dc_status stream_payload(dc_write_job *job, const uif_plan *plan,
                                dc_chunk_writer *writer, int64_t *sectors,
                                dc_error *err)
{
    feed_state state = {writer, plan->sector_size};
    *sectors = 0;
    if (!plan->mixed) {
        /* The file system counts from INDEX 01: a stored pregap stays
         * out, as in an ISO. */
        const dc_track *t = &job->source->disc.tracks[plan->track];
        int64_t pregap = dc_track_pregap(t);
        *sectors = t->length - pregap;
        return dc_stream_track(job, plan->track, pregap, *sectors,
                               DC_FORM_USER, feed, &state, err);
    }
    const dc_disc *disc = &job->source->disc;
    for (int i = 0; i < disc->track_count; i++) {
        if (!chosen(job, &disc->tracks[i]))
            continue;
        if (dc_stream_track(job, i, 0, disc->tracks[i].length, DC_FORM_RAW,
                            feed, &state, err) != DC_OK)
            return err->status;
        *sectors += disc->tracks[i].length;
    }
    return DC_OK;
}

/* The table, the mixed image's descriptors and the footer, after the
 * blocks. */
static dc_status write_tables(dc_write_job *job, dc_output *out,
                              const uif_plan *plan, dc_codec codec,
                              const dc_chunk_map *map, int64_t sectors,
                              dc_error *err)
{
    if (sectors > UINT32_MAX)
        return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: %lld sectors, more "
                       "than a UIF counts", job->source->path,
                       (long long)sectors);
    /* lastdiff stays 0: the last sector is whole.  The hash and the key
     * bytes stay 0: no password, no cipher. */
    uif_footer f = {
        .struct_size = UIF_FOOTER_SIZE,
        .version = codec == DC_CODEC_ZLIB ? UIF_VERSION_ZLIB : UIF_VERSION_LZMA,
        .image_type = plan->mixed ? UIF_TYPE_MIXED : UIF_TYPE_ISO,
        .sectors = (uint32_t)sectors,
        .sector_size = plan->sector_size,
        .table_offset = (uint64_t)dc_output_position(out),
    };
    uint8_t *table = NULL;
    size_t table_len = 0;
    dc_status status = build_blhr(map, plan->sector_size, &table, &table_len,
                                  err);
    if (status == DC_OK)
        status = write_section(out, "blhr", codec, table, table_len,
                               (uint32_t)map->count, NULL, 0, err);
    free(table);
    if (status == DC_OK && plan->mixed)
        status = write_descriptors(job, out, codec, err);
    if (status != DC_OK)
        return status;
    uint8_t bbis[UIF_FOOTER_SIZE];
    f.tables_size = (uint32_t)(dc_output_position(out) + UIF_FOOTER_SIZE -
                               (int64_t)f.table_offset);
    uif_footer_pack(&f, bbis);
    return dc_output_write(out, bbis, sizeof bbis, err);
}

/* Whether the disc has CD-TEXT or ISRCs at all. */
static bool has_text(const dc_disc *disc)
{
    for (int i = -1; i < disc->track_count; i++) {
        const dc_track *t = i < 0 ? NULL : &disc->tracks[i];
        if (t != NULL && t->isrc[0] != '\0')
            return true;
        for (int k = 0; k < DC_CDTEXT_MAX_BLOCKS; k++) {
            const dc_cdtext *text = t == NULL ? dc_disc_cdtext(disc, k)
                                              : dc_track_cdtext(t, k);
            for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
                if (text->field[f] != NULL)
                    return true;
        }
    }
    return false;
}

/* The stored cue sheet keeps what a cue's commands say (CD-TEXT block 0,
 * ISRCs); an ISO-type image keeps none. */
static void note_lost_text(dc_write_job *job, const uif_plan *plan)
{
    const dc_disc *disc = &job->source->disc;
    const char *output = dc_path_basename(job->output_path);
    if (!plan->mixed && has_text(disc))
        dc_job_note(job, "an ISO-type UIF keeps no CD-TEXT or ISRCs: the "
                    "disc's are left out of %s", output);
    else if (plan->mixed && dc_cdtext_beyond_cue(disc))
        dc_job_note(job, "the cue sheet inside %s keeps CD-TEXT block 0 "
                    "and ISRCs: the disc's other CD-TEXT is left out",
                    output);
}

dc_status uif_write(dc_write_job *job, dc_error *err)
{
    uif_plan plan;
    dc_output *out;
    if (plan_image(job, &plan, err) != DC_OK ||
        keep_raw_if_lossy(job, &plan, err) != DC_OK ||
        dc_output_set_add(job->outputs, job->output_path, &out, err) != DC_OK)
        return err->status;
    dc_codec codec =
        codec_choices[dc_job_option_choice(job, &uif_write_options[0])];
    dc_chunk_writer *writer;
    if (dc_chunk_writer_start(&writer, out, codec, 0,
                              (size_t)BLOCK_SECTORS * plan.sector_size, 0,
                              err) != DC_OK)
        return err->status;
    int64_t sectors;
    if (stream_payload(job, &plan, writer, &sectors, err) != DC_OK) {
        dc_chunk_writer_abort(writer);
        return err->status;
    }
    dc_chunk_map map = {0};
    dc_status status = dc_chunk_writer_finish(writer, &map, err);
    if (status == DC_OK)
        status = write_tables(job, out, &plan, codec, &map, sectors, err);
    dc_chunk_map_free(&map);
    if (status == DC_OK)
        note_lost_text(job, &plan);
    return status;
}
