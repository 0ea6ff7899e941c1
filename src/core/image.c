/*
 * Opening images and serving their sectors in the form a writer asks for.
 * Formats hand over sectors as stored; everything about framing (keeping,
 * stripping, regenerating, checking) happens here, once, for all formats.
 */
#include "format.h"
#include "labels.h"
#include "model.h"
#include "sector.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Subheaders for sectors whose image stored only user data: the XA
 * "data" submode, Form 1 or Form 2. */
static const uint8_t form1_subheader[4] = {0, 0, 0x08, 0};
static const uint8_t form2_subheader[4] = {0, 0, 0x08 | DC_XA_SUBMODE_FORM2, 0};

dc_image *dc_image_new(const char *path, const dc_format *format,
                       dc_error *err)
{
    dc_image *img = calloc(1, sizeof *img);
    if (img != NULL) {
        img->path = dc_strdup(path);
        img->priv = calloc(1, format->priv_size > 0 ? format->priv_size : 1);
    }
    if (img == NULL || img->path == NULL || img->priv == NULL) {
        if (img != NULL) {
            free(img->path);
            free(img->priv);
        }
        free(img);
        dc_fail(err, DC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    img->format = format;
    img->partition_chosen = -1;
    return img;
}

/* Keeps a source with the image, and its file from being overwritten. */
static dc_status adopt_source(dc_image *image, dc_source *source,
                              dc_error *err)
{
    dc_source **sources = realloc(image->sources,
                                  (size_t)(image->source_count + 1) *
                                      sizeof *sources);
    if (sources == NULL) {
        dc_source_close(source);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    image->sources = sources;
    sources[image->source_count++] = source;
    dc_file_id id;
    if (!dc_source_file_id(source, &id))
        return DC_OK;
    dc_file_id *inputs = realloc(image->inputs,
                                 (size_t)(image->input_count + 1) *
                                     sizeof *inputs);
    if (inputs == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    image->inputs = inputs;
    inputs[image->input_count++] = id;
    return DC_OK;
}

dc_status dc_image_use_source(dc_image *image, dc_source *source,
                              dc_error *err)
{
    image->source = source;
    return adopt_source(image, source, err);
}

/* --- files a container stores for its descriptor ------------------------ */

/* The last part of a name written with "/" or "\\" separators. */
static const char *base_name(const char *name)
{
    const char *base = name;
    for (const char *c = name; *c != '\0'; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    return base;
}

static bool answers_to(const dc_stored_file *file, const char *name)
{
    const char *base = base_name(name);
    if (file->name == NULL)
        return false;
    if (strncmp(file->name, "*.", 2) == 0)
        return strcasecmp(dc_path_extension(base), file->name + 2) == 0;
    return strcasecmp(base_name(file->name), base) == 0;
}

static char *find_stored(dc_image *image, const char *dir, const char *name)
{
    char *path = dc_path_join(dir, name);
    if (path == NULL)
        return NULL;
    dc_stored_file *found = NULL;
    for (int i = 0; i < image->stored_count && found == NULL; i++)
        if (image->stored[i].source == NULL)
            continue;
        else if (answers_to(&image->stored[i], name) ||
            (image->stored[i].path != NULL &&
             strcmp(image->stored[i].path, path) == 0))
            found = &image->stored[i];
    for (int i = 0; i < image->stored_count && found == NULL; i++)
        if (image->stored[i].name == NULL && image->stored[i].path == NULL &&
            image->stored[i].source != NULL)
            found = &image->stored[i];
    if (found == NULL) {
        free(path);
        return NULL;
    }
    if (found->path == NULL)
        found->path = dc_strdup(path);
    return path;
}

char *dc_image_find_file(dc_image *image, const char *dir, const char *name)
{
    return image->stored_count > 0 ? find_stored(image, dir, name)
                                   : dc_path_find(dir, name);
}

/* The stored file found as `path`: never one on disk. */
static dc_status open_stored_file(dc_image *image, const char *path,
                                  dc_source **source, dc_error *err)
{
    for (int i = 0; i < image->stored_count; i++) {
        const dc_stored_file *file = &image->stored[i];
        if (file->path != NULL && strcmp(file->path, path) == 0) {
            if (dc_source_window(source, file->source, 0,
                                 dc_source_size(file->source), path,
                                 err) != DC_OK)
                return err->status;
            return adopt_source(image, *source, err);
        }
    }
    return dc_fail(err, DC_ERR_INPUT_IO, "%s: %s holds no file %s",
                   path, image->path, base_name(path));
}

dc_status dc_image_open_stored(dc_image *image, dc_source *descriptor,
                               const dc_stored_file *files, int count,
                               dc_error *err)
{
    image->stored = calloc((size_t)count + 1, sizeof *image->stored);
    if (image->stored == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < count; i++)
        image->stored[i] = (dc_stored_file){.name = files[i].name,
                                            .source = files[i].source};
    /* Counted even without files: nothing on disk may stand in. */
    image->stored_count = count > 0 ? count : 1;
    if (dc_image_use_source(image, descriptor, err) != DC_OK)
        return err->status;
    const dc_format *inner;
    if (dc_format_detect_stored(descriptor, &inner, err) != DC_OK)
        return err->status;
    void *priv = calloc(1, inner->priv_size > 0 ? inner->priv_size : 1);
    if (priv == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(image->priv);
    image->priv = priv;
    return inner->open(image, err);
}

dc_status dc_image_set_facts(dc_image *image, const char *const *facts,
                             int count, dc_error *err)
{
    const char **copy = malloc((size_t)count * 2 * sizeof *copy + 1);
    if (copy == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    memcpy(copy, facts, (size_t)count * 2 * sizeof *copy);
    free(image->facts);
    image->facts = copy;
    image->fact_count = count;
    return DC_OK;
}

int dc_image_fact_count(const dc_image *image)
{
    return image->fact_count;
}

const char *dc_image_fact(const dc_image *image, int i, const char **value)
{
    if (i < 0 || i >= image->fact_count)
        return NULL;
    if (value != NULL)
        *value = image->facts[2 * i + 1];
    return image->facts[2 * i];
}

dc_status dc_image_open_file(dc_image *image, const char *path,
                             dc_source **source, dc_error *err)
{
    if (image->stored_count > 0)
        return open_stored_file(image, path, source, err);
    if (dc_source_open_file(source, path, err) != DC_OK)
        return err->status;
    return adopt_source(image, *source, err);
}

/* A truncated image keeps the tracks its files hold: the sessions of the
 * tracks cut off are gone with them. */
static void forget_lost_sessions(dc_disc *disc)
{
    if (disc->track_count > 0 &&
        disc->tracks[disc->track_count - 1].session < disc->session_count)
        disc->session_count = disc->tracks[disc->track_count - 1].session;
}

/*
 * Which format reads the file, and what it reads: a descriptor format
 * reads the file itself; any other file is read through a descriptor
 * beside it that describes it (the sidecar rule), or as its content says.
 */
static dc_status choose_format(const char *path, dc_source *file,
                               const char *format_name,
                               const dc_format **format, char **descriptor,
                               dc_error *err)
{
    *descriptor = NULL;
    if (format_name != NULL) {
        *format = dc_format_find(format_name);
        if (*format == NULL || (*format)->open == NULL) {
            char names[256];
            dc_format_list_names(false, names, sizeof names);
            return dc_fail(err, DC_ERR_USAGE, "'%s' is not a format discconv "
                           "reads; it reads %s", format_name, names);
        }
        return DC_OK;
    }
    dc_error detected = {0};
    if (dc_format_detect(file, format, &detected) == DC_OK &&
        (*format)->describes != NULL)
        return DC_OK;
    if (dc_format_sidecar(path, dc_source_size(file), format, descriptor,
                          err) != DC_OK || *descriptor != NULL)
        return err->status;
    if (detected.status != DC_OK)
        return dc_fail_advise(err, detected.status, detected.advice, "%s",
                              detected.message);
    return DC_OK;
}

/* A partition asked of an image whose format left none to choose. */
static dc_status check_partition_asked(const dc_image *image,
                                       const dc_open_options *options,
                                       dc_error *err)
{
    if (options->partition == NULL || image->plain != NULL)
        return DC_OK;
    return dc_fail(err, DC_ERR_USAGE, "%s: a %s image has no partitions to "
                   "choose from (a container such as a DMG has)",
                   image->path, image->format->info.name);
}

dc_status dc_image_open(dc_image **image, const char *path,
                        const char *format_name, dc_error *err)
{
    dc_open_options options = {.format_name = format_name};
    return dc_image_open_with(image, path, &options, err);
}

dc_status dc_image_open_with(dc_image **image, const char *path,
                             const dc_open_options *options, dc_error *err)
{
    static const dc_open_options defaults = {0};
    if (options == NULL)
        options = &defaults;
    *image = NULL;
    dc_source *file;
    if (dc_source_open_file(&file, path, err) != DC_OK)
        return err->status;
    const dc_format *format;
    char *descriptor;
    if (choose_format(path, file, options->format_name, &format, &descriptor,
                      err) != DC_OK) {
        dc_source_close(file);
        return err->status;
    }
    dc_image *img = dc_image_new(path, format, err);
    if (img == NULL) {
        dc_source_close(file);
        free(descriptor);
        return err->status;
    }
    img->open_options = *options;
    dc_status status = adopt_source(img, file, err);
    img->source = file;
    if (status == DC_OK && descriptor != NULL)
        status = dc_image_open_file(img, descriptor, &img->source, err);
    free(descriptor);
    if (status == DC_OK)
        status = format->open(img, err);
    if (status == DC_OK)
        status = check_partition_asked(img, options, err);
    /* The caller's strings are theirs once the image is open. */
    img->open_options = (dc_open_options){
        .ignore_checksums = options->ignore_checksums};
    if (status == DC_OK)
        forget_lost_sessions(&img->disc);
    if (status != DC_OK ||
        dc_disc_validate(&img->disc, path, err) != DC_OK ||
        dc_image_check_claims(img, err) != DC_OK ||
        dc_labels_survey(img, err) != DC_OK) {
        dc_image_close(img);
        return err->status;
    }
    *image = img;
    return DC_OK;
}

void dc_image_close(dc_image *image)
{
    if (image == NULL)
        return;
    if (image->ops != NULL && image->ops->close != NULL)
        image->ops->close(image);
    /* The last opened first: a source may read from one opened before. */
    for (int i = image->source_count - 1; i >= 0; i--)
        dc_source_close(image->sources[i]);
    free(image->sources);
    free(image->priv);
    dc_disc_free(&image->disc);
    for (int i = 0; i < image->warning_count; i++)
        free(image->warnings[i]);
    free(image->warnings);
    free(image->truncation);
    free(image->partial);
    free(image->inputs);
    free(image->labels);
    for (int i = 0; i < image->partition_count; i++) {
        free((char *)image->partitions[i].name);
        free((char *)image->partitions[i].type);
        free((char *)image->partitions[i].codecs);
    }
    free(image->partitions);
    for (int i = 0; i < image->stored_count; i++)
        free(image->stored[i].path);
    free(image->stored);
    free(image->facts);
    free(image->scratch);
    free(image->path);
    free(image);
}

const dc_disc *dc_image_disc(const dc_image *image) { return &image->disc; }
const char *dc_image_path(const dc_image *image) { return image->path; }

/* The file sources, each file once (a file opened twice counts once). */
static const dc_source *nth_file(const dc_image *image, int n)
{
    int seen = 0;
    for (int i = 0; i < image->source_count; i++) {
        const dc_source *source = image->sources[i];
        dc_file_id id, other;
        if (!dc_source_is_file(source) || !dc_source_file_id(source, &id))
            continue;
        bool repeated = false;
        for (int k = 0; k < i && !repeated; k++)
            repeated = dc_source_is_file(image->sources[k]) &&
                       dc_source_file_id(image->sources[k], &other) &&
                       other.dev == id.dev && other.ino == id.ino;
        if (!repeated && seen++ == n)
            return source;
    }
    return NULL;
}

int dc_image_file_count(const dc_image *image)
{
    int count = 0;
    while (nth_file(image, count) != NULL)
        count++;
    return count;
}

const char *dc_image_file(const dc_image *image, int i)
{
    const dc_source *source = i >= 0 ? nth_file(image, i) : NULL;
    return source != NULL ? dc_source_name(source) : NULL;
}

const char *dc_image_format_name(const dc_image *image)
{
    return image->format->info.name;
}

int dc_image_warning_count(const dc_image *image)
{
    return image->warning_count;
}

const char *dc_image_warning(const dc_image *image, int i)
{
    return i >= 0 && i < image->warning_count ? image->warnings[i] : NULL;
}

void dc_image_warn(dc_image *image, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    dc_string_list_add(&image->warnings, &image->warning_count, fmt, args);
    va_end(args);
}

/* A message made one line, as an error's is, whatever names it holds;
 * NULL when memory is short (lost, as warnings are). */
static char *one_line(const char *fmt, va_list args)
    __attribute__((format(printf, 1, 0)));

static char *one_line(const char *fmt, va_list args)
{
    dc_error line = {0};
    char text[sizeof line.message];
    vsnprintf(text, sizeof text, fmt, args);
    dc_fail(&line, DC_ERR_FORMAT, "%s", text);
    return dc_strdup(line.message);
}

void dc_image_short(dc_image *image, int64_t missing, const char *fmt, ...)
{
    image->missing_sectors += missing;
    if (image->truncation != NULL)
        return;
    va_list args;
    va_start(args, fmt);
    image->truncation = one_line(fmt, args);
    va_end(args);
}

void dc_image_partial(dc_image *image, int track_index, int64_t bytes,
                      bool kept, const char *fmt, ...)
{
    if (image->partial != NULL)
        return;
    va_list args;
    va_start(args, fmt);
    image->partial = one_line(fmt, args);
    va_end(args);
    if (image->partial == NULL) /* no memory to weigh it: a short sector */
        image->missing_sectors++;
    image->partial_track = track_index;
    image->partial_bytes = bytes;
    image->partial_kept = kept;
}

const char *dc_image_truncation(const dc_image *image,
                                int64_t *missing_sectors)
{
    if (missing_sectors != NULL)
        *missing_sectors = image->missing_sectors;
    return image->missing_sectors > 0 && image->truncation == NULL
               ? image->path /* its message was lost to a lack of memory */
               : image->truncation;
}

/* --- sector conversion -------------------------------------------------- */

size_t dc_sector_form_size(const dc_track *track, dc_sector_form form)
{
    switch (form) {
    case DC_FORM_RAW: return DC_RAW_SECTOR;
    case DC_FORM_USER: return dc_track_user_size(track);
    case DC_FORM_MODE2_2336: return DC_USER_MODE2;
    case DC_FORM_STORED: return track->stored_size;
    }
    return DC_RAW_SECTOR;
}

static bool is_mode2(dc_track_mode mode)
{
    return mode == DC_MODE_MODE2 || mode == DC_MODE_MODE2_FORM1 ||
           mode == DC_MODE_MODE2_FORM2 || mode == DC_MODE_MODE2_MIXED;
}

/* True when the stored bytes already are the requested form. */
static bool stored_is_form(const dc_track *track, dc_sector_form form)
{
    switch (form) {
    case DC_FORM_STORED: return true;
    case DC_FORM_RAW: /* raw data sectors are checked, never passed on */
        return track->mode == DC_MODE_AUDIO &&
               track->stored_size == DC_RAW_SECTOR;
    case DC_FORM_USER: return track->stored_size == dc_track_user_size(track);
    case DC_FORM_MODE2_2336: return track->stored_size == DC_USER_MODE2;
    }
    return false;
}

/* One run of sectors to convert. */
typedef struct convert_job {
    const dc_track *track;
    dc_sector_form form;
    const dc_read_options *options;
    const uint8_t *stored;   /* count sectors of stored_size */
    uint8_t *out;            /* count sectors of form_size */
    int64_t first_lba;
    int64_t count;
    dc_read_report report;
    dc_bad_list *bad;        /* NULL: bad sectors are only counted */
    dc_error bad_err;        /* listing them ran out of memory */
    bool form2_refused;      /* a Form 2 sector met a 2048-byte USER read */
    int64_t form2_lba;
} convert_job;

static int64_t bad_count(const dc_read_report *report)
{
    return report->bad_edc + report->mode_mismatch;
}

/* Call before counting the sector in. */
static void note_bad(dc_read_report *report, int64_t lba)
{
    if (bad_count(report) == 0 || lba < report->first_bad_lba)
        report->first_bad_lba = lba;
}

/* Counts a bad sector in the job's report and lists it. */
static void count_bad(convert_job *job, int64_t lba, dc_bad_kind kind)
{
    note_bad(&job->report, lba);
    if (kind == DC_BAD_EDC)
        job->report.bad_edc++;
    else
        job->report.mode_mismatch++;
    if (job->bad != NULL)
        dc_bad_list_add(job->bad, lba, kind, &job->bad_err);
}

/* Makes a full raw sector from whatever the image stored. */
static void synthesise_raw(const dc_track *track, const uint8_t *stored,
                           int64_t lba, uint8_t *raw)
{
    switch (track->stored_size) {
    case DC_USER_MODE2:
        dc_sector_encode_from_2336(raw, lba, stored);
        break;
    case DC_USER_FORM2:
        dc_sector_encode_form2(raw, lba, form2_subheader, stored);
        break;
    default: /* 2048 */
        if (track->mode == DC_MODE_MODE1)
            dc_sector_encode_mode1(raw, lba, stored);
        else
            dc_sector_encode_form1(raw, lba, form1_subheader, stored);
        break;
    }
}

static bool kind_fits_track(dc_sector_kind kind, dc_track_mode mode)
{
    switch (kind) {
    case DC_SECTOR_MODE0: return true; /* empty gap sectors are fine */
    case DC_SECTOR_MODE1: return mode == DC_MODE_MODE1;
    case DC_SECTOR_MODE2: return mode == DC_MODE_MODE2;
    case DC_SECTOR_MODE2_FORM1:
        return mode == DC_MODE_MODE2_FORM1 || mode == DC_MODE_MODE2_MIXED ||
               mode == DC_MODE_MODE2;
    case DC_SECTOR_MODE2_FORM2:
        return mode == DC_MODE_MODE2_FORM2 || mode == DC_MODE_MODE2_MIXED ||
               mode == DC_MODE_MODE2;
    case DC_SECTOR_NO_SYNC:
    case DC_SECTOR_BAD_MODE: return false;
    }
    return false;
}

bool dc_sector_fits_track(const uint8_t *raw, dc_track_mode mode)
{
    return kind_fits_track(dc_sector_classify(raw), mode);
}

/* User data of one raw sector, stripped by the sector's own mode byte. */
static void strip_to_user(convert_job *job, const uint8_t *raw, int64_t lba,
                          uint8_t *out)
{
    size_t want = dc_track_user_size(job->track);
    dc_sector_kind kind = dc_sector_classify(raw);
    if (!kind_fits_track(kind, job->track->mode))
        count_bad(job, lba, DC_BAD_MODE);
    size_t offset, size;
    dc_sector_user_span(kind, &offset, &size);
    if (kind == DC_SECTOR_MODE0) {
        memset(out, 0, want);
        return;
    }
    if (size > want) {
        if (kind == DC_SECTOR_MODE2_FORM2 && want == DC_USER_FORM1) {
            if (!job->options->allow_form2_truncation) {
                if (!job->form2_refused) {
                    job->form2_refused = true;
                    job->form2_lba = lba;
                }
                return;
            }
            job->report.form2_truncated++;
        }
        size = want;
    }
    memcpy(out, raw + offset, size);
    if (size < want)
        memset(out + size, 0, want - size);
}

void dc_swap_sample_bytes(uint8_t *sector)
{
    for (size_t i = 0; i < DC_RAW_SECTOR; i += 2) {
        uint8_t low = sector[i];
        sector[i] = sector[i + 1];
        sector[i + 1] = low;
    }
}

static void convert_run(convert_job *job)
{
    const dc_track *track = job->track;
    size_t in_size = track->stored_size;
    size_t out_size = dc_sector_form_size(track, job->form);
    bool stored_raw = in_size >= DC_RAW_SECTOR;
    /* Raw and 2336-byte storage keep the disc's own EDC/ECC: those can be
     * checked; framing made here from user data cannot be wrong. */
    bool checkable = job->options->verify && in_size >= DC_USER_MODE2;
    uint8_t synthesised[DC_RAW_SECTOR];

    for (int64_t i = 0; i < job->count; i++) {
        const uint8_t *in = job->stored + (size_t)i * in_size;
        uint8_t *out = job->out + (size_t)i * out_size;
        int64_t lba = job->first_lba + i;
        if (track->mode == DC_MODE_AUDIO) {
            memcpy(out, in, DC_RAW_SECTOR); /* drops 2448's subchannel */
            if (job->options->swap_audio)
                dc_swap_sample_bytes(out);
            continue;
        }
        const uint8_t *raw = in;
        if (!stored_raw) {
            uint8_t *made = job->form == DC_FORM_RAW ? out : synthesised;
            synthesise_raw(track, in, lba, made);
            raw = made;
        }
        if (checkable && dc_sector_verify(raw) != DC_CHECK_OK)
            count_bad(job, lba, DC_BAD_EDC);
        switch (job->form) {
        case DC_FORM_RAW:
            if (raw != out)
                memcpy(out, raw, DC_RAW_SECTOR);
            break;
        case DC_FORM_MODE2_2336:
            memcpy(out, raw + DC_SYNC_SIZE + DC_HEADER_SIZE, DC_USER_MODE2);
            break;
        case DC_FORM_USER:
            strip_to_user(job, raw, lba, out);
            break;
        case DC_FORM_STORED: /* served straight by dc_image_read */
            break;
        }
    }
}

void dc_read_report_merge(dc_read_report *into, const dc_read_report *from)
{
    if (bad_count(from) > 0)
        note_bad(into, from->first_bad_lba);
    into->bad_edc += from->bad_edc;
    into->mode_mismatch += from->mode_mismatch;
    into->form2_truncated += from->form2_truncated;
}

dc_status dc_image_check_read(const dc_image *image, int track_index,
                              int64_t first, int64_t count,
                              dc_sector_form form, dc_error *err)
{
    if (track_index < 0 || track_index >= image->disc.track_count)
        return dc_fail(err, DC_ERR_USAGE, "no track at position %d",
                       track_index);
    const dc_track *track = &image->disc.tracks[track_index];
    if (first < 0 || count < 0 || first > track->length - count)
        return dc_fail(err, DC_ERR_USAGE, "sectors %lld+%lld lie outside "
                       "track %d", (long long)first, (long long)count,
                       track->number);
    if (form == DC_FORM_MODE2_2336 && !is_mode2(track->mode))
        return dc_fail(err, DC_ERR_USAGE, "track %d is not a Mode 2 track",
                       track->number);
    return DC_OK;
}

/* True when reading in `form` hands over the stored bytes unchanged. */
static bool read_is_copy(const dc_image *image, int track_index,
                         dc_sector_form form, const dc_read_options *options)
{
    const dc_track *track = &image->disc.tracks[track_index];
    bool verify_stored = options->verify && track->mode != DC_MODE_AUDIO &&
                         track->stored_size >= DC_USER_MODE2;
    bool swap = options->swap_audio && track->mode == DC_MODE_AUDIO;
    return form == DC_FORM_STORED ||
           (stored_is_form(track, form) && !verify_stored && !swap);
}

dc_status dc_image_convert(const dc_image *image, int track_index,
                           int64_t first, int64_t count, dc_sector_form form,
                           const dc_read_options *options,
                           const uint8_t *stored, uint8_t *out,
                           const uint8_t **result, dc_read_report *report,
                           dc_bad_list *bad, dc_error *err)
{
    const dc_track *track = &image->disc.tracks[track_index];
    *result = stored;
    if (read_is_copy(image, track_index, form, options))
        return DC_OK;
    convert_job job = {
        .track = track, .form = form, .options = options,
        .stored = stored, .out = out,
        .first_lba = track->start_lba + first, .count = count, .bad = bad,
    };
    convert_run(&job);
    if (job.bad_err.status != DC_OK)
        return dc_fail(err, job.bad_err.status, "%s", job.bad_err.message);
    if (job.form2_refused)
        return dc_fail_advise(err, DC_ERR_CANNOT_HOLD,
                              DC_ADVICE_ALLOW_FORM2_TRUNCATION, "%s: track "
                              "%d, sector at LBA %lld is Mode 2 Form 2 (2324 "
                              "user bytes); a 2048-byte target would cut it: "
                              "write BIN/CUE, or allow Form 2 truncation",
                              image->path, track->number,
                              (long long)job.form2_lba);
    if (report != NULL)
        dc_read_report_merge(report, &job.report);
    *result = out;
    return DC_OK;
}

static dc_status ensure_scratch(dc_image *image, size_t size, dc_error *err)
{
    if (image->scratch_size >= size)
        return DC_OK;
    uint8_t *grown = realloc(image->scratch, size);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    image->scratch = grown;
    image->scratch_size = size;
    return DC_OK;
}

dc_status dc_image_read(dc_image *image, int track_index, int64_t first,
                        int64_t count, dc_sector_form form,
                        const dc_read_options *options, void *buffer,
                        dc_read_report *report, dc_error *err)
{
    return dc_image_read_noting(image, track_index, first, count, form,
                                options, buffer, report, NULL, err);
}

dc_status dc_image_read_noting(dc_image *image, int track_index,
                               int64_t first, int64_t count,
                               dc_sector_form form,
                               const dc_read_options *options, void *buffer,
                               dc_read_report *report, dc_bad_list *bad,
                               dc_error *err)
{
    static const dc_read_options defaults = {0};
    if (options == NULL)
        options = &defaults;
    if (dc_image_check_read(image, track_index, first, count, form, err) != DC_OK)
        return err->status;
    if (count == 0)
        return DC_OK;
    if (read_is_copy(image, track_index, form, options))
        return image->ops->read_stored(image, track_index, first, count,
                                       buffer, err);

    const dc_track *track = &image->disc.tracks[track_index];
    const uint8_t *converted;
    if (ensure_scratch(image, (size_t)count * track->stored_size, err) !=
            DC_OK ||
        image->ops->read_stored(image, track_index, first, count,
                                image->scratch, err) != DC_OK)
        return err->status;
    return dc_image_convert(image, track_index, first, count, form, options,
                            image->scratch, buffer, &converted, report, bad,
                            err);
}
