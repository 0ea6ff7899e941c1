/*
 * Reading NRG images (nrg.h describes the layout): the footer, the chunk
 * chain, disc-at-once and track-at-once sessions, CD-TEXT, the sectors;
 * and the dc_format_nrg descriptor.
 *
 * The reader trusts nothing: the chunk area is bounded, walked strictly
 * forward, and every offset and length is checked before use; errors name
 * the chunk and its offset.
 */
#include "nrg.h"
#include "format.h"
#include "model.h"
#include "sector.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 99-track disc with 9 KB of CD-TEXT needs well under 64 KiB; the caps
 * only keep a hostile file from costing memory or time. */
#define MAX_CHUNK_AREA (16 * 1024 * 1024)
#define MAX_CHUNKS 4096
#define MAX_CUE_POINTS (2 + DC_MAX_TRACKS * DC_MAX_INDEXES)

/* Session gaps that no file stores (FORMATS.md 1.9), as the BIN/CUE reader
 * counts them: lead-out + lead-in, then the new session's pregap. */
#define FIRST_SESSION_GAP 11250
#define LATER_SESSION_GAP 6750
#define TAO_PREGAP 150

/* ---------------------------------------------------------------------- */
/* Mode codes (DAO entry byte 14, ETN mode low byte)                       */
/* ---------------------------------------------------------------------- */

/* libmirage's table, cross-checked with libcdio and MAME (FORMATS.md 4.4). */
static const mode_code mode_codes[] = {
    {0x00, FAMILY_MODE1, 2048},
    {0x02, FAMILY_MODE2, 2048},   /* Form 1 user data */
    {0x03, FAMILY_MODE2, DC_USER_MODE2},
    {0x05, FAMILY_MODE1, DC_RAW_SECTOR},
    {0x06, FAMILY_MODE2, DC_RAW_SECTOR},
    {0x07, FAMILY_AUDIO, DC_RAW_SECTOR},
    {0x0F, FAMILY_MODE1, SUBCHANNEL_SECTOR},
    {0x10, FAMILY_AUDIO, SUBCHANNEL_SECTOR},
    {0x11, FAMILY_MODE2, SUBCHANNEL_SECTOR},
};
#define MODE_CODE_COUNT ((int)(sizeof mode_codes / sizeof mode_codes[0]))

static const mode_code *code_by_value(unsigned code)
{
    for (int i = 0; i < MODE_CODE_COUNT; i++)
        if (mode_codes[i].code == code)
            return &mode_codes[i];
    return NULL;
}

const mode_code *nrg_code_by_layout(mode_family family, unsigned size)
{
    for (int i = 0; i < MODE_CODE_COUNT; i++)
        if (mode_codes[i].family == family && mode_codes[i].size == size)
            return &mode_codes[i];
    return NULL;
}

mode_family nrg_family_of(dc_track_mode mode)
{
    switch (mode) {
    case DC_MODE_AUDIO: return FAMILY_AUDIO;
    case DC_MODE_MODE1: return FAMILY_MODE1;
    default: return FAMILY_MODE2;
    }
}

/* Mode 2 stored as 2048 bytes can only be Form 1; any larger storage keeps
 * the subheaders, so the form is decided per sector. */
static dc_track_mode mode_of(mode_family family, unsigned size)
{
    switch (family) {
    case FAMILY_AUDIO: return DC_MODE_AUDIO;
    case FAMILY_MODE1: return DC_MODE_MODE1;
    case FAMILY_MODE2: break;
    }
    return size == 2048 ? DC_MODE_MODE2_FORM1 : DC_MODE_MODE2_MIXED;
}

/* ---------------------------------------------------------------------- */
/* Big-endian fields                                                        */
/* ---------------------------------------------------------------------- */

static uint32_t get_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static bool bcd_valid(uint8_t b) { return (b >> 4) <= 9 && (b & 0xF) <= 9; }
static int from_bcd(uint8_t b) { return (b >> 4) * 10 + (b & 0xF); }

/* ---------------------------------------------------------------------- */
/* Reader state                                                            */
/* ---------------------------------------------------------------------- */

typedef struct nrg_state {
    int64_t track_offset[DC_MAX_TRACKS]; /* file offset of stored sector 0 */
} nrg_state;

typedef struct nrg_chunk {
    char id[5];            /* printable, else "????" */
    int64_t offset;        /* of the chunk header in the file */
    const uint8_t *data;   /* payload, inside the chunk area buffer */
    uint32_t size;
} nrg_chunk;

/* A session is opened by a CUE* chunk (paired with a DAO* chunk) or by an
 * ETN* chunk. */
typedef struct nrg_session {
    const nrg_chunk *cue;  /* NULL for track-at-once */
    const nrg_chunk *dao;
    const nrg_chunk *etn;
} nrg_session;

typedef struct nrg_reader {
    dc_image *image;
    nrg_state *state;
    uint8_t *area;            /* the chunk area, read whole (bounded) */
    int64_t area_offset;      /* file offset of the first chunk */
    int64_t area_size;
    const char *footer_id;
    int64_t footer_offset;
    nrg_chunk *chunks;
    int chunk_count;
    int64_t data_end;         /* track data must end here: the chunks start */
    int64_t previous_end;     /* file offset where the last track's data ended */
    int session;              /* being read, 1-based */
} nrg_reader;

/* Fails with "PATH: WHAT at offset N: message". */
__attribute__((format(printf, 6, 0)))
static dc_status fail_at(const nrg_reader *r, dc_status status,
                         const char *what, int64_t offset, dc_error *err,
                         const char *fmt, va_list args)
{
    char message[400];
    vsnprintf(message, sizeof message, fmt, args);
    return dc_fail(err, status, "%s: %s at offset %lld: %s", r->image->path,
                   what, (long long)offset, message);
}

__attribute__((format(printf, 5, 6)))
static dc_status chunk_fail(const nrg_reader *r, const nrg_chunk *chunk,
                            dc_status status, dc_error *err,
                            const char *fmt, ...)
{
    char what[16];
    snprintf(what, sizeof what, "chunk %s", chunk->id);
    va_list args;
    va_start(args, fmt);
    fail_at(r, status, what, chunk->offset, err, fmt, args);
    va_end(args);
    return status;
}

__attribute__((format(printf, 3, 4)))
static dc_status footer_fail(const nrg_reader *r, dc_error *err,
                             const char *fmt, ...)
{
    char what[16];
    snprintf(what, sizeof what, "footer %s", r->footer_id);
    va_list args;
    va_start(args, fmt);
    fail_at(r, DC_ERR_FORMAT, what, r->footer_offset, err, fmt, args);
    va_end(args);
    return DC_ERR_FORMAT;
}

static bool is_chunk(const nrg_chunk *chunk, const char *id)
{
    return memcmp(chunk->id, id, 4) == 0;
}

/* ---------------------------------------------------------------------- */
/* Footer and chunk chain                                                  */
/* ---------------------------------------------------------------------- */

/* Where the footer says the chunks are; the footer's own place ends them. */
static bool parse_footer(const uint8_t *tail, size_t tail_size,
                         int64_t file_size, const char **id,
                         int64_t *footer_offset, uint64_t *first_chunk)
{
    if (tail_size >= FOOTER_V2_SIZE &&
        memcmp(tail + tail_size - FOOTER_V2_SIZE, "NER5", 4) == 0) {
        *id = "NER5";
        *footer_offset = file_size - FOOTER_V2_SIZE;
        *first_chunk = get_be64(tail + tail_size - 8);
        return true;
    }
    if (tail_size >= FOOTER_V1_SIZE &&
        memcmp(tail + tail_size - FOOTER_V1_SIZE, "NERO", 4) == 0) {
        *id = "NERO";
        *footer_offset = file_size - FOOTER_V1_SIZE;
        *first_chunk = get_be32(tail + tail_size - 4);
        return true;
    }
    return false;
}

/* Room for at least one chunk header between the first chunk and the
 * footer, without overflowing on a hostile 64-bit offset. */
static bool chunks_fit(uint64_t first_chunk, int64_t footer_offset)
{
    return footer_offset >= CHUNK_HEADER_SIZE &&
           first_chunk <= (uint64_t)(footer_offset - CHUNK_HEADER_SIZE);
}

int nrg_probe(const dc_probe_input *input)
{
    const char *id;
    int64_t footer_offset;
    uint64_t first_chunk;
    if (!parse_footer(input->tail, input->tail_size, input->file_size, &id,
                      &footer_offset, &first_chunk))
        return DC_PROBE_NO;
    /* A signature with a wrong offset is still most likely a broken NRG:
     * claim it, so that opening explains what is wrong. */
    return chunks_fit(first_chunk, footer_offset) ? DC_PROBE_CERTAIN
                                                  : DC_PROBE_LIKELY;
}

static dc_status read_chunk_area(nrg_reader *r, dc_error *err)
{
    dc_source *in = r->image->source;
    int64_t size = dc_source_size(in);
    uint8_t tail[FOOTER_V2_SIZE];
    size_t tail_size = size < FOOTER_V2_SIZE ? (size_t)size : FOOTER_V2_SIZE;
    uint64_t first_chunk;
    if (dc_source_read_at(in, size - (int64_t)tail_size, tail, tail_size,
                          err) != DC_OK)
        return err->status;
    if (!parse_footer(tail, tail_size, size, &r->footer_id,
                      &r->footer_offset, &first_chunk))
        /* Nero keeps its track table at the end: an NRG cut short has
         * none left to read, nor to say what is missing. */
        return dc_fail(err, DC_ERR_FORMAT, "%s: no NER5 or NERO footer at "
                       "the end: not an NRG image, or one cut short",
                       r->image->path);
    if (!chunks_fit(first_chunk, r->footer_offset))
        return footer_fail(r, err, "the first chunk's offset %llu leaves no "
                           "room for a chunk before the footer",
                           (unsigned long long)first_chunk);
    r->area_offset = (int64_t)first_chunk;
    r->area_size = r->footer_offset - r->area_offset;
    r->data_end = r->area_offset;
    if (r->area_size > MAX_CHUNK_AREA)
        return footer_fail(r, err, "the chunks from offset %lld on take "
                           "%lld bytes, more than the %d an NRG needs",
                           (long long)r->area_offset,
                           (long long)r->area_size, MAX_CHUNK_AREA);
    r->area = malloc((size_t)r->area_size);
    if (r->area == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return dc_source_read_at(in, r->area_offset, r->area, (size_t)r->area_size,
                             err);
}

static void set_chunk_id(nrg_chunk *chunk, const uint8_t *bytes)
{
    memcpy(chunk->id, "????", 5);
    for (int i = 0; i < 4; i++)
        if (!isprint(bytes[i]))
            return;
    memcpy(chunk->id, bytes, 4);
}

/* Walks the chain from the first chunk to END!, strictly forward. */
static dc_status walk_chunks(nrg_reader *r, dc_error *err)
{
    r->chunks = calloc(MAX_CHUNKS, sizeof *r->chunks);
    if (r->chunks == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int64_t pos = 0;;) {
        nrg_chunk *chunk = &r->chunks[r->chunk_count];
        chunk->offset = r->area_offset + pos;
        int64_t left = r->area_size - pos;
        if (left < CHUNK_HEADER_SIZE) {
            memcpy(chunk->id, "END!", 5);
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "missing: the "
                              "chain runs into the footer with %lld bytes "
                              "left, too few for a chunk", (long long)left);
        }
        set_chunk_id(chunk, r->area + pos);
        if (strcmp(chunk->id, "????") == 0)
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "not a chunk id "
                              "(bytes %02X %02X %02X %02X): the footer or "
                              "the previous chunk's length is wrong",
                              r->area[pos], r->area[pos + 1],
                              r->area[pos + 2], r->area[pos + 3]);
        chunk->size = get_be32(r->area + pos + 4);
        chunk->data = r->area + pos + CHUNK_HEADER_SIZE;
        if (chunk->size > left - CHUNK_HEADER_SIZE)
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "%u bytes of "
                              "payload run past the footer at offset %lld",
                              chunk->size, (long long)r->footer_offset);
        r->chunk_count++;
        if (is_chunk(chunk, "END!"))
            break;
        if (r->chunk_count == MAX_CHUNKS)
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "more than %d "
                              "chunks before END!", MAX_CHUNKS);
        pos += CHUNK_HEADER_SIZE + chunk->size;
    }
    return DC_OK;
}

/* Pairs the n-th CUE* chunk with the n-th DAO* chunk; ETN* chunks are
 * sessions of their own.  Sessions follow in chain order. */
static dc_status find_sessions(nrg_reader *r, nrg_session *sessions,
                               int *session_count, dc_error *err)
{
    const nrg_chunk *daos[DC_MAX_TRACKS];
    int dao_count = 0, cue_count = 0;
    *session_count = 0;
    for (int i = 0; i < r->chunk_count; i++) {
        const nrg_chunk *c = &r->chunks[i];
        bool cue = is_chunk(c, "CUEX") || is_chunk(c, "CUES");
        bool etn = is_chunk(c, "ETN2") || is_chunk(c, "ETNF");
        bool dao = is_chunk(c, "DAOX") || is_chunk(c, "DAOI");
        if ((cue || etn || dao) &&
            (*session_count == DC_MAX_TRACKS || dao_count == DC_MAX_TRACKS))
            return chunk_fail(r, c, DC_ERR_FORMAT, err, "more sessions than "
                              "a disc has tracks");
        if (dao)
            daos[dao_count++] = c;
        if (cue || etn)
            sessions[(*session_count)++] =
                (nrg_session){cue ? c : NULL, NULL, etn ? c : NULL};
    }
    for (int s = 0; s < *session_count; s++) {
        if (sessions[s].cue == NULL)
            continue;
        if (cue_count == dao_count)
            return chunk_fail(r, sessions[s].cue, DC_ERR_FORMAT, err, "no "
                              "DAOX or DAOI chunk for this session's cue "
                              "points");
        sessions[s].dao = daos[cue_count++];
    }
    if (cue_count < dao_count)
        return chunk_fail(r, daos[cue_count], DC_ERR_FORMAT, err, "no CUEX "
                          "or CUES chunk for this session's tracks");
    if (*session_count == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: no CUEX, CUES, ETN2 or ETNF "
                       "chunk: the image describes no tracks",
                       r->image->path);
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Tracks                                                                  */
/* ---------------------------------------------------------------------- */

/* Where a track's sectors lie in the file, as the chunk says. */
typedef struct track_extent {
    int64_t start;     /* first stored sector (INDEX 00 if stored) */
    int64_t index1;    /* INDEX 01 */
    int64_t end;       /* exclusive */
    unsigned size;     /* stored bytes per sector, 0: take the code's */
    unsigned code;
} track_extent;

/* Decides mode and sector size.  The entry's size field wins over the
 * code's size, as in libmirage; the user hears about the disagreement. */
static dc_status set_track_mode(nrg_reader *r, const nrg_chunk *chunk,
                                const track_extent *x, dc_track *track,
                                dc_error *err)
{
    const mode_code *code = code_by_value(x->code);
    if (code == NULL)
        return chunk_fail(r, chunk, DC_ERR_UNSUPPORTED, err, "track %d has "
                          "mode code 0x%02X, which discconv does not know",
                          track->number, x->code);
    unsigned size = x->size != 0 ? x->size : code->size;
    if (nrg_code_by_layout(code->family, size) == NULL)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d: mode code "
                          "0x%02X cannot be stored in %u-byte sectors",
                          track->number, x->code, size);
    if (size != code->size)
        dc_image_warn(r->image, "%s: chunk %s at offset %lld: track %d has "
                      "mode code 0x%02X (%u-byte sectors) but %u-byte "
                      "sectors; reading %u", r->image->path, chunk->id,
                      (long long)chunk->offset, track->number, x->code,
                      code->size, size, size);
    track->mode = mode_of(code->family, size);
    track->stored_size = size;
    track->has_subchannel = size == SUBCHANNEL_SECTOR;
    return DC_OK;
}

/* Checks the extent against the file and the previous track, then makes
 * the track's storage from it. */
static dc_status place_track(nrg_reader *r, const nrg_chunk *chunk,
                             const track_extent *x, dc_track *track,
                             dc_error *err)
{
    if (set_track_mode(r, chunk, x, track, err) != DC_OK)
        return err->status;
    unsigned size = track->stored_size;
    if (x->start < 0 || x->start > x->index1 || x->index1 >= x->end)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d's offsets "
                          "%lld, %lld, %lld are not in order with data after "
                          "index 1", track->number, (long long)x->start,
                          (long long)x->index1, (long long)x->end);
    if (x->end > r->data_end)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d ends at "
                          "offset %lld, past the sector data (the chunks "
                          "start at %lld, the file is %lld bytes)",
                          track->number, (long long)x->end,
                          (long long)r->data_end,
                          (long long)dc_source_size(r->image->source));
    if (x->start < r->previous_end)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d's data at "
                          "offset %lld overlaps the previous track's, which "
                          "ends at %lld", track->number, (long long)x->start,
                          (long long)r->previous_end);
    if ((x->index1 - x->start) % size != 0 || (x->end - x->index1) % size != 0)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d's offsets "
                          "%lld, %lld, %lld are not whole %u-byte sectors "
                          "apart", track->number, (long long)x->start,
                          (long long)x->index1, (long long)x->end, size);
    r->previous_end = x->end;
    r->state->track_offset[r->image->disc.track_count - 1] = x->start;
    track->session = r->session;
    track->length = (x->end - x->start) / size;
    int64_t pregap = (x->index1 - x->start) / size;
    if (pregap > 0 && dc_track_add_index(track, 0, 0, err) != DC_OK)
        return err->status;
    return dc_track_add_index(track, 1, pregap, err);
}

/* ---------------------------------------------------------------------- */
/* Disc-at-once sessions                                                   */
/* ---------------------------------------------------------------------- */

typedef struct cue_track {
    int number;
    unsigned control;       /* of the INDEX 01 point */
    bool has_index0, has_index1;
    int64_t index0, index1; /* LBAs */
    int extra_count;        /* INDEX 02.. */
    int extra_number[DC_MAX_INDEXES];
    int64_t extra_lba[DC_MAX_INDEXES];
} cue_track;

typedef struct cue_sheet {
    cue_track tracks[DC_MAX_TRACKS];
    int track_count;
    bool has_leadout;
    int64_t leadout;
} cue_sheet;

/* One cue point's LBA: CUEX stores it signed, CUES as 0 M S F. */
static dc_status cue_point_lba(nrg_reader *r, const nrg_chunk *chunk,
                               const uint8_t *p, int64_t *lba, dc_error *err)
{
    if (is_chunk(chunk, "CUEX")) {
        *lba = (int32_t)get_be32(p + 4);
        return DC_OK;
    }
    if (p[6] >= 60 || p[7] >= 75)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "cue point time "
                          "%02u:%02u:%02u is not a disc time", p[5], p[6],
                          p[7]);
    *lba = ((int64_t)p[5] * 60 + p[6]) * 75 + p[7] - DC_PREGAP_TRACK1;
    return DC_OK;
}

static dc_status take_cue_point(nrg_reader *r, const nrg_chunk *chunk,
                                cue_sheet *sheet, unsigned control, int number,
                                int index, int64_t lba, dc_error *err)
{
    cue_track *t = sheet->track_count > 0
                       ? &sheet->tracks[sheet->track_count - 1] : NULL;
    if (t == NULL || number != t->number) {
        if ((t != NULL && number < t->number) ||
            sheet->track_count == DC_MAX_TRACKS)
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "cue point for "
                              "track %d out of order", number);
        t = &sheet->tracks[sheet->track_count++];
        t->number = number;
    }
    int last_number = t->extra_count > 0 ? t->extra_number[t->extra_count - 1]
                                         : 1;
    int64_t last_lba = t->extra_count > 0 ? t->extra_lba[t->extra_count - 1]
                                          : t->index1;
    bool ordered;
    if (index == 0)
        ordered = !t->has_index0 && !t->has_index1;
    else if (index == 1)
        ordered = !t->has_index1 && (!t->has_index0 || lba >= t->index0);
    else
        ordered = t->has_index1 && index > last_number && lba > last_lba;
    if (!ordered)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "track %d index %d "
                          "repeated or out of order", number, index);
    if (index == 0) {
        t->has_index0 = true;
        t->index0 = lba;
    } else if (index == 1) {
        t->has_index1 = true;
        t->index1 = lba;
        t->control = control;
    } else {
        t->extra_number[t->extra_count] = index;
        t->extra_lba[t->extra_count++] = lba;
    }
    return DC_OK;
}

static dc_status parse_cue_points(nrg_reader *r, const nrg_chunk *chunk,
                                  cue_sheet *sheet, dc_error *err)
{
    if (chunk->size == 0 || chunk->size % CUE_POINT_SIZE != 0)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "%u bytes is not a "
                          "whole number of 8-byte cue points", chunk->size);
    if (chunk->size / CUE_POINT_SIZE > MAX_CUE_POINTS)
        return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "%u cue points, more "
                          "than 99 tracks of 100 indexes need",
                          chunk->size / CUE_POINT_SIZE);
    for (uint32_t at = 0; at < chunk->size; at += CUE_POINT_SIZE) {
        const uint8_t *p = chunk->data + at;
        int64_t lba = 0;
        if (!bcd_valid(p[1]) && p[1] != TRACK_LEADOUT)
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "cue point %u: "
                              "track number 0x%02X is not BCD",
                              at / CUE_POINT_SIZE, p[1]);
        if (!bcd_valid(p[2]))
            return chunk_fail(r, chunk, DC_ERR_FORMAT, err, "cue point %u: "
                              "index 0x%02X is not BCD", at / CUE_POINT_SIZE,
                              p[2]);
        if (cue_point_lba(r, chunk, p, &lba, err) != DC_OK)
            return err->status;
        if (p[1] == TRACK_LEADOUT) {
            sheet->has_leadout = true;
            sheet->leadout = lba;
        } else if (p[1] != 0 && /* track 0 is the lead-in */
                   take_cue_point(r, chunk, sheet, p[0] >> 4, from_bcd(p[1]),
                                  from_bcd(p[2]), lba, err) != DC_OK) {
            return err->status;
        }
    }
    return DC_OK;
}

static void take_isrc(nrg_reader *r, const nrg_chunk *chunk,
                      const uint8_t *bytes, dc_track *track)
{
    if (bytes[0] == '\0')
        return;
    char isrc[13];
    memcpy(isrc, bytes, 12);
    isrc[12] = '\0';
    if (!dc_isrc_valid(isrc)) {
        dc_image_warn(r->image, "%s: chunk %s at offset %lld: track %d's "
                      "ISRC is not 12 valid characters; ignored",
                      r->image->path, chunk->id, (long long)chunk->offset,
                      track->number);
        return;
    }
    memcpy(track->isrc, isrc, sizeof isrc);
}

static void take_mcn(nrg_reader *r, const nrg_chunk *chunk,
                     const uint8_t *bytes)
{
    if (bytes[0] == '\0' || r->image->disc.mcn[0] != '\0')
        return;
    for (int i = 0; i < 13; i++)
        if (!isdigit(bytes[i])) {
            dc_image_warn(r->image, "%s: chunk %s at offset %lld: the MCN is "
                          "not 13 digits; ignored", r->image->path, chunk->id,
                          (long long)chunk->offset);
            return;
        }
    memcpy(r->image->disc.mcn, bytes, 13);
    r->image->disc.mcn[13] = '\0';
}

/* Turns a track's cue points into its address, indexes and flags. */
static dc_status apply_cue_points(nrg_reader *r, const nrg_chunk *cue,
                                  const cue_track *ct, dc_track *track,
                                  dc_error *err)
{
    if (!ct->has_index1 || ct->index1 < 0)
        return chunk_fail(r, cue, DC_ERR_FORMAT, err, "track %d has %s",
                          ct->number, ct->has_index1 ? "index 1 before LBA 0"
                                                     : "no index 1");
    int64_t stored_pregap = dc_track_pregap(track);
    track->start_lba = ct->index1 - stored_pregap;
    track->flags = ct->control & CONTROL_FLAGS;
    if (((ct->control & CONTROL_DATA) != 0) != dc_track_is_data(track))
        dc_image_warn(r->image, "%s: chunk %s at offset %lld: track %d is "
                      "marked %s but stored as %s", r->image->path, cue->id,
                      (long long)cue->offset, ct->number,
                      ct->control & CONTROL_DATA ? "data" : "audio",
                      dc_track_mode_name(track->mode));
    /* An index 0 before the stored sectors is a pregap the file leaves
     * out; before LBA 0 it is track 1's implied one.  One after them (the
     * stored pregap is longer than the cue points say, as in some 2448-byte
     * images) loses to the offsets, which say where the data is. */
    int64_t index0 = ct->has_index0 ? ct->index0 : ct->index1;
    int64_t unstored = track->start_lba - (index0 > 0 ? index0 : 0);
    if (unstored > 0)
        track->pregap_unstored = unstored;
    for (int k = 0; k < ct->extra_count; k++) {
        int64_t offset = ct->extra_lba[k] - track->start_lba;
        if (offset >= track->length)
            return chunk_fail(r, cue, DC_ERR_FORMAT, err, "track %d index %d "
                              "at LBA %lld lies past the track's data",
                              ct->number, ct->extra_number[k],
                              (long long)ct->extra_lba[k]);
        if (dc_track_add_index(track, ct->extra_number[k], offset, err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

/* Sectors between one track's end and the next one's first LBA, or before
 * the lead-out, belong to the track as a postgap the file leaves out. */
static void set_postgaps(dc_disc *disc, int first, const cue_sheet *sheet)
{
    for (int i = first; i < disc->track_count; i++) {
        dc_track *t = &disc->tracks[i];
        int64_t end = t->start_lba + t->length;
        int64_t next = i + 1 < disc->track_count
                           ? disc->tracks[i + 1].start_lba -
                                 disc->tracks[i + 1].pregap_unstored
                           : sheet->has_leadout ? sheet->leadout : end;
        if (next > end)
            t->postgap_unstored = next - end;
    }
}

static dc_status read_dao_entry(nrg_reader *r, const nrg_chunk *dao,
                                const uint8_t *e, bool wide,
                                const cue_track *ct, dc_track *track,
                                dc_error *err)
{
    track_extent x = {.size = get_be16(e + 12), .code = e[14]};
    if (wide) {
        uint64_t start = get_be64(e + 18), index1 = get_be64(e + 26),
                 end = get_be64(e + 34);
        /* Offsets past 2^62 cannot be in any file: refuse before the
         * signed arithmetic. */
        if ((start | index1 | end) >> 62)
            return chunk_fail(r, dao, DC_ERR_FORMAT, err, "track %d's "
                              "offsets lie outside any file", ct->number);
        x.start = (int64_t)start;
        x.index1 = (int64_t)index1;
        x.end = (int64_t)end;
    } else {
        x.start = get_be32(e + 18);
        x.index1 = get_be32(e + 22);
        x.end = get_be32(e + 26);
    }
    if (x.size == 0)
        return chunk_fail(r, dao, DC_ERR_FORMAT, err, "track %d has a sector "
                          "size of 0", ct->number);
    track->number = ct->number;
    take_isrc(r, dao, e, track);
    if (place_track(r, dao, &x, track, err) != DC_OK)
        return err->status;
    return apply_cue_points(r, dao, ct, track, err);
}

static dc_status read_dao_session(nrg_reader *r, const nrg_session *s,
                                  dc_error *err)
{
    cue_sheet *sheet = calloc(1, sizeof *sheet);
    if (sheet == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    const nrg_chunk *dao = s->dao;
    bool wide = is_chunk(dao, "DAOX");
    uint32_t entry_size = wide ? DAOX_ENTRY_SIZE : DAOI_ENTRY_SIZE;
    dc_disc *disc = &r->image->disc;
    int first = disc->track_count;
    dc_status status = parse_cue_points(r, s->cue, sheet, err);
    if (status != DC_OK)
        goto done;
    if (sheet->track_count == 0) {
        status = chunk_fail(r, s->cue, DC_ERR_FORMAT, err, "no track has a "
                            "cue point");
        goto done;
    }
    if (dao->size < DAO_HEADER_SIZE ||
        (dao->size - DAO_HEADER_SIZE) % entry_size != 0 ||
        (dao->size - DAO_HEADER_SIZE) / entry_size != (uint32_t)sheet->track_count) {
        status = chunk_fail(r, dao, DC_ERR_FORMAT, err, "%u bytes do not "
                            "hold the %d tracks of chunk %s at offset %lld "
                            "(22-byte header and %u bytes per track)",
                            dao->size, sheet->track_count, s->cue->id,
                            (long long)s->cue->offset, entry_size);
        goto done;
    }
    /* The header's first and last track numbers (bytes 20 and 21) count
     * the entries too: a disagreement is an error, not a guess. */
    int first_number = dao->data[20], last_number = dao->data[21];
    if (first_number != sheet->tracks[0].number ||
        last_number != sheet->tracks[sheet->track_count - 1].number) {
        status = chunk_fail(r, dao, DC_ERR_FORMAT, err, "says tracks %d to "
                            "%d, but holds %d entr%s for tracks %d to %d",
                            first_number, last_number, sheet->track_count,
                            sheet->track_count == 1 ? "y" : "ies",
                            sheet->tracks[0].number,
                            sheet->tracks[sheet->track_count - 1].number);
        goto done;
    }
    take_mcn(r, dao, dao->data + 4);
    for (int i = 0; status == DC_OK && i < sheet->track_count; i++) {
        dc_track *track = dc_disc_add_track(disc, err);
        status = track == NULL
                     ? err->status
                     : read_dao_entry(r, dao, dao->data + DAO_HEADER_SIZE +
                                                  (size_t)i * entry_size,
                                      wide, &sheet->tracks[i], track, err);
    }
    if (status == DC_OK)
        set_postgaps(disc, first, sheet);
done:
    free(sheet);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Track-at-once sessions                                                  */
/* ---------------------------------------------------------------------- */

/* Track-at-once addresses follow from the layout, as libmirage lays them
 * out: every track after a 150-sector pregap the file leaves out, the
 * first of a later session after the session gap.  (The entries' own LBA
 * field, which leaves the pregaps out, agrees on single-session images.) */
static int64_t next_tao_lba(const dc_disc *disc, int session,
                            int64_t *pregap_unstored)
{
    *pregap_unstored = 0;
    if (disc->track_count < 2)
        return 0;
    const dc_track *prev = &disc->tracks[disc->track_count - 2];
    int64_t end = prev->start_lba + prev->length + prev->postgap_unstored;
    if (prev->session == session) {
        *pregap_unstored = TAO_PREGAP;
        return end + TAO_PREGAP;
    }
    return end + (session == 2 ? FIRST_SESSION_GAP : LATER_SESSION_GAP) +
           TAO_PREGAP;
}

static dc_status read_tao_session(nrg_reader *r, const nrg_chunk *etn,
                                  dc_error *err)
{
    bool wide = is_chunk(etn, "ETN2");
    uint32_t entry_size = wide ? ETN2_ENTRY_SIZE : ETNF_ENTRY_SIZE;
    if (etn->size == 0 || etn->size % entry_size != 0 ||
        etn->size / entry_size > DC_MAX_TRACKS)
        return chunk_fail(r, etn, DC_ERR_FORMAT, err, "%u bytes is not 1 to "
                          "99 entries of %u bytes", etn->size, entry_size);
    dc_disc *disc = &r->image->disc;
    for (uint32_t at = 0; at < etn->size; at += entry_size) {
        const uint8_t *e = etn->data + at;
        uint64_t offset = wide ? get_be64(e) : get_be32(e);
        uint64_t length = wide ? get_be64(e + 8) : get_be32(e + 4);
        if (offset > (uint64_t)r->data_end || length > (uint64_t)r->data_end)
            return chunk_fail(r, etn, DC_ERR_FORMAT, err, "entry %u: offset "
                              "%llu and length %llu lie outside the %lld "
                              "bytes of sector data", at / entry_size,
                              (unsigned long long)offset,
                              (unsigned long long)length,
                              (long long)r->data_end);
        int number = disc->track_count > 0
                         ? disc->tracks[disc->track_count - 1].number + 1 : 1;
        dc_track *track = dc_disc_add_track(disc, err);
        if (track == NULL)
            return err->status;
        track->number = number;
        track_extent x = {.start = (int64_t)offset, .index1 = (int64_t)offset,
                          .end = (int64_t)(offset + length),
                          .code = e[wide ? 19 : 11]};
        if (place_track(r, etn, &x, track, err) != DC_OK)
            return err->status;
        track->start_lba = next_tao_lba(disc, r->session,
                                        &track->pregap_unstored);
    }
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Opening                                                                 */
/* ---------------------------------------------------------------------- */

/* SINF holds each session's track count; MagicISO writes wrong ones
 * (uif2iso patches them), so a mismatch is only worth a warning. */
static dc_status check_session_info(nrg_reader *r, dc_error *err)
{
    const dc_disc *disc = &r->image->disc;
    int session = 0;
    for (int i = 0; i < r->chunk_count; i++) {
        const nrg_chunk *c = &r->chunks[i];
        if (!is_chunk(c, "SINF"))
            continue;
        if (c->size != 4)
            return chunk_fail(r, c, DC_ERR_FORMAT, err, "%u bytes, not the "
                              "4 of a track count", c->size);
        session++;
        int tracks = 0;
        for (int t = 0; t < disc->track_count; t++)
            tracks += disc->tracks[t].session == session;
        if (get_be32(c->data) != (uint32_t)tracks)
            dc_image_warn(r->image, "%s: chunk SINF at offset %lld says "
                          "session %d has %u tracks; it has %d",
                          r->image->path, (long long)c->offset, session,
                          get_be32(c->data), tracks);
    }
    return DC_OK;
}

static dc_status read_cdtext(nrg_reader *r, dc_error *err)
{
    for (int i = 0; i < r->chunk_count; i++) {
        const nrg_chunk *c = &r->chunks[i];
        if (!is_chunk(c, "CDTX"))
            continue;
        char origin[600];
        snprintf(origin, sizeof origin, "%s: chunk CDTX at offset %lld",
                 r->image->path, (long long)c->offset);
        return dc_disc_set_cdtext_packs(&r->image->disc, r->image, c->data, c->size,
                                        origin, err);
    }
    return DC_OK;
}

static bool all_zero(const uint8_t *bytes, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (bytes[i] != 0)
            return false;
    return true;
}

/* Silence, or a data sector whose user data is all zero. */
static bool sector_is_empty(const dc_track *track, const uint8_t *stored)
{
    if (track->mode == DC_MODE_AUDIO)
        return all_zero(stored, DC_RAW_SECTOR);
    if (track->stored_size == 2048)
        return all_zero(stored, 2048);
    uint8_t raw[DC_RAW_SECTOR];
    const uint8_t *sector = stored;
    if (track->stored_size == DC_USER_MODE2) {
        dc_sector_encode_from_2336(raw, 0, stored);
        sector = raw;
    }
    size_t offset, size;
    dc_sector_user_span(dc_sector_classify(sector), &offset, &size);
    return all_zero(sector + offset, size);
}

/*
 * Nero stores track 1's pregap from LBA -150, where no drive reads and no
 * other format has room.  When those sectors are empty (they always are
 * unless someone put data there) the disc starts at LBA 0 like every other
 * image; the writer puts them back.  Anything else stays where it is.
 */
static dc_status drop_empty_lead(nrg_reader *r, dc_error *err)
{
    dc_track *track = &r->image->disc.tracks[0];
    int64_t lead = -track->start_lba;
    if (lead <= 0 || lead > DC_PREGAP_TRACK1)
        return DC_OK;
    uint8_t sector[SUBCHANNEL_SECTOR];
    for (int64_t i = 0; i < lead; i++) {
        if (dc_source_read_at(r->image->source, r->state->track_offset[0] +
                                                i * track->stored_size,
                             sector, track->stored_size, err) != DC_OK)
            return err->status;
        if (!sector_is_empty(track, sector))
            return DC_OK;
    }
    r->state->track_offset[0] += lead * track->stored_size;
    track->start_lba = 0;
    track->length -= lead;
    bool index1_at_start = dc_track_pregap(track) == lead;
    int kept = 0;
    for (int k = 0; k < track->index_count; k++) {
        dc_index index = track->index[k];
        index.offset = index.offset > lead ? index.offset - lead : 0;
        /* An INDEX 00 that now falls on INDEX 01 is gone. */
        if (index.number == 0 && index1_at_start)
            continue;
        track->index[kept++] = index;
    }
    track->index_count = kept;
    return DC_OK;
}

static dc_status read_disc(nrg_reader *r, dc_error *err)
{
    nrg_session sessions[DC_MAX_TRACKS];
    int session_count;
    if (read_chunk_area(r, err) != DC_OK || walk_chunks(r, err) != DC_OK ||
        find_sessions(r, sessions, &session_count, err) != DC_OK)
        return err->status;
    for (int s = 0; s < session_count; s++) {
        r->session = s + 1;
        if ((sessions[s].etn != NULL
                 ? read_tao_session(r, sessions[s].etn, err)
                 : read_dao_session(r, &sessions[s], err)) != DC_OK)
            return err->status;
    }
    r->image->disc.session_count = session_count;
    if (check_session_info(r, err) != DC_OK || drop_empty_lead(r, err) != DC_OK)
        return err->status;
    /* MTYP (CD, DVD, BD) has no place in the model: DVD images are
     * 2048-byte Mode 1 tracks like any other. */
    return read_cdtext(r, err);
}

static dc_status nrg_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    /* dc_image_read has checked the track and the range. */
    nrg_state *state = image->priv;
    unsigned size = image->disc.tracks[track_index].stored_size;
    return dc_source_read_at(image->source,
                             state->track_offset[track_index] + first * size,
                             buffer, (size_t)count * size, err);
}

static const dc_image_ops nrg_ops = {.read_stored = nrg_read_stored};

dc_status nrg_open(dc_image *image, dc_error *err)
{
    image->ops = &nrg_ops;
    nrg_reader r = {.image = image, .state = image->priv, .footer_id = "NER5"};
    dc_status status = read_disc(&r, err);
    free(r.area);
    free(r.chunks);
    return status;
}

const dc_format dc_format_nrg = {
    .info = {
        .name = "nrg",
        .description = "Nero Burning ROM image (NRG v1/v2)",
        .extensions = "nrg",
        .can_read = true,
        .can_write = true,
        .streams = true,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS |
            DC_CAP_SUBCHANNEL | DC_CAP_CDTEXT,
    .priv_size = sizeof(nrg_state),
    .probe = nrg_probe,
    .open = nrg_open,
    .check = nrg_check,
    .write = nrg_write,
};
