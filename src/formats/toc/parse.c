/*
 * The cdrdao TOC text (toc.h describes the format): tokens, values,
 * CD-TEXT blocks, and the statements that make the disc's tracks from
 * pieces of data files and runs of zeros.
 */
#include "toc.h"
#include "text.h"
#include "format.h"
#include "model.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Byte offsets beyond this are nonsense and would overflow sums. */
#define MAX_BYTE_OFFSET ((int64_t)1 << 50)

__attribute__((format(printf, 5, 6)))
dc_status toc_fail(const toc_parser *p, int line, dc_status status,
                   dc_error *err, const char *fmt, ...)
{
    char message[400];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return dc_fail(err, status, "%s:%d: %s", p->origin, line, message);
}

dc_status toc_no_memory(dc_error *err)
{
    return dc_fail(err, DC_ERR_NOMEM, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* Tokens                                                                  */
/* ---------------------------------------------------------------------- */

static bool is_word_char(char c)
{
    return c != '\0' && !isspace((unsigned char)c) && c != '{' &&
           c != '}' && c != '"' && c != ',';
}

/* Decodes the C escapes cdrdao allows in strings: \" \\ \n \t \r and
 * octal \ooo.  Returns the decoded length. */
static size_t decode_string(const char *s, size_t n, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\' || i + 1 == n) {
            out[len++] = s[i];
            continue;
        }
        char c = s[++i];
        if (c >= '0' && c <= '7') {
            unsigned v = 0;
            for (int k = 0; k < 3 && i < n && s[i] >= '0' && s[i] <= '7';
                 k++, i++)
                v = v * 8 + (unsigned)(s[i] - '0');
            i--;
            out[len++] = (char)(v & 0xFF);
        } else {
            out[len++] = c == 'n' ? '\n' : c == 't' ? '\t'
                       : c == 'r' ? '\r' : c;
        }
    }
    out[len] = '\0';
    return len;
}

static dc_status add_token(toc_parser *p, token_kind kind, int line,
                           const char *text, size_t n, dc_error *err)
{
    if ((p->token_count & 1023) == 0) {
        token *grown = realloc(p->tokens, (size_t)(p->token_count + 1024) *
                                              sizeof *grown);
        if (grown == NULL)
            return toc_no_memory(err);
        p->tokens = grown;
    }
    token *t = &p->tokens[p->token_count];
    *t = (token){kind, line, NULL, 0};
    if (kind == TOK_WORD || kind == TOK_STRING) {
        t->text = malloc(n + 1);
        if (t->text == NULL)
            return toc_no_memory(err);
        if (kind == TOK_STRING) {
            t->len = decode_string(text, n, t->text);
        } else {
            memcpy(t->text, text, n);
            t->text[n] = '\0';
            t->len = n;
        }
    }
    p->token_count++;
    return DC_OK;
}

dc_status toc_tokenize(toc_parser *p, const char *text, dc_error *err)
{
    int line = 1;
    const char *s = text;
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    while (*s != '\0') {
        if (*s == '\n') {
            line++;
            s++;
        } else if (isspace((unsigned char)*s)) {
            s++;
        } else if (s[0] == '/' && s[1] == '/') {
            while (*s != '\0' && *s != '\n')
                s++;
        } else if (*s == '"') {
            const char *start = ++s;
            while (*s != '\0' && *s != '"' && *s != '\n') {
                if (*s == '\\' && s[1] != '\0' && s[1] != '\n')
                    s++;
                s++;
            }
            if (*s != '"')
                return toc_fail(p, line, DC_ERR_FORMAT, err,
                                "string not closed on its line");
            if (add_token(p, TOK_STRING, line, start, (size_t)(s - start),
                          err) != DC_OK)
                return err->status;
            s++;
        } else if (*s == '{' || *s == '}' || *s == ',') {
            token_kind kind = *s == '{' ? TOK_OPEN
                            : *s == '}' ? TOK_CLOSE : TOK_COMMA;
            if (add_token(p, kind, line, NULL, 0, err) != DC_OK)
                return err->status;
            s++;
        } else {
            const char *start = s;
            while (is_word_char(*s) && !(s[0] == '/' && s[1] == '/'))
                s++;
            if (add_token(p, TOK_WORD, line, start, (size_t)(s - start),
                          err) != DC_OK)
                return err->status;
        }
    }
    return add_token(p, TOK_END, line, NULL, 0, err);
}

static const token *peek(const toc_parser *p) { return &p->tokens[p->pos]; }

static const token *take(toc_parser *p)
{
    const token *t = &p->tokens[p->pos];
    if (t->kind != TOK_END)
        p->pos++;
    return t;
}

static bool peek_word(const toc_parser *p, const char *word)
{
    const token *t = peek(p);
    return t->kind == TOK_WORD && strcasecmp(t->text, word) == 0;
}

static const char *describe(const token *t)
{
    switch (t->kind) {
    case TOK_END: return "the end of the file";
    case TOK_STRING: return "a string";
    case TOK_OPEN: return "\"{\"";
    case TOK_CLOSE: return "\"}\"";
    case TOK_COMMA: return "\",\"";
    default: return t->text;
    }
}

/* ---------------------------------------------------------------------- */
/* Values                                                                  */
/* ---------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* A length or position: MSF (sectors of the track) or a bare number of
 * audio samples.  *frames gets sectors, *samples the sample count (or -1
 * for MSF). */
static dc_status take_time(toc_parser *p, const char *what, int64_t *frames,
                           int64_t *samples, dc_error *err)
{
    const token *t = take(p);
    *samples = -1;
    if (t->kind == TOK_WORD && strchr(t->text, ':') != NULL) {
        if (!dc_msf_parse(t->text, frames))
            return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                            "%s \"%s\" is not a time mm:ss:ff (seconds "
                            "below 60, frames below 75)", what, t->text);
        return DC_OK;
    }
    if (t->kind == TOK_WORD && all_digits(t->text, 12)) {
        *samples = strtoll(t->text, NULL, 10);
        *frames = *samples / SAMPLES_PER_SECTOR;
        return DC_OK;
    }
    return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                    "%s expected (mm:ss:ff or samples), found %s", what,
                    describe(t));
}

/* An optional time: only if the next token looks like one. */
static bool next_is_time(const toc_parser *p)
{
    const token *t = peek(p);
    return t->kind == TOK_WORD &&
           (isdigit((unsigned char)t->text[0]) || strchr(t->text, ':'));
}

/* A time that must be whole sectors (START, PREGAP, INDEX, ZERO). */
static dc_status take_sectors(toc_parser *p, const char *what,
                              int64_t *frames, dc_error *err)
{
    int64_t samples;
    int line = peek(p)->line;
    if (take_time(p, what, frames, &samples, err) != DC_OK)
        return err->status;
    if (samples >= 0 && samples % SAMPLES_PER_SECTOR != 0)
        return toc_fail(p, line, DC_ERR_FORMAT, err,
                        "%s of %lld samples is not a whole number of "
                        "sectors (%d samples each)", what,
                        (long long)samples, SAMPLES_PER_SECTOR);
    if (*frames > DC_MAX_DISC_SECTORS)
        return toc_fail(p, line, DC_ERR_FORMAT, err,
                        "%s of %lld sectors is longer than any CD", what,
                        (long long)*frames);
    return DC_OK;
}

/* ---------------------------------------------------------------------- */
/* Text (CD-TEXT strings)                                                  */
/* ---------------------------------------------------------------------- */

typedef struct cdtext_key {
    const char *keyword;
    int field; /* dc_cdtext_field, or -1: parsed and not kept */
} cdtext_key;

static const cdtext_key cdtext_keys[] = {
    {"TITLE", DC_CDTEXT_TITLE},         {"PERFORMER", DC_CDTEXT_PERFORMER},
    {"SONGWRITER", DC_CDTEXT_SONGWRITER}, {"COMPOSER", DC_CDTEXT_COMPOSER},
    {"ARRANGER", DC_CDTEXT_ARRANGER},   {"MESSAGE", DC_CDTEXT_MESSAGE},
    {"DISC_ID", DC_CDTEXT_DISC_ID},     {"GENRE", DC_CDTEXT_GENRE},
    {"UPC_EAN", DC_CDTEXT_UPC_ISRC},    {"ISRC", DC_CDTEXT_UPC_ISRC},
    {"TOC_INFO1", -1}, {"TOC_INFO2", -1}, {"SIZE_INFO", -1},
    {"RESERVED1", -1}, {"RESERVED2", -1}, {"RESERVED3", -1},
    {"RESERVED4", -1}, {"CLOSED", -1},
};

/* { n, n, ... }: binary pack data.  Parsed for the grammar's sake; the
 * model keeps text fields only. */
static dc_status skip_binary(toc_parser *p, dc_error *err)
{
    int open_line = take(p)->line;
    for (;;) {
        const token *t = take(p);
        if (t->kind == TOK_CLOSE)
            return DC_OK;
        if (t->kind == TOK_END)
            return toc_fail(p, open_line, DC_ERR_FORMAT, err,
                            "\"{\" of binary CD-TEXT data never closed");
        if (t->kind == TOK_WORD && all_digits(t->text, 3) &&
            atoi(t->text) <= 255)
            continue;
        if (t->kind == TOK_COMMA)
            continue;
        return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                        "binary CD-TEXT data holds %s, not a byte",
                        describe(t));
    }
}

static dc_status expect_open(toc_parser *p, const char *what, dc_error *err)
{
    const token *t = take(p);
    if (t->kind != TOK_OPEN)
        return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                        "\"{\" expected after %s, found %s", what,
                        describe(t));
    return DC_OK;
}

#define LANGUAGE_ENGLISH 0x09

/* The disc has CD-TEXT block `block` (its language perhaps unknown). */
static void count_block(toc_parser *p, int block)
{
    dc_disc *disc = &p->image->disc;
    if (disc->cdtext_block_count <= block)
        disc->cdtext_block_count = block + 1;
}

/* LANGUAGE n { KEY value ... }: block n of `block0` (cdtext) and
 * `others` (cdtext_other) of the disc or a track. */
static dc_status parse_language(toc_parser *p, dc_cdtext *block0,
                                dc_cdtext *others, dc_error *err)
{
    const token *n = take(p);
    if (n->kind != TOK_WORD || !all_digits(n->text, 1) ||
        atoi(n->text) > 7)
        return toc_fail(p, n->line, DC_ERR_FORMAT, err,
                        "LANGUAGE needs a block number 0..7, found %s",
                        describe(n));
    int block = atoi(n->text);
    dc_cdtext *text = block == 0 ? block0 : &others[block - 1];
    count_block(p, block);
    int open_line = peek(p)->line;
    if (expect_open(p, "LANGUAGE", err) != DC_OK)
        return err->status;
    for (;;) {
        const token *key = take(p);
        if (key->kind == TOK_CLOSE)
            return DC_OK;
        if (key->kind == TOK_END)
            return toc_fail(p, open_line, DC_ERR_FORMAT, err,
                            "\"{\" of LANGUAGE %s never closed", n->text);
        int field = -2;
        for (int i = 0; key->kind == TOK_WORD && i < COUNT_OF(cdtext_keys);
             i++)
            if (strcasecmp(key->text, cdtext_keys[i].keyword) == 0)
                field = cdtext_keys[i].field;
        if (field == -2)
            return toc_fail(p, key->line, DC_ERR_FORMAT, err,
                            "unknown CD-TEXT item %s", describe(key));
        const token *value = peek(p);
        if (value->kind == TOK_OPEN) {
            if (skip_binary(p, err) != DC_OK)
                return err->status;
            continue;
        }
        if (value->kind != TOK_STRING)
            return toc_fail(p, value->line, DC_ERR_FORMAT, err,
                            "%s needs a \"string\" or { bytes }, found %s",
                            key->text, describe(value));
        take(p);
        if (field < 0 || value->text[0] == '\0')
            continue;
        /* cdrdao writes ISO-8859-1; the model holds UTF-8. */
        char *utf8 = dc_text_to_utf8(value->text, DC_CHARSET_LATIN1);
        if (utf8 == NULL)
            return toc_no_memory(err);
        dc_status status = dc_cdtext_set(text, (dc_cdtext_field)field, utf8,
                                         err);
        free(utf8);
        if (status != DC_OK)
            return status;
    }
}

/* One LANGUAGE_MAP entry, "n:code" (the words "0", ":", "EN" joined):
 * block n's language, a number (EBU Tech 3264) or cdrdao's one
 * mnemonic, EN. */
static bool map_language(toc_parser *p, const char *entry)
{
    const char *colon = strchr(entry, ':');
    const char *code = colon + 1;
    if (colon != entry + 1 || !isdigit((unsigned char)entry[0]) ||
        entry[0] > '7')
        return false;
    int language;
    if (strcasecmp(code, "EN") == 0)
        language = LANGUAGE_ENGLISH;
    else if (all_digits(code, 3) && atoi(code) <= 255)
        language = atoi(code);
    else
        return false;
    int block = entry[0] - '0';
    count_block(p, block);
    p->image->disc.cdtext_block[block].language = language;
    return true;
}

/* LANGUAGE_MAP { n : code ... } */
static dc_status parse_language_map(toc_parser *p, dc_error *err)
{
    int map_line = peek(p)->line;
    if (expect_open(p, "LANGUAGE_MAP", err) != DC_OK)
        return err->status;
    char entry[16] = "";
    int entry_line = map_line;
    for (;;) {
        const token *t = take(p);
        bool pending = entry[0] != '\0';
        if (t->kind == TOK_WORD && strlen(entry) + strlen(t->text) <
                                       sizeof entry) {
            if (!pending)
                entry_line = t->line;
            strcat(entry, t->text);
            size_t len = strlen(entry);
            if (strchr(entry, ':') == NULL || entry[len - 1] == ':')
                continue;
            if (!map_language(p, entry))
                break;
            entry[0] = '\0';
        } else if (t->kind == TOK_CLOSE && !pending) {
            return DC_OK;
        } else if (t->kind != TOK_COMMA || pending) {
            if (t->kind == TOK_END)
                return toc_fail(p, map_line, DC_ERR_FORMAT, err,
                                "\"{\" of LANGUAGE_MAP never closed");
            entry_line = t->line;
            break;
        }
    }
    return toc_fail(p, entry_line, DC_ERR_FORMAT, err, "LANGUAGE_MAP "
                    "entries are \"block : code\" (block 0..7, code a "
                    "number or EN)");
}

/* CD_TEXT { [LANGUAGE_MAP { ... }] LANGUAGE n { ... } ... } */
static dc_status parse_cdtext(toc_parser *p, dc_cdtext *block0,
                              dc_cdtext *others, bool disc, dc_error *err)
{
    int open_line = peek(p)->line;
    if (expect_open(p, "CD_TEXT", err) != DC_OK)
        return err->status;
    for (;;) {
        const token *t = take(p);
        if (t->kind == TOK_CLOSE)
            return DC_OK;
        if (t->kind == TOK_END)
            return toc_fail(p, open_line, DC_ERR_FORMAT, err,
                            "\"{\" of CD_TEXT never closed");
        if (t->kind == TOK_WORD && disc &&
            strcasecmp(t->text, "LANGUAGE_MAP") == 0) {
            if (parse_language_map(p, err) != DC_OK)
                return err->status;
        } else if (t->kind == TOK_WORD &&
                   strcasecmp(t->text, "LANGUAGE") == 0) {
            if (parse_language(p, block0, others, err) != DC_OK)
                return err->status;
        } else {
            return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                            "unexpected %s in CD_TEXT (LANGUAGE%s expected)",
                            describe(t), disc ? " or LANGUAGE_MAP" : "");
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Tracks                                                                  */
/* ---------------------------------------------------------------------- */

const track_mode_entry toc_track_modes[] = {
    {"AUDIO", DC_MODE_AUDIO, DC_RAW_SECTOR},
    /* Mode 0 sectors are zeros with a header; as 2336 stored bytes they
     * read like formless Mode 2 user data. */
    {"MODE0", DC_MODE_MODE2, 2336},
    {"MODE1", DC_MODE_MODE1, 2048},
    {"MODE1_RAW", DC_MODE_MODE1, DC_RAW_SECTOR},
    {"MODE2", DC_MODE_MODE2, 2336},
    {"MODE2_FORM1", DC_MODE_MODE2_FORM1, 2048},
    {"MODE2_FORM2", DC_MODE_MODE2_FORM2, 2324},
    {"MODE2_FORM_MIX", DC_MODE_MODE2_MIXED, 2336},
    {"MODE2_RAW", DC_MODE_MODE2_MIXED, DC_RAW_SECTOR},
};
const int toc_track_mode_count = COUNT_OF(toc_track_modes);

static dc_track *current_track(toc_parser *p)
{
    dc_disc *disc = &p->image->disc;
    return &disc->tracks[disc->track_count - 1];
}

static toc_track_info *current_info(toc_parser *p)
{
    return &p->priv->tracks[p->image->disc.track_count - 1];
}

int64_t toc_stored_so_far(const toc_track_info *info)
{
    int64_t total = 0;
    for (int i = 0; i < info->piece_count; i++)
        total += info->pieces[i].count;
    return total;
}

static dc_status add_piece(toc_parser *p, const toc_piece *piece,
                           dc_error *err)
{
    toc_track_info *info = current_info(p);
    if (piece->count == 0)
        return DC_OK;
    if (toc_stored_so_far(info) + piece->count > DC_MAX_DISC_SECTORS)
        return toc_fail(p, piece->line, DC_ERR_FORMAT, err,
                        "TRACK %d would be longer than any CD",
                        current_track(p)->number);
    /* A short last audio sector is padded with silence; a piece after it
     * would have to start mid-sector. */
    if (info->piece_count > 0) {
        const toc_piece *last = &info->pieces[info->piece_count - 1];
        if (last->file >= 0 &&
            last->bytes < last->count * current_track(p)->stored_size)
            return toc_fail(p, last->line, DC_ERR_UNSUPPORTED, err,
                            "this data does not end on a whole sector, and "
                            "more data follows in the track");
    }
    toc_piece *grown = realloc(info->pieces, (size_t)(info->piece_count + 1) *
                                                 sizeof *grown);
    if (grown == NULL)
        return toc_no_memory(err);
    info->pieces = grown;
    grown[info->piece_count++] = *piece;
    return DC_OK;
}

/* FILE/AUDIOFILE "name" [SWAP] [#offset] start [length]
 * DATAFILE "name" [SWAP] [#offset] [length] */
static dc_status do_file(toc_parser *p, const token *command, bool datafile,
                         dc_error *err)
{
    dc_track *track = current_track(p);
    const token *name = take(p);
    if (name->kind != TOK_STRING)
        return toc_fail(p, name->line, DC_ERR_FORMAT, err,
                        "%s needs a \"file name\", found %s", command->text,
                        describe(name));
    toc_piece piece = {.line = command->line};
    if (peek_word(p, "SWAP")) {
        take(p);
        piece.swap_toggled = true;
    }
    int64_t offset = 0;
    const token *t = peek(p);
    if (t->kind == TOK_WORD && t->text[0] == '#') {
        take(p);
        if (!all_digits(t->text + 1, 15) ||
            (offset = strtoll(t->text + 1, NULL, 10)) > MAX_BYTE_OFFSET)
            return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                            "byte offset \"%s\" is not #digits", t->text);
    }
    int64_t start_frames = 0, start_samples = -1;
    if (!datafile &&
        take_time(p, "start", &start_frames, &start_samples, err) != DC_OK)
        return err->status;
    int64_t len_frames = 0, len_samples = -1;
    bool has_length = next_is_time(p);
    if (has_length &&
        take_time(p, "length", &len_frames, &len_samples, err) != DC_OK)
        return err->status;
    if (len_samples == 0 || (len_samples < 0 && len_frames == 0))
        has_length = false; /* 0 means "to the end of the file" */

    unsigned size = track->stored_size;
    if ((start_samples > 0 || len_samples > 0) &&
        track->mode != DC_MODE_AUDIO)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "a length in samples is for audio tracks; use "
                        "mm:ss:ff");
    offset += start_samples >= 0 ? start_samples * SAMPLE_BYTES
                                 : start_frames * size;
    int index = -1;
    if (toc_use_file(p, name, &index, err) != DC_OK)
        return err->status;
    toc_file *file = &p->priv->files[index];
    if (file->wav && track->mode != DC_MODE_AUDIO)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "\"%s\" is a WAV file but TRACK %d is not AUDIO",
                        file->name, track->number);
    if (file->wav && offset % SAMPLE_BYTES != 0)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "offset %lld into \"%s\" is not on a sample",
                        (long long)offset, file->name);
    if (offset >= file->size)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "start %lld bytes into \"%s\" lies at or past its "
                        "end (%lld bytes)", (long long)offset, file->name,
                        (long long)file->size);
    int64_t bytes;
    if (has_length) {
        bytes = len_samples >= 0 ? len_samples * SAMPLE_BYTES
                                 : len_frames * size;
        if (bytes > file->size - offset) {
            /* Cut short: what the file holds is there. */
            int64_t held = file->size - offset;
            held -= held % (track->mode != DC_MODE_AUDIO ? size
                                                          : SAMPLE_BYTES);
            dc_image_short(p->image, (bytes - held + size - 1) / size, "%s:%d: "
                           "truncated: the length says %lld sectors from "
                           "byte %lld of \"%s\", it holds %lld", p->origin,
                           command->line, (long long)(bytes / size),
                           (long long)offset, file->name,
                           (long long)(held / size));
            bytes = held;
        }
    } else {
        bytes = file->size - offset;
    }
    if (bytes % size != 0 && track->mode != DC_MODE_AUDIO) {
        /* The part of a sector cannot be read: the whole ones can. */
        dc_image_short(p->image, 1, "%s:%d: truncated: the %lld bytes of "
                       "\"%s\" from byte %lld are %lld whole %u-byte sectors "
                       "and %lld bytes of one more", p->origin, command->line,
                       (long long)bytes, file->name, (long long)offset,
                       (long long)(bytes / size), size,
                       (long long)(bytes % size));
        bytes -= bytes % size;
    }
    if (bytes % size != 0) {
        if (bytes % SAMPLE_BYTES != 0)
            return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                            "%lld bytes of \"%s\" are not whole samples",
                            (long long)bytes, file->name);
        dc_image_warn(p->image, "%s:%d: \"%s\" does not end on a whole "
                      "sector; the last sector is padded with silence",
                      p->origin, command->line, file->name);
    }
    piece.file = index;
    piece.offset = offset;
    piece.bytes = bytes;
    piece.count = (bytes + size - 1) / size;
    return add_piece(p, &piece, err);
}

static dc_status do_zero(toc_parser *p, const token *command, dc_error *err)
{
    /* ZERO may name a data mode and a subchannel mode first. */
    if (strcasecmp(command->text, "ZERO") == 0)
        for (int i = 0; i < 2 && peek(p)->kind == TOK_WORD &&
                        isalpha((unsigned char)peek(p)->text[0]);
             i++)
            take(p);
    int64_t frames;
    if (take_sectors(p, command->text, &frames, err) != DC_OK)
        return err->status;
    toc_piece piece = {.file = -1, .count = frames, .line = command->line};
    return add_piece(p, &piece, err);
}

static dc_status do_start(toc_parser *p, const token *command, dc_error *err)
{
    toc_track_info *info = current_info(p);
    dc_track *track = current_track(p);
    if (info->start_seen || info->pregap_seen)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "a track has one START or PREGAP");
    if (track->index_count > 1)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "START must come before INDEX");
    int64_t frames = toc_stored_so_far(info);
    if (next_is_time(p) &&
        take_sectors(p, "START", &frames, err) != DC_OK)
        return err->status;
    info->start_seen = true;
    info->pregap_stored = frames;
    return DC_OK;
}

static dc_status do_pregap(toc_parser *p, const token *command, dc_error *err)
{
    toc_track_info *info = current_info(p);
    if (info->start_seen || info->pregap_seen)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "a track has one START or PREGAP");
    if (info->piece_count > 0)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "PREGAP must come before the track's data");
    int64_t frames;
    if (take_sectors(p, "PREGAP", &frames, err) != DC_OK)
        return err->status;
    info->pregap_seen = true;
    current_track(p)->pregap_unstored = frames;
    return DC_OK;
}

static dc_status do_index(toc_parser *p, const token *command, dc_error *err)
{
    dc_track *track = current_track(p);
    int64_t frames;
    if (take_sectors(p, "INDEX", &frames, err) != DC_OK)
        return err->status;
    if (track->index_count >= DC_MAX_INDEXES - 1)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "too many INDEX statements (99 at most)");
    if (frames == 0)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "INDEX 0:0:0 is the track start itself");
    /* Offsets relative to INDEX 01; made absolute once START is known. */
    int last = track->index_count - 1;
    if (last >= 1 && frames <= track->index[last].offset)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "INDEX positions must increase");
    track->index[track->index_count].number = track->index_count + 1;
    track->index[track->index_count].offset = frames;
    track->index_count++;
    return DC_OK;
}

static dc_status do_isrc(toc_parser *p, const token *command, dc_error *err)
{
    const token *v = take(p);
    if (v->kind != TOK_STRING || !dc_isrc_valid(v->text))
        return toc_fail(p, v->line, DC_ERR_FORMAT, err,
                        "ISRC needs \"CCOOOYYSSSSS\" (12 characters: 5 "
                        "letters or digits, 7 digits), found %s",
                        v->kind == TOK_STRING ? v->text : describe(v));
    dc_track *track = current_track(p);
    if (track->isrc[0] != '\0')
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "a second ISRC for TRACK %d", track->number);
    memcpy(track->isrc, v->text, 13);
    return DC_OK;
}

static dc_status do_track(toc_parser *p, const token *command, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    if (disc->track_count >= DC_MAX_TRACKS)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "more than %d tracks", DC_MAX_TRACKS);
    const token *m = take(p);
    const track_mode_entry *mode = NULL;
    for (int i = 0; m->kind == TOK_WORD && i < toc_track_mode_count; i++)
        if (strcasecmp(m->text, toc_track_modes[i].keyword) == 0)
            mode = &toc_track_modes[i];
    if (mode == NULL)
        return toc_fail(p, m->line, DC_ERR_FORMAT, err,
                        "unknown track mode %s (AUDIO, MODE0, MODE1, "
                        "MODE1_RAW, MODE2, MODE2_FORM1, MODE2_FORM2, "
                        "MODE2_FORM_MIX or MODE2_RAW)", describe(m));
    bool sub = false;
    if (peek_word(p, "RW") || peek_word(p, "RW_RAW")) {
        const token *s = take(p);
        if (mode->size != DC_RAW_SECTOR)
            return toc_fail(p, s->line, DC_ERR_UNSUPPORTED, err,
                            "subchannel %s is read only with whole 2352-byte "
                            "sectors (AUDIO, MODE1_RAW, MODE2_RAW)", s->text);
        if (strcasecmp(s->text, "RW") == 0)
            dc_image_warn(p->image, "%s:%d: RW subchannel is cdrdao's packed "
                          "layout; it is kept as stored", p->origin, s->line);
        sub = true;
    }
    dc_track *track = dc_disc_add_track(disc, err);
    if (track == NULL)
        return err->status;
    track->number = disc->track_count;
    track->mode = mode->mode;
    track->stored_size = mode->size + (sub ? DC_SUBCHANNEL_SIZE : 0);
    track->has_subchannel = sub;
    track->cdi = p->cdi_disc && mode->mode != DC_MODE_AUDIO &&
                 mode->mode != DC_MODE_MODE1;
    if (mode->mode != DC_MODE_AUDIO)
        track->flags |= DC_FLAG_DATA;
    track->index_count = 1;
    track->index[0].number = 1;
    track->index[0].offset = 0;
    current_info(p)->line = command->line;
    return DC_OK;
}

static dc_status do_track_statement(toc_parser *p, const token *t,
                                    bool *handled, dc_error *err)
{
    dc_track *track = current_track(p);
    const char *w = t->text;
    *handled = true;
    if (strcasecmp(w, "NO") == 0) {
        const token *what = take(p);
        if (what->kind == TOK_WORD && strcasecmp(what->text, "COPY") == 0)
            track->flags &= ~(unsigned)DC_FLAG_DCP;
        else if (what->kind == TOK_WORD &&
                 strcasecmp(what->text, "PRE_EMPHASIS") == 0)
            track->flags &= ~(unsigned)DC_FLAG_PRE;
        else
            return toc_fail(p, what->line, DC_ERR_FORMAT, err,
                            "NO COPY or NO PRE_EMPHASIS expected, found "
                            "NO %s", describe(what));
    } else if (strcasecmp(w, "COPY") == 0) {
        track->flags |= DC_FLAG_DCP;
    } else if (strcasecmp(w, "PRE_EMPHASIS") == 0) {
        track->flags |= DC_FLAG_PRE;
    } else if (strcasecmp(w, "TWO_CHANNEL_AUDIO") == 0) {
        track->flags &= ~(unsigned)DC_FLAG_4CH;
    } else if (strcasecmp(w, "FOUR_CHANNEL_AUDIO") == 0) {
        track->flags |= DC_FLAG_4CH;
    } else if (strcasecmp(w, "SWAP") == 0) {
        current_info(p)->swap = true;
    } else if (strcasecmp(w, "ISRC") == 0) {
        return do_isrc(p, t, err);
    } else if (strcasecmp(w, "CD_TEXT") == 0) {
        return parse_cdtext(p, &track->cdtext, track->cdtext_other, false,
                            err);
    } else if (strcasecmp(w, "FILE") == 0 ||
               strcasecmp(w, "AUDIOFILE") == 0) {
        return do_file(p, t, false, err);
    } else if (strcasecmp(w, "DATAFILE") == 0) {
        return do_file(p, t, true, err);
    } else if (strcasecmp(w, "ZERO") == 0 || strcasecmp(w, "SILENCE") == 0) {
        return do_zero(p, t, err);
    } else if (strcasecmp(w, "START") == 0) {
        return do_start(p, t, err);
    } else if (strcasecmp(w, "PREGAP") == 0) {
        return do_pregap(p, t, err);
    } else if (strcasecmp(w, "INDEX") == 0) {
        return do_index(p, t, err);
    } else if (strcasecmp(w, "FIFO") == 0) {
        return toc_fail(p, t->line, DC_ERR_UNSUPPORTED, err,
                        "FIFO data cannot be part of an image");
    } else {
        *handled = false;
    }
    return DC_OK;
}

static dc_status do_catalog(toc_parser *p, const token *command,
                            dc_error *err)
{
    const token *v = take(p);
    if ((v->kind != TOK_STRING && v->kind != TOK_WORD) ||
        !all_digits(v->text, 13) || strlen(v->text) != 13)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "CATALOG needs \"13 digits\", found %s",
                        v->kind == TOK_END ? describe(v) : v->kind ==
                        TOK_STRING || v->kind == TOK_WORD ? v->text
                        : describe(v));
    if (p->catalog_seen)
        return toc_fail(p, command->line, DC_ERR_FORMAT, err,
                        "a second CATALOG");
    p->catalog_seen = true;
    memcpy(p->image->disc.mcn, v->text, 14);
    return DC_OK;
}

dc_status toc_parse_tokens(toc_parser *p, dc_error *err)
{
    dc_disc *disc = &p->image->disc;
    static const char *const disc_types[] = {"CD_DA", "CD_ROM", "CD_ROM_XA",
                                             "CD_I"};
    for (int i = 0; i < COUNT_OF(disc_types); i++)
        if (peek_word(p, disc_types[i])) {
            p->cdi_disc = i == 3;
            take(p);
            break;
        }
    for (;;) {
        const token *t = take(p);
        if (t->kind == TOK_END)
            break;
        if (t->kind != TOK_WORD)
            return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                            "unexpected %s", describe(t));
        if (strcasecmp(t->text, "TRACK") == 0) {
            if (do_track(p, t, err) != DC_OK)
                return err->status;
            continue;
        }
        if (disc->track_count > 0) {
            bool handled;
            if (do_track_statement(p, t, &handled, err) != DC_OK)
                return err->status;
            if (handled)
                continue;
        } else if (strcasecmp(t->text, "CATALOG") == 0) {
            if (do_catalog(p, t, err) != DC_OK)
                return err->status;
            continue;
        } else if (strcasecmp(t->text, "CD_TEXT") == 0) {
            if (parse_cdtext(p, &disc->cdtext, disc->cdtext_other, true,
                             err) != DC_OK)
                return err->status;
            continue;
        }
        return toc_fail(p, t->line, DC_ERR_FORMAT, err,
                        "unknown or misplaced statement \"%s\"%s", t->text,
                        disc->track_count == 0 ? " before the first TRACK"
                                               : "");
    }
    if (disc->track_count == 0)
        return toc_fail(p, 1, DC_ERR_FORMAT, err, "no TRACK in the file");
    return DC_OK;
}
