/*
 * The CD-TEXT pack codec: raw packs (a .cdt file, NRG CDTX, CloneCD
 * [CDText]) to the model's CD-TEXT blocks and back, with the packs' CRC.
 * Declared in model.h.
 *
 * Written from the MMC-3 Annex J / Red Book description of the pack
 * stream as libburn's doc/cdtext.txt and libcdio's cd-text-format.texi
 * retell it.  Each pack is 18 bytes: type (0x80..0x8F), track number,
 * sequence number, a byte with the double-byte flag (bit 7), the block
 * (bits 6-4) and the character position (bits 3-0), 12 payload bytes and
 * a CRC.  The packs of one block (one language) come together, numbered
 * from their own sequence start; each text type is one run of
 * NUL-terminated strings (disc first, then the tracks) cut into payloads,
 * and three 0x8F packs close the block with its size information.
 * Hand-written: libcdio 2.1.0 reads packs but files every string that
 * ends in a pack under the pack's first track, skips double-byte text,
 * and cannot make packs at all.
 */
#include "format.h"
#include "model.h"
#include "sector.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACK_SIZE 18
#define PAYLOAD 12
#define PACK_TITLE 0x80
#define PACK_DISC_ID 0x86
#define PACK_GENRE 0x87
#define PACK_UPC_ISRC 0x8E
#define PACK_SIZE_INFO 0x8F
#define TYPE_COUNT 16          /* 0x80..0x8F */
#define SIZE_INFO_BYTES 36     /* three 0x8F payloads */
#define MAX_BLOCK_PACKS 256    /* sequence numbers are one byte */
#define MAX_STRING 4096
#define TAB 0x09
#define LANGUAGE_ENGLISH 0x09
#define COPYRIGHTED 0x03       /* size information byte 3 */

/* --- names ------------------------------------------------------------- */

/* EBU Tech 3264 language codes as CD-TEXT uses them: 0x01..0x2B European
 * languages, 0x45..0x7F the others. */
static const char *const european_languages[] = {
    "unknown", "Albanian", "Breton", "Catalan", "Croatian", "Welsh",
    "Czech", "Danish", "German", "English", "Spanish", "Esperanto",
    "Estonian", "Basque", "Faroese", "French", "Frisian", "Irish",
    "Gaelic", "Galician", "Icelandic", "Italian", "Lappish", "Latin",
    "Latvian", "Luxembourgian", "Lithuanian", "Hungarian", "Maltese",
    "Dutch", "Norwegian", "Occitan", "Polish", "Portuguese", "Romanian",
    "Romansh", "Serbian", "Slovak", "Slovenian", "Finnish", "Swedish",
    "Turkish", "Flemish", "Wallon",
};
static const char *const other_languages[] = {
    "Zulu", "Vietnamese", "Uzbek", "Urdu", "Ukrainian", "Thai", "Telugu",
    "Tatar", "Tamil", "Tadzhik", "Swahili", "Sranan Tongo", "Somali",
    "Sinhalese", "Shona", "Serbo-croat", "Ruthenian", "Russian", "Quechua",
    "Pushtu", "Punjabi", "Persian", "Papamiento", "Oriya", "Nepali",
    "Ndebele", "Marathi", "Moldavian", "Malaysian", "Malagasay",
    "Macedonian", "Laotian", "Korean", "Khmer", "Kazakh", "Kannada",
    "Japanese", "Indonesian", "Hindi", "Hebrew", "Hausa", "Gurani",
    "Gujurati", "Greek", "Georgian", "Fulani", "Dari", "Churash",
    "Chinese", "Burmese", "Bulgarian", "Bengali", "Bielorussian",
    "Bambora", "Azerbaijani", "Assamese", "Armenian", "Arabic", "Amharic",
};
#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define FIRST_OTHER_LANGUAGE 0x45

const char *dc_cdtext_language_name(int language)
{
    if (language >= 0 && language < COUNT_OF(european_languages))
        return european_languages[language];
    int other = language - FIRST_OTHER_LANGUAGE;
    if (other >= 0 && other < COUNT_OF(other_languages))
        return other_languages[other];
    return "unknown";
}

const char *dc_cdtext_charset_name(int charset)
{
    switch (charset) {
    case DC_CDTEXT_ISO_8859_1: return "ISO-8859-1";
    case DC_CDTEXT_ASCII: return "ASCII";
    case DC_CDTEXT_MS_JIS: return "MS-JIS";
    case DC_CDTEXT_KOREAN: return "Korean";
    case DC_CDTEXT_MANDARIN: return "Mandarin";
    }
    return "unknown";
}

const char *dc_cdtext_genre_name(int genre_code)
{
    static const char *const genres[] = {
        "Not Used", "Not Defined", "Adult Contemporary", "Alternative Rock",
        "Childrens Music", "Classical", "Contemporary Christian", "Country",
        "Dance", "Easy Listening", "Erotic", "Folk", "Gospel", "Hip Hop",
        "Jazz", "Latin", "Musical", "New Age", "Opera", "Operetta",
        "Pop Music", "Rap", "Reggae", "Rock Music", "Rhythm & Blues",
        "Sound Effects", "Spoken Word", "World Music",
    };
    return genre_code >= 0 && genre_code < COUNT_OF(genres)
               ? genres[genre_code]
               : NULL;
}

/* Our field for a pack type; -1 for packs the model does not keep (TOC,
 * closed information, size information). */
static int field_of_pack(int type)
{
    static const int fields[] = {
        DC_CDTEXT_TITLE, DC_CDTEXT_PERFORMER, DC_CDTEXT_SONGWRITER,
        DC_CDTEXT_COMPOSER, DC_CDTEXT_ARRANGER, DC_CDTEXT_MESSAGE,
        DC_CDTEXT_DISC_ID, DC_CDTEXT_GENRE,
    };
    if (type >= PACK_TITLE && type <= PACK_GENRE)
        return fields[type - PACK_TITLE];
    return type == PACK_UPC_ISRC ? DC_CDTEXT_UPC_ISRC : -1;
}

/* Types whose text is in the block's character set; disc id, genre and
 * UPC/ISRC are ASCII/ISO-8859-1 whatever the block says. */
static bool in_block_charset(int type)
{
    return type >= PACK_TITLE && type < PACK_DISC_ID;
}

/* The iconv name of a character set we read and write, or NULL. */
static const char *iconv_name(int charset)
{
    switch (charset) {
    case DC_CDTEXT_ISO_8859_1:
    case DC_CDTEXT_ASCII: /* bytes above 0x7F read as Latin-1 */
        return "ISO-8859-1";
    case DC_CDTEXT_MS_JIS:
        return "CP932"; /* Microsoft's Shift-JIS, what discs carry */
    }
    return NULL;
}

const dc_cdtext *dc_disc_cdtext(const dc_disc *disc, int block)
{
    if (block < 0 || block >= DC_CDTEXT_MAX_BLOCKS)
        return NULL;
    return block == 0 ? &disc->cdtext : &disc->cdtext_other[block - 1];
}

const dc_cdtext *dc_track_cdtext(const dc_track *track, int block)
{
    if (block < 0 || block >= DC_CDTEXT_MAX_BLOCKS)
        return NULL;
    return block == 0 ? &track->cdtext : &track->cdtext_other[block - 1];
}

/* The subcode CRC over a pack's first 16 bytes, stored
 * inverted and big-endian. */
static uint16_t pack_crc(const uint8_t *pack)
{
    return (uint16_t)~dc_subcode_crc(pack, 16);
}

/* --- decoding: the structure ------------------------------------------ */

static int block_of(const uint8_t *pack) { return pack[3] >> 4 & 7; }
static bool double_byte(const uint8_t *pack) { return pack[3] & 0x80; }

/* One block as found in the stream. */
typedef struct found_block {
    int number;              /* as the packs say, 0..7 */
    size_t first, end;       /* pack indexes [first, end) */
    int count[TYPE_COUNT];   /* packs per type */
    uint8_t info[SIZE_INFO_BYTES];
    unsigned info_parts;     /* bit n: the 0x8F pack of part n was seen */
} found_block;

typedef struct pack_stream {
    dc_disc *disc;
    dc_image *image;         /* where warnings go, or NULL */
    const uint8_t *data;
    size_t packs;
    const char *origin;
    found_block blocks[DC_CDTEXT_MAX_BLOCKS];
    int block_count;
} pack_stream;

static void warn(const pack_stream *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(const pack_stream *s, const char *fmt, ...)
{
    if (s->image == NULL)
        return;
    char message[512];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    dc_image_warn(s->image, "%s: %s", s->origin, message);
}

/* Splits the stream into blocks and checks what can be checked: blocks
 * in ascending order, sequence numbers consecutive within a block, the
 * size information agreeing with the packs it counts. */
static dc_status find_blocks(pack_stream *s, dc_error *err)
{
    size_t bad_crc = 0, first_bad = 0;
    for (size_t i = 0; i < s->packs; i++) {
        const uint8_t *pack = s->data + i * PACK_SIZE;
        int number = block_of(pack);
        found_block *b = s->block_count > 0 ? &s->blocks[s->block_count - 1]
                                            : NULL;
        if (b == NULL || number != b->number) {
            if (b != NULL && number < b->number)
                return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT pack at "
                               "offset %zu belongs to block %d, after "
                               "block %d", s->origin, i * PACK_SIZE, number,
                               b->number);
            b = &s->blocks[s->block_count++];
            memset(b, 0, sizeof *b);
            b->number = number;
            b->first = i;
        } else {
            uint8_t previous = s->data[(i - 1) * PACK_SIZE + 2];
            if (pack[2] != (uint8_t)(previous + 1))
                return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT pack at "
                               "offset %zu has sequence number %d after %d",
                               s->origin, i * PACK_SIZE, pack[2], previous);
        }
        b->end = i + 1;
        b->count[pack[0] - PACK_TITLE]++;
        if (pack[0] == PACK_SIZE_INFO) {
            int part = pack[1];
            if (part > 2 || (b->info_parts & 1u << part))
                return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT pack at "
                               "offset %zu is size information part %d of "
                               "block %d, which has parts 0, 1 and 2 once",
                               s->origin, i * PACK_SIZE, part, number);
            b->info_parts |= 1u << part;
            memcpy(b->info + part * PAYLOAD, pack + 4, PAYLOAD);
        }
        uint16_t crc = (uint16_t)(pack[16] << 8 | pack[17]);
        if (crc != pack_crc(pack) && bad_crc++ == 0)
            first_bad = i * PACK_SIZE;
    }
    /* Readers of a disc get these packs with errors corrected or not at
     * all; in a file a bad CRC is damage, but the text may be fine. */
    if (bad_crc > 0)
        warn(s, "%zu of %zu CD-TEXT packs fail their "
                      "CRC (the first at offset %zu); read as they are",
                      bad_crc, s->packs, first_bad);
    for (int k = 0; k < s->block_count; k++) {
        found_block *b = &s->blocks[k];
        if (b->info_parts != 7) {
            warn(s, "CD-TEXT block %d has no complete "
                          "size information; read as ISO-8859-1, language "
                          "unknown", b->number);
            continue;
        }
        for (int t = 0; t < TYPE_COUNT; t++)
            if (b->info[4 + t] != b->count[t])
                return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT block %d's "
                               "size information counts %d packs of type "
                               "0x%02X, the block holds %d", s->origin,
                               b->number, b->info[4 + t], PACK_TITLE + t,
                               b->count[t]);
        uint8_t last = s->data[(b->end - 1) * PACK_SIZE + 2];
        if (b->info[20 + b->number] != last)
            return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT block %d's size "
                           "information gives %d as its last sequence "
                           "number, its last pack has %d", s->origin,
                           b->number, b->info[20 + b->number], last);
    }
    return DC_OK;
}

/* --- decoding: the text ------------------------------------------------ */

typedef struct text_reader {
    pack_stream *stream;
    int block;               /* the model's block */
    int charset;
    bool charset_known;      /* one we decode */
    int first_track;         /* the track after the disc's string */
    int type;                /* the pack type being read */
    uint8_t text[MAX_STRING];
    size_t len;
    int track;               /* whose string is being gathered */
    char *previous;          /* the last string of this type, for TAB */
    bool previous_bad;       /* ... which did not decode */
} text_reader;

static dc_cdtext *text_of_track(dc_disc *disc, int block, int number)
{
    if (number == 0)
        return (dc_cdtext *)dc_disc_cdtext(disc, block);
    for (int i = 0; i < disc->track_count; i++)
        if (disc->tracks[i].number == number)
            return (dc_cdtext *)dc_track_cdtext(&disc->tracks[i], block);
    return NULL; /* text for a track the image does not have */
}

/* The gathered bytes as UTF-8, or NULL if they are not valid in their
 * character set. */
static char *decode_string(const text_reader *r, bool wide)
{
    const char *charset = "ISO-8859-1";
    if (in_block_charset(r->type) || wide)
        charset = iconv_name(r->charset);
    return dc_text_from_charset((const char *)r->text, r->len, charset);
}

static dc_status finish_string(text_reader *r, bool wide, dc_error *err)
{
    dc_disc *disc = r->stream->disc;
    int field = field_of_pack(r->type);
    char *value = NULL;
    bool bad = false;
    /* A lone TAB (two in double-byte text) means "as the string before". */
    bool tab = wide ? r->len == 2 && r->text[0] == TAB && r->text[1] == TAB
                    : r->len == 1 && r->text[0] == TAB;
    if (tab) {
        bad = r->previous_bad;
        value = r->previous != NULL ? dc_strdup(r->previous) : NULL;
        if (r->previous != NULL && value == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    } else if (r->len > 0) {
        value = decode_string(r, wide);
        bad = value == NULL;
    }
    if (bad && !r->previous_bad && !tab)
        warn(r->stream, "CD-TEXT block %d has a %s "
                      "string (track %d) that is not valid %s; left out",
                      r->block, r->type == PACK_GENRE
                      ? "genre" : "text", r->track,
                      dc_cdtext_charset_name(r->charset));
    free(r->previous);
    r->previous = value;
    r->previous_bad = bad;
    dc_cdtext *text = text_of_track(disc, r->block, r->track);
    dc_status status = DC_OK;
    if (value != NULL && value[0] != '\0' && text != NULL &&
        text->field[field] == NULL)
        status = dc_cdtext_set(text, field, value, err);
    r->len = 0;
    r->track = r->track == 0 ? r->first_track : r->track + 1;
    return status;
}

/* The genre pack opens with a two-byte code; some writers repeat it at
 * the start of every genre pack (libcdio's test disc does). */
static int genre_code_bytes(text_reader *r, const uint8_t *payload)
{
    dc_cdtext_block *info = &r->stream->disc->cdtext_block[r->block];
    int code = payload[0] << 8 | payload[1];
    bool opening = r->len == 0 && r->track == 0 && r->previous == NULL;
    bool repeated = payload[0] < 0x20 && code == info->genre_code &&
                    code != 0;
    if (!opening && !repeated)
        return 0;
    if (opening)
        info->genre_code = code;
    return 2;
}

static dc_status read_text_pack(text_reader *r, const uint8_t *pack,
                                dc_error *err)
{
    bool wide = double_byte(pack);
    int unit = wide ? 2 : 1;
    /* A pack at character position 0 starts a string at its own track;
     * one that continues a string keeps the bytes gathered so far. */
    if ((pack[3] & 0x0F) == 0)
        r->len = 0;
    r->track = pack[1] & 0x7F; /* bit 7 is the extension flag */
    const uint8_t *payload = pack + 4;
    int from = pack[0] == PACK_GENRE ? genre_code_bytes(r, payload) : 0;
    for (int k = from; k + unit <= PAYLOAD; k += unit) {
        bool end = payload[k] == 0 && (!wide || payload[k + 1] == 0);
        if (end) {
            if (finish_string(r, wide, err) != DC_OK)
                return err->status;
        } else if (r->len + (size_t)unit < sizeof r->text) {
            memcpy(r->text + r->len, payload + k, (size_t)unit);
            r->len += (size_t)unit;
        }
    }
    return DC_OK;
}

/* What block k's size information says; defaults without one. */
static void read_block_info(pack_stream *s, int k)
{
    dc_disc *disc = s->disc;
    const found_block *b = &s->blocks[k];
    dc_cdtext_block *info = &disc->cdtext_block[k];
    info->charset = DC_CDTEXT_ISO_8859_1;
    if (b->info_parts != 7)
        return;
    info->charset = b->info[0];
    info->copyright = b->info[3] == COPYRIGHTED;
    info->language = b->info[28 + b->number];
}

static dc_status decode_block(pack_stream *s, int k, dc_error *err)
{
    dc_disc *disc = s->disc;
    const found_block *b = &s->blocks[k];
    read_block_info(s, k);
    text_reader r = {
        .stream = s,
        .block = k,
        .charset = disc->cdtext_block[k].charset,
        .first_track = disc->track_count > 0 ? disc->tracks[0].number : 1,
        .type = -1,
    };
    r.charset_known = iconv_name(r.charset) != NULL;
    if (b->info_parts == 7 && b->info[1] >= 1 && b->info[1] <= DC_MAX_TRACKS)
        r.first_track = b->info[1];
    if (!r.charset_known)
        warn(s, "CD-TEXT block %d is in the %s "
                      "character set (code 0x%02X), which is not decoded: "
                      "its text is left out", b->number,
                      dc_cdtext_charset_name(r.charset), r.charset);
    dc_status status = DC_OK;
    for (size_t i = b->first; status == DC_OK && i < b->end; i++) {
        const uint8_t *pack = s->data + i * PACK_SIZE;
        if (field_of_pack(pack[0]) < 0)
            continue;
        bool text_in_block_set = in_block_charset(pack[0]) ||
                                 double_byte(pack);
        if (text_in_block_set && !r.charset_known)
            continue;
        if (pack[0] != r.type) {
            r.type = pack[0];
            r.len = 0;
            free(r.previous);
            r.previous = NULL;
            r.previous_bad = false;
        }
        status = read_text_pack(&r, pack, err);
    }
    free(r.previous);
    return status;
}

dc_status dc_disc_set_cdtext_packs(dc_disc *disc, dc_image *warn_to,
                                   const uint8_t *data, size_t size,
                                   const char *origin, dc_error *err)
{
    /* Some .cdt files keep the 4-byte MMC READ TOC header (big-endian
     * length + 2 reserved bytes) or end with one NUL byte. */
    if (size >= 5 && data[0] < 0x80 &&
        (size_t)((data[0] << 8 | data[1]) + 2) == size &&
        data[4] >= 0x80 && data[4] <= 0x8F) {
        data += 4;
        size -= 4;
    }
    if (size % PACK_SIZE == 1)
        size--;
    if (size == 0 || size % PACK_SIZE != 0)
        return dc_fail(err, DC_ERR_FORMAT,
                       "%s: CD-TEXT is %zu bytes, not a whole number of "
                       "18-byte packs", origin, size);
    for (size_t at = 0; at < size; at += PACK_SIZE)
        if (data[at] < 0x80 || data[at] > PACK_SIZE_INFO)
            return dc_fail(err, DC_ERR_FORMAT, "%s: CD-TEXT pack at offset "
                           "%zu has type 0x%02X, not 0x80-0x8F", origin, at,
                           data[at]);
    pack_stream s = {.disc = disc, .image = warn_to, .data = data, .packs = size / PACK_SIZE,
                     .origin = origin};
    if (find_blocks(&s, err) != DC_OK)
        return err->status;
    uint8_t *kept = malloc(size);
    if (kept == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    memcpy(kept, data, size);
    free(disc->cdtext_packs);
    disc->cdtext_packs = kept;
    disc->cdtext_packs_size = size;
    disc->cdtext_block_count = s.block_count;
    for (int k = 0; k < s.block_count; k++)
        if (decode_block(&s, k, err) != DC_OK)
            return err->status;
    return DC_OK;
}

/* --- encoding ----------------------------------------------------------- */

static const int text_types[] = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85,
                                 PACK_DISC_ID, PACK_GENRE, PACK_UPC_ISRC};

/* Disc id and genre describe the disc alone. */
static bool disc_only(int type)
{
    return type == PACK_DISC_ID || type == PACK_GENRE;
}

typedef struct block_writer {
    dc_write_job *job;        /* for notes; NULL keeps them unsaid */
    const dc_disc *disc;
    int block;                /* the model's block it writes */
    const char *language;     /* its name, for notes */
    int charset;              /* what the block is written in */
    uint8_t packs[MAX_BLOCK_PACKS][PACK_SIZE];
    int count;                /* packs so far, size information included */
    int per_type[TYPE_COUNT];
    bool overflow;
    bool noted_full_width;
    /* the pack being filled */
    uint8_t payload[PAYLOAD];
    int used, pack_track, pack_position;
    bool wide;
} block_writer;

static const dc_cdtext *block_text(const dc_disc *disc, int block, int i)
{
    return i < 0 ? dc_disc_cdtext(disc, block)
                 : dc_track_cdtext(&disc->tracks[i], block);
}

static void add_pack(block_writer *w, int type, int track, int position,
                     bool wide, const uint8_t *payload)
{
    if (w->count >= MAX_BLOCK_PACKS) {
        w->overflow = true;
        return;
    }
    uint8_t *p = w->packs[w->count];
    p[0] = (uint8_t)type;
    p[1] = (uint8_t)track;
    p[2] = (uint8_t)w->count; /* each block counts from 0 */
    /* The block number is set when the blocks are put together. */
    p[3] = (uint8_t)((wide ? 0x80 : 0) | (position < 15 ? position : 15));
    memcpy(p + 4, payload, PAYLOAD);
    w->count++;
    w->per_type[type - PACK_TITLE]++;
}

/* "\t" for "the same as the track before", in the width of the text. */
static const char single_tab[] = {TAB, 0}, double_tab[] = {TAB, TAB, 0};

/* The characters of s, as MS-JIS double-byte text wants them: printable
 * ASCII as its full-width forms (U+FF01..U+FF5E, the space U+3000), as
 * a two-byte character is the only kind such text has. */
static char *full_width(const char *s)
{
    char *out = malloc(strlen(s) * 3 + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p == ' ' ? 0x3000
                   : *p > ' ' && *p < 0x7F ? 0xFF01 + (*p - '!') : 0;
        if (c == 0) {
            *o++ = (char)*p;
            continue;
        }
        *o++ = (char)(0xE0 | c >> 12);
        *o++ = (char)(0x80 | (c >> 6 & 0x3F));
        *o++ = (char)(0x80 | (c & 0x3F));
    }
    *o = '\0';
    return out;
}

/* Text in a CD-TEXT character set, NUL-terminated (the sets have no NUL
 * byte but the one that ends), or NULL when the set cannot hold it (or
 * memory runs out: the caller's fallback fails then too). */
static char *encode_text(const char *utf8, int charset)
{
    size_t len;
    if (charset == DC_CDTEXT_MS_JIS) {
        char *wide = full_width(utf8);
        if (wide == NULL)
            return NULL;
        char *bytes = dc_text_to_charset(wide, "CP932", &len);
        if (bytes == NULL)
            bytes = dc_text_to_charset(wide, "SHIFT_JIS", &len);
        free(wide);
        if (bytes == NULL)
            return NULL;
        /* A single-byte character left (half-width katakana) would break
         * the two-byte rhythm of the text. */
        for (size_t i = 0; i < len; i += 2) {
            unsigned char lead = (unsigned char)bytes[i];
            if (!((lead >= 0x81 && lead <= 0x9F) || lead >= 0xE0)) {
                free(bytes);
                return NULL;
            }
        }
        return bytes;
    }
    char *bytes = dc_text_to_charset(utf8, "ISO-8859-1", &len);
    if (bytes != NULL && charset == DC_CDTEXT_ASCII)
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)bytes[i] >= 0x80) {
                free(bytes);
                return NULL;
            }
    return bytes;
}

/* Text in a character set that cannot hold all of it: '?' for each
 * character it lacks. */
static char *encode_lossy(const char *utf8, int charset)
{
    dc_text_buffer out = {0};
    dc_text_append(&out, "%s", "");
    for (const char *p = utf8; *p != '\0';) {
        size_t n = 1;
        while (((unsigned char)p[n] & 0xC0) == 0x80 && n < 4)
            n++;
        char one[5] = {0};
        memcpy(one, p, n);
        p += n;
        char *bytes = encode_text(one, charset);
        if (bytes == NULL)
            bytes = encode_text("?", charset);
        if (bytes == NULL) {
            free(out.data);
            return NULL;
        }
        dc_text_append(&out, "%s", bytes);
        free(bytes);
    }
    if (out.failed) {
        free(out.data);
        return NULL;
    }
    return out.data;
}

static const char *field_name(int type)
{
    static const char *const names[] = {
        "title", "performer", "songwriter", "composer", "arranger",
        "message", "disc id", "genre", [PACK_UPC_ISRC - PACK_TITLE] =
        "UPC/ISRC",
    };
    return names[type - PACK_TITLE];
}

/* One string's bytes as the block writes them; never NULL but when
 * memory runs out.  What the character set cannot hold is noted. */
static char *string_bytes(block_writer *w, int type, int track,
                          const char *utf8)
{
    bool block_set = in_block_charset(type);
    int charset = block_set ? w->charset : DC_CDTEXT_ISO_8859_1;
    bool ascii = false;
    for (const char *c = utf8; *c; c++)
        ascii |= *c >= ' ' && *c < 0x7F;
    if (charset == DC_CDTEXT_MS_JIS && ascii && !w->noted_full_width &&
        w->job != NULL) {
        w->noted_full_width = true;
        dc_job_note(w->job, "CD-TEXT block %d (%s) is written in MS-JIS, "
                    "whose text has two-byte characters only: its ASCII "
                    "characters become their full-width forms", w->block,
                    w->language);
    }
    char *bytes = encode_text(utf8, charset);
    if (bytes != NULL)
        return bytes;
    bytes = encode_lossy(utf8, charset);
    if (w->job != NULL) {
        char where[24] = "the disc";
        if (track > 0)
            snprintf(where, sizeof where, "track %d", track);
        dc_job_note(w->job, "CD-TEXT block %d (%s): the %s of %s has "
                    "characters %s cannot hold; written with '?' for them",
                    w->block, w->language, field_name(type), where,
                    dc_cdtext_charset_name(charset));
    }
    return bytes;
}

/* One string into the packs: `prefix` bytes (the genre code), the
 * text's `len` bytes, its NUL (two in double-byte text).  A pack says
 * how many characters of its first string came before it. */
static void put_string(block_writer *w, int type, int track,
                       const uint8_t *prefix, size_t prefix_len,
                       const uint8_t *bytes, size_t len)
{
    size_t unit = w->wide ? 2 : 1, total = prefix_len + len + unit;
    for (size_t k = 0; k < total; k++) {
        if (w->used == 0) {
            w->pack_track = track;
            w->pack_position = k < prefix_len ? 0
                                              : (int)((k - prefix_len) / unit);
        }
        uint8_t byte = k < prefix_len ? prefix[k]
                     : k < prefix_len + len ? bytes[k - prefix_len] : 0;
        w->payload[w->used++] = byte;
        if (w->used == PAYLOAD) {
            add_pack(w, type, w->pack_track, w->pack_position, w->wide,
                     w->payload);
            w->used = 0;
        }
    }
}

/* One text type: the disc's string, then each track's, as packs. */
static dc_status add_text_packs(block_writer *w, int type,
                                const dc_cdtext_block *info, dc_error *err)
{
    const dc_disc *disc = w->disc;
    int field = field_of_pack(type);
    bool any = block_text(disc, w->block, -1)->field[field] != NULL;
    int tracks = disc_only(type) ? 0 : disc->track_count;
    for (int i = 0; i < disc->track_count; i++) {
        bool has = block_text(disc, w->block, i)->field[field] != NULL;
        if (has && disc_only(type) && w->job != NULL)
            dc_job_note(w->job, "CD-TEXT block %d (%s): the %s of track %d "
                        "is left out: CD-TEXT gives one to the disc only",
                        w->block, w->language, field_name(type),
                        disc->tracks[i].number);
        any |= has && !disc_only(type);
    }
    if (type == PACK_GENRE && info->genre_code != 0)
        any = true;
    if (!any)
        return DC_OK;
    w->wide = in_block_charset(type) && w->charset == DC_CDTEXT_MS_JIS;
    w->used = 0;
    const char *previous = NULL;
    for (int i = -1; i < tracks; i++) {
        int track = i < 0 ? 0 : disc->tracks[i].number;
        const char *value = block_text(disc, w->block, i)->field[field];
        uint8_t code[2] = {(uint8_t)(info->genre_code >> 8),
                           (uint8_t)info->genre_code};
        size_t code_len = type == PACK_GENRE ? sizeof code : 0;
        char *bytes;
        /* A track's string as the track before it: a TAB says so. */
        if (i > 0 && value != NULL && previous != NULL &&
            strcmp(value, previous) == 0 && strlen(value) > 1)
            bytes = dc_strdup(w->wide ? double_tab : single_tab);
        else
            bytes = string_bytes(w, type, track, value ? value : "");
        if (bytes == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        put_string(w, type, track, code, code_len, (const uint8_t *)bytes,
                   strlen(bytes));
        free(bytes);
        previous = i >= 0 ? value : NULL;
    }
    if (w->used > 0) {
        memset(w->payload + w->used, 0, PAYLOAD - (size_t)w->used);
        add_pack(w, type, w->pack_track, w->pack_position, w->wide,
                 w->payload);
    }
    return DC_OK;
}

/* How many strings of the types in the block's character set `charset`
 * cannot hold. */
static int block_misfits(const dc_disc *disc, int block, int charset)
{
    int misfits = 0;
    for (int i = -1; i < disc->track_count; i++)
        for (int t = PACK_TITLE; t < PACK_DISC_ID; t++) {
            const char *value = block_text(disc, block, i)->field[
                field_of_pack(t)];
            if (value == NULL)
                continue;
            char *bytes = encode_text(value, charset);
            misfits += bytes == NULL;
            free(bytes);
        }
    return misfits;
}

/* The block's character set: its own when its text fits, else
 * ISO-8859-1, else MS-JIS; when none holds all of it, the one that holds
 * the most strings (the rest lose characters, in notes). */
static int choose_charset(const dc_disc *disc, int block, int declared)
{
    int candidates[] = {declared, DC_CDTEXT_ISO_8859_1, DC_CDTEXT_MS_JIS};
    int best = DC_CDTEXT_ISO_8859_1, fewest = -1;
    for (int c = 0; c < COUNT_OF(candidates); c++) {
        if (iconv_name(candidates[c]) == NULL)
            continue;
        int misfits = block_misfits(disc, block, candidates[c]);
        if (fewest < 0 || misfits < fewest) {
            best = candidates[c];
            fewest = misfits;
        }
    }
    return best;
}

static bool block_has_text(const dc_disc *disc, int block)
{
    if (disc->cdtext_block[block].genre_code != 0)
        return true;
    for (int i = -1; i < disc->track_count; i++)
        for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
            if (block_text(disc, block, i)->field[f] != NULL)
                return true;
    return false;
}

/* The three 0x8F packs that close block w: the block's own counts, and
 * every written block's last sequence number and language. */
static void add_size_info(block_writer *w, const dc_cdtext_block *info,
                          const int *last_sequence, const int *languages,
                          int blocks)
{
    uint8_t bytes[SIZE_INFO_BYTES] = {0};
    bytes[0] = (uint8_t)w->charset;
    bytes[1] = (uint8_t)w->disc->tracks[0].number;
    bytes[2] = (uint8_t)w->disc->tracks[w->disc->track_count - 1].number;
    bytes[3] = info->copyright ? COPYRIGHTED : 0;
    for (int t = 0; t < TYPE_COUNT; t++)
        bytes[4 + t] = (uint8_t)w->per_type[t];
    bytes[4 + PACK_SIZE_INFO - PACK_TITLE] = 3;
    for (int k = 0; k < blocks; k++) {
        bytes[20 + k] = (uint8_t)last_sequence[k];
        bytes[28 + k] = (uint8_t)languages[k];
    }
    for (int part = 0; part < 3; part++)
        add_pack(w, PACK_SIZE_INFO, part, 0, false, bytes + part * PAYLOAD);
}

dc_status dc_cdtext_encode(const dc_disc *disc, struct dc_write_job *job,
                           uint8_t **packs, size_t *size, dc_error *err)
{
    *packs = NULL;
    *size = 0;
    if (disc->track_count == 0)
        return DC_OK;
    /* A disc whose text came without block information has block 0 in
     * English, as cue sheets and the tags of sound files mean it. */
    int declared = disc->cdtext_block_count;
    dc_cdtext_block defaults = {.language = LANGUAGE_ENGLISH};
    int blocks = 0;
    block_writer *writers = calloc(DC_CDTEXT_MAX_BLOCKS, sizeof *writers);
    const dc_cdtext_block *infos[DC_CDTEXT_MAX_BLOCKS];
    int last_sequence[DC_CDTEXT_MAX_BLOCKS], languages[DC_CDTEXT_MAX_BLOCKS];
    if (writers == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = DC_OK;
    for (int k = 0; status == DC_OK && k < (declared > 0 ? declared : 1);
         k++) {
        if (!block_has_text(disc, k))
            continue;
        const dc_cdtext_block *info = declared > 0 ? &disc->cdtext_block[k]
                                                   : &defaults;
        block_writer *w = &writers[blocks];
        w->job = job;
        w->disc = disc;
        w->block = k;
        w->language = dc_cdtext_language_name(info->language);
        w->charset = choose_charset(disc, k, info->charset);
        for (int t = 0; status == DC_OK && t < COUNT_OF(text_types); t++)
            status = add_text_packs(w, text_types[t], info, err);
        infos[blocks] = info;
        languages[blocks] = info->language;
        last_sequence[blocks] = w->count + 2;
        if (w->count + 3 > MAX_BLOCK_PACKS)
            w->overflow = true;
        blocks++;
    }
    for (int k = 0; status == DC_OK && k < blocks; k++) {
        if (writers[k].overflow) {
            status = dc_fail(err, DC_ERR_CANNOT_HOLD, "the CD-TEXT of block "
                             "%d (%s) is longer than the %d packs a block "
                             "holds", k, writers[k].language,
                             MAX_BLOCK_PACKS);
            break;
        }
        add_size_info(&writers[k], infos[k], last_sequence, languages,
                      blocks);
    }
    size_t total = 0;
    for (int k = 0; k < blocks; k++)
        total += (size_t)writers[k].count * PACK_SIZE;
    uint8_t *out = status == DC_OK && total > 0 ? malloc(total) : NULL;
    if (status == DC_OK && total > 0 && out == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (out != NULL) {
        uint8_t *o = out;
        for (int k = 0; k < blocks; k++)
            for (int i = 0; i < writers[k].count; i++, o += PACK_SIZE) {
                memcpy(o, writers[k].packs[i], PACK_SIZE);
                /* Blocks without text are left out: the rest close up,
                 * each keeping its language. */
                o[3] = (uint8_t)(o[3] | k << 4);
                uint16_t crc = pack_crc(o);
                o[16] = (uint8_t)(crc >> 8);
                o[17] = (uint8_t)crc;
            }
        *packs = out;
        *size = total;
    }
    free(writers);
    return status;
}

bool dc_cdtext_beyond_cue(const dc_disc *disc)
{
    int blocks = disc->cdtext_block_count > 0 ? disc->cdtext_block_count : 1;
    for (int k = 1; k < blocks; k++)
        if (block_has_text(disc, k))
            return true;
    if (disc->cdtext_block[0].genre_code != 0)
        return true;
    static const int beyond[] = {DC_CDTEXT_DISC_ID, DC_CDTEXT_GENRE,
                                 DC_CDTEXT_UPC_ISRC};
    for (int i = -1; i < disc->track_count; i++)
        for (int f = 0; f < COUNT_OF(beyond); f++)
            if (block_text(disc, 0, i)->field[beyond[f]] != NULL)
                return true;
    return false;
}
