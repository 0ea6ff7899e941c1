/* Writing cue sheets from a layout: see cuesheet.h. */
#include "cuesheet.h"
#include "paths.h"
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct text_buffer {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} text_buffer;

__attribute__((format(printf, 2, 3)))
static void append(text_buffer *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0) {
        b->failed = true;
        return;
    }
    size_t need = b->len + (size_t)n + 1;
    if (need > b->cap) {
        char *grown = realloc(b->data, need * 2);
        if (grown == NULL) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = need * 2;
    }
    va_start(args, fmt);
    vsnprintf(b->data + b->len, b->cap - b->len, fmt, args);
    va_end(args);
    b->len += (size_t)n;
}

/*
 * Lines end in CRLF: CDRWIN and the Windows burning tools that read cue
 * sheets expect it, redump publishes its sheets so, and every Unix reader
 * (libcdio, MAME, bchunk, ours) accepts it.
 */
#define EOL "\r\n"

/* Cue strings cannot escape a quote or hold a line break. */
static char cue_safe_char(char c)
{
    if (c == '"')
        return '\'';
    return (unsigned char)c < 0x20 ? ' ' : c;
}

static void append_quoted(text_buffer *b, const char *text)
{
    char *safe = dc_strdup(text);
    if (safe == NULL) {
        b->failed = true;
        return;
    }
    for (char *c = safe; *c != '\0'; c++)
        *c = cue_safe_char(*c);
    append(b, "\"%s\"", safe);
    free(safe);
}

const dc_cue_cdtext_keyword dc_cue_cdtext_keywords[DC_CUE_CDTEXT_COUNT] = {
    {"TITLE", DC_CDTEXT_TITLE},       {"PERFORMER", DC_CDTEXT_PERFORMER},
    {"SONGWRITER", DC_CDTEXT_SONGWRITER}, {"COMPOSER", DC_CDTEXT_COMPOSER},
    {"ARRANGER", DC_CDTEXT_ARRANGER}, {"MESSAGE", DC_CDTEXT_MESSAGE},
};

/* Every field a cue command names (the rest travel in the CDTEXTFILE). */
static void append_cdtext(text_buffer *b, const dc_cdtext *text,
                          const char *indent)
{
    for (int i = 0; i < DC_CUE_CDTEXT_COUNT; i++) {
        const char *value = text->field[dc_cue_cdtext_keywords[i].field];
        if (value == NULL)
            continue;
        append(b, "%s%s ", indent, dc_cue_cdtext_keywords[i].keyword);
        append_quoted(b, value);
        append(b, EOL);
    }
}

static void append_msf(text_buffer *b, const char *command, int64_t frames)
{
    char msf[DC_MSF_TEXT_SIZE];
    dc_msf_format(frames, msf);
    append(b, "%s %s" EOL, command, msf);
}

static void append_comments(text_buffer *b, const dc_disc *disc)
{
    for (int i = 0; i < disc->comment_count; i++) {
        append(b, "REM ");
        /* A REM runs to the end of the line: quotes may stay. */
        for (const char *c = disc->comments[i]; *c != '\0'; c++)
            append(b, "%c", (unsigned char)*c < 0x20 ? ' ' : *c);
        append(b, EOL);
    }
}

static void append_file(text_buffer *b, const dc_cue_file *file)
{
    append(b, "FILE ");
    append_quoted(b, file->name);
    append(b, " %s" EOL, file->type);
}

static void append_flags_and_isrc(text_buffer *b, const dc_track *track)
{
    bool any = false;
    for (int i = 0; i < DC_FLAG_NAME_COUNT; i++)
        if (track->flags & dc_flag_names[i].flag) {
            append(b, "%s %s", any ? "" : "    FLAGS", dc_flag_names[i].name);
            any = true;
        }
    if (any)
        append(b, EOL);
    if (track->isrc[0] != '\0')
        append(b, "    ISRC %s" EOL, track->isrc);
}

/* One TRACK block; *open_file follows the FILE lines written so far. */
static void append_track(text_buffer *b, const dc_track *track,
                         const dc_cue_track_layout *t,
                         const dc_cue_layout *layout, int *open_file)
{
    if (t->index_count > 0 && t->index[0].file != *open_file) {
        *open_file = t->index[0].file;
        append_file(b, &layout->files[*open_file]);
    }
    append(b, "  TRACK %02d %s" EOL, track->number, t->keyword);
    append_cdtext(b, &track->cdtext, "    ");
    append_flags_and_isrc(b, track);
    if (t->pregap > 0)
        append_msf(b, "    PREGAP", t->pregap);
    for (int k = 0; k < t->index_count; k++) {
        if (t->index[k].file != *open_file) {
            *open_file = t->index[k].file;
            append_file(b, &layout->files[*open_file]);
        }
        char command[16];
        snprintf(command, sizeof command, "    INDEX %02d", t->index[k].number);
        append_msf(b, command, t->index[k].offset);
    }
    if (t->postgap > 0)
        append_msf(b, "    POSTGAP", t->postgap);
}

dc_status dc_cue_sheet_build(const dc_disc *disc, const dc_cue_layout *layout,
                             char **text, size_t *len, dc_error *err)
{
    text_buffer b = {0};
    append_comments(&b, disc);
    if (disc->mcn[0] != '\0')
        append(&b, "CATALOG %s" EOL, disc->mcn);
    if (layout->cdtext_file != NULL) {
        append(&b, "CDTEXTFILE ");
        append_quoted(&b, layout->cdtext_file);
        append(&b, EOL);
    }
    append_cdtext(&b, &disc->cdtext, "");
    int open_file = -1, session = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_cue_track_layout *t = &layout->tracks[i];
        if (t->keyword == NULL)
            continue;
        if (layout->sessions && disc->tracks[i].session != session) {
            session = disc->tracks[i].session;
            append(&b, "REM SESSION %02d" EOL, session);
        }
        append_track(&b, &disc->tracks[i], t, layout, &open_file);
    }
    if (b.failed || b.data == NULL) {
        free(b.data);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    *text = b.data;
    *len = b.len;
    return DC_OK;
}
