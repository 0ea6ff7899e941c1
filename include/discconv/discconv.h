/*
 * discconv — convert optical disc images between formats.
 *
 * The public API of libdiscconv.  Every format reader fills the same
 * track-and-sector model (disc -> sessions -> tracks -> indexes) and serves
 * sectors through dc_image_read(); every writer consumes only that, so any
 * reader works with any writer.
 */
#ifndef DISCCONV_H
#define DISCCONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What libdiscconv exports: it is built with every other symbol hidden. */
#if defined(__GNUC__)
#define DC_API __attribute__((visibility("default")))
#else
#define DC_API
#endif

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

/* Error classes.  The command line maps each class to its exit code. */
typedef enum dc_status {
    DC_OK = 0,
    DC_ERR_USAGE,       /* the caller asked for something malformed */
    DC_ERR_INPUT_IO,    /* an input file is missing or cannot be read */
    DC_ERR_FORMAT,      /* an input is malformed or not a format we know */
    DC_ERR_UNSUPPORTED, /* a valid input uses something we do not handle */
    DC_ERR_OUTPUT,      /* an output cannot be written (exists, disk full) */
    DC_ERR_CANNOT_HOLD, /* the target format cannot hold this disc as asked */
    DC_ERR_BAD_SECTORS, /* done, but sectors failed EDC/ECC verification */
    DC_ERR_NOMEM,
    DC_ERR_INTERRUPTED
} dc_status;

/*
 * What would make a refused request work, or what the caller could do about
 * a note.  Messages say it in the library's terms; the code lets a front end
 * name its own control for it (the command line appends the flag).
 */
typedef enum dc_advice {
    DC_ADVICE_NONE = 0,
    DC_ADVICE_FORCE,          /* an output exists: allow replacing it
                                 (dc_convert_options.force) */
    DC_ADVICE_NAME_FORMAT,    /* the output's name does not tell the target
                                 format: name it (format_name) */
    DC_ADVICE_LIST_FORMATS,   /* no such format: pick one dc_format_get()
                                 lists */
    DC_ADVICE_CHOOSE_TRACK,   /* the target holds one track: pick one
                                 (track_number) */
    DC_ADVICE_CHOOSE_TRACKS,  /* a track list is malformed: write it as
                                 numbers and ranges (track_list) */
    DC_ADVICE_WRITE_AUDIO,    /* audio: write it as sound files (the "audio"
                                 target) */
    DC_ADVICE_ALLOW_FORM2_TRUNCATION, /* read.allow_form2_truncation */
    DC_ADVICE_SWAP_AUDIO,     /* the audio looks byte-swapped: read it again
                                 with read.swap_audio */
    DC_ADVICE_ALLOW_TRUNCATED, /* the image holds less than it says: convert
                                 what is there (allow_truncated) */
    DC_ADVICE_NAME_INPUT_FORMAT, /* nothing in the input's bytes or name
                                 tells its format: name it (dc_image_open's
                                 format_name) */
    DC_ADVICE_PASSWORD        /* the image is encrypted with a password, or
                                 the one given is wrong: give the right one
                                 (dc_open_options.password) */
} dc_advice;

/*
 * The first error wins: later failures while cleaning up do not overwrite it.
 * Every function below that takes a dc_error records its failure there and
 * returns the same status.  Pass one that is clear (zeroed, or reset with
 * dc_error_clear()), never NULL: a function may answer with a status
 * already recorded.
 */
typedef struct dc_error {
    dc_status status;
    dc_advice advice;  /* what would work instead, or DC_ADVICE_NONE */
    char message[512]; /* one line, names the file and the place */
} dc_error;

/* Records an error (printf-style, cut to fit `message`) unless one is
 * already recorded; returns status so callers can write
 * `return dc_fail(err, ...)`.  A NULL err records nothing. */
DC_API dc_status dc_fail(dc_error *err, dc_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Forgets the recorded error (DC_OK, no advice, empty message) so that
 * err can be passed to the next call.  NULL is ignored. */
DC_API void dc_error_clear(dc_error *err);
/* dc_fail, with advice for the caller (dc_error.advice). */
DC_API dc_status dc_fail_advise(dc_error *err, dc_status status,
                                dc_advice advice, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A short description of a status ("cannot read input"): a static string,
 * "unknown error" for a value outside dc_status. */
DC_API const char *dc_status_name(dc_status status);

/* ---------------------------------------------------------------------- */
/* The model                                                               */
/* ---------------------------------------------------------------------- */

#define DC_RAW_SECTOR 2352      /* a whole CD sector: sync..ECC or samples */
#define DC_SUBCHANNEL_SIZE 96   /* P..W subchannel bytes per sector */
#define DC_PREGAP_TRACK1 150    /* LBA 0 is at MSF 00:02:00 */
#define DC_MAX_TRACKS 99
#define DC_MAX_INDEXES 100      /* INDEX 00..99 */
#define DC_MAX_DISC_SECTORS 450000 /* 100 minutes: no CD is longer */

typedef enum dc_track_mode {
    DC_MODE_AUDIO,       /* CD-DA: 2352 bytes of 16-bit stereo samples */
    DC_MODE_MODE1,       /* 2048 user bytes, EDC + ECC */
    DC_MODE_MODE2,       /* Yellow Book formless: 2336 user bytes */
    DC_MODE_MODE2_FORM1, /* XA Form 1 only: 2048 user bytes */
    DC_MODE_MODE2_FORM2, /* XA Form 2 only: 2324 user bytes */
    DC_MODE_MODE2_MIXED  /* XA, Form 1 / Form 2 decided per sector */
} dc_track_mode;

/* Control bits of the Q subchannel; the cue FLAGS keywords. */
enum {
    DC_FLAG_PRE = 0x1,  /* pre-emphasis */
    DC_FLAG_DCP = 0x2,  /* digital copy permitted */
    DC_FLAG_DATA = 0x4, /* data track (implied by the mode, never in FLAGS) */
    DC_FLAG_4CH = 0x8,  /* four-channel audio */
    DC_FLAG_SCMS = 0x10 /* serial copy management (cue only, not in Q) */
};

/* The cue FLAGS keywords with their bits, in the order sheets write them. */
typedef struct dc_flag_name {
    unsigned flag;
    const char *name;
} dc_flag_name;
#define DC_FLAG_NAME_COUNT 4
DC_API extern const dc_flag_name dc_flag_names[DC_FLAG_NAME_COUNT];

/* CD-TEXT fields we carry by name (pack types 0x80..0x87, 0x8E). */
typedef enum dc_cdtext_field {
    DC_CDTEXT_TITLE,
    DC_CDTEXT_PERFORMER,
    DC_CDTEXT_SONGWRITER,
    DC_CDTEXT_COMPOSER,
    DC_CDTEXT_ARRANGER,
    DC_CDTEXT_MESSAGE,
    DC_CDTEXT_DISC_ID,
    DC_CDTEXT_GENRE,
    DC_CDTEXT_UPC_ISRC,
    DC_CDTEXT_FIELD_COUNT
} dc_cdtext_field;

typedef struct dc_cdtext {
    char *field[DC_CDTEXT_FIELD_COUNT]; /* UTF-8 or NULL */
} dc_cdtext;

/*
 * CD-TEXT comes in up to eight blocks, one language each.  Block 0 is
 * dc_disc.cdtext and dc_track.cdtext, which every user that knows one
 * language reads; blocks 1..7 are cdtext_other[block - 1] beside them.
 * dc_disc_cdtext() and dc_track_cdtext() reach any block by its number.
 */
#define DC_CDTEXT_MAX_BLOCKS 8

/* The character sets a block can declare (its size information's code). */
typedef enum dc_cdtext_charset {
    DC_CDTEXT_ISO_8859_1 = 0x00,
    DC_CDTEXT_ASCII = 0x01,    /* ISO 646, 7 bits */
    DC_CDTEXT_MS_JIS = 0x80,   /* Shift-JIS, two bytes per character */
    DC_CDTEXT_KOREAN = 0x81,   /* named only: its text is not decoded */
    DC_CDTEXT_MANDARIN = 0x82  /* named only: its text is not decoded */
} dc_cdtext_charset;

/* What one block says about itself. */
typedef struct dc_cdtext_block {
    int language;      /* EBU Tech 3264 code: 0x09 English, 0x08 German,
                          0x69 Japanese...; 0 unknown */
    int charset;       /* dc_cdtext_charset the block is written in; a
                          writer keeps it when the text fits */
    int genre_code;    /* the genre pack's code: 0 none ("not used"),
                          1 "not defined", 2..27 a genre
                          (dc_cdtext_genre_name) */
    bool copyright;    /* the block's text is marked copyrighted */
} dc_cdtext_block;

typedef struct dc_index {
    int number;      /* 0..99 */
    int64_t offset;  /* sectors from the track's first stored sector */
} dc_index;

/*
 * One track.  Its stored sectors are numbered 0..length-1 from the first
 * stored sector, which is INDEX 00 when the pregap is stored in the image and
 * INDEX 01 otherwise.  Gaps that the image does not store (cue PREGAP and
 * POSTGAP, NRG TAO pregaps) are counted separately and read as silence or
 * empty sectors by nobody: writers generate them.
 */
typedef struct dc_track {
    int number;             /* 1..99 (a disc may start above 1) */
    int session;            /* 1-based */
    dc_track_mode mode;
    bool cdi;               /* cue CDI/ keyword (a Mode 2 XA CD-i track) */
    unsigned stored_size;   /* bytes per sector in the image:
                               2048, 2324, 2336, 2352 or 2448 */
    bool has_subchannel;    /* 2448: 96 interleaved P-W bytes follow */
    int64_t start_lba;      /* absolute LBA of stored sector 0 */
    int64_t length;         /* stored sectors */
    int64_t pregap_unstored;  /* cue PREGAP: sectors before stored sector 0 */
    int64_t postgap_unstored; /* cue POSTGAP: sectors after the last one */
    int index_count;
    dc_index index[DC_MAX_INDEXES]; /* ascending; INDEX 01 always present */
    unsigned flags;         /* DC_FLAG_* */
    char isrc[13];          /* 12 characters or empty */
    dc_cdtext cdtext;       /* CD-TEXT block 0 */
    dc_cdtext cdtext_other[DC_CDTEXT_MAX_BLOCKS - 1]; /* blocks 1..7 */
} dc_track;

typedef struct dc_disc {
    int track_count;
    dc_track *tracks;       /* ascending by number */
    int session_count;
    char mcn[14];           /* 13 digits or empty */
    dc_cdtext cdtext;       /* disc-level CD-TEXT, block 0 */
    dc_cdtext cdtext_other[DC_CDTEXT_MAX_BLOCKS - 1]; /* blocks 1..7 */
    /* The blocks the CD-TEXT has, 0..cdtext_block_count-1, and what each
     * says of itself.  0 when the text came without block information
     * (cue TITLE lines, tags): block 0 alone, language unknown. */
    int cdtext_block_count;
    dc_cdtext_block cdtext_block[DC_CDTEXT_MAX_BLOCKS];
    uint8_t *cdtext_packs;  /* raw CD-TEXT packs, when the image has them */
    size_t cdtext_packs_size;
    char **comments;        /* cue REM lines (without "REM "), kept in order */
    int comment_count;
} dc_disc;

/* The functions on a track read it only, keep nothing and cannot fail;
 * the track must not be NULL. */

/* CD-TEXT block `block` (0..7) of the disc or of a track: block 0 is
 * dc_disc.cdtext / dc_track.cdtext.  NULL for a number outside 0..7. */
DC_API const dc_cdtext *dc_disc_cdtext(const dc_disc *disc, int block);
DC_API const dc_cdtext *dc_track_cdtext(const dc_track *track, int block);
/* Names for CD-TEXT codes, static strings: a language ("English",
 * "Japanese"; "unknown" for 0 or a code without a name), a character set
 * ("ISO-8859-1", "MS-JIS"; "unknown" outside dc_cdtext_charset), a genre
 * code ("World Music"; NULL outside 0..27). */
DC_API const char *dc_cdtext_language_name(int language);
DC_API const char *dc_cdtext_charset_name(int charset);
DC_API const char *dc_cdtext_genre_name(int genre_code);

/* Offset of INDEX 01 within the track (the stored pregap length). */
DC_API int64_t dc_track_pregap(const dc_track *track);
/* Absolute LBA of INDEX 01: what a TOC calls the track start. */
DC_API int64_t dc_track_index1_lba(const dc_track *track);
/* Bytes of user data per sector for the track's mode (2048, 2324, 2336),
 * or 2352 for audio.  Mixed XA tracks answer 2048: see dc_image_read. */
DC_API unsigned dc_track_user_size(const dc_track *track);
/* True for every mode but audio. */
DC_API bool dc_track_is_data(const dc_track *track);
/* The mode's lower-case name ("mode1", "mode2-xa"): a static string,
 * "unknown" for a value outside dc_track_mode. */
DC_API const char *dc_track_mode_name(dc_track_mode mode);
/* Reads a track list, numbers and ranges such as "1,3-5" (1..99, no
 * spaces): wanted[n] is true for each track n it names, the rest false.
 * The spelling only is checked, not a disc: DC_ERR_USAGE otherwise. */
DC_API dc_status dc_track_list_parse(const char *list,
                                     bool wanted[DC_MAX_TRACKS + 1],
                                     dc_error *err);

/* ---------------------------------------------------------------------- */
/* Images (readers)                                                        */
/* ---------------------------------------------------------------------- */

typedef struct dc_image dc_image;

/* What dc_image_read() hands back per sector. */
typedef enum dc_sector_form {
    DC_FORM_RAW,  /* 2352 bytes; framing synthesised if the image lacks it */
    DC_FORM_USER, /* user data: dc_track_user_size() bytes per sector */
    DC_FORM_MODE2_2336, /* Mode 2 tracks: the 2336 bytes after the header
                           (XA subheaders kept, so no form is lost) */
    DC_FORM_STORED      /* the bytes as the image stores them, subchannel
                           included: stored_size per sector */
} dc_sector_form;

/* Bytes per sector of a track read in `form` (the buffer size per sector
 * for dc_image_read). */
DC_API size_t dc_sector_form_size(const dc_track *track, dc_sector_form form);

typedef struct dc_read_options {
    bool verify;            /* check EDC/ECC of stored raw sectors */
    bool swap_audio;        /* audio was ripped with the wrong byte order:
                               swap each 16-bit sample */
    bool allow_form2_truncation; /* USER reads of Form 2 sectors in a
                                    2048-byte track keep 2048 of 2324 */
} dc_read_options;

/* Running counts of what the reads found; the caller owns and zeroes it. */
typedef struct dc_read_report {
    int64_t bad_edc;         /* sectors whose EDC or ECC does not verify */
    int64_t mode_mismatch;   /* sector mode byte differs from the track */
    int64_t form2_truncated; /* Form 2 sectors cut to 2048 on request */
    int64_t first_bad_lba;   /* first bad or mismatching sector; valid
                                when bad_edc + mode_mismatch > 0 */
} dc_read_report;

/*
 * Opens an image, detecting its format by content.  `format_name` forces a
 * format (a name from dc_format_get(), such as "iso", "bincue", "img") or
 * is NULL.  The input is opened read-only and never modified.
 *
 * Detection believes bytes first: a signature, then a structure that fits.
 * A file named after a format (x.cue, x.nrg) whose bytes show neither is
 * read as that format, which says what is wrong (DC_ERR_FORMAT).  A
 * headerless file without evidence in its bytes (a file system, sync
 * patterns) is read as raw sectors only when its name claims a raw image
 * (.iso, .img, .bin, .raw); otherwise DC_ERR_UNSUPPORTED with
 * DC_ADVICE_NAME_INPUT_FORMAT.  Formats recognised but not read (other
 * image formats, archives) are DC_ERR_UNSUPPORTED, naming them.
 *
 * On success *image is the caller's, to free with dc_image_close().  On
 * failure *image is NULL and err says why: DC_ERR_USAGE (unknown
 * format_name; the message lists the names), DC_ERR_INPUT_IO (the file, or
 * one it names, cannot be read), DC_ERR_FORMAT or DC_ERR_UNSUPPORTED (its
 * content), DC_ERR_NOMEM.
 */
DC_API dc_status dc_image_open(dc_image **image, const char *path,
                               const char *format_name, dc_error *err);
/*
 * How to open an image, for dc_image_open_with(); zeroed, it opens as
 * dc_image_open(path, NULL) does.
 */
typedef struct dc_open_options {
    const char *format_name; /* as dc_image_open's, or NULL: detect */
    /* A container's partition (a DMG's): its number from 0 in the
     * container's order, as dc_image_partition() lists them, its name or
     * its type ("Apple_HFS"; one partition must have it).  NULL: the whole
     * device.  The disc is then what that partition holds. */
    const char *partition;
    /* A container's checksums (a DMG's CRC-32 or MD5 of its data, of each
     * partition and of them all) are verified unless this is set: one that
     * does not match fails the open (those of the tables), or the read that
     * completes what it covers (a partition's; a DMG's data fork's, the
     * read that completes the image), with DC_ERR_FORMAT.  Checksums over
     * bytes never read are not checked. */
    bool ignore_checksums;
    /* The password of an encrypted image (a DMG's, a UIF's), or NULL.  An
     * image that needs one and has none fails the open with
     * DC_ERR_UNSUPPORTED, one given a wrong password with DC_ERR_USAGE;
     * both with DC_ADVICE_PASSWORD.  Never asked for interactively. */
    const char *password;
} dc_open_options;

/* dc_image_open() with options (NULL: all zero).  A partition asked of an
 * image that has none, or that names none, is DC_ERR_USAGE. */
DC_API dc_status dc_image_open_with(dc_image **image, const char *path,
                                    const dc_open_options *options,
                                    dc_error *err);

/* A partition of a container (a DMG's blkx), owned by the image. */
typedef struct dc_partition {
    int number;             /* from 0, in the container's order */
    const char *name;       /* as the container names it ("disk image
                               (Apple_HFS : 1)") */
    const char *type;       /* "Apple_HFS", "MBR", "Apple_Free"... */
    int64_t first_sector;   /* 512-byte sectors of the whole device */
    int64_t sectors;
    const char *codecs;     /* how its chunks are stored: "zlib, zero" */
    const char *file_system; /* what its bytes start with: "ISO 9660",
                                "UDF", "HFS", "HFS+", "APFS", "FAT", or
                                NULL for none of them */
} dc_partition;

/* The partitions of a container, i from 0 to dc_image_partition_count()
 * - 1 (0 for any other image); NULL outside that range. */
DC_API int dc_image_partition_count(const dc_image *image);
DC_API const dc_partition *dc_image_partition(const dc_image *image, int i);
/* The partition the disc was read from (dc_open_options.partition), or -1
 * for the whole device or an image that is no container. */
DC_API int dc_image_partition_chosen(const dc_image *image);
/*
 * What a container's plain image (or chosen partition) holds, a static
 * string: "iso" (ISO 9660 or UDF in 2048-byte sectors: it converts to ISO
 * and BIN/CUE like any data disc), "img" (raw CD sectors), "device" (a
 * disk, such as HFS+ or APFS: only the raw image of it, the IMG target,
 * holds it).  NULL for an image that is no container.
 */
DC_API const char *dc_image_contents(const dc_image *image);
/* A container's own facts (a UIF's version, compression, encryption and
 * original image type; how a DMG opened with its password is encrypted), i from 0 to dc_image_fact_count() - 1: the
 * fact's name, its value in *value.  NULL outside that range. */
DC_API int dc_image_fact_count(const dc_image *image);
DC_API const char *dc_image_fact(const dc_image *image, int i,
                                 const char **value);
/* Closes the image's files and frees it, with the disc, path and warnings
 * it handed out.  NULL is ignored. */
DC_API void dc_image_close(dc_image *image);
/* The disc the reader found: owned by the image, valid until
 * dc_image_close(). */
DC_API const dc_disc *dc_image_disc(const dc_image *image);
/* The name of the format that read the image ("bincue"): a static string. */
DC_API const char *dc_image_format_name(const dc_image *image);
/* The path the image was opened with: owned by the image. */
DC_API const char *dc_image_path(const dc_image *image);
/* The files the image reads: the one it was opened with (or the
 * descriptor found beside it) and every file a descriptor names, each
 * once, as the paths they were opened by.  File i, for i from 0 to
 * dc_image_file_count() - 1, is owned by the image; NULL outside that
 * range. */
DC_API int dc_image_file_count(const dc_image *image);
DC_API const char *dc_image_file(const dc_image *image, int i);
/* Things the reader tolerated but the user should know (a file found only
 * by ignoring case, a size that does not divide evenly...): warning i, for
 * i from 0 to dc_image_warning_count() - 1, is owned by the image; NULL
 * outside that range. */
DC_API int dc_image_warning_count(const dc_image *image);
DC_API const char *dc_image_warning(const dc_image *image, int i);
/*
 * What the image's own claims say its files lack: an ISO 9660 or UDF
 * volume larger than its track, a cue INDEX or a TOC length past the end
 * of its file, a lead-out past the end of the sectors, a file that ends
 * in the middle of a sector.  NULL when nothing is missing; otherwise one
 * line, "IMAGE: truncated: <what claims> N sectors, <what holds> M",
 * owned by the image, and *missing_sectors (unless NULL) is how many
 * sectors the claims want beyond what is there.  The image reads what is
 * there; dc_convert() refuses it unless allow_truncated.  Not among the
 * warnings above, which is where an image longer than it says is noted.
 */
DC_API const char *dc_image_truncation(const dc_image *image,
                                       int64_t *missing_sectors);

/*
 * Reads `count` sectors of track `track_index` (0-based position in
 * disc->tracks), starting at stored sector `first`, in `form`.  The buffer
 * holds count * dc_sector_form_size() bytes and is the caller's.  Raw
 * sectors are checked, not trusted: a data sector is stripped by its own
 * mode byte, and what the checks find is added to `report` (which may be
 * NULL); options NULL reads with all options off.
 *
 * Errors: DC_ERR_USAGE (no such track, sectors outside it, a Mode 2 form
 * for a track that is not Mode 2), DC_ERR_CANNOT_HOLD (a Form 2 sector
 * read as 2048 bytes without allow_form2_truncation), DC_ERR_INPUT_IO,
 * DC_ERR_NOMEM.  On failure the buffer's content is unspecified.
 */
DC_API dc_status dc_image_read(dc_image *image, int track_index, int64_t first,
                               int64_t count, dc_sector_form form,
                               const dc_read_options *options, void *buffer,
                               dc_read_report *report, dc_error *err);

/* What file system a data track holds. */
typedef struct dc_fsinfo {
    bool iso9660;
    char volume_id[33];
    char system_id[33];
    char application_id[129];
    char preparer_id[129];
    int64_t iso_blocks;     /* volume space size */
    int joliet_level;       /* 0 = no Joliet */
    char joliet_volume_id[97]; /* UTF-8 of up to 16 UCS-2 characters */
    bool rock_ridge;
    bool el_torito;
    bool udf;
} dc_fsinfo;

/* Looks at the volume descriptors of a track (by position, which must
 * exist) and fills the caller's *info; a track with no file system we
 * know leaves everything false and returns DC_OK.  Errors are those of
 * reading the track (DC_ERR_INPUT_IO, DC_ERR_NOMEM). */
DC_API dc_status dc_fsinfo_probe(dc_image *image, int track_index,
                                 dc_fsinfo *info, dc_error *err);

/* ---------------------------------------------------------------------- */
/* Formats and conversion                                                  */
/* ---------------------------------------------------------------------- */

typedef enum dc_framing {
    DC_FRAMING_DEFAULT, /* the target format's natural sector size */
    DC_FRAMING_RAW,     /* 2352-byte sectors (regenerated when missing) */
    DC_FRAMING_USER     /* user data only (2048/2324/2336) */
} dc_framing;

/* Audio files written by extract-audio and routed out of an ISO. */
typedef enum dc_audio_format {
    DC_AUDIO_WAV,
    DC_AUDIO_AIFF,
    DC_AUDIO_FLAC
} dc_audio_format;

/* Where the INDEX 00 audio before a track goes when tracks are split into
 * files (Exact Audio Copy's names). */
typedef enum dc_pregap_policy {
    DC_PREGAP_APPEND,   /* to the end of the previous track's file */
    DC_PREGAP_PREPEND,  /* to the start of its own track's file (redump) */
    DC_PREGAP_DROP      /* nowhere: the cue sheet marks it PREGAP */
} dc_pregap_policy;

/* Called now and then during long work; returning false cancels it. */
typedef bool (*dc_progress_fn)(void *context, int64_t done, int64_t total);

typedef struct dc_convert_options {
    const char *format_name; /* target format, by its name or one of its
                                extensions ("cue", "bin" and "bincue" name
                                one format; "wav", "aiff", "flac" name the
                                audio target and its sound format), or
                                NULL: from the output's extension */
    /* The tracks to convert: one number (0 = all), or a track list
     * (track_list below), not both.  Every track named must be on the
     * disc.  The audio target writes any list; the others write the whole
     * disc or one track, so their list must name one. */
    int track_number;
    dc_framing framing;
    /* Settings of options that belong to one format, "FORMAT.NAME=VALUE"
     * ("bincue.split=yes"), NULL-terminated, or NULL.  Each must be one
     * the target declares (dc_format_info.options): a setting for another
     * format or an unknown option is refused. */
    const char *const *format_options;
    bool force;              /* replace an existing output */
    bool allow_truncated;    /* convert an image that holds less than it
                                says (dc_image_truncation) as far as it
                                goes, with a note; without it that is
                                DC_ERR_FORMAT */
    bool sync;               /* make outputs durable: every file and its
                                folder entry is on the disk (fsync) before
                                dc_convert reports success.  Without it an
                                output is complete when renamed into place
                                but may still sit in the page cache, as
                                cp's and cat's do. */
    bool to_stream;          /* write the one output to stream_fd (a pipe,
                                standard output) instead of a file:
                                output_path then only names it in messages.
                                Only single-file, front-to-back targets can
                                (see dc_format_info.streams); what was
                                written before a failure cannot be taken
                                back, so the reader must heed the status. */
    int stream_fd;
    dc_read_options read;
    dc_audio_format audio_format;
    dc_pregap_policy pregap;
    const char *name_template; /* audio file names; NULL for the default
                                  "{name} (Track {track})" */
    const char *track_list;  /* "1,3-5" (dc_track_list_parse); NULL = all */
    dc_progress_fn progress;
    void *progress_context;
    /* The name the "audio" target gives the disc ({name} in name_template
     * and NAME.cue): a file name, no '/', not "." or "..".  NULL: the
     * image's file name without its extension. */
    const char *disc_name;
} dc_convert_options;

/* Why a sector was found bad. */
typedef enum dc_bad_kind {
    DC_BAD_EDC,  /* its EDC or ECC does not verify (read.verify) */
    DC_BAD_MODE  /* its mode byte does not fit its track */
} dc_bad_kind;

/* A run of consecutive sectors found bad for the same reason. */
typedef struct dc_bad_range {
    int64_t first_lba;
    int64_t count;
    dc_bad_kind kind;
} dc_bad_range;

typedef struct dc_convert_result {
    dc_read_report report;
    int output_count;
    char **outputs;          /* paths written, for the caller to show */
    int note_count;
    char **notes;            /* what the user should know about the result
                                (audio routed out, audio that looks
                                byte-swapped...) */
    dc_advice *note_advice;  /* one per note: what would help, if anything */
    /* Every sector counted in report.bad_edc and report.mode_mismatch, as
     * runs ascending by first_lba (EDC before mode at the same LBA): a
     * sector bad both ways is in a run of each kind, one read twice is in
     * one run.  Bounded: a disc has at most DC_MAX_DISC_SECTORS sectors,
     * so at most twice as many runs. */
    int bad_range_count;
    dc_bad_range *bad_ranges;
} dc_convert_result;

/*
 * Converts an open image to `output_path`.  A target written as files
 * given a folder there (a path ending in '/', or an existing folder)
 * writes into it under the image's name: "out/" + "game.cue" -> out/game.iso.
 * Missing folders on the way to the outputs are created (and removed
 * again if the conversion fails).  Outputs appear only when
 * complete (written to a temporary name in the target folder, then
 * renamed); a failure or an interruption removes them, and an existing
 * file is replaced only with options->force.  With options->sync they are
 * also durable when this returns.
 *
 * options must not be NULL.  *result is overwritten whatever the status
 * (it need not be initialised) and the caller frees it with
 * dc_convert_result_free().  Errors: DC_ERR_USAGE (unknown target, no
 * such track, a target that cannot stream), DC_ERR_FORMAT (the image is
 * truncated, see dc_image_truncation, and allow_truncated is not set),
 * DC_ERR_CANNOT_HOLD (the target cannot hold the disc as asked),
 * DC_ERR_OUTPUT (an output exists or cannot be written), DC_ERR_INPUT_IO,
 * DC_ERR_INTERRUPTED (options->progress returned false), DC_ERR_NOMEM.
 */
DC_API dc_status dc_convert(dc_image *image, const char *output_path,
                            const dc_convert_options *options,
                            dc_convert_result *result, dc_error *err);
/* Frees what dc_convert() put in *result and zeroes it. */
DC_API void dc_convert_result_free(dc_convert_result *result);

/*
 * Opens sound files (WAV, AIFF, FLAC: 44.1 kHz, 16-bit, stereo) as the
 * tracks of one audio disc, in order, for writing a BIN/CUE from them.
 * Ownership and errors are those of dc_image_open(); no files, or more
 * than DC_MAX_TRACKS, is DC_ERR_USAGE.
 */
DC_API dc_status dc_image_open_audio_files(dc_image **image,
                                           const char *const *paths, int count,
                                           dc_error *err);

/* An option that belongs to one format, set through
 * dc_convert_options.format_options. */
typedef enum dc_option_type {
    DC_OPTION_BOOL,  /* yes/no, true/false, on/off, 1/0 */
    DC_OPTION_CHOICE /* one word of `choices`, without case */
} dc_option_type;

typedef struct dc_format_option {
    const char *name;       /* "split" */
    dc_option_type type;
    const char *help;       /* one line */
    const char *choices;    /* DC_OPTION_CHOICE: "zlib,bzip2,lzma", the
                               first taken when the option is not set */
} dc_format_option;

/* Format table, for listings and --help. */
typedef struct dc_format_info {
    const char *name;
    const char *description;
    const char *extensions; /* comma-separated, no dots */
    bool can_read;
    bool can_write;
    bool streams;           /* can write to a stream (dc_convert_options
                               to_stream) when the disc makes one file */
    bool writes_folder;     /* the output path names a folder of files, so
                               the format is chosen by name only, never by
                               the output's extension */
    const dc_format_option *options; /* what a target of this format takes */
    int option_count;
} dc_format_info;

/* Format i, for i from 0 to dc_format_count() - 1: static, never freed;
 * NULL outside that range. */
DC_API int dc_format_count(void);
DC_API const dc_format_info *dc_format_get(int i);

/* ---------------------------------------------------------------------- */
/* Digests: what a disc's tracks hash to, as redump lays them out          */
/* ---------------------------------------------------------------------- */

/*
 * One track as redump lays it out: its stored sectors (the pregap the
 * image stores at its start) as 2352-byte raw sectors, exactly the bytes
 * a split BIN/CUE conversion writes for it.  Data sectors stored without
 * framing get it made by the sector codec; raw data sectors are hashed as
 * stored and their EDC/ECC checked.  (A CD+G track is hashed without its
 * subchannel, and gaps the image does not store are not hashed.)
 */
typedef struct dc_track_digest {
    int number;
    dc_track_mode mode;
    int64_t sectors;        /* 2352-byte sectors hashed */
    uint32_t crc32;         /* CRC-32 as zlib computes it */
    uint8_t md5[16];
    uint8_t sha1[20];
    int64_t bad_sectors;    /* raw data sectors whose EDC/ECC fails or
                               whose mode does not fit the track, as
                               report.bad_edc + report.mode_mismatch */
    int64_t first_bad_lba;  /* valid when bad_sectors > 0 */
    /* Audio tracks: the AccurateRip CRCs of the track as AccurateRip
     * cuts the disc (INDEX 01 to the next audio track's INDEX 01, the
     * first audio track's first and the last's last five sectors left
     * out).  Both 0 for a data track. */
    uint32_t accuraterip_v1;
    uint32_t accuraterip_v2;
} dc_track_digest;

typedef struct dc_disc_digest {
    int track_count;
    dc_track_digest *tracks;  /* in the disc's order */
    dc_read_report report;    /* over all tracks */
    int bad_range_count;      /* the bad sectors, as dc_convert_result's */
    dc_bad_range *bad_ranges;
    /* Ids from the table of contents, for discs with audio tracks
     * (audio_track_count > 0): AccurateRip's two ids and the freedb
     * (CDDB) id it is looked up with, and the CUETools database TOC id
     * (28 characters of base64, '.' '_' '-' for '+' '/' '='). */
    int audio_track_count;
    uint32_t accuraterip_id1;
    uint32_t accuraterip_id2;
    uint32_t cddb_id;
    char ctdb_toc_id[29];
} dc_disc_digest;

typedef struct dc_digest_options {
    dc_progress_fn progress;  /* in sectors; returning false cancels */
    void *progress_context;
} dc_digest_options;

/*
 * Hashes every track of the image in one pass (CRC-32, MD5 and SHA-1 at
 * once, on two threads), checks EDC/ECC of its raw data sectors and
 * computes the AccurateRip and CTDB values of its audio.  Memory stays
 * bounded whatever the image size.  options may be NULL.  *digest is
 * overwritten whatever the status; free it with dc_disc_digest_free().
 * Bad sectors are counted, not failed on: the status is DC_OK.  Errors:
 * DC_ERR_INPUT_IO, DC_ERR_INTERRUPTED (progress returned false),
 * DC_ERR_NOMEM.
 */
DC_API dc_status dc_disc_digest_compute(dc_image *image,
                                        const dc_digest_options *options,
                                        dc_disc_digest *digest,
                                        dc_error *err);
/* Frees what dc_disc_digest_compute() put in *digest and zeroes it. */
DC_API void dc_disc_digest_free(dc_disc_digest *digest);
/* Writes `len` bytes as lower-case hex and a terminating NUL into `text`
 * (2 * len + 1 bytes). */
DC_API void dc_digest_hex(const uint8_t *bytes, size_t len, char *text);

/* The library's version ("0.1.0"): a static string. */
DC_API const char *dc_version(void);

#ifdef __cplusplus
}
#endif
#endif
