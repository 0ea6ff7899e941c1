/* Writing cue sheets from a layout: see cuesheet.h. */
#include "cuesheet.h"
#include "text.h"
#include "paths.h"
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void append_quoted(dc_text_buffer *b, const char *text)
{
    char *safe = dc_strdup(text);
    if (safe == NULL) {
        b->failed = true;
        return;
    }
    for (char *c = safe; *c != '\0'; c++)
        *c = cue_safe_char(*c);
    dc_text_append(b, "\"%s\"", safe);
    free(safe);
}

const dc_cue_cdtext_keyword dc_cue_cdtext_keywords[DC_CUE_CDTEXT_COUNT] = {
    {"TITLE", DC_CDTEXT_TITLE},       {"PERFORMER", DC_CDTEXT_PERFORMER},
    {"SONGWRITER", DC_CDTEXT_SONGWRITER}, {"COMPOSER", DC_CDTEXT_COMPOSER},
    {"ARRANGER", DC_CDTEXT_ARRANGER}, {"MESSAGE", DC_CDTEXT_MESSAGE},
};

/* Every field a cue command names (the rest travel in the CDTEXTFILE). */
static void append_cdtext(dc_text_buffer *b, const dc_cdtext *text,
                          const char *indent)
{
    for (int i = 0; i < DC_CUE_CDTEXT_COUNT; i++) {
        const char *value = text->field[dc_cue_cdtext_keywords[i].field];
        if (value == NULL)
            continue;
        dc_text_append(b, "%s%s ", indent, dc_cue_cdtext_keywords[i].keyword);
        append_quoted(b, value);
        dc_text_append(b, EOL);
    }
}

static void append_msf(dc_text_buffer *b, const char *command, int64_t frames)
{
    char msf[DC_MSF_TEXT_SIZE];
    dc_msf_format(frames, msf);
    dc_text_append(b, "%s %s" EOL, command, msf);
}

static void append_comments(dc_text_buffer *b, const dc_disc *disc)
{
    for (int i = 0; i < disc->comment_count; i++) {
        dc_text_append(b, "REM ");
        /* A REM runs to the end of the line: quotes may stay. */
        for (const char *c = disc->comments[i]; *c != '\0'; c++)
            dc_text_append(b, "%c", (unsigned char)*c < 0x20 ? ' ' : *c);
        dc_text_append(b, EOL);
    }
}

static void append_file(dc_text_buffer *b, const dc_cue_file *file)
{
    dc_text_append(b, "FILE ");
    append_quoted(b, file->name);
    dc_text_append(b, " %s" EOL, file->type);
}

static void append_flags_and_isrc(dc_text_buffer *b, const dc_track *track)
{
    bool any = false;
    for (int i = 0; i < DC_FLAG_NAME_COUNT; i++)
        if (track->flags & dc_flag_names[i].flag) {
            dc_text_append(b, "%s %s", any ? "" : "    FLAGS", dc_flag_names[i].name);
            any = true;
        }
    if (any)
        dc_text_append(b, EOL);
    if (track->isrc[0] != '\0')
        dc_text_append(b, "    ISRC %s" EOL, track->isrc);
}

/* One TRACK block; *open_file follows the FILE lines written so far. */
static void append_track(dc_text_buffer *b, const dc_track *track,
                         const dc_cue_track_layout *t,
                         const dc_cue_layout *layout, int *open_file)
{
    if (t->index_count > 0 && t->index[0].file != *open_file) {
        *open_file = t->index[0].file;
        append_file(b, &layout->files[*open_file]);
    }
    dc_text_append(b, "  TRACK %02d %s" EOL, track->number, t->keyword);
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
    dc_text_buffer b = {0};
    append_comments(&b, disc);
    if (disc->mcn[0] != '\0')
        dc_text_append(&b, "CATALOG %s" EOL, disc->mcn);
    if (layout->cdtext_file != NULL) {
        dc_text_append(&b, "CDTEXTFILE ");
        append_quoted(&b, layout->cdtext_file);
        dc_text_append(&b, EOL);
    }
    append_cdtext(&b, &disc->cdtext, "");
    int open_file = -1, session = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_cue_track_layout *t = &layout->tracks[i];
        if (t->keyword == NULL)
            continue;
        if (layout->sessions && disc->tracks[i].session != session) {
            session = disc->tracks[i].session;
            dc_text_append(&b, "REM SESSION %02d" EOL, session);
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

int64_t dc_cue_unstored_pregap(const dc_disc *disc, int i, bool whole_disc)
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
