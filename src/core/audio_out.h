/* CD-DA out to sound files (src/core/audio_out.c). */
#ifndef DC_AUDIO_OUT_H
#define DC_AUDIO_OUT_H

#include "format.h"

/* Writes audio tracks as sound files named from options->name_template,
 * into `dir`, with `name` as the template's {name}.  `selected` says which
 * tracks (by position) to write; a cue sheet naming the files is written
 * as `cue_path` unless that is NULL. */
dc_status dc_audio_write_tracks(dc_write_job *job, const char *dir,
                                const char *name, const bool *selected,
                                const char *cue_path, dc_error *err);
/* The one sound file the selected tracks make, down the job's stream (no
 * cue sheet); refused when they make several. */
dc_status dc_audio_write_stream(dc_write_job *job, const bool *selected,
                                dc_error *err);
/* The sound format a name means ("wav", "aiff" or "aif", "flac", any
 * case); false for other names. */
bool dc_audio_format_named(const char *name, dc_audio_format *format);

#endif
