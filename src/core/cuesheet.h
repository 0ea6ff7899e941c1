/*
 * Writing cue sheets.  A writer describes where every INDEX of every track
 * lies (which file, how many sectors in), and this builds the text: FILE
 * lines appear wherever the file changes, even inside a track, which is how
 * EAC-style sheets put a track's pregap at the end of the previous file.
 * Used by the BIN/CUE and UIF writers and by audio extraction.
 */
#ifndef DC_CUESHEET_H
#define DC_CUESHEET_H

#include "discconv/discconv.h"

/* The CD-TEXT fields a cue sheet names with a command of its own. */
typedef struct dc_cue_cdtext_keyword {
    const char *keyword;
    dc_cdtext_field field;
} dc_cue_cdtext_keyword;
#define DC_CUE_CDTEXT_COUNT 6
extern const dc_cue_cdtext_keyword dc_cue_cdtext_keywords[DC_CUE_CDTEXT_COUNT];

typedef struct dc_cue_index {
    int number;      /* 0..99 */
    int file;        /* position in dc_cue_layout.files */
    int64_t offset;  /* sectors from the start of that file */
} dc_cue_index;

typedef struct dc_cue_track_layout {
    const char *keyword;  /* "AUDIO", "MODE1/2352"...; NULL leaves it out */
    int64_t pregap;       /* PREGAP: silence no file holds */
    int64_t postgap;      /* POSTGAP */
    int index_count;
    dc_cue_index index[DC_MAX_INDEXES];
} dc_cue_track_layout;

typedef struct dc_cue_file {
    const char *name;     /* as the FILE line names it */
    const char *type;     /* "BINARY", "WAVE", "AIFF", "FLAC" */
} dc_cue_file;

typedef struct dc_cue_layout {
    int file_count;
    dc_cue_file *files;
    dc_cue_track_layout *tracks;  /* one per disc track, same order */
    const char *cdtext_file;      /* CDTEXTFILE, or NULL */
    bool sessions;                /* write REM SESSION lines */
} dc_cue_layout;

/* The sheet (CRLF lines) as a malloc'd NUL-terminated string. */
dc_status dc_cue_sheet_build(const dc_disc *disc, const dc_cue_layout *layout,
                             char **text, size_t *len, dc_error *err);

/* Unstored sectors before track i: its PREGAP, or more where the image
 * skips addresses between tracks of one session, so the sheet keeps the
 * disc's layout; whole_disc is false when one track is written alone. */
int64_t dc_cue_unstored_pregap(const dc_disc *disc, int i, bool whole_disc);

#endif
