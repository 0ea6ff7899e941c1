/* The track-and-sector model: building it, checking it, freeing it.  The
 * CD-TEXT pack codec declared in model.h is in cdtext.c. */
#include "model.h"
#include "paths.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES_PER_SECOND 75
#define SECONDS_PER_MINUTE 60

const dc_flag_name dc_flag_names[DC_FLAG_NAME_COUNT] = {
    {DC_FLAG_DCP, "DCP"}, {DC_FLAG_4CH, "4CH"},
    {DC_FLAG_PRE, "PRE"}, {DC_FLAG_SCMS, "SCMS"},
};

dc_track *dc_disc_add_track(dc_disc *disc, dc_error *err)
{
    if (disc->track_count >= DC_MAX_TRACKS) {
        dc_fail(err, DC_ERR_FORMAT, "more than %d tracks", DC_MAX_TRACKS);
        return NULL;
    }
    dc_track *grown = realloc(disc->tracks,
                              (size_t)(disc->track_count + 1) * sizeof *grown);
    if (grown == NULL) {
        dc_fail(err, DC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    disc->tracks = grown;
    dc_track *track = &grown[disc->track_count++];
    memset(track, 0, sizeof *track);
    track->session = 1;
    if (disc->session_count < 1)
        disc->session_count = 1;
    return track;
}

dc_status dc_track_add_index(dc_track *track, int number, int64_t offset,
                             dc_error *err)
{
    if (track->index_count >= DC_MAX_INDEXES)
        return dc_fail(err, DC_ERR_FORMAT, "track %d has too many indexes",
                       track->number);
    track->index[track->index_count].number = number;
    track->index[track->index_count].offset = offset;
    track->index_count++;
    return DC_OK;
}

dc_status dc_cdtext_set(dc_cdtext *text, dc_cdtext_field field,
                        const char *value, dc_error *err)
{
    char *copy = dc_strdup(value);
    if (copy == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(text->field[field]);
    text->field[field] = copy;
    return DC_OK;
}

dc_status dc_disc_add_comment(dc_disc *disc, const char *text, dc_error *err)
{
    char **grown = realloc(disc->comments,
                           (size_t)(disc->comment_count + 1) * sizeof *grown);
    if (grown == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    disc->comments = grown;
    grown[disc->comment_count] = dc_strdup(text);
    if (grown[disc->comment_count] == NULL)
        return dc_fail(err, DC_ERR_NOMEM, "out of memory");
    disc->comment_count++;
    return DC_OK;
}

dc_status dc_disc_validate(const dc_disc *disc, const char *origin,
                           dc_error *err)
{
    if (disc->track_count == 0)
        return dc_fail(err, DC_ERR_FORMAT, "%s: no tracks", origin);
    int64_t previous_end = INT64_MIN, generated = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        /* Gaps no file holds get written out as silence: keep them to
         * what a CD can have, whatever the sheet says. */
        generated += t->pregap_unstored + t->postgap_unstored;
        if (t->pregap_unstored < 0 || t->postgap_unstored < 0 ||
            generated > DC_MAX_DISC_SECTORS)
            return dc_fail(err, DC_ERR_FORMAT, "%s: the gaps the image does "
                           "not store add up to more than a whole CD (track "
                           "%d)", origin, t->number);
        if (t->number < 1 || t->number > DC_MAX_TRACKS)
            return dc_fail(err, DC_ERR_FORMAT, "%s: track number %d out of "
                           "range 1-99", origin, t->number);
        if (i > 0 && t->number <= disc->tracks[i - 1].number)
            return dc_fail(err, DC_ERR_FORMAT, "%s: track %d follows track "
                           "%d", origin, t->number, disc->tracks[i - 1].number);
        if (t->length <= 0)
            return dc_fail(err, DC_ERR_FORMAT, "%s: track %d has no sectors",
                           origin, t->number);
        bool has_index1 = false;
        for (int k = 0; k < t->index_count; k++) {
            if (t->index[k].number == 1)
                has_index1 = true;
            if (t->index[k].offset < 0 || t->index[k].offset >= t->length)
                return dc_fail(err, DC_ERR_FORMAT, "%s: track %d index %02d "
                               "lies outside the track", origin, t->number,
                               t->index[k].number);
            if (k > 0 && (t->index[k].number <= t->index[k - 1].number ||
                          t->index[k].offset < t->index[k - 1].offset))
                return dc_fail(err, DC_ERR_FORMAT, "%s: track %d indexes are "
                               "out of order", origin, t->number);
        }
        if (!has_index1)
            return dc_fail(err, DC_ERR_FORMAT, "%s: track %d has no INDEX 01",
                           origin, t->number);
        int64_t start = t->start_lba - t->pregap_unstored;
        if (start < previous_end)
            return dc_fail(err, DC_ERR_FORMAT, "%s: track %d overlaps the "
                           "track before it", origin, t->number);
        previous_end = t->start_lba + t->length + t->postgap_unstored;
    }
    return DC_OK;
}

static void free_cdtext(dc_cdtext *text)
{
    for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
        free(text->field[f]);
}

void dc_disc_free(dc_disc *disc)
{
    for (int i = 0; i < disc->track_count; i++)
        for (int b = 0; b < DC_CDTEXT_MAX_BLOCKS; b++)
            free_cdtext((dc_cdtext *)dc_track_cdtext(&disc->tracks[i], b));
    free(disc->tracks);
    for (int b = 0; b < DC_CDTEXT_MAX_BLOCKS; b++)
        free_cdtext((dc_cdtext *)dc_disc_cdtext(disc, b));
    free(disc->cdtext_packs);
    for (int i = 0; i < disc->comment_count; i++)
        free(disc->comments[i]);
    free(disc->comments);
    memset(disc, 0, sizeof *disc);
}

/* Parses a run of 1..max_digits decimal digits. */
static bool parse_number(const char **p, int max_digits, int64_t *value)
{
    int digits = 0;
    *value = 0;
    while (isdigit((unsigned char)**p) && digits < max_digits) {
        *value = *value * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits > 0 && !isdigit((unsigned char)**p);
}

bool dc_msf_parse(const char *text, int64_t *frames)
{
    int64_t m, s, f;
    const char *p = text;
    if (!parse_number(&p, 6, &m) || *p++ != ':' ||
        !parse_number(&p, 2, &s) || *p++ != ':' ||
        !parse_number(&p, 2, &f) || *p != '\0')
        return false;
    if (s >= SECONDS_PER_MINUTE || f >= FRAMES_PER_SECOND)
        return false;
    *frames = (m * SECONDS_PER_MINUTE + s) * FRAMES_PER_SECOND + f;
    return true;
}

void dc_msf_format(int64_t frames, char *buffer)
{
    const char *sign = frames < 0 ? "-" : "";
    if (frames < 0)
        frames = -frames;
    snprintf(buffer, DC_MSF_TEXT_SIZE, "%s%02lld:%02lld:%02lld", sign,
             (long long)(frames / (SECONDS_PER_MINUTE * FRAMES_PER_SECOND)),
             (long long)(frames / FRAMES_PER_SECOND % SECONDS_PER_MINUTE),
             (long long)(frames % FRAMES_PER_SECOND));
}

/* --- choosing tracks ---------------------------------------------------- */

/* One track number, 1..99, at *p; moves past it. */
static bool read_track_number(const char **p, long *number)
{
    if (!isdigit((unsigned char)**p))
        return false;
    char *end;
    *number = strtol(*p, &end, 10);
    *p = end;
    return *number >= 1 && *number <= DC_MAX_TRACKS;
}

dc_status dc_track_list_parse(const char *list,
                              bool wanted[DC_MAX_TRACKS + 1], dc_error *err)
{
    memset(wanted, 0, (DC_MAX_TRACKS + 1) * sizeof *wanted);
    for (const char *p = list;;) {
        long from, to;
        bool ok = read_track_number(&p, &from);
        to = from;
        if (ok && *p == '-') {
            p++;
            ok = read_track_number(&p, &to) && to >= from;
        }
        if (!ok || (*p != ',' && *p != '\0'))
            return dc_fail_advise(err, DC_ERR_USAGE, DC_ADVICE_CHOOSE_TRACKS,
                                  "a track list takes track numbers from 1 "
                                  "to %d and ranges, such as 1,3-5, not '%s'",
                                  DC_MAX_TRACKS, list);
        for (long n = from; n <= to; n++)
            wanted[n] = true;
        if (*p++ == '\0')
            return DC_OK;
    }
}

/* Appends "n" or "n-m" to a list being written. */
static void append_range(char *text, size_t size, int from, int to)
{
    size_t used = strlen(text);
    if (used + 1 >= size)
        return;
    snprintf(text + used, size - used, from == to ? "%s%d" : "%s%d-%d",
             used > 0 ? ", " : "", from, to);
}

void dc_disc_describe_tracks(const dc_disc *disc, bool audio_only,
                             char *text, size_t size)
{
    char ranges[DC_TRACK_TEXT_SIZE] = "";
    int count = 0, from = 0, last = 0;
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        if (audio_only && t->mode != DC_MODE_AUDIO)
            continue;
        if (count > 0 && t->number != last + 1) {
            append_range(ranges, sizeof ranges, from, last);
            from = t->number;
        } else if (count == 0) {
            from = t->number;
        }
        last = t->number;
        count++;
    }
    if (count > 0)
        append_range(ranges, sizeof ranges, from, last);
    if (count == 0)
        snprintf(text, size, "no %stracks", audio_only ? "audio " : "");
    else
        snprintf(text, size, "%s %s", count == 1 ? "track" : "tracks",
                 ranges);
}

/* --- public helpers ----------------------------------------------------- */

int64_t dc_track_pregap(const dc_track *track)
{
    for (int k = 0; k < track->index_count; k++)
        if (track->index[k].number == 1)
            return track->index[k].offset;
    return 0;
}

int64_t dc_track_index1_lba(const dc_track *track)
{
    return track->start_lba + dc_track_pregap(track);
}

bool dc_track_is_data(const dc_track *track)
{
    return track->mode != DC_MODE_AUDIO;
}

unsigned dc_track_user_size(const dc_track *track)
{
    switch (track->mode) {
    case DC_MODE_AUDIO: return DC_RAW_SECTOR;
    case DC_MODE_MODE2: return 2336;
    case DC_MODE_MODE2_FORM2: return 2324;
    case DC_MODE_MODE1:
    case DC_MODE_MODE2_FORM1:
    case DC_MODE_MODE2_MIXED: return 2048;
    }
    return 2048;
}

const char *dc_track_mode_name(dc_track_mode mode)
{
    switch (mode) {
    case DC_MODE_AUDIO: return "audio";
    case DC_MODE_MODE1: return "mode1";
    case DC_MODE_MODE2: return "mode2";
    case DC_MODE_MODE2_FORM1: return "mode2-form1";
    case DC_MODE_MODE2_FORM2: return "mode2-form2";
    case DC_MODE_MODE2_MIXED: return "mode2-xa";
    }
    return "unknown";
}

bool dc_isrc_valid(const char *s)
{
    if (strlen(s) != 12)
        return false;
    for (int i = 0; i < 12; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = i < 2 ? isalpha(c) : i < 5 ? isalnum(c) : isdigit(c);
        if (!ok)
            return false;
    }
    return true;
}
