/*
 * cdrdao TOC files (.toc + data files), read only: what the parser
 * (parse.c) and the reader (read.c) share -- the state an open TOC image
 * keeps, the parser's state and tokens, the track modes, and the functions
 * one side takes from the other.
 *
 * The grammar is cdrdao(1)'s (FORMATS.md §7.1): an optional disc type,
 * CATALOG, CD_TEXT blocks, then TRACKs made of pieces concatenated in
 * order: FILE/AUDIOFILE and DATAFILE ranges of data files, and
 * ZERO/SILENCE runs that no file stores (served as zero sectors).  START
 * marks the end of a stored pregap, PREGAP adds an unstored one, INDEX
 * adds indexes 2, 3...
 *
 * Addresses: the first stored sector of track 1 is LBA 0, as for cue
 * sheets; later tracks follow by accumulated lengths plus their unstored
 * pregaps.  Audio in raw files is big-endian (cdrdao's "MSB left") unless
 * the file name ends in .wav (decoded by libsndfile) or SWAP says
 * otherwise; the model serves little-endian, so raw audio is swapped on
 * read.
 */
#ifndef DC_TOC_H
#define DC_TOC_H

#include "format.h"
#include "sound.h"
#include "model.h"

#define AUDIO_RATE 44100
#define SAMPLE_BYTES 4 /* one 16-bit stereo sample pair */
#define SAMPLES_PER_SECTOR (DC_RAW_SECTOR / SAMPLE_BYTES)

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---------------------------------------------------------------------- */
/* State                                                                   */
/* ---------------------------------------------------------------------- */

typedef struct toc_file {
    char *name;       /* as written */
    int line;         /* first mention */
    char *path;       /* where it was found */
    bool wav;         /* decoded by libsndfile: little-endian PCM */
    dc_source *source;
    dc_sound *sound;
    int64_t size;     /* bytes (of decoded PCM for WAV) */
} toc_file;

/* A run of a track's stored sectors: from a file, or zeros. */
typedef struct toc_piece {
    int file;         /* -1: generated zeros (ZERO, SILENCE) */
    int64_t offset;   /* bytes into the file */
    int64_t bytes;    /* bytes the file gives; the rest of count sectors
                         is silence (a short last audio sector) */
    int64_t count;    /* sectors */
    bool swap;        /* audio stored big-endian: swap to little-endian */
    bool swap_toggled;/* SWAP after the file name */
    int line;
} toc_piece;

typedef struct toc_track_info {
    int line;
    toc_piece *pieces;
    int piece_count;
    bool swap;        /* track-level SWAP */
    bool start_seen;
    bool pregap_seen;
    int64_t pregap_stored; /* START: sectors before INDEX 01 */
} toc_track_info;

typedef struct toc_priv {
    toc_file *files;
    int file_count;
    toc_track_info tracks[DC_MAX_TRACKS];
} toc_priv;

typedef enum token_kind {
    TOK_END,
    TOK_WORD,
    TOK_STRING,
    TOK_OPEN,   /* { */
    TOK_CLOSE,  /* } */
    TOK_COMMA
} token_kind;

typedef struct token {
    token_kind kind;
    int line;
    char *text;   /* words and decoded strings; NULL otherwise */
    size_t len;   /* of a string (it may hold NULs from escapes) */
} token;

typedef struct toc_parser {
    dc_image *image;
    toc_priv *priv;
    const char *origin;
    const char *dir;
    token *tokens;
    int token_count;
    int pos;
    bool cdi_disc;
    bool catalog_seen;
} toc_parser;

typedef struct track_mode_entry {
    const char *keyword;
    dc_track_mode mode;
    unsigned size; /* cdrdao's block size in data files */
} track_mode_entry;

/* parse.c: every TRACK mode keyword cdrdao knows (toc_probe looks for
 * them too). */
extern const track_mode_entry toc_track_modes[];
extern const int toc_track_mode_count;

/* parse.c: "ORIGIN:LINE: message" as the error. */
__attribute__((format(printf, 5, 6)))
dc_status toc_fail(const toc_parser *p, int line, dc_status status,
                   dc_error *err, const char *fmt, ...);
dc_status toc_no_memory(dc_error *err);
/* parse.c: the text as tokens, then the tokens as the disc's tracks. */
dc_status toc_tokenize(toc_parser *p, const char *text, dc_error *err);
dc_status toc_parse_tokens(toc_parser *p, dc_error *err);
/* parse.c: sectors in a track's pieces so far. */
int64_t toc_stored_so_far(const toc_track_info *info);
/* read.c: the data file of that name (its index in the image's files),
 * opened on first mention. */
dc_status toc_use_file(toc_parser *p, const token *name, int *index,
                       dc_error *err);

#endif
