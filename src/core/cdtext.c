/*
 * The CD-TEXT pack codec: raw packs (a .cdt file, NRG CDTX, CloneCD
 * [CDText]) to the model's CD-TEXT fields and back, with the packs' CRC.
 * Declared in model.h.
 */
#include "model.h"
#include "paths.h"

#include <cdio/utf8.h>
#include <stdlib.h>
#include <string.h>

#define CDTEXT_PACK_SIZE 18
#define PACK_PAYLOAD 12

/* --- decoding CD-TEXT packs ----------------------------------------------
 * Hand-written because libcdio 2.1.0's parser files every string that ends
 * in a pack under the pack's *first* track: short titles sharing a pack all
 * land on one track.  Per MMC, a pack names the track of its first byte
 * and each later string in the stream belongs to the next track. */

#define PACK_TEXT_FIRST 0x80
#define PACK_GENRE 0x87
#define PACK_UPC_ISRC 0x8E
#define PACK_SIZE_INFO 0x8F
#define MAX_CDTEXT_STRING 1024
#define CHARSET_ASCII 0x01

/* Our field for a text pack type; -1 for packs we do not read. */
static int field_of_pack(int type)
{
    static const int fields[] = {
        DC_CDTEXT_TITLE, DC_CDTEXT_PERFORMER, DC_CDTEXT_SONGWRITER,
        DC_CDTEXT_COMPOSER, DC_CDTEXT_ARRANGER, DC_CDTEXT_MESSAGE,
        DC_CDTEXT_DISC_ID, DC_CDTEXT_GENRE,
    };
    if (type >= PACK_TEXT_FIRST && type <= PACK_GENRE)
        return fields[type - PACK_TEXT_FIRST];
    return type == PACK_UPC_ISRC ? DC_CDTEXT_UPC_ISRC : -1;
}

typedef struct pack_reader {
    dc_disc *disc;
    const char *charset;   /* of block 0 */
    int first_track;       /* the track after the disc's string */
    char text[MAX_CDTEXT_STRING];
    size_t len;
    int track;             /* whose string is being gathered */
    char previous[MAX_CDTEXT_STRING]; /* the last string of this type */
} pack_reader;

static dc_cdtext *text_of_track(dc_disc *disc, int number)
{
    if (number == 0)
        return &disc->cdtext;
    for (int i = 0; i < disc->track_count; i++)
        if (disc->tracks[i].number == number)
            return &disc->tracks[i].cdtext;
    return NULL; /* text for a track the image does not have */
}

static dc_status finish_string(pack_reader *r, int field, dc_error *err)
{
    r->text[r->len] = '\0';
    /* A lone TAB means "the same as the track before". */
    if (strcmp(r->text, "\t") == 0) {
        r->len = strlen(r->previous);
        memcpy(r->text, r->previous, r->len + 1);
    }
    memcpy(r->previous, r->text, r->len + 1);
    dc_cdtext *text = text_of_track(r->disc, r->track);
    dc_status status = DC_OK;
    if (r->len > 0 && text != NULL && text->field[field] == NULL) {
        cdio_utf8_t *utf8 = NULL;
        /* Bytes the block's character set does not have (0x80 and up in
         * "ASCII") are read as ISO-8859-1, which has them all. */
        if (!cdio_charset_to_utf8(r->text, r->len, &utf8, r->charset) &&
            !cdio_charset_to_utf8(r->text, r->len, &utf8, "ISO-8859-1"))
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        status = dc_cdtext_set(text, field, (const char *)utf8, err);
        free(utf8);
    }
    r->len = 0;
    r->track = r->track == 0 ? r->first_track : r->track + 1;
    return status;
}

static dc_status read_text_pack(pack_reader *r, const uint8_t *pack,
                                int field, dc_error *err)
{
    /* A pack that starts a string restarts the count at its own track;
     * one that continues a string keeps the bytes gathered so far. */
    if ((pack[3] & 0x0F) == 0)
        r->len = 0;
    r->track = pack[1];
    int from = 4;
    /* The first genre pack opens with a two-byte genre code. */
    if (pack[0] == PACK_GENRE && pack[1] == 0 && (pack[3] & 0x0F) == 0)
        from += 2;
    for (int k = from; k < 4 + PACK_PAYLOAD; k++) {
        if (pack[k] == 0) {
            if (finish_string(r, field, err) != DC_OK)
                return err->status;
        } else if (r->len + 1 < sizeof r->text) {
            r->text[r->len++] = (char)pack[k];
        }
    }
    return DC_OK;
}

/* Block 0's character set and first track, from its size information. */
static void read_size_info(pack_reader *r, const uint8_t *data, size_t size)
{
    r->charset = "ISO-8859-1";
    r->first_track = 1;
    for (size_t at = 0; at < size; at += CDTEXT_PACK_SIZE) {
        const uint8_t *pack = data + at;
        if (pack[0] == PACK_SIZE_INFO && pack[1] == 0 &&
            (pack[3] & 0x70) == 0) {
            if (pack[4] == CHARSET_ASCII)
                r->charset = "ASCII";
            if (pack[5] >= 1 && pack[5] <= DC_MAX_TRACKS)
                r->first_track = pack[5];
        }
    }
}

static dc_status decode_packs(dc_disc *disc, const uint8_t *data, size_t size,
                              dc_error *err)
{
    pack_reader r = {.disc = disc};
    read_size_info(&r, data, size);
    int last_type = -1;
    for (size_t at = 0; at < size; at += CDTEXT_PACK_SIZE) {
        const uint8_t *pack = data + at;
        int field = field_of_pack(pack[0]);
        /* Block 0 only (one language), single-byte characters only. */
        if (field < 0 || (pack[3] & 0xF0) != 0)
            continue;
        if (pack[0] != last_type)
            r.len = r.previous[0] = 0;
        last_type = pack[0];
        if (read_text_pack(&r, pack, field, err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

dc_status dc_disc_set_cdtext_packs(dc_disc *disc, const uint8_t *data,
                                   size_t size, const char *origin,
                                   dc_error *err)
{
    /* Some .cdt files keep the 4-byte MMC READ TOC header (big-endian
     * length + 2 reserved bytes) or end with one NUL byte. */
    if (size >= 5 && data[0] < 0x80 &&
        (size_t)((data[0] << 8 | data[1]) + 2) == size &&
        data[4] >= 0x80 && data[4] <= 0x8F) {
        data += 4;
        size -= 4;
    }
    if (size % CDTEXT_PACK_SIZE == 1)
        size--;
    if (size == 0 || size % CDTEXT_PACK_SIZE != 0)
        return dc_fail(err, DC_ERR_FORMAT,
                       "%s: CD-TEXT is %zu bytes, not a whole number of "
                       "18-byte packs", origin, size);
    for (size_t at = 0; at < size; at += CDTEXT_PACK_SIZE)
        if (data[at] < 0x80 || data[at] > PACK_SIZE_INFO)
            return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT pack at offset "
                           "%zu has type 0x%02X, not 0x80-0x8F", origin, at,
                           data[at]);
    uint8_t *kept = malloc(size);
    if (kept == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    memcpy(kept, data, size);
    free(disc->cdtext_packs);
    disc->cdtext_packs = kept;
    disc->cdtext_packs_size = size;
    return decode_packs(disc, data, size, err);
}

/* --- encoding CD-TEXT packs ----------------------------------------------
 * Written from the MMC/Red Book description of the pack stream: each text
 * type is one run of NUL-terminated strings (disc first, then tracks) cut
 * into 12-byte payloads; a pack carries the track its first byte belongs
 * to and how far into that string it starts; three 0x8F packs close the
 * block with its size information.  Hand-written: libcdio parses packs but
 * cannot make them. */

#define MAX_PACKS 253            /* sequence numbers are one byte */
#define LANGUAGE_ENGLISH 0x09

typedef struct pack_writer {
    uint8_t *data;
    int count;                  /* packs written */
    int per_type[16];           /* by type - 0x80 */
    bool overflow;
} pack_writer;

/* CRC-16/CCITT (0x1021, initial 0) over a pack, stored inverted. */
static uint16_t pack_crc(const uint8_t *pack)
{
    uint16_t crc = 0;
    for (int i = 0; i < 16; i++) {
        crc ^= (uint16_t)(pack[i] << 8);
        for (int bit = 0; bit < 8; bit++)
            crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021)
                               : (uint16_t)(crc << 1);
    }
    return (uint16_t)~crc;
}

static void add_pack(pack_writer *w, int type, int track, int position,
                     const uint8_t *payload)
{
    if (w->count >= MAX_PACKS) {
        w->overflow = true;
        return;
    }
    uint8_t *p = w->data + (size_t)w->count * CDTEXT_PACK_SIZE;
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)track;
    p[2] = (uint8_t)w->count;
    p[3] = (uint8_t)(position < 15 ? position : 15); /* block 0 */
    memcpy(p + 4, payload, PACK_PAYLOAD);
    uint16_t crc = pack_crc(p);
    p[16] = (uint8_t)(crc >> 8);
    p[17] = (uint8_t)crc;
    w->count++;
    w->per_type[type - 0x80]++;
}

/* A field as ISO-8859-1, what CD-TEXT block 0 holds ('?' for the rest). */
static char *latin1_of(const char *utf8)
{
    char *out = dc_strdup(utf8 != NULL ? utf8 : "");
    if (out == NULL)
        return NULL;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)utf8; p && *p; p++) {
        if (*p < 0x80)
            out[n++] = (char)*p;
        else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            unsigned c = (unsigned)(*p & 0x1F) << 6 | (p[1] & 0x3F);
            out[n++] = c < 0x100 ? (char)c : '?';
            p++;
        } else if ((*p & 0xC0) != 0x80) {
            out[n++] = '?';
        }
    }
    out[n] = '\0';
    return out;
}

/* One text type: the disc's string, then each track's, as packs. */
static dc_status add_text_packs(pack_writer *w, const dc_disc *disc, int type,
                                dc_cdtext_field field, dc_error *err)
{
    bool any = disc->cdtext.field[field] != NULL;
    for (int i = 0; i < disc->track_count; i++)
        any |= disc->tracks[i].cdtext.field[field] != NULL;
    if (!any)
        return DC_OK;
    uint8_t payload[PACK_PAYLOAD];
    int used = 0, pack_track = 0, pack_position = 0;
    for (int i = -1; i < disc->track_count; i++) {
        const dc_cdtext *text = i < 0 ? &disc->cdtext : &disc->tracks[i].cdtext;
        char *s = latin1_of(text->field[field]);
        if (s == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        size_t len = strlen(s) + 1; /* the NUL ends the string */
        for (size_t k = 0; k < len; k++) {
            if (used == 0) {
                pack_track = i < 0 ? 0 : disc->tracks[i].number;
                pack_position = (int)k;
            }
            payload[used++] = (uint8_t)s[k];
            if (used == PACK_PAYLOAD) {
                add_pack(w, type, pack_track, pack_position, payload);
                used = 0;
            }
        }
        free(s);
    }
    if (used > 0) {
        memset(payload + used, 0, PACK_PAYLOAD - (size_t)used);
        add_pack(w, type, pack_track, pack_position, payload);
    }
    return DC_OK;
}

static void add_size_info(pack_writer *w, const dc_disc *disc)
{
    uint8_t info[3 * PACK_PAYLOAD] = {0};
    info[0] = 0x00; /* ISO-8859-1 */
    info[1] = (uint8_t)disc->tracks[0].number;
    info[2] = (uint8_t)disc->tracks[disc->track_count - 1].number;
    w->per_type[PACK_SIZE_INFO - 0x80] = 3;
    for (int t = 0; t < 16; t++)
        info[4 + t] = (uint8_t)w->per_type[t];
    info[20] = (uint8_t)(w->count + 2); /* last sequence number, block 0 */
    info[28] = LANGUAGE_ENGLISH;
    for (int i = 0; i < 3; i++)
        add_pack(w, PACK_SIZE_INFO, i, 0, info + i * PACK_PAYLOAD);
}

dc_status dc_cdtext_encode(const dc_disc *disc, uint8_t **packs, size_t *size,
                           dc_error *err)
{
    static const struct { int type; dc_cdtext_field field; } text_types[] = {
        {0x80, DC_CDTEXT_TITLE},      {0x81, DC_CDTEXT_PERFORMER},
        {0x82, DC_CDTEXT_SONGWRITER}, {0x83, DC_CDTEXT_COMPOSER},
        {0x84, DC_CDTEXT_ARRANGER},   {0x85, DC_CDTEXT_MESSAGE},
        {0x86, DC_CDTEXT_DISC_ID},
    };
    *packs = NULL;
    *size = 0;
    if (disc->track_count == 0)
        return DC_OK;
    pack_writer w = {.data = malloc((size_t)MAX_PACKS * CDTEXT_PACK_SIZE)};
    if (w.data == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < sizeof text_types / sizeof text_types[0]; i++)
        if (add_text_packs(&w, disc, text_types[i].type, text_types[i].field,
                           err) != DC_OK) {
            free(w.data);
            return err->status;
        }
    if (w.count == 0) {
        free(w.data);
        return DC_OK;
    }
    add_size_info(&w, disc);
    if (w.overflow) {
        free(w.data);
        return dc_fail(err, DC_ERR_CANNOT_HOLD, "the CD-TEXT is longer than "
                       "one block of %d packs holds", MAX_PACKS);
    }
    *packs = w.data;
    *size = (size_t)w.count * CDTEXT_PACK_SIZE;
    return DC_OK;
}
