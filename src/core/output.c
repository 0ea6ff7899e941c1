/* Outputs: all-or-nothing sets of files, durable on request, or a stream. */
#include "output.h"
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Gathers small writes (headers, cue text, libsndfile's pieces) and, for
 * a durable output, whole blocks for O_DIRECT; a multiple of DC_IO_ALIGN.
 * Its pages are touched only as far as it is used. */
#define OUTPUT_BUFFER_SIZE (4 * 1024 * 1024)
/* Writes this big cost more to copy than a system call. */
#define BIG_WRITE (256 * 1024)
/* The most one write() takes through the page cache.  A bigger write makes
 * Linux give the file large folios, which on a VM whose free memory was
 * handed back to the host fault in slowly: copying 266 MB to a new file
 * took 0.7-0.85 s in 4 MiB writes, 0.08-0.12 s in 128-512 KiB ones (dd on
 * the benchmark machine), and every peer tool writes 1 MiB or less. */
#define WRITE_PIECE (256 * 1024)

void *dc_io_alloc(size_t size)
{
    void *p = NULL;
    return posix_memalign(&p, DC_IO_ALIGN, size) == 0 ? p : NULL;
}

void dc_output_set_init(dc_output_set *set, const dc_output_policy *policy)
{
    memset(set, 0, sizeof *set);
    set->policy = *policy;
}

void dc_output_set_protect(dc_output_set *set, const dc_file_id *inputs,
                           int count)
{
    set->inputs = inputs;
    set->input_count = count;
}

static dc_status remember_made_dir(dc_output_set *set, const char *dir,
                                   dc_error *err)
{
    char **grown = realloc(set->made_dirs,
                           (size_t)(set->made_dir_count + 1) * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    set->made_dirs = grown;
    grown[set->made_dir_count] = dc_strdup(dir);
    if (grown[set->made_dir_count] == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    set->made_dir_count++;
    return DC_OK;
}

/* `dir` without trailing slashes; the folders above it first. */
static dc_status make_dirs(dc_output_set *set, char *dir, dc_error *err)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = '\0';
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode)
                   ? DC_OK
                   : dc_fail(err, DC_ERR_OUTPUT, "%s: not a folder", dir);
    char *parent = dc_path_dirname(dir);
    if (parent == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_status status = strcmp(parent, dir) != 0
                           ? make_dirs(set, parent, err)
                           : DC_OK;
    free(parent);
    if (status != DC_OK)
        return status;
    if (mkdir(dir, 0777) != 0) {
        /* Another process made it since the stat: it is not ours to
         * remove, and it will do. */
        if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return DC_OK;
        return dc_fail(err, DC_ERR_OUTPUT, "%s: cannot create the folder: %s",
                       dir, strerror(errno));
    }
    return remember_made_dir(set, dir, err);
}

dc_status dc_output_set_make_dir(dc_output_set *set, const char *dir,
                                 dc_error *err)
{
    char *copy = dc_strdup(dir);
    dc_status status = copy != NULL
                           ? make_dirs(set, copy, err)
                           : dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(copy);
    return status;
}

/*
 * A durable output is written with O_DIRECT: the disk takes each block
 * while the workers convert the next ones, and the fsync before the rename
 * finds nothing left to do.  Measured pairwise against buffered writes
 * with one fsync at the end and against buffered writes whose 8 MiB
 * windows sync_file_range sent to the disk as they filled (BIN to ISO,
 * 305 MB, 15 rounds), the medians were alike (0.94x, 0.87x and 0.95x the
 * time of cat and sync) but O_DIRECT's slowest run was 1.5x its median
 * and the others' 4-5x: the page cache on this VM is what swings, and
 * O_DIRECT does not fill it with dirty pages.  One write at a time left
 * the disk idle between them: whole chunks now go to their place from
 * every worker at once (dc_output_write_block_at), 1.42x to 0.94x the
 * time of cat and sync over 11 rounds.  A file system that refuses
 * O_DIRECT gets the fsync alone.
 */
static void start_direct(dc_output *out)
{
    int flags = fcntl(out->fd, F_GETFL);
    out->direct = flags >= 0 && fcntl(out->fd, F_SETFL, flags | O_DIRECT) == 0;
}

static void stop_direct(dc_output *out)
{
    int flags = fcntl(out->fd, F_GETFL);
    if (flags >= 0)
        fcntl(out->fd, F_SETFL, flags & ~O_DIRECT);
    out->direct = false;
}

static char *temp_name_for(const char *path)
{
    char *dir = dc_path_dirname(path);
    if (dir == NULL)
        return NULL;
    size_t len = strlen(dir) + strlen(dc_path_basename(path)) + 32;
    char *name = malloc(len);
    if (name != NULL)
        snprintf(name, len, "%s/.%s.XXXXXX", dir, dc_path_basename(path));
    free(dir);
    return name;
}

static bool is_input(const dc_output_set *set, const struct stat *st)
{
    for (int i = 0; i < set->input_count; i++)
        if (set->inputs[i].dev == st->st_dev &&
            set->inputs[i].ino == st->st_ino)
            return true;
    return false;
}

/* Refuses a path the set may not write: an existing file without force,
 * anything but a regular file, and the conversion's own inputs. */
static dc_status check_target(const dc_output_set *set, const char *path,
                              dc_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return DC_OK;
    if (!set->policy.force)
        return dc_fail_advise(err, DC_ERR_OUTPUT, DC_ADVICE_FORCE, "%s: "
                              "already exists; allow replacing it", path);
    if (!S_ISREG(st.st_mode))
        return dc_fail(err, DC_ERR_OUTPUT, "%s: exists and is not a regular "
                       "file", path);
    if (is_input(set, &st))
        return dc_fail(err, DC_ERR_USAGE, "%s: is one of the input files; "
                       "write the output elsewhere", path);
    return DC_OK;
}

/* The stream takes the set's one output: nothing is created or renamed. */
static dc_status open_stream(dc_output_set *set, dc_output *out,
                             dc_error *err)
{
    struct stat st;
    if (set->count > 1)
        return dc_fail(err, DC_ERR_USAGE, "%s: a second output file, but a "
                       "stream takes exactly one", out->path);
    if (fstat(set->policy.stream_fd, &st) != 0)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", out->path,
                       strerror(errno));
    if (is_input(set, &st))
        return dc_fail(err, DC_ERR_USAGE, "%s: is one of the input files; "
                       "write the output elsewhere", out->path);
    out->stream = true;
    out->fd = set->policy.stream_fd;
    /* Appending to a file: offsets count from where we start. */
    off_t start = lseek(out->fd, 0, SEEK_CUR);
    out->base = start > 0 ? (int64_t)start : 0;
    return DC_OK;
}

dc_status dc_output_set_add(dc_output_set *set, const char *path,
                            dc_output **output, dc_error *err)
{
    for (int i = 0; i < set->count; i++)
        if (strcmp(set->items[i]->path, path) == 0)
            return dc_fail(err, DC_ERR_OUTPUT, "%s: would be written twice",
                           path);
    bool stream = set->policy.stream_fd >= 0;
    if (!stream && check_target(set, path, err) != DC_OK)
        return err->status;
    dc_output **grown = realloc(set->items,
                                (size_t)(set->count + 1) * sizeof *grown);
    dc_output *out = calloc(1, sizeof *out);
    if (grown != NULL)
        set->items = grown;
    if (grown == NULL || out == NULL) {
        free(out);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    out->fd = -1;
    out->durable = set->policy.durable;
    out->path = dc_strdup(path);
    out->buffer = dc_io_alloc(OUTPUT_BUFFER_SIZE);
    set->items[set->count++] = out;
    if (out->path == NULL || out->buffer == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (stream) {
        if (open_stream(set, out, err) != DC_OK)
            return err->status;
        *output = out;
        return DC_OK;
    }
    out->temp_path = temp_name_for(path);
    if (out->temp_path == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    out->fd = mkostemp(out->temp_path, O_CLOEXEC);
    if (out->fd < 0) {
        int saved = errno;
        free(out->temp_path); /* nothing was created under this name */
        out->temp_path = NULL;
        return dc_fail(err, DC_ERR_OUTPUT, "%s: cannot create: %s", path,
                       strerror(saved));
    }
    if (out->durable)
        start_direct(out);
    *output = out;
    return DC_OK;
}

static dc_status write_failed(const dc_output *out, dc_error *err)
{
    return dc_fail(err, DC_ERR_OUTPUT, "%s: write error at offset %lld: %s",
                   out->path, (long long)out->written, strerror(errno));
}

/* Writes len bytes whole, resuming after short writes. */
static dc_status write_all(dc_output *out, const void *data, size_t len,
                           dc_error *err)
{
    const uint8_t *bytes = data;
    while (len > 0) {
        size_t piece = out->direct || len < WRITE_PIECE ? len : WRITE_PIECE;
        ssize_t n = write(out->fd, bytes, piece);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EINVAL && out->direct) {
            stop_direct(out); /* accepted the flag, refused the write */
            continue;
        }
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC; /* nothing taken: treat as a full disk */
            return write_failed(out, err);
        }
        out->written += n;
        bytes += n;
        len -= (size_t)n;
    }
    return DC_OK;
}

/* Writes out the buffer; O_DIRECT is left first, as the rest need not be
 * whole blocks. */
static dc_status flush_buffer(dc_output *out, dc_error *err)
{
    size_t used = out->used;
    out->used = 0;
    if (out->direct)
        stop_direct(out);
    return used > 0 ? write_all(out, out->buffer, used, err) : DC_OK;
}

/* O_DIRECT takes whole blocks from aligned memory: everything goes through
 * the buffer unless it already is that. */
static dc_status write_direct(dc_output *out, const uint8_t *data, size_t len,
                              dc_error *err)
{
    if (out->used == 0 && (uintptr_t)data % DC_IO_ALIGN == 0 &&
        len % DC_IO_ALIGN == 0)
        return write_all(out, data, len, err);
    while (len > 0) {
        size_t room = OUTPUT_BUFFER_SIZE - out->used;
        size_t take = len < room ? len : room;
        memcpy(out->buffer + out->used, data, take);
        out->used += take;
        data += take;
        len -= take;
        if (out->used == OUTPUT_BUFFER_SIZE) {
            out->used = 0;
            if (write_all(out, out->buffer, OUTPUT_BUFFER_SIZE, err) != DC_OK)
                return err->status;
        }
    }
    return DC_OK;
}

bool dc_output_takes_blocks_at(const dc_output *out, size_t block)
{
    return out->direct && !out->stream && out->used == 0 &&
           out->written % DC_IO_ALIGN == 0 && block % DC_IO_ALIGN == 0;
}

dc_status dc_output_write_block_at(dc_output *out, int64_t offset,
                                   const void *data, size_t len, bool *done,
                                   dc_error *err)
{
    *done = false;
    for (size_t put = 0; put < len;) {
        ssize_t n = pwrite(out->fd, (const uint8_t *)data + put, len - put,
                           (off_t)(offset + (int64_t)put));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EINVAL && put == 0)
            return DC_OK; /* O_DIRECT refused: write it in order instead */
        if (n <= 0)
            return dc_fail(err, DC_ERR_OUTPUT, "%s: write error at offset "
                           "%lld: %s", out->path,
                           (long long)(offset + (int64_t)put),
                           n == 0 ? strerror(ENOSPC) : strerror(errno));
        put += (size_t)n;
    }
    *done = true;
    return DC_OK;
}

void dc_output_advance(dc_output *out, size_t len)
{
    /* Later writes in order go after it. */
    out->written += (int64_t)len;
    lseek(out->fd, (off_t)out->written, SEEK_SET);
}

dc_status dc_output_write(dc_output *out, const void *data, size_t len,
                          dc_error *err)
{
    if (out->direct)
        return write_direct(out, data, len, err);
    /* Big writes skip the buffer, which would only add a copy. */
    bool big = len >= BIG_WRITE;
    if (!big && out->used + len <= OUTPUT_BUFFER_SIZE) {
        memcpy(out->buffer + out->used, data, len);
        out->used += len;
        return DC_OK;
    }
    if (flush_buffer(out, err) != DC_OK)
        return err->status;
    if (big)
        return write_all(out, data, len, err);
    memcpy(out->buffer, data, len);
    out->used = len;
    return DC_OK;
}

int64_t dc_output_position(const dc_output *out)
{
    return out->written + (int64_t)out->used;
}

void dc_output_reserve(dc_output *out, int64_t bytes)
{
    /* ext4's delayed allocation otherwise reserves every page on its own:
     * a tenth of DMG -> IMG's system time went to it. */
    if (!out->stream && bytes > 0)
        (void)fallocate(out->fd, FALLOC_FL_KEEP_SIZE,
                        (off_t)(out->base + dc_output_position(out)),
                        (off_t)bytes);
}

/* Writes and reads at an offset need a file that can seek and does not
 * append every write (pwrite to an O_APPEND file appends). */
static dc_status require_seekable(dc_output *out, dc_error *err)
{
    if (!out->stream || (lseek(out->fd, 0, SEEK_CUR) >= 0 &&
                         !(fcntl(out->fd, F_GETFL) & O_APPEND)))
        return DC_OK;
    return dc_fail(err, DC_ERR_OUTPUT, "%s: this format rewrites bytes it "
                   "has already written, which a pipe or an appended file "
                   "cannot take", out->path);
}

dc_status dc_output_write_at(dc_output *out, int64_t offset, const void *data,
                             size_t len, dc_error *err)
{
    int64_t end = dc_output_position(out);
    if (offset == end)
        return dc_output_write(out, data, len, err);
    if (offset < 0 || offset > end)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: write at offset %lld past "
                       "the end (%lld)", out->path, (long long)offset,
                       (long long)end);
    if (require_seekable(out, err) != DC_OK || flush_buffer(out, err) != DC_OK)
        return err->status;
    size_t inside = (size_t)(end - offset) < len ? (size_t)(end - offset) : len;
    if (pwrite(out->fd, data, inside, (off_t)(out->base + offset)) !=
        (ssize_t)inside)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: write error at offset %lld: "
                       "%s", out->path, (long long)offset, strerror(errno));
    return dc_output_write(out, (const uint8_t *)data + inside, len - inside,
                           err);
}

dc_status dc_output_read_at(dc_output *out, int64_t offset, void *data,
                            size_t len, size_t *got, dc_error *err)
{
    if (require_seekable(out, err) != DC_OK || flush_buffer(out, err) != DC_OK)
        return err->status;
    ssize_t n = pread(out->fd, data, len, (off_t)(out->base + offset));
    if (n < 0)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: read error at offset %lld: "
                       "%s", out->path, (long long)offset, strerror(errno));
    *got = (size_t)n;
    return DC_OK;
}

/* The process umask, read without setting it: umask() would change it for
 * every thread for a moment.  Linux shows it in /proc (since 4.7). */
static mode_t current_umask(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[128];
    unsigned mask = 022;
    while (status != NULL && fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "Umask: %o", &mask) == 1)
            break;
    if (status != NULL)
        fclose(status);
    return (mode_t)mask;
}

/* A stream is flushed (and synced when durable and a file) but stays open:
 * it is the caller's. */
static dc_status finish_stream(dc_output *out, dc_error *err)
{
    if (flush_buffer(out, err) != DC_OK)
        return err->status;
    if (out->durable && fsync(out->fd) != 0 && errno != EINVAL &&
        errno != EROFS)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", out->path,
                       strerror(errno));
    return DC_OK;
}

static dc_status finish_file(dc_output *out, dc_error *err)
{
    if (out->stream)
        return finish_stream(out, err);
    /* The whole blocks still go direct, the tail through the cache. */
    size_t whole = out->direct ? out->used - out->used % DC_IO_ALIGN : 0;
    if (whole > 0 && write_all(out, out->buffer, whole, err) != DC_OK)
        return err->status;
    out->used -= whole;
    memmove(out->buffer, out->buffer + whole, out->used);
    if (flush_buffer(out, err) != DC_OK)
        return err->status;
    /* Temporaries get mkostemp's 0600; outputs get the usual umask. */
    bool ok = fchmod(out->fd, 0666 & ~current_umask()) == 0 &&
              (!out->durable || fsync(out->fd) == 0);
    int saved = errno;
    ok = close(out->fd) == 0 && ok;
    out->fd = -1;
    if (!ok)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", out->path,
                       strerror(saved ? saved : errno));
    return DC_OK;
}

/* Renames into place; without force an existing file is never replaced,
 * even one that appeared while we were writing. */
static dc_status rename_into_place(dc_output *out, bool force, dc_error *err)
{
    int rc;
    if (force) {
        rc = rename(out->temp_path, out->path);
    } else {
        rc = renameat2(AT_FDCWD, out->temp_path, AT_FDCWD, out->path,
                       RENAME_NOREPLACE);
        /* File systems without it may still have hard links. */
        if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
            rc = link(out->temp_path, out->path);
            if (rc == 0)
                unlink(out->temp_path);
        }
    }
    if (rc != 0 && errno == EEXIST)
        return dc_fail_advise(err, DC_ERR_OUTPUT, DC_ADVICE_FORCE, "%s: "
                              "already exists; allow replacing it", out->path);
    if (rc != 0)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", out->path,
                       strerror(errno));
    free(out->temp_path);
    out->temp_path = NULL;
    return DC_OK;
}

static bool same_folder(const char *a, const char *b)
{
    size_t la = (size_t)(dc_path_basename(a) - a);
    size_t lb = (size_t)(dc_path_basename(b) - b);
    return la == lb && memcmp(a, b, la) == 0;
}

/* A durable rename is one the folder has recorded. */
static dc_status sync_directory_of(const char *path, dc_error *err)
{
    char *dir = dc_path_dirname(path);
    if (dir == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (!ok)
        dc_fail(err, DC_ERR_OUTPUT, "%s: cannot make the new names durable: "
                "%s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return ok ? DC_OK : err->status;
}

/* Syncs the folder of every renamed output, and the parent of a folder
 * made for them. */
static dc_status sync_folders(const dc_output_set *set, dc_error *err)
{
    const char *last = NULL;
    for (int i = 0; i < set->count; i++) {
        const char *path = set->items[i]->path;
        if (set->items[i]->stream ||
            (last != NULL && same_folder(last, path)))
            continue;
        if (sync_directory_of(path, err) != DC_OK)
            return err->status;
        last = path;
    }
    for (int i = 0; i < set->made_dir_count; i++)
        if (sync_directory_of(set->made_dirs[i], err) != DC_OK)
            return err->status;
    return DC_OK;
}

static void forget_made_dirs(dc_output_set *set)
{
    for (int i = 0; i < set->made_dir_count; i++)
        free(set->made_dirs[i]);
    free(set->made_dirs);
    set->made_dirs = NULL;
    set->made_dir_count = 0;
}

dc_status dc_output_set_commit(dc_output_set *set, dc_error *err)
{
    for (int i = 0; i < set->count; i++)
        if (finish_file(set->items[i], err) != DC_OK)
            return err->status;
    for (int i = 0; i < set->count; i++) {
        if (set->items[i]->stream)
            continue;
        if (rename_into_place(set->items[i], set->policy.force, err) != DC_OK) {
            /* Take back what this commit put in place where nothing stood
             * before; with force, a replaced file is gone either way, and
             * the complete new one is better kept. */
            for (int k = 0; k < i && !set->policy.force; k++)
                if (!set->items[k]->stream)
                    unlink(set->items[k]->path);
            return err->status;
        }
    }
    if (set->policy.durable && sync_folders(set, err) != DC_OK)
        return err->status;
    for (int i = 0; i < set->count; i++) {
        free(set->items[i]->buffer);
        set->items[i]->buffer = NULL;
    }
    forget_made_dirs(set); /* they hold the outputs now: they stay */
    return DC_OK;
}

void dc_output_set_abort(dc_output_set *set)
{
    for (int i = 0; i < set->count; i++) {
        dc_output *out = set->items[i];
        if (out->fd >= 0 && !out->stream)
            close(out->fd);
        if (out->temp_path != NULL)
            unlink(out->temp_path);
        free(out->temp_path);
        free(out->path);
        free(out->buffer);
        free(out);
    }
    free(set->items);
    set->items = NULL;
    set->count = 0;
    for (int i = set->made_dir_count - 1; i >= 0; i--)
        rmdir(set->made_dirs[i]); /* the deepest first */
    forget_made_dirs(set);
}

