/* The format table and content-based detection. */
#include "format.h"
#include "foreign.h"
#include "sector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every format, in the order ties are broken: more specific first. */
static const dc_format *const formats[] = {
    &dc_format_bincue,
    &dc_format_toc,
    &dc_format_nrg,
    &dc_format_ccd,
    &dc_format_audio,
    &dc_format_dmg,
    &dc_format_uif,
    &dc_format_iso,
    &dc_format_img,
};
#define FORMAT_COUNT ((int)(sizeof formats / sizeof formats[0]))

int dc_format_count(void) { return FORMAT_COUNT; }

const dc_format_info *dc_format_get(int i)
{
    return i >= 0 && i < FORMAT_COUNT ? &formats[i]->info : NULL;
}

static bool list_has(const char *list, const char *item)
{
    size_t len = strlen(item);
    for (const char *p = list; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == len && strncasecmp(p, item, n) == 0)
            return true;
        p += n + (comma != NULL);
    }
    return false;
}

/* By name first, so that no extension can hide a format's name. */
const dc_format *dc_format_find(const char *name)
{
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (strcasecmp(formats[i]->info.name, name) == 0)
            return formats[i];
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (list_has(formats[i]->info.extensions, name))
            return formats[i];
    return NULL;
}

void dc_format_list_names(bool writable, char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < FORMAT_COUNT && used < size; i++) {
        const dc_format_info *f = &formats[i]->info;
        if (writable ? f->can_write : f->can_read) {
            int n = snprintf(text + used, size - used, "%s%s",
                             used > 0 ? ", " : "", f->name);
            used += n > 0 ? (size_t)n : 0;
        }
    }
}

const dc_format *dc_format_for_extension(const char *path)
{
    const char *ext = dc_path_extension(path);
    if (ext[0] == '\0')
        return NULL;
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (formats[i]->write != NULL && !formats[i]->info.writes_folder &&
            list_has(formats[i]->info.extensions, ext))
            return formats[i];
    return NULL;
}

/* Reads what probes see: the head and the tail of the source. */
static dc_status read_probe(dc_source *source, dc_probe_input *probe,
                            uint8_t *head, uint8_t *tail, dc_error *err)
{
    int64_t size = dc_source_size(source);
    int64_t tail_at = size > DC_PROBE_TAIL ? size - DC_PROBE_TAIL : 0;
    *probe = (dc_probe_input){.path = dc_source_name(source),
                              .file_size = size,
                              .head = head,
                              .tail = tail};
    if (dc_source_read_some(source, 0, head, DC_PROBE_HEAD, &probe->head_size,
                            err) != DC_OK ||
        dc_source_read_some(source, tail_at, tail, DC_PROBE_TAIL,
                            &probe->tail_size, err) != DC_OK)
        return err->status;
    return DC_OK;
}

static int best_format(const dc_probe_input *probe, const dc_format **format)
{
    int best_score = DC_PROBE_NO;
    *format = NULL;
    for (int i = 0; i < FORMAT_COUNT; i++) {
        if (formats[i]->probe == NULL || formats[i]->open == NULL)
            continue;
        int score = formats[i]->probe(probe);
        if (score > best_score) {
            best_score = score;
            *format = formats[i];
        }
    }
    return best_score;
}

/*
 * Names that claim a raw image: a headerless file whose bytes show no
 * evidence of a layout (no file system, no sync pattern) is read as raw
 * sectors only under one of these, the one list of them.
 */
static const char raw_image_extensions[] = "iso,img,bin,raw";

/* The format, other than a raw image, that the file's extension names. */
static const dc_format *format_named_by(const char *path)
{
    const char *ext = dc_path_extension(path);
    if (ext[0] == '\0' || list_has(raw_image_extensions, ext))
        return NULL;
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (formats[i]->open != NULL &&
            list_has(formats[i]->info.extensions, ext))
            return formats[i];
    return NULL;
}

/*
 * The order of belief: a signature of ours; a signature of a format we do
 * not read (or plain sectors that are an Alcohol 120% data file);
 * structure that fits one of ours; the format the name claims (whose
 * reader then says what is wrong with the bytes); and a bare guess from
 * the size only when the name claims a raw image.
 */
static dc_status decide(const dc_probe_input *probe, const dc_format **format,
                        dc_error *err)
{
    if (probe->file_size == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: file is empty", probe->path);
    int score = best_format(probe, format);
    if (score == DC_PROBE_CERTAIN)
        return DC_OK;
    if (dc_foreign_check(probe, err) != DC_OK)
        return err->status;
    /* Plain sectors may belong to a descriptor we do not read; a file
     * read as a descriptor of ours cannot. */
    bool descriptor = score >= DC_PROBE_LIKELY && (*format)->describes != NULL;
    if (!descriptor && dc_foreign_check_payload(probe, err) != DC_OK)
        return err->status;
    if (score >= DC_PROBE_LIKELY)
        return DC_OK;
    const dc_format *named = format_named_by(probe->path);
    if (named != NULL) {
        *format = named;
        return DC_OK;
    }
    if (score == DC_PROBE_WEAK &&
        list_has(raw_image_extensions, dc_path_extension(probe->path)))
        return DC_OK;
    if (score == DC_PROBE_WEAK)
        return dc_fail_advise(err, DC_ERR_UNSUPPORTED,
                              DC_ADVICE_NAME_INPUT_FORMAT,
                              "%s: no disc image format recognised: no file "
                              "system, sync pattern or signature in its "
                              "bytes, and the name does not claim raw "
                              "sectors (.iso, .img, .bin, .raw)",
                              probe->path);
    return dc_fail(err, DC_ERR_UNSUPPORTED,
                   "%s: not a disc image format discconv knows",
                   probe->path);
}

dc_status dc_format_detect(dc_source *source, const dc_format **format,
                           dc_error *err)
{
    uint8_t *head = malloc(DC_PROBE_HEAD);
    uint8_t *tail = malloc(DC_PROBE_TAIL);
    dc_probe_input probe;
    dc_status status = DC_OK;
    if (head == NULL || tail == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (read_probe(source, &probe, head, tail, err) != DC_OK)
        status = err->status;
    else
        status = decide(&probe, format, err);
    free(head);
    free(tail);
    return status;
}

/* Only these read a container's plain image: a descriptor names files,
 * and a container inside a container is not a thing DMGs hold. */
dc_status dc_format_detect_contents(dc_source *source,
                                    const dc_format **format, dc_error *err)
{
    *format = NULL;
    uint8_t *head = malloc(DC_PROBE_HEAD);
    uint8_t *tail = malloc(DC_PROBE_TAIL);
    dc_probe_input probe;
    if (head == NULL || tail == NULL)
        dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (read_probe(source, &probe, head, tail, err) == DC_OK) {
        /* Raw CD sectors start with a sync pattern; the IMG reader's other
         * guesses (audio by size, Apple file systems) are what a disk's
         * bytes are read as anyway: a raw device. */
        bool synced = probe.head_size >= DC_SYNC_SIZE &&
                      memcmp(head, dc_sync_pattern, DC_SYNC_SIZE) == 0;
        if (dc_format_iso.probe(&probe) == DC_PROBE_CERTAIN)
            *format = &dc_format_iso;
        else if (synced && dc_format_img.probe(&probe) >= DC_PROBE_LIKELY)
            *format = &dc_format_img;
    }
    free(head);
    free(tail);
    return err->status;
}

/* Whether the file at `candidate`, read as `format` wants, describes the
 * payload. */
static bool candidate_describes(const char *candidate, const dc_format *format,
                                const char *path, int64_t size)
{
    dc_error ignored = {0};
    dc_source *source;
    if (dc_source_open_file(&source, candidate, &ignored) != DC_OK)
        return false;
    uint8_t *head = malloc(DC_PROBE_HEAD);
    uint8_t *tail = malloc(DC_PROBE_TAIL);
    dc_probe_input probe;
    bool describes = head != NULL && tail != NULL &&
                     read_probe(source, &probe, head, tail, &ignored) == DC_OK &&
                     format->probe(&probe) == DC_PROBE_CERTAIN &&
                     format->describes(&probe, path, size);
    free(head);
    free(tail);
    dc_source_close(source);
    return describes;
}

dc_status dc_format_sidecar(const char *path, int64_t size,
                            const dc_format **format, char **descriptor,
                            dc_error *err)
{
    *descriptor = NULL;
    char *dir = dc_path_dirname(path);
    char *stem = dc_path_stem(path);
    if (dir == NULL || stem == NULL) {
        free(dir);
        free(stem);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < FORMAT_COUNT && *descriptor == NULL; i++) {
        if (formats[i]->describes == NULL)
            continue;
        /* Each of the format's extensions, the list being short. */
        for (const char *ext = formats[i]->info.extensions; *ext != '\0';) {
            size_t n = strcspn(ext, ",");
            char name[512];
            snprintf(name, sizeof name, "%s.%.*s", stem, (int)n, ext);
            char *candidate = dc_path_find(dir, name);
            if (candidate != NULL && strcmp(candidate, path) != 0 &&
                candidate_describes(candidate, formats[i], path, size)) {
                *descriptor = candidate;
                *format = formats[i];
                break;
            }
            free(candidate);
            ext += n + (ext[n] == ',');
        }
    }
    free(dir);
    free(stem);
    return DC_OK;
}
