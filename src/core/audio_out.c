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
#include "labels.h"
#include "model.h"

#include <FLAC/metadata.h>
#include <FLAC/stream_encoder.h>
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
        /* A track labelled data whose sectors are audio: say so, not
         * "no audio". */
        for (int i = 0; i < disc->track_count; i++) {
            const char *found = dc_labels_contradiction(job->source, i);
            if (found != NULL && selected[i] &&
                disc->tracks[i].mode != DC_MODE_AUDIO)
                return dc_fail(err, DC_ERR_FORMAT, "%s: no track labelled "
                               "audio; %s: correct the label to write it as "
                               "a sound file", job->source->path, found);
        }
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

/* --- tags --------------------------------------------------------------- */

/*
 * What a sound file's tags say, from the model.  The names are the Vorbis
 * comment fields that players and taggers read: the Xiph list
 * (https://xiph.org/vorbis/doc/v-comment.html: TITLE, ARTIST, ALBUM,
 * TRACKNUMBER, GENRE, ISRC) and the de-facto ones MusicBrainz Picard and
 * foobar2000 write for the rest.  The track's CD-TEXT comes first; the
 * disc's stands in for what applies to every track (performer, writers,
 * genre, message).  No disc number: nothing on a CD says which disc of a
 * set it is, so DISCNUMBER is never written.
 */
typedef enum tag {
    TAG_TITLE,
    TAG_ARTIST,
    TAG_ALBUM,
    TAG_ALBUM_ARTIST,
    TAG_TRACK,
    TAG_TOTAL,
    TAG_ISRC,
    TAG_BARCODE,
    TAG_CATALOG_MCN,
    TAG_CATALOG,
    TAG_LYRICIST,
    TAG_COMPOSER,
    TAG_ARRANGER,
    TAG_GENRE,
    TAG_COMMENT,
    TAG_COUNT
} tag;

static const struct {
    const char *field;  /* the Vorbis comment's name */
    const char *what;   /* in a note about what a format cannot hold */
} tag_names[TAG_COUNT] = {
    [TAG_TITLE] = {"TITLE", "title"},
    [TAG_ARTIST] = {"ARTIST", "artist"},
    [TAG_ALBUM] = {"ALBUM", "album"},
    [TAG_ALBUM_ARTIST] = {"ALBUMARTIST", "album artist"},
    [TAG_TRACK] = {"TRACKNUMBER", "track number"},
    /* Picard writes the count under both names, as readers look for one
     * or the other (foobar2000 TOTALTRACKS, most others TRACKTOTAL). */
    [TAG_TOTAL] = {"TRACKTOTAL", "track count"},
    [TAG_ISRC] = {"ISRC", "ISRC"},
    /* The MCN is the disc's UPC/EAN bar code: Picard's BARCODE.  Rippers
     * that know only the MCN (and this project's issue) call it the
     * CATALOGNUMBER, so it goes there too; Picard's CATALOGNUMBER is the
     * label's catalogue number, which is what CD-TEXT DISC_ID carries
     * ("SRCL-1234"): a second CATALOGNUMBER when it differs. */
    [TAG_BARCODE] = {"BARCODE", "MCN"},
    [TAG_CATALOG_MCN] = {"CATALOGNUMBER", "MCN"},
    [TAG_CATALOG] = {"CATALOGNUMBER", "disc id"},
    /* CD-TEXT's songwriter, composer and arranger are the lyrics, music
     * and arrangement credits (Japanese 作詞, 作曲, 編曲). */
    [TAG_LYRICIST] = {"LYRICIST", "songwriter"},
    [TAG_COMPOSER] = {"COMPOSER", "composer"},
    [TAG_ARRANGER] = {"ARRANGER", "arranger"},
    [TAG_GENRE] = {"GENRE", "genre"},
    [TAG_COMMENT] = {"COMMENT", "message"},
};

typedef struct track_tags {
    const char *value[TAG_COUNT];  /* NULL: not known */
    char number[8];
    char total[8];
    char isrc[13];
} track_tags;

/* The track's CD-TEXT field, else the disc's. */
static const char *track_or_disc(const dc_disc *disc, const dc_track *track,
                                 dc_cdtext_field field)
{
    return track->cdtext.field[field] != NULL ? track->cdtext.field[field]
                                              : disc->cdtext.field[field];
}

static bool all_digits(const char *s, size_t length)
{
    if (s == NULL || strlen(s) != length)
        return false;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* CD-TEXT's ISRC as the 12-character code, hyphens (the printed form,
 * "DE-GNU-11-00001") taken out; NULL when it is no ISRC. */
static const char *cdtext_isrc(const char *text, char code[13])
{
    size_t len = 0;
    for (; text != NULL && *text != '\0' && len < 13; text++)
        if (*text != '-')
            code[len++] = *text;
    if (text == NULL || *text != '\0' || len != 12)
        return NULL;
    code[len] = '\0';
    return dc_isrc_valid(code) ? code : NULL;
}

/* Hidden track one audio (number 0) is no track of its own: it takes the
 * disc's tags and the number 0, but not track 1's title or ISRC. */
static void gather_tags(const dc_disc *disc, const audio_file *file,
                        track_tags *t)
{
    const dc_track *track = &disc->tracks[file->track];
    const char *upc = disc->cdtext.field[DC_CDTEXT_UPC_ISRC];
    bool own = file->number != 0;
    memset(t, 0, sizeof *t);
    snprintf(t->number, sizeof t->number, "%d", file->number);
    snprintf(t->total, sizeof t->total, "%d",
             disc->tracks[disc->track_count - 1].number);
    t->value[TAG_TITLE] = own ? track->cdtext.field[DC_CDTEXT_TITLE] : NULL;
    t->value[TAG_ARTIST] = track_or_disc(disc, track, DC_CDTEXT_PERFORMER);
    t->value[TAG_ALBUM] = disc->cdtext.field[DC_CDTEXT_TITLE];
    t->value[TAG_ALBUM_ARTIST] = disc->cdtext.field[DC_CDTEXT_PERFORMER];
    t->value[TAG_TRACK] = t->number;
    t->value[TAG_TOTAL] = t->total;
    /* The subchannel's ISRC, else CD-TEXT's (the same code, as text). */
    if (own && track->isrc[0] != '\0')
        t->value[TAG_ISRC] = track->isrc;
    else if (own)
        t->value[TAG_ISRC] = cdtext_isrc(
            track->cdtext.field[DC_CDTEXT_UPC_ISRC], t->isrc);
    /* The subchannel's MCN, else CD-TEXT's UPC/EAN (12 or 13 digits). */
    if (disc->mcn[0] != '\0')
        t->value[TAG_BARCODE] = disc->mcn;
    else if (all_digits(upc, 13) || all_digits(upc, 12))
        t->value[TAG_BARCODE] = upc;
    t->value[TAG_CATALOG_MCN] = t->value[TAG_BARCODE];
    const char *disc_id = disc->cdtext.field[DC_CDTEXT_DISC_ID];
    if (disc_id == NULL || t->value[TAG_BARCODE] == NULL ||
        strcmp(disc_id, t->value[TAG_BARCODE]) != 0)
        t->value[TAG_CATALOG] = disc_id;
    t->value[TAG_LYRICIST] = track_or_disc(disc, track, DC_CDTEXT_SONGWRITER);
    t->value[TAG_COMPOSER] = track_or_disc(disc, track, DC_CDTEXT_COMPOSER);
    t->value[TAG_ARRANGER] = track_or_disc(disc, track, DC_CDTEXT_ARRANGER);
    t->value[TAG_GENRE] = track_or_disc(disc, track, DC_CDTEXT_GENRE);
    t->value[TAG_COMMENT] = track_or_disc(disc, track, DC_CDTEXT_MESSAGE);
    for (int i = 0; i < TAG_COUNT; i++)
        if (t->value[i] != NULL && t->value[i][0] == '\0')
            t->value[i] = NULL;
}

/*
 * What libsndfile can write (sf_set_string, libsndfile 1.2):
 *   WAV  LIST/INFO: INAM title, IART artist, IPRD album, ITRK track
 *        number, IGNR genre, ICMT comment, ISFT software (and ICOP, ICRD,
 *        which a disc does not tell).
 *   AIFF NAME title, AUTH artist, ANNO comment, APPL software (and (c)).
 * Neither has a field for the ISRC or the MCN, so those two go in the
 * comment ("ISRC ...; MCN ..."), after the CD-TEXT message.  RIFF INFO's
 * own "ISRC" id is not the recording code but the file's Source (who
 * supplied it, RIFF 1991), so the code does not go there.  What else a
 * format has no place for is left out, and said (tags_lost).
 */
static unsigned sound_tags_held(dc_audio_format format)
{
    unsigned both = 1u << TAG_TITLE | 1u << TAG_ARTIST | 1u << TAG_ISRC |
                    1u << TAG_BARCODE | 1u << TAG_CATALOG_MCN |
                    1u << TAG_COMMENT;
    switch (format) {
    case DC_AUDIO_WAV:
        return both | 1u << TAG_ALBUM | 1u << TAG_TRACK | 1u << TAG_GENRE;
    case DC_AUDIO_AIFF:
        return both;
    case DC_AUDIO_FLAC:
        break;
    }
    return (1u << TAG_COUNT) - 1;
}

/* The tags with a value that the format cannot hold.  The track number
 * and count are not counted: the file's name and the cue sheet keep
 * them.  The album artist is lost only where it is not the artist. */
static unsigned tags_lost(dc_audio_format format, const track_tags *t)
{
    unsigned lost = 0;
    for (int i = 0; i < TAG_COUNT; i++)
        if (t->value[i] != NULL && !(sound_tags_held(format) & 1u << i) &&
            i != TAG_TRACK && i != TAG_TOTAL)
            lost |= 1u << i;
    if (t->value[TAG_ARTIST] != NULL && t->value[TAG_ALBUM_ARTIST] != NULL &&
        strcmp(t->value[TAG_ARTIST], t->value[TAG_ALBUM_ARTIST]) == 0)
        lost &= ~(1u << TAG_ALBUM_ARTIST);
    return lost;
}

/* One note for the whole job naming what its files left out. */
static void note_tags_lost(dc_write_job *job, unsigned lost)
{
    char list[256] = "";
    int left = 0;
    for (int i = 0; i < TAG_COUNT; i++)
        left += (lost >> i) & 1;
    for (int i = 0; i < TAG_COUNT; i++) {
        if (!(lost & 1u << i))
            continue;
        size_t len = strlen(list);
        left--;
        snprintf(list + len, sizeof list - len, "%s%s",
                 tag_names[i].what, left > 1 ? ", " : left == 1 ? " and " : "");
    }
    if (lost != 0)
        dc_job_note(job, "%s files have no place for the %s: left out of "
                    "their tags (FLAC holds them)",
                    job->options->audio_format == DC_AUDIO_AIFF ? "AIFF"
                                                                : "WAV",
                    list);
}

/* The comment of a WAV or AIFF file: the CD-TEXT message, then the codes
 * that have no field of their own; "" when there is none, NULL when out of
 * memory. */
static char *sound_comment(const track_tags *t)
{
    const char *message = t->value[TAG_COMMENT];
    size_t size = (message != NULL ? strlen(message) : 0) + 64;
    char *comment = malloc(size);
    if (comment == NULL)
        return NULL;
    int len = snprintf(comment, size, "%s", message != NULL ? message : "");
    if (t->value[TAG_ISRC] != NULL)
        len += snprintf(comment + len, size - (size_t)len, "%sISRC %s",
                        len > 0 ? "; " : "", t->value[TAG_ISRC]);
    if (t->value[TAG_BARCODE] != NULL)
        len += snprintf(comment + len, size - (size_t)len, "%sMCN %s",
                        len > 0 ? "; " : "", t->value[TAG_BARCODE]);
    return comment;
}

/* The tags of a WAV or AIFF file, through libsndfile (see above); false
 * when out of memory. */
static bool set_sound_tags(SNDFILE *sound, const track_tags *t)
{
    static const int strings[TAG_COUNT] = {
        [TAG_TITLE] = SF_STR_TITLE, [TAG_ARTIST] = SF_STR_ARTIST,
        [TAG_ALBUM] = SF_STR_ALBUM, [TAG_TRACK] = SF_STR_TRACKNUMBER,
        [TAG_GENRE] = SF_STR_GENRE,
    };
    for (int i = 0; i < TAG_COUNT; i++)
        if (strings[i] != 0 && t->value[i] != NULL)
            sf_set_string(sound, strings[i], t->value[i]);
    char *comment = sound_comment(t);
    if (comment == NULL)
        return false;
    if (comment[0] != '\0')
        sf_set_string(sound, SF_STR_COMMENT, comment);
    free(comment);
    sf_set_string(sound, SF_STR_SOFTWARE, "discconv " DC_VERSION);
    return true;
}

/* --- writing the files -------------------------------------------------- */

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

/* --- FLAC: libFLAC encodes the samples, with the tags ------------------- */

/*
 * libFLAC's stream encoder, not libsndfile: libsndfile writes only its ten
 * SF_STR_* strings, under lower-case names, so ALBUMARTIST, TRACKTOTAL,
 * ISRC, BARCODE, COMPOSER... could only be added by rewriting the finished
 * file with the metadata API (a second pass over every file).  Encoding
 * with libFLAC itself puts the VORBIS_COMMENT block in place before the
 * first frame, in the same single pass over the samples, with the same
 * encoder and compression level (5) libsndfile used, so the frames are as
 * before.  A PADDING block, as the flac tool leaves, lets a tagger edit the
 * tags without rewriting the file.
 */
#define FLAC_COMPRESSION 5
#define FLAC_PADDING 8192

typedef struct flac_writer {
    FLAC__StreamEncoder *encoder;
    const char *path;
    dc_output *out;
    int64_t position;
    dc_error err;       /* what the output said when a callback failed */
    FLAC__int32 *samples;  /* DC_STREAM_CHUNK_SECTORS sectors of room */
} flac_writer;

static FLAC__StreamEncoderWriteStatus flac_write(
    const FLAC__StreamEncoder *encoder, const FLAC__byte buffer[],
    size_t bytes, uint32_t samples, uint32_t frame, void *user)
{
    flac_writer *w = user;
    if (dc_output_write_at(w->out, w->position, buffer, bytes, &w->err) !=
        DC_OK)
        return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
    w->position += (int64_t)bytes;
    return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

/* The encoder seeks back to complete STREAMINFO (sizes, MD5) at the end. */
static FLAC__StreamEncoderSeekStatus flac_seek(
    const FLAC__StreamEncoder *encoder, FLAC__uint64 offset, void *user)
{
    flac_writer *w = user;
    if (offset > (FLAC__uint64)dc_output_position(w->out))
        return FLAC__STREAM_ENCODER_SEEK_STATUS_ERROR;
    w->position = (int64_t)offset;
    return FLAC__STREAM_ENCODER_SEEK_STATUS_OK;
}

static FLAC__StreamEncoderTellStatus flac_tell(
    const FLAC__StreamEncoder *encoder, FLAC__uint64 *offset, void *user)
{
    *offset = (FLAC__uint64)((flac_writer *)user)->position;
    return FLAC__STREAM_ENCODER_TELL_STATUS_OK;
}

static bool add_comment(FLAC__StreamMetadata *block, const char *name,
                        const char *value)
{
    FLAC__StreamMetadata_VorbisComment_Entry entry;
    /* The model's text is UTF-8, so only memory can fail here. */
    return FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(
               &entry, name, value) &&
           FLAC__metadata_object_vorbiscomment_append_comment(block, entry,
                                                              false);
}

/* The VORBIS_COMMENT block of a track's tags, or NULL (out of memory). */
static FLAC__StreamMetadata *vorbis_comments(const track_tags *t)
{
    FLAC__StreamMetadata *block =
        FLAC__metadata_object_new(FLAC__METADATA_TYPE_VORBIS_COMMENT);
    bool ok = block != NULL;
    for (int i = 0; ok && i < TAG_COUNT; i++) {
        if (t->value[i] != NULL)
            ok = add_comment(block, tag_names[i].field, t->value[i]);
        if (ok && i == TAG_TOTAL)
            ok = add_comment(block, "TOTALTRACKS", t->total);
    }
    ok = ok && add_comment(block, "ENCODER", "discconv " DC_VERSION);
    if (!ok && block != NULL) {
        FLAC__metadata_object_delete(block);
        block = NULL;
    }
    return block;
}

/* Why the encoder stopped: the output's error, or the encoder's. */
static dc_status flac_failed(flac_writer *w, dc_error *err)
{
    if (w->err.status != DC_OK)
        return dc_fail_advise(err, w->err.status, w->err.advice, "%s",
                              w->err.message);
    return dc_fail(err, DC_ERR_OUTPUT, "%s: FLAC encoder: %s", w->path,
                   FLAC__stream_encoder_get_resolved_state_string(
                       w->encoder));
}

static dc_status encode_chunk(void *context, const uint8_t *bytes,
                              int64_t count, dc_error *err)
{
    flac_writer *w = context;
    size_t n = (size_t)count * SAMPLES_PER_SECTOR;
    for (size_t i = 0; i < n; i++)
        w->samples[i] = le16(bytes + 2 * i);
    if (!FLAC__stream_encoder_process_interleaved(w->encoder, w->samples,
                                                  (uint32_t)(n / 2)))
        return flac_failed(w, err);
    return DC_OK;
}

/* Sets up the encoder for a file of `frames` stereo frames with these
 * metadata blocks.  The setters only refuse an encoder already started;
 * starting it checks the settings. */
static void flac_setup(FLAC__StreamEncoder *encoder, int64_t frames,
                       FLAC__StreamMetadata **blocks, unsigned count)
{
    FLAC__stream_encoder_set_channels(encoder, 2);
    FLAC__stream_encoder_set_bits_per_sample(encoder, 16);
    FLAC__stream_encoder_set_sample_rate(encoder, 44100);
    FLAC__stream_encoder_set_compression_level(encoder, FLAC_COMPRESSION);
    /* Known: STREAMINFO has the right length from the first write on. */
    FLAC__stream_encoder_set_total_samples_estimate(encoder,
                                                    (FLAC__uint64)frames);
    FLAC__stream_encoder_set_metadata(encoder, blocks, count);
}

static dc_status write_flac(dc_write_job *job, const audio_file *file,
                            const track_tags *tags, dc_output *out,
                            dc_error *err)
{
    flac_writer w = {FLAC__stream_encoder_new(), file->path, out, 0, {0},
                     malloc(DC_STREAM_CHUNK_SECTORS * SAMPLES_PER_SECTOR *
                            sizeof(FLAC__int32))};
    FLAC__StreamMetadata *blocks[2] = {
        vorbis_comments(tags),
        FLAC__metadata_object_new(FLAC__METADATA_TYPE_PADDING)};
    dc_status status = DC_OK;
    if (w.encoder == NULL || w.samples == NULL || blocks[0] == NULL ||
        blocks[1] == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (status == DC_OK) {
        blocks[1]->length = FLAC_PADDING;
        flac_setup(w.encoder, file->length * SAMPLES_PER_SECTOR / 2, blocks,
                   2);
        FLAC__StreamEncoderInitStatus init = FLAC__stream_encoder_init_stream(
            w.encoder, flac_write, flac_seek, flac_tell, NULL, &w);
        if (init != FLAC__STREAM_ENCODER_INIT_STATUS_OK)
            status = dc_fail(err, DC_ERR_OUTPUT, "%s: FLAC encoder: %s",
                             file->path,
                             FLAC__StreamEncoderInitStatusString[init]);
    }
    for (int i = 0; status == DC_OK && i < file->seg_count; i++)
        status = dc_stream_track(job, file->seg[i].track, file->seg[i].first,
                                 file->seg[i].count, DC_FORM_RAW,
                                 encode_chunk, &w, err);
    /* Finishing writes the last frame and completes STREAMINFO: its
     * failure is the file's. */
    if (status == DC_OK && !FLAC__stream_encoder_finish(w.encoder))
        status = flac_failed(&w, err);
    if (w.encoder != NULL)
        FLAC__stream_encoder_delete(w.encoder);
    for (int i = 0; i < 2; i++)
        if (blocks[i] != NULL)
            FLAC__metadata_object_delete(blocks[i]);
    free(w.samples);
    return status;
}

/* --- WAV and AIFF: libsndfile frames samples copied straight ------------ */

static int sound_format(dc_audio_format format)
{
    return (format == DC_AUDIO_AIFF ? SF_FORMAT_AIFF : SF_FORMAT_WAV) |
           SF_FORMAT_PCM_16;
}

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
                          const track_tags *tags, sound_frame *f,
                          dc_error *err)
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
    if (!set_sound_tags(sound, tags)) {
        sf_close(sound);
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    }
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
                              const track_tags *tags, dc_output *out,
                              dc_error *err)
{
    sound_frame *f = calloc(1, sizeof *f);
    if (f == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    dc_read_options read = job->options->read;
    /* The disc's samples are little-endian; AIFF's are big-endian. */
    if (job->options->audio_format == DC_AUDIO_AIFF)
        read.swap_audio = !read.swap_audio;
    dc_status status = rehearse(job, file, tags, f, err);
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

/* Writes one sound file; adds the tags it had no place for to *lost. */
static dc_status write_sound_file(dc_write_job *job, const audio_file *file,
                                  unsigned *lost, dc_error *err)
{
    dc_audio_format format = job->options->audio_format;
    track_tags tags;
    dc_output *out;
    gather_tags(&job->source->disc, file, &tags);
    *lost |= tags_lost(format, &tags);
    if (note_if_swapped(job, file, err) != DC_OK ||
        dc_output_set_add(job->outputs, file->path, &out, err) != DC_OK)
        return err->status;
    if (format == DC_AUDIO_FLAC)
        return write_flac(job, file, &tags, out, err);
    return write_framed(job, file, &tags, out, err);
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
    dc_status status = DC_OK;
    unsigned lost = 0;
    if (plan != NULL)
        plan->layout = calloc((size_t)disc->track_count, sizeof *plan->layout);
    if (plan == NULL || plan->layout == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    if (status == DC_OK && dc_labels_check_sound(job, selected, err) == DC_OK &&
        plan_files(job, selected, plan, err) == DC_OK &&
        name_files(job, dir, name, plan, err) == DC_OK) {
        for (int i = 0; status == DC_OK && i < plan->file_count; i++)
            status = write_sound_file(job, &plan->files[i], &lost, err);
        if (status == DC_OK)
            note_tags_lost(job, lost);
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
    return status;
}

/* One track as one sound file down the stream; no cue sheet. */
dc_status dc_audio_write_stream(dc_write_job *job, const bool *selected,
                               dc_error *err)
{
    audio_plan *plan = calloc(1, sizeof *plan);
    dc_status status = DC_OK;
    unsigned lost = 0;
    if (plan != NULL)
        plan->layout = calloc((size_t)job->source->disc.track_count,
                              sizeof *plan->layout);
    if (plan == NULL || plan->layout == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    else if (dc_labels_check_sound(job, selected, err) != DC_OK ||
             plan_files(job, selected, plan, err) != DC_OK)
        status = err->status;
    else if (plan->file_count != 1)
        status = dc_fail(err, DC_ERR_USAGE, "%s: these tracks make %d sound "
                         "files, and a stream takes one: choose one track",
                         job->source->path, plan->file_count);
    if (status == DC_OK) {
        plan->files[0].path = (char *)job->output_path;
        status = write_sound_file(job, &plan->files[0], &lost, err);
    }
    if (status == DC_OK)
        note_tags_lost(job, lost);
    if (plan != NULL)
        free(plan->layout);
    free(plan);
    return status;
}

