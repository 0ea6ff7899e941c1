/*
 * Content against labels (src/core/labels.c): what a track's raw sectors
 * are, against what its descriptor calls it.  A cue may say AUDIO over Mode
 * 1 sectors, or MODE1 over samples; writing such a track as what its label
 * says (a WAV of data, an ISO of audio) makes garbage, so it is refused,
 * while copies of the raw sectors go on with a note.
 */
#ifndef DC_LABELS_H
#define DC_LABELS_H

#include "format.h"

typedef enum dc_label_verdict {
    DC_LABEL_UNCHECKED,    /* not stored raw, or no sample said anything */
    DC_LABEL_FITS,
    DC_LABEL_CONTRADICTED, /* (nearly) every telling sample is the other
                              kind */
    DC_LABEL_MIXED         /* both kinds, each in numbers */
} dc_label_verdict;

typedef struct dc_label_finding {
    dc_label_verdict verdict;
    /* "track 1 is labelled audio but its sectors are Mode 1 data (sync
     * and headers at LBA 0..1233)", for a verdict other than FITS */
    char what[200];
} dc_label_finding;

/* Samples the stored sectors of every track stored raw (2352/2448 bytes),
 * a bounded number spread over each, and keeps a finding per track in
 * image->labels, with a warning for each label its sectors contradict.
 * Read failures only end a track's sampling; fails with DC_ERR_NOMEM. */
dc_status dc_labels_survey(dc_image *image, dc_error *err);

/* Before a conversion writes: refuses (DC_ERR_FORMAT) to turn a
 * contradicted track into garbage -- user data of a data track whose
 * sectors are audio, sound files of an audio track whose sectors are data
 * (routes_audio: the target sends audio tracks out as sound files) -- and
 * notes the tracks copied as stored. */
dc_status dc_labels_check_convert(dc_write_job *job, const dc_format *target,
                                  bool routes_audio, dc_error *err);
/* Refuses (DC_ERR_FORMAT) sound files of the selected tracks (by position)
 * when one is labelled audio but holds data. */
dc_status dc_labels_check_sound(const dc_write_job *job, const bool *selected,
                                dc_error *err);

/* What the sectors of the track at `index` say against its label ("track
 * 1 is labelled audio but its sectors are Mode 1 data (...)"), or NULL
 * when they fit it or were not judged: for refusals whose advice would
 * otherwise follow the label. */
const char *dc_labels_contradiction(const dc_image *image, int index);

#endif
