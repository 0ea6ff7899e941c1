/*
 * How formats plug in.  Each file in src/formats/ defines one dc_format and
 * is listed in the table in src/core/format.c.  A format probes bytes (never
 * the extension alone), opens an image into the common model, and/or writes
 * any image through dc_image_read().
 */
#ifndef DC_FORMAT_H
#define DC_FORMAT_H

#include "discconv/discconv.h"
#include "output.h"
#include "paths.h"
#include "source.h"

/* What a probe sees: the start and the end of the file. */
typedef struct dc_probe_input {
    const char *path;
    int64_t file_size;
    const uint8_t *head;   /* the first head_size bytes */
    size_t head_size;      /* up to DC_PROBE_HEAD */
    const uint8_t *tail;   /* the last tail_size bytes */
    size_t tail_size;      /* up to DC_PROBE_TAIL */
} dc_probe_input;

#define DC_PROBE_HEAD (20 * 2448 + 4096)  /* past sector 16 at any size */
#define DC_PROBE_TAIL 4096

/* Probe scores: how sure a format is that the bytes are its own. */
enum {
    DC_PROBE_NO = 0,
    DC_PROBE_WEAK = 10,      /* only the size or extension fits */
    DC_PROBE_LIKELY = 50,    /* structure fits, no magic number */
    DC_PROBE_CERTAIN = 100   /* a magic number or signature matched */
};

/* Bad sectors as reads find them (bad_sectors.c), for the result's
 * bad_ranges. */
typedef struct dc_bad_list {
    dc_bad_range *ranges;
    int count;
    int capacity;
} dc_bad_list;
/* Adds one sector: extends a run it continues, ignores one it is in. */
dc_status dc_bad_list_add(dc_bad_list *list, int64_t lba, dc_bad_kind kind,
                          dc_error *err);
/* Moves every run of `from` into `into`, ascending by LBA, runs of a kind
 * that touch joined; `from` is left empty. */
dc_status dc_bad_list_merge(dc_bad_list *into, dc_bad_list *from,
                            dc_error *err);
void dc_bad_list_free(dc_bad_list *list);

typedef struct dc_image_ops {
    /* Reads `count` sectors of stored_size bytes each.  Never called by
     * two threads at once. */
    dc_status (*read_stored)(dc_image *image, int track_index,
                             int64_t first, int64_t count, uint8_t *buffer,
                             dc_error *err);
    /* Releases what priv holds (not priv itself, nor sources). */
    void (*close)(dc_image *image);
} dc_image_ops;

struct dc_image {
    dc_disc disc;
    const struct dc_format *format;
    const dc_image_ops *ops;
    char *path;            /* what the caller opened */
    dc_source *source;     /* what the format reads: the image itself, or
                              the descriptor that names it */
    dc_source **sources;   /* every source opened for the image */
    int source_count;
    void *priv;            /* the format's state: priv_size zeroed bytes,
                              allocated and freed by the core */
    uint8_t *scratch;      /* dc_image_read's conversion buffer */
    size_t scratch_size;
    char **warnings;
    int warning_count;
    char *truncation;      /* the first claim the files fall short of */
    int64_t missing_sectors; /* what the claims want beyond the files */
    char *partial;         /* a data file ending inside a sector, until the
                              claims check weighs it (dc_image_partial) */
    int partial_track;     /* the track it ends, by position */
    int64_t partial_bytes; /* how far into the sector */
    bool partial_kept;     /* its part sector is read, padded with zeros */
    dc_file_id *inputs;    /* every file the image reads, never to be
                              overwritten by a conversion */
    int input_count;
    struct dc_label_finding *labels; /* per track: what its raw sectors
                                        were found to be (labels.c), or
                                        NULL when not surveyed */
    /* A container's (dc_image_open_contents): */
    dc_open_options open_options; /* what the caller asked; its strings are
                                     valid while the image opens */
    dc_source *plain;      /* the plain image (or chosen partition) the
                              disc's sectors are read from; NULL when the
                              format is no container */
    const char *contents;  /* what the plain image is: "iso", "img",
                              "device" (no CD's sectors: a disk) */
    dc_partition *partitions; /* the container's, strings owned */
    int partition_count;
    int partition_chosen;  /* by position; -1: the whole device */
    struct dc_stored_file *stored; /* the files a container's stored
                                      descriptor names (dc_image_open_stored) */
    int stored_count;
    const char **facts;    /* the container's own facts, name then value
                              (dc_image_set_facts) */
    int fact_count;
};

/* Makes `source` what the image's format reads (a container's stream, a
 * descriptor in memory); the image owns it. */
dc_status dc_image_use_source(dc_image *image, dc_source *source,
                              dc_error *err);
/* Opens, read-only, a file the image's descriptor names (found by the
 * format, e.g. with dc_path_find beside the descriptor).  The image owns
 * the source, and no conversion of it may overwrite the file. */
dc_status dc_image_open_file(dc_image *image, const char *path,
                             dc_source **source, dc_error *err);

/*
 * Containers (DMG): a format that holds a plain image in its own tables
 * hands it to the core, which lets the format that fits it (ISO, IMG)
 * fill the disc.  Formats never call formats.
 */
/* Lists a partition of the container, in the container's order; sizes in
 * 512-byte sectors of the whole device. */
dc_status dc_image_add_partition(dc_image *image, const char *name,
                                 const char *type, int64_t first_sector,
                                 int64_t sectors, const char *codecs,
                                 dc_error *err);
/* The partition the caller chose (open_options.partition: a number from
 * 0, a name or a type), by position, or -1 for the whole device; sets
 * partition_chosen.  DC_ERR_USAGE when it names none. */
dc_status dc_image_choose_partition(dc_image *image, int *chosen,
                                    dc_error *err);
/*
 * Fills the disc from the plain image: `whole` is the device (the
 * partitions' file systems are looked for in it), `checked` the same bytes
 * as the disc's sectors are read (the container verifies its checksums
 * there).  The chosen partition's window of `checked` is read as ISO 9660
 * or raw CD sectors when its bytes say so, else as a raw device of
 * 2048-byte sectors (the last padded).  The image owns both sources.
 */
dc_status dc_image_open_contents(dc_image *image, dc_source *whole,
                                 dc_source *checked, dc_error *err);

/*
 * A descriptor a container stores (a UIF's cue sheet or CCD, or a whole
 * NRG), read by the format that reads its bytes, the files it names served
 * from the container rather than from disk: a stored file answers to the
 * name a descriptor looks up when the base names agree (without case, "\\"
 * or "/" separated), or, named "*.ext", to any name of that extension; the
 * one named NULL (the container's payload) to the first name no other
 * answers to.  The image owns the descriptor and every file's source.
 */
typedef struct dc_stored_file {
    const char *name;
    dc_source *source;
    char *path;          /* the path it was found as; the core's */
} dc_stored_file;
dc_status dc_image_open_stored(dc_image *image, dc_source *descriptor,
                               const dc_stored_file *files, int count,
                               dc_error *err);
/* The file a descriptor names, by its name as written, in `dir`: found on
 * disk (dc_path_find), or among the stored files when the image reads a
 * stored descriptor.  NULL when there is none. */
char *dc_image_find_file(dc_image *image, const char *dir, const char *name);
/* A container's facts for info: `count` pairs of static strings, name
 * then value ("UIF version", "3"; "encryption", "AES-256, encrcdsa v2");
 * the image keeps a copy of the list. */
dc_status dc_image_set_facts(dc_image *image, const char *const *facts,
                             int count, dc_error *err);

/* Records a warning for the user (printf-style). */
void dc_image_warn(dc_image *image, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records that the image's own claims want `missing` sectors more than
 * its files hold (printf-style: what claims, what holds, both sizes).
 * The reader goes on with what is there; the first message is kept, the
 * missing sectors add up. */
void dc_image_short(dc_image *image, int64_t missing, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records that track `track_index` ends `bytes` into a sector (the
 * printf-style message says so, as dc_image_short's would).  The claims
 * check decides what that is: bytes appended past the end of a file system
 * that fits in the whole sectors (a warning), or else a sector cut short
 * (dc_image_short, one sector missing).  `kept` says the reader serves the
 * part sector, padded with zeros. */
void dc_image_partial(dc_image *image, int track_index, int64_t bytes,
                      bool kept, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Checks the claims every image may carry whatever its format (the ISO
 * 9660 and UDF volume sizes of its data tracks) against its tracks
 * (src/core/claims.c). */
dc_status dc_image_check_claims(dc_image *image, dc_error *err);

/* Everything a writer needs: the source, where to write, how. */
typedef struct dc_write_job {
    dc_image *source;
    const char *output_path;
    const dc_convert_options *options;
    dc_output_set *outputs;
    dc_read_report *report;
    dc_bad_list *bad;      /* where report's bad sectors are listed */
    dc_convert_result *result;
    int64_t sectors_done;  /* progress, over all tracks */
    int64_t sectors_total;
    struct dc_worker_buffers *buffers; /* dc_write_track_sectors' */
} dc_write_job;

typedef struct dc_worker_buffers dc_worker_buffers;
/* Frees what the job's sector pipeline kept (dc_convert does). */
void dc_job_free_buffers(dc_write_job *job);

/* Counts sectors done and asks the caller's progress function whether to
 * go on; false means stop (the user interrupted). */
bool dc_job_progress(dc_write_job *job, int64_t sectors);
/* The value of a bool option the target declares (dc_format_info.options),
 * as the job's settings give it; false when not set. */
bool dc_job_option_bool(const dc_write_job *job, const char *name);
/* The position in option->choices (a DC_OPTION_CHOICE the target declares)
 * of the job's setting; 0, the first choice, when not set. */
int dc_job_option_choice(const dc_write_job *job,
                         const dc_format_option *option);
/* Adds a note for the user to the conversion's result. */
void dc_job_note(dc_write_job *job, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A note with advice on what would help (the result's note_advice). */
void dc_job_note_advise(dc_write_job *job, dc_advice advice, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

/* dc_image_read's checks of a track position, range and form. */
dc_status dc_image_check_read(const dc_image *image, int track_index,
                              int64_t first, int64_t count,
                              dc_sector_form form, dc_error *err);
/* Adds a report's counts to another's. */
void dc_read_report_merge(dc_read_report *into, const dc_read_report *from);

/* Converts `count` sectors read by read_stored into `stored` to `form`
 * (what dc_image_read does after reading), listing bad sectors in `bad`
 * (or not, when NULL); *result is where they are:
 * `stored` itself when the form is what the image stores, else `out`,
 * which has room for count sectors of the form.  The range must already be
 * checked.  Safe on several threads with their own buffers and reports. */
dc_status dc_image_convert(const dc_image *image, int track_index,
                           int64_t first, int64_t count, dc_sector_form form,
                           const dc_read_options *options,
                           const uint8_t *stored, uint8_t *out,
                           const uint8_t **result, dc_read_report *report,
                           dc_bad_list *bad, dc_error *err);
/* dc_image_read, with the bad sectors it finds added to `bad` (which may
 * be NULL). */
dc_status dc_image_read_noting(dc_image *image, int track_index,
                               int64_t first, int64_t count,
                               dc_sector_form form,
                               const dc_read_options *options, void *buffer,
                               dc_read_report *report, dc_bad_list *bad,
                               dc_error *err);

/* Whether a raw data sector's own form (sync, mode byte, subheader) fits a
 * track of `mode`: a sector without sync or of another mode does not; an
 * empty Mode 0 gap sector does. */
bool dc_sector_fits_track(const uint8_t *raw, dc_track_mode mode);

/* Swaps the bytes of each 16-bit sample of one 2352-byte audio sector. */
void dc_swap_sample_bytes(uint8_t *sector);

/* A new image object for `format`, owning a copy of path. */
dc_image *dc_image_new(const char *path, const struct dc_format *format,
                       dc_error *err);

/* What a target can hold, for the checks and the routing the core does. */
enum {
    DC_CAP_AUDIO = 0x1,       /* audio tracks (else they go beside it as
                                 sound files) */
    DC_CAP_DATA_TRACKS = 0x2, /* several data tracks */
    DC_CAP_SESSIONS = 0x4,    /* several sessions */
    DC_CAP_SUBCHANNEL = 0x8,  /* the 96 subchannel bytes of each sector */
    DC_CAP_FILES = 0x10,      /* writes several files */
    DC_CAP_CDTEXT = 0x20,     /* CD-TEXT in every language, and ISRCs */
    DC_CAP_TRACK_LIST = 0x40, /* writes any list of tracks; the others
                                 write the whole disc or one track */
    DC_CAP_SOUND_FILES = 0x80, /* writes tracks as sound files */
    DC_CAP_PLAIN = 0x100      /* writes a container's plain image as it is
                                 (dc_write_plain), whatever it holds */
};

typedef struct dc_format {
    dc_format_info info;
    unsigned caps;       /* DC_CAP_*, for targets */
    size_t priv_size;    /* bytes of state the core allocates per image */
    /* Scores the bytes (never the name, never other files). */
    int (*probe)(const dc_probe_input *input);
    /* For a descriptor format (cue, toc, ccd): whether the descriptor whose
     * bytes are `descriptor` describes the payload file `payload` (its
     * path, of `payload_size` bytes) — it names it, or, for a descriptor
     * that names nothing, agrees with its size.  See dc_format_sidecar. */
    bool (*describes)(const dc_probe_input *descriptor, const char *payload,
                      int64_t payload_size);
    /* Fills image->disc and ops from image->source, using image->priv. */
    dc_status (*open)(dc_image *image, dc_error *err);
    /* Says whether the target can hold the source as asked, before any
     * byte is written (DC_ERR_CANNOT_HOLD with advice if not). */
    dc_status (*check)(const dc_write_job *job, dc_error *err);
    dc_status (*write)(dc_write_job *job, dc_error *err);
} dc_format;

/* A format by its name or one of its extensions, without case ("cue" and
 * "bin" find bincue); NULL if none. */
const dc_format *dc_format_find(const char *name);
/* "bincue, toc, ..." : the formats that read (or write), for messages. */
void dc_format_list_names(bool writable, char *text, size_t size);
const dc_format *dc_format_for_extension(const char *path);
/* The format that reads a container's plain image: ISO for a file
 * system in 2048-byte sectors, IMG for raw CD sectors, NULL for neither
 * (a disk: the core reads it as a raw device). */
dc_status dc_format_detect_contents(dc_source *source,
                                    const dc_format **format, dc_error *err);
/* The format that reads a descriptor a container stores: one with a
 * `describes` (cue, toc, ccd) or NRG, by its bytes; else DC_ERR_FORMAT. */
dc_status dc_format_detect_stored(dc_source *source, const dc_format **format,
                                  dc_error *err);
/* The best-scoring format for the source's content, or an error. */
dc_status dc_format_detect(dc_source *source, const dc_format **format,
                           dc_error *err);
/*
 * The one rule for files that belong together: a descriptor beside
 * `path` (same stem, an extension of a format that has `describes`) is used
 * for it only when it describes that file.  *descriptor is NULL, and
 * *format untouched, when none does.
 */
dc_status dc_format_sidecar(const char *path, int64_t size,
                            const dc_format **format, char **descriptor,
                            dc_error *err);

/* Sectors moved per read: about 2.4 MB of raw data, so system calls and
 * thread hand-overs are rare and memory stays small whatever the image
 * size (a chunk or two per worker). */
#define DC_STREAM_CHUNK_SECTORS 1024

/* Takes one chunk of sectors (at most DC_STREAM_CHUNK_SECTORS) read by
 * dc_stream_track. */
typedef dc_status (*dc_chunk_consumer)(void *context, const uint8_t *sectors,
                                       int64_t count, dc_error *err);

/* Reads sectors [first, first + count) of a track in `form`, in bounded
 * chunks, the next chunk read while `consume` handles the last one;
 * reports progress. */
dc_status dc_stream_track(dc_write_job *job, int track_index, int64_t first,
                          int64_t count, dc_sector_form form,
                          dc_chunk_consumer consume, void *context,
                          dc_error *err);
/* Whether every stored sector of a raw Mode 1 track is what its 2048 user
 * bytes regenerate at its address (sync, header, EDC, ECC): a writer that
 * stores such a track as user data loses nothing. */
dc_status dc_track_regenerates(dc_write_job *job, int track_index,
                               bool *regenerates, dc_error *err);
/* Streams stored sectors [first, first + count) of a track to an output in
 * `form`, reporting progress: read, converted and written in chunks by a
 * worker per core. */
dc_status dc_write_track_sectors(dc_write_job *job, dc_output *out,
                                 int track_index, int64_t first,
                                 int64_t count, dc_sector_form form,
                                 dc_error *err);
/* The same, read with other options than the job's (AIFF wants every
 * sample's bytes swapped). */
dc_status dc_write_sectors_read_as(dc_write_job *job, dc_output *out,
                                   int track_index, int64_t first,
                                   int64_t count, dc_sector_form form,
                                   const dc_read_options *read,
                                   dc_error *err);
/* Writes the container's plain image (or chosen partition) byte for byte,
 * reporting progress in 2048-byte sectors. */
dc_status dc_write_plain(dc_write_job *job, dc_output *out, dc_error *err);
/* Writes `count` generated sectors (silence, or empty Mode 1/2 sectors with
 * framing) for unstored gaps, numbered from absolute `lba`. */
dc_status dc_write_gap_sectors(dc_write_job *job, dc_output *out,
                               const dc_track *track, int64_t lba,
                               int64_t count, dc_sector_form form,
                               dc_error *err);

extern const dc_format dc_format_iso;
extern const dc_format dc_format_img;
extern const dc_format dc_format_bincue;
extern const dc_format dc_format_toc;
extern const dc_format dc_format_nrg;
extern const dc_format dc_format_ccd;
extern const dc_format dc_format_audio;
extern const dc_format dc_format_dmg;
extern const dc_format dc_format_uif;

#endif
