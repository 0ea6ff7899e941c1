/* `discconv info`: the track table, metadata and file systems, as text or
 * JSON.  Both print the same facts; JSON is for scripts and tests. */
#include "cli.h"
#include "text.h" /* dc_text_printable */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FRAMES_PER_SECOND 75
#define MSF_TEXT 32 /* room for any 64-bit frame count */

static const char *const cdtext_names[DC_CDTEXT_FIELD_COUNT] = {
    "title", "performer", "songwriter", "composer", "arranger",
    "message", "disc_id", "genre", "upc_isrc",
};

/* Absolute time of an LBA, as a TOC shows it (LBA 0 = 00:02:00). */
static void msf_of_lba(int64_t lba, char *text)
{
    int64_t frames = lba + DC_PREGAP_TRACK1;
    snprintf(text, MSF_TEXT, "%02" PRId64 ":%02" PRId64 ":%02" PRId64,
             frames / (60 * FRAMES_PER_SECOND),
             frames / FRAMES_PER_SECOND % 60, frames % FRAMES_PER_SECOND);
}

static void duration(int64_t sectors, char *text)
{
    snprintf(text, MSF_TEXT, "%02" PRId64 ":%02" PRId64 ":%02" PRId64,
             sectors / (60 * FRAMES_PER_SECOND),
             sectors / FRAMES_PER_SECOND % 60, sectors % FRAMES_PER_SECOND);
}

/* A length as people say it: "7.13 s", "5 min 12.13 s" (CD time is
 * counted in minutes, even past the hour). */
static void human_duration(int64_t sectors, char *text, size_t size)
{
    int64_t minutes = sectors / (60 * FRAMES_PER_SECOND);
    double seconds = (double)(sectors % (60 * FRAMES_PER_SECOND)) /
                     FRAMES_PER_SECOND;
    if (minutes > 0)
        snprintf(text, size, "%" PRId64 " min %.2f s", minutes, seconds);
    else
        snprintf(text, size, "%.2f s", seconds);
}

static int64_t leadout_lba(const dc_disc *disc)
{
    const dc_track *last = &disc->tracks[disc->track_count - 1];
    return last->start_lba + last->length + last->postgap_unstored;
}

static const char *type_label(const dc_track *t)
{
    if (t->mode == DC_MODE_AUDIO)
        return "audio";
    if (t->cdi)
        return "cdi";
    return dc_track_mode_name(t->mode);
}

static void flags_text(const dc_track *t, char *text, size_t size)
{
    snprintf(text, size, "%s", dc_track_is_data(t) ? "DATA" : "");
    for (int i = 0; i < DC_FLAG_NAME_COUNT; i++)
        if (t->flags & dc_flag_names[i].flag) {
            if (text[0] != '\0')
                strncat(text, ",", size - strlen(text) - 1);
            strncat(text, dc_flag_names[i].name, size - strlen(text) - 1);
        }
    if (text[0] == '\0')
        snprintf(text, size, "-");
}

/* Text from the image (or a file name) without its control characters:
 * escape sequences reach the terminal as \xNN, not as commands. */
static void put_printable(FILE *out, const char *text)
{
    char *printable = dc_text_printable(text);
    fputs(printable != NULL ? printable : "?", out);
    free(printable);
}

/* CD-TEXT comes from the image: what it holds reaches the terminal
 * without its control characters. */
static void print_cdtext_text(FILE *out, const char *indent,
                              const dc_cdtext *text)
{
    for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++) {
        if (text->field[f] == NULL)
            continue;
        char *printable = dc_text_printable(text->field[f]);
        fprintf(out, "%s%-10s %s\n", indent, cdtext_names[f],
                printable != NULL ? printable : "?");
        free(printable);
    }
}

static bool has_cdtext(const dc_cdtext *text)
{
    for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++)
        if (text->field[f] != NULL)
            return true;
    return false;
}

/* "CD-TEXT block 1 (German, ISO-8859-1):", the disc's text, the genre
 * code. */
static void print_disc_block(FILE *out, const dc_disc *disc, int block)
{
    const dc_cdtext_block *b = &disc->cdtext_block[block];
    if (disc->cdtext_block_count == 0)
        fprintf(out, "CD-TEXT:\n");
    else
        fprintf(out, "CD-TEXT block %d (%s, %s%s):\n", block,
                dc_cdtext_language_name(b->language),
                dc_cdtext_charset_name(b->charset),
                b->copyright ? ", copyrighted" : "");
    print_cdtext_text(out, "  ", dc_disc_cdtext(disc, block));
    const char *genre = dc_cdtext_genre_name(b->genre_code);
    if (b->genre_code != 0)
        fprintf(out, "  %-10s %d (%s)\n", "genre code", b->genre_code,
                genre != NULL ? genre : "unknown");
}

/* Blocks 1..7 after the track table: the disc's text, then each track's. */
static void print_other_blocks(FILE *out, const dc_disc *disc)
{
    for (int k = 1; k < disc->cdtext_block_count; k++) {
        fputc('\n', out);
        print_disc_block(out, disc, k);
        for (int i = 0; i < disc->track_count; i++) {
            const dc_cdtext *text = dc_track_cdtext(&disc->tracks[i], k);
            if (!has_cdtext(text))
                continue;
            fprintf(out, "  track %d:\n", disc->tracks[i].number);
            print_cdtext_text(out, "    ", text);
        }
    }
}

static void print_fsinfo_text(FILE *out, int number, const dc_fsinfo *fs)
{
    if (!fs->iso9660 && !fs->udf)
        return;
    fprintf(out, "File system on track %d:", number);
    if (fs->iso9660) {
        fprintf(out, " ISO 9660, volume \"");
        put_printable(out, fs->volume_id);
        fprintf(out, "\", %" PRId64 " blocks", fs->iso_blocks);
    }
    if (fs->joliet_level > 0) {
        fprintf(out, "; Joliet level %d, volume \"", fs->joliet_level);
        put_printable(out, fs->joliet_volume_id);
        fputc('"', out);
    }
    if (fs->rock_ridge)
        fprintf(out, "; Rock Ridge");
    if (fs->el_torito)
        fprintf(out, "; El Torito boot record");
    if (fs->udf)
        fprintf(out, "%s UDF", fs->iso9660 ? ";" : "");
    fputc('\n', out);
}

/* Probes each data track; failures only mean "no file system shown". */
static void probe_fs(dc_image *image, int i, dc_fsinfo *fs)
{
    dc_error err = {0};
    if (dc_fsinfo_probe(image, i, fs, &err) != DC_OK)
        memset(fs, 0, sizeof *fs);
}

/* What a container holds, said as what it converts to. */
static const char *contents_verdict(const char *contents)
{
    if (strcmp(contents, "iso") == 0)
        return "ISO 9660 or UDF: an ISO (or BIN/CUE) can come out";
    if (strcmp(contents, "img") == 0)
        return "raw CD sectors: BIN/CUE, or an ISO of their data, can come "
               "out";
    return "a disk with no ISO 9660 file system: no ISO can come out; "
           "convert to img for its raw bytes";
}

/* A container's own facts (a UIF's version, codec, cipher), one line. */
static void print_facts_text(FILE *out, const dc_image *image)
{
    int count = dc_image_fact_count(image);
    for (int i = 0; i < count; i++) {
        const char *value;
        const char *name = dc_image_fact(image, i, &value);
        fprintf(out, "%s%s %s", i == 0 ? "Container: " : ", ", name, value);
    }
    if (count > 0)
        fputc('\n', out);
}

/* A container's partitions (a DMG's), the one read marked with '*'. */
static void print_partitions_text(FILE *out, const dc_image *image)
{
    const char *contents = dc_image_contents(image);
    if (contents == NULL)
        return;
    fprintf(out, "Contents:  %s\n", contents_verdict(contents));
    if (dc_image_partition_count(image) == 0)
        return;
    fprintf(out, "\n  #  %-40s %-22s %10s %10s  %-18s %s\n", "Partition",
            "Type", "First", "Sectors", "Codecs", "File system");
    int chosen = dc_image_partition_chosen(image);
    for (int i = 0; i < dc_image_partition_count(image); i++) {
        const dc_partition *p = dc_image_partition(image, i);
        fprintf(out, "%c%2d  ", i == chosen ? '*' : ' ', p->number);
        char *name = dc_text_printable(p->name);
        char *type = dc_text_printable(p->type);
        fprintf(out, "%-40s %-22s %10" PRId64 " %10" PRId64 "  %-18s %s\n",
                name != NULL ? name : "?", type != NULL ? type : "?",
                p->first_sector, p->sectors, p->codecs,
                p->file_system != NULL ? p->file_system : "-");
        free(name);
        free(type);
    }
    if (chosen >= 0)
        fprintf(out, "(* the partition read)\n");
}

void info_print_text(FILE *out, dc_image *image)
{
    const dc_disc *disc = dc_image_disc(image);
    char a[MSF_TEXT], b[MSF_TEXT], c[MSF_TEXT], flags[32], length[64];
    human_duration(leadout_lba(disc), length, sizeof length);
    fprintf(out, "Image:     ");
    put_printable(out, dc_image_path(image));
    fprintf(out, " (%s)\n", dc_image_format_name(image));
    fprintf(out, "Disc:      %d track%s, %d session%s, %s (%" PRId64
            " sectors)\n", disc->track_count,
            disc->track_count == 1 ? "" : "s", disc->session_count,
            disc->session_count == 1 ? "" : "s", length, leadout_lba(disc));
    if (disc->mcn[0] != '\0')
        fprintf(out, "MCN:       %s\n", disc->mcn);
    if (has_cdtext(&disc->cdtext) || disc->cdtext_block_count > 0) {
        print_disc_block(out, disc, 0);
    }
    print_facts_text(out, image);
    print_partitions_text(out, image);
    fprintf(out, "\n  #  Sess  Type         Size  Start     LBA       "
                 "Length    Pregap    Flags         ISRC\n");
    for (int i = 0; i < disc->track_count; i++) {
        const dc_track *t = &disc->tracks[i];
        msf_of_lba(dc_track_index1_lba(t), a);
        duration(t->length - dc_track_pregap(t), b);
        duration(dc_track_pregap(t) + t->pregap_unstored, c);
        flags_text(t, flags, sizeof flags);
        fprintf(out, " %2d  %4d  %-11s  %4u  %s  %-8" PRId64 "  %s  %s  "
                "%-12s  %s\n", t->number, t->session, type_label(t),
                t->stored_size, a, dc_track_index1_lba(t), b, c, flags,
                t->isrc[0] != '\0' ? t->isrc : "-");
        for (int k = 0; k < t->index_count; k++)
            if (t->index[k].number > 1)
                fprintf(out, "      index %02d at LBA %" PRId64 "\n",
                        t->index[k].number, t->start_lba + t->index[k].offset);
        if (t->postgap_unstored > 0) {
            duration(t->postgap_unstored, a);
            fprintf(out, "      postgap %s (not stored)\n", a);
        }
        print_cdtext_text(out, "      ", &t->cdtext);
    }
    msf_of_lba(leadout_lba(disc), a);
    fprintf(out, "leadout               %s  %" PRId64 "\n", a,
            leadout_lba(disc));
    print_other_blocks(out, disc);
    fputc('\n', out);
    for (int i = 0; i < disc->track_count; i++) {
        if (!dc_track_is_data(&disc->tracks[i]))
            continue;
        dc_fsinfo fs;
        probe_fs(image, i, &fs);
        print_fsinfo_text(out, disc->tracks[i].number, &fs);
    }
}

/* --- JSON --------------------------------------------------------------- */

/* Length of the UTF-8 sequence at p, or 0 if it is not valid UTF-8. */
static int utf8_length(const unsigned char *p)
{
    int n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2
          : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* U+007F..U+009F: controls that JSON may carry raw but a terminal
 * showing the document would obey. */
static int control_code(const unsigned char *p, int n)
{
    if (n == 1 && *p == 0x7F)
        return 0x7F;
    if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)
        return p[1];
    return -1;
}

/* JSON must be UTF-8: bytes that are not (a Latin-1 file name) become
 * U+FFFD rather than break the document.  Control characters are
 * escaped as \u00XX. */
void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        int n = utf8_length(p);
        if (n == 0) {
            fputs("\\ufffd", out);
            p++;
        } else if (*p == '"' || *p == '\\') {
            fprintf(out, "\\%c", *p++);
        } else if (*p < 0x20 || *p == 0x7F) {
            fprintf(out, "\\u%04x", *p++);
        } else if (control_code(p, n) >= 0) {
            fprintf(out, "\\u%04x", control_code(p, n));
            p += n;
        } else {
            fwrite(p, 1, (size_t)n, out);
            p += n;
        }
    }
    fputc('"', out);
}

static void json_cdtext(FILE *out, const dc_cdtext *text)
{
    fputc('{', out);
    bool first = true;
    for (int f = 0; f < DC_CDTEXT_FIELD_COUNT; f++) {
        if (text->field[f] == NULL)
            continue;
        fprintf(out, "%s\"%s\": ", first ? "" : ", ", cdtext_names[f]);
        json_string(out, text->field[f]);
        first = false;
    }
    fputc('}', out);
}

/* Every block with what it says of itself and its text; block 0's text
 * is also the disc's and tracks' "cdtext". */
static void json_cdtext_blocks(FILE *out, const dc_disc *disc)
{
    fputc('[', out);
    for (int k = 0; k < disc->cdtext_block_count; k++) {
        const dc_cdtext_block *b = &disc->cdtext_block[k];
        fprintf(out, "%s\n    {\"block\": %d, \"language\": %d, "
                "\"language_name\": \"%s\", \"charset\": \"%s\", "
                "\"genre_code\": %d, \"genre_name\": ", k ? "," : "", k,
                b->language, dc_cdtext_language_name(b->language),
                dc_cdtext_charset_name(b->charset), b->genre_code);
        const char *genre = dc_cdtext_genre_name(b->genre_code);
        if (genre != NULL)
            json_string(out, genre);
        else
            fputs("null", out);
        fprintf(out, ", \"copyright\": %s,\n     \"disc\": ",
                b->copyright ? "true" : "false");
        json_cdtext(out, dc_disc_cdtext(disc, k));
        fprintf(out, ", \"tracks\": [");
        for (int i = 0; i < disc->track_count; i++) {
            fprintf(out, "%s{\"number\": %d, \"cdtext\": ", i ? ", " : "",
                    disc->tracks[i].number);
            json_cdtext(out, dc_track_cdtext(&disc->tracks[i], k));
            fputc('}', out);
        }
        fprintf(out, "]}");
    }
    fprintf(out, "%s]", disc->cdtext_block_count > 0 ? "\n  " : "");
}

static void json_flags(FILE *out, unsigned flags)
{
    fputc('[', out);
    bool first = true;
    for (int i = 0; i < DC_FLAG_NAME_COUNT; i++)
        if (flags & dc_flag_names[i].flag) {
            fprintf(out, "%s\"%s\"", first ? "" : ", ", dc_flag_names[i].name);
            first = false;
        }
    fputc(']', out);
}

static void json_track(FILE *out, const dc_track *t)
{
    char msf[MSF_TEXT];
    msf_of_lba(dc_track_index1_lba(t), msf);
    fprintf(out, "    {\"number\": %d, \"session\": %d, \"type\": \"%s\", "
            "\"data\": %s, \"sector_size\": %u, \"subchannel\": %s,\n",
            t->number, t->session, type_label(t),
            dc_track_is_data(t) ? "true" : "false", t->stored_size,
            t->has_subchannel ? "true" : "false");
    fprintf(out, "     \"start_lba\": %" PRId64 ", \"start_msf\": \"%s\", "
            "\"length\": %" PRId64 ", \"first_stored_lba\": %" PRId64 ", "
            "\"stored_sectors\": %" PRId64 ",\n",
            dc_track_index1_lba(t), msf, t->length - dc_track_pregap(t),
            t->start_lba, t->length);
    fprintf(out, "     \"pregap\": %" PRId64 ", \"pregap_unstored\": %" PRId64
            ", \"postgap_unstored\": %" PRId64 ", \"indexes\": [",
            dc_track_pregap(t), t->pregap_unstored, t->postgap_unstored);
    for (int k = 0; k < t->index_count; k++)
        fprintf(out, "%s{\"number\": %d, \"lba\": %" PRId64 "}",
                k ? ", " : "", t->index[k].number,
                t->start_lba + t->index[k].offset);
    fprintf(out, "],\n     \"flags\": ");
    json_flags(out, t->flags);
    fprintf(out, ", \"copy_permitted\": %s, \"pre_emphasis\": %s, "
            "\"channels\": %d, \"isrc\": ",
            t->flags & DC_FLAG_DCP ? "true" : "false",
            t->flags & DC_FLAG_PRE ? "true" : "false",
            t->mode != DC_MODE_AUDIO ? 0 : t->flags & DC_FLAG_4CH ? 4 : 2);
    if (t->isrc[0] != '\0')
        json_string(out, t->isrc);
    else
        fputs("null", out);
    fprintf(out, ", \"cdtext\": ");
    json_cdtext(out, &t->cdtext);
    fputc('}', out);
}

static void json_fsinfo(FILE *out, int number, const dc_fsinfo *fs)
{
    fprintf(out, "    {\"track\": %d, \"iso9660\": %s", number,
            fs->iso9660 ? "true" : "false");
    if (fs->iso9660) {
        fprintf(out, ", \"volume_id\": ");
        json_string(out, fs->volume_id);
        fprintf(out, ", \"system_id\": ");
        json_string(out, fs->system_id);
        fprintf(out, ", \"application_id\": ");
        json_string(out, fs->application_id);
        fprintf(out, ", \"preparer_id\": ");
        json_string(out, fs->preparer_id);
        fprintf(out, ", \"blocks\": %" PRId64, fs->iso_blocks);
    }
    if (fs->joliet_level > 0) {
        fprintf(out, ", \"joliet_volume_id\": ");
        json_string(out, fs->joliet_volume_id);
    }
    fprintf(out, ", \"joliet_level\": %d, \"rock_ridge\": %s, "
            "\"el_torito\": %s, \"udf\": %s}", fs->joliet_level,
            fs->rock_ridge ? "true" : "false",
            fs->el_torito ? "true" : "false", fs->udf ? "true" : "false");
}

/* A container's own facts, as an object of strings. */
static void print_facts_json(FILE *out, const dc_image *image)
{
    int count = dc_image_fact_count(image);
    if (count == 0)
        return;
    fputs(",\n  \"container\": {", out);
    for (int i = 0; i < count; i++) {
        const char *value;
        const char *name = dc_image_fact(image, i, &value);
        fputs(i > 0 ? ", " : "", out);
        json_string(out, name);
        fputs(": ", out);
        json_string(out, value);
    }
    fputc('}', out);
}

/* A container's: what it holds and its partitions. */
static void print_partitions_json(FILE *out, const dc_image *image)
{
    const char *contents = dc_image_contents(image);
    if (contents == NULL)
        return;
    fputs(",\n  \"contents\": ", out);
    json_string(out, contents);
    fprintf(out, ",\n  \"iso_possible\": %s,\n  \"partition_chosen\": %d,"
            "\n  \"partitions\": [", strcmp(contents, "device") != 0
                                       ? "true" : "false",
            dc_image_partition_chosen(image));
    for (int i = 0; i < dc_image_partition_count(image); i++) {
        const dc_partition *p = dc_image_partition(image, i);
        fprintf(out, "%s\n    {\"number\": %d, \"name\": ", i ? "," : "",
                p->number);
        json_string(out, p->name);
        fputs(", \"type\": ", out);
        json_string(out, p->type);
        fprintf(out, ", \"first_sector\": %" PRId64 ", \"sectors\": %" PRId64
                ", \"codecs\": ", p->first_sector, p->sectors);
        json_string(out, p->codecs);
        fputs(", \"file_system\": ", out);
        if (p->file_system != NULL)
            json_string(out, p->file_system);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs(dc_image_partition_count(image) > 0 ? "\n  ]" : "]", out);
}

void info_print_json(FILE *out, dc_image *image)
{
    const dc_disc *disc = dc_image_disc(image);
    fprintf(out, "{\n  \"image\": ");
    json_string(out, dc_image_path(image));
    fprintf(out, ",\n  \"format\": ");
    json_string(out, dc_image_format_name(image));
    fprintf(out, ",\n  \"sessions\": %d,\n  \"mcn\": ",
            disc->session_count);
    if (disc->mcn[0] != '\0')
        json_string(out, disc->mcn);
    else
        fputs("null", out);
    fprintf(out, ",\n  \"cdtext\": ");
    json_cdtext(out, &disc->cdtext);
    fprintf(out, ",\n  \"cdtext_blocks\": ");
    json_cdtext_blocks(out, disc);
    fprintf(out, ",\n  \"comments\": [");
    for (int i = 0; i < disc->comment_count; i++) {
        fputs(i ? ", " : "", out);
        json_string(out, disc->comments[i]);
    }
    fprintf(out, "],\n  \"warnings\": [");
    for (int i = 0; i < dc_image_warning_count(image); i++) {
        fputs(i ? ", " : "", out);
        json_string(out, dc_image_warning(image, i));
    }
    /* A truncated image is a warning to info, as on the terminal. */
    int64_t missing;
    const char *truncation = dc_image_truncation(image, &missing);
    if (truncation != NULL) {
        fputs(dc_image_warning_count(image) > 0 ? ", " : "", out);
        json_string(out, truncation);
    }
    fprintf(out, "],\n  \"missing_sectors\": %" PRId64, missing);
    /* The disc's length from LBA 0 to the lead-out, as a CD player
     * counts it; sectors are 1/75 s. */
    fprintf(out, ",\n  \"leadout_lba\": %" PRId64 ",\n  "
            "\"duration_seconds\": %.3f,\n  \"tracks\": [\n",
            leadout_lba(disc), (double)leadout_lba(disc) / FRAMES_PER_SECOND);
    for (int i = 0; i < disc->track_count; i++) {
        json_track(out, &disc->tracks[i]);
        fputs(i + 1 < disc->track_count ? ",\n" : "\n", out);
    }
    fprintf(out, "  ],\n  \"filesystems\": [");
    bool first = true;
    for (int i = 0; i < disc->track_count; i++) {
        if (!dc_track_is_data(&disc->tracks[i]))
            continue;
        dc_fsinfo fs;
        probe_fs(image, i, &fs);
        fputs(first ? "\n" : ",\n", out);
        json_fsinfo(out, disc->tracks[i].number, &fs);
        first = false;
    }
    fprintf(out, "%s]", first ? "" : "\n  ");
    print_facts_json(out, image);
    print_partitions_json(out, image);
    fputs("\n}\n", out);
}
