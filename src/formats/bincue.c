/*
 * CDRWIN BIN/CUE.  The reader takes the whole cue grammar: any number of
 * FILEs (BINARY, MOTOROLA, or sound files decoded by libsndfile), every
 * TRACK mode, stored (INDEX 00) and unstored (PREGAP/POSTGAP) gaps, EAC's
 * pregap-in-the-previous-file layout, CD-TEXT, ISRC, CATALOG and sessions.
 * The writer puts the disc into one BIN, or one per track, plus the cue.
 *
 * Addresses: the first stored sector of the first FILE is LBA 0 (libcdio's
 * cd-info agrees); later tracks follow by accumulated file lengths, never
 * by cue times, with unstored gaps and session gaps added between them.
 */
#include "format.h"
#include "model.h"
#include "cuesheet.h"
#include "sound.h"

#include <ctype.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Caps on what we accept as a cue sheet: a 99-track sheet full of CD-TEXT
 * is a few tens of KiB, so anything near these is not a cue sheet. */
#define CUE_MAX_SIZE (1024 * 1024)
#define CUE_MAX_LINE 4096
/* 8 language blocks of 255 packs are 36 720 bytes. */
#define CDTEXT_MAX_SIZE (64 * 1024)

#define AUDIO_RATE 44100
#define AUDIO_FRAME_BYTES 4 /* one 16-bit stereo sample pair */
#define AUDIO_FRAMES_PER_SECTOR (DC_RAW_SECTOR / AUDIO_FRAME_BYTES)
#define CDG_SECTOR 2448

/* Between sessions lie a lead-out and the next lead-in that no file
 * stores: 6750 + 4500 sectors after the first session, 2250 + 4500 after
 * later ones; plus the new session's 150-sector pregap when the sheet
 * neither stores nor declares it. */
#define FIRST_SESSION_GAP 11250
#define LATER_SESSION_GAP 6750
#define SESSION_PREGAP 150

/* ---------------------------------------------------------------------- */
/* Reader state                                                            */
/* ---------------------------------------------------------------------- */

typedef enum source_kind {
    SOURCE_BINARY,   /* sectors as stored, audio little-endian */
    SOURCE_MOTOROLA, /* audio samples big-endian */
    SOURCE_SOUND     /* decoded PCM through libsndfile */
} source_kind;

typedef struct cue_file {
    char *name;       /* as written in the sheet */
    int line;         /* of the FILE command */
    source_kind kind;
    bool has_index;
    char *path;       /* where it was found */
    dc_source *source;
    dc_sound *sound;  /* SOURCE_SOUND */
    int64_t size;     /* bytes; for sound files decoded PCM padded to whole
                         sectors */
} cue_file;

/* A run of a track's stored sectors inside one file. */
typedef struct cue_extent {
    int file;
    int64_t offset; /* bytes into the file (into decoded PCM for sound) */
    int64_t count;  /* sectors */
} cue_extent;

typedef struct cue_track_info {
    int line;                        /* of the TRACK command */
    int index_line[DC_MAX_INDEXES];  /* by position in dc_track.index */
    bool pregap_seen;
    bool postgap_seen;
    cue_extent *extents;
    int extent_count;
} cue_track_info;

typedef struct cue_priv {
    cue_file *files;
    int file_count;
    cue_track_info tracks[DC_MAX_TRACKS];
} cue_priv;

/* One INDEX command: where in which file a track's index lies. */
typedef struct cue_event {
    int track;       /* position in disc->tracks */
    int index_pos;   /* position in that track's index[] */
    int file;
    int64_t frame;   /* sectors from the start of the file */
    int line;
} cue_event;

typedef struct cue_parser {
    dc_image *image;
    cue_priv *priv;
    const char *cue_path;
    char *cue_dir;
    int line;
    cue_event *events;
    int event_count;
    int current_file;          /* -1 before the first FILE */
    int session;               /* session of the next TRACK */
    bool saw_structure;        /* a FILE or TRACK has been seen */
    bool catalog_seen;
    char *cdtext_name;
    int cdtext_line;
} cue_parser;

/* Fails with "CUE:LINE: message". */
__attribute__((format(printf, 5, 6)))
static dc_status cue_fail(const cue_parser *p, int line, dc_status status,
                          dc_error *err, const char *fmt, ...)
{
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return dc_fail(err, status, "%s:%d: %s", p->cue_path, line, message);
}

static dc_track *current_track(cue_parser *p)
{
    dc_disc *disc = &p->image->disc;
    return disc->track_count > 0 ? &disc->tracks[disc->track_count - 1]
                                 : NULL;
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */
/* ---------------------------------------------------------------------- */

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static const char *skip_blanks(const char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

static bool valid_utf8(const unsigned char *s)
{
    while (*s != '\0') {
        int extra = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1
                  : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0 || (extra == 1 && *s < 0xC2))
            return false;
        s++;
        for (int i = 0; i < extra; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* Windows-1252 0x80..0x9F; the rest of the upper half is Latin-1. */
static const unsigned short cp1252_high[32] = {
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
    0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
};

/* Cue sheets from Windows tools are often Windows-1252: the model wants
 * UTF-8, so text that is not valid UTF-8 is read as Windows-1252. */
static char *text_to_utf8(const char *text)
{
    if (valid_utf8((const unsigned char *)text))
        return dc_strdup(text);
    char *out = malloc(strlen(text) * 3 + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        unsigned c = *s >= 0x80 && *s < 0xA0 ? cp1252_high[*s - 0x80] : *s;
        if (c < 0x80) {
            *o++ = (char)c;
        } else if (c < 0x800) {
            *o++ = (char)(0xC0 | c >> 6);
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xE0 | c >> 12);
            *o++ = (char)(0x80 | (c >> 6 & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *o = '\0';
    return out;
}

typedef enum token_result {
    TOKEN_NONE,
    TOKEN_OK,
    TOKEN_UNTERMINATED
} token_result;

/* Takes the next word or "quoted string" into out (which holds at least
 * CUE_MAX_LINE + 1 bytes: a token never exceeds its line). */
static token_result take_token(const char **cursor, char *out, bool *quoted)
{
    const char *s = skip_blanks(*cursor);
    size_t len = 0;
    if (quoted != NULL)
        *quoted = *s == '"';
    if (*s == '\0')
        return TOKEN_NONE;
    if (*s == '"') {
        const char *close = strchr(s + 1, '"');
        if (close == NULL)
            return TOKEN_UNTERMINATED;
        len = (size_t)(close - s - 1);
        memcpy(out, s + 1, len);
        s = close + 1;
    } else {
        while (s[len] != '\0' && !is_blank(s[len]))
            len++;
        memcpy(out, s, len);
        s += len;
    }
    out[len] = '\0';
    *cursor = s;
    return TOKEN_OK;
}

/* 1..3 decimal digits, nothing else. */
static bool parse_small_number(const char *text, int *value)
{
    size_t len = strlen(text);
    if (len == 0 || len > 3)
        return false;
    *value = 0;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)text[i]))
            return false;
        *value = *value * 10 + (text[i] - '0');
    }
    return true;
}

/* ---------------------------------------------------------------------- */
/* Commands                                                                */
/* ---------------------------------------------------------------------- */

typedef struct track_mode_entry {
    const char *keyword;
    dc_track_mode mode;
    unsigned stored_size;
    bool cdi;
} track_mode_entry;

static const track_mode_entry track_modes[] = {
    {"AUDIO", DC_MODE_AUDIO, DC_RAW_SECTOR, false},
    {"CDG", DC_MODE_AUDIO, CDG_SECTOR, false},
    {"MODE1/2048", DC_MODE_MODE1, 2048, false},
    {"MODE1/2352", DC_MODE_MODE1, DC_RAW_SECTOR, false},
    {"MODE2/2336", DC_MODE_MODE2_MIXED, 2336, false},
    {"MODE2/2352", DC_MODE_MODE2_MIXED, DC_RAW_SECTOR, false},
    {"CDI/2336", DC_MODE_MODE2_MIXED, 2336, true},
    {"CDI/2352", DC_MODE_MODE2_MIXED, DC_RAW_SECTOR, true},
    /* Not CDRWIN, but libcdio reads them: XA user data only. */
    {"MODE2/2048", DC_MODE_MODE2_FORM1, 2048, false},
    {"MODE2/2324", DC_MODE_MODE2_FORM2, 2324, false},
};

typedef struct file_type_entry {
    const char *keyword;
    source_kind kind;
} file_type_entry;

/* CDRWIN's types plus the sound containers rippers write in their place;
 * libsndfile tells the container by content, the keyword only says
 * "decode me". */
static const file_type_entry file_types[] = {
    {"BINARY", SOURCE_BINARY}, {"MOTOROLA", SOURCE_MOTOROLA},
    {"WAVE", SOURCE_SOUND},    {"WAV", SOURCE_SOUND},
    {"AIFF", SOURCE_SOUND},    {"AIF", SOURCE_SOUND},
    {"FLAC", SOURCE_SOUND},    {"MP3", SOURCE_SOUND},
    {"OGG", SOURCE_SOUND},     {"OPUS", SOURCE_SOUND},
};

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))


static dc_status expect_end(cue_parser *p, const char *rest,
                            const char *command, dc_error *err)
{
    rest = skip_blanks(rest);
    if (*rest != '\0')
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "unexpected \"%s\" after %s", rest, command);
    return DC_OK;
}

/* The track a FLAGS/ISRC/PREGAP/POSTGAP/INDEX command belongs to. */
static dc_status need_track(cue_parser *p, const char *command,
                            dc_track **track, dc_error *err)
{
    *track = current_track(p);
    if (*track == NULL)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "%s before any TRACK", command);
    return DC_OK;
}

static dc_status need_msf(cue_parser *p, const char **rest,
                          const char *command, int64_t *frames,
                          dc_error *err)
{
    char token[CUE_MAX_LINE + 1];
    if (take_token(rest, token, NULL) != TOKEN_OK)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "%s needs a time mm:ss:ff", command);
    if (!dc_msf_parse(token, frames))
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "%s time \"%s\" is not mm:ss:ff with seconds below "
                        "60 and frames below 75", command, token);
    return DC_OK;
}

/* A track is complete once it has INDEX 01. */
/* A generated gap longer than a whole CD is a mistake (or an attack on
 * the disk it would be written to). */
static dc_status need_gap_size(cue_parser *p, const char *command,
                               int64_t frames, dc_error *err)
{
    if (frames > DC_MAX_DISC_SECTORS)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "%s is longer than "
                        "a whole CD (100 minutes)", command);
    return DC_OK;
}

static dc_status check_track_complete(cue_parser *p, dc_error *err)
{
    const dc_track *track = current_track(p);
    if (track == NULL)
        return DC_OK;
    for (int k = 0; k < track->index_count; k++)
        if (track->index[k].number == 1)
            return DC_OK;
    int position = p->image->disc.track_count - 1;
    return cue_fail(p, p->priv->tracks[position].line, DC_ERR_FORMAT, err,
                    "TRACK %02d has no INDEX 01", track->number);
}

static dc_status check_file_used(cue_parser *p, dc_error *err)
{
    if (p->current_file < 0)
        return DC_OK;
    const cue_file *file = &p->priv->files[p->current_file];
    if (!file->has_index)
        return cue_fail(p, file->line, DC_ERR_FORMAT, err,
                        "FILE \"%s\" has no INDEX in it", file->name);
    return DC_OK;
}

static dc_status do_rem(cue_parser *p, const char *rest, dc_error *err)
{
    rest = skip_blanks(rest);
    char word[CUE_MAX_LINE + 1];
    const char *after = rest;
    if (take_token(&after, word, NULL) == TOKEN_OK &&
        strcasecmp(word, "SESSION") == 0) {
        int number;
        if (take_token(&after, word, NULL) != TOKEN_OK ||
            !parse_small_number(word, &number) || *skip_blanks(after) != '\0')
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "REM SESSION needs a session number");
        /* Sessions count up from 1 (redump announces the first too). */
        const dc_track *last = current_track(p);
        int expected = last != NULL ? last->session + 1 : 1;
        if (number != expected)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "REM SESSION %02d where session %02d comes next",
                            number, expected);
        p->session = number;
        return DC_OK;
    }
    if (*rest == '\0')
        return DC_OK;
    char *text = text_to_utf8(rest);
    if (text == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = dc_disc_add_comment(&p->image->disc, text, err);
    free(text);
    return status;
}

static dc_status do_catalog(cue_parser *p, const char *rest, dc_error *err)
{
    char token[CUE_MAX_LINE + 1];
    if (p->catalog_seen)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "second CATALOG");
    if (take_token(&rest, token, NULL) != TOKEN_OK)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "CATALOG needs a 13-digit number");
    bool digits = strlen(token) == 13;
    for (int i = 0; digits && i < 13; i++)
        digits = isdigit((unsigned char)token[i]);
    if (!digits)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "CATALOG \"%s\" is not 13 digits", token);
    p->catalog_seen = true;
    memcpy(p->image->disc.mcn, token, 14);
    return expect_end(p, rest, "CATALOG", err);
}

static dc_status do_cdtextfile(cue_parser *p, const char *rest, dc_error *err)
{
    char name[CUE_MAX_LINE + 1];
    if (p->cdtext_name != NULL)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "second CDTEXTFILE");
    token_result got = take_token(&rest, name, NULL);
    if (got != TOKEN_OK || name[0] == '\0')
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        got == TOKEN_UNTERMINATED ? "unterminated quote"
                                                  : "CDTEXTFILE needs a name");
    if (expect_end(p, rest, "CDTEXTFILE", err) != DC_OK)
        return err->status;
    p->cdtext_name = dc_strdup(name);
    p->cdtext_line = p->line;
    return p->cdtext_name != NULL ? DC_OK
                                  : dc_fail(err, DC_ERR_NOMEM, "out of memory");
}

static dc_status do_cdtext(cue_parser *p, dc_cdtext_field field,
                           const char *command, const char *rest,
                           dc_error *err)
{
    char value[CUE_MAX_LINE + 1];
    bool quoted;
    const char *after = rest;
    token_result got = take_token(&after, value, &quoted);
    if (got == TOKEN_UNTERMINATED)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unterminated quote");
    if (quoted) {
        if (expect_end(p, after, command, err) != DC_OK)
            return err->status;
    } else {
        /* CDRWIN wants quotes around spaces; take the line as meant. */
        snprintf(value, sizeof value, "%s", skip_blanks(rest));
    }
    char *text = text_to_utf8(value);
    if (text == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_track *track = current_track(p);
    dc_status status = dc_cdtext_set(track != NULL ? &track->cdtext
                                                   : &p->image->disc.cdtext,
                                     field, text, err);
    free(text);
    return status;
}

static dc_status do_file(cue_parser *p, const char *rest, dc_error *err)
{
    char name[CUE_MAX_LINE + 1], type[CUE_MAX_LINE + 1];
    bool quoted;
    const char *after = rest;
    token_result got = take_token(&after, name, &quoted);
    if (got == TOKEN_UNTERMINATED)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unterminated quote");
    if (got == TOKEN_NONE || name[0] == '\0')
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "FILE needs a name and a type");
    if (quoted) {
        if (take_token(&after, type, NULL) != TOKEN_OK)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "FILE needs a type (BINARY, MOTOROLA, WAVE...)");
        if (expect_end(p, after, "FILE", err) != DC_OK)
            return err->status;
    } else {
        /* Unquoted: the type is the last word, the name all before it. */
        const char *start = skip_blanks(rest);
        const char *end = start + strlen(start);
        const char *type_start = end;
        while (type_start > start && !is_blank(type_start[-1]))
            type_start--;
        const char *name_end = type_start;
        while (name_end > start && is_blank(name_end[-1]))
            name_end--;
        if (name_end == start)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "FILE needs a type (BINARY, MOTOROLA, WAVE...)");
        snprintf(name, sizeof name, "%.*s", (int)(name_end - start), start);
        snprintf(type, sizeof type, "%s", type_start);
    }
    int t = 0;
    while (t < COUNT_OF(file_types) && strcasecmp(type, file_types[t].keyword))
        t++;
    if (t == COUNT_OF(file_types))
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unknown FILE type "
                        "\"%s\" (BINARY, MOTOROLA, WAVE, AIFF, FLAC, MP3, "
                        "OGG)", type);
    if (check_file_used(p, err) != DC_OK)
        return err->status;

    cue_priv *priv = p->priv;
    cue_file *grown = realloc(priv->files,
                              (size_t)(priv->file_count + 1) * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    priv->files = grown;
    cue_file *file = &grown[priv->file_count];
    memset(file, 0, sizeof *file);
    file->line = p->line;
    file->kind = file_types[t].kind;
    file->name = dc_strdup(name);
    if (file->name == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    p->current_file = priv->file_count++;
    p->saw_structure = true;
    return DC_OK;
}

static dc_status do_track(cue_parser *p, const char *rest, dc_error *err)
{
    char token[CUE_MAX_LINE + 1], extra[CUE_MAX_LINE + 1];
    int number;
    if (take_token(&rest, token, NULL) != TOKEN_OK)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK needs a number and a mode");
    if (!parse_small_number(token, &number)) {
        if (!p->saw_structure)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "not a cue sheet (\"TRACK %s\" without a number "
                            "is cdrdao TOC syntax)", token);
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK number \"%s\" is not a number", token);
    }
    if (p->current_file < 0)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK %02d before any FILE", number);
    if (number < 1 || number > DC_MAX_TRACKS)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK %d is outside 1-99", number);
    const dc_track *previous = current_track(p);
    if (previous != NULL && number <= previous->number)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK %02d follows TRACK %02d: numbers must ascend",
                        number, previous->number);
    if (check_track_complete(p, err) != DC_OK)
        return err->status;

    if (take_token(&rest, token, NULL) != TOKEN_OK)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "TRACK %02d needs a mode (AUDIO, MODE1/2352...)",
                        number);
    int m = 0;
    while (m < COUNT_OF(track_modes) &&
           strcasecmp(token, track_modes[m].keyword) != 0)
        m++;
    if (m == COUNT_OF(track_modes))
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "unknown TRACK mode \"%s\"", token);
    /* MAME names a subchannel type (RW, RW_RAW) after the mode. */
    if (take_token(&rest, extra, NULL) == TOKEN_OK &&
        strcasecmp(extra, "RW") != 0 && strcasecmp(extra, "RW_RAW") != 0)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unexpected \"%s\" "
                        "after TRACK %02d %s", extra, number, token);
    if (expect_end(p, rest, "TRACK", err) != DC_OK)
        return err->status;

    dc_track *track = dc_disc_add_track(&p->image->disc, err);
    if (track == NULL)
        return err->status;
    track->number = number;
    track->session = p->session;
    track->mode = track_modes[m].mode;
    track->stored_size = track_modes[m].stored_size;
    track->has_subchannel = track_modes[m].stored_size == CDG_SECTOR;
    track->cdi = track_modes[m].cdi;
    if (p->session > p->image->disc.session_count)
        p->image->disc.session_count = p->session;
    p->priv->tracks[p->image->disc.track_count - 1].line = p->line;
    p->saw_structure = true;
    return DC_OK;
}

static dc_status add_event(cue_parser *p, const cue_event *event,
                           dc_error *err)
{
    /* At most 99 tracks x 100 indexes, so this never grows far. */
    cue_event *grown = realloc(p->events, (size_t)(p->event_count + 1) *
                                              sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    p->events = grown;
    grown[p->event_count++] = *event;
    return DC_OK;
}

static dc_status do_index(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    char token[CUE_MAX_LINE + 1];
    int number;
    int64_t frame;
    if (need_track(p, "INDEX", &track, err) != DC_OK)
        return err->status;
    if (take_token(&rest, token, NULL) != TOKEN_OK ||
        !parse_small_number(token, &number) || number >= DC_MAX_INDEXES)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "INDEX needs a number 00-99 and a time");
    if (need_msf(p, &rest, "INDEX", &frame, err) != DC_OK ||
        expect_end(p, rest, "INDEX", err) != DC_OK)
        return err->status;

    int track_pos = p->image->disc.track_count - 1;
    cue_track_info *info = &p->priv->tracks[track_pos];
    if (info->postgap_seen)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "INDEX after POSTGAP");
    /* CDRWIN: the first index is 00 or 01, the others follow in steps of
     * one. */
    int expected = track->index_count == 0
                       ? (number == 0 ? 0 : 1)
                       : track->index[track->index_count - 1].number + 1;
    if (number != expected)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "INDEX %02d where INDEX %02d should come", number,
                        expected);
    if (p->event_count > 0) {
        const cue_event *last = &p->events[p->event_count - 1];
        if (last->file == p->current_file && frame < last->frame)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "INDEX %02d time goes back before the previous "
                            "INDEX in this FILE", number);
    }
    info->index_line[track->index_count] = p->line;
    cue_event event = {
        .track = track_pos, .index_pos = track->index_count,
        .file = p->current_file, .frame = frame, .line = p->line,
    };
    if (dc_track_add_index(track, number, 0, err) != DC_OK)
        return err->status;
    p->priv->files[p->current_file].has_index = true;
    return add_event(p, &event, err);
}

static dc_status do_pregap(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    if (need_track(p, "PREGAP", &track, err) != DC_OK)
        return err->status;
    cue_track_info *info = &p->priv->tracks[p->image->disc.track_count - 1];
    if (info->pregap_seen || track->index_count > 0)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "PREGAP must come "
                        "once, before the track's first INDEX");
    info->pregap_seen = true;
    if (need_msf(p, &rest, "PREGAP", &track->pregap_unstored, err) != DC_OK ||
        need_gap_size(p, "PREGAP", track->pregap_unstored, err) != DC_OK)
        return err->status;
    return expect_end(p, rest, "PREGAP", err);
}

static dc_status do_postgap(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    if (need_track(p, "POSTGAP", &track, err) != DC_OK)
        return err->status;
    cue_track_info *info = &p->priv->tracks[p->image->disc.track_count - 1];
    if (info->postgap_seen || track->index_count == 0)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "POSTGAP must come "
                        "once, after the track's INDEX lines");
    info->postgap_seen = true;
    if (need_msf(p, &rest, "POSTGAP", &track->postgap_unstored, err) != DC_OK ||
        need_gap_size(p, "POSTGAP", track->postgap_unstored, err) != DC_OK)
        return err->status;
    return expect_end(p, rest, "POSTGAP", err);
}

static dc_status do_flags(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    char token[CUE_MAX_LINE + 1];
    if (need_track(p, "FLAGS", &track, err) != DC_OK)
        return err->status;
    while (take_token(&rest, token, NULL) == TOKEN_OK) {
        int f = 0;
        while (f < DC_FLAG_NAME_COUNT &&
               strcasecmp(token, dc_flag_names[f].name) != 0)
            f++;
        if (f == DC_FLAG_NAME_COUNT)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unknown flag "
                            "\"%s\" (DCP, 4CH, PRE, SCMS)", token);
        track->flags |= dc_flag_names[f].flag;
    }
    return DC_OK;
}

/* Country (2 letters), owner (3 letters or digits), year and serial (7
 * digits). */
static bool valid_isrc(const char *s)
{
    if (strlen(s) != 12)
        return false;
    for (int i = 0; i < 12; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = i < 2 ? isalpha(c) : i < 5 ? isalnum(c) : isdigit(c);
        if (!ok)
            return false;
    }
    return true;
}

static dc_status do_isrc(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    char token[CUE_MAX_LINE + 1];
    if (need_track(p, "ISRC", &track, err) != DC_OK)
        return err->status;
    if (take_token(&rest, token, NULL) != TOKEN_OK || !valid_isrc(token))
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "ISRC needs 12 "
                        "characters: CCOOOYYSSSSS");
    for (int i = 0; i < 12; i++)
        track->isrc[i] = (char)toupper((unsigned char)token[i]);
    track->isrc[12] = '\0';
    return expect_end(p, rest, "ISRC", err);
}

static dc_status do_command(cue_parser *p, const char *line, dc_error *err)
{
    char word[CUE_MAX_LINE + 1];
    const char *rest = line;
    if (take_token(&rest, word, NULL) != TOKEN_OK)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err, "unterminated quote");
    static const struct {
        const char *keyword;
        dc_status (*run)(cue_parser *, const char *, dc_error *);
    } commands[] = {
        {"REM", do_rem},         {"CATALOG", do_catalog},
        {"CDTEXTFILE", do_cdtextfile}, {"FILE", do_file},
        {"TRACK", do_track},     {"INDEX", do_index},
        {"PREGAP", do_pregap},   {"POSTGAP", do_postgap},
        {"FLAGS", do_flags},     {"ISRC", do_isrc},
    };
    for (int i = 0; i < COUNT_OF(commands); i++)
        if (strcasecmp(word, commands[i].keyword) == 0)
            return commands[i].run(p, rest, err);
    for (int i = 0; i < DC_CUE_CDTEXT_COUNT; i++)
        if (strcasecmp(word, dc_cue_cdtext_keywords[i].keyword) == 0)
            return do_cdtext(p, dc_cue_cdtext_keywords[i].field, word, rest, err);
    if (!p->saw_structure)
        return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                        "not a cue sheet (unknown command \"%.40s\")", word);
    return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                    "unknown command \"%.40s\"", word);
}

/* Splits the text into lines (LF or CRLF, last newline optional) and runs
 * each.  The text is NUL-terminated and NUL-free. */
static dc_status parse_text(cue_parser *p, char *text, dc_error *err)
{
    if ((unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF)
        text += 3;
    p->line = 0;
    for (char *line = text; *line != '\0';) {
        char *newline = strchr(line, '\n');
        char *next = newline != NULL ? newline + 1 : line + strlen(line);
        char *end = newline != NULL ? newline : next;
        p->line++;
        if (end - line > CUE_MAX_LINE)
            return cue_fail(p, p->line, DC_ERR_FORMAT, err,
                            "line longer than %d characters", CUE_MAX_LINE);
        while (end > line && (end[-1] == '\r' || is_blank(end[-1])))
            end--;
        *end = '\0';
        const char *start = skip_blanks(line);
        if (*start != '\0' && do_command(p, start, err) != DC_OK)
            return err->status;
        line = next;
    }
    if (current_track(p) == NULL)
        return dc_fail(err, DC_ERR_FORMAT, "%s: no TRACK in the cue sheet",
                       p->cue_path);
    if (check_track_complete(p, err) != DC_OK ||
        check_file_used(p, err) != DC_OK)
        return err->status;
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Finding and opening the files                                           */
/* ---------------------------------------------------------------------- */

/* Tries the name as written, with Windows separators, its last part alone,
 * and as Windows-1252 turned UTF-8; each exactly, then ignoring case. */
/* The file a FILE or CDTEXTFILE line names, found as written, without
 * case, with Windows separators, or by its base name alone. */
static char *find_named_file(const char *dir, const char *name)
{
    char *found = dc_path_find(dir, name);
    if (found != NULL)
        return found;
    char *unix_name = dc_strdup(name);
    if (unix_name == NULL)
        return NULL;
    for (char *c = unix_name; *c != '\0'; c++)
        if (*c == '\\')
            *c = '/';
    found = dc_path_find(dir, unix_name);
    if (found == NULL && strchr(unix_name, '/') != NULL)
        found = dc_path_find(dir, dc_path_basename(unix_name));
    free(unix_name);
    if (found == NULL && !valid_utf8((const unsigned char *)name)) {
        char *utf8 = text_to_utf8(name);
        if (utf8 != NULL)
            found = dc_path_find(dir, utf8);
        free(utf8);
    }
    return found;
}

/* For a one-FILE sheet whose file is missing: the cue's own stem + .bin,
 * what users rely on after renaming a pair (libcdio does the same). */
static char *find_stem_bin(const cue_parser *p)
{
    char *stem_bin = dc_path_with_extension(dc_path_basename(p->cue_path),
                                            "bin");
    if (stem_bin == NULL)
        return NULL;
    char *found = dc_path_find(p->cue_dir, stem_bin);
    free(stem_bin);
    return found;
}

static dc_status open_sound(const cue_parser *p, cue_file *file,
                            dc_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s:%d", p->cue_path, file->line);
    if (dc_sound_open(&file->sound, file->source, where, err) != DC_OK)
        return err->status;
    file->size = file->sound->sectors * DC_RAW_SECTOR;
    if (file->sound->info.frames % AUDIO_FRAMES_PER_SECTOR != 0)
        dc_image_warn(p->image, "%s: \"%s\" does not end on a whole sector; "
                      "its last sector is padded with silence", p->cue_path,
                      file->path);
    return DC_OK;
}

/* Reading a file the sheet names differently is right, but worth saying. */
static void warn_if_renamed(cue_parser *p, int line, const char *name,
                            const char *path)
{
    char *exact = dc_path_join(p->cue_dir, name);
    if (exact != NULL && strcmp(exact, path) != 0)
        dc_image_warn(p->image, "%s:%d: \"%s\" not found; reading %s "
                      "instead", p->cue_path, line, name, path);
    free(exact);
}

static dc_status open_files(cue_parser *p, dc_error *err)
{
    cue_priv *priv = p->priv;
    for (int i = 0; i < priv->file_count; i++) {
        cue_file *file = &priv->files[i];
        file->path = find_named_file(p->cue_dir, file->name);
        if (file->path == NULL && priv->file_count == 1 &&
            file->kind != SOURCE_SOUND)
            file->path = find_stem_bin(p);
        if (file->path == NULL)
            return cue_fail(p, file->line, DC_ERR_INPUT_IO, err,
                            "FILE \"%s\" not found in %s%s", file->name,
                            p->cue_dir,
                            priv->file_count == 1 ? " (nor the cue's own "
                                                    "name with .bin)" : "");
        warn_if_renamed(p, file->line, file->name, file->path);
        if (dc_image_open_file(p->image, file->path, &file->source, err) !=
            DC_OK)
            return err->status;
        if (file->kind == SOURCE_SOUND) {
            if (open_sound(p, file, err) != DC_OK)
                return err->status;
        } else {
            file->size = dc_source_size(file->source);
        }
    }
    return DC_OK;
}

static dc_status read_cdtext_file(cue_parser *p, dc_error *err)
{
    if (p->cdtext_name == NULL)
        return DC_OK;
    char *path = find_named_file(p->cue_dir, p->cdtext_name);
    if (path == NULL)
        return cue_fail(p, p->cdtext_line, DC_ERR_INPUT_IO, err,
                        "CDTEXTFILE \"%s\" not found in %s", p->cdtext_name,
                        p->cue_dir);
    warn_if_renamed(p, p->cdtext_line, p->cdtext_name, path);
    char origin[600];
    snprintf(origin, sizeof origin, "%s:%d", p->cue_path, p->cdtext_line);
    uint8_t *data = NULL;
    size_t size = 0;
    dc_source *source;
    dc_status status = dc_image_open_file(p->image, path, &source, err);
    if (status == DC_OK)
        status = dc_source_read_all(source, CDTEXT_MAX_SIZE, &data, &size,
                                    err);
    if (status == DC_OK)
        status = dc_disc_set_cdtext_packs(&p->image->disc, data, size, origin,
                                          err);
    free(data);
    free(path);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Laying the tracks out over the files                                    */
/* ---------------------------------------------------------------------- */

static int64_t stored_so_far(const cue_track_info *info)
{
    int64_t total = 0;
    for (int e = 0; e < info->extent_count; e++)
        total += info->extents[e].count;
    return total;
}

static dc_status add_extent(cue_parser *p, int track_pos, int file,
                            int64_t offset, int64_t count, dc_error *err)
{
    if (count == 0)
        return DC_OK;
    const dc_track *track = &p->image->disc.tracks[track_pos];
    cue_track_info *info = &p->priv->tracks[track_pos];
    if (p->priv->files[file].kind == SOURCE_SOUND &&
        (track->mode != DC_MODE_AUDIO || track->stored_size != DC_RAW_SECTOR))
        return cue_fail(p, info->line, DC_ERR_FORMAT, err,
                        "TRACK %02d is not AUDIO but lies in the sound file "
                        "\"%s\"", track->number, p->priv->files[file].name);
    cue_extent *grown = realloc(info->extents, (size_t)(info->extent_count + 1)
                                                   * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    info->extents = grown;
    grown[info->extent_count++] = (cue_extent){file, offset, count};
    return DC_OK;
}

/* The rest of a file, from `byte` on, belongs to track `owner`. */
static dc_status finish_file(cue_parser *p, int owner, int file, int64_t byte,
                             dc_error *err)
{
    const cue_file *f = &p->priv->files[file];
    unsigned size = p->image->disc.tracks[owner].stored_size;
    int64_t rest = f->size - byte;
    if (rest % size != 0)
        return cue_fail(p, f->line, DC_ERR_FORMAT, err,
                        "\"%s\" is %lld bytes: the %lld bytes from TRACK %02d "
                        "on are not a whole number of %u-byte sectors",
                        f->name, (long long)f->size, (long long)rest,
                        p->image->disc.tracks[owner].number, size);
    return add_extent(p, owner, file, byte, rest / size, err);
}

/*
 * Walks the INDEX commands in order.  Data between two of them belongs to
 * the track of the earlier one, across a FILE change too (EAC puts a
 * pregap at the end of the previous file); data before the first INDEX of
 * the first file belongs to the first track (a stored pregap).  Byte
 * offsets accumulate with each track's own sector size.
 */
static dc_status lay_out_extents(cue_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    int owner = p->events[0].track;
    int file = -1;
    int64_t frame = 0, byte = 0;
    for (int i = 0; i < p->event_count; i++) {
        const cue_event *e = &p->events[i];
        if (e->file != file) {
            if (file >= 0 && finish_file(p, owner, file, byte, err) != DC_OK)
                return err->status;
            file = e->file;
            frame = 0;
            byte = 0;
        }
        const cue_file *f = &p->priv->files[file];
        unsigned size = disc->tracks[owner].stored_size;
        int64_t end = byte + (e->frame - frame) * size;
        if (end > f->size)
            return cue_fail(p, e->line, DC_ERR_FORMAT, err,
                            "INDEX lies beyond the end of \"%s\" (%lld bytes)",
                            f->name, (long long)f->size);
        if (add_extent(p, owner, file, byte, (end - byte) / size, err) != DC_OK)
            return err->status;
        dc_track *track = &disc->tracks[e->track];
        track->index[e->index_pos].offset =
            stored_so_far(&p->priv->tracks[e->track]);
        owner = e->track;
        frame = e->frame;
        byte = end;
    }
    return finish_file(p, owner, file, byte, err);
}

static dc_status set_lengths_and_addresses(cue_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    int64_t lba = 0;
    for (int i = 0; i < disc->track_count; i++) {
        dc_track *track = &disc->tracks[i];
        const cue_track_info *info = &p->priv->tracks[i];
        track->length = stored_so_far(info);
        if (track->length == 0)
            return cue_fail(p, info->line, DC_ERR_FORMAT, err,
                            "TRACK %02d has no sectors", track->number);
        for (int k = 0; k < track->index_count; k++)
            if (track->index[k].offset >= track->length)
                return cue_fail(p, info->index_line[k], DC_ERR_FORMAT, err,
                                "INDEX %02d lies at or after the end of "
                                "TRACK %02d's data", track->index[k].number,
                                track->number);
        if (i > 0 && track->session != disc->tracks[i - 1].session) {
            lba += track->session == 2 ? FIRST_SESSION_GAP : LATER_SESSION_GAP;
            if (dc_track_pregap(track) == 0 && track->pregap_unstored == 0)
                lba += SESSION_PREGAP;
        }
        /* The first track's unstored pregap lies before LBA 0. */
        if (i > 0)
            lba += track->pregap_unstored;
        track->start_lba = lba;
        lba += track->length + track->postgap_unstored;
    }
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading sectors                                                         */
/* ---------------------------------------------------------------------- */

static dc_status read_extent(cue_file *file, const dc_track *track,
                             int64_t offset, int64_t count, uint8_t *out,
                             dc_error *err)
{
    /* Extents in sound files start on whole sectors. */
    if (file->kind == SOURCE_SOUND)
        return dc_sound_read_sectors(file->sound, offset / DC_RAW_SECTOR,
                                     count, out, err);
    if (dc_source_read_at(file->source, offset, out,
                          (size_t)count * track->stored_size, err) != DC_OK)
        return err->status;
    /* Only samples have a byte order; data sectors are bytes. */
    if (file->kind == SOURCE_MOTOROLA && track->mode == DC_MODE_AUDIO)
        for (int64_t i = 0; i < count; i++)
            dc_swap_sample_bytes(out + (size_t)i * track->stored_size);
    return DC_OK;
}

static dc_status cue_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    /* dc_image_read has checked the track and the range. */
    const cue_priv *priv = image->priv;
    const dc_track *track = &image->disc.tracks[track_index];
    const cue_track_info *info = &priv->tracks[track_index];
    for (int e = 0; e < info->extent_count && count > 0; e++) {
        const cue_extent *x = &info->extents[e];
        if (first >= x->count) {
            first -= x->count;
            continue;
        }
        int64_t take = x->count - first < count ? x->count - first : count;
        if (read_extent(&priv->files[x->file], track,
                        x->offset + first * track->stored_size, take, buffer,
                        err) != DC_OK)
            return err->status;
        buffer += (size_t)take * track->stored_size;
        count -= take;
        first = 0;
    }
    return DC_OK;
}

static void cue_close(dc_image *image)
{
    cue_priv *priv = image->priv;
    for (int i = 0; i < priv->file_count; i++) {
        cue_file *file = &priv->files[i];
        dc_sound_close(file->sound);
        free(file->name);
        free(file->path);
    }
    free(priv->files);
    for (int t = 0; t < DC_MAX_TRACKS; t++)
        free(priv->tracks[t].extents);
}

static const dc_image_ops cue_ops = {
    .read_stored = cue_read_stored,
    .close = cue_close,
};

/* ---------------------------------------------------------------------- */
/* Probing and opening                                                     */
/* ---------------------------------------------------------------------- */

static bool starts_with_word(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && strncasecmp(line, word, n) == 0 &&
           (len == n || is_blank(line[n]));
}

/* Whether a line opens like a cue command; cdrdao TOC files share some
 * keywords, but their comments start with "//" and their TRACK has no
 * number. */
static bool cue_like_line(const char *line, const char *end, bool *toc_like)
{
    static const char *const openers[] = {
        "REM", "FILE", "TRACK", "CATALOG", "CDTEXTFILE", "TITLE",
        "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER", "MESSAGE",
    };
    size_t len = (size_t)(end - line);
    *toc_like = len >= 2 && line[0] == '/' && line[1] == '/';
    if (starts_with_word(line, len, "TRACK")) {
        const char *n = line + 5;
        while (n < end && is_blank(*n))
            n++;
        *toc_like = n == end || !isdigit((unsigned char)*n);
        return !*toc_like;
    }
    for (int i = 0; i < COUNT_OF(openers); i++)
        if (starts_with_word(line, len, openers[i]))
            return true;
    return false;
}

/* The first command is a cue command and no line in the head looks like
 * a TOC's. */
static bool looks_like_cue(const uint8_t *head, size_t size)
{
    if (memchr(head, '\0', size) != NULL)
        return false;
    const char *text = (const char *)head;
    const char *end = text + size;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    bool first = true, cue = false;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        const char *line_end = nl != NULL ? nl : end;
        while (text < line_end && (is_blank(*text) || *text == '\r'))
            text++;
        if (text < line_end) {
            bool toc_like;
            bool ok = cue_like_line(text, line_end, &toc_like);
            /* An unterminated last line may be cut short by the probe. */
            if ((toc_like && nl != NULL) || (first && !ok))
                return false;
            cue = cue || ok;
            first = false;
        }
        text = line_end + 1;
    }
    return cue;
}

static int cue_probe(const dc_probe_input *input)
{
    return looks_like_cue(input->head, input->head_size) ? DC_PROBE_CERTAIN
                                                         : DC_PROBE_NO;
}

/* Whether a FILE line of the sheet names the payload (as the reader would
 * find it: by its name, ignoring case). */
static bool cue_describes(const dc_probe_input *descriptor,
                          const char *payload, int64_t payload_size)
{
    (void)payload_size;
    const char *wanted = dc_path_basename(payload);
    const char *text = (const char *)descriptor->head;
    const char *end = text + descriptor->head_size;
    for (const char *line = text; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            eol = end;
        while (line < eol && (*line == ' ' || *line == '\t'))
            line++;
        if (eol - line > 5 && strncasecmp(line, "FILE", 4) == 0 &&
            (line[4] == ' ' || line[4] == '\t')) {
            const char *name = line + 5;
            while (name < eol && (*name == ' ' || *name == '\t'))
                name++;
            const char *stop;
            if (name < eol && *name == '"') {
                name++;
                stop = memchr(name, '"', (size_t)(eol - name));
            } else {
                stop = name;
                while (stop < eol && *stop != ' ' && *stop != '\t')
                    stop++;
            }
            char named[1024];
            size_t len = stop != NULL ? (size_t)(stop - name) : 0;
            if (len > 0 && len < sizeof named) {
                memcpy(named, name, len);
                named[len] = '\0';
                if (strcasecmp(dc_path_basename(named), wanted) == 0)
                    return true;
            }
        }
        line = eol + 1;
    }
    return false;
}

/* The sound file that holds a track's sectors and nothing else, or NULL. */
static dc_sound *own_sound_file(const cue_parser *p, int track)
{
    const cue_priv *priv = p->priv;
    const cue_track_info *info = &priv->tracks[track];
    if (info->extent_count != 1 || priv->files[info->extents[0].file].sound ==
                                       NULL)
        return NULL;
    int file = info->extents[0].file;
    for (int i = 0; i < p->image->disc.track_count; i++)
        for (int e = 0; i != track && e < priv->tracks[i].extent_count; e++)
            if (priv->tracks[i].extents[e].file == file)
                return NULL;
    return priv->files[file].sound;
}

/* A track made from a sound file of its own takes the file's title and
 * artist (and the disc its album) where the sheet names none, so tagged
 * WAV or FLAC files become a BIN/CUE with CD-TEXT. */
static dc_status take_sound_tags(cue_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    for (int i = 0; i < disc->track_count; i++) {
        dc_sound *sound = own_sound_file(p, i);
        if (sound != NULL &&
            dc_sound_take_tags(sound, &disc->tracks[i].cdtext, &disc->cdtext,
                               err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

static dc_status parse_and_lay_out(cue_parser *p, char *text, dc_error *err)
{
    if (parse_text(p, text, err) != DC_OK || open_files(p, err) != DC_OK ||
        lay_out_extents(p, err) != DC_OK ||
        set_lengths_and_addresses(p, err) != DC_OK ||
        read_cdtext_file(p, err) != DC_OK || take_sound_tags(p, err) != DC_OK)
        return err->status;
    return DC_OK;
}

static dc_status parse_sheet(dc_image *image, char *text, const char *origin,
                             const char *base_dir, dc_error *err)
{
    cue_priv *priv = image->priv;
    image->ops = &cue_ops;
    cue_parser p = {
        .image = image,
        .priv = priv,
        .current_file = -1,
        .session = 1,
        .cue_path = origin,
        .cue_dir = dc_strdup(base_dir),
    };
    dc_status status = p.cue_dir == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : parse_and_lay_out(&p, text, err);
    free(p.events);
    free(p.cdtext_name);
    free(p.cue_dir);
    return status;
}

static dc_status cue_open(dc_image *image, dc_error *err)
{
    const char *cue_path = dc_source_name(image->source);
    char *dir = dc_path_dirname(cue_path);
    uint8_t *text = NULL;
    size_t size;
    dc_status status =
        dir == NULL ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                    : dc_source_read_all(image->source, CUE_MAX_SIZE, &text,
                                         &size, err);
    if (status == DC_OK && memchr(text, '\0', size) != NULL)
        status = dc_fail(err, DC_ERR_FORMAT, "%s: not a cue sheet (binary "
                         "data)", cue_path);
    if (status == DC_OK)
        status = parse_sheet(image, (char *)text, cue_path, dir, err);
    free(text);
    free(dir);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Writing                                                                 */
/* ---------------------------------------------------------------------- */

/* How one track goes into its BIN. */
typedef struct track_plan {
    const char *keyword;  /* cue mode */
    dc_sector_form form;
    int bin;              /* which output */
    int64_t pregap;       /* unstored sectors before it */
    bool write_gaps;      /* store PREGAP/POSTGAP as silence in the bin */
} track_plan;

static void plan_track(const dc_track *track, dc_framing framing,
                       track_plan *plan)
{
    bool user = framing == DC_FRAMING_USER;
    switch (track->mode) {
    case DC_MODE_AUDIO: {
        /* CD+G keeps its stored audio + subchannel sectors as they are. */
        bool cdg = track->has_subchannel && track->stored_size == CDG_SECTOR;
        plan->keyword = cdg ? "CDG" : "AUDIO";
        plan->form = cdg ? DC_FORM_STORED : DC_FORM_RAW;
        return;
    }
    case DC_MODE_MODE1:
        plan->keyword = user ? "MODE1/2048" : "MODE1/2352";
        plan->form = user ? DC_FORM_USER : DC_FORM_RAW;
        return;
    case DC_MODE_MODE2:
    case DC_MODE_MODE2_FORM1:
    case DC_MODE_MODE2_FORM2:
    case DC_MODE_MODE2_MIXED:
        /* 2336 keeps the subheaders: no Form 2 sector loses bytes. */
        if (track->cdi)
            plan->keyword = user ? "CDI/2336" : "CDI/2352";
        else
            plan->keyword = user ? "MODE2/2336" : "MODE2/2352";
        plan->form = user ? DC_FORM_MODE2_2336 : DC_FORM_RAW;
        return;
    }
}

/* Unstored sectors before a track: its PREGAP, or more where the image
 * skips addresses between tracks of one session, so the disc keeps its
 * layout. */
static int64_t unstored_pregap(const dc_disc *disc, int i, bool whole_disc)
{
    const dc_track *track = &disc->tracks[i];
    int64_t pregap = track->pregap_unstored;
    if (whole_disc && i > 0 && track->session == disc->tracks[i - 1].session) {
        const dc_track *prev = &disc->tracks[i - 1];
        int64_t hole = track->start_lba -
                       (prev->start_lba + prev->length + prev->postgap_unstored);
        if (hole > pregap)
            pregap = hole;
    }
    return pregap;
}

/* "NAME.cue"/"NAME.bin"/"NAME" -> "NAME". */
static char *output_stem(const char *output_path)
{
    const char *ext = dc_path_extension(output_path);
    size_t len = strlen(output_path);
    if (strcasecmp(ext, "cue") == 0 || strcasecmp(ext, "bin") == 0)
        len -= strlen(ext) + 1;
    return dc_strndup(output_path, len);
}

static char *with_suffix(const char *stem, const char *suffix)
{
    size_t len = strlen(stem) + strlen(suffix) + 1;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s%s", stem, suffix);
    return path;
}

/* NAME.bin, or for one track's own file redump's name: NAME (Track N).bin,
 * with two digits when the disc has ten tracks or more. */
static char *bin_path_for(const char *stem, const dc_disc *disc,
                          const dc_track *track)
{
    char suffix[32] = ".bin";
    int digits = disc->tracks[disc->track_count - 1].number >= 10 ? 2 : 1;
    if (track != NULL)
        snprintf(suffix, sizeof suffix, " (Track %0*d).bin", digits,
                 track->number);
    return with_suffix(stem, suffix);
}

static bool selected(const dc_write_job *job, const dc_track *track)
{
    return job->options->track_number == 0 ||
           job->options->track_number == track->number;
}

/* A cue sheet holds every kind of track, but not every file name: FILE
 * lines cannot quote a double quote or hold a control character. */
static dc_status cue_check(const dc_write_job *job, dc_error *err)
{
    for (const char *c = dc_path_basename(job->output_path); *c; c++)
        if (*c == '"' || (unsigned char)*c < 0x20)
            return dc_fail(err, DC_ERR_USAGE, "%s: a cue sheet cannot name "
                           "a file with a double quote or a control "
                           "character in its name", job->output_path);
    return DC_OK;
}

/* Output files, added before any byte is written so that an existing
 * target fails the job at once. */
typedef struct cue_outputs {
    char *stem;
    dc_cue_file *files;
    dc_output **bins;
    int bin_count;
    char *cdt_path;
    dc_output *cdt;
    char *cue_path;
    dc_output *cue;
} cue_outputs;

static void free_outputs(cue_outputs *o)
{
    for (int i = 0; i < o->bin_count; i++)
        free((char *)o->files[i].name);
    free(o->files);
    free(o->bins);
    free(o->cdt_path);
    free(o->cue_path);
    free(o->stem);
}

static dc_status add_bin(dc_write_job *job, cue_outputs *o,
                         const dc_track *track, dc_error *err)
{
    char *path = bin_path_for(o->stem, &job->source->disc, track);
    if (path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = dc_output_set_add(job->outputs, path,
                                         &o->bins[o->bin_count], err);
    /* The sheet names the bin by its base name: it sits beside it. */
    o->files[o->bin_count].name = dc_strdup(dc_path_basename(path));
    o->files[o->bin_count].type = "BINARY";
    o->bin_count++;
    free(path);
    if (status == DC_OK && o->files[o->bin_count - 1].name == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    return status;
}

static dc_status add_outputs(dc_write_job *job, track_plan *plans,
                             cue_outputs *o, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    bool whole_disc = job->options->track_number == 0;
    o->stem = output_stem(job->output_path);
    o->files = calloc((size_t)disc->track_count, sizeof *o->files);
    o->bins = calloc((size_t)disc->track_count, sizeof *o->bins);
    o->cue_path = o->stem != NULL ? with_suffix(o->stem, ".cue") : NULL;
    if (o->stem == NULL || o->files == NULL || o->bins == NULL ||
        o->cue_path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");

    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *track = &disc->tracks[i];
        if (!selected(job, track))
            continue;
        plan_track(track, job->options->framing, &plans[i]);
        plans[i].pregap = unstored_pregap(disc, i, whole_disc);
        plans[i].write_gaps = dc_job_option_bool(job, "write_gaps");
        bool split = dc_job_option_bool(job, "split");
        if ((o->bin_count == 0 || split) &&
            add_bin(job, o, split ? track : NULL, err) != DC_OK)
            return err->status;
        plans[i].bin = o->bin_count - 1;
    }
    /* The packs describe every track: a one-track cue leaves them out. */
    if (disc->cdtext_packs != NULL && whole_disc) {
        o->cdt_path = with_suffix(o->stem, ".cdt");
        if (o->cdt_path == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        if (dc_output_set_add(job->outputs, o->cdt_path, &o->cdt, err) != DC_OK)
            return err->status;
    }
    return dc_output_set_add(job->outputs, o->cue_path, &o->cue, err);
}

/* Writes one track (and its gaps, when they are to be stored) and says
 * where its indexes landed; *position counts sectors in its bin. */
static dc_status write_track(dc_write_job *job, dc_output *out, int i,
                             const track_plan *plan, int64_t *position,
                             dc_cue_track_layout *layout, dc_error *err)
{
    const dc_track *track = &job->source->disc.tracks[i];
    int64_t gap = plan->write_gaps ? plan->pregap : 0;
    int64_t postgap = plan->write_gaps ? track->postgap_unstored : 0;
    int64_t start = *position;
    layout->keyword = plan->keyword;
    layout->pregap = plan->pregap - gap;
    layout->postgap = track->postgap_unstored - postgap;
    /* Written gap sectors are pregap: INDEX 00 moves to their start. */
    bool stored_index0 = track->index[0].number == 0;
    if (gap > 0 && !stored_index0)
        layout->index[layout->index_count++] = (dc_cue_index){0, plan->bin,
                                                              start};
    for (int k = 0; k < track->index_count; k++) {
        int64_t at = k == 0 && stored_index0 && gap > 0
                         ? start
                         : start + gap + track->index[k].offset;
        layout->index[layout->index_count++] =
            (dc_cue_index){track->index[k].number, plan->bin, at};
    }
    if (dc_write_gap_sectors(job, out, track, track->start_lba - gap, gap,
                             plan->form, err) != DC_OK ||
        dc_write_track_sectors(job, out, i, 0, track->length, plan->form,
                               err) != DC_OK ||
        dc_write_gap_sectors(job, out, track, track->start_lba + track->length,
                             postgap, plan->form, err) != DC_OK)
        return err->status;
    *position = start + gap + track->length + postgap;
    return DC_OK;
}

static dc_status cue_write(dc_write_job *job, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    track_plan *plans = calloc((size_t)disc->track_count, sizeof *plans);
    dc_cue_track_layout *tracks =
        calloc((size_t)disc->track_count, sizeof *tracks);
    cue_outputs o = {0};
    dc_status status = plans == NULL || tracks == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : add_outputs(job, plans, &o, err);
    int64_t position = 0;
    for (int i = 0, bin = -1; status == DC_OK && i < disc->track_count; i++) {
        if (!selected(job, &disc->tracks[i]))
            continue;
        if (plans[i].bin != bin) {
            bin = plans[i].bin;
            position = 0;
        }
        status = write_track(job, o.bins[bin], i, &plans[i], &position,
                             &tracks[i], err);
    }
    if (status == DC_OK && o.cdt != NULL)
        status = dc_output_write(o.cdt, disc->cdtext_packs,
                                 disc->cdtext_packs_size, err);
    if (status == DC_OK) {
        dc_cue_layout layout = {
            .file_count = o.bin_count,
            .files = o.files,
            .tracks = tracks,
            .cdtext_file = o.cdt_path != NULL ? dc_path_basename(o.cdt_path)
                                              : NULL,
            .sessions = job->options->track_number == 0 &&
                        disc->session_count > 1,
        };
        char *text = NULL;
        size_t len = 0;
        status = dc_cue_sheet_build(disc, &layout, &text, &len, err);
        if (status == DC_OK)
            status = dc_output_write(o.cue, text, len, err);
        free(text);
    }
    free_outputs(&o);
    free(tracks);
    free(plans);
    return status;
}

static const dc_format_option cue_options[] = {
    {"split", DC_OPTION_BOOL, "one .bin per track, named as redump names them"},
    {"write_gaps", DC_OPTION_BOOL, "store PREGAP and POSTGAP gaps in the bin "
                                   "as silence or empty sectors"},
};

const dc_format dc_format_bincue = {
    .info = {
        .name = "bincue",
        .description = "CDRWIN BIN/CUE",
        .extensions = "cue,bin",
        .can_read = true,
        .can_write = true,
        .options = cue_options,
        .option_count = sizeof cue_options / sizeof cue_options[0],
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS | DC_CAP_FILES,
    .priv_size = sizeof(cue_priv),
    .probe = cue_probe,
    .describes = cue_describes,
    .open = cue_open,
    .check = cue_check,
    .write = cue_write,
};
