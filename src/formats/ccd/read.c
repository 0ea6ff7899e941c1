/*
 * Reading CloneCD images (ccd.h describes the files): the .ccd's INI text,
 * its TOC as tracks, the .img and .sub as sectors; and the dc_format_ccd
 * descriptor.
 *
 * Reading: the [Entry] sections are the TOC.  A track runs from its start
 * (PLBA less its stored pregap, from [TRACK] INDEX 0/1) to the next track's
 * start, or to its session's lead-out (point A2).  The .img holds those
 * runs back to back.  INDEX values are taken, as libmirage does, relative
 * to the session's start: their differences give the pregaps.  The mode
 * comes from the sector at INDEX 01 when [TRACK] MODE disagrees (libmirage
 * met images with wrong MODE values).  With a .sub every track is served
 * as 2448-byte sectors, subchannel interleaved as the model wants.
 *
 * File access goes through the few functions under "Files" below.
 */
#include "ccd.h"
#include "format.h"
#include "model.h"
#include "sector.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CCD_SIZE (1024 * 1024)   /* a 99-track .ccd with CD-TEXT: ~40 KB */
#define MAX_ENTRIES 400              /* 3 per session + 99 tracks + B0/C0 */
#define MAX_CDTEXT_PACKS 2048        /* 8 blocks of 256 packs */
#define READ_BATCH 64                /* sectors interleaved per read */

/* ---------------------------------------------------------------------- */
/* Files (the only place that opens or reads them)                         */
/* ---------------------------------------------------------------------- */

typedef struct ccd_state {
    dc_source *img;
    dc_source *sub;          /* NULL without a .sub */
    bool has_sub;
    int64_t track_sector[DC_MAX_TRACKS]; /* .img sector of stored sector 0 */
    uint8_t *batch;          /* READ_BATCH sectors of .img then of .sub */
} ccd_state;

/* The same-stem companion with extension `ext` of the .ccd, or NULL. */
static char *find_companion(dc_image *image, const char *ccd_path,
                            const char *ext)
{
    char *dir = dc_path_dirname(ccd_path);
    char *stem = dc_path_stem(ccd_path);
    char *name = NULL, *found = NULL;
    if (dir != NULL && stem != NULL &&
        (name = malloc(strlen(stem) + strlen(ext) + 2)) != NULL) {
        sprintf(name, "%s.%s", stem, ext);
        found = dc_image_find_file(image, dir, name);
    }
    free(dir);
    free(stem);
    free(name);
    return found;
}


static dc_status read_img(ccd_state *s, int64_t sector, int64_t count,
                          uint8_t *out, dc_error *err)
{
    return dc_source_read_at(s->img, sector * DC_RAW_SECTOR, out,
                             (size_t)count * DC_RAW_SECTOR, err);
}

static dc_status read_sub(ccd_state *s, int64_t sector, int64_t count,
                          uint8_t *out, dc_error *err)
{
    return dc_source_read_at(s->sub, sector * DC_SUBCHANNEL_SIZE, out,
                             (size_t)count * DC_SUBCHANNEL_SIZE, err);
}


/* ---------------------------------------------------------------------- */
/* Subchannel layouts                                                      */
/* ---------------------------------------------------------------------- */

/* Linear (12 bytes per channel, P first) to interleaved (one bit of each
 * channel per byte, P in bit 7). */
static void sub_interleave(const uint8_t *linear, uint8_t *interleaved)
{
    for (int i = 0; i < DC_SUBCHANNEL_SIZE; i++) {
        uint8_t b = 0;
        for (int c = 0; c < 8; c++)
            b |= (uint8_t)(((linear[c * 12 + i / 8] >> (7 - i % 8)) & 1)
                           << (7 - c));
        interleaved[i] = b;
    }
}

void ccd_sub_deinterleave(const uint8_t *interleaved, uint8_t *linear)
{
    memset(linear, 0, DC_SUBCHANNEL_SIZE);
    for (int i = 0; i < DC_SUBCHANNEL_SIZE; i++)
        for (int c = 0; c < 8; c++)
            linear[c * 12 + i / 8] |=
                (uint8_t)(((interleaved[i] >> (7 - c)) & 1) << (7 - i % 8));
}

/* ---------------------------------------------------------------------- */
/* The INI text                                                            */
/* ---------------------------------------------------------------------- */

typedef struct ccd_value {
    bool set;
    int line;
    long long value;
} ccd_value;

typedef struct ccd_entry {
    int line;                /* of its [Entry N] header */
    ccd_value session, point, adr, control, plba, pmin, psec, pframe;
} ccd_entry;

typedef struct ccd_track_section {
    int line;
    ccd_value mode;
    ccd_value index[DC_MAX_INDEXES];
    char isrc[16];
    int isrc_line;
} ccd_track_section;

typedef struct ccd_parse {
    dc_image *image;
    bool seen_clonecd, seen_disc;
    int disc_line;
    ccd_value toc_entries, sessions, scrambled;
    char catalog[16];
    int catalog_line;
    ccd_entry *entries;      /* [TocEntries] */
    bool *entry_seen;
    ccd_track_section *tracks[DC_MAX_TRACKS + 1]; /* by number */
    uint8_t *packs;          /* [CDText], in entry order */
    bool *pack_seen;
    ccd_value pack_count;
    int cdtext_line;
} ccd_parse;

__attribute__((format(printf, 5, 6)))
static dc_status line_fail(const ccd_parse *p, int line, dc_status status,
                           dc_error *err, const char *fmt, ...)
{
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return dc_fail(err, status, "%s:%d: %s", dc_source_name(p->image->source), line, message);
}

/* Decimal, or hexadecimal after 0x; nothing else on the line. */
static bool parse_number(const char *text, long long *value)
{
    const char *s = text;
    bool negative = *s == '-';
    s += negative || *s == '+';
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!isxdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, base);
    if (errno != 0 || *end != '\0' || v > 100000000LL)
        return false;
    *value = negative ? -v : v;
    return true;
}

static dc_status set_value(ccd_parse *p, int line, const char *key,
                           const char *text, ccd_value *v, long long min,
                           long long max, dc_error *err)
{
    long long value;
    if (v->set)
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s given twice (first "
                         "on line %d)", key, v->line);
    if (!parse_number(text, &value))
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s=%s is not a number",
                         key, text);
    if (value < min || value > max)
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s=%lld is outside "
                         "%lld..%lld", key, value, min, max);
    *v = (ccd_value){true, line, value};
    return DC_OK;
}

typedef enum section_kind {
    SECTION_NONE,
    SECTION_CLONECD,
    SECTION_DISC,
    SECTION_SESSION,
    SECTION_ENTRY,
    SECTION_TRACK,
    SECTION_CDTEXT,
    SECTION_OTHER
} section_kind;

typedef struct section {
    section_kind kind;
    int number;
    int line;
} section;

/* "[Name N]" -> kind and number. */
static dc_status open_section(ccd_parse *p, int line, char *text,
                              section *sec, dc_error *err)
{
    size_t len = strlen(text);
    if (len < 2 || text[len - 1] != ']')
        return line_fail(p, line, DC_ERR_FORMAT, err, "section header %s "
                         "lacks its closing ]", text);
    text[len - 1] = '\0';
    char *name = text + 1;
    char *space = strchr(name, ' ');
    long long number = -1;
    if (space != NULL) {
        *space = '\0';
        if (!parse_number(space + 1, &number) || number < 0)
            return line_fail(p, line, DC_ERR_FORMAT, err, "section [%s %s]: "
                             "the number is not a number", name, space + 1);
    }
    static const struct {
        const char *name;
        section_kind kind;
        bool numbered;
    } kinds[] = {
        {"CloneCD", SECTION_CLONECD, false}, {"Disc", SECTION_DISC, false},
        {"Session", SECTION_SESSION, true}, {"Entry", SECTION_ENTRY, true},
        {"TRACK", SECTION_TRACK, true}, {"CDText", SECTION_CDTEXT, false},
    };
    *sec = (section){SECTION_OTHER, (int)number, line};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcasecmp(name, kinds[i].name) != 0)
            continue;
        if (kinds[i].numbered != (number >= 0))
            return line_fail(p, line, DC_ERR_FORMAT, err, "section [%s] %s",
                             name, kinds[i].numbered ? "needs a number"
                                                     : "takes no number");
        sec->kind = kinds[i].kind;
    }
    switch (sec->kind) {
    case SECTION_CLONECD:
        p->seen_clonecd = true;
        break;
    case SECTION_DISC:
        if (p->seen_disc)
            return line_fail(p, line, DC_ERR_FORMAT, err, "a second [Disc]");
        p->seen_disc = true;
        p->disc_line = line;
        break;
    case SECTION_ENTRY:
        if (!p->toc_entries.set)
            return line_fail(p, line, DC_ERR_FORMAT, err, "[Entry %lld] "
                             "before [Disc] TocEntries", number);
        if (number >= p->toc_entries.value)
            return line_fail(p, line, DC_ERR_FORMAT, err, "[Entry %lld] but "
                             "TocEntries=%lld", number, p->toc_entries.value);
        if (p->entry_seen[number])
            return line_fail(p, line, DC_ERR_FORMAT, err, "[Entry %lld] "
                             "given twice", number);
        if (number > 0 && !p->entry_seen[number - 1])
            return line_fail(p, line, DC_ERR_FORMAT, err, "[Entry %lld] out "
                             "of order: [Entry %lld] comes first", number,
                             number - 1);
        p->entry_seen[number] = true;
        p->entries[number].line = line;
        break;
    case SECTION_TRACK:
        if (number < 1 || number > DC_MAX_TRACKS)
            return line_fail(p, line, DC_ERR_FORMAT, err, "[TRACK %lld]: "
                             "tracks are numbered 1 to 99", number);
        if (p->tracks[number] != NULL)
            return line_fail(p, line, DC_ERR_FORMAT, err, "[TRACK %lld] "
                             "given twice", number);
        p->tracks[number] = calloc(1, sizeof *p->tracks[number]);
        if (p->tracks[number] == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        p->tracks[number]->line = line;
        break;
    case SECTION_CDTEXT:
        p->cdtext_line = line;
        break;
    default:
        break;
    }
    return DC_OK;
}

static dc_status disc_key(ccd_parse *p, int line, const char *key,
                          const char *value, dc_error *err)
{
    ccd_value ignored = {0};
    if (strcasecmp(key, "TocEntries") == 0) {
        if (set_value(p, line, key, value, &p->toc_entries, 1, MAX_ENTRIES,
                      err) != DC_OK)
            return err->status;
        p->entries = calloc((size_t)p->toc_entries.value, sizeof *p->entries);
        p->entry_seen = calloc((size_t)p->toc_entries.value, 1);
        if (p->entries == NULL || p->entry_seen == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        return DC_OK;
    }
    if (strcasecmp(key, "Sessions") == 0)
        return set_value(p, line, key, value, &p->sessions, 1, DC_MAX_TRACKS,
                         err);
    if (strcasecmp(key, "DataTracksScrambled") == 0)
        return set_value(p, line, key, value, &p->scrambled, 0, 1, err);
    if (strcasecmp(key, "CDTextLength") == 0)
        return set_value(p, line, key, value, &ignored, 0,
                         MAX_CDTEXT_PACKS * CDTEXT_PACK_SIZE, err);
    if (strcasecmp(key, "CATALOG") == 0) {
        size_t len = strlen(value);
        bool digits = len == 13;
        for (size_t i = 0; digits && i < len; i++)
            digits = isdigit((unsigned char)value[i]);
        if (!digits)
            return line_fail(p, line, DC_ERR_FORMAT, err, "CATALOG=%s is "
                             "not 13 digits", value);
        memcpy(p->catalog, value, 14);
        p->catalog_line = line;
    }
    return DC_OK;
}

static dc_status entry_key(ccd_parse *p, int line, ccd_entry *e,
                           const char *key, const char *value, dc_error *err)
{
    static const struct {
        const char *name;
        size_t offset;
        long long min, max;
    } keys[] = {
        {"Session", offsetof(ccd_entry, session), 1, DC_MAX_TRACKS},
        {"Point", offsetof(ccd_entry, point), 0, 0xFF},
        {"ADR", offsetof(ccd_entry, adr), 0, 0xF},
        {"Control", offsetof(ccd_entry, control), 0, 0xF},
        {"PLBA", offsetof(ccd_entry, plba), -450150, 2 * DC_MAX_DISC_SECTORS},
        {"PMin", offsetof(ccd_entry, pmin), 0, 0xFF},
        {"PSec", offsetof(ccd_entry, psec), 0, 0xFF},
        {"PFrame", offsetof(ccd_entry, pframe), 0, 0xFF},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcasecmp(key, keys[i].name) == 0)
            return set_value(p, line, key, value,
                             (ccd_value *)((char *)e + keys[i].offset),
                             keys[i].min, keys[i].max, err);
    return DC_OK; /* TrackNo, AMin..ALBA, Zero: nothing the model keeps */
}

static dc_status track_key(ccd_parse *p, int line, ccd_track_section *t,
                           const char *key, const char *value, dc_error *err)
{
    if (strcasecmp(key, "MODE") == 0)
        return set_value(p, line, key, value, &t->mode, 0, 2, err);
    if (strcasecmp(key, "ISRC") == 0) {
        if (strlen(value) >= sizeof t->isrc)
            return line_fail(p, line, DC_ERR_FORMAT, err, "ISRC=%s is longer "
                             "than 12 characters", value);
        strcpy(t->isrc, value);
        t->isrc_line = line;
        return DC_OK;
    }
    if (strncasecmp(key, "INDEX", 5) == 0) {
        long long n;
        const char *num = key + 5;
        while (*num == ' ')
            num++;
        if (!parse_number(num, &n) || n < 0 || n >= DC_MAX_INDEXES)
            return line_fail(p, line, DC_ERR_FORMAT, err, "%s: an index is "
                             "numbered 0 to 99", key);
        return set_value(p, line, key, value, &t->index[n], -450150,
                         2 * DC_MAX_DISC_SECTORS, err);
    }
    return DC_OK;
}

static int hex_digit(char c)
{
    return isdigit((unsigned char)c) ? c - '0'
           : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10
                                        : -1;
}

static dc_status cdtext_key(ccd_parse *p, int line, const char *key,
                            const char *value, dc_error *err)
{
    if (strcasecmp(key, "Entries") == 0) {
        if (set_value(p, line, key, value, &p->pack_count, 1,
                      MAX_CDTEXT_PACKS, err) != DC_OK)
            return err->status;
        p->packs = calloc((size_t)p->pack_count.value, CDTEXT_PACK_SIZE);
        p->pack_seen = calloc((size_t)p->pack_count.value, 1);
        if (p->packs == NULL || p->pack_seen == NULL)
            return dc_fail(err, DC_ERR_NOMEM, "out of memory");
        return DC_OK;
    }
    if (strncasecmp(key, "Entry", 5) != 0)
        return DC_OK;
    long long n;
    const char *num = key + 5;
    while (*num == ' ')
        num++;
    if (!p->pack_count.set)
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s before Entries=",
                         key);
    if (!parse_number(num, &n) || n < 0 || n >= p->pack_count.value)
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s but Entries=%lld",
                         key, p->pack_count.value);
    if (p->pack_seen[n])
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s given twice", key);
    p->pack_seen[n] = true;
    uint8_t *pack = p->packs + n * CDTEXT_PACK_SIZE;
    int bytes = 0;
    for (const char *s = value; *s != '\0';) {
        if (*s == ' ' || *s == '\t') {
            s++;
            continue;
        }
        int hi = hex_digit(s[0]), lo = hi >= 0 ? hex_digit(s[1]) : -1;
        if (lo < 0 || (s[2] != '\0' && s[2] != ' ' && s[2] != '\t'))
            return line_fail(p, line, DC_ERR_FORMAT, err, "%s: \"%.8s\" is "
                             "not a hex byte", key, s);
        if (bytes == CDTEXT_PACK_SIZE)
            return line_fail(p, line, DC_ERR_FORMAT, err, "%s: more than the "
                             "18 bytes of a CD-TEXT pack", key);
        pack[bytes++] = (uint8_t)(hi << 4 | lo);
        s += 2;
    }
    if (bytes != CDTEXT_PACK_SIZE)
        return line_fail(p, line, DC_ERR_FORMAT, err, "%s: %d bytes, not the "
                         "18 of a CD-TEXT pack", key, bytes);
    return DC_OK;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                       s[len - 1] == '\r'))
        s[--len] = '\0';
    return s;
}

static dc_status parse_text(ccd_parse *p, char *text, size_t size,
                            dc_error *err)
{
    section sec = {SECTION_NONE, -1, 0};
    int line = 0;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    for (char *next = text; next != NULL;) {
        char *s = next;
        char *nl = strchr(s, '\n');
        next = nl != NULL ? nl + 1 : NULL;
        if (nl != NULL)
            *nl = '\0';
        line++;
        s = trim(s);
        if (*s == '\0' || *s == ';')
            continue;
        if (*s == '[') {
            if (open_section(p, line, s, &sec, err) != DC_OK)
                return err->status;
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL)
            return line_fail(p, line, DC_ERR_FORMAT, err, "\"%.40s\" is "
                             "neither a [section] nor KEY=VALUE", s);
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        dc_status status = DC_OK;
        switch (sec.kind) {
        case SECTION_NONE:
            return line_fail(p, line, DC_ERR_FORMAT, err, "%s= before any "
                             "[section]", key);
        case SECTION_DISC:
            status = disc_key(p, line, key, value, err);
            break;
        case SECTION_ENTRY:
            status = entry_key(p, line, &p->entries[sec.number], key, value,
                               err);
            break;
        case SECTION_TRACK:
            status = track_key(p, line, p->tracks[sec.number], key, value,
                               err);
            break;
        case SECTION_CDTEXT:
            status = cdtext_key(p, line, key, value, err);
            break;
        default:
            break;
        }
        if (status != DC_OK)
            return status;
    }
    if (!p->seen_clonecd)
        return line_fail(p, 1, DC_ERR_FORMAT, err, "no [CloneCD] section: "
                         "not a CloneCD control file");
    if (!p->seen_disc)
        return line_fail(p, line, DC_ERR_FORMAT, err, "no [Disc] section");
    if (!p->toc_entries.set || !p->sessions.set)
        return line_fail(p, p->disc_line, DC_ERR_FORMAT, err, "[Disc] lacks "
                         "%s", !p->toc_entries.set ? "TocEntries" : "Sessions");
    for (long long i = 0; i < p->toc_entries.value; i++)
        if (!p->entry_seen[i])
            return line_fail(p, p->toc_entries.line, DC_ERR_FORMAT, err,
                             "TocEntries=%lld but there is no [Entry %lld]",
                             p->toc_entries.value, i);
    for (long long i = 0; p->pack_count.set && i < p->pack_count.value; i++)
        if (!p->pack_seen[i])
            return line_fail(p, p->pack_count.line, DC_ERR_FORMAT, err,
                             "Entries=%lld but there is no Entry %lld",
                             p->pack_count.value, i);
    if (p->scrambled.set && p->scrambled.value != 0)
        return line_fail(p, p->scrambled.line, DC_ERR_UNSUPPORTED, err,
                         "DataTracksScrambled=1: data sectors stored "
                         "scrambled are not supported; dump the disc "
                         "again without scrambling");
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* The TOC to tracks                                                       */
/* ---------------------------------------------------------------------- */

/* A track's (or lead-out's) address: PLBA, else PMin:PSec:PFrame. */
static dc_status entry_lba(ccd_parse *p, const ccd_entry *e, int64_t *lba,
                           dc_error *err)
{
    if (e->plba.set) {
        *lba = e->plba.value;
        return DC_OK;
    }
    if (!e->pmin.set || !e->psec.set || !e->pframe.set)
        return line_fail(p, e->line, DC_ERR_FORMAT, err, "the entry has "
                         "neither PLBA nor PMin, PSec and PFrame");
    if (e->psec.value >= 60 || e->pframe.value >= 75)
        return line_fail(p, e->line, DC_ERR_FORMAT, err, "PSec=%lld "
                         "PFrame=%lld is not a disc time", e->psec.value,
                         e->pframe.value);
    *lba = (e->pmin.value * 60 + e->psec.value) * 75 + e->pframe.value -
           DC_PREGAP_TRACK1;
    return DC_OK;
}

/* One track as the TOC and its [TRACK] section place it. */
typedef struct toc_track {
    const ccd_entry *entry;
    const ccd_track_section *section;
    int number;
    int session;
    int64_t plba;
    int64_t pregap;          /* stored sectors before INDEX 01 */
    int64_t end;             /* LBA after its last stored sector */
} toc_track;

/* INDEX 0/1 differences are the pregap; the first track of a session may
 * have only INDEX 1, counted from the session's start (libmirage).  An
 * INDEX 1 equal to PLBA is an absolute address: no pregap without INDEX 0. */
static int64_t pregap_of(const toc_track *t, bool first_in_session)
{
    const ccd_track_section *s = t->section;
    if (s == NULL || !s->index[1].set)
        return 0;
    if (s->index[0].set)
        return s->index[1].value - s->index[0].value;
    if (!first_in_session || s->index[1].value == t->plba)
        return 0;
    return s->index[1].value;
}

static dc_track_mode mode_from_kind(dc_sector_kind kind, long long claimed)
{
    switch (kind) {
    case DC_SECTOR_NO_SYNC: return DC_MODE_AUDIO;
    case DC_SECTOR_MODE1: return DC_MODE_MODE1;
    case DC_SECTOR_MODE2: return DC_MODE_MODE2;
    case DC_SECTOR_MODE2_FORM1:
    case DC_SECTOR_MODE2_FORM2: return DC_MODE_MODE2_MIXED;
    default: /* an empty or odd sector: believe MODE */
        return claimed == 0 ? DC_MODE_AUDIO
               : claimed == 1 ? DC_MODE_MODE1 : DC_MODE_MODE2_MIXED;
    }
}

long long ccd_mode_value(dc_track_mode mode)
{
    return mode == DC_MODE_AUDIO ? 0 : mode == DC_MODE_MODE1 ? 1 : 2;
}

/* Types the track by its sector at INDEX 01, warning when MODE says
 * otherwise. */
static dc_status sniff_mode(ccd_parse *p, ccd_state *s, const toc_track *tt,
                            dc_track *track, dc_error *err)
{
    uint8_t raw[DC_RAW_SECTOR];
    long long claimed = tt->section != NULL && tt->section->mode.set
                            ? tt->section->mode.value
                            : (tt->entry->control.value & CONTROL_DATA ? 1 : 0);
    int index = (int)(track - p->image->disc.tracks);
    if (read_img(s, s->track_sector[index] + tt->pregap, 1, raw, err) != DC_OK)
        return err->status;
    track->mode = mode_from_kind(dc_sector_classify(raw), claimed);
    if (ccd_mode_value(track->mode) != claimed)
        dc_image_warn(p->image, "%s:%d: track %d says MODE=%lld but its "
                      "sector at INDEX 01 is %s; reading it so",
                      dc_source_name(p->image->source),
                      tt->section != NULL ? tt->section->line : tt->entry->line,
                      track->number, claimed, dc_track_mode_name(track->mode));
    if (((tt->entry->control.value & CONTROL_DATA) != 0) !=
        dc_track_is_data(track))
        dc_image_warn(p->image, "%s:%d: track %d's Control says %s but it "
                      "is %s", dc_source_name(p->image->source), tt->entry->line, track->number,
                      tt->entry->control.value & CONTROL_DATA ? "data"
                                                              : "audio",
                      dc_track_mode_name(track->mode));
    return DC_OK;
}

/* Indexes, ISRC and flags of a placed track. */
static dc_status finish_track(ccd_parse *p, const toc_track *tt,
                              dc_track *track, dc_error *err)
{
    const ccd_track_section *sec = tt->section;
    track->flags = (unsigned)tt->entry->control.value & CONTROL_FLAGS;
    if (dc_track_is_data(track))
        track->flags |= DC_FLAG_DATA;
    if (tt->pregap > 0 && dc_track_add_index(track, 0, 0, err) != DC_OK)
        return err->status;
    if (dc_track_add_index(track, 1, tt->pregap, err) != DC_OK)
        return err->status;
    if (sec == NULL)
        return DC_OK;
    for (int n = 2; n < DC_MAX_INDEXES; n++) {
        if (!sec->index[n].set)
            continue;
        int64_t offset = tt->pregap + sec->index[n].value -
                         (sec->index[1].set ? sec->index[1].value : 0);
        if (!sec->index[1].set || offset <= tt->pregap ||
            offset >= track->length ||
            track->index[track->index_count - 1].offset >= offset)
            return line_fail(p, sec->index[n].line, DC_ERR_FORMAT, err,
                             "INDEX %d=%lld does not lie after the track's "
                             "previous index and inside its %lld sectors", n,
                             sec->index[n].value, (long long)track->length);
        if (dc_track_add_index(track, n, offset, err) != DC_OK)
            return err->status;
    }
    if (sec->isrc[0] != '\0') {
        if (dc_isrc_valid(sec->isrc))
            memcpy(track->isrc, sec->isrc, 13);
        else
            dc_image_warn(p->image, "%s:%d: ISRC=%s is not 12 valid "
                          "characters; ignored", dc_source_name(p->image->source),
                          sec->isrc_line, sec->isrc);
    }
    return DC_OK;
}

/* Collects the tracks and each session's lead-out from the entries, in
 * TOC order: sessions ascending, tracks ascending. */
static dc_status collect_toc(ccd_parse *p, toc_track *tt, int *count,
                             int64_t *leadout, dc_error *err)
{
    int session = 0;
    *count = 0;
    bool has_leadout[DC_MAX_TRACKS + 1] = {false};
    for (long long i = 0; i < p->toc_entries.value; i++) {
        const ccd_entry *e = &p->entries[i];
        if (!e->session.set || !e->point.set)
            return line_fail(p, e->line, DC_ERR_FORMAT, err, "[Entry %lld] "
                             "lacks %s", i, !e->session.set ? "Session"
                                                             : "Point");
        if (e->adr.set && e->adr.value != ADR_POSITION)
            continue; /* B0, C0 and other mode-5 entries */
        int s = (int)e->session.value, point = (int)e->point.value;
        if (s < session || s > p->sessions.value)
            return line_fail(p, e->line, DC_ERR_FORMAT, err, "Session=%d out "
                             "of order or past Sessions=%lld", s,
                             p->sessions.value);
        session = s;
        if (point == POINT_LEADOUT) {
            if (has_leadout[s])
                return line_fail(p, e->line, DC_ERR_FORMAT, err, "a second "
                                 "lead-out for session %d", s);
            has_leadout[s] = true;
            if (entry_lba(p, e, &leadout[s], err) != DC_OK)
                return err->status;
            continue;
        }
        if (point < 1 || point > DC_MAX_TRACKS)
            continue; /* A0, A1: the model derives them */
        if (*count > 0 && point <= tt[*count - 1].number)
            return line_fail(p, e->line, DC_ERR_FORMAT, err, "track %d out "
                             "of order after track %d", point,
                             tt[*count - 1].number);
        toc_track *t = &tt[(*count)++];
        *t = (toc_track){.entry = e, .section = p->tracks[point],
                         .number = point, .session = s};
        if (entry_lba(p, e, &t->plba, err) != DC_OK)
            return err->status;
    }
    if (*count == 0)
        return line_fail(p, p->toc_entries.line, DC_ERR_FORMAT, err, "no "
                         "[Entry] describes a track");
    bool has_track[DC_MAX_TRACKS + 1] = {false};
    for (int i = 0; i < *count; i++)
        has_track[tt[i].session] = true;
    for (int s = 1; s <= p->sessions.value; s++)
        if (!has_leadout[s] || !has_track[s])
            return line_fail(p, p->sessions.line, DC_ERR_FORMAT, err,
                             "Sessions=%lld but session %d has no %s entry",
                             p->sessions.value, s,
                             !has_track[s] ? "track" : "lead-out (Point=0xa2)");
    return DC_OK;
}

static dc_status sub_size_fail(const ccd_state *s, int64_t sectors,
                                dc_error *err)
{
    return dc_fail(err, DC_ERR_FORMAT, "%s: %lld bytes, but the .img's %lld "
                   "sectors need %lld bytes of subchannel",
                   dc_source_name(s->sub), (long long)dc_source_size(s->sub),
                   (long long)sectors,
                   (long long)(sectors * DC_SUBCHANNEL_SIZE));
}

/* The .img against the TOC's `claimed` sectors: short is truncated (a
 * part of a sector too), and a .sub holds the .img's sectors. */
static dc_status check_img_size(ccd_parse *p, const ccd_state *s,
                                int64_t claimed, dc_error *err)
{
    int64_t size = dc_source_size(s->img);
    int64_t sectors = size / DC_RAW_SECTOR;
    if (claimed > sectors) {
        dc_image_short(p->image, claimed - sectors, "%s: truncated: its TOC "
                       "says the .img holds %lld sectors, it holds %lld",
                       dc_source_name(p->image->source), (long long)claimed,
                       (long long)sectors);
        return DC_OK; /* a whole .sub beside it is fine */
    }
    if (size % DC_RAW_SECTOR != 0)
        dc_image_short(p->image, 1, "%s: truncated: %lld bytes are %lld "
                       "whole 2352-byte sectors and %lld bytes of one more",
                       dc_source_name(s->img), (long long)size,
                       (long long)sectors, (long long)(size % DC_RAW_SECTOR));
    if (s->has_sub && p->image->missing_sectors == 0 &&
        dc_source_size(s->sub) != sectors * DC_SUBCHANNEL_SIZE)
        return sub_size_fail(s, sectors, err);
    return DC_OK;
}

static dc_status build_tracks(ccd_parse *p, ccd_state *s, dc_error *err)
{
    toc_track tt[DC_MAX_TRACKS];
    int64_t leadout[DC_MAX_TRACKS + 1] = {0};
    int count;
    if (collect_toc(p, tt, &count, leadout, err) != DC_OK)
        return err->status;
    dc_disc *disc = &p->image->disc;
    int64_t img_sectors = dc_source_size(s->img) / DC_RAW_SECTOR, sector = 0;
    int64_t previous_end = 0, claimed = 0;
    for (int i = 0; i < count; i++) {
        bool first = i == 0 || tt[i].session != tt[i - 1].session;
        tt[i].pregap = pregap_of(&tt[i], first);
        int line = tt[i].section != NULL && tt[i].section->index[1].set
                       ? tt[i].section->index[1].line : tt[i].entry->line;
        if (tt[i].pregap < 0)
            return line_fail(p, line, DC_ERR_FORMAT, err, "track %d: INDEX 1 "
                             "lies %lld sectors before INDEX 0", tt[i].number,
                             (long long)-tt[i].pregap);
        if (tt[i].plba - tt[i].pregap < previous_end)
            return line_fail(p, line, DC_ERR_FORMAT, err, "track %d: its "
                             "pregap of %lld sectors before PLBA %lld starts "
                             "before the previous track or session ends "
                             "(LBA %lld)", tt[i].number,
                             (long long)tt[i].pregap, (long long)tt[i].plba,
                             (long long)previous_end);
        previous_end = tt[i].plba;
        if (i + 1 == count || tt[i + 1].session != tt[i].session)
            previous_end = leadout[tt[i].session];
    }
    for (int i = 0; i < count; i++) {
        bool last = i + 1 == count || tt[i + 1].session != tt[i].session;
        int64_t start = tt[i].plba - tt[i].pregap;
        tt[i].end = last ? leadout[tt[i].session]
                         : tt[i + 1].plba - tt[i + 1].pregap;
        if (tt[i].end <= tt[i].plba)
            return line_fail(p, tt[i].entry->line, DC_ERR_FORMAT, err,
                             "track %d at PLBA %lld has no sectors before "
                             "the next track or the lead-out at %lld",
                             tt[i].number, (long long)tt[i].plba,
                             (long long)tt[i].end);
        claimed += tt[i].end - start;
    }
    if (check_img_size(p, s, claimed, err) != DC_OK)
        return err->status;
    for (int i = 0; i < count; i++) {
        int64_t start = tt[i].plba - tt[i].pregap;
        int64_t length = tt[i].end - start;
        /* What a cut-short .img holds: tracks that keep their INDEX 01. */
        if (length > img_sectors - sector)
            length = img_sectors - sector;
        if (length <= tt[i].pregap)
            break;
        dc_track *track = dc_disc_add_track(disc, err);
        if (track == NULL)
            return err->status;
        s->track_sector[disc->track_count - 1] = sector;
        sector += length;
        track->number = tt[i].number;
        track->session = tt[i].session;
        track->start_lba = start;
        track->length = length;
        track->stored_size = s->has_sub ? SUB_SECTOR : DC_RAW_SECTOR;
        track->has_subchannel = s->has_sub;
        if (sniff_mode(p, s, &tt[i], track, err) != DC_OK ||
            finish_track(p, &tt[i], track, err) != DC_OK)
            return err->status;
    }
    disc->session_count = (int)p->sessions.value;
    if (sector < img_sectors)
        dc_image_warn(p->image, "%s: the .img holds %lld sectors after the "
                      "last track's; ignored", dc_source_name(p->image->source),
                      (long long)(img_sectors - sector));
    if (p->catalog[0] != '\0')
        memcpy(disc->mcn, p->catalog, 14);
    if (p->packs != NULL) {
        char origin[600];
        snprintf(origin, sizeof origin, "%s:%d: [CDText]", dc_source_name(p->image->source),
                 p->cdtext_line);
        return dc_disc_set_cdtext_packs(disc, p->image, p->packs,
                                        (size_t)p->pack_count.value *
                                            CDTEXT_PACK_SIZE,
                                        origin, err);
    }
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Opening and reading                                                     */
/* ---------------------------------------------------------------------- */

int ccd_probe(const dc_probe_input *input)
{
    size_t at = 0;
    if (input->head_size >= 3 && memcmp(input->head, "\xEF\xBB\xBF", 3) == 0)
        at = 3;
    while (at < input->head_size && isspace(input->head[at]))
        at++;
    return input->head_size - at >= 9 &&
                   strncasecmp((const char *)input->head + at, "[CloneCD]",
                               9) == 0
               ? DC_PROBE_CERTAIN
               : DC_PROBE_NO;
}

static dc_status ccd_read_stored(dc_image *image, int track_index,
                                 int64_t first, int64_t count,
                                 uint8_t *buffer, dc_error *err)
{
    ccd_state *s = image->priv;
    int64_t at = s->track_sector[track_index] + first;
    if (!s->has_sub)
        return read_img(s, at, count, buffer, err);
    uint8_t *img = s->batch, *sub = s->batch + READ_BATCH * DC_RAW_SECTOR;
    for (int64_t done = 0; done < count;) {
        int64_t n = count - done < READ_BATCH ? count - done : READ_BATCH;
        if (read_img(s, at + done, n, img, err) != DC_OK ||
            read_sub(s, at + done, n, sub, err) != DC_OK)
            return err->status;
        for (int64_t k = 0; k < n; k++) {
            uint8_t *out = buffer + (done + k) * SUB_SECTOR;
            memcpy(out, img + k * DC_RAW_SECTOR, DC_RAW_SECTOR);
            sub_interleave(sub + k * DC_SUBCHANNEL_SIZE, out + DC_RAW_SECTOR);
        }
        done += n;
    }
    return DC_OK;
}

static void ccd_close(dc_image *image)
{
    ccd_state *s = image->priv;
    free(s->batch);
}

static const dc_image_ops ccd_ops = {
    .read_stored = ccd_read_stored,
    .close = ccd_close,
};

/* The .img (required) and .sub (optional) beside the .ccd. */
static dc_status open_payload(dc_image *image, ccd_state *s, dc_error *err)
{
    const char *ccd_path = dc_source_name(image->source);
    char *img = find_companion(image, ccd_path, "img");
    if (img == NULL) {
        char *stem = dc_path_stem(ccd_path);
        dc_fail(err, stem != NULL ? DC_ERR_INPUT_IO : DC_ERR_NOMEM,
                "%s: its sectors, %s.img beside it, are missing",
                ccd_path, stem != NULL ? stem : "");
        free(stem);
        return err->status;
    }
    dc_status status = dc_image_open_file(image, img, &s->img, err);
    int64_t img_size = status == DC_OK ? dc_source_size(s->img) : 0;
    free(img);
    if (status != DC_OK)
        return status;
    char *sub = find_companion(image, ccd_path, "sub");
    if (sub == NULL)
        return DC_OK;
    s->has_sub = true;
    status = dc_image_open_file(image, sub, &s->sub, err);
    /* A .sub may be whole where the .img was cut short: build_tracks
     * holds a longer one to the TOC. */
    int64_t sectors = img_size / DC_RAW_SECTOR;
    if (status == DC_OK &&
        (dc_source_size(s->sub) < sectors * DC_SUBCHANNEL_SIZE ||
         dc_source_size(s->sub) % DC_SUBCHANNEL_SIZE != 0))
        status = sub_size_fail(s, sectors, err);
    if (status == DC_OK &&
        (s->batch = malloc(READ_BATCH * (size_t)SUB_SECTOR)) == NULL)
        status = dc_fail(err, DC_ERR_NOMEM, "out of memory");
    free(sub);
    return status;
}

static void free_parse(ccd_parse *p)
{
    free(p->entries);
    free(p->entry_seen);
    for (int i = 0; i <= DC_MAX_TRACKS; i++)
        free(p->tracks[i]);
    free(p->packs);
    free(p->pack_seen);
}

/*
 * A .ccd names no file: it describes the .img of its own name (the sidecar
 * search only offers that one) when the lead-outs of its full TOC agree
 * with the .img's size: exactly the first session's lead-out for one
 * session; between the first and the last lead-out for several, the .img
 * holding the sessions without the gaps between them.
 */
bool ccd_describes(const dc_probe_input *descriptor,
                   const char *payload, int64_t payload_size)
{
    if (strcasecmp(dc_path_extension(payload), "img") != 0 ||
        payload_size % DC_RAW_SECTOR != 0)
        return false;
    int64_t sectors = payload_size / DC_RAW_SECTOR;
    int64_t first = -1, last = -1;
    int leadouts = 0;
    bool leadout_entry = false;
    const char *text = (const char *)descriptor->head;
    const char *end = text + descriptor->head_size;
    for (const char *line = text; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            eol = end;
        if (*line == '[')
            leadout_entry = false;
        else if (strncasecmp(line, "Point=0xa2", 10) == 0)
            leadout_entry = true;
        else if (leadout_entry && strncasecmp(line, "PLBA=", 5) == 0) {
            int64_t plba = strtoll(line + 5, NULL, 10);
            first = first < 0 ? plba : first;
            last = plba;
            leadouts++;
            leadout_entry = false;
        }
        line = eol + 1;
    }
    if (leadouts == 0)
        return false;
    return leadouts == 1 ? sectors == first
                         : sectors >= first && sectors <= last;
}

dc_status ccd_open(dc_image *image, dc_error *err)
{
    ccd_state *s = image->priv;
    image->ops = &ccd_ops;
    uint8_t *text = NULL;
    size_t size = 0;
    ccd_parse p = {.image = image};
    dc_status status = dc_source_read_all(image->source, MAX_CCD_SIZE, &text,
                                          &size, err);
    if (status == DC_OK && memchr(text, '\0', size) != NULL)
        status = dc_fail(err, DC_ERR_FORMAT, "%s: a NUL byte: not a CloneCD "
                         "control file", dc_source_name(image->source));
    if (status == DC_OK)
        status = parse_text(&p, (char *)text, size, err);
    if (status == DC_OK)
        status = open_payload(image, s, err);
    if (status == DC_OK)
        status = build_tracks(&p, s, err);
    free_parse(&p);
    free(text);
    return status;
}

const dc_format dc_format_ccd = {
    .info = {
        .name = "ccd",
        .description = "CloneCD image (.ccd + .img, .sub when present)",
        .extensions = "ccd",
        .can_read = true,
        .can_write = true,
        .streams = false,
    },
    .caps = DC_CAP_AUDIO | DC_CAP_DATA_TRACKS | DC_CAP_SESSIONS |
            DC_CAP_SUBCHANNEL | DC_CAP_FILES | DC_CAP_CDTEXT,
    .priv_size = sizeof(ccd_state),
    .probe = ccd_probe,
    .describes = ccd_describes,
    .open = ccd_open,
    .check = ccd_check,
    .write = ccd_write,
};
