/*
 * discconv normalize: one image's job.  The policy (which target a disc
 * goes to), the conversion, the report fragment (one JSON line) and the
 * state file that lets a re-run skip an image whose outputs still match
 * their recorded hashes.  A local run forks one of these per image; a
 * plan's line runs one with --one.
 */

#include "normalize.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* --- names --------------------------------------------------------------- */

char *nz_sanitize_name(const char *name, size_t max)
{
    size_t len = strlen(name);
    char *out = malloc(len + sizeof "image");
    if (out == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        bool leading_dot = n == 0 && c == '.';
        out[n++] = c < 0x20 || c == 0x7f || c == '/' || c == '"' ||
                           c == '\\' || leading_dot
                       ? '_'
                       : (char)c;
    }
    /* Cut to max bytes, then back to the start of a UTF-8 character. */
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)out[n] & 0xC0) == 0x80)
            n--;
    }
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
        n--; /* "name." and "name " trouble other systems' file names */
    if (n == 0) {
        strcpy(out, "image");
        return out;
    }
    out[n] = '\0';
    return out;
}

bool nz_make_dirs(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return false;
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            free(copy);
            return false;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    return true;
}

static char *joined(const char *a, const char *b, const char *c)
{
    char *s = NULL;
    if (asprintf(&s, "%s%s%s", a, b, c) < 0)
        return NULL;
    return s;
}

/* An image's id: FNV-1a of its name, so that fragments have short names
 * every job derives alike. */
static void image_id(const char *name, char id[17])
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    snprintf(id, 17, "%016llx", (unsigned long long)h);
}

static char *state_file(const char *dest, const char *kind, const char *name,
                        const char *ext)
{
    char id[17];
    image_id(name, id);
    char *s = NULL;
    if (asprintf(&s, "%s/%s/%s/%s%s", dest, NZ_STATE_DIR, kind, id, ext) < 0)
        return NULL;
    return s;
}

char *nz_fragment_path(const char *dest, const char *name)
{
    return state_file(dest, "fragments", name, ".jsonl");
}

/* Writes a whole small file by a temporary name and rename, so that a
 * reader sees the old one or the new one. */
static bool write_file_atomically(const char *path, const char *text,
                                  size_t len)
{
    char *dir = strdup(path);
    char *temp = joined(path, ".XXXXXX", "");
    bool ok = dir != NULL && temp != NULL;
    if (ok) {
        *strrchr(dir, '/') = '\0';
        ok = nz_make_dirs(dir);
    }
    int fd = ok ? mkostemp(temp, O_CLOEXEC) : -1;
    ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    if (fd >= 0) {
        ok = close(fd) == 0 && ok && chmod(temp, 0644) == 0 &&
             rename(temp, path) == 0;
        if (!ok)
            unlink(temp);
    }
    free(dir);
    free(temp);
    return ok;
}

/* --- state: what a re-run checks ---------------------------------------- */

/* Paths in the state file: bytes that would split a line or a field are
 * written %XX. */
static void put_escaped(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || *p == '%')
            fprintf(out, "%%%02X", *p);
        else
            fputc(*p, out);
}

static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    for (; out != NULL && *s; s++) {
        unsigned v;
        if (*s == '%' && sscanf(s + 1, "%2X", &v) == 1) {
            *o++ = (char)v;
            s += 2;
        } else
            *o++ = *s;
    }
    if (out != NULL)
        *o = '\0';
    return out;
}

static bool file_crc32(const char *path, unsigned long *crc, int64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    static __thread unsigned char buffer[1 << 20];
    uLong c = crc32(0, NULL, 0);
    int64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) {
        c = crc32(c, buffer, (uInt)n);
        total += n;
    }
    close(fd);
    *crc = c;
    *size = total;
    return n == 0;
}

typedef struct state_line {
    char kind[16];
    long long size;
    char stamp[64]; /* mtime of a source, CRC-32 of an output, or - */
    char *path;
} state_line;

/* Reads the state file's lines after the status line; NULL when there is
 * none.  *status: "pending" or "converted". */
static state_line *read_state_at(const char *path, char status[16],
                                 char policy_text[64], int *count)
{
    FILE *in = path != NULL ? fopen(path, "re") : NULL;
    *count = 0;
    if (in == NULL)
        return NULL;
    state_line *lines = NULL;
    char line[8192], pathtext[8000];
    bool ok = fgets(line, sizeof line, in) != NULL &&
              strcmp(line, "discconv-normalize-state 1\n") == 0 &&
              fgets(line, sizeof line, in) != NULL &&
              sscanf(line, "status %15s", status) == 1 &&
              fgets(line, sizeof line, in) != NULL &&
              sscanf(line, "policy %63s", policy_text) == 1;
    while (ok && fgets(line, sizeof line, in) != NULL) {
        state_line l = {0};
        if (sscanf(line, "%15s %lld %63s %7999s", l.kind, &l.size, l.stamp,
                   pathtext) != 4)
            continue;
        state_line *more = realloc(lines, (size_t)(*count + 1) * sizeof *more);
        if (more == NULL || (l.path = unescape(pathtext)) == NULL) {
            free(more != NULL ? more : lines);
            lines = NULL;
            *count = 0;
            break;
        }
        lines = more;
        lines[(*count)++] = l;
    }
    fclose(in);
    if (!ok) {
        free(lines);
        *count = 0;
        return NULL;
    }
    return lines;
}

static state_line *read_state(const char *dest, const char *name,
                              char status[16], char policy_text[64],
                              int *count)
{
    char *path = state_file(dest, "state", name, "");
    state_line *lines = read_state_at(path, status, policy_text, count);
    free(path);
    return lines;
}

static void free_state(state_line *lines, int count)
{
    for (int i = 0; i < count; i++)
        free(lines[i].path);
    free(lines);
}

static void stat_stamp(const struct stat *st, char *stamp, size_t size)
{
    snprintf(stamp, size, "%lld.%09ld", (long long)st->st_mtim.tv_sec,
             (long)st->st_mtim.tv_nsec);
}

/* What decides how an image is written: a run with other settings
 * converts again.  One word. */
static void policy_words(const command_line *cl, char text[64])
{
    static const char *const sound[] = {"wav", "aiff", "flac"};
    snprintf(text, 64, "bincue=%d,iso=%d,sound=%s,truncated=%d",
             cl->normalize.keep_bincue, cl->normalize.also_iso,
             sound[cl->convert.audio_format % 3],
             cl->convert.allow_truncated);
}

nz_freshness nz_up_to_date(const command_line *cl, const char *dest,
                           const char *name)
{
    char status[16] = "", recorded[64] = "", wanted[64];
    int count;
    state_line *lines = read_state(dest, name, status, recorded, &count);
    char *fragment = nz_fragment_path(dest, name);
    policy_words(cl, wanted);
    bool fresh = lines != NULL && strcmp(status, "converted") == 0 &&
                 strcmp(recorded, wanted) == 0 && fragment != NULL &&
                 access(fragment, R_OK) == 0;
    for (int i = 0; fresh && i < count; i++) {
        struct stat st;
        char stamp[64];
        if (strcmp(lines[i].kind, "source") == 0) {
            fresh = stat(lines[i].path, &st) == 0 &&
                    st.st_size == lines[i].size;
            stat_stamp(&st, stamp, sizeof stamp);
            fresh = fresh && strcmp(stamp, lines[i].stamp) == 0;
        } else if (strcmp(lines[i].kind, "output") == 0) {
            char *out = joined(dest, "/", lines[i].path);
            unsigned long crc = 0;
            int64_t size;
            fresh = out != NULL && stat(out, &st) == 0 &&
                    st.st_size == lines[i].size &&
                    file_crc32(out, &crc, &size) && size == lines[i].size;
            snprintf(stamp, sizeof stamp, "%08lx", crc);
            fresh = fresh && strcmp(stamp, lines[i].stamp) == 0;
            free(out);
        }
    }
    free(fragment);
    free_state(lines, count);
    return fresh ? NZ_FRESH : NZ_STALE;
}

/* "pending": the sources and, as each step commits, its outputs (without
 * hashes), so that what a killed job wrote can be found and removed;
 * "converted": every output with its size and CRC-32. */
static void put_source(FILE *out, const char *file)
{
    struct stat st;
    if (stat(file, &st) != 0)
        return;
    char stamp[64];
    stat_stamp(&st, stamp, sizeof stamp);
    fprintf(out, "source %lld %s ", (long long)st.st_size, stamp);
    put_escaped(out, file);
    fputc('\n', out);
}

static bool write_state(const command_line *cl, const nz_job *job,
                        const char *status, dc_image *image, char **outputs,
                        int output_count)
{
    const char *dest = job->dest, *name = job->name;
    bool done = strcmp(status, "converted") == 0;
    char policy_text[64];
    policy_words(cl, policy_text);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return false;
    fprintf(out, "discconv-normalize-state 1\nstatus %s\npolicy %s\n",
            status, policy_text);
    if (image == NULL)
        put_source(out, job->path);
    for (int i = 0; image != NULL && i < dc_image_file_count(image); i++)
        put_source(out, dc_image_file(image, i));
    bool ok = true;
    for (int i = 0; i < output_count; i++) {
        unsigned long crc = 0;
        int64_t size = 0;
        if (done) {
            char *path = joined(dest, "/", outputs[i]);
            ok = ok && path != NULL && file_crc32(path, &crc, &size);
            free(path);
        }
        if (done)
            fprintf(out, "output %lld %08lx ", (long long)size, crc);
        else
            fputs("output 0 - ", out);
        put_escaped(out, outputs[i]);
        fputc('\n', out);
    }
    ok = fclose(out) == 0 && ok;
    char *path = state_file(dest, "state", name, "");
    ok = ok && path != NULL && write_file_atomically(path, text, len);
    free(path);
    free(text);
    return ok;
}

/* Temporary files the library names ".NAME.XXXXXX" beside NAME, for the
 * outputs of the image called stem: "stem.iso", "stem (Track 2).bin". */
static bool is_temp_of(const char *entry, const char *stem)
{
    size_t len = strlen(entry), stem_len = strlen(stem);
    if (entry[0] != '.' || len < 1 + stem_len + 8 ||
        strncmp(entry + 1, stem, stem_len) != 0 || entry[len - 7] != '.')
        return false;
    const char *after = entry + 1 + stem_len;
    return after[0] == '.' || strncmp(after, " (Track ", 8) == 0;
}

/* The names the policy gives the image's outputs: "stem.iso", "stem.cue",
 * "stem (Track 2).bin".  A job killed after the library committed an
 * output but before the state recorded it leaves one of these unrecorded;
 * another image's outputs have another stem (a clash gets " (nrg)"). */
static bool is_output_of(const char *entry, const char *stem)
{
    size_t stem_len = strlen(stem);
    if (strncmp(entry, stem, stem_len) != 0)
        return false;
    const char *after = entry + stem_len;
    return strncmp(after, " (Track ", 8) == 0 ||
           (after[0] == '.' && after[1] != '\0' &&
            strchr(after + 1, '.') == NULL);
}

static void remove_leftovers(const char *dir, const char *stem)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_temp_of(e->d_name, stem) || is_output_of(e->d_name, stem))
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

/* dest/dir and stem of an image named "dir/stem". */
static void split_name(const char *dest, const char *name, char **dir,
                       const char **stem)
{
    const char *slash = strrchr(name, '/');
    *stem = slash != NULL ? slash + 1 : name;
    if (slash == NULL)
        *dir = strdup(dest);
    else if (asprintf(dir, "%s/%.*s", dest, (int)(slash - name), name) < 0)
        *dir = NULL;
}

/* Removes what an earlier or a killed run recorded (its outputs: ours to
 * replace), what it may have committed before recording it, and its
 * temporary files. */
static void remove_recorded(const char *dest, const char *name)
{
    char status[16], policy_text[64];
    int count;
    state_line *lines = read_state(dest, name, status, policy_text, &count);
    for (int i = 0; i < count; i++)
        if (strcmp(lines[i].kind, "output") == 0 &&
            strstr(lines[i].path, "..") == NULL && lines[i].path[0] != '/') {
            char *out = joined(dest, "/", lines[i].path);
            if (out != NULL)
                unlink(out);
            free(out);
        }
    free_state(lines, count);
    char *dir;
    const char *stem;
    split_name(dest, name, &dir, &stem);
    if (dir != NULL)
        remove_leftovers(dir, stem);
    free(dir);
}

void nz_clean_after(const char *dest, const char *name)
{
    char status[16] = "", policy_text[64];
    int count;
    state_line *lines = read_state(dest, name, status, policy_text, &count);
    free_state(lines, count);
    if (strcmp(status, "pending") == 0) {
        remove_recorded(dest, name);
        char *state = state_file(dest, "state", name, "");
        if (state != NULL)
            unlink(state);
        free(state);
    }
}

/* --- the policy --------------------------------------------------------- */

typedef enum target {
    TARGET_ISO,
    TARGET_AUDIO,
    TARGET_BINCUE, /* one BIN per track, redump's names */
    TARGET_IMG
} target;

typedef struct policy {
    const char *layout;  /* "data", "audio", "mixed-mode"... */
    target target;
    bool iso_or_bincue;  /* Form 2 sectors may turn up: BIN/CUE then */
    int also_iso_track;  /* position of a data track to write as ISO too,
                            or -1 */
} policy;

static policy choose_policy(const command_line *cl, dc_image *image)
{
    const dc_disc *disc = dc_image_disc(image);
    int audio = 0, first_data = -1;
    for (int i = 0; i < disc->track_count; i++) {
        if (disc->tracks[i].mode == DC_MODE_AUDIO)
            audio++;
        else if (first_data < 0)
            first_data = i;
    }
    policy p = {.layout = "data", .target = TARGET_BINCUE,
                .also_iso_track = -1};
    const char *contents = dc_image_contents(image);
    if (contents != NULL && strcmp(contents, "device") == 0) {
        p.layout = "device";
        p.target = TARGET_IMG;
        return p;
    }
    if (audio == disc->track_count)
        p.layout = "audio";
    else if (disc->session_count > 1)
        p.layout = "multi-session";
    else if (audio > 0)
        p.layout = "mixed-mode";
    else if (disc->track_count > 1)
        p.layout = "data tracks";
    if (cl->normalize.keep_bincue)
        p.target = TARGET_BINCUE;
    else if (audio == disc->track_count)
        p.target = TARGET_AUDIO;
    else if (disc->track_count == 1) {
        dc_track_mode mode = disc->tracks[0].mode;
        p.target = mode == DC_MODE_MODE2 || mode == DC_MODE_MODE2_FORM2
                       ? TARGET_BINCUE
                       : TARGET_ISO;
        p.iso_or_bincue = mode == DC_MODE_MODE2_MIXED;
    }
    if (cl->normalize.also_iso && p.target == TARGET_BINCUE && first_data >= 0)
        p.also_iso_track = first_data;
    return p;
}

static const char *target_text(target t)
{
    switch (t) {
    case TARGET_ISO: return "ISO";
    case TARGET_AUDIO: return "sound files and a cue sheet";
    case TARGET_BINCUE: return "BIN/CUE, one BIN per track";
    case TARGET_IMG: return "IMG (a disk, not a CD)";
    }
    return "?";
}

const char *nz_describe_policy(const command_line *cl, dc_image *image)
{
    static char text[128];
    policy p = choose_policy(cl, image);
    snprintf(text, sizeof text, "%s: %s%s%s", p.layout, target_text(p.target),
             p.iso_or_bincue ? " (BIN/CUE if it holds Form 2 sectors)" : "",
             p.also_iso_track >= 0 ? ", and its data track as ISO" : "");
    return text;
}

/* --- the job ------------------------------------------------------------ */

typedef struct job_state {
    const command_line *cl;
    const nz_job *job;
    const nz_sink *sink;
    dc_image *image;
    char *dir;           /* DEST/dir */
    const char *stem;
    char **outputs;      /* relative to DEST */
    int output_count;
    char **notes;
    int note_count;
    dc_read_report report;
    char *bad_ranges;    /* "1200-1209 (EDC), ..." */
    const char *target;  /* what was written, for the report */
    dc_disc_digest digest; /* the tracks' hashes, once converted */
    bool have_digest;
    dc_error err;
} job_state;

static bool on_progress(void *context, int64_t done, int64_t total)
{
    const nz_sink *sink = context;
    if (progress_interrupted())
        return false;
    if (sink != NULL && sink->progress != NULL)
        sink->progress(sink->context, done, total);
    return true;
}

static void add_string(char ***list, int *count, const char *s)
{
    char **more = realloc(*list, (size_t)(*count + 1) * sizeof *more);
    if (more == NULL)
        return;
    *list = more;
    if ((more[*count] = strdup(s)) != NULL)
        (*count)++;
}

static void keep_result(job_state *s, const dc_convert_result *r)
{
    size_t dest_len = strlen(s->job->dest);
    for (int i = 0; i < r->output_count; i++) {
        const char *out = r->outputs[i];
        if (strncmp(out, s->job->dest, dest_len) == 0 && out[dest_len] == '/')
            out += dest_len + 1;
        add_string(&s->outputs, &s->output_count, out);
    }
    for (int i = 0; i < r->note_count; i++)
        add_string(&s->notes, &s->note_count, r->notes[i]);
    s->report.bad_edc += r->report.bad_edc;
    s->report.mode_mismatch += r->report.mode_mismatch;
    s->report.form2_truncated += r->report.form2_truncated;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return;
    if (s->bad_ranges != NULL)
        fputs(s->bad_ranges, out);
    for (int i = 0; i < r->bad_range_count; i++) {
        const dc_bad_range *b = &r->bad_ranges[i];
        fprintf(out, "%s%lld", ftell(out) > 0 ? ", " : "",
                (long long)b->first_lba);
        if (b->count > 1)
            fprintf(out, "-%lld", (long long)(b->first_lba + b->count - 1));
        fprintf(out, " (%s)", b->kind == DC_BAD_EDC ? "EDC" : "mode");
    }
    fclose(out);
    free(s->bad_ranges);
    s->bad_ranges = text;
}

/* One conversion of the image to `output`; its outputs join the image's. */
static dc_status convert_to(job_state *s, const char *output,
                            const char *format_name, int track_number)
{
    /* The bins are what the report's track hashes hash. */
    static const char *const split[] = {"bincue.split=yes", NULL};
    dc_convert_options o = s->cl->convert;
    o.format_name = format_name;
    o.format_options = strcmp(format_name, "bincue") == 0 ? split : NULL;
    o.track_number = track_number;
    o.track_list = NULL;
    o.name_template = NULL;
    o.framing = DC_FRAMING_DEFAULT;
    o.force = true; /* our own outputs, which no record vouches for */
    o.read.verify = true;
    o.disc_name = s->stem;
    o.progress = on_progress;
    o.progress_context = (void *)s->sink;
    dc_convert_result r;
    dc_error_clear(&s->err);
    dc_status status = dc_convert(s->image, output, &o, &r, &s->err);
    if (status == DC_OK) {
        keep_result(s, &r);
        /* Recorded at once: a job killed from here on leaves outputs a
         * later run finds and removes. */
        write_state(s->cl, s->job, "pending", s->image, s->outputs,
                    s->output_count);
    }
    dc_convert_result_free(&r);
    return status;
}

static char *output_path(const job_state *s, const char *ext)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s%s", s->dir, s->stem, ext) < 0)
        return NULL;
    return path;
}

static dc_status write_target(job_state *s, target t, int track_number)
{
    static const char *const ext[] = {".iso", "/", ".cue", ".img"};
    static const char *const format[] = {"iso", "audio", "bincue", "img"};
    char *path = t == TARGET_AUDIO ? joined(s->dir, "/", "") : output_path(s, ext[t]);
    if (path == NULL)
        return dc_fail(&s->err, DC_ERR_NOMEM, "out of memory");
    dc_status status = convert_to(s, path, format[t], track_number);
    free(path);
    return status;
}

static dc_status convert_by_policy(job_state *s)
{
    policy p = choose_policy(s->cl, s->image);
    s->target = target_text(p.target);
    dc_status status = write_target(s, p.target, 0);
    if (status == DC_ERR_CANNOT_HOLD && p.iso_or_bincue) {
        char note[700];
        snprintf(note, sizeof note, "written as BIN/CUE, not ISO: %s",
                 s->err.message);
        add_string(&s->notes, &s->note_count, note);
        s->target = target_text(TARGET_BINCUE);
        status = write_target(s, TARGET_BINCUE, 0);
    }
    if (status == DC_OK && p.also_iso_track >= 0) {
        const dc_disc *disc = dc_image_disc(s->image);
        status = write_target(s, TARGET_ISO,
                              disc->tracks[p.also_iso_track].number);
        if (status == DC_OK)
            s->target = "BIN/CUE, one BIN per track, and the data track as "
                        "ISO";
        if (status == DC_ERR_CANNOT_HOLD) {
            char note[700];
            snprintf(note, sizeof note, "no ISO of the data track: %s",
                     s->err.message);
            add_string(&s->notes, &s->note_count, note);
            status = DC_OK;
        }
    }
    return status;
}

/* --- the fragment: one line of the report ------------------------------- */

static void json_list(FILE *out, const char *key, char *const *items,
                      int count)
{
    fprintf(out, ", \"%s\": [", key);
    for (int i = 0; i < count; i++) {
        fputs(i > 0 ? ", " : "", out);
        json_string(out, items[i]);
    }
    fputc(']', out);
}

/* Each track, and once converted its hashes as redump lays tracks out
 * (2352-byte sectors, the stored pregap at the start: the bytes of its
 * BIN in a split BIN/CUE). */
static void json_tracks(FILE *out, dc_image *image,
                        const dc_disc_digest *digest)
{
    const dc_disc *disc = dc_image_disc(image);
    fputs(", \"tracks\": [", out);
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        fprintf(out, "%s{\"number\": %d, \"session\": %d, \"mode\": \"%s\", "
                "\"sectors\": %lld",
                i > 0 ? ", " : "", t->number, t->session,
                dc_track_mode_name(t->mode), (long long)t->length);
        if (digest != NULL && i < digest->track_count) {
            const dc_track_digest *d = &digest->tracks[i];
            char md5[33], sha1[41];
            dc_digest_hex(d->md5, sizeof d->md5, md5);
            dc_digest_hex(d->sha1, sizeof d->sha1, sha1);
            fprintf(out, ", \"size\": %lld, \"crc32\": \"%08x\", "
                    "\"md5\": \"%s\", \"sha1\": \"%s\", "
                    "\"bad_sectors\": %lld",
                    (long long)d->sectors * DC_RAW_SECTOR, (unsigned)d->crc32,
                    md5, sha1, (long long)d->bad_sectors);
        }
        fputc('}', out);
    }
    fputc(']', out);
}

static bool write_fragment(const job_state *s, nz_outcome outcome,
                           double seconds)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (out == NULL)
        return false;
    fputs("{\"image\": ", out);
    json_string(out, s->job->name);
    fputs(", \"source\": ", out);
    json_string(out, s->job->path);
    if (s->image != NULL) {
        fputs(", \"files\": [", out);
        for (int i = 0; i < dc_image_file_count(s->image); i++) {
            fputs(i > 0 ? ", " : "", out);
            json_string(out, dc_image_file(s->image, i));
        }
        fputs("], \"format\": ", out);
        json_string(out, dc_image_format_name(s->image));
        fputs(", \"layout\": ", out);
        json_string(out, choose_policy(s->cl, s->image).layout);
    }
    fputs(", \"written_as\": ", out);
    if (s->target != NULL && outcome != NZ_FAILED)
        json_string(out, s->target);
    else
        fputs("null", out);
    json_list(out, "outputs", s->outputs, s->output_count);
    if (s->image != NULL)
        json_tracks(out, s->image, s->have_digest ? &s->digest : NULL);
    fprintf(out, ", \"sector_errors\": {\"edc\": %lld, \"mode\": %lld, "
            "\"lba\": ",
            (long long)s->report.bad_edc, (long long)s->report.mode_mismatch);
    json_string(out, s->bad_ranges != NULL ? s->bad_ranges : "");
    fputs("}, \"warnings\": [", out);
    for (int i = 0; s->image != NULL && i < dc_image_warning_count(s->image);
         i++) {
        fputs(i > 0 ? ", " : "", out);
        json_string(out, dc_image_warning(s->image, i));
    }
    fputc(']', out);
    json_list(out, "notes", s->notes, s->note_count);
    fprintf(out, ", \"result\": \"%s\"",
            outcome == NZ_FAILED        ? "failed"
            : outcome == NZ_BAD_SECTORS ? "converted, bad sectors"
                                        : "converted");
    fputs(", \"error\": ", out);
    if (outcome == NZ_FAILED) {
        const char *hint = cli_advice_hint(s->err.advice);
        fputs("{\"status\": ", out);
        json_string(out, dc_status_name(s->err.status));
        fputs(", \"message\": ", out);
        json_string(out, s->err.message);
        fputs(", \"advice\": ", out);
        if (hint != NULL)
            json_string(out, hint);
        else
            fputs("null", out);
        fputc('}', out);
    } else
        fputs("null", out);
    fprintf(out, ", \"seconds\": %.3f}\n", seconds);
    if (fclose(out) != 0)
        return false;
    char *path = nz_fragment_path(s->job->dest, s->job->name);
    bool ok = path != NULL && write_file_atomically(path, text, len);
    free(path);
    free(text);
    return ok;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void free_job_state(job_state *s)
{
    for (int i = 0; i < s->output_count; i++)
        free(s->outputs[i]);
    free(s->outputs);
    for (int i = 0; i < s->note_count; i++)
        free(s->notes[i]);
    free(s->notes);
    free(s->bad_ranges);
    free(s->dir);
    dc_disc_digest_free(&s->digest);
    dc_image_close(s->image);
}

/* Takes back the outputs of an image whose later step failed. */
static void remove_outputs(job_state *s)
{
    for (int i = 0; i < s->output_count; i++) {
        char *path = joined(s->job->dest, "/", s->outputs[i]);
        if (path != NULL)
            unlink(path);
        free(path);
        free(s->outputs[i]);
    }
    s->output_count = 0;
}

nz_outcome nz_run_job(const command_line *cl, const nz_job *job,
                      const nz_sink *sink, char *message, size_t size)
{
    if (nz_up_to_date(cl, job->dest, job->name) == NZ_FRESH) {
        snprintf(message, size, "up to date");
        return NZ_SKIPPED;
    }
    double started = now();
    job_state s = {.cl = cl, .job = job, .sink = sink};
    split_name(job->dest, job->name, &s.dir, &s.stem);
    if (s.dir == NULL) {
        snprintf(message, size, "out of memory");
        return NZ_FAILED;
    }
    remove_recorded(job->dest, job->name);
    char *fragment = nz_fragment_path(job->dest, job->name);
    if (fragment != NULL)
        unlink(fragment);
    free(fragment);

    dc_open_options open = {.password = cl->password,
                            .ignore_checksums = cl->no_verify};
    dc_status status = dc_image_open_with(&s.image, job->path, &open, &s.err);
    if (status == DC_OK && !write_state(cl, job, "pending", s.image, NULL,
                                        0))
        status = dc_fail(&s.err, DC_ERR_OUTPUT, "%s/%s: cannot record the "
                         "state: %s", job->dest, NZ_STATE_DIR,
                         strerror(errno));
    if (status == DC_OK)
        status = convert_by_policy(&s);
    if (status == DC_OK) {
        dc_digest_options digest = {.progress = on_progress,
                                    .progress_context = (void *)sink};
        status = dc_disc_digest_compute(s.image, &digest, &s.digest, &s.err);
        s.have_digest = status == DC_OK;
    }
    if (status == DC_ERR_INTERRUPTED) {
        remove_outputs(&s);
        nz_clean_after(job->dest, job->name);
        snprintf(message, size, "interrupted");
        free_job_state(&s);
        return NZ_INTERRUPTED;
    }
    nz_outcome outcome = NZ_CONVERTED;
    if (status != DC_OK) {
        remove_outputs(&s);
        outcome = NZ_FAILED;
    } else if (s.report.bad_edc + s.report.mode_mismatch > 0)
        outcome = NZ_BAD_SECTORS;
    /* The fragment first: the state says "done" only once the report's
     * line is there. */
    bool recorded =
        write_fragment(&s, outcome, now() - started) &&
        write_state(cl, job, outcome == NZ_FAILED ? "failed" : "converted",
                    s.image, s.outputs, s.output_count);
    if (!recorded) {
        if (outcome != NZ_FAILED) {
            remove_outputs(&s);
            dc_error_clear(&s.err);
            dc_fail(&s.err, DC_ERR_OUTPUT, "%s/%s: cannot record the "
                    "image's report or state", job->dest, NZ_STATE_DIR);
        }
        outcome = NZ_FAILED;
        nz_clean_after(job->dest, job->name);
    }
    if (outcome == NZ_FAILED) {
        const char *hint = cli_advice_hint(s.err.advice);
        snprintf(message, size, "%s%s%s%s", s.err.message,
                 hint != NULL ? " (" : "", hint != NULL ? hint : "",
                 hint != NULL ? ")" : "");
    } else if (outcome == NZ_BAD_SECTORS)
        snprintf(message, size, "%s: bad sectors: LBA %s; written as %s",
                 job->path, s.bad_ranges != NULL ? s.bad_ranges : "",
                 s.target);
    else
        snprintf(message, size, "%s", s.target);
    free_job_state(&s);
    return outcome;
}

/* --- merging fragments into the report ---------------------------------- */

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *read_small_file(const char *path)
{
    FILE *in = fopen(path, "re");
    if (in == NULL)
        return NULL;
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getline(&text, &cap, in);
    fclose(in);
    if (n <= 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Whether the image of a fragment ("ID.jsonl") is gone: a source its state
 * names by an absolute path (as a plan's lines do) no longer exists.  A
 * relative path depends on the folder the run was in: kept. */
static bool source_gone(const char *dest, const char *fragment_name)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s/state/%.*s", dest, NZ_STATE_DIR,
                 (int)(strlen(fragment_name) - strlen(".jsonl")),
                 fragment_name) < 0)
        return false;
    char status[16], policy_text[64];
    int count;
    state_line *lines = read_state_at(path, status, policy_text, &count);
    free(path);
    bool gone = false;
    struct stat st;
    for (int i = 0; i < count && !gone; i++)
        gone = strcmp(lines[i].kind, "source") == 0 &&
               lines[i].path[0] == '/' && lstat(lines[i].path, &st) != 0 &&
               errno == ENOENT;
    free_state(lines, count);
    return gone;
}

/* Lines sorted (by image name, which each line starts with), written as
 * the report by a temporary name and rename. */
int nz_merge(const char *dest, const char *const *names, int count,
             int *converted, int *failed, int *stale)
{
    char **lines = NULL;
    int line_count = 0;
    *converted = *failed = *stale = 0;
    char *dir = joined(dest, "/" NZ_STATE_DIR "/", "fragments");
    if (dir == NULL)
        return EXIT_INTERNAL;
    char **paths = NULL;
    int path_count = 0;
    if (names != NULL)
        for (int i = 0; i < count; i++) {
            char *p = nz_fragment_path(dest, names[i]);
            if (p != NULL)
                add_string(&paths, &path_count, p);
            free(p);
        }
    else {
        struct dirent **entries;
        int n = scandir(dir, &entries, NULL, alphasort);
        for (int i = 0; i < n; i++) {
            size_t len = strlen(entries[i]->d_name);
            if (len > 6 && strcmp(entries[i]->d_name + len - 6, ".jsonl") == 0 &&
                source_gone(dest, entries[i]->d_name))
                (*stale)++;
            else if (len > 6 &&
                     strcmp(entries[i]->d_name + len - 6, ".jsonl") == 0) {
                char *p = joined(dir, "/", entries[i]->d_name);
                if (p != NULL)
                    add_string(&paths, &path_count, p);
                free(p);
            }
            free(entries[i]);
        }
        if (n >= 0)
            free(entries);
    }
    for (int i = 0; i < path_count; i++) {
        char *line = read_small_file(paths[i]);
        if (line == NULL)
            continue;
        if (strstr(line, "\"result\": \"failed\"") != NULL)
            (*failed)++;
        else
            (*converted)++;
        char **more = realloc(lines, (size_t)(line_count + 1) * sizeof *more);
        if (more == NULL) {
            free(line);
            continue;
        }
        lines = more;
        lines[line_count++] = line;
    }
    qsort(lines, (size_t)line_count, sizeof *lines, compare_strings);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (int i = 0; out != NULL && i < line_count; i++)
        fputs(lines[i], out);
    bool ok = out != NULL && fclose(out) == 0;
    char *report = joined(dest, "/", NZ_REPORT);
    ok = ok && report != NULL && write_file_atomically(report, text, len);
    if (!ok)
        fprintf(stderr, "%s: %s: cannot write the report: %s\n", CLI_PROGRAM,
                report != NULL ? report : dest, strerror(errno));
    for (int i = 0; i < line_count; i++)
        free(lines[i]);
    for (int i = 0; i < path_count; i++)
        free(paths[i]);
    free(paths);
    free(lines);
    free(text);
    free(report);
    free(dir);
    return ok ? EXIT_OK : EXIT_OUTPUT;
}
