/*
 * Reading cdrdao TOC images (toc.h describes the format): the data files,
 * laying out the parsed tracks, serving their sectors, probing and
 * opening; and the dc_format_toc descriptor.
 *
 * Data files are opened and read through toc_file_open/toc_file_read
 * only, so moving to another I/O layer touches those three.
 */
#include "toc.h"
#include "format.h"
#include "sound.h"
#include "model.h"

#include <ctype.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A 99-track TOC full of CD-TEXT is a few tens of KiB. */
#define TOC_MAX_SIZE (1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Files                                                                   */
/* ---------------------------------------------------------------------- */

static bool ends_with_wav(const char *name)
{
    size_t n = strlen(name);
    return n >= 4 && strcasecmp(name + n - 4, ".wav") == 0;
}

static dc_status toc_file_open(const toc_parser *p, toc_file *file,
                               dc_error *err)
{
    file->path = dc_path_find(p->dir, file->name);
    if (file->path == NULL)
        return toc_fail(p, file->line, DC_ERR_INPUT_IO, err,
                        "data file \"%s\" not found in %s", file->name,
                        p->dir);
    if (dc_image_open_file(p->image, file->path, &file->source, err) !=
        DC_OK) {
        /* The first error stands (dc_fail): restate it with the line. */
        char reason[sizeof err->message];
        memcpy(reason, err->message, sizeof reason);
        dc_status status = err->status;
        err->status = DC_OK;
        return toc_fail(p, file->line, status, err, "%s", reason);
    }
    file->size = dc_source_size(file->source);
    if (!file->wav)
        return DC_OK;
    char where[600];
    snprintf(where, sizeof where, "%s:%d", p->origin, file->line);
    if (dc_sound_open(&file->sound, file->source, where, err) != DC_OK)
        return err->status;
    file->size = (int64_t)file->sound->info.frames * SAMPLE_BYTES;
    return DC_OK;
}

/* len bytes at offset (of decoded PCM for WAV, little-endian). */
static dc_status toc_file_read(toc_file *file, int64_t offset, uint8_t *out,
                               size_t len, dc_error *err)
{
    if (file->sound == NULL)
        return dc_source_read_at(file->source, offset, out, len, err);
    return dc_sound_read_frames(file->sound, offset / SAMPLE_BYTES,
                                (int64_t)(len / SAMPLE_BYTES), out, err);
}

/* The file of that name, opened on first mention. */
dc_status toc_use_file(toc_parser *p, const token *name, int *index,
                       dc_error *err)
{
    toc_priv *priv = p->priv;
    for (int i = 0; i < priv->file_count; i++)
        if (strcmp(priv->files[i].name, name->text) == 0) {
            *index = i;
            return DC_OK;
        }
    if (name->text[0] == '\0' || strcmp(name->text, "-") == 0 ||
        strlen(name->text) != name->len)
        return toc_fail(p, name->line, DC_ERR_UNSUPPORTED, err,
                        "data file \"%s\" cannot be read: images need a "
                        "named regular file", name->text);
    toc_file *grown = realloc(priv->files, (size_t)(priv->file_count + 1) *
                                               sizeof *grown);
    if (grown == NULL)
        return toc_no_memory(err);
    priv->files = grown;
    toc_file *file = &grown[priv->file_count];
    memset(file, 0, sizeof *file);
    file->line = name->line;
    file->wav = ends_with_wav(name->text);
    file->name = dc_strdup(name->text);
    if (file->name == NULL)
        return toc_no_memory(err);
    priv->file_count++;
    *index = priv->file_count - 1;
    return toc_file_open(p, file, err);
}

/* ---------------------------------------------------------------------- */
/* Laying out tracks                                                       */
/* ---------------------------------------------------------------------- */

/* Lengths, indexes, byte order and addresses, once every track is read. */
static dc_status finish_tracks(toc_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    int64_t lba = 0;
    for (int i = 0; i < disc->track_count; i++) {
        dc_track *track = &disc->tracks[i];
        toc_track_info *info = &p->priv->tracks[i];
        track->length = toc_stored_so_far(info);
        if (track->length == 0)
            return toc_fail(p, info->line, DC_ERR_FORMAT, err,
                            "TRACK %d has no data", track->number);
        int64_t pregap = info->pregap_stored;
        if (pregap >= track->length)
            return toc_fail(p, info->line, DC_ERR_FORMAT, err,
                            "START of TRACK %d lies at or after the end of "
                            "its data", track->number);
        /* INDEX positions count from INDEX 01. */
        for (int k = 1; k < track->index_count; k++) {
            track->index[k].offset += pregap;
            if (track->index[k].offset >= track->length)
                return toc_fail(p, info->line, DC_ERR_FORMAT, err,
                                "INDEX %d of TRACK %d lies at or after the "
                                "end of its data", track->index[k].number,
                                track->number);
        }
        track->index[0].offset = pregap;
        if (pregap > 0) { /* INDEX 00 first: the stored pregap */
            memmove(&track->index[1], &track->index[0],
                    (size_t)track->index_count * sizeof track->index[0]);
            track->index[0] = (dc_index){0, 0};
            track->index_count++;
        }
        for (int k = 0; k < info->piece_count; k++) {
            toc_piece *piece = &info->pieces[k];
            if (piece->file < 0 || track->mode != DC_MODE_AUDIO)
                continue;
            bool big_endian = !p->priv->files[piece->file].wav;
            piece->swap = big_endian != (piece->swap_toggled != info->swap);
        }
        if (i > 0)
            lba += track->pregap_unstored;
        track->start_lba = lba;
        lba += track->length;
        if (lba > DC_MAX_DISC_SECTORS)
            return toc_fail(p, info->line, DC_ERR_FORMAT, err,
                            "the disc would be longer than any CD (%lld "
                            "sectors at TRACK %d)", (long long)lba,
                            track->number);
    }
    disc->session_count = 1;
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading sectors                                                         */
/* ---------------------------------------------------------------------- */

static dc_status toc_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    /* dc_image_read has checked the track and the range. */
    toc_priv *priv = image->priv;
    const dc_track *track = &image->disc.tracks[track_index];
    const toc_track_info *info = &priv->tracks[track_index];
    size_t size = track->stored_size;
    for (int k = 0; k < info->piece_count && count > 0; k++) {
        const toc_piece *x = &info->pieces[k];
        if (first >= x->count) {
            first -= x->count;
            continue;
        }
        int64_t take_n = x->count - first < count ? x->count - first : count;
        size_t want = (size_t)take_n * size;
        size_t have = 0;
        if (x->file >= 0) {
            int64_t from = first * (int64_t)size;
            int64_t left = x->bytes - from;
            have = left < (int64_t)want ? (size_t)left : want;
            if (toc_file_read(&priv->files[x->file], x->offset + from,
                              buffer, have, err) != DC_OK)
                return err->status;
        }
        memset(buffer + have, 0, want - have);
        if (x->swap)
            for (int64_t s = 0; s < take_n; s++)
                dc_swap_sample_bytes(buffer + (size_t)s * size);
        buffer += want;
        count -= take_n;
        first = 0;
    }
    return DC_OK;
}

static void toc_close(dc_image *image)
{
    toc_priv *priv = image->priv;
    for (int i = 0; i < priv->file_count; i++) {
        dc_sound_close(priv->files[i].sound);
        free(priv->files[i].name);
        free(priv->files[i].path);
    }
    free(priv->files);
    for (int t = 0; t < DC_MAX_TRACKS; t++)
        free(priv->tracks[t].pieces);
}

static const dc_image_ops toc_ops = {
    .read_stored = toc_read_stored,
    .close = toc_close,
};

/* ---------------------------------------------------------------------- */
/* Probing and opening                                                     */
/* ---------------------------------------------------------------------- */

static bool word_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Text whose first statement is a disc type, or that has a
 * "TRACK <cdrdao mode>" (a cue sheet's TRACK is followed by a number). */
static int toc_probe(const dc_probe_input *input)
{
    const char *s = (const char *)input->head;
    const char *end = s + input->head_size;
    if (memchr(s, '\0', input->head_size) != NULL)
        return DC_PROBE_NO;
    if (input->head_size >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    bool first = true, after_track = false, likely = false;
    while (s < end) {
        if (isspace((unsigned char)*s)) {
            s++;
        } else if (end - s >= 2 && s[0] == '/' && s[1] == '/') {
            while (s < end && *s != '\n')
                s++;
        } else if (first && !(isalnum((unsigned char)*s) || *s == '_')) {
            return DC_PROBE_NO; /* prose ("# Notes"), not a statement */
        } else if (*s == '"') {
            for (s++; s < end && *s != '"' && *s != '\n'; s++)
                if (*s == '\\')
                    s++;
            s++;
            first = after_track = false;
        } else {
            const char *w = s;
            while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
                s++;
            size_t n = (size_t)(s - w);
            if (n == 0) {
                s++;
                first = after_track = false;
                continue;
            }
            if (s == end)
                break; /* a word cut by the probe's window */
            /* Disc types and CD_TEXT are cdrdao's words alone. */
            if (first && (word_is(w, n, "CD_DA") || word_is(w, n, "CD_ROM") ||
                          word_is(w, n, "CD_ROM_XA") || word_is(w, n, "CD_I") ||
                          word_is(w, n, "CD_TEXT")))
                return DC_PROBE_CERTAIN;
            if (first && !word_is(w, n, "CATALOG") &&
                !word_is(w, n, "CD_TEXT") && !word_is(w, n, "TRACK"))
                return DC_PROBE_NO;
            if (after_track) {
                for (int i = 0; i < toc_track_mode_count; i++)
                    if (word_is(w, n, toc_track_modes[i].keyword))
                        return DC_PROBE_CERTAIN;
                /* A cue sheet's TRACK has a number; a word is a TOC with
                 * a mode we do not know, for open to name. */
                if (isalpha((unsigned char)*w))
                    likely = true;
            }
            after_track = word_is(w, n, "TRACK");
            first = false;
        }
    }
    return likely ? DC_PROBE_LIKELY : DC_PROBE_NO;
}

static dc_status parse_toc(dc_image *image, const char *text,
                         const char *origin, const char *base_dir,
                         dc_error *err)
{
    toc_priv *priv = image->priv;
    image->ops = &toc_ops;
    toc_parser p = {
        .image = image,
        .priv = priv,
        .origin = origin,
        .dir = base_dir,
    };
    dc_status status = DC_OK;
    if (toc_tokenize(&p, text, err) != DC_OK ||
        toc_parse_tokens(&p, err) != DC_OK ||
        finish_tracks(&p, err) != DC_OK)
        status = err->status;
    for (int i = 0; i < p.token_count; i++)
        free(p.tokens[i].text);
    free(p.tokens);
    return status;
}

static dc_status toc_open(dc_image *image, dc_error *err)
{
    const char *origin = dc_source_name(image->source);
    uint8_t *text = NULL;
    size_t size = 0;
    char *dir = dc_path_dirname(origin);
    if (dir == NULL)
        return toc_no_memory(err);
    dc_status status = dc_source_read_all(image->source, TOC_MAX_SIZE, &text,
                                          &size, err);
    if (status == DC_OK && memchr(text, '\0', size) != NULL)
        status = dc_fail(err, DC_ERR_FORMAT, "%s:1: not a TOC file (binary "
                         "data)", origin);
    if (status == DC_OK)
        status = parse_toc(image, (char *)text, origin, dir, err);
    free(text);
    free(dir);
    return status;
}

/* Whether a FILE, AUDIOFILE or DATAFILE statement names the payload. */
static bool toc_describes(const dc_probe_input *descriptor,
                          const char *payload, int64_t payload_size)
{
    (void)payload_size;
    const char *wanted = dc_path_basename(payload);
    const char *s = (const char *)descriptor->head;
    const char *end = s + descriptor->head_size;
    bool after_file = false;
    while (s < end) {
        if (*s == '"') {
            const char *name = ++s;
            while (s < end && *s != '"' && *s != '\n')
                s += *s == '\\' ? 2 : 1;
            size_t n = s < end ? (size_t)(s - name) : 0;
            char named[1024];
            if (after_file && n > 0 && n < sizeof named) {
                memcpy(named, name, n);
                named[n] = '\0';
                if (strcasecmp(dc_path_basename(named), wanted) == 0)
                    return true;
            }
            after_file = false;
            s++;
        } else if (isalpha((unsigned char)*s)) {
            const char *w = s;
            while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
                s++;
            size_t n = (size_t)(s - w);
            after_file = word_is(w, n, "FILE") || word_is(w, n, "AUDIOFILE") ||
                         word_is(w, n, "DATAFILE");
        } else {
            s++;
        }
    }
    return false;
}

const dc_format dc_format_toc = {
    .info = {
        .name = "toc",
        .description = "cdrdao TOC",
        .extensions = "toc",
        .can_read = true,
        .can_write = false,
    },
    .priv_size = sizeof(toc_priv),
    .probe = toc_probe,
    .describes = toc_describes,
    .open = toc_open,
};
