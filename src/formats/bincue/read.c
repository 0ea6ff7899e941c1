/*
 * BIN/CUE: finding the files a sheet names, laying the tracks over them,
 * serving their sectors; probing and opening, and the format descriptor.
 */
#include "bincue.h"
#include "cuesheet.h"
#include "text.h"

#include <ctype.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------------- */
/* Finding and opening the files                                           */
/* ---------------------------------------------------------------------- */

/* Tries the name as written, with Windows separators, its last part alone,
 * and as Windows-1252 turned UTF-8; each exactly, then ignoring case. */
/* The file a FILE or CDTEXTFILE line names, found as written, without
 * case, with Windows separators, or by its base name alone. */
static char *find_named_file(dc_image *image, const char *dir,
                             const char *name)
{
    char *found = dc_image_find_file(image, dir, name);
    if (found != NULL)
        return found;
    char *unix_name = dc_strdup(name);
    if (unix_name == NULL)
        return NULL;
    for (char *c = unix_name; *c != '\0'; c++)
        if (*c == '\\')
            *c = '/';
    found = dc_image_find_file(image, dir, unix_name);
    if (found == NULL && strchr(unix_name, '/') != NULL)
        found = dc_image_find_file(image, dir, dc_path_basename(unix_name));
    free(unix_name);
    if (found == NULL && !dc_text_valid_utf8(name)) {
        char *utf8 = dc_text_to_utf8(name, DC_CHARSET_WINDOWS_1252);
        if (utf8 != NULL)
            found = dc_image_find_file(image, dir, utf8);
        free(utf8);
    }
    return found;
}

/* For a one-FILE sheet whose file is missing: the cue's own stem + .bin,
 * what users rely on after renaming a pair (libcdio does the same). */
static char *find_stem_bin(const cue_parser *p)
{
    char *stem_bin = dc_path_with_extension(dc_path_basename(p->cue_path),
                                            "bin");
    if (stem_bin == NULL)
        return NULL;
    char *found = dc_image_find_file(p->image, p->cue_dir, stem_bin);
    free(stem_bin);
    return found;
}

static dc_status open_sound(const cue_parser *p, cue_file *file,
                            dc_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s:%d", p->cue_path, file->line);
    if (dc_sound_open(&file->sound, file->source, where, err) != DC_OK)
        return err->status;
    file->size = file->sound->sectors * DC_RAW_SECTOR;
    if (file->sound->info.frames % AUDIO_FRAMES_PER_SECTOR != 0)
        dc_image_warn(p->image, "%s: \"%s\" does not end on a whole sector; "
                      "its last sector is padded with silence", p->cue_path,
                      file->path);
    return DC_OK;
}

/* Reading a file the sheet names differently is right, but worth saying. */
static void warn_if_renamed(cue_parser *p, int line, const char *name,
                            const char *path)
{
    char *exact = dc_path_join(p->cue_dir, name);
    if (exact != NULL && strcmp(exact, path) != 0)
        dc_image_warn(p->image, "%s:%d: \"%s\" not found; reading %s "
                      "instead", p->cue_path, line, name, path);
    free(exact);
}

static dc_status open_files(cue_parser *p, dc_error *err)
{
    cue_priv *priv = p->priv;
    for (int i = 0; i < priv->file_count; i++) {
        cue_file *file = &priv->files[i];
        file->path = find_named_file(p->image, p->cue_dir, file->name);
        if (file->path == NULL && priv->file_count == 1 &&
            file->kind != SOURCE_SOUND)
            file->path = find_stem_bin(p);
        if (file->path == NULL)
            return cue_fail(p, file->line, DC_ERR_INPUT_IO, err,
                            "FILE \"%s\" not found in %s%s", file->name,
                            p->cue_dir,
                            priv->file_count == 1 ? " (nor the cue's own "
                                                    "name with .bin)" : "");
        warn_if_renamed(p, file->line, file->name, file->path);
        if (dc_image_open_file(p->image, file->path, &file->source, err) !=
            DC_OK)
            return err->status;
        if (file->kind == SOURCE_SOUND) {
            if (open_sound(p, file, err) != DC_OK)
                return err->status;
        } else {
            file->size = dc_source_size(file->source);
        }
    }
    return DC_OK;
}

static dc_status read_cdtext_file(cue_parser *p, dc_error *err)
{
    if (p->cdtext_name == NULL)
        return DC_OK;
    char *path = find_named_file(p->image, p->cue_dir, p->cdtext_name);
    if (path == NULL)
        return cue_fail(p, p->cdtext_line, DC_ERR_INPUT_IO, err,
                        "CDTEXTFILE \"%s\" not found in %s", p->cdtext_name,
                        p->cue_dir);
    warn_if_renamed(p, p->cdtext_line, p->cdtext_name, path);
    char origin[600];
    /* The packs are binary: places in them are offsets in that file,
     * which the sheet names at a line. */
    snprintf(origin, sizeof origin, "%s (CDTEXTFILE at %s:%d)", path,
             p->cue_path, p->cdtext_line);
    uint8_t *data = NULL;
    size_t size = 0;
    dc_source *source;
    dc_status status = dc_image_open_file(p->image, path, &source, err);
    if (status == DC_OK)
        status = dc_source_read_all(source, CDTEXT_MAX_SIZE, &data, &size,
                                    err);
    if (status == DC_OK)
        status = dc_disc_set_cdtext_packs(&p->image->disc, p->image, data, size, origin,
                                          err);
    free(data);
    free(path);
    return status;
}

/* ---------------------------------------------------------------------- */
/* Laying the tracks out over the files                                    */
/* ---------------------------------------------------------------------- */

static int64_t stored_so_far(const cue_track_info *info)
{
    int64_t total = 0;
    for (int e = 0; e < info->extent_count; e++)
        total += info->extents[e].count;
    return total;
}

static dc_status add_extent(cue_parser *p, int track_pos, int file,
                            int64_t offset, int64_t count, dc_error *err)
{
    if (count == 0)
        return DC_OK;
    const dc_track *track = &p->image->disc.tracks[track_pos];
    cue_track_info *info = &p->priv->tracks[track_pos];
    if (p->priv->files[file].kind == SOURCE_SOUND &&
        (track->mode != DC_MODE_AUDIO || track->stored_size != DC_RAW_SECTOR))
        return cue_fail(p, info->line, DC_ERR_FORMAT, err,
                        "TRACK %02d is not AUDIO but lies in the sound file "
                        "\"%s\"", track->number, p->priv->files[file].name);
    cue_extent *grown = realloc(info->extents, (size_t)(info->extent_count + 1)
                                                   * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    info->extents = grown;
    grown[info->extent_count++] = (cue_extent){file, offset, count};
    return DC_OK;
}

/* The rest of a file, from `byte` on, belongs to track `owner`. */
static dc_status finish_file(cue_parser *p, int owner, int file, int64_t byte,
                             dc_error *err)
{
    const cue_file *f = &p->priv->files[file];
    unsigned size = p->image->disc.tracks[owner].stored_size;
    int64_t rest = f->size - byte;
    /* The part of a sector cannot be read: the file holds the whole ones. */
    if (rest % size != 0)
        dc_image_partial(p->image, owner, rest % size, false,
                         "%s:%d: truncated: \"%s\" is %lld "
                         "bytes: the %lld bytes from TRACK %02d on are %lld "
                         "whole %u-byte sectors and %lld bytes of one more",
                         p->cue_path, f->line, f->name, (long long)f->size,
                         (long long)rest, p->image->disc.tracks[owner].number,
                         (long long)(rest / size), size,
                         (long long)(rest % size));
    return add_extent(p, owner, file, byte, rest / size, err);
}

/*
 * Walks the INDEX commands in order.  Data between two of them belongs to
 * the track of the earlier one, across a FILE change too (EAC puts a
 * pregap at the end of the previous file); data before the first INDEX of
 * the first file belongs to the first track (a stored pregap).  Byte
 * offsets accumulate with each track's own sector size.
 */
static dc_status lay_out_extents(cue_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    int owner = p->events[0].track;
    int file = -1;
    int64_t frame = 0, byte = 0;
    for (int i = 0; i < p->event_count; i++) {
        const cue_event *e = &p->events[i];
        if (e->file != file) {
            if (file >= 0 && finish_file(p, owner, file, byte, err) != DC_OK)
                return err->status;
            file = e->file;
            frame = 0;
            byte = 0;
        }
        const cue_file *f = &p->priv->files[file];
        unsigned size = disc->tracks[owner].stored_size;
        int64_t end = byte + (e->frame - frame) * size;
        if (end > f->size) {
            /* Cut short: the sectors up to the file's end are there. */
            int64_t held = byte + (f->size - byte) / size * size;
            dc_image_short(p->image, (end - held) / size, "%s:%d: truncated: "
                           "INDEX %02d of TRACK %02d says \"%s\" holds %lld "
                           "sectors, it holds %lld", p->cue_path, e->line,
                           disc->tracks[e->track].index[e->index_pos].number,
                           disc->tracks[e->track].number, f->name,
                           (long long)(end / size), (long long)(held / size));
            end = held;
        }
        if (add_extent(p, owner, file, byte, (end - byte) / size, err) != DC_OK)
            return err->status;
        dc_track *track = &disc->tracks[e->track];
        track->index[e->index_pos].offset =
            stored_so_far(&p->priv->tracks[e->track]);
        owner = e->track;
        frame = e->frame;
        byte = end;
    }
    return finish_file(p, owner, file, byte, err);
}

/* A file cut short leaves the indexes past its end without sectors, and
 * the tracks whose INDEX 01 lay there: they go, and what is there stays
 * readable.  Only a truncated image has such. */
static void drop_missing(cue_parser *p)
{
    dc_disc *disc = &p->image->disc;
    cue_track_info *infos = p->priv->tracks;
    int kept = 0;
    for (int i = 0; i < disc->track_count; i++) {
        dc_track *track = &disc->tracks[i];
        cue_track_info *info = &infos[i];
        int64_t length = stored_so_far(info);
        int count = 0;
        bool has_index1 = false;
        for (int k = 0; k < track->index_count; k++) {
            if (track->index[k].offset >= length)
                continue;
            has_index1 |= track->index[k].number == 1;
            info->index_line[count] = info->index_line[k];
            track->index[count++] = track->index[k];
        }
        track->index_count = count;
        if (!has_index1) {
            free(info->extents);
            for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
                free(track->cdtext.field[f]);
            continue;
        }
        if (kept != i) {
            disc->tracks[kept] = *track;
            infos[kept] = *info;
        }
        kept++;
    }
    for (int i = kept; i < disc->track_count; i++)
        infos[i] = (cue_track_info){0};
    disc->track_count = kept;
}

static dc_status set_lengths_and_addresses(cue_parser *p, dc_error *err)
{
    if (p->image->missing_sectors > 0)
        drop_missing(p);
    dc_disc *disc = &p->image->disc;
    int64_t lba = 0;
    for (int i = 0; i < disc->track_count; i++) {
        dc_track *track = &disc->tracks[i];
        const cue_track_info *info = &p->priv->tracks[i];
        track->length = stored_so_far(info);
        if (track->length == 0)
            return cue_fail(p, info->line, DC_ERR_FORMAT, err,
                            "TRACK %02d has no sectors", track->number);
        for (int k = 0; k < track->index_count; k++)
            if (track->index[k].offset >= track->length)
                return cue_fail(p, info->index_line[k], DC_ERR_FORMAT, err,
                                "INDEX %02d lies at or after the end of "
                                "TRACK %02d's data", track->index[k].number,
                                track->number);
        if (i > 0 && track->session != disc->tracks[i - 1].session) {
            lba += track->session == 2 ? FIRST_SESSION_GAP : LATER_SESSION_GAP;
            if (dc_track_pregap(track) == 0 && track->pregap_unstored == 0)
                lba += SESSION_PREGAP;
        }
        /* The first track's unstored pregap lies before LBA 0. */
        if (i > 0)
            lba += track->pregap_unstored;
        track->start_lba = lba;
        lba += track->length + track->postgap_unstored;
    }
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Reading sectors                                                         */
/* ---------------------------------------------------------------------- */

static dc_status read_extent(cue_file *file, const dc_track *track,
                             int64_t offset, int64_t count, uint8_t *out,
                             dc_error *err)
{
    /* Extents in sound files start on whole sectors. */
    if (file->kind == SOURCE_SOUND)
        return dc_sound_read_sectors(file->sound, offset / DC_RAW_SECTOR,
                                     count, out, err);
    if (dc_source_read_at(file->source, offset, out,
                          (size_t)count * track->stored_size, err) != DC_OK)
        return err->status;
    /* Only samples have a byte order; data sectors are bytes. */
    if (file->kind == SOURCE_MOTOROLA && track->mode == DC_MODE_AUDIO)
        for (int64_t i = 0; i < count; i++)
            dc_swap_sample_bytes(out + (size_t)i * track->stored_size);
    return DC_OK;
}

static dc_status cue_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    /* dc_image_read has checked the track and the range. */
    const cue_priv *priv = image->priv;
    const dc_track *track = &image->disc.tracks[track_index];
    const cue_track_info *info = &priv->tracks[track_index];
    for (int e = 0; e < info->extent_count && count > 0; e++) {
        const cue_extent *x = &info->extents[e];
        if (first >= x->count) {
            first -= x->count;
            continue;
        }
        int64_t take = x->count - first < count ? x->count - first : count;
        if (read_extent(&priv->files[x->file], track,
                        x->offset + first * track->stored_size, take, buffer,
                        err) != DC_OK)
            return err->status;
        buffer += (size_t)take * track->stored_size;
        count -= take;
        first = 0;
    }
    return DC_OK;
}

static void cue_close(dc_image *image)
{
    cue_priv *priv = image->priv;
    for (int i = 0; i < priv->file_count; i++) {
        cue_file *file = &priv->files[i];
        dc_sound_close(file->sound);
        free(file->name);
        free(file->path);
    }
    free(priv->files);
    for (int t = 0; t < DC_MAX_TRACKS; t++)
        free(priv->tracks[t].extents);
}

static const dc_image_ops cue_ops = {
    .read_stored = cue_read_stored,
    .close = cue_close,
};

/* ---------------------------------------------------------------------- */
/* Probing and opening                                                     */
/* ---------------------------------------------------------------------- */

static bool starts_with_word(const char *line, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && strncasecmp(line, word, n) == 0 &&
           (len == n || cue_is_blank(line[n]));
}

/* Whether a line opens like a cue command; cdrdao TOC files share some
 * keywords, but their comments start with "//" and their TRACK has no
 * number. */
static bool cue_like_line(const char *line, const char *end, bool *toc_like)
{
    static const char *const openers[] = {
        "REM", "FILE", "TRACK", "CATALOG", "CDTEXTFILE", "TITLE",
        "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER", "MESSAGE",
    };
    size_t len = (size_t)(end - line);
    *toc_like = len >= 2 && line[0] == '/' && line[1] == '/';
    if (starts_with_word(line, len, "TRACK")) {
        const char *n = line + 5;
        while (n < end && cue_is_blank(*n))
            n++;
        *toc_like = n == end || !isdigit((unsigned char)*n);
        return !*toc_like;
    }
    for (int i = 0; i < COUNT_OF(openers); i++)
        if (starts_with_word(line, len, openers[i]))
            return true;
    return false;
}

/* The first command is a cue command and no line in the head looks like
 * a TOC's. */
static bool looks_like_cue(const uint8_t *head, size_t size)
{
    if (memchr(head, '\0', size) != NULL)
        return false;
    const char *text = (const char *)head;
    const char *end = text + size;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    bool first = true, cue = false;
    while (text < end) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        const char *line_end = nl != NULL ? nl : end;
        while (text < line_end && (cue_is_blank(*text) || *text == '\r'))
            text++;
        if (text < line_end) {
            bool toc_like;
            bool ok = cue_like_line(text, line_end, &toc_like);
            /* An unterminated last line may be cut short by the probe. */
            if ((toc_like && nl != NULL) || (first && !ok))
                return false;
            cue = cue || ok;
            first = false;
        }
        text = line_end + 1;
    }
    return cue;
}

int cue_probe(const dc_probe_input *input)
{
    return looks_like_cue(input->head, input->head_size) ? DC_PROBE_CERTAIN
                                                         : DC_PROBE_NO;
}

/* Whether a FILE line of the sheet names the payload (as the reader would
 * find it: by its name, ignoring case). */
bool cue_describes(const dc_probe_input *descriptor, const char *payload,
                   int64_t payload_size)
{
    (void)payload_size;
    const char *wanted = dc_path_basename(payload);
    const char *text = (const char *)descriptor->head;
    const char *end = text + descriptor->head_size;
    for (const char *line = text; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            eol = end;
        while (line < eol && (*line == ' ' || *line == '\t'))
            line++;
        if (eol - line > 5 && strncasecmp(line, "FILE", 4) == 0 &&
            (line[4] == ' ' || line[4] == '\t')) {
            const char *name = line + 5;
            while (name < eol && (*name == ' ' || *name == '\t'))
                name++;
            const char *stop;
            if (name < eol && *name == '"') {
                name++;
                stop = memchr(name, '"', (size_t)(eol - name));
            } else {
                stop = name;
                while (stop < eol && *stop != ' ' && *stop != '\t')
                    stop++;
            }
            char named[1024];
            size_t len = stop != NULL ? (size_t)(stop - name) : 0;
            if (len > 0 && len < sizeof named) {
                memcpy(named, name, len);
                named[len] = '\0';
                if (strcasecmp(dc_path_basename(named), wanted) == 0)
                    return true;
            }
        }
        line = eol + 1;
    }
    return false;
}

/* The sound file that holds a track's sectors and nothing else, or NULL. */
static dc_sound *own_sound_file(const cue_parser *p, int track)
{
    const cue_priv *priv = p->priv;
    const cue_track_info *info = &priv->tracks[track];
    if (info->extent_count != 1 || priv->files[info->extents[0].file].sound ==
                                       NULL)
        return NULL;
    int file = info->extents[0].file;
    for (int i = 0; i < p->image->disc.track_count; i++)
        for (int e = 0; i != track && e < priv->tracks[i].extent_count; e++)
            if (priv->tracks[i].extents[e].file == file)
                return NULL;
    return priv->files[file].sound;
}

/* A track made from a sound file of its own takes the file's title and
 * artist (and the disc its album) where the sheet names none, so tagged
 * WAV or FLAC files become a BIN/CUE with CD-TEXT. */
static dc_status take_sound_tags(cue_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    for (int i = 0; i < disc->track_count; i++) {
        dc_sound *sound = own_sound_file(p, i);
        if (sound != NULL &&
            dc_sound_take_tags(sound, &disc->tracks[i].cdtext, &disc->cdtext,
                               err) != DC_OK)
            return err->status;
    }
    return DC_OK;
}

static dc_status parse_and_lay_out(cue_parser *p, char *text, dc_error *err)
{
    if (cue_parse_text(p, text, err) != DC_OK || open_files(p, err) != DC_OK ||
        lay_out_extents(p, err) != DC_OK ||
        set_lengths_and_addresses(p, err) != DC_OK ||
        read_cdtext_file(p, err) != DC_OK || take_sound_tags(p, err) != DC_OK)
        return err->status;
    return DC_OK;
}

static dc_status parse_sheet(dc_image *image, char *text, const char *origin,
                             const char *base_dir, dc_error *err)
{
    cue_priv *priv = image->priv;
    image->ops = &cue_ops;
    cue_parser p = {
        .image = image,
        .priv = priv,
        .current_file = -1,
        .session = 1,
        .cue_path = origin,
        .cue_dir = dc_strdup(base_dir),
    };
    dc_status status = p.cue_dir == NULL
                           ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                           : parse_and_lay_out(&p, text, err);
    free(p.events);
    free(p.cdtext_name);
    free(p.cue_dir);
    return status;
}

dc_status cue_open(dc_image *image, dc_error *err)
{
    const char *cue_path = dc_source_name(image->source);
    char *dir = dc_path_dirname(cue_path);
    uint8_t *text = NULL;
    size_t size;
    dc_status status =
        dir == NULL ? dc_fail(err, DC_ERR_NOMEM, "out of memory")
                    : dc_source_read_all(image->source, CUE_MAX_SIZE, &text,
                                         &size, err);
    if (status == DC_OK && memchr(text, '\0', size) != NULL)
        status = dc_fail(err, DC_ERR_FORMAT, "%s: not a cue sheet (binary "
                         "data)", cue_path);
    if (status == DC_OK)
        status = parse_sheet(image, (char *)text, cue_path, dir, err);
    free(text);
    free(dir);
    return status;
}

static const dc_format_option cue_options[] = {
    {"split", DC_OPTION_BOOL, "one .bin per track, named as redump names them",
     NULL},
    {"write_gaps", DC_OPTION_BOOL, "store PREGAP and POSTGAP gaps in the bin "
                                   "as silence or empty sectors", NULL},
};

const dc_format dc_format_bincue = {
    .info = {
        .name = "bincue",
        .description = "CDRWIN BIN/CUE",
        .extensions = "cue,bin",
        .can_read = true,
        .can_write = true,
        .options = cue_options,
        .option_count = sizeof cue_options / sizeof cue_options[0],
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS | DC_CAP_FILES |
            DC_CAP_CDTEXT,
    .priv_size = sizeof(cue_priv),
    .probe = cue_probe,
    .describes = cue_describes,
    .open = cue_open,
    .check = cue_check,
    .write = cue_write,
};
