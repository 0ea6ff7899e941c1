/* Building and checking the track-and-sector model (src/core/model.c) and
 * the CD-TEXT pack codec (src/core/cdtext.c). */
#ifndef DC_MODEL_H
#define DC_MODEL_H

#include "discconv/discconv.h"

/* Appends a zeroed track (session 1, one session counted) and returns it. */
dc_track *dc_disc_add_track(dc_disc *disc, dc_error *err);
dc_status dc_track_add_index(dc_track *track, int number, int64_t offset,
                             dc_error *err);
/* Replaces a CD-TEXT field with a copy of value. */
dc_status dc_cdtext_set(dc_cdtext *text, dc_cdtext_field field,
                        const char *value, dc_error *err);
dc_status dc_disc_add_comment(dc_disc *disc, const char *text, dc_error *err);
/* Parses raw CD-TEXT packs (a .cdt file, NRG CDTX, CloneCD [CDText]) into
 * the disc: every block's text, language, character set, genre
 * code and copyright flag, and keeps the packs; tolerates the 4-byte MMC
 * header and a trailing NUL.  A stream whose structure contradicts itself
 * (blocks out of order, a gap in a block's sequence numbers, size
 * information that miscounts its block) is DC_ERR_FORMAT; what only
 * loses text (a bad CRC, no size information, a character set we do not
 * decode) is a warning to `warn_to` (NULL: unsaid).  The disc's tracks
 * must be there. */
dc_status dc_disc_set_cdtext_packs(dc_disc *disc, dc_image *warn_to,
                                   const uint8_t *data, size_t size,
                                   const char *origin, dc_error *err);
/* Encodes the disc's CD-TEXT blocks as raw packs for formats that store
 * packs: the inverse of dc_disc_set_cdtext_packs.  Each block keeps its
 * character set when its text fits, else takes ISO-8859-1 or MS-JIS;
 * what no set holds is written as '?' and said in a note to `job` (NULL:
 * unsaid).  *packs is NULL when there is no text; a block longer than its
 * 256 packs is DC_ERR_CANNOT_HOLD. */
struct dc_write_job;
dc_status dc_cdtext_encode(const dc_disc *disc, struct dc_write_job *job,
                           uint8_t **packs, size_t *size, dc_error *err);
/* Whether the disc's CD-TEXT holds more than a cue sheet's commands carry
 * (block 0's title, performer, songwriter, composer, arranger, message):
 * other languages, a disc id, a genre, UPC/ISRC text. */
bool dc_cdtext_beyond_cue(const dc_disc *disc);
/* Checks what every reader must guarantee: numbers ascending and in range,
 * lengths positive, indexes ascending and inside the track, INDEX 01 there,
 * tracks not overlapping.  `origin` names the image in the message. */
dc_status dc_disc_validate(const dc_disc *disc, const char *origin,
                           dc_error *err);
void dc_disc_free(dc_disc *disc);

/* MSF text "mm:ss:ff" (minutes may exceed 99) to a frame count; false if
 * malformed or out of range (ss < 60, ff < 75). */
bool dc_msf_parse(const char *text, int64_t *frames);
/* Frames to "mm:ss:ff" into a buffer of DC_MSF_TEXT_SIZE bytes. */
#define DC_MSF_TEXT_SIZE 32
void dc_msf_format(int64_t frames, char *buffer);

/* The disc's track numbers (or its audio tracks') for messages: "tracks
 * 1-3, 5", "track 2", "no audio tracks". */
#define DC_TRACK_TEXT_SIZE 320
void dc_disc_describe_tracks(const dc_disc *disc, bool audio_only,
                             char *text, size_t size);

/* An ISRC as the model keeps it: country (2 letters), owner (3 letters or
 * digits), year and serial (7 digits). */
bool dc_isrc_valid(const char *s);

#endif
