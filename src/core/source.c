/* Sources: files, windows of sources, bytes in memory. */
#include "source.h"
#include "chunked.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum source_kind {
    SOURCE_FILE,
    SOURCE_WINDOW,
    SOURCE_MEMORY,
    SOURCE_CHUNKED,
    SOURCE_CONCAT,
    SOURCE_CUSTOM
} source_kind;

struct dc_source {
    source_kind kind;
    char *name;
    int64_t size;
    int fd;               /* SOURCE_FILE */
    dc_file_id id;
    dc_source *parent;    /* SOURCE_WINDOW; SOURCE_CHUNKED: its input */
    int64_t offset;
    uint8_t *bytes;       /* SOURCE_MEMORY */
    dc_chunked *chunked;  /* SOURCE_CHUNKED */
    dc_source **parts;    /* SOURCE_CONCAT: read in order, end to end */
    int part_count;
    const dc_source_ops *ops; /* SOURCE_CUSTOM */
    void *context;
};

static dc_status new_source(dc_source **source, source_kind kind,
                            const char *name, int64_t size, dc_error *err)
{
    dc_source *s = calloc(1, sizeof *s);
    if (s != NULL)
        s->name = dc_strdup(name);
    if (s == NULL || s->name == NULL) {
        free(s);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    s->kind = kind;
    s->size = size;
    s->fd = -1;
    *source = s;
    return DC_OK;
}

dc_status dc_source_open_file(dc_source **source, const char *path,
                              dc_error *err)
{
    *source = NULL;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is
     * refused below); the flag is cleared again for a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int saved = errno;
        close(fd);
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: %s", path, strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return dc_fail(err, DC_ERR_INPUT_IO, "%s: %s", path,
                       S_ISDIR(st.st_mode) ? "is a directory"
                                           : "not a regular file");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (new_source(source, SOURCE_FILE, path, st.st_size, err) != DC_OK) {
        close(fd);
        return err->status;
    }
    (*source)->fd = fd;
    (*source)->id = (dc_file_id){st.st_dev, st.st_ino};
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return DC_OK;
}

dc_status dc_source_window(dc_source **source, dc_source *parent,
                           int64_t offset, int64_t size, const char *name,
                           dc_error *err)
{
    *source = NULL;
    if (offset < 0 || size < 0 || offset > parent->size - size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %lld bytes at offset %lld "
                       "lie outside its %lld bytes", parent->name,
                       (long long)size, (long long)offset,
                       (long long)parent->size);
    if (new_source(source, SOURCE_WINDOW, name, size, err) != DC_OK)
        return err->status;
    (*source)->parent = parent;
    (*source)->offset = offset;
    return DC_OK;
}

dc_status dc_source_memory(dc_source **source, const void *bytes,
                           size_t size, const char *name, dc_error *err)
{
    if (new_source(source, SOURCE_MEMORY, name, (int64_t)size, err) != DC_OK)
        return err->status;
    (*source)->bytes = malloc(size > 0 ? size : 1);
    if ((*source)->bytes == NULL) {
        dc_source_close(*source);
        *source = NULL;
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    memcpy((*source)->bytes, bytes, size);
    return DC_OK;
}

dc_status dc_source_new_chunked(dc_source **source, dc_chunked *chunked,
                                dc_source *input, int64_t size,
                                const char *name, dc_error *err)
{
    if (new_source(source, SOURCE_CHUNKED, name, size, err) != DC_OK) {
        dc_chunked_free(chunked);
        return err->status;
    }
    (*source)->parent = input;
    (*source)->chunked = chunked;
    return DC_OK;
}

dc_status dc_source_concat(dc_source **source, dc_source *const *parts,
                           int count, const char *name, dc_error *err)
{
    *source = NULL;
    int64_t size = 0;
    for (int i = 0; i < count; i++) {
        if (parts[i]->size > INT64_MAX - size)
            return dc_fail(err, DC_ERR_FORMAT, "%s: its parts add up to more "
                           "bytes than a file can hold", name);
        size += parts[i]->size;
    }
    if (new_source(source, SOURCE_CONCAT, name, size, err) != DC_OK)
        return err->status;
    (*source)->parts = malloc((size_t)(count > 0 ? count : 1) *
                              sizeof *parts);
    if ((*source)->parts == NULL) {
        dc_source_close(*source);
        *source = NULL;
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    memcpy((*source)->parts, parts, (size_t)count * sizeof *parts);
    (*source)->part_count = count;
    return DC_OK;
}

dc_status dc_source_custom(dc_source **source, const dc_source_ops *ops,
                           void *context, int64_t size, const char *name,
                           dc_error *err)
{
    if (new_source(source, SOURCE_CUSTOM, name, size, err) != DC_OK) {
        ops->close(context);
        return err->status;
    }
    (*source)->ops = ops;
    (*source)->context = context;
    return DC_OK;
}

void dc_source_close(dc_source *source)
{
    if (source == NULL)
        return;
    dc_chunked_free(source->chunked);
    if (source->kind == SOURCE_CUSTOM)
        source->ops->close(source->context);
    free(source->parts);
    if (source->fd >= 0)
        close(source->fd);
    free(source->bytes);
    free(source->name);
    free(source);
}

const char *dc_source_name(const dc_source *source) { return source->name; }
int64_t dc_source_size(const dc_source *source) { return source->size; }

bool dc_source_is_file(const dc_source *source)
{
    return source->kind == SOURCE_FILE;
}

bool dc_source_file_id(const dc_source *source, dc_file_id *id)
{
    while (source->kind == SOURCE_WINDOW || source->kind == SOURCE_CHUNKED)
        source = source->parent;
    if (source->kind != SOURCE_FILE)
        return false;
    *id = source->id;
    return true;
}

static dc_status read_file(dc_source *source, int64_t offset, uint8_t *buffer,
                           size_t len, size_t *got, dc_error *err)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(source->fd, buffer + done, len - done,
                          (off_t)(offset + (int64_t)done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return dc_fail(err, DC_ERR_INPUT_IO, "%s: read error at offset "
                           "%lld: %s", source->name,
                           (long long)(offset + (int64_t)done),
                           strerror(errno));
        if (n == 0)
            break;
        done += (size_t)n;
    }
    *got = done;
    return DC_OK;
}

/* Reads across the parts a read spans, each from its own start. */
static dc_status read_parts(dc_source *source, int64_t offset,
                            uint8_t *buffer, size_t len, size_t *got,
                            dc_error *err)
{
    int64_t part_start = 0;
    for (int i = 0; i < source->part_count && *got < len; i++) {
        dc_source *part = source->parts[i];
        int64_t at = offset + (int64_t)*got;
        if (at < part_start + part->size) {
            size_t n;
            if (dc_source_read_some(part, at - part_start, buffer + *got,
                                    len - *got, &n, err) != DC_OK)
                return err->status;
            *got += n;
            if (at + (int64_t)n < part_start + part->size)
                return DC_OK; /* the part came up short */
        }
        part_start += part->size;
    }
    return DC_OK;
}

dc_status dc_source_read_some(dc_source *source, int64_t offset, void *buffer,
                              size_t len, size_t *got, dc_error *err)
{
    *got = 0;
    if (offset < 0 || offset >= source->size)
        return DC_OK;
    if ((int64_t)len > source->size - offset)
        len = (size_t)(source->size - offset);
    switch (source->kind) {
    case SOURCE_FILE:
        return read_file(source, offset, buffer, len, got, err);
    case SOURCE_WINDOW:
        return dc_source_read_some(source->parent, source->offset + offset,
                                   buffer, len, got, err);
    case SOURCE_MEMORY:
        memcpy(buffer, source->bytes + offset, len);
        *got = len;
        return DC_OK;
    case SOURCE_CHUNKED:
        if (dc_chunked_read(source->chunked, offset, buffer, len, err) != DC_OK)
            return err->status;
        *got = len;
        return DC_OK;
    case SOURCE_CONCAT:
        return read_parts(source, offset, buffer, len, got, err);
    case SOURCE_CUSTOM:
        return source->ops->read(source->context, offset, buffer, len, got,
                                 err);
    }
    return DC_OK;
}

dc_status dc_source_view(dc_source *source, int64_t offset, size_t len,
                         const uint8_t **bytes, size_t *got, dc_error *err)
{
    *bytes = NULL;
    *got = 0;
    if (offset < 0 || offset >= source->size)
        return DC_OK;
    if ((int64_t)len > source->size - offset)
        len = (size_t)(source->size - offset);
    switch (source->kind) {
    case SOURCE_WINDOW:
        return dc_source_view(source->parent, source->offset + offset, len,
                              bytes, got, err);
    case SOURCE_MEMORY:
        *bytes = source->bytes + offset;
        break;
    case SOURCE_CHUNKED:
        return dc_chunked_view(source->chunked, offset, len, bytes, got, err);
    case SOURCE_CUSTOM:
        if (source->ops->view != NULL)
            return source->ops->view(source->context, offset, len, bytes, got,
                                     err);
        break;
    case SOURCE_FILE:
    case SOURCE_CONCAT:
        break;
    }
    *got = len;
    return DC_OK;
}

dc_status dc_source_read_at(dc_source *source, int64_t offset, void *buffer,
                            size_t len, dc_error *err)
{
    size_t got;
    if (dc_source_read_some(source, offset, buffer, len, &got, err) != DC_OK)
        return err->status;
    if (got != len)
        return dc_fail(err, DC_ERR_FORMAT, "%s: file ends at offset %lld, "
                       "inside data expected up to offset %lld", source->name,
                       (long long)(offset + (int64_t)got),
                       (long long)(offset + (int64_t)len));
    return DC_OK;
}

dc_status dc_source_read_all(dc_source *source, size_t max_size,
                             uint8_t **data, size_t *size, dc_error *err)
{
    *data = NULL;
    *size = 0;
    if (source->size > (int64_t)max_size)
        return dc_fail(err, DC_ERR_FORMAT, "%s: %lld bytes, more than the %zu "
                       "this kind of file can hold", source->name,
                       (long long)source->size, max_size);
    uint8_t *bytes = malloc((size_t)source->size + 1);
    if (bytes == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (dc_source_read_at(source, 0, bytes, (size_t)source->size, err) !=
        DC_OK) {
        free(bytes);
        return err->status;
    }
    bytes[source->size] = '\0'; /* text files can be used as strings */
    *data = bytes;
    *size = (size_t)source->size;
    return DC_OK;
}
