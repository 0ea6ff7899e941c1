/*
 * Sources: what readers read.  A file opened read-only, a window of another
 * source (a track inside a container), or bytes in memory (a descriptor a
 * container stores).  Readers never open paths themselves: the core opens
 * the image and, by name, the files its descriptor names
 * (dc_image_open_file).  Reads are pread()s and keep no position, so a
 * source may be read from several threads at once (a chunked source's
 * workers read its input so); a custom source locks what it shares.  A
 * chunked source itself is read by one thread at a time.
 */
#ifndef DC_SOURCE_H
#define DC_SOURCE_H

#include "discconv/discconv.h"
#include "output.h"

typedef struct dc_source dc_source;

/* Opens a regular file read-only; folders, FIFOs and devices are refused
 * (a FIFO would block forever, and is never an image). */
dc_status dc_source_open_file(dc_source **source, const char *path,
                              dc_error *err);
/* `size` bytes of `parent` from `offset`, which must lie inside it; the
 * parent must outlive the window.  `name` names it in messages. */
dc_status dc_source_window(dc_source **source, dc_source *parent,
                           int64_t offset, int64_t size, const char *name,
                           dc_error *err);
/* A copy of `size` bytes, named `name` in messages. */
dc_status dc_source_memory(dc_source **source, const void *bytes,
                           size_t size, const char *name, dc_error *err);
/* The parts end to end, as one source (the segments of a split image);
 * they must outlive it. */
dc_status dc_source_concat(dc_source **source, dc_source *const *parts,
                           int count, const char *name, dc_error *err);

/* A source whose bytes some code makes: `read` serves up to len bytes at
 * an offset inside the size (short only at the end), `close` frees the
 * context.  A source that serves a plain image decoded, or checked, as it
 * is read. */
typedef struct dc_source_ops {
    dc_status (*read)(void *context, int64_t offset, uint8_t *buffer,
                      size_t len, size_t *got, dc_error *err);
    void (*close)(void *context);
    /* Optional: as dc_source_view, for a source over one that has views. */
    dc_status (*view)(void *context, int64_t offset, size_t len,
                      const uint8_t **bytes, size_t *got, dc_error *err);
} dc_source_ops;
/* Takes the context: on failure too, it is closed. */
dc_status dc_source_custom(dc_source **source, const dc_source_ops *ops,
                           void *context, int64_t size, const char *name,
                           dc_error *err);

void dc_source_close(dc_source *source);

/* The path or description the messages name. */
const char *dc_source_name(const dc_source *source);
int64_t dc_source_size(const dc_source *source);
/* The file behind the source, to keep it from being overwritten; false for
 * memory. */
bool dc_source_file_id(const dc_source *source, dc_file_id *id);
/* True for a source that is a file itself (not a window, memory...). */
bool dc_source_is_file(const dc_source *source);

/* Reads up to len bytes at offset; *got receives the count (short only at
 * the end). */
dc_status dc_source_read_some(dc_source *source, int64_t offset, void *buffer,
                              size_t len, size_t *got, dc_error *err);
/* Reads exactly len bytes at offset; a short read is an error naming the
 * source and the offset. */
dc_status dc_source_read_at(dc_source *source, int64_t offset, void *buffer,
                            size_t len, dc_error *err);
/* Up to len bytes at offset without a copy, where the source holds them
 * in memory (a decoded chunk, bytes in memory): *bytes points at *got of
 * them, valid until the next read or view of the source.  Where it does
 * not, *bytes is NULL and *got the bytes from offset (at most len) to read
 * the ordinary way.  *got is 0 only at the end.  For a reader that copies
 * a whole image (dc_write_plain): it saves one copy of every byte. */
dc_status dc_source_view(dc_source *source, int64_t offset, size_t len,
                         const uint8_t **bytes, size_t *got, dc_error *err);
/* Reads a whole small source (a cue sheet, CD-TEXT) into memory with a NUL
 * added; one larger than max_size is an error. */
dc_status dc_source_read_all(dc_source *source, size_t max_size,
                             uint8_t **data, size_t *size, dc_error *err);

#endif
