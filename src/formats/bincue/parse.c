/*
 * BIN/CUE: the cue grammar.  Every command of a CDRWIN sheet (and what
 * EAC, redump and others write), checked line by line, into the disc's
 * tracks and indexes and the parser's list of FILEs and INDEX events.
 */
#include "bincue.h"
#include "cuesheet.h"
#include "text.h"

#include <ctype.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Fails with "CUE:LINE: message". */
dc_status cue_fail(const cue_parser *p, int line, dc_status status,
                          dc_error *err, const char *fmt, ...)
{
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return dc_fail(err, status, "%s:%d: %s", p->cue_path, line, message);
}

dc_track *cue_current_track(cue_parser *p)
{
    dc_disc *disc = &p->image->disc;
    return disc->track_count > 0 ? &disc->tracks[disc->track_count - 1]
                                 : NULL;
}

/* ---------------------------------------------------------------------- */
/* Text                                                                    */
/* ---------------------------------------------------------------------- */


static const char *skip_blanks(const char *s)
{
    while (cue_is_blank(*s))
        s++;
    return s;
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
        while (s[len] != '\0' && !cue_is_blank(s[len]))
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
    *track = cue_current_track(p);
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
    const dc_track *track = cue_current_track(p);
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
        const dc_track *last = cue_current_track(p);
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
    char *text = dc_text_to_utf8(rest, DC_CHARSET_WINDOWS_1252);
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
    char *text = dc_text_to_utf8(value, DC_CHARSET_WINDOWS_1252);
    if (text == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_track *track = cue_current_track(p);
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
        while (type_start > start && !cue_is_blank(type_start[-1]))
            type_start--;
        const char *name_end = type_start;
        while (name_end > start && cue_is_blank(name_end[-1]))
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
    const dc_track *previous = cue_current_track(p);
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

static dc_status do_isrc(cue_parser *p, const char *rest, dc_error *err)
{
    dc_track *track;
    char token[CUE_MAX_LINE + 1];
    if (need_track(p, "ISRC", &track, err) != DC_OK)
        return err->status;
    if (take_token(&rest, token, NULL) != TOKEN_OK || !dc_isrc_valid(token))
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
dc_status cue_parse_text(cue_parser *p, char *text, dc_error *err)
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
        while (end > line && (end[-1] == '\r' || cue_is_blank(end[-1])))
            end--;
        *end = '\0';
        const char *start = skip_blanks(line);
        if (*start != '\0' && do_command(p, start, err) != DC_OK)
            return err->status;
        line = next;
    }
    if (cue_current_track(p) == NULL)
        return dc_fail(err, DC_ERR_FORMAT, "%s: no TRACK in the cue sheet",
                       p->cue_path);
    if (check_track_complete(p, err) != DC_OK ||
        check_file_used(p, err) != DC_OK)
        return err->status;
    return DC_OK;
}
