/*
 * Sound files through libsndfile, read from a source: one module for every
 * format that finds CD audio in WAV, AIFF, FLAC and the like.
 */
#ifndef DC_SOUND_H
#define DC_SOUND_H

#include "source.h"

#include <sndfile.h>

typedef struct dc_sound {
    SNDFILE *file;
    SF_INFO info;
    dc_source *source;
    int64_t position;  /* libsndfile's, in the source */
    int64_t sectors;   /* of CD audio, the last one padded with silence */
} dc_sound;

/* Opens `source` as CD audio: 44.1 kHz 16-bit stereo (or a codec that
 * decodes to it), with a sane length.  `where` names the place in the
 * descriptor for messages ("disc.cue:3"). */
dc_status dc_sound_open(dc_sound **sound, dc_source *source,
                        const char *where, dc_error *err);
void dc_sound_close(dc_sound *sound);
/* Decodes `count` stereo frames (4 bytes each) from frame `first` as
 * little-endian CD-DA; past the end of the file, silence. */
dc_status dc_sound_read_frames(dc_sound *sound, int64_t first, int64_t count,
                               uint8_t *out, dc_error *err);
/* The same by whole sectors of 588 frames. */
dc_status dc_sound_read_sectors(dc_sound *sound, int64_t first, int64_t count,
                                uint8_t *out, dc_error *err);

/* Takes the file's title and artist for the track and its album for the
 * disc, where those have none yet: tagged WAV or FLAC files become a disc
 * with CD-TEXT. */
dc_status dc_sound_take_tags(dc_sound *sound, dc_cdtext *track,
                             dc_cdtext *disc, dc_error *err);

#endif
