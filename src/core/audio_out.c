/*
 * CD-DA out to sound files, for every target that writes audio tracks as
 * WAV, AIFF or FLAC: extract-audio, and the core's routing of audio out of
 * a target that cannot hold it (an ISO).  Each file gets its track's INDEX
 * 00 audio by the pregap policy, CD-TEXT, ISRC and MCN in its tags, and a
 * cue sheet can name the files, from which a BIN is rebuilt sample for
 * sample.
 */
#include "audio_out.h"
#include "cuesheet.h"
#include "model.h"

#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SAMPLES_PER_SECTOR (DC_RAW_SECTOR / 2)
/* The byte-order check listens to two seconds of each file. */
#define SWAP_CHECK_SECTORS 150
#define DEFAULT_TEMPLATE "{name} (Track {track})"

/* --- planning the files ------------------------------------------------- */

/* A run of one track's stored sectors. */
typedef struct segment {
    int track;       /* position in disc->tracks */
    int64_t first;
    int64_t count;
} segment;

/* One sound file: its runs of sectors and the track whose tags it takes
 * (number 0 for hidden track one audio). */
typedef struct audio_file {
    char *path;
    int track;
    int number;
    segment seg[2];
    int seg_count;
    int64_t length;  /* sectors */
} audio_file;

typedef struct audio_plan {
    audio_file files[DC_MAX_TRACKS + 1];
    int file_count;
    dc_cue_track_layout *layout;  /* one per disc track */
} audio_plan;

static const char *sound_extension(dc_audio_format format)
{
    switch (format) {
    case DC_AUDIO_WAV: return "wav";
    case DC_AUDIO_AIFF: return "aiff";
    case DC_AUDIO_FLAC: return "flac";
    }
    return "wav";
}

bool dc_audio_format_named(const char *name, dc_audio_format *format)
{
    static const struct {
        const char *name;
        dc_audio_format format;
    } names[] = {{"wav", DC_AUDIO_WAV}, {"aiff", DC_AUDIO_AIFF},
                 {"aif", DC_AUDIO_AIFF}, {"flac", DC_AUDIO_FLAC}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(name, names[i].name) == 0) {
            *format = names[i].format;
            return true;
        }
    return false;
}

/* Appends text to a name, with the characters a file name cannot hold
 * (or should not: control characters) replaced. */
static void append_name_part(char *name, size_t size, const char *text)
{
    size_t len = strlen(name);
    for (; *text != '\0' && len + 1 < size; text++)
        name[len++] = *text == '/' || (unsigned char)*text < 0x20 ? '_' : *text;
    name[len] = '\0';
}

/* Expands {name} {track} {title} {performer} in the template. */
static void expand_template(const char *template, const char *disc_name,
                            const dc_disc *disc, const audio_file *file,
                            char *name, size_t size)
{
    const dc_cdtext *text = &disc->tracks[file->track].cdtext;
    name[0] = '\0';
    for (const char *p = template; *p != '\0';) {
        char number[8];
        const char *value = NULL;
        size_t skip = 0;
        if (strncmp(p, "{name}", 6) == 0) {
            value = disc_name;
            skip = 6;
        } else if (strncmp(p, "{track}", 7) == 0) {
            snprintf(number, sizeof number, "%02d", file->number);
            value = number;
            skip = 7;
        } else if (strncmp(p, "{title}", 7) == 0) {
            value = text->field[DC_CDTEXT_TITLE];
            skip = 7;
        } else if (strncmp(p, "{performer}", 11) == 0) {
            value = text->field[DC_CDTEXT_PERFORMER];
            if (value == NULL)
                value = disc->cdtext.field[DC_CDTEXT_PERFORMER];
            skip = 11;
        }
        if (skip > 0) {
            append_name_part(name, size, value != NULL ? value : "");
            p += skip;
        } else {
            char one[2] = {*p++, '\0'};
            append_name_part(name, size, one);
        }
    }
}

static dc_status is_silent(dc_image *image, int track, int64_t first,
                           int64_t count, bool *silent, dc_error *err)
{
    uint8_t sector[DC_RAW_SECTOR];
    *silent = true;
    for (int64_t i = 0; i < count && *silent; i++) {
        if (dc_image_read(image, track, first + i, 1, DC_FORM_RAW, NULL,
                          sector, NULL, err) != DC_OK)
            return err->status;
        for (size_t k = 0; k < DC_RAW_SECTOR && *silent; k++)
            *silent = sector[k] == 0;
    }
    return DC_OK;
}

static audio_file *new_file(audio_plan *plan, int track, int number)
{
    audio_file *f = &plan->files[plan->file_count++];
    memset(f, 0, sizeof *f);
    f->track = track;
    f->number = number;
    return f;
}

static void add_segment(audio_file *f, int track, int64_t first, int64_t count)
{
    f->seg[f->seg_count++] = (segment){track, first, count};
    f->length += count;
}

static void add_index(dc_cue_track_layout *t, int number, int file,
                      int64_t offset)
{
    t->index[t->index_count++] = (dc_cue_index){number, file, offset};
}

/* Places one track's stored pregap by the policy; returns the file that
 * must start with it (prepended), or NULL. */
static dc_status place_pregap(dc_write_job *job, audio_plan *plan, int i,
                              audio_file *previous, bool *prepend,
                              dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    const dc_track *track = &disc->tracks[i];
    dc_cue_track_layout *t = &plan->layout[i];
    int64_t pregap = dc_track_pregap(track);
    dc_pregap_policy policy = job->options->pregap;
    *prepend = false;
    if (pregap == 0)
        return DC_OK;
    if (policy == DC_PREGAP_PREPEND) {
        *prepend = true;
        return DC_OK;
    }
    if (policy == DC_PREGAP_APPEND && previous != NULL) {
        add_index(t, 0, (int)(previous - plan->files), previous->length);
        add_segment(previous, i, 0, pregap);
        return DC_OK;
    }
    bool silent;
    if (is_silent(job->source, i, 0, pregap, &silent, err) != DC_OK)
        return err->status;
    if (silent) {
        t->pregap += pregap; /* nothing is lost: the sheet says PREGAP */
    } else if (i == 0) {
        /* Hidden track one audio gets a file of its own, track 0. */
        audio_file *hidden = new_file(plan, i, 0);
        add_segment(hidden, i, 0, pregap);
        add_index(t, 0, plan->file_count - 1, 0);
    } else if (policy == DC_PREGAP_APPEND) {
        *prepend = true; /* no audio track before it to take it */
    } else {
        t->pregap += pregap;
        dc_job_note(job, "track %d: %.1f seconds of pregap audio dropped, as "
                    "the pregap policy asks", track->number,
                    (double)pregap / 75);
    }
    return DC_OK;
}

static dc_status plan_files(dc_write_job *job, const bool *selected,
                            audio_plan *plan, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    audio_file *previous = NULL;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *track = &disc->tracks[i];
        if (!selected[i] || track->mode != DC_MODE_AUDIO) {
            previous = NULL;
            continue;
        }
        if (i > 0 && disc->tracks[i - 1].session != track->session)
            previous = NULL;
        dc_cue_track_layout *t = &plan->layout[i];
        t->keyword = "AUDIO";
        t->pregap = track->pregap_unstored;
        t->postgap = track->postgap_unstored;
        bool prepend;
        if (place_pregap(job, plan, i, previous, &prepend, err) != DC_OK)
            return err->status;
        int64_t pregap = dc_track_pregap(track);
        int64_t from = prepend ? 0 : pregap;
        audio_file *f = new_file(plan, i, track->number);
        add_segment(f, i, from, track->length - from);
        for (int k = 0; k < track->index_count; k++)
            if (track->index[k].offset >= from)
                add_index(t, track->index[k].number, plan->file_count - 1,
                          track->index[k].offset - from);
        previous = f;
    }
    if (plan->file_count == 0) {
        char tracks[DC_TRACK_TEXT_SIZE];
        dc_disc_describe_tracks(disc, false, tracks, sizeof tracks);
        return dc_fail(err, DC_ERR_USAGE, "%s: no audio tracks to write as "
                       "sound files: the disc's %s %s data", job->source->path,
                       tracks, disc->track_count == 1 ? "is" : "are");
    }
    return DC_OK;
}

static dc_status name_files(dc_write_job *job, const char *dir,
                            const char *disc_name, audio_plan *plan,
                            dc_error *err)
{
    const char *template = job->options->name_template != NULL
                               ? job->options->name_template
                               : DEFAULT_TEMPLATE;
    for (int i = 0; i < plan->file_count; i++) {
        char name[512];
        expand_template(template, disc_name, &job->source->disc,
                        &plan->files[i], name, sizeof name - 8);
        append_name_part(name, sizeof name, ".");
        append_name_part(name, sizeof name,
                         sound_extension(job->options->audio_format));
        plan->files[i].path = dc_path_join(dir, name);
        if (plan->files[i].path == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
    return DC_OK;
}

/* --- writing the files -------------------------------------------------- */

/* libsndfile writes through these into a dc_output, so sound files are
 * all-or-nothing like every other output. */
typedef struct sound_sink {
    dc_output *out;
    int64_t position;
    dc_error err;
} sound_sink;

static sf_count_t sink_length(void *user)
{
    return dc_output_position(((sound_sink *)user)->out);
}

static sf_count_t sink_seek(sf_count_t offset, int whence, void *user)
{
    sound_sink *s = user;
    int64_t base = whence == SEEK_CUR ? s->position
                   : whence == SEEK_END ? dc_output_position(s->out)
                                        : 0;
    if (base + offset < 0 || base + offset > dc_output_position(s->out))
        return -1;
    s->position = base + offset;
    return s->position;
}

static sf_count_t sink_read(void *data, sf_count_t count, void *user)
{
    sound_sink *s = user;
    size_t got = 0;
    if (dc_output_read_at(s->out, s->position, data, (size_t)count, &got,
                          &s->err) != DC_OK)
        return 0;
    s->position += (int64_t)got;
    return (sf_count_t)got;
}

static sf_count_t sink_write(const void *data, sf_count_t count, void *user)
{
    sound_sink *s = user;
    if (dc_output_write_at(s->out, s->position, data, (size_t)count,
                           &s->err) != DC_OK)
        return 0;
    s->position += count;
    return count;
}

static sf_count_t sink_tell(void *user)
{
    return ((sound_sink *)user)->position;
}

static int sound_format(dc_audio_format format)
{
    switch (format) {
    case DC_AUDIO_WAV: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    case DC_AUDIO_AIFF: return SF_FORMAT_AIFF | SF_FORMAT_PCM_16;
    case DC_AUDIO_FLAC: return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    }
    return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
}

static void set_tags(SNDFILE *sound, const dc_disc *disc,
                     const audio_file *file)
{
    const dc_track *track = &disc->tracks[file->track];
    const char *title = track->cdtext.field[DC_CDTEXT_TITLE];
    const char *performer = track->cdtext.field[DC_CDTEXT_PERFORMER];
    if (performer == NULL)
        performer = disc->cdtext.field[DC_CDTEXT_PERFORMER];
    char number[8], comment[64] = "";
    snprintf(number, sizeof number, "%d", file->number);
    if (title != NULL && file->number != 0)
        sf_set_string(sound, SF_STR_TITLE, title);
    if (performer != NULL)
        sf_set_string(sound, SF_STR_ARTIST, performer);
    if (disc->cdtext.field[DC_CDTEXT_TITLE] != NULL)
        sf_set_string(sound, SF_STR_ALBUM, disc->cdtext.field[DC_CDTEXT_TITLE]);
    sf_set_string(sound, SF_STR_TRACKNUMBER, number);
    /* No libsndfile tag holds ISRC or MCN: they go in the comment. */
    if (track->isrc[0] != '\0' && file->number != 0)
        snprintf(comment, sizeof comment, "ISRC %s", track->isrc);
    if (disc->mcn[0] != '\0')
        snprintf(comment + strlen(comment), sizeof comment - strlen(comment),
                 "%sMCN %s", comment[0] != '\0' ? "; " : "", disc->mcn);
    if (comment[0] != '\0')
        sf_set_string(sound, SF_STR_COMMENT, comment);
    sf_set_string(sound, SF_STR_SOFTWARE, "discconv " DC_VERSION);
}

/* How rough the left channel is read as stored and read byte-swapped:
 * music is smooth, so the right byte order has the smaller differences. */
typedef struct swap_check {
    double as_stored;
    double swapped;
    int64_t sectors;
} swap_check;

static int16_t le16(const uint8_t *p) { return (int16_t)(p[0] | p[1] << 8); }
static int16_t be16(const uint8_t *p) { return (int16_t)(p[1] | p[0] << 8); }

static void check_byte_order(swap_check *c, const uint8_t *sectors,
                             int64_t count)
{
    for (int64_t i = 0; i < count; i++) {
        const uint8_t *s = sectors + (size_t)i * DC_RAW_SECTOR;
        for (size_t k = 4; k < DC_RAW_SECTOR; k += 4) {
            c->as_stored += abs(le16(s + k) - le16(s + k - 4));
            c->swapped += abs(be16(s + k) - be16(s + k - 4));
        }
        c->sectors++;
    }
}

static bool looks_swapped(const swap_check *c)
{
    /* Only clear cases: real audio, rough as stored, smooth swapped. */
    return c->sectors >= 75 && c->as_stored > 1e6 &&
           c->as_stored > 3 * c->swapped;
}

/* Reads sectors [from, from + count) of a sound file's runs as CD-DA. */
static dc_status read_file_sectors(dc_write_job *job, const audio_file *file,
                                   int64_t from, int64_t count, uint8_t *out,
                                   dc_error *err)
{
    for (int i = 0; i < file->seg_count && count > 0; i++) {
        const segment *seg = &file->seg[i];
        if (from >= seg->count) {
            from -= seg->count;
            continue;
        }
        int64_t take = seg->count - from < count ? seg->count - from : count;
        if (dc_image_read(job->source, seg->track, seg->first + from, take,
                          DC_FORM_RAW, &job->options->read, out, NULL,
                          err) != DC_OK)
            return err->status;
        out += (size_t)take * DC_RAW_SECTOR;
        count -= take;
        from = 0;
    }
    return DC_OK;
}

/* Notes a file whose audio sounds like noise as it will be written but
 * not byte-swapped.  A few seconds from the middle of the file tell: the
 * start of a track is often silence. */
static dc_status note_if_swapped(dc_write_job *job, const audio_file *file,
                                 dc_error *err)
{
    int64_t count = file->length < SWAP_CHECK_SECTORS ? file->length
                                                      : SWAP_CHECK_SECTORS;
    uint8_t *sectors = malloc((size_t)count * DC_RAW_SECTOR + 1);
    if (sectors == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    swap_check check = {0, 0, 0};
    dc_status status = read_file_sectors(job, file, (file->length - count) / 2,
                                         count, sectors, err);
    if (status == DC_OK)
        check_byte_order(&check, sectors, count);
    free(sectors);
    if (status == DC_OK && looks_swapped(&check))
        dc_job_note_advise(job, DC_ADVICE_SWAP_AUDIO, "%s: the audio sounds "
                           "like noise as stored but not byte-swapped: if "
                           "the image was ripped with the wrong byte order, "
                           "extract again swapping its bytes",
                           dc_path_basename(file->path));
    return status;
}

/* --- FLAC: libsndfile encodes the samples ------------------------------- */

typedef struct flac_writer {
    SNDFILE *sound;
    const char *path;
    int16_t *samples;   /* DC_STREAM_CHUNK_SECTORS sectors of room */
} flac_writer;

static dc_status encode_chunk(void *context, const uint8_t *bytes,
                              int64_t count, dc_error *err)
{
    flac_writer *w = context;
    size_t n = (size_t)count * SAMPLES_PER_SECTOR;
    for (size_t i = 0; i < n; i++)
        w->samples[i] = le16(bytes + 2 * i);
    if (sf_writef_short(w->sound, w->samples, (sf_count_t)n / 2) !=
        (sf_count_t)n / 2)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", w->path,
                       sf_strerror(w->sound));
    return DC_OK;
}

static dc_status write_flac(dc_write_job *job, const audio_file *file,
                            dc_output *out, int16_t *samples, dc_error *err)
{
    sound_sink sink = {out, 0, {0}};
    SF_VIRTUAL_IO io = {sink_length, sink_seek, sink_read, sink_write,
                        sink_tell};
    SF_INFO info = {.samplerate = 44100, .channels = 2,
                    .format = sound_format(DC_AUDIO_FLAC)};
    SNDFILE *sound = sf_open_virtual(&io, SFM_WRITE, &info, &sink);
    if (sound == NULL)
        return dc_fail(err, sink.err.status != DC_OK ? sink.err.status
                                                     : DC_ERR_OUTPUT,
                       "%s: %s", file->path,
                       sink.err.status != DC_OK ? sink.err.message
                                                : sf_strerror(NULL));
    set_tags(sound, &job->source->disc, file);
    flac_writer writer = {sound, file->path, samples};
    dc_status status = DC_OK;
    for (int i = 0; status == DC_OK && i < file->seg_count; i++)
        status = dc_stream_track(job, file->seg[i].track, file->seg[i].first,
                                 file->seg[i].count, DC_FORM_RAW,
                                 encode_chunk, &writer, err);
    /* Closing writes the final header: its failure is the file's. */
    if (sf_close(sound) != 0 && status == DC_OK)
        status = dc_fail(err, DC_ERR_OUTPUT, "%s: cannot finish the file",
                         file->path);
    if (status == DC_OK && sink.err.status != DC_OK)
        status = dc_fail_advise(err, sink.err.status, sink.err.advice, "%s",
                                sink.err.message);
    return status;
}

/* --- WAV and AIFF: libsndfile frames samples copied straight ------------ */

/* Room for a header or a tail of tags: libsndfile's WAV and AIFF headers
 * take under 100 bytes, CD-TEXT tags a few kilobytes at most. */
#define FRAME_MAX (64 * 1024)

/*
 * A WAV or AIFF file is a header, the disc's samples (byte-swapped for
 * AIFF) and a tail of tags.  libsndfile writes the header and the tail in
 * a rehearsal over the file's full length in which the samples are
 * counted, not kept; then the samples go from the image to the file like
 * any other sectors, through the sector pipeline.  The file holds the
 * bytes libsndfile would have written, without libsndfile copying the
 * samples, and its final header is known before the first sample, so it
 * can go down a pipe.
 */
typedef struct sound_frame {
    const char *path;
    uint8_t head[FRAME_MAX];
    uint8_t tail[FRAME_MAX];
    int64_t data_start;   /* the header's length; -1 while it is written */
    int64_t data_end;
    int64_t length;       /* of the whole file */
    int64_t position;
    bool closing;         /* past the samples: header and tail only */
    bool misplaced;       /* a write we cannot place */
} sound_frame;

static sf_count_t frame_length(void *user)
{
    return ((sound_frame *)user)->length;
}

static sf_count_t frame_seek(sf_count_t offset, int whence, void *user)
{
    sound_frame *f = user;
    int64_t base = whence == SEEK_CUR ? f->position
                   : whence == SEEK_END ? f->length
                                        : 0;
    if (base + offset < 0 || base + offset > f->length)
        return -1;
    f->position = base + offset;
    return f->position;
}

/* What the rehearsal wrote at `at`: the header, silence, or the tail. */
static uint8_t frame_byte(const sound_frame *f, int64_t at)
{
    if (f->data_start < 0 || at < f->data_start)
        return at < FRAME_MAX ? f->head[at] : 0;
    if (at >= f->data_end && at - f->data_end < FRAME_MAX)
        return f->tail[at - f->data_end];
    return 0;
}

static sf_count_t frame_read(void *data, sf_count_t count, void *user)
{
    sound_frame *f = user;
    sf_count_t n = 0;
    for (; n < count && f->position < f->length; n++)
        ((uint8_t *)data)[n] = frame_byte(f, f->position++);
    return n;
}

/* Header bytes are kept, sample bytes only counted.  libsndfile writes
 * the header when the file opens, again (tags and all) before the first
 * sample, and once more when it closes, with the tail. */
static sf_count_t frame_write(const void *data, sf_count_t count, void *user)
{
    sound_frame *f = user;
    int64_t at = f->position, end = at + count;
    bool header = f->data_start < 0 || (f->closing ? end <= f->data_start
                                                   : at == 0);
    if (header && end <= FRAME_MAX) {
        memcpy(f->head + at, data, (size_t)count);
        if (f->data_start >= 0 && !f->closing) { /* samples follow it */
            f->data_end += end - f->data_start;
            f->data_start = end;
        }
    } else if (f->closing && at >= f->data_end &&
               end - f->data_end <= FRAME_MAX) {
        memcpy(f->tail + (at - f->data_end), data, (size_t)count);
    } else if (header || f->closing || at < f->data_start ||
               end > f->data_end) {
        f->misplaced = true;
        return 0;
    }
    f->position = end;
    if (end > f->length)
        f->length = end;
    return count;
}

static sf_count_t frame_tell(void *user)
{
    return ((sound_frame *)user)->position;
}

/* Has libsndfile write the file with `sectors` sectors of silence. */
static dc_status rehearse(dc_write_job *job, const audio_file *file,
                          sound_frame *f, dc_error *err)
{
    static const uint8_t silence[16 * DC_RAW_SECTOR];
    SF_VIRTUAL_IO io = {frame_length, frame_seek, frame_read, frame_write,
                        frame_tell};
    SF_INFO info = {.samplerate = 44100, .channels = 2,
                    .format = sound_format(job->options->audio_format)};
    f->path = file->path;
    f->data_start = -1;
    SNDFILE *sound = sf_open_virtual(&io, SFM_WRITE, &info, f);
    if (sound == NULL)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: %s", file->path,
                       sf_strerror(NULL));
    set_tags(sound, &job->source->disc, file);
    f->data_start = f->position;
    f->data_end = f->data_start + file->length * DC_RAW_SECTOR;
    bool ok = true;
    for (int64_t left = file->length; ok && left > 0; left -= 16) {
        sf_count_t bytes = (left < 16 ? left : 16) * DC_RAW_SECTOR;
        ok = sf_write_raw(sound, silence, bytes) == bytes;
    }
    f->closing = true;
    ok = sf_close(sound) == 0 && ok;
    if (!ok || f->misplaced || f->data_end > f->length)
        return dc_fail(err, DC_ERR_OUTPUT, "%s: libsndfile laid the file out "
                       "in a way discconv does not expect", file->path);
    return DC_OK;
}

static dc_status write_framed(dc_write_job *job, const audio_file *file,
                              dc_output *out, dc_error *err)
{
    sound_frame *f = calloc(1, sizeof *f);
    if (f == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_read_options read = job->options->read;
    /* The disc's samples are little-endian; AIFF's are big-endian. */
    if (job->options->audio_format == DC_AUDIO_AIFF)
        read.swap_audio = !read.swap_audio;
    dc_status status = rehearse(job, file, f, err);
    if (status == DC_OK)
        status = dc_output_write(out, f->head, (size_t)f->data_start, err);
    for (int i = 0; status == DC_OK && i < file->seg_count; i++)
        status = dc_write_sectors_read_as(job, out, file->seg[i].track,
                                          file->seg[i].first,
                                          file->seg[i].count, DC_FORM_RAW,
                                          &read, err);
    if (status == DC_OK)
        status = dc_output_write(out, f->tail,
                                 (size_t)(f->length - f->data_end), err);
    free(f);
    return status;
}

static dc_status write_sound_file(dc_write_job *job, const audio_file *file,
                                  int16_t *samples, dc_error *err)
{
    dc_output *out;
    if (note_if_swapped(job, file, err) != DC_OK ||
        dc_output_set_add(job->outputs, file->path, &out, err) != DC_OK)
        return err->status;
    if (job->options->audio_format == DC_AUDIO_FLAC)
        return write_flac(job, file, out, samples, err);
    return write_framed(job, file, out, err);
}

static dc_status write_sheet(dc_write_job *job, const audio_plan *plan,
                             const char *cue_path, dc_error *err)
{
    dc_cue_file files[DC_MAX_TRACKS + 1];
    for (int i = 0; i < plan->file_count; i++) {
        files[i].name = dc_path_basename(plan->files[i].path);
        files[i].type = job->options->audio_format == DC_AUDIO_AIFF ? "AIFF"
                                                                    : "WAVE";
    }
    dc_cue_layout layout = {
        .file_count = plan->file_count,
        .files = files,
        .tracks = plan->layout,
        .sessions = job->source->disc.session_count > 1,
    };
    dc_output *out;
    char *text = NULL;
    size_t len = 0;
    dc_status status = dc_output_set_add(job->outputs, cue_path, &out, err);
    if (status == DC_OK)
        status = dc_cue_sheet_build(&job->source->disc, &layout, &text, &len,
                                    err);
    if (status == DC_OK)
        status = dc_output_write(out, text, len, err);
    free(text);
    return status;
}

dc_status dc_audio_write_tracks(dc_write_job *job, const char *dir,
                                const char *name, const bool *selected,
                                const char *cue_path, dc_error *err)
{
    const dc_disc *disc = &job->source->disc;
    audio_plan *plan = calloc(1, sizeof *plan);
    int16_t *samples = malloc(DC_STREAM_CHUNK_SECTORS * DC_RAW_SECTOR);
    dc_status status = DC_OK;
    if (plan != NULL)
        plan->layout = calloc((size_t)disc->track_count, sizeof *plan->layout);
    if (plan == NULL || plan->layout == NULL || samples == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (status == DC_OK && plan_files(job, selected, plan, err) == DC_OK &&
        name_files(job, dir, name, plan, err) == DC_OK) {
        for (int i = 0; status == DC_OK && i < plan->file_count; i++)
            status = write_sound_file(job, &plan->files[i], samples, err);
        if (status == DC_OK && cue_path != NULL)
            status = write_sheet(job, plan, cue_path, err);
    }
    if (status == DC_OK)
        status = err->status;
    for (int i = 0; plan != NULL && i < plan->file_count; i++)
        free(plan->files[i].path);
    if (plan != NULL)
        free(plan->layout);
    free(plan);
    free(samples);
    return status;
}

/* One track as one sound file down the stream; no cue sheet. */
dc_status dc_audio_write_stream(dc_write_job *job, const bool *selected,
                               dc_error *err)
{
    audio_plan *plan = calloc(1, sizeof *plan);
    dc_status status = DC_OK;
    if (plan != NULL)
        plan->layout = calloc((size_t)job->source->disc.track_count,
                              sizeof *plan->layout);
    if (plan == NULL || plan->layout == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (plan_files(job, selected, plan, err) != DC_OK)
        status = err->status;
    else if (plan->file_count != 1)
        status = dc_fail(err, DC_ERR_USAGE, "%s: these tracks make %d sound "
                         "files, and a stream takes one: choose one track",
                         job->source->path, plan->file_count);
    if (status == DC_OK) {
        plan->files[0].path = (char *)job->output_path;
        status = write_sound_file(job, &plan->files[0], NULL, err);
    }
    if (plan != NULL)
        free(plan->layout);
    free(plan);
    return status;
}

