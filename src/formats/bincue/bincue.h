/*
 * CDRWIN BIN/CUE, shared by its three parts: parse.c reads the grammar,
 * read.c finds the files, lays the tracks over them and serves sectors,
 * write.c writes a disc as BIN(s) + cue.
 *
 * Addresses: the first stored sector of the first FILE is LBA 0 (libcdio's
 * cd-info agrees); later tracks follow by accumulated file lengths, never
 * by cue times, with unstored gaps and session gaps added between them.
 */
#ifndef DC_BINCUE_H
#define DC_BINCUE_H

#include "format.h"
#include "model.h"
#include "sound.h"

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

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static inline bool cue_is_blank(char c) { return c == ' ' || c == '\t'; }

/* Fails with "CUE:LINE: message". */
dc_status cue_fail(const cue_parser *p, int line, dc_status status,
                   dc_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
dc_track *cue_current_track(cue_parser *p);

/* parse.c: the sheet's commands into the disc and the parser's lists. */
dc_status cue_parse_text(cue_parser *p, char *text, dc_error *err);
/* read.c */
int cue_probe(const dc_probe_input *input);
bool cue_describes(const dc_probe_input *descriptor, const char *payload,
                   int64_t payload_size);
dc_status cue_open(dc_image *image, dc_error *err);
/* write.c */
dc_status cue_check(const dc_write_job *job, dc_error *err);
dc_status cue_write(dc_write_job *job, dc_error *err);

#endif
