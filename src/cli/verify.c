/*
 * `discconv verify IMAGE... [--dat FILE.dat] [--json]`: each image's tracks
 * hashed as redump lays them out (dc_disc_digest_compute), its raw data
 * sectors checked, its audio's AccurateRip and CTDB values; with a Logiqx
 * XML DAT (redump's, No-Intro's) the game whose tracks all match by hash,
 * or the closest one and the tracks that differ.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

/* A DAT larger than this is no DAT we could use (redump's biggest are
 * tens of MB). */
#define MAX_DAT_BYTES (1024L * 1024 * 1024)

/* --- the DAT -------------------------------------------------------------- */

typedef struct dat_rom {
    char *name;
    int64_t size;
    bool has_crc, has_md5, has_sha1;
    uint32_t crc;
    uint8_t md5[16];
    uint8_t sha1[20];
    bool cue;              /* a cue sheet, not a track */
} dat_rom;

typedef struct dat_game {
    char *name;
    dat_rom *roms;
    int rom_count;
} dat_game;

typedef struct dat {
    const char *path;
    dat_game *games;
    int game_count;
} dat;

static void dat_free(dat *d)
{
    for (int g = 0; g < d->game_count; g++) {
        for (int r = 0; r < d->games[g].rom_count; r++)
            free(d->games[g].roms[r].name);
        free(d->games[g].roms);
        free(d->games[g].name);
    }
    free(d->games);
    *d = (dat){0};
}

/* One line, "discconv: FILE: line N: why"; EXIT_INPUT_MALFORMED. */
static int dat_error(const dat *d, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int dat_error(const dat *d, long line, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: %s: line %ld: ", CLI_PROGRAM, d->path, line);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return EXIT_INPUT_MALFORMED;
}

/* Exactly len * 2 hex digits. */
static bool parse_hex(const char *text, uint8_t *bytes, size_t len)
{
    if (strlen(text) != 2 * len)
        return false;
    for (size_t i = 0; i < 2 * len; i++) {
        int c = text[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return false;
        bytes[i / 2] = (uint8_t)(i % 2 == 0 ? v << 4 : bytes[i / 2] | v);
    }
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && strcasecmp(s + ls - lx, suffix) == 0;
}

/* A hash attribute, when present: *has says so; false if malformed. */
static bool read_hash(xmlNode *rom, const char *name, uint8_t *bytes,
                      size_t len, bool *has)
{
    xmlChar *text = xmlGetProp(rom, (const xmlChar *)name);
    *has = text != NULL;
    bool good = text == NULL || parse_hex((const char *)text, bytes, len);
    xmlFree(text);
    return good;
}

static int read_rom(const dat *d, xmlNode *node, dat_rom *rom)
{
    long line = xmlGetLineNo(node);
    xmlChar *name = xmlGetProp(node, (const xmlChar *)"name");
    xmlChar *size = xmlGetProp(node, (const xmlChar *)"size");
    int rc = EXIT_OK;
    char *end = NULL;
    if (name == NULL)
        rc = dat_error(d, line, "a rom without a name");
    else if (size == NULL)
        rc = dat_error(d, line, "rom \"%s\" has no size", (char *)name);
    else if ((rom->size = strtoll((char *)size, &end, 10)) < 0 ||
             *end != '\0' || end == (char *)size)
        rc = dat_error(d, line, "rom \"%s\": size \"%s\" is not a number",
                       (char *)name, (char *)size);
    if (rc == EXIT_OK) {
        uint8_t crc[4];
        if (!read_hash(node, "crc", crc, 4, &rom->has_crc) ||
            !read_hash(node, "md5", rom->md5, 16, &rom->has_md5) ||
            !read_hash(node, "sha1", rom->sha1, 20, &rom->has_sha1))
            rc = dat_error(d, line, "rom \"%s\": a crc, md5 or sha1 that is "
                           "not 8, 32 or 40 hex digits", (char *)name);
        else if (!rom->has_crc && !rom->has_md5 && !rom->has_sha1)
            rc = dat_error(d, line, "rom \"%s\" has no crc, md5 or sha1",
                           (char *)name);
        rom->crc = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 |
                   (uint32_t)crc[2] << 8 | crc[3];
        rom->name = strdup((char *)name);
        rom->cue = ends_with(rom->name != NULL ? rom->name : "", ".cue");
        if (rc == EXIT_OK && rom->name == NULL)
            rc = EXIT_INTERNAL;
    }
    xmlFree(name);
    xmlFree(size);
    return rc;
}

static bool is_element(const xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

/* A <game> (or MAME's <machine>) and its <rom>s. */
static int read_game(const dat *d, xmlNode *node, dat_game *game)
{
    xmlChar *name = xmlGetProp(node, (const xmlChar *)"name");
    if (name == NULL)
        return dat_error(d, xmlGetLineNo(node), "a game without a name");
    game->name = strdup((char *)name);
    xmlFree(name);
    int count = 0;
    for (xmlNode *c = node->children; c != NULL; c = c->next)
        count += is_element(c, "rom");
    game->roms = calloc((size_t)(count > 0 ? count : 1), sizeof *game->roms);
    if (game->name == NULL || game->roms == NULL)
        return EXIT_INTERNAL;
    int rc = EXIT_OK;
    for (xmlNode *c = node->children; c != NULL && rc == EXIT_OK; c = c->next)
        if (is_element(c, "rom"))
            rc = read_rom(d, c, &game->roms[game->rom_count++]);
    return rc;
}

static int read_games(dat *d, xmlNode *root)
{
    int count = 0;
    for (xmlNode *c = root->children; c != NULL; c = c->next)
        count += is_element(c, "game") || is_element(c, "machine");
    if (count == 0)
        return dat_error(d, xmlGetLineNo(root), "a datafile without games");
    d->games = calloc((size_t)count, sizeof *d->games);
    if (d->games == NULL)
        return EXIT_INTERNAL;
    int rc = EXIT_OK;
    for (xmlNode *c = root->children; c != NULL && rc == EXIT_OK; c = c->next)
        if (is_element(c, "game") || is_element(c, "machine"))
            rc = read_game(d, c, &d->games[d->game_count++]);
    return rc;
}

static int read_file(const char *path, char **bytes, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    const char *why = f == NULL || fstat(fileno(f), &st) != 0
                          ? strerror(errno)
                      : !S_ISREG(st.st_mode) ? "not a regular file"
                                             : NULL;
    if (why != NULL) {
        fprintf(stderr, "%s: %s: cannot read: %s\n", CLI_PROGRAM, path, why);
        if (f != NULL)
            fclose(f);
        return EXIT_INPUT_UNREADABLE;
    }
    if (st.st_size > MAX_DAT_BYTES) {
        fclose(f);
        fprintf(stderr, "%s: %s: %lld bytes is more than a DAT holds\n",
                CLI_PROGRAM, path, (long long)st.st_size);
        return EXIT_INPUT_MALFORMED;
    }
    *size = (size_t)st.st_size;
    *bytes = malloc(*size + 1);
    if (*bytes == NULL || fread(*bytes, 1, *size, f) != *size) {
        fclose(f);
        free(*bytes);
        fprintf(stderr, "%s: %s: cannot read\n", CLI_PROGRAM, path);
        return EXIT_INPUT_UNREADABLE;
    }
    fclose(f);
    return EXIT_OK;
}

/* Where a DAT declares an entity: a DAT needs none, and one that
 * declares them may be built to expand into gigabytes ("billion
 * laughs"), so the parse stops at the first declaration. */
typedef struct entity_found {
    xmlParserCtxt *ctxt;
    long line;
} entity_found;

static void refuse_entity(void *ctxt_arg, const xmlChar *name, int type,
                          const xmlChar *public_id, const xmlChar *system_id,
                          xmlChar *content)
{
    (void)name, (void)type, (void)public_id, (void)system_id, (void)content;
    xmlParserCtxt *ctxt = ctxt_arg;
    entity_found *found = ctxt->_private;
    if (found->line == 0)
        found->line = xmlSAX2GetLineNumber(ctxt);
    xmlStopParser(ctxt);
}

/* Reads a Logiqx XML datafile: no network, no entities substituted, none
 * declared, libxml2's limits on (no XML_PARSE_HUGE). */
static int dat_load(dat *d, const char *path)
{
    *d = (dat){.path = path};
    char *bytes;
    size_t size;
    int rc = read_file(path, &bytes, &size);
    if (rc != EXIT_OK)
        return rc;
    xmlResetLastError();
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    entity_found found = {ctxt, 0};
    xmlDoc *doc = NULL;
    if (ctxt != NULL && size <= (size_t)INT32_MAX) {
        ctxt->_private = &found;
        ctxt->sax->entityDecl = refuse_entity;
        doc = xmlCtxtReadMemory(ctxt, bytes, (int)size, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    }
    xmlFreeParserCtxt(ctxt);
    free(bytes);
    if (found.line > 0) {
        xmlFreeDoc(doc);
        return dat_error(d, found.line,
                         "declares an entity (a DAT has none; refused, it "
                         "could expand without bound)");
    }
    if (doc == NULL) {
        const xmlError *e = xmlGetLastError();
        char why[200] = "unreadable";
        if (e != NULL && e->message != NULL) {
            snprintf(why, sizeof why, "%s", e->message);
            why[strcspn(why, "\r\n")] = '\0';
        }
        return dat_error(d, e != NULL ? e->line : 0, "not an XML DAT: %s",
                         why);
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (root == NULL || !is_element(root, "datafile"))
        rc = dat_error(d, root != NULL ? xmlGetLineNo(root) : 1,
                       "not a Logiqx datafile (the root element is <%s>, "
                       "not <datafile>)",
                       root != NULL ? (const char *)root->name : "");
    else
        rc = read_games(d, root);
    xmlFreeDoc(doc);
    if (rc != EXIT_OK)
        dat_free(d);
    return rc;
}

/* --- matching ------------------------------------------------------------- */

static bool rom_matches(const dat_rom *rom, const dc_track_digest *t)
{
    return !rom->cue && rom->size == t->sectors * DC_RAW_SECTOR &&
           (!rom->has_crc || rom->crc == t->crc32) &&
           (!rom->has_md5 || memcmp(rom->md5, t->md5, 16) == 0) &&
           (!rom->has_sha1 || memcmp(rom->sha1, t->sha1, 20) == 0);
}

typedef struct match {
    const dat_game *game;   /* the game matched, or the closest; NULL */
    bool whole;             /* every track and every track rom matched */
    int matched;
    int rom_of[DC_MAX_TRACKS]; /* per track: its rom, or -1 */
    bool rom_used[1024];    /* the closest game's roms matched (capped) */
} match;

/* Pairs tracks with the game's roms by hash, each rom once. */
static int pair(const dat_game *game, const dc_disc_digest *digest,
                match *m)
{
    int matched = 0;
    memset(m->rom_used, 0, sizeof m->rom_used);
    for (int t = 0; t < digest->track_count; t++) {
        m->rom_of[t] = -1;
        for (int r = 0; r < game->rom_count && r < 1024; r++)
            if (!m->rom_used[r] && rom_matches(&game->roms[r],
                                               &digest->tracks[t])) {
                m->rom_of[t] = r;
                m->rom_used[r] = true;
                matched++;
                break;
            }
    }
    return matched;
}

static int track_roms(const dat_game *game)
{
    int n = 0;
    for (int r = 0; r < game->rom_count; r++)
        n += !game->roms[r].cue;
    return n;
}

/* The game whose tracks all match, else the one with the most. */
static void find_game(const dat *d, const dc_disc_digest *digest, match *m)
{
    *m = (match){0};
    int best = -1, best_count = 0;
    static match trial;
    for (int g = 0; g < d->game_count; g++) {
        int n = pair(&d->games[g], digest, &trial);
        bool whole = n == digest->track_count &&
                     track_roms(&d->games[g]) == n;
        if (whole || n > best_count) {
            best = g;
            best_count = n;
            if (whole)
                break;
        }
    }
    if (best < 0)
        return;
    m->game = &d->games[best];
    m->matched = pair(m->game, digest, m);
    m->whole = m->matched == digest->track_count &&
               track_roms(m->game) == m->matched;
}

/* The DAT's cue sheet compared with the image's own, if both exist:
 * "match", "differs", or NULL (nothing to compare). */
static const char *compare_cue(const dat_game *game, const char *image_path)
{
    const dat_rom *cue = NULL;
    for (int r = 0; game != NULL && r < game->rom_count; r++)
        if (game->roms[r].cue)
            cue = &game->roms[r];
    if (cue == NULL || !ends_with(image_path, ".cue"))
        return NULL;
    char *bytes;
    size_t size;
    if (read_file(image_path, &bytes, &size) != EXIT_OK)
        return "differs";
    uint8_t md5[MD5_DIGEST_SIZE], sha1[SHA1_DIGEST_SIZE];
    struct md5_ctx m;
    struct sha1_ctx s;
    md5_init(&m);
    md5_update(&m, size, (const uint8_t *)bytes);
    md5_digest(&m, sizeof md5, md5);
    sha1_init(&s);
    sha1_update(&s, size, (const uint8_t *)bytes);
    sha1_digest(&s, sizeof sha1, sha1);
    uint32_t crc = (uint32_t)crc32(0, (const Bytef *)bytes, (uInt)size);
    free(bytes);
    bool same = cue->size == (int64_t)size &&
                (!cue->has_crc || cue->crc == crc) &&
                (!cue->has_md5 || memcmp(cue->md5, md5, 16) == 0) &&
                (!cue->has_sha1 || memcmp(cue->sha1, sha1, 20) == 0);
    return same ? "match" : "differs";
}

/* --- printing ------------------------------------------------------------- */

typedef struct verdict {
    const dc_image *image;
    const dc_disc_digest *digest;
    const match *m;         /* NULL without a DAT */
    const char *cue;        /* compare_cue's answer */
    const char *result;     /* "verified", "bad sectors", "no match" */
} verdict;

/* What makes a dump differ from the disc: sectors whose EDC/ECC fails and
 * sectors whose form contradicts their track (no sync, another mode), as
 * convert counts them. */
static int64_t bad_sectors(const dc_disc_digest *d)
{
    return d->report.bad_edc + d->report.mode_mismatch;
}

static const char *bad_kind_name(dc_bad_kind kind)
{
    return kind == DC_BAD_MODE ? "mode" : "edc";
}

static void print_text(const verdict *v)
{
    const dc_disc_digest *d = v->digest;
    char md5[33], sha1[41];
    printf("%s (%s)\n", dc_image_path(v->image), dc_image_format_name(v->image));
    printf("%-5s %-9s %12s %-8s %-32s %-40s %s\n", "track", "type", "size",
           "crc32", "md5", "sha1", "bad");
    for (int i = 0; i < d->track_count; i++) {
        const dc_track_digest *t = &d->tracks[i];
        dc_digest_hex(t->md5, 16, md5);
        dc_digest_hex(t->sha1, 20, sha1);
        printf("%-5d %-9s %12lld %08x %s %s %lld\n", t->number,
               dc_track_mode_name(t->mode),
               (long long)(t->sectors * DC_RAW_SECTOR), t->crc32, md5, sha1,
               (long long)t->bad_sectors);
    }
    if (bad_sectors(d) > 0) {
        printf("bad sectors: %lld fail EDC/ECC, %lld have a mode that does "
               "not fit their track; at LBA", (long long)d->report.bad_edc,
               (long long)d->report.mode_mismatch);
        for (int i = 0; i < d->bad_range_count; i++) {
            const dc_bad_range *b = &d->bad_ranges[i];
            printf("%s %lld", i > 0 ? "," : "", (long long)b->first_lba);
            if (b->count > 1)
                printf("-%lld", (long long)(b->first_lba + b->count - 1));
            printf(" (%s)", bad_kind_name(b->kind));
        }
        putchar('\n');
    }
    if (d->audio_track_count > 0) {
        printf("AccurateRip id: %03d-%08x-%08x-%08x\n", d->audio_track_count,
               d->accuraterip_id1, d->accuraterip_id2, d->cddb_id);
        for (int i = 0; i < d->track_count; i++)
            if (d->tracks[i].mode == DC_MODE_AUDIO)
                printf("  track %d: AccurateRip v1 %08x, v2 %08x\n",
                       d->tracks[i].number, d->tracks[i].accuraterip_v1,
                       d->tracks[i].accuraterip_v2);
        printf("CTDB TOC id: %s\n", d->ctdb_toc_id);
    }
    if (v->m != NULL) {
        const match *m = v->m;
        if (m->whole)
            printf("DAT: matches \"%s\"\n", m->game->name);
        else if (m->game == NULL)
            printf("DAT: no game matches any track\n");
        else {
            printf("DAT: no game matches; closest \"%s\" (%d of %d tracks); "
                   "differ:", m->game->name, m->matched, d->track_count);
            for (int i = 0; i < d->track_count; i++)
                if (m->rom_of[i] < 0)
                    printf(" track %d", d->tracks[i].number);
            for (int r = 0; r < m->game->rom_count && r < 1024; r++)
                if (!m->rom_used[r] && !m->game->roms[r].cue)
                    printf(" \"%s\"", m->game->roms[r].name);
            putchar('\n');
        }
        if (v->cue != NULL)
            printf("DAT cue sheet: %s\n", strcmp(v->cue, "match") == 0
                                              ? "matches the image's"
                                              : "differs from the image's");
    }
    printf("result: %s\n", v->result);
}

static void json_hex(const char *name, const uint8_t *bytes, size_t len)
{
    char text[41];
    dc_digest_hex(bytes, len, text);
    printf(", \"%s\": \"%s\"", name, text);
}

static void print_json_match(const verdict *v)
{
    const match *m = v->m;
    const dc_disc_digest *d = v->digest;
    printf(", \"dat\": {\"match\": \"%s\", \"game\": ",
           m->whole ? "whole" : m->game != NULL ? "partial" : "none");
    if (m->game != NULL)
        json_string(stdout, m->game->name);
    else
        fputs("null", stdout);
    fputs(", \"differing_tracks\": [", stdout);
    const char *sep = "";
    for (int i = 0; m->game != NULL && i < d->track_count; i++)
        if (m->rom_of[i] < 0) {
            printf("%s%d", sep, d->tracks[i].number);
            sep = ", ";
        }
    fputs("], \"unmatched_roms\": [", stdout);
    sep = "";
    for (int r = 0; m->game != NULL && !m->whole && r < m->game->rom_count &&
                    r < 1024;
         r++)
        if (!m->rom_used[r] && !m->game->roms[r].cue) {
            fputs(sep, stdout);
            json_string(stdout, m->game->roms[r].name);
            sep = ", ";
        }
    fputs("], \"cue\": ", stdout);
    if (v->cue != NULL)
        printf("\"%s\"}", v->cue);
    else
        fputs("null}", stdout);
}

/* One object per image, one line each (JSON Lines). */
static void print_json(const verdict *v)
{
    const dc_disc_digest *d = v->digest;
    fputs("{\"image\": ", stdout);
    json_string(stdout, dc_image_path(v->image));
    printf(", \"format\": \"%s\", \"result\": \"%s\", \"bad_sectors\": %lld, "
           "\"bad_edc\": %lld, \"mode_mismatch\": %lld, \"bad_ranges\": [",
           dc_image_format_name(v->image), v->result,
           (long long)bad_sectors(d), (long long)d->report.bad_edc,
           (long long)d->report.mode_mismatch);
    for (int i = 0; i < d->bad_range_count; i++)
        printf("%s{\"first_lba\": %lld, \"count\": %lld, \"kind\": \"%s\"}",
               i > 0 ? ", " : "", (long long)d->bad_ranges[i].first_lba,
               (long long)d->bad_ranges[i].count,
               bad_kind_name(d->bad_ranges[i].kind));
    fputs("], \"tracks\": [", stdout);
    for (int i = 0; i < d->track_count; i++) {
        const dc_track_digest *t = &d->tracks[i];
        printf("%s{\"number\": %d, \"type\": \"%s\", \"sectors\": %lld, "
               "\"size\": %lld, \"crc32\": \"%08x\"", i > 0 ? ", " : "",
               t->number, dc_track_mode_name(t->mode), (long long)t->sectors,
               (long long)(t->sectors * DC_RAW_SECTOR), t->crc32);
        json_hex("md5", t->md5, 16);
        json_hex("sha1", t->sha1, 20);
        printf(", \"bad_sectors\": %lld", (long long)t->bad_sectors);
        if (t->mode == DC_MODE_AUDIO)
            printf(", \"accuraterip_v1\": \"%08x\", \"accuraterip_v2\": "
                   "\"%08x\"", t->accuraterip_v1, t->accuraterip_v2);
        fputc('}', stdout);
    }
    fputs("]", stdout);
    if (d->audio_track_count > 0)
        printf(", \"accuraterip_id\": \"%03d-%08x-%08x-%08x\", "
               "\"cddb_id\": \"%08x\", \"ctdb_toc_id\": \"%s\"",
               d->audio_track_count, d->accuraterip_id1, d->accuraterip_id2,
               d->cddb_id, d->cddb_id, d->ctdb_toc_id);
    if (v->m != NULL)
        print_json_match(v);
    fputs("}\n", stdout);
}

/* --- the command ---------------------------------------------------------- */

/* How bad an outcome is, for the exit code of several images: the worst
 * wins. */
static int severity(int code)
{
    switch (code) {
    case EXIT_OK: return 0;
    case EXIT_NO_MATCH: return 1;
    case EXIT_BAD_SECTORS: return 2;
    default: return 3;
    }
}

static int verify_one(command_line *cl, const char *path, const dat *d)
{
    dc_error err = {0};
    dc_image *image;
    dc_open_options options = cli_open_options(cl);
    if (dc_image_open_with(&image, path, &options, &err) != DC_OK)
        return cli_fail(&err);
    for (int i = 0; i < dc_image_warning_count(image); i++)
        cli_warn(dc_image_warning(image, i));
    const char *truncation = dc_image_truncation(image, NULL);
    if (truncation != NULL)
        cli_warn(truncation);

    progress *bar = progress_start("verifying", !cl->quiet && !cl->json);
    dc_digest_options digest_options = {progress_update, bar};
    dc_disc_digest digest;
    dc_status status = dc_disc_digest_compute(image, &digest_options, &digest,
                                              &err);
    progress_finish(bar);
    if (status != DC_OK) {
        dc_image_close(image);
        return cli_fail(&err);
    }
    static match m;
    verdict v = {image, &digest, NULL, NULL, "verified"};
    if (d != NULL) {
        find_game(d, &digest, &m);
        v.m = &m;
        v.cue = compare_cue(m.game, path);
    }
    /* A dump the DAT vouches for keeps its bad sectors (copy protection
     * has them on purpose); otherwise they come first: they are what
     * would make a dump differ. */
    int code = EXIT_OK;
    if (bad_sectors(&digest) > 0 && (d == NULL || !m.whole)) {
        code = EXIT_BAD_SECTORS;
        v.result = "bad sectors";
    } else if (d != NULL && !m.whole) {
        code = EXIT_NO_MATCH;
        v.result = "no match";
    }
    if (cl->json)
        print_json(&v);
    else
        print_text(&v);
    dc_disc_digest_free(&digest);
    dc_image_close(image);
    return code;
}

int cmd_verify(command_line *cl)
{
    dat d = {0};
    int rc;
    if (cl->dat != NULL && (rc = dat_load(&d, cl->dat)) != EXIT_OK)
        return rc;
    progress_catch_signals();
    int code = EXIT_OK;
    for (int i = 0; i < cl->input_count; i++) {
        if (i > 0 && !cl->json)
            putchar('\n');
        rc = verify_one(cl, cl->inputs[i], cl->dat != NULL ? &d : NULL);
        if (rc == EXIT_INTERRUPTED) {
            code = rc;
            break;
        }
        if (severity(rc) > severity(code))
            code = rc;
    }
    dat_free(&d);
    if (fflush(stdout) != 0 && code == EXIT_OK)
        code = EXIT_OUTPUT;
    return code;
}
