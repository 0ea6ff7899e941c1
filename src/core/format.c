/* The format table and content-based detection. */
#include "format.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Every format, in the order ties are broken: more specific first. */
static const dc_format *const formats[] = {
    &dc_format_bincue,
    &dc_format_nrg,
    &dc_format_ccd,
    &dc_format_audio,
    &dc_format_iso,
    &dc_format_img,
};
#define FORMAT_COUNT ((int)(sizeof formats / sizeof formats[0]))

int dc_format_count(void) { return FORMAT_COUNT; }

const dc_format_info *dc_format_get(int i)
{
    return i >= 0 && i < FORMAT_COUNT ? &formats[i]->info : NULL;
}

const dc_format *dc_format_find(const char *name)
{
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (strcasecmp(formats[i]->info.name, name) == 0)
            return formats[i];
    return NULL;
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

const dc_format *dc_format_for_extension(const char *path)
{
    const char *ext = dc_path_extension(path);
    if (ext[0] == '\0')
        return NULL;
    for (int i = 0; i < FORMAT_COUNT; i++)
        if (formats[i]->write != NULL && !formats[i]->writes_folder &&
            list_has(formats[i]->info.extensions, ext))
            return formats[i];
    return NULL;
}

dc_status dc_format_detect(const char *path, const dc_format **format,
                           dc_error *err)
{
    dc_input in;
    if (dc_input_open(&in, path, err) != DC_OK)
        return err->status;
    uint8_t *head = malloc(DC_PROBE_HEAD);
    uint8_t *tail = malloc(DC_PROBE_TAIL);
    size_t head_size = 0, tail_size = 0;
    int64_t tail_at = in.size > DC_PROBE_TAIL ? in.size - DC_PROBE_TAIL : 0;
    dc_status status = DC_OK;
    if (head == NULL || tail == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (dc_input_read_some(&in, 0, head, DC_PROBE_HEAD, &head_size,
                                err) != DC_OK ||
             dc_input_read_some(&in, tail_at, tail, DC_PROBE_TAIL,
                                &tail_size, err) != DC_OK)
        status = err->status;

    if (status == DC_OK) {
        dc_probe_input probe = {
            .path = path, .file_size = in.size,
            .head = head, .head_size = head_size,
            .tail = tail, .tail_size = tail_size,
        };
        int best_score = DC_PROBE_NO;
        *format = NULL;
        for (int i = 0; i < FORMAT_COUNT; i++) {
            if (formats[i]->probe == NULL || formats[i]->open == NULL)
                continue;
            int score = formats[i]->probe(&probe);
            if (score > best_score) {
                best_score = score;
                *format = formats[i];
            }
        }
        if (*format == NULL)
            status = dc_fail(err, in.size == 0 ? DC_ERR_FORMAT
                                               : DC_ERR_UNSUPPORTED,
                             "%s: %s", path,
                             in.size == 0 ? "file is empty"
                                          : "not a disc image format "
                                            "discconv knows");
    }
    free(head);
    free(tail);
    dc_input_close(&in);
    return status;
}
