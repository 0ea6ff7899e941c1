/*
 * Outputs.  Written to a temporary name beside the target and renamed into
 * place only when complete, so a failure never leaves a partial file
 * behind.  Writes go through the page cache; a durable set is also on the
 * disk, folder entries included, before it is reported done.  A set may
 * instead send its one output to an open stream (standard output).
 */
#ifndef DC_OUTPUT_H
#define DC_OUTPUT_H

#include "discconv/discconv.h"

#include <sys/types.h>

/* Page alignment: the kernel copies whole pages of a buffer fastest. */
#define DC_IO_ALIGN 4096

/* An aligned allocation for I/O buffers (free with free()). */
void *dc_io_alloc(size_t size);

/* Which file a path is, to recognise an input under another name. */
typedef struct dc_file_id {
    dev_t dev;
    ino_t ino;
} dc_file_id;

/* One output file being written. */
typedef struct dc_output {
    int fd;
    char *path;       /* the final name (for a stream, its description) */
    char *temp_path;  /* where the bytes go until commit */
    bool durable;     /* fsynced before the rename */
    bool direct;      /* durable: O_DIRECT, data goes to disk as written */
    bool stream;      /* the set's stream: no temporary, no rename */
    int64_t base;     /* a stream's position when we started */
    uint8_t *buffer;  /* gathers small writes; DC_IO_ALIGN-aligned */
    size_t used;
    int64_t written;  /* bytes handed to the kernel */
} dc_output;

/* How a set writes. */
typedef struct dc_output_policy {
    bool force;       /* replace existing files (never an input) */
    bool durable;     /* fsync files and folders before reporting success */
    int stream_fd;    /* >= 0: the one output goes to this open stream */
} dc_output_policy;

/* Several outputs that appear together or not at all (a cue and its bins,
 * an ISO and its audio files). */
typedef struct dc_output_set {
    dc_output **items;
    int count;
    dc_output_policy policy;
    char **made_dirs;          /* folders created for the outputs, the */
    int made_dir_count;        /* outermost first */
    const dc_file_id *inputs;  /* never replaced, even with force */
    int input_count;
} dc_output_set;

void dc_output_set_init(dc_output_set *set, const dc_output_policy *policy);
/* Files the set must never replace (the conversion's inputs). */
void dc_output_set_protect(dc_output_set *set, const dc_file_id *inputs,
                           int count);
/* Refuses an existing path unless the set was made with force, and then
 * still refuses inputs and anything but a regular file.  With a stream the
 * first output is the stream (path only names it) and a second is refused. */
dc_status dc_output_set_add(dc_output_set *set, const char *path,
                            dc_output **output, dc_error *err);
/* Makes sure `dir` is a folder, creating it and the folders above it if
 * needed; the folders created here are removed again if the set is
 * aborted. */
dc_status dc_output_set_make_dir(dc_output_set *set, const char *dir,
                                 dc_error *err);
dc_status dc_output_write(dc_output *out, const void *data, size_t len,
                          dc_error *err);
/* Whether whole aligned blocks of `block` bytes can go straight to their
 * place in a durable output, several at once (O_DIRECT, nothing
 * buffered, the end on a block boundary). */
bool dc_output_takes_blocks_at(const dc_output *out, size_t block);
/* Writes a block at its offset past the end, from any thread; *done stays
 * false, with nothing written, if the file system refuses O_DIRECT there
 * (then write it in order).  dc_output_advance counts it in, in order. */
dc_status dc_output_write_block_at(dc_output *out, int64_t offset,
                                   const void *data, size_t len, bool *done,
                                   dc_error *err);
void dc_output_advance(dc_output *out, size_t len);
/* Bytes written so far (the end of the file). */
int64_t dc_output_position(const dc_output *out);
/* A hint that `bytes` more will be written: the file system allocates
 * their blocks at once (fallocate, keeping the size) instead of page by
 * page as writes come.  Ignored for a stream, or where unsupported. */
void dc_output_reserve(dc_output *out, int64_t bytes);
/* Writes at an offset at or before the end (a header rewritten once the
 * sizes are known); refused on a pipe. */
dc_status dc_output_write_at(dc_output *out, int64_t offset, const void *data,
                             size_t len, dc_error *err);
/* Reads back bytes already written. */
dc_status dc_output_read_at(dc_output *out, int64_t offset, void *data,
                            size_t len, size_t *got, dc_error *err);
/* Flushes every output, fsyncs it if durable and renames it into place
 * (then fsyncs the folders if durable). */
dc_status dc_output_set_commit(dc_output_set *set, dc_error *err);
/* Removes every temporary (and anything already renamed by a failed
 * commit); safe to call after a successful commit (it then only frees). */
void dc_output_set_abort(dc_output_set *set);

#endif
