/*
 * discconv normalize SRC... -o DEST: finds every image in folders by its
 * content, one image per descriptor and the files it names, and converts
 * each by normalize_job.c's policy: in forked workers (-j), or as a plan
 * of one shell command per image for other machines (--plan, then
 * --merge).  Outputs are named after the source files only, sanitized, in
 * DEST's mirror of the source folders.
 */

#include "normalize.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A stem is cut to this many bytes: NAME_MAX (255) leaves room for
 * " (Track 99).flac", a collision's " (nrg) 99" and the library's
 * temporary ".NAME.XXXXXX". */
#define STEM_MAX 200

/* --- walking ------------------------------------------------------------ */

typedef enum kind { NO_IMAGE, IMAGE, BROKEN } kind;

typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

typedef struct found {
    char *path;       /* as walked: SRC/dir/x.cue */
    char *rel_dir;    /* its folder under SRC, sanitized ("" at the top) */
    file_id id;
    off_t size;
    kind kind;
    char *what;       /* the policy, or why it failed to open */
    file_id *files;   /* an image's files */
    int file_count;
    bool dropped;     /* part of another image, or no image */
    char *name;       /* outputs' name under DEST */
} found;

typedef struct walk {
    found *files;
    int count;
    file_id dest;     /* never walked into */
    bool dest_exists;
    int no_images;
} walk;

static void add_found(walk *w, const char *path, const char *rel_dir,
                      const struct stat *st)
{
    found *more = realloc(w->files, (size_t)(w->count + 1) * sizeof *more);
    if (more == NULL)
        return;
    w->files = more;
    found *f = &w->files[w->count];
    *f = (found){.path = strdup(path), .rel_dir = strdup(rel_dir),
                 .id = {st->st_dev, st->st_ino}, .size = st->st_size};
    if (f->path != NULL && f->rel_dir != NULL)
        w->count++;
}

static void walk_folder(walk *w, const char *dir, const char *rel_dir)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "%s: warning: %s: cannot list the folder: %s\n",
                CLI_PROGRAM, dir, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        char *path = NULL;
        struct stat st;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
            strcmp(name, NZ_STATE_DIR) != 0 &&
            asprintf(&path, "%s/%s", dir, name) >= 0 && lstat(path, &st) == 0) {
            bool is_dest = w->dest_exists && st.st_dev == w->dest.dev &&
                           st.st_ino == w->dest.ino;
            if (S_ISDIR(st.st_mode) && !is_dest) {
                char *clean = nz_sanitize_name(name, 255);
                char *sub = NULL;
                if (clean != NULL &&
                    asprintf(&sub, "%s%s%s", rel_dir, rel_dir[0] ? "/" : "",
                             clean) >= 0) {
                    walk_folder(w, path, sub);
                    free(sub);
                }
                free(clean);
            } else if ((S_ISREG(st.st_mode) ||
                        (S_ISLNK(st.st_mode) && stat(path, &st) == 0 &&
                         S_ISREG(st.st_mode))))
                add_found(w, path, rel_dir, &st);
        }
        free(path);
        free(entries[i]);
    }
    free(entries);
}

/* Opens a file as an image, and notes what it is and the files it reads. */
static void examine(const command_line *cl, found *f)
{
    dc_error err = {0};
    dc_image *image;
    dc_open_options open = {.password = cl->password,
                            .ignore_checksums = cl->no_verify};
    if (f->size == 0) {
        f->kind = NO_IMAGE;
        return;
    }
    if (dc_image_open_with(&image, f->path, &open, &err) != DC_OK) {
        /* Nothing in its bytes or name said a format: no image. */
        f->kind = err.advice == DC_ADVICE_NAME_INPUT_FORMAT ? NO_IMAGE : BROKEN;
        f->what = strdup(err.message);
        return;
    }
    f->kind = IMAGE;
    f->what = strdup(nz_describe_policy(cl, image));
    int count = dc_image_file_count(image);
    f->files = calloc((size_t)count, sizeof *f->files);
    for (int i = 0; f->files != NULL && i < count; i++) {
        struct stat st;
        if (stat(dc_image_file(image, i), &st) == 0)
            f->files[f->file_count++] = (file_id){st.st_dev, st.st_ino};
    }
    dc_image_close(image);
}

static bool reads(const found *image, file_id id)
{
    for (int i = 0; i < image->file_count; i++)
        if (image->files[i].dev == id.dev && image->files[i].ino == id.ino)
            return true;
    return false;
}

static bool reads_all_of(const found *a, const found *b)
{
    for (int i = 0; i < b->file_count; i++)
        if (!reads(a, b->files[i]))
            return false;
    return true;
}

/* Of two opens of the same files, the descriptor's: the smaller file. */
static bool prefer(const found *a, const found *b)
{
    return a->size != b->size ? a->size < b->size : a < b;
}

/* The sidecar rule, seen from the folder: a file another image reads is
 * part of it -- a payload its descriptor names, a descriptor found beside
 * it -- unless it is an image of more files.  Of two opens of the same
 * files (x.bin and x.cue beside it) the descriptor's stays. */
static void drop_parts(walk *w)
{
    for (int a = 0; a < w->count; a++) {
        found *f = &w->files[a];
        for (int b = 0; b < w->count && !f->dropped; b++) {
            const found *other = &w->files[b];
            if (b == a || other->kind != IMAGE || !reads(other, f->id))
                continue;
            if (f->kind != IMAGE)
                f->dropped = true;
            else if (reads_all_of(other, f) &&
                     (!reads_all_of(f, other) || prefer(other, f)))
                f->dropped = true;
        }
        if (!f->dropped && f->kind == NO_IMAGE) {
            f->dropped = true;
            w->no_images++;
        }
    }
}

static bool name_taken(const walk *w, int upto, const char *name)
{
    for (int i = 0; i < upto; i++)
        if (w->files[i].name != NULL && strcmp(w->files[i].name, name) == 0)
            return true;
    return false;
}

/* "dir/stem"; two images of one stem in one folder (x.iso, x.nrg): the
 * later is "x (nrg)", then "x (nrg) 2"... */
static void name_images(walk *w)
{
    for (int i = 0; i < w->count; i++) {
        found *f = &w->files[i];
        if (f->dropped)
            continue;
        const char *base = strrchr(f->path, '/');
        base = base != NULL ? base + 1 : f->path;
        const char *dot = strrchr(base, '.');
        size_t stem_len = dot != NULL && dot != base ? (size_t)(dot - base)
                                                     : strlen(base);
        char *raw = strndup(base, stem_len);
        char *stem = raw != NULL ? nz_sanitize_name(raw, STEM_MAX) : NULL;
        char *ext = dot != NULL && dot != base ? nz_sanitize_name(dot + 1, 16)
                                               : NULL;
        const char *sep = f->rel_dir[0] != '\0' ? "/" : "";
        for (int n = 0; stem != NULL && n < 1000; n++) {
            char *name = NULL;
            int made;
            if (n == 0)
                made = asprintf(&name, "%s%s%s", f->rel_dir, sep, stem);
            else if (n == 1 || ext == NULL)
                made = asprintf(&name, "%s%s%s (%s)", f->rel_dir, sep, stem,
                                ext != NULL ? ext : "2");
            else
                made = asprintf(&name, "%s%s%s (%s) %d", f->rel_dir, sep,
                                stem, ext, n);
            if (made < 0)
                break;
            if (!name_taken(w, i, name)) {
                f->name = name;
                break;
            }
            free(name);
        }
        free(raw);
        free(stem);
        free(ext);
        if (f->name == NULL)
            f->dropped = true;
    }
}

static void free_walk(walk *w)
{
    for (int i = 0; i < w->count; i++) {
        free(w->files[i].path);
        free(w->files[i].rel_dir);
        free(w->files[i].what);
        free(w->files[i].files);
        free(w->files[i].name);
    }
    free(w->files);
}

static int find_images(const command_line *cl, const char *dest, walk *w)
{
    struct stat st;
    *w = (walk){0};
    if (stat(dest, &st) == 0) {
        w->dest = (file_id){st.st_dev, st.st_ino};
        w->dest_exists = true;
    }
    for (int i = 0; i < cl->input_count; i++) {
        const char *src = cl->inputs[i];
        if (stat(src, &st) != 0) {
            fprintf(stderr, "%s: %s: %s\n", CLI_PROGRAM, src, strerror(errno));
            return EXIT_INPUT_UNREADABLE;
        }
        if (S_ISDIR(st.st_mode)) {
            char *root = strdup(src);
            size_t len = root != NULL ? strlen(root) : 0;
            while (len > 1 && root[len - 1] == '/')
                root[--len] = '\0';
            if (root != NULL)
                walk_folder(w, root, "");
            free(root);
        } else if (S_ISREG(st.st_mode))
            add_found(w, src, "", &st);
        else
            return cli_usage_error("%s is neither a folder nor a file", src);
    }
    for (int i = 0; i < w->count; i++)
        examine(cl, &w->files[i]);
    drop_parts(w);
    name_images(w);
    return EXIT_OK;
}

/* --- running the jobs --------------------------------------------------- */

/* What a worker tells the parent: progress, or its result (kind 1).  One
 * write each, smaller than PIPE_BUF, so records never interleave. */
typedef struct record {
    int32_t slot;
    int32_t kind;
    int64_t done, total;
    int32_t outcome;
    char text[600];
} record;
_Static_assert(sizeof(record) <= 4096, "a record must fit one pipe write");

typedef struct worker {
    pid_t pid;
    int image;
    int64_t done, total;
    bool reported;
} worker;

typedef struct run {
    const command_line *cl;
    const char *dest;
    walk *w;
    int *order;        /* the images, by position in w->files */
    int image_count;
    worker *workers;
    int jobs;
    int pipe_fd;       /* the parent's read end */
    bool display;
    bool drawn;
    double last_draw;
    int finished;
    int converted, skipped, failed, bad_sectors;
    bool interrupted;
} run;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct child_sink {
    int fd;
    int slot;
    double last;
} child_sink;

static void send_progress(void *context, int64_t done, int64_t total)
{
    child_sink *c = context;
    double t = seconds_now();
    if (t - c->last < 0.2 && done < total)
        return;
    c->last = t;
    record r = {.slot = c->slot, .kind = 0, .done = done, .total = total};
    ssize_t written = write(c->fd, &r, sizeof r);
    (void)written; /* progress is best effort */
}

static void clear_line(run *r)
{
    if (r->drawn)
        fputs("\r\033[K", stderr);
    r->drawn = false;
}

static void draw(run *r)
{
    double t = seconds_now();
    if (!r->display || t - r->last_draw < 0.2)
        return;
    r->last_draw = t;
    char line[512];
    int n = snprintf(line, sizeof line, "[%d/%d]", r->finished,
                     r->image_count);
    for (int i = 0; i < r->jobs && n < (int)sizeof line; i++) {
        const worker *k = &r->workers[i];
        if (k->pid <= 0)
            continue;
        const char *name = r->w->files[k->image].name;
        const char *base = strrchr(name, '/');
        int pct = k->total > 0 ? (int)(100 * k->done / k->total) : 0;
        n += snprintf(line + n, sizeof line - (size_t)n, " %.24s %d%%",
                      base != NULL ? base + 1 : name, pct);
    }
    fprintf(stderr, "\r\033[K%.79s", line);
    fflush(stderr);
    r->drawn = true;
}

static void say_result(run *r, int image, nz_outcome outcome,
                       const char *text)
{
    const found *f = &r->w->files[image];
    clear_line(r);
    switch (outcome) {
    case NZ_CONVERTED: r->converted++; break;
    case NZ_BAD_SECTORS: r->converted++; r->bad_sectors++; break;
    case NZ_SKIPPED: r->skipped++; break;
    case NZ_FAILED: r->failed++; break;
    case NZ_INTERRUPTED: r->interrupted = true; break;
    }
    if (outcome == NZ_FAILED || outcome == NZ_BAD_SECTORS)
        fprintf(stderr, "%s: %s: %s\n", CLI_PROGRAM,
                outcome == NZ_FAILED ? "failed" : "warning", text);
    if (r->cl->quiet || outcome == NZ_INTERRUPTED)
        return;
    static const char *const verb[] = {"converted", "skipped", "failed",
                                       "converted", "interrupted"};
    printf("%-9s %s: %s\n", verb[outcome], f->name, text);
    fflush(stdout);
}

static void start_worker(run *r, int slot, int image, int write_fd)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        say_result(r, image, NZ_FAILED, strerror(errno));
        r->finished++;
        return;
    }
    if (pid == 0) {
        close(r->pipe_fd);
        const found *f = &r->w->files[image];
        nz_job job = {.path = f->path, .name = f->name, .dest = r->dest};
        child_sink c = {.fd = write_fd, .slot = slot};
        nz_sink sink = {.progress = send_progress, .context = &c};
        record done = {.slot = slot, .kind = 1};
        done.outcome = (int32_t)nz_run_job(r->cl, &job, &sink, done.text,
                                           sizeof done.text);
        ssize_t written = write(write_fd, &done, sizeof done);
        _exit(written == (ssize_t)sizeof done ? 0 : 1);
    }
    r->workers[slot] = (worker){.pid = pid, .image = image};
}

static void read_records(run *r)
{
    record rec;
    while (read(r->pipe_fd, &rec, sizeof rec) == (ssize_t)sizeof rec) {
        if (rec.slot < 0 || rec.slot >= r->jobs || r->workers[rec.slot].pid <= 0)
            continue;
        worker *k = &r->workers[rec.slot];
        if (rec.kind == 0) {
            k->done = rec.done;
            k->total = rec.total;
        } else if (!k->reported) {
            rec.text[sizeof rec.text - 1] = '\0';
            k->reported = true;
            say_result(r, k->image, (nz_outcome)rec.outcome, rec.text);
        }
    }
}

/* A worker ended: one that did not report was killed, and what it left
 * behind goes. */
static void reap(run *r, pid_t pid, int status)
{
    read_records(r);
    for (int i = 0; i < r->jobs; i++) {
        worker *k = &r->workers[i];
        if (k->pid != pid)
            continue;
        if (!k->reported) {
            const char *name = r->w->files[k->image].name;
            nz_clean_after(r->dest, name);
            const char *path = r->w->files[k->image].path;
            char why[700];
            if (WIFSIGNALED(status))
                snprintf(why, sizeof why, "%s: its worker was killed (signal "
                         "%d); a re-run converts it", path, WTERMSIG(status));
            else
                snprintf(why, sizeof why, "%s: its worker ended without a "
                         "result; a re-run converts it", path);
            say_result(r, k->image,
                       progress_interrupted() ? NZ_INTERRUPTED : NZ_FAILED,
                       why);
        }
        k->pid = 0;
        r->finished++;
    }
}

static int run_workers(run *r)
{
    int fds[2];
    if (pipe(fds) != 0)
        return EXIT_INTERNAL;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    r->pipe_fd = fds[0];
    r->workers = calloc((size_t)r->jobs, sizeof *r->workers);
    if (r->workers == NULL)
        return EXIT_INTERNAL;
    int next = 0, running = 0;
    bool forwarded = false;
    while (next < r->image_count || running > 0) {
        for (int slot = 0; slot < r->jobs && next < r->image_count &&
                           !progress_interrupted(); slot++)
            if (r->workers[slot].pid <= 0) {
                start_worker(r, slot, r->order[next++], fds[1]);
                running += r->workers[slot].pid > 0;
            }
        if (progress_interrupted() && !forwarded) {
            /* A terminal's Ctrl-C reached them too; a kill of ours did
             * not. */
            for (int i = 0; i < r->jobs; i++)
                if (r->workers[i].pid > 0)
                    kill(r->workers[i].pid, SIGTERM);
            forwarded = true;
            r->interrupted = true;
        }
        if (progress_interrupted() && running == 0)
            break;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        poll(&p, 1, 100);
        read_records(r);
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            reap(r, pid, status);
            running--;
        }
        draw(r);
    }
    clear_line(r);
    close(fds[0]);
    close(fds[1]);
    free(r->workers);
    return EXIT_OK;
}

/* --- the plan ----------------------------------------------------------- */

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return true;
    return false;
}

/* 'text' for sh, a ' inside written '\'' */
static void put_quoted(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    fputc('\'', out);
}

/* The settings a job needs, as options, so a plan's line is whole. */
static void put_settings(FILE *out, const command_line *cl)
{
    static const char *const sound[] = {"wav", "aiff", "flac"};
    if (cl->convert.audio_format != DC_AUDIO_WAV)
        fprintf(out, " --audio-format %s", sound[cl->convert.audio_format]);
    if (cl->normalize.keep_bincue)
        fputs(" --keep-bincue", out);
    if (cl->normalize.also_iso)
        fputs(" --also-iso", out);
    if (cl->convert.allow_truncated)
        fputs(" --allow-truncated", out);
    if (cl->convert.sync)
        fputs(" --sync", out);
    if (cl->no_verify)
        fputs(" --no-verify", out);
}

/* A path that means the same from any folder: the file's real path, or,
 * for one not made yet, the current folder's joined to it.  malloc'd. */
static char *absolute_path(const char *path)
{
    char *real = realpath(path, NULL);
    if (real != NULL || path[0] == '/')
        return real != NULL ? real : strdup(path);
    char *here = getcwd(NULL, 0);
    char *joined = NULL;
    if (here != NULL && asprintf(&joined, "%s/%s", here, path) < 0)
        joined = NULL;
    free(here);
    return joined;
}

/* One line per image, whole: absolute paths, every setting but the
 * password (which a plan would hold in clear, so --plan refuses it). */
static int print_plan(const command_line *cl, const char *dest,
                      const walk *w)
{
    if (cl->password != NULL)
        return cli_usage_error("--plan with --password: the plan would hold "
                               "the password in clear");
    char *dest_path = absolute_path(dest);
    if (dest_path == NULL)
        return cli_usage_error("%s: cannot make the path absolute: %s", dest,
                               strerror(errno));
    if (has_control(dest_path)) {
        free(dest_path);
        return cli_usage_error("%s: a plan's lines cannot carry control "
                               "characters in the output", dest);
    }
    for (int i = 0; i < w->count; i++) {
        const found *f = &w->files[i];
        if (f->dropped)
            continue;
        char *path = absolute_path(f->path);
        if (path == NULL) {
            free(dest_path);
            return cli_usage_error("%s: cannot make the path absolute: %s",
                                   f->path, strerror(errno));
        }
        fputs("discconv normalize ", stdout);
        if (has_control(path)) {
            fputs("--one-hex ", stdout);
            for (const unsigned char *p = (const unsigned char *)path; *p; p++)
                printf("%02x", *p);
        } else {
            fputs("--one ", stdout);
            put_quoted(stdout, path);
        }
        free(path);
        fputs(" --as ", stdout);
        put_quoted(stdout, f->name);
        fputs(" -o ", stdout);
        put_quoted(stdout, dest_path);
        put_settings(stdout, cl);
        fputc('\n', stdout);
    }
    free(dest_path);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

static int print_dry_run(const command_line *cl, const char *dest,
                         const walk *w)
{
    for (int i = 0; i < w->count; i++) {
        const found *f = &w->files[i];
        if (f->dropped)
            continue;
        nz_freshness fresh = nz_up_to_date(cl, dest, f->name);
        const char *verb = fresh == NZ_FRESH   ? "up-to-date"
                           : f->kind == BROKEN ? "broken"
                                               : "convert";
        printf("%-10s %s -> %s: %s\n", verb, f->path, f->name, f->what);
    }
    printf("%d files are no image\n", w->no_images);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

/* --- the command -------------------------------------------------------- */

static int summary(const command_line *cl, const char *dest, int converted,
                   int skipped, int failed, int no_images)
{
    if (!cl->quiet) {
        printf("normalize: %d image%s: %d converted, %d up to date, %d "
               "failed", converted + skipped + failed,
               converted + skipped + failed == 1 ? "" : "s", converted,
               skipped, failed);
        if (no_images >= 0)
            printf("; %d file%s no image", no_images,
                   no_images == 1 ? " is" : "s are");
        printf("\nreport: %s/%s\n", dest, NZ_REPORT);
    }
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

static int run_all(const command_line *cl, const char *dest, walk *w)
{
    run r = {.cl = cl, .dest = dest, .w = w};
    r.order = calloc((size_t)w->count + 1, sizeof *r.order);
    const char **names = calloc((size_t)w->count + 1, sizeof *names);
    if (r.order == NULL || names == NULL) {
        free(r.order);
        free(names);
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < w->count; i++)
        if (!w->files[i].dropped) {
            names[r.image_count] = w->files[i].name;
            r.order[r.image_count++] = i;
        }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    r.jobs = cl->normalize.jobs > 0 ? cl->normalize.jobs
                                    : cores > 0 ? (int)cores : 1;
    r.display = !cl->quiet && (cl->normalize.progress || isatty(STDERR_FILENO));
    int rc = EXIT_OK;
    if (!nz_make_dirs(dest)) {
        fprintf(stderr, "%s: %s: cannot make the folder: %s\n", CLI_PROGRAM,
                dest, strerror(errno));
        rc = EXIT_OUTPUT;
    }
    if (rc == EXIT_OK)
        rc = run_workers(&r);
    int converted, failed, stale;
    if (rc == EXIT_OK)
        rc = nz_merge(dest, names, r.image_count, &converted, &failed,
                      &stale);
    if (rc == EXIT_OK)
        rc = summary(cl, dest, r.converted, r.skipped, r.failed, w->no_images);
    free(r.order);
    free(names);
    if (rc != EXIT_OK)
        return rc;
    if (r.interrupted || progress_interrupted())
        return EXIT_INTERRUPTED;
    return r.failed > 0        ? EXIT_IMAGES_FAILED
           : r.bad_sectors > 0 ? EXIT_BAD_SECTORS
                               : EXIT_OK;
}

/* --as of a plan's line: a relative path without "." or ".." parts or
 * control characters, so that the outputs stay inside DEST. */
static bool safe_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '/' || has_control(name))
        return false;
    for (const char *p = name; *p;) {
        size_t len = strcspn(p, "/");
        if (len == 0 || (len == 1 && p[0] == '.') ||
            (len == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += len;
        if (*p == '/')
            p++;
        else
            break;
    }
    return name[strlen(name) - 1] != '/';
}

static char *from_hex(const char *hex)
{
    size_t len = strlen(hex);
    char *out = len % 2 == 0 ? malloc(len / 2 + 1) : NULL;
    for (size_t i = 0; out != NULL && i < len / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v == 0) {
            free(out);
            return NULL;
        }
        out[i] = (char)v;
    }
    if (out != NULL)
        out[len / 2] = '\0';
    return out;
}

static int run_one(const command_line *cl, const char *dest)
{
    if (cl->normalize.name == NULL)
        return cli_usage_error("--one needs --as, the outputs' name under "
                               "the output folder");
    if (!safe_name(cl->normalize.name))
        return cli_usage_error("--as %s: a relative path without '.' or "
                               "'..' parts or control characters",
                               cl->normalize.name);
    char *path = cl->normalize.one_hex != NULL ? from_hex(cl->normalize.one_hex)
                                               : strdup(cl->normalize.one);
    if (path == NULL)
        return cli_usage_error("--one-hex takes the path in hexadecimal");
    progress_catch_signals();
    nz_job job = {.path = path, .name = cl->normalize.name, .dest = dest};
    char message[600];
    nz_outcome outcome = nz_run_job(cl, &job, NULL, message, sizeof message);
    static const char *const verb[] = {"converted", "skipped", "failed",
                                       "converted", "interrupted"};
    if (outcome == NZ_FAILED || outcome == NZ_BAD_SECTORS)
        fprintf(stderr, "%s: %s: %s\n", CLI_PROGRAM,
                outcome == NZ_FAILED ? "failed" : "warning", message);
    if (!cl->quiet)
        printf("%-9s %s: %s\n", verb[outcome], job.name, message);
    free(path);
    switch (outcome) {
    case NZ_CONVERTED:
    case NZ_SKIPPED: return EXIT_OK;
    case NZ_BAD_SECTORS: return EXIT_BAD_SECTORS;
    case NZ_INTERRUPTED: return EXIT_INTERRUPTED;
    case NZ_FAILED: return EXIT_IMAGES_FAILED;
    }
    return EXIT_INTERNAL;
}

int cmd_normalize(command_line *cl)
{
    bool one = cl->normalize.one != NULL || cl->normalize.one_hex != NULL;
    int modes = one + cl->normalize.plan + cl->normalize.merge +
                cl->normalize.dry_run;
    if (modes > 1)
        return cli_usage_error("--one, --plan, --merge and --dry-run exclude "
                               "each other");
    const char *dest = cl->output;
    if (cl->normalize.merge && dest == NULL && cl->input_count == 1)
        dest = cl->inputs[0];
    else if (cl->normalize.merge && cl->input_count > 0)
        return cli_usage_error("--merge takes the output folder only: "
                               "discconv normalize --merge DEST");
    if (dest == NULL)
        return cli_usage_error("normalize needs an output folder: -o DEST");
    if (strcmp(dest, "-") == 0)
        return cli_usage_error("normalize writes into a folder, not to "
                               "standard output: -o DEST");
    if (cl->normalize.merge) {
        int converted, failed, stale;
        int rc = nz_merge(dest, NULL, 0, &converted, &failed, &stale);
        if (rc == EXIT_OK && stale > 0 && !cl->quiet)
            printf("left out: %d image%s whose source is gone\n", stale,
                   stale == 1 ? "" : "s");
        if (rc == EXIT_OK)
            rc = summary(cl, dest, converted, 0, failed, -1);
        return rc != EXIT_OK ? rc : failed > 0 ? EXIT_IMAGES_FAILED : EXIT_OK;
    }
    if (one) {
        if (cl->input_count > 0)
            return cli_usage_error("--one converts one image: no SRC");
        return run_one(cl, dest);
    }
    if (cl->normalize.name != NULL)
        return cli_usage_error("--as goes with --one");
    if (cl->input_count == 0)
        return cli_usage_error("normalize needs a folder or an image: "
                               "discconv normalize SRC... -o DEST");
    progress_catch_signals();
    walk w;
    int rc = find_images(cl, dest, &w);
    if (rc == EXIT_OK) {
        if (cl->normalize.plan)
            rc = print_plan(cl, dest, &w);
        else if (cl->normalize.dry_run)
            rc = print_dry_run(cl, dest, &w);
        else
            rc = run_all(cl, dest, &w);
    }
    free_walk(&w);
    return rc;
}
