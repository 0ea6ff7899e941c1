/*
 * Nero Burning ROM images (NRG).  The sectors come first; behind them a
 * chain of chunks (4-byte id, 32-bit big-endian length, payload) describes
 * the disc, and a footer at the very end points at the first chunk: "NER5"
 * and a 64-bit offset (v2), or "NERO" and a 32-bit one (v1).
 *
 * Sessions are CUEX/CUES + DAOX/DAOI pairs (disc-at-once: cue points with
 * absolute LBAs, then per track its file offsets) or one ETN2/ETNF chunk
 * (track-at-once: offsets only, every track after a 150-sector pregap that
 * the file does not hold).  CDTX holds raw CD-TEXT packs.
 *
 * The reader trusts nothing: the chunk area is bounded, walked strictly
 * forward, and every offset and length is checked before use; errors name
 * the chunk and its offset.  The writer makes v2 disc-at-once images.
 */
#include "format.h"
#include "model.h"
#include "sector.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FOOTER_V2_SIZE 12           /* "NER5" + 64-bit offset */
#define FOOTER_V1_SIZE 8            /* "NERO" + 32-bit offset */
#define CHUNK_HEADER_SIZE 8
/* A 99-track disc with 9 KB of CD-TEXT needs well under 64 KiB; the caps
 * only keep a hostile file from costing memory or time. */
#define MAX_CHUNK_AREA (16 * 1024 * 1024)
#define MAX_CHUNKS 4096
#define MAX_CUE_POINTS (2 + DC_MAX_TRACKS * DC_MAX_INDEXES)

#define CUE_POINT_SIZE 8
#define DAO_HEADER_SIZE 22
#define DAOX_ENTRY_SIZE 42
#define DAOI_ENTRY_SIZE 30
#define ETN2_ENTRY_SIZE 32
#define ETNF_ENTRY_SIZE 20

#define TRACK_LEADOUT 0xAA
#define ADR_POSITION 0x1           /* low nibble of a cue point's first byte */
#define CONTROL_DATA 0x4           /* DC_FLAG_DATA as a Q control bit */
#define CONTROL_FLAGS (DC_FLAG_PRE | DC_FLAG_DCP | DC_FLAG_4CH)
#define MEDIA_CD 0x1               /* MTYP: NeroAPI's CD bit */
#define SUBCHANNEL_SECTOR (DC_RAW_SECTOR + DC_SUBCHANNEL_SIZE)

/* Session gaps that no file stores (FORMATS.md 1.9), as the BIN/CUE reader
 * counts them: lead-out + lead-in, then the new session's pregap. */
#define FIRST_SESSION_GAP 11250
#define LATER_SESSION_GAP 6750
#define TAO_PREGAP 150

/* ---------------------------------------------------------------------- */
/* Mode codes (DAO entry byte 14, ETN mode low byte)                       */
/* ---------------------------------------------------------------------- */

typedef enum mode_family {
    FAMILY_AUDIO,
    FAMILY_MODE1,
    FAMILY_MODE2
} mode_family;

typedef struct mode_code {
    uint8_t code;
    mode_family family;
    unsigned size;         /* bytes per sector the code stands for */
} mode_code;

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

static const mode_code *code_by_layout(mode_family family, unsigned size)
{
    for (int i = 0; i < MODE_CODE_COUNT; i++)
        if (mode_codes[i].family == family && mode_codes[i].size == size)
            return &mode_codes[i];
    return NULL;
}

static mode_family family_of(dc_track_mode mode)
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

static void put_be(uint8_t *p, uint64_t value, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, value >>= 8)
        p[i] = (uint8_t)value;
}

static bool bcd_valid(uint8_t b) { return (b >> 4) <= 9 && (b & 0xF) <= 9; }
static int from_bcd(uint8_t b) { return (b >> 4) * 10 + (b & 0xF); }
static uint8_t to_bcd(int v) { return (uint8_t)((v / 10) << 4 | v % 10); }

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

static int nrg_probe(const dc_probe_input *input)
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
        return dc_fail(err, DC_ERR_FORMAT, "%s: no NER5 or NERO footer at "
                       "the end: not an NRG image", r->image->path);
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
    if (code_by_layout(code->family, size) == NULL)
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

/* A 12-character ISRC: country, owner, year and serial. */
static bool isrc_valid(const uint8_t *s)
{
    for (int i = 0; i < 12; i++) {
        bool ok = i < 2 ? isupper(s[i]) : i < 5 ? isalnum(s[i]) : isdigit(s[i]);
        if (!ok)
            return false;
    }
    return true;
}

static void take_isrc(nrg_reader *r, const nrg_chunk *chunk,
                      const uint8_t *bytes, dc_track *track)
{
    if (bytes[0] == '\0')
        return;
    if (!isrc_valid(bytes)) {
        dc_image_warn(r->image, "%s: chunk %s at offset %lld: track %d's "
                      "ISRC is not 12 valid characters; ignored",
                      r->image->path, chunk->id, (long long)chunk->offset,
                      track->number);
        return;
    }
    memcpy(track->isrc, bytes, 12);
    track->isrc[12] = '\0';
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
static void check_session_info(nrg_reader *r)
{
    const dc_disc *disc = &r->image->disc;
    int session = 0;
    for (int i = 0; i < r->chunk_count; i++) {
        const nrg_chunk *c = &r->chunks[i];
        if (!is_chunk(c, "SINF") || c->size < 4)
            continue;
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
        return dc_disc_set_cdtext_packs(&r->image->disc, c->data, c->size,
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
    check_session_info(r);
    if (drop_empty_lead(r, err) != DC_OK)
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

static dc_status nrg_open(dc_image *image, dc_error *err)
{
    image->ops = &nrg_ops;
    nrg_reader r = {.image = image, .state = image->priv, .footer_id = "NER5"};
    dc_status status = read_disc(&r, err);
    free(r.area);
    free(r.chunks);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

/* How one track goes into the image. */
typedef struct track_plan {
    const mode_code *code;
    dc_sector_form form;
    int64_t lead;        /* empty sectors written before (track 1: from
                            LBA -150, as Nero stores it) */
    int64_t first_lba;   /* of the first sector written, in the image */
    int64_t offset;      /* file offset of that sector */
    int64_t index1;      /* file offset of INDEX 01 */
    int64_t end;         /* file offset after the track */
    int session;         /* in the image, 1-based */
} track_plan;

/*
 * Sector storage.  By default a track keeps the size its source stores:
 * cooked (2048) Mode 1 stays cooked -- nothing to invent, 13% smaller, what
 * Nero writes for data discs, and the layout nrg2iso and libcdio read (their
 * DAO readers know mode 0x00, not 0x05) -- while raw sources stay raw, so
 * their EDC/ECC travel as dumped, bad ones included.  Subchannel travels
 * only from a source that has it.
 */
static dc_sector_form choose_form(const dc_track *track, dc_framing framing)
{
    bool subchannel = track->has_subchannel &&
                      track->stored_size == SUBCHANNEL_SECTOR;
    if (track->mode == DC_MODE_AUDIO)
        return subchannel && framing != DC_FRAMING_RAW ? DC_FORM_STORED
                                                       : DC_FORM_RAW;
    bool cooked = track->stored_size < DC_RAW_SECTOR;
    if (framing == DC_FRAMING_RAW || (framing == DC_FRAMING_DEFAULT && !cooked))
        return subchannel && framing == DC_FRAMING_DEFAULT ? DC_FORM_STORED
                                                           : DC_FORM_RAW;
    /* Cooked: 2048 holds Mode 1 and Form 1; any other Mode 2 keeps its
     * subheaders in 2336 bytes, so no Form 2 sector is cut. */
    if (track->mode == DC_MODE_MODE1 || track->mode == DC_MODE_MODE2_FORM1)
        return DC_FORM_USER;
    return DC_FORM_MODE2_2336;
}

static bool track_selected(const dc_write_job *job, const dc_track *track)
{
    return job->options->track_number == 0 ||
           job->options->track_number == track->number;
}

/* Plans every selected track: storage, addresses in the image, offsets.
 * One selected track moves to LBA 0 (its sectors keep their headers, as in
 * a one-track cue). */
static dc_status plan_tracks(const dc_write_job *job, track_plan *plans,
                             dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    int64_t offset = 0, shift = 0;
    int session = 0, previous_session = 0;
    bool first = true;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (!track_selected(job, t))
            continue;
        track_plan *p = &plans[i];
        /* choose_form picks only layouts that have a mode code. */
        p->form = choose_form(t, job->options->framing);
        p->code = code_by_layout(family_of(t->mode),
                                 (unsigned)dc_sector_form_size(t, p->form));
        int64_t first_lba = t->start_lba - t->pregap_unstored;
        if (first) {
            shift = job->options->track_number != 0 ? first_lba : 0;
            p->lead = first_lba - shift + DC_PREGAP_TRACK1;
            if (p->lead < 0)
                return dc_fail(err, DC_ERR_CANNOT_HOLD, "%s: track %d starts "
                               "at LBA %lld, before the -150 an NRG can "
                               "hold", job->source->path, t->number,
                               (long long)first_lba);
        }
        if (first || t->session != previous_session)
            session++;
        previous_session = t->session;
        first = false;
        unsigned size = p->code->size;
        p->session = session;
        p->first_lba = first_lba - shift - p->lead;
        p->offset = offset;
        p->index1 = offset + (p->lead + t->pregap_unstored +
                              dc_track_pregap(t)) * size;
        p->end = offset + (p->lead + t->pregap_unstored + t->length +
                           t->postgap_unstored) * size;
        offset = p->end;
    }
    return DC_OK;
}

static dc_status nrg_check(const dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    if (plans == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = plan_tracks(job, plans, err);
    free(plans);
    return status;
}

/* A growing chunk area. */
typedef struct byte_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool failed;
} byte_buffer;

/* Room for n more bytes (zeroed); NULL once an allocation has failed. */
static uint8_t *reserve(byte_buffer *b, size_t n)
{
    if (b->failed)
        return NULL;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        uint8_t *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->failed = true;
            return NULL;
        }
        b->data = grown;
        b->cap = cap;
    }
    uint8_t *p = b->data + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

/* Starts a chunk; returns where its header begins so that end_chunk can
 * fill in the length. */
static size_t begin_chunk(byte_buffer *b, const char *id)
{
    size_t at = b->len;
    uint8_t *p = reserve(b, CHUNK_HEADER_SIZE);
    if (p != NULL)
        memcpy(p, id, 4);
    return at;
}

static void end_chunk(byte_buffer *b, size_t at)
{
    if (!b->failed)
        put_be(b->data + at + 4, b->len - at - CHUNK_HEADER_SIZE, 4);
}

static void add_u32_chunk(byte_buffer *b, const char *id, uint32_t value)
{
    size_t at = begin_chunk(b, id);
    uint8_t *p = reserve(b, 4);
    if (p != NULL)
        put_be(p, value, 4);
    end_chunk(b, at);
}

static void put_cue_point(byte_buffer *b, unsigned control, int track,
                          int index, int64_t lba)
{
    uint8_t *p = reserve(b, CUE_POINT_SIZE);
    if (p == NULL)
        return;
    p[0] = (uint8_t)(control << 4 | ADR_POSITION);
    p[1] = track == TRACK_LEADOUT ? TRACK_LEADOUT : to_bcd(track);
    p[2] = to_bcd(index);
    put_be(p + 4, (uint32_t)(int32_t)lba, 4);
}

static unsigned control_of(const dc_track *track)
{
    return (track->flags & CONTROL_FLAGS) |
           (dc_track_is_data(track) ? CONTROL_DATA : 0);
}

/* Lead-in, then index 0 (where the written sectors start, as Nero always
 * lists it), index 1 and any later index of each track, then lead-out. */
static void add_cuex(byte_buffer *b, const dc_disc *disc,
                     const track_plan *plans, int from, int to)
{
    size_t at = begin_chunk(b, "CUEX");
    put_cue_point(b, control_of(&disc->tracks[from]) & CONTROL_DATA, 0, 0,
                  plans[from].first_lba);
    int64_t leadout = 0;
    int last = from;
    for (int i = from; i < to; i++) {
        const dc_track *t = &disc->tracks[i];
        const track_plan *p = &plans[i];
        if (p->code == NULL)
            continue;
        unsigned size = p->code->size;
        int64_t stored_lba = p->first_lba + p->lead + t->pregap_unstored;
        put_cue_point(b, control_of(t), t->number, 0, p->first_lba);
        for (int k = 0; k < t->index_count; k++)
            if (t->index[k].number > 0)
                put_cue_point(b, control_of(t), t->number, t->index[k].number,
                              stored_lba + t->index[k].offset);
        leadout = p->first_lba + (p->end - p->offset) / size;
        last = i;
    }
    put_cue_point(b, control_of(&disc->tracks[last]) & CONTROL_DATA,
                  TRACK_LEADOUT, 1, leadout);
    end_chunk(b, at);
}

static void add_daox(byte_buffer *b, const dc_disc *disc,
                     const track_plan *plans, int from, int to)
{
    size_t at = begin_chunk(b, "DAOX");
    reserve(b, DAO_HEADER_SIZE);
    int first_number = 0, last_number = 0;
    for (int i = from; i < to; i++) {
        if (plans[i].code == NULL)
            continue;
        const dc_track *t = &disc->tracks[i];
        const track_plan *p = &plans[i];
        first_number = first_number != 0 ? first_number : t->number;
        last_number = t->number;
        uint8_t *e = reserve(b, DAOX_ENTRY_SIZE);
        if (e == NULL)
            return;
        memcpy(e, t->isrc, strlen(t->isrc));
        put_be(e + 12, p->code->size, 2);
        e[14] = p->code->code;
        e[17] = 1; /* unknown; Nero writes 1 */
        put_be(e + 18, (uint64_t)p->offset, 8);
        put_be(e + 26, (uint64_t)p->index1, 8);
        put_be(e + 34, (uint64_t)p->end, 8);
    }
    if (b->failed)
        return;
    /* Filled in last: the entries decide the track numbers. */
    uint8_t *h = b->data + at + CHUNK_HEADER_SIZE;
    put_be(h, b->len - at - CHUNK_HEADER_SIZE, 4); /* repeated length */
    memcpy(h + 4, disc->mcn, strlen(disc->mcn));
    h[19] = 1; /* unknown; Nero writes 1 */
    h[20] = (uint8_t)first_number;
    h[21] = (uint8_t)last_number;
    end_chunk(b, at);
}

/* Per session CUEX, DAOX (CDTX after the first, as Nero orders them) and
 * SINF; then MTYP, END! and the footer pointing at the first chunk. */
/* CD-TEXT packs: the source's own, or made from its fields. */
typedef struct packs {
    const uint8_t *data;
    size_t size;
} packs;

static void build_chunks(byte_buffer *b, const dc_write_job *job,
                         const track_plan *plans, const packs *cdtext,
                         int64_t first_chunk)
{
    const dc_disc *disc = &job->source->disc;
    for (int from = 0; from < disc->track_count;) {
        if (plans[from].code == NULL) {
            from++;
            continue;
        }
        int to = from + 1, tracks = 1;
        while (to < disc->track_count &&
               (plans[to].code == NULL ||
                plans[to].session == plans[from].session))
            tracks += plans[to++].code != NULL;
        add_cuex(b, disc, plans, from, to);
        add_daox(b, disc, plans, from, to);
        /* The packs describe every track: one track leaves them out. */
        if (plans[from].session == 1 && cdtext->data != NULL &&
            job->options->track_number == 0) {
            size_t at = begin_chunk(b, "CDTX");
            uint8_t *p = reserve(b, cdtext->size);
            if (p != NULL)
                memcpy(p, cdtext->data, cdtext->size);
            end_chunk(b, at);
        }
        add_u32_chunk(b, "SINF", (uint32_t)tracks);
        from = to;
    }
    add_u32_chunk(b, "MTYP", MEDIA_CD);
    end_chunk(b, begin_chunk(b, "END!"));
    uint8_t *footer = reserve(b, FOOTER_V2_SIZE);
    if (footer != NULL) {
        memcpy(footer, "NER5", 4);
        put_be(footer + 4, (uint64_t)first_chunk, 8);
    }
}

static dc_status write_track(dc_write_job *job, dc_output *out, int i,
                             const track_plan *p, dc_error *err)
{
    const dc_track *t = &job->source->disc.tracks[i];
    int64_t first_lba = t->start_lba - t->pregap_unstored;
    /* Generated sectors carry the source's addresses, like the stored
     * ones around them. */
    if (dc_write_gap_sectors(job, out, t, first_lba - p->lead,
                             p->lead + t->pregap_unstored, p->form,
                             err) != DC_OK ||
        dc_write_track_sectors(job, out, i, 0, t->length, p->form,
                               err) != DC_OK)
        return err->status;
    return dc_write_gap_sectors(job, out, t, t->start_lba + t->length,
                                t->postgap_unstored, p->form, err);
}

static dc_status nrg_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    byte_buffer chunks = {0};
    dc_output *out = NULL;
    dc_status status = plans == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : plan_tracks(job, plans, err);
    if (status == DC_OK)
        status = dc_output_set_add(job->outputs, job->output_path, &out, err);
    int64_t data_end = 0;
    for (int i = 0; status == DC_OK && i < disc->track_count; i++) {
        if (plans[i].code == NULL)
            continue;
        status = write_track(job, out, i, &plans[i], err);
        data_end = plans[i].end;
    }
    /* A disc whose text came from cue commands has fields but no packs. */
    uint8_t *made = NULL;
    packs cdtext = {disc->cdtext_packs, disc->cdtext_packs_size};
    if (status == DC_OK && cdtext.data == NULL) {
        status = dc_cdtext_encode(disc, &made, &cdtext.size, err);
        cdtext.data = made;
    }
    if (status == DC_OK) {
        build_chunks(&chunks, job, plans, &cdtext, data_end);
        status = chunks.failed
                     ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                     : dc_output_write(out, chunks.data, chunks.len, err);
    }
    free(made);
    free(chunks.data);
    free(plans);
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
            DC_CAP_SUBCHANNEL,
    .priv_size = sizeof(nrg_state),
    .probe = nrg_probe,
    .open = nrg_open,
    .check = nrg_check,
    .write = nrg_write,
};
