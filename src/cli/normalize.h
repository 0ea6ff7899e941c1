/* discconv normalize: the pieces its files share. */
#ifndef DC_CLI_NORMALIZE_H
#define DC_CLI_NORMALIZE_H

#include "cli.h"

#include <stdint.h>
#include <sys/types.h>

/* Where normalize keeps its own files under DEST. */
#define NZ_STATE_DIR ".discconv"
#define NZ_REPORT "discconv-report.jsonl"

/* How one image's job ended; a worker's exit status. */
typedef enum nz_outcome {
    NZ_CONVERTED = 0,
    NZ_SKIPPED = 1,     /* up to date: outputs there, hashes match */
    NZ_FAILED = 2,
    NZ_BAD_SECTORS = 3, /* converted, but sectors failed their checks */
    NZ_INTERRUPTED = 4
} nz_outcome;

typedef enum nz_freshness {
    NZ_STALE,        /* to convert */
    NZ_FRESH         /* outputs there, their hashes match the record */
} nz_freshness;

/* What a job is: one image, its outputs' name under DEST. */
typedef struct nz_job {
    const char *path;   /* the file to open */
    const char *name;   /* "dir/stem": sanitized, relative to DEST */
    const char *dest;
} nz_job;

/* Progress and results from a job to whoever runs it. */
typedef struct nz_sink {
    void (*progress)(void *context, int64_t done, int64_t total);
    void *context;
} nz_sink;

/* Converts one image by the policy (or finds it up to date); writes its
 * report fragment and state.  `message` gets one line for the user. */
nz_outcome nz_run_job(const command_line *cl, const nz_job *job,
                      const nz_sink *sink, char *message, size_t size);
/* What would be done with an open image: "mixed-mode: BIN/CUE, one BIN
 * per track".  Static text. */
const char *nz_describe_policy(const command_line *cl, dc_image *image);
/* Whether the image needs converting: its sources unchanged since the
 * record, the same settings, and its outputs there with their recorded
 * sizes and CRC-32s.  An image that failed is never up to date: each run
 * tries it again (a password given, a file fixed, a newer discconv). */
nz_freshness nz_up_to_date(const command_line *cl, const char *dest,
                           const char *name);
/* A killed worker's leftovers: temporary files and outputs of an image
 * whose state says it was being written. */
void nz_clean_after(const char *dest, const char *name);
/* The fragment and state file names of an image (malloc'd). */
char *nz_fragment_path(const char *dest, const char *name);
/* Joins fragments into DEST's report: those of `names` (count of them),
 * or every fragment when names is NULL but those whose source is gone
 * (counted in *stale).  Counts results. */
int nz_merge(const char *dest, const char *const *names, int count,
             int *converted, int *failed, int *stale);

/* A file name made from a source's name: no '/', no control characters,
 * no leading dot, no double quote, at most max bytes (cut at a UTF-8
 * character), never empty.  malloc'd. */
char *nz_sanitize_name(const char *name, size_t max);
/* mkdir -p; false with errno set on failure. */
bool nz_make_dirs(const char *path);

#endif
