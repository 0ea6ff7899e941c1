/* discconv: the command line.  The tables below are the whole of it: the
 * parser takes each option's spelling, the commands it applies to and what
 * it sets from them, and --help and the man page's lists (help.c) are
 * printed from them; commands.c carries the commands out. */
#include "cli.h"

#include <cdio/logging.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int cmd_help(command_line *cl);

const cli_command cli_commands[] = {
    {"info", CMD_INFO, cmd_info, "IMAGE",
     "show tracks, metadata and file systems", 1, 1, false},
    {"convert", CMD_CONVERT, cmd_convert, "INPUT... -o OUTPUT",
     "convert an image to another format (the audio tracks of a disc "
     "converted to ISO are written beside it as sound files), or make an "
     "audio BIN/CUE from WAV, AIFF or FLAC files, one track each",
     1, DC_MAX_TRACKS, true},
    {"extract-audio", CMD_EXTRACT_AUDIO, cmd_extract_audio, "IMAGE -o DIR",
     "write the audio tracks as sound files, with a cue sheet that rebuilds "
     "the disc", 1, 1, true},
    {"verify", CMD_VERIFY, cmd_verify, "IMAGE... [--dat FILE.dat]",
     "check the EDC/ECC of every raw data sector and print each track's "
     "size, CRC-32, MD5 and SHA-1 as redump lays tracks out (2352-byte "
     "sectors, the stored pregap at the start: the bytes convert --split "
     "writes), an audio disc's AccurateRip ids and CRCs and CTDB TOC id; "
     "with --dat, the game whose tracks all match", 1, DC_MAX_TRACKS, false},
    {"normalize", CMD_NORMALIZE, cmd_normalize, "SRC... -o DEST",
     "convert every image found in folders into one layout under DEST: "
     "a data disc of one track to ISO, an audio disc to sound files and a "
     "cue sheet, a mixed-mode or multi-session disc to BIN/CUE with one "
     "BIN per track (redump's names); a report in DEST "
     "(discconv-report.jsonl); a re-run skips what is done",
     0, DC_MAX_TRACKS, false},
    {"formats", CMD_FORMATS, cmd_formats, "",
     "list the formats and what they can do", 0, 0, false},
    {"help", CMD_HELP, cmd_help, "[COMMAND]",
     "show this help, or one command's", 0, 1, false},
};
const int cli_command_count = sizeof cli_commands / sizeof *cli_commands;

/* --- what options do ---------------------------------------------------- */

#define MEMBER(cl, option, type) \
    ((type *)(void *)((char *)(cl) + (option)->field))

static int set_true(command_line *cl, const cli_option *option,
                    const char *value)
{
    (void)value;
    *MEMBER(cl, option, bool) = true;
    return EXIT_OK;
}

static int set_text(command_line *cl, const cli_option *option,
                    const char *value)
{
    *MEMBER(cl, option, const char *) = value;
    return EXIT_OK;
}

/* A format named by an extension as the Formats list shows it (".cue")
 * is the extension ("cue"). */
static int set_format_name(command_line *cl, const cli_option *option,
                           const char *value)
{
    *MEMBER(cl, option, const char *) =
        value[0] == '.' && value[1] != '\0' ? value + 1 : value;
    return EXIT_OK;
}

/* A table entry's action and the member it sets. */
#define FLAG(member) set_true, offsetof(command_line, member)
#define TEXT(member) set_text, offsetof(command_line, member)
#define FORMAT_NAME(member) set_format_name, offsetof(command_line, member)
#define CALL(function) function, 0

/* "--option": how the user spelled an option, for messages. */
typedef struct spelling {
    char text[48];
} spelling;

static spelling spell(const cli_option *option, bool short_form)
{
    spelling s;
    if (short_form)
        snprintf(s.text, sizeof s.text, "-%c", option->short_name);
    else
        snprintf(s.text, sizeof s.text, "--%s", option->name);
    return s;
}

static int set_tracks(command_line *cl, const cli_option *option,
                      const char *value)
{
    bool wanted[DC_MAX_TRACKS + 1];
    dc_error err = {0};
    if (dc_track_list_parse(value, wanted, &err) != DC_OK)
        return cli_usage_error("--%s %s: %s", option->name, value,
                               err.message);
    cl->convert.track_list = value;
    return EXIT_OK;
}

static int set_framing(command_line *cl, const cli_option *option,
                       const char *value)
{
    (void)value;
    if (cl->convert.framing != DC_FRAMING_DEFAULT)
        return cli_usage_error("--raw and --cooked exclude each other");
    cl->convert.framing = strcmp(option->name, "raw") == 0 ? DC_FRAMING_RAW
                                                           : DC_FRAMING_USER;
    return EXIT_OK;
}

/* A format's option, checked by the library against the target. */
static int add_format_option(command_line *cl, const char *setting)
{
    if (cl->format_option_count == CLI_MAX_FORMAT_OPTIONS)
        return cli_usage_error("more than %d format options",
                               CLI_MAX_FORMAT_OPTIONS);
    cl->format_options[cl->format_option_count++] = setting;
    cl->convert.format_options = cl->format_options;
    return EXIT_OK;
}

static int set_format_option(command_line *cl, const cli_option *option,
                             const char *value)
{
    (void)option;
    return add_format_option(cl, value);
}

static int set_split(command_line *cl, const cli_option *option,
                     const char *value)
{
    (void)option;
    (void)value;
    return add_format_option(cl, "bincue.split=yes");
}

static int set_write_gaps(command_line *cl, const cli_option *option,
                          const char *value)
{
    (void)option;
    (void)value;
    return add_format_option(cl, "bincue.write_gaps=yes");
}

/* Names for enum values, in enum order, NULL-terminated. */
static const char *const sound_formats[] = {"wav", "aiff", "flac", NULL};
static const char *const pregap_policies[] = {"append", "prepend", "drop",
                                              NULL};

static int parse_choice(const cli_option *option, const char *text,
                        const char *const *names, int *value)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(text, names[i]) == 0) {
            *value = i;
            return EXIT_OK;
        }
    return cli_usage_error("--%s takes %s, not '%s'", option->name,
                           option->value, text);
}

/* The sound format a target's name asks for (as the library reads it:
 * "aif" is AIFF, any case), or -1. */
static int sound_format_of_target(const char *name)
{
    if (strcasecmp(name, "aif") == 0)
        return DC_AUDIO_AIFF;
    for (int i = 0; sound_formats[i] != NULL; i++)
        if (strcasecmp(name, sound_formats[i]) == 0)
            return i;
    return -1;
}

static int set_sound_format(command_line *cl, const cli_option *option,
                            const char *value)
{
    return parse_choice(option, value, sound_formats,
                        (int *)&cl->convert.audio_format);
}

static int set_jobs(command_line *cl, const cli_option *option,
                    const char *value)
{
    char *end;
    long jobs = strtol(value, &end, 10);
    if (end == value || *end != '\0' || jobs < 1 || jobs > 1024)
        return cli_usage_error("--%s takes a number from 1 to 1024, not "
                               "'%s'", option->name, value);
    cl->normalize.jobs = (int)jobs;
    return EXIT_OK;
}

static int set_pregap(command_line *cl, const cli_option *option,
                      const char *value)
{
    return parse_choice(option, value, pregap_policies,
                        (int *)&cl->convert.pregap);
}

/*
 * Every option.  Adding one is adding a line here: its long name, short
 * name (or 0), the value it takes as help names it (or NULL), the
 * commands it applies to, OPTION_* flags, the option it is another
 * spelling of (or NULL), what it does -- FLAG(member) sets a bool of
 * command_line, TEXT(member) keeps its value, CALL(function) for the rest
 * -- and its help.  Help, the man page's option list and the checks
 * (applies to the command, given once) follow from the line.
 */
const cli_option cli_options[] = {
    {"output", 'o', "PATH", CMD_WRITING, 0, NULL, TEXT(output),
     "where to write (required); in a folder named with a final / (made "
     "if missing) outputs are named after the input; - is standard output "
     "(one file; convert needs --to)"},
    /* The same option, told apart for normalize's help: a folder only. */
    {"output", 'o', "DEST", CMD_NORMALIZE, 0, NULL, TEXT(output),
     "the folder to write into (required; made if missing), mirroring "
     "the sources' folders"},
    {"to", 't', "FORMAT", CMD_CONVERT, 0, NULL,
     FORMAT_NAME(convert.format_name),
     "the target format, by a name or an extension listed under Formats "
     "(cue and bin name bincue; wav, aiff and flac write sound files); "
     "default: from the output's extension"},
    {"from", 0, "FORMAT", CMD_READING, 0, NULL,
     FORMAT_NAME(from),
     "skip detection and read as FORMAT (a name or an extension listed "
     "under Formats)"},
    {"partition", 0, "N|NAME", CMD_READING, 0, NULL,
     TEXT(partition),
     "read one partition of a DMG: its number from 0 as info lists them, "
     "its name or its type (default: the whole disk)"},
    {"no-verify", 0, NULL, CMD_READING | CMD_NORMALIZE, 0, NULL, FLAG(no_verify),
     "do not check a DMG's CRC-32 and MD5 checksums"},
    {"password", 0, "TEXT", CMD_READING | CMD_NORMALIZE, 0, NULL, TEXT(password),
     "the password of an encrypted image (DMG, UIF); never asked for"},
    {"allow-truncated", 0, NULL, CMD_WRITING | CMD_NORMALIZE, 0, NULL,
     FLAG(convert.allow_truncated),
     "convert an image that holds less than it says (info only warns), as "
     "far as it goes"},
    {"tracks", 0, "LIST", CMD_WRITING, 0, NULL, CALL(set_tracks),
     "only these tracks: a number, or for sound files numbers and ranges "
     "such as 1,3-5"},
    {"track", 0, "N", CMD_WRITING, 0, "tracks", CALL(set_tracks),
     "the same as --tracks N"},
    {"raw", 0, NULL, CMD_CONVERT, 0, NULL, CALL(set_framing),
     "write 2352-byte raw sectors, regenerating sync, header, EDC and ECC "
     "where the source has only user data (BIN default)"},
    {"cooked", 0, NULL, CMD_CONVERT, 0, NULL, CALL(set_framing),
     "write user data only (MODE1/2048, MODE2/2336 in a cue sheet)"},
    {"option", 0, "FORMAT.NAME=VALUE", CMD_CONVERT, OPTION_REPEATABLE, NULL,
     CALL(set_format_option),
     "set an option of the target format (see Formats); may be repeated"},
    {"split", 0, NULL, CMD_CONVERT, 0, NULL, CALL(set_split),
     "the same as --option bincue.split=yes"},
    {"write-gaps", 0, NULL, CMD_CONVERT, 0, NULL, CALL(set_write_gaps),
     "the same as --option bincue.write_gaps=yes"},
    {"allow-form2-truncation", 0, NULL, CMD_CONVERT, 0, NULL,
     FLAG(convert.read.allow_form2_truncation),
     "keep only 2048 of the 2324 bytes of Mode 2 Form 2 sectors in an ISO"},
    {"format", 0, "wav|aiff|flac", CMD_WRITING, 0, NULL,
     CALL(set_sound_format),
     "sound file format (default wav), for extract-audio and audio routed "
     "out of an ISO"},
    {"pregap", 0, "append|prepend|drop", CMD_WRITING, 0, NULL,
     CALL(set_pregap),
     "where INDEX 00 audio goes: the end of the previous track's file "
     "(default), the start of its own (redump), or nowhere"},
    {"name", 0, "TEMPLATE", CMD_WRITING, 0, NULL,
     TEXT(convert.name_template),
     "sound file names from {name} {track} {title} {performer} (default "
     "\"{name} (Track {track})\")"},
    {"swap-audio", 0, NULL, CMD_WRITING, 0, NULL,
     FLAG(convert.read.swap_audio),
     "the image's audio has the wrong byte order: swap every sample"},
    {"verify", 0, NULL, CMD_WRITING, 0, NULL, FLAG(convert.read.verify),
     "check EDC/ECC of raw sectors while reading; report every bad sector "
     "(LBA ranges; each LBA with --json)"},
    {"force", 'f', NULL, CMD_WRITING, 0, NULL, FLAG(convert.force),
     "replace existing output files"},
    {"sync", 0, NULL, CMD_WRITING | CMD_NORMALIZE, 0, NULL, FLAG(convert.sync),
     "make outputs durable: on the disk, with their folder entries, before "
     "discconv reports success (slower; without it they are complete but "
     "may still be in the page cache, as with cp)"},
    {"quiet", 'q', NULL, CMD_WRITING | CMD_VERIFY | CMD_NORMALIZE, 0, NULL, FLAG(quiet),
     "no progress bar, no summary"},
    {"jobs", 'j', "N", CMD_NORMALIZE, 0, NULL, CALL(set_jobs),
     "convert N images at once (default: one per processor)"},
    {"dry-run", 0, NULL, CMD_NORMALIZE, 0, NULL, FLAG(normalize.dry_run),
     "only show what would be converted, how, and what is up to date"},
    {"audio-format", 0, "wav|aiff|flac", CMD_NORMALIZE, 0, NULL,
     CALL(set_sound_format), "sound file format of audio discs (default wav)"},
    {"keep-bincue", 0, NULL, CMD_NORMALIZE, 0, NULL,
     FLAG(normalize.keep_bincue),
     "write every disc as BIN/CUE, one BIN per track"},
    {"also-iso", 0, NULL, CMD_NORMALIZE, 0, NULL, FLAG(normalize.also_iso),
     "also write the first data track of a mixed-mode or multi-session "
     "disc as NAME.iso"},
    {"progress", 0, NULL, CMD_NORMALIZE, 0, NULL, FLAG(normalize.progress),
     "show progress on standard error even when it is no terminal"},
    {"plan", 0, NULL, CMD_NORMALIZE, 0, NULL, FLAG(normalize.plan),
     "print one shell command per image instead of converting, for GNU "
     "parallel, a Slurm array or xargs; then --merge"},
    {"one", 0, "IMAGE", CMD_NORMALIZE, 0, NULL, TEXT(normalize.one),
     "convert this image only, as a line of --plan does (with --as); "
     "its part of the report goes to DEST/.discconv/fragments"},
    {"one-hex", 0, "HEX", CMD_NORMALIZE, OPTION_HIDDEN, "one",
     TEXT(normalize.one_hex), "--one, the path in hexadecimal"},
    {"as", 0, "PATH", CMD_NORMALIZE, 0, NULL, TEXT(normalize.name),
     "with --one: the outputs' name under DEST, without extension"},
    {"merge", 0, NULL, CMD_NORMALIZE, 0, NULL, FLAG(normalize.merge),
     "join the report fragments in DEST/.discconv into the report"},
    {"json", 0, NULL, CMD_INFO | CMD_CONVERT | CMD_VERIFY, 0, NULL,
     FLAG(json),
     "print JSON; convert prints what it wrote and found, every bad "
     "sector's LBA included; verify one object per image, one line each"},
    {"dat", 0, "FILE.dat", CMD_VERIFY, 0, NULL, TEXT(dat),
     "a Logiqx XML DAT (redump, No-Intro): find the game whose tracks all "
     "match by hash, or name the tracks that differ"},
    {"help", 'h', NULL, CMD_EVERY, 0, NULL, FLAG(help),
     "show this help, or with a command that command's"},
    {"version", 'V', NULL, CMD_EVERY, 0, NULL, FLAG(version),
     "show the version"},
    {"help-man", 0, NULL, CMD_EVERY, OPTION_HIDDEN, NULL, FLAG(help_man),
     "print the man page's lists"},
};
const int cli_option_count = sizeof cli_options / sizeof *cli_options;

const cli_exit_code_info cli_exit_codes[] = {
    {EXIT_OK, "success"},
    {EXIT_INTERNAL, "internal error (out of memory)"},
    {EXIT_USAGE, "bad command line"},
    {EXIT_INPUT_UNREADABLE, "an input file is missing or cannot be read"},
    {EXIT_INPUT_MALFORMED, "an input is malformed"},
    {EXIT_INPUT_UNSUPPORTED,
     "an input is valid but uses something discconv does not support"},
    {EXIT_OUTPUT,
     "an output cannot be written (exists without --force, disk full)"},
    {EXIT_CANNOT_HOLD, "the target format cannot hold the disc as asked"},
    {EXIT_BAD_SECTORS,
     "written, but sectors failed verification or had unexpected modes; "
     "verify: sectors failed EDC/ECC (and no DAT game matches)"},
    {EXIT_NO_MATCH, "verify: no game of the DAT matches every track"},
    {EXIT_IMAGES_FAILED,
     "normalize: one image or more could not be converted (the report says "
     "why); the others were"},
    {EXIT_INTERRUPTED, "interrupted; partial outputs were removed"},
};
const int cli_exit_code_count = sizeof cli_exit_codes / sizeof *cli_exit_codes;

/* --- messages ----------------------------------------------------------- */

static const cli_command *current_command; /* once known: its help */

int cli_usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", CLI_PROGRAM);
    vfprintf(stderr, fmt, args);
    if (current_command != NULL)
        fprintf(stderr, "\nTry 'discconv %s --help'.\n", current_command->name);
    else
        fprintf(stderr, "\nTry 'discconv --help'.\n");
    va_end(args);
    return EXIT_USAGE;
}

static const cli_command *find_command(const char *name)
{
    for (int i = 0; i < cli_command_count; i++)
        if (strcmp(name, cli_commands[i].name) == 0)
            return &cli_commands[i];
    return NULL;
}

/* Edits (insert, delete, replace a letter) from a to b; 99 for words
 * too long to be a misspelt command. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diagonal = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int above = row[j];
            int best = diagonal + (a[i - 1] != b[j - 1]);
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

/* "info, convert, ..." */
static void command_names(char *text, size_t size)
{
    text[0] = '\0';
    for (int i = 0; i < cli_command_count; i++) {
        size_t used = strlen(text);
        snprintf(text + used, size - used, "%s%s", i > 0 ? ", " : "",
                 cli_commands[i].name);
    }
}

static int unknown_command(const char *word)
{
    char names[128];
    command_names(names, sizeof names);
    const char *closest = NULL;
    int best = 3; /* a suggestion only for a near miss */
    for (int i = 0; i < cli_command_count; i++) {
        int d = edit_distance(word, cli_commands[i].name);
        if (d < best) {
            best = d;
            closest = cli_commands[i].name;
        }
    }
    struct stat st;
    if (stat(word, &st) == 0)
        return cli_usage_error("'%s' is a file, not a command: put a command "
                               "first (%s)", word, names);
    if (closest != NULL)
        return cli_usage_error("unknown command '%s' (did you mean '%s'?); "
                               "the commands are %s", word, closest, names);
    return cli_usage_error("unknown command '%s'; the commands are %s", word,
                           names);
}

/* --- parsing ------------------------------------------------------------ */

/* Long options are returned as LONG_OPTION + their index in the table. */
#define LONG_OPTION 256

typedef struct given_option {
    const cli_option *option;
    const char *value;
    spelling spelled;
} given_option;

typedef struct parsed {
    given_option given[256];
    int given_count;
    const char *words[DC_MAX_TRACKS + 2]; /* the command and its inputs */
    int word_count;
} parsed;

#define OPTION_COUNT (sizeof cli_options / sizeof *cli_options)
static struct option long_options[OPTION_COUNT + 1];
static char short_options[2 * OPTION_COUNT + 2];

static void make_getopt_tables(void)
{
    char *s = short_options;
    *s++ = ':'; /* a missing value is told apart from an unknown option */
    for (int i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        long_options[i] = (struct option){
            o->name, o->value != NULL ? required_argument : no_argument, NULL,
            LONG_OPTION + i};
        if (o->short_name != 0) {
            *s++ = o->short_name;
            if (o->value != NULL)
                *s++ = ':';
        }
    }
    *s = '\0';
}

static const cli_option *short_option(int c)
{
    for (int i = 0; i < cli_option_count; i++)
        if (cli_options[i].short_name == c)
            return &cli_options[i];
    return NULL;
}

/* The argument that named the long option just read: the one before its
 * value when that came separately ("--output x"). */
static const char *long_option_text(char **argv, const cli_option *option)
{
    const char *text = argv[optind - 1];
    if (option->value != NULL && optarg == text)
        text = argv[optind - 2];
    return text;
}

/* getopt takes "--verif" for --verify; a script written so would break
 * when another option starting so is added, so names are spelled whole. */
static int check_spelled_whole(const char *text, const cli_option *option)
{
    size_t len = strcspn(text + 2, "=");
    if (len == strlen(option->name))
        return EXIT_OK;
    return cli_usage_error("unknown option '%.*s' (did you mean '--%s'?)",
                           (int)(len + 2), text, option->name);
}

/* Sorts argv into options (kept, not yet applied: which apply depends on
 * the command) and words. */
static int read_arguments(int argc, char **argv, parsed *p)
{
    make_getopt_tables();
    opterr = 0;
    int c, rc;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) !=
           -1) {
        if (c == ':')
            return cli_usage_error("option '%s' needs a value",
                                   argv[optind - 1]);
        const cli_option *option = c >= LONG_OPTION
                                       ? &cli_options[c - LONG_OPTION]
                                       : short_option(c);
        if (option == NULL) {
            if (optopt >= LONG_OPTION)
                return cli_usage_error("option '--%s' takes no value",
                                       cli_options[optopt - LONG_OPTION].name);
            if (optopt != 0)
                return cli_usage_error("unknown option '-%c'", optopt);
            return cli_usage_error("unknown option '%s'", argv[optind - 1]);
        }
        bool short_form = c < LONG_OPTION;
        if (!short_form &&
            (rc = check_spelled_whole(long_option_text(argv, option),
                                      option)) != EXIT_OK)
            return rc;
        if (p->given_count == (int)(sizeof p->given / sizeof *p->given))
            return cli_usage_error("too many options");
        p->given[p->given_count++] = (given_option){
            option, optarg, spell(option, short_form)};
    }
    for (; optind < argc; optind++) {
        if (p->word_count == (int)(sizeof p->words / sizeof *p->words))
            return cli_usage_error("more than %d inputs", DC_MAX_TRACKS);
        p->words[p->word_count++] = argv[optind];
    }
    return EXIT_OK;
}

/* The option an alias spells, so that both count as one. */
static const cli_option *canonical(const cli_option *option)
{
    if (option->same_as == NULL)
        return option;
    for (int i = 0; i < cli_option_count; i++)
        if (strcmp(cli_options[i].name, option->same_as) == 0)
            return &cli_options[i];
    return option;
}

/* An option whose name has an entry of its own for this command (-o of
 * normalize): that entry; otherwise the option as found. */
static const cli_option *entry_for(const cli_option *option,
                                   const cli_command *command)
{
    if (option->commands & command->bit)
        return option;
    for (int i = 0; i < cli_option_count; i++)
        if (strcmp(cli_options[i].name, option->name) == 0 &&
            (cli_options[i].commands & command->bit))
            return &cli_options[i];
    return option;
}

/* An option given for a command it does not apply to, or twice. */
static int check_option(const parsed *p, int k, const cli_command *command)
{
    const given_option *g = &p->given[k];
    if (!(g->option->commands & command->bit)) {
        char where[128];
        help_commands_of(g->option, where, sizeof where);
        return cli_usage_error("%s does not apply to %s (it is an option of "
                               "%s)", g->spelled.text, command->name, where);
    }
    if (g->option->flags & OPTION_REPEATABLE)
        return EXIT_OK;
    for (int i = 0; i < k; i++) {
        const given_option *before = &p->given[i];
        if (canonical(before->option) != canonical(g->option))
            continue;
        if (strcmp(before->spelled.text, g->spelled.text) == 0)
            return cli_usage_error("option %s given twice",
                                   g->spelled.text);
        return cli_usage_error("%s and %s are one option, given twice",
                               before->spelled.text, g->spelled.text);
    }
    return EXIT_OK;
}

static bool was_given(const parsed *p, const char *name)
{
    for (int i = 0; i < p->given_count; i++)
        if (strcmp(p->given[i].option->name, name) == 0)
            return true;
    return false;
}

/* Options that each make sense but not together. */
static int check_together(const parsed *p, const command_line *cl)
{
    const char *target = cl->convert.format_name;
    int named = target != NULL ? sound_format_of_target(target) : -1;
    if (named >= 0 && was_given(p, "format") &&
        named != (int)cl->convert.audio_format)
        return cli_usage_error("--to %s and --format %s ask for different "
                               "sound formats", target,
                               sound_formats[cl->convert.audio_format]);
    return EXIT_OK;
}

static int check_words(const parsed *p, const cli_command *command,
                       const command_line *cl)
{
    int inputs = p->word_count - 1;
    if (inputs < command->min_inputs)
        return cli_usage_error("%s needs %s: discconv %s %s", command->name,
                               command->max_inputs > 1 ? "an input"
                                                       : "an IMAGE",
                               command->name, command->usage);
    if (inputs > command->max_inputs) {
        if (command->max_inputs == 0)
            return cli_usage_error("%s takes no arguments, not '%s'",
                                   command->name, p->words[1]);
        return cli_usage_error("%s takes one %s, not also '%s'",
                               command->name,
                               command->bit == CMD_HELP ? "COMMAND" : "IMAGE",
                               p->words[2]);
    }
    if (command->needs_output && cl->output == NULL)
        return cli_usage_error("%s needs an output: -o %s", command->name,
                               command->bit == CMD_EXTRACT_AUDIO ? "DIR"
                                                                 : "OUTPUT");
    return EXIT_OK;
}

/* Returns EXIT_OK, or the exit code to stop with (-1: done, success). */
static int parse(int argc, char **argv, command_line *cl)
{
    static parsed p;
    int rc = read_arguments(argc, argv, &p);
    if (rc != EXIT_OK)
        return rc;
    /* Help, the version and the man page's lists need no command. */
    for (int i = 0; i < p.given_count; i++)
        if (p.given[i].option->commands == CMD_EVERY)
            p.given[i].option->action(cl, p.given[i].option, NULL);
    if (cl->help_man) {
        help_print_man_lists(stdout);
        return -1;
    }
    if (cl->version) {
        printf("discconv %s\n", dc_version());
        return -1;
    }
    if (p.word_count == 0) {
        if (cl->help) {
            help_print(stdout, NULL);
            return -1;
        }
        char names[128];
        command_names(names, sizeof names);
        return cli_usage_error("no command given; the commands are %s",
                               names);
    }
    const cli_command *command = find_command(p.words[0]);
    if (command == NULL)
        return unknown_command(p.words[0]);
    current_command = command;
    if (cl->help) {
        help_print(stdout, command->bit == CMD_HELP ? NULL : command);
        return -1;
    }
    for (int i = 0; i < p.given_count; i++)
        p.given[i].option = entry_for(p.given[i].option, command);
    for (int i = 0; i < p.given_count; i++) {
        const given_option *g = &p.given[i];
        if ((rc = check_option(&p, i, command)) != EXIT_OK ||
            (rc = g->option->action(cl, g->option, g->value)) != EXIT_OK)
            return rc;
    }
    if ((rc = check_together(&p, cl)) != EXIT_OK ||
        (rc = check_words(&p, command, cl)) != EXIT_OK)
        return rc;
    cl->command = command->name;
    cl->run = command->run;
    for (int i = 1; i < p.word_count; i++)
        cl->inputs[cl->input_count++] = p.words[i];
    return EXIT_OK;
}

/* `discconv help [COMMAND]` */
static int cmd_help(command_line *cl)
{
    const cli_command *command = NULL;
    if (cl->input_count > 0 &&
        (command = find_command(cl->inputs[0])) == NULL)
        return unknown_command(cl->inputs[0]);
    help_print(stdout, command);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

/* libcdio logs what it finds wrong while parsing (CD-TEXT, volume
 * descriptors) to stdout; the user hears about it as discconv's own
 * one-line error instead. */
static void ignore_cdio_log(cdio_log_level_t level, const char *message)
{
    (void)level;
    (void)message;
}

int main(int argc, char **argv)
{
    command_line cl = {0};
    cdio_log_set_handler(ignore_cdio_log);
    /* Past the file size limit a write fails with EFBIG, which is reported
     * and cleaned up like a full disk, instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    int rc = parse(argc, argv, &cl);
    if (rc != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    return cl.run(&cl);
}
