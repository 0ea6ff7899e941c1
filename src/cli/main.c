/* discconv: the command line.  Commands come from the table below, which
 * --help lists; commands.c carries them out. */
#include "cli.h"

#include <cdio/logging.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Groups of options; each command says which apply to it, and --help
 * lists a group with the commands it serves. */
enum {
    OPTS_INPUT = 1 << 0,
    OPTS_OUTPUT = 1 << 1,
    OPTS_CONVERT = 1 << 2,
    OPTS_SOUND = 1 << 3,
    OPTS_INFO = 1 << 4
};

typedef struct command {
    const char *name;
    int (*run)(command_line *cl);
    const char *usage;       /* what follows the name */
    const char *description; /* one sentence; --help wraps it */
    unsigned options;        /* OPTS_* */
    int max_inputs;          /* 0: takes none (extra words are ignored) */
} command;

static const command commands[] = {
    {"info", cmd_info, "IMAGE", "show tracks, metadata and file systems",
     OPTS_INPUT | OPTS_INFO, 1},
    {"convert", cmd_convert, "INPUT... -o OUTPUT",
     "convert an image to another format (the audio tracks of a disc "
     "converted to ISO are written beside it as sound files), or make an "
     "audio BIN/CUE from WAV, AIFF or FLAC files, one track each",
     OPTS_INPUT | OPTS_OUTPUT | OPTS_CONVERT | OPTS_SOUND | OPTS_INFO,
     DC_MAX_TRACKS},
    {"extract-audio", cmd_extract_audio, "IMAGE -o DIR",
     "write the audio tracks as sound files, with a cue sheet that rebuilds "
     "the disc", OPTS_INPUT | OPTS_OUTPUT | OPTS_SOUND, 1},
    {"formats", cmd_formats, "", "list the formats and what they can do", 0,
     0},
};
#define COMMAND_COUNT ((int)(sizeof commands / sizeof commands[0]))

static const struct option_group {
    unsigned group;
    const char *title;
    const char *text;
} option_groups[] = {
    {OPTS_INPUT, "Input",
     "      --from FORMAT            skip detection and read as FORMAT\n"
     "      --allow-truncated        convert an image that holds less than\n"
     "                               it says (info only warns), as far as\n"
     "                               it goes\n"},
    {OPTS_OUTPUT, "Output",
     "  -o, --output PATH            where to write (required); - sends an\n"
     "                               ISO, IMG or NRG that is one file, or\n"
     "                               extract-audio's one track as WAV or\n"
     "                               AIFF, to standard output (convert\n"
     "                               needs --to)\n"
     "      --verify                 check EDC/ECC of raw sectors while\n"
     "                               reading; report every bad sector (LBA\n"
     "                               ranges; each LBA with --json)\n"
     "  -f, --force                  replace existing output files\n"
     "      --sync                   make outputs durable: on the disk, with\n"
     "                               their folder entries, before discconv\n"
     "                               reports success (slower; without it\n"
     "                               they are complete but may still be in\n"
     "                               the page cache, as with cp)\n"
     "  -q, --quiet                  no progress bar, no summary\n"},
    {OPTS_CONVERT, "Conversion",
     "  -t, --to FORMAT              target format (default: from the\n"
     "                               output's extension; see Formats)\n"
     "      --track N                convert only track N\n"
     "      --raw                    write 2352-byte raw sectors, regenerating\n"
     "                               sync, header, EDC and ECC where the\n"
     "                               source has only user data (BIN default)\n"
     "      --cooked                 write user data only (MODE1/2048,\n"
     "                               MODE2/2336 in a cue sheet)\n"
     "      --option FORMAT.NAME=VALUE\n"
     "                               set an option of the target format (see\n"
     "                               Formats); may be repeated\n"
     "      --split                  the same as --option bincue.split=yes\n"
     "      --write-gaps             the same as --option\n"
     "                               bincue.write_gaps=yes\n"
     "      --allow-form2-truncation keep only 2048 of the 2324 bytes of\n"
     "                               Mode 2 Form 2 sectors in an ISO\n"},
    {OPTS_SOUND, "Sound file",
     "      --format wav|aiff|flac   sound file format (default wav), for\n"
     "                               extract-audio and audio routed out of\n"
     "                               an ISO\n"
     "      --tracks LIST            extract-audio: tracks such as 1,3-5\n"
     "      --pregap append|prepend|drop\n"
     "                               where INDEX 00 audio goes: the end of the\n"
     "                               previous track's file (default), the\n"
     "                               start of its own (redump), or nowhere\n"
     "      --name TEMPLATE          file names from {name} {track} {title}\n"
     "                               {performer} (default \"{name} (Track\n"
     "                               {track})\")\n"
     "      --swap-audio             the image's audio has the wrong byte\n"
     "                               order: swap every sample\n"},
    {OPTS_INFO, "Listing",
     "      --json                   print JSON; convert prints what it\n"
     "                               wrote and found, every bad sector's\n"
     "                               LBA included\n"},
};

static const char other_options[] =
    "Other options:\n"
    "  -h, --help                   show this help\n"
    "  -V, --version                show the version\n";

static const char exit_codes[] =
    "Exit status:\n"
    "  0  success\n"
    "  1  internal error (out of memory)\n"
    "  2  bad command line\n"
    "  3  an input file is missing or cannot be read\n"
    "  4  an input is malformed\n"
    "  5  an input is valid but uses something discconv does not support\n"
    "  6  an output cannot be written (exists without --force, disk full)\n"
    "  7  the target format cannot hold the disc as asked\n"
    "  8  written, but sectors failed verification or had unexpected modes\n"
    "  130  interrupted; partial outputs were removed\n";

#define HELP_COLUMN 31 /* where the explanations start */
#define HELP_WIDTH 79

/* `left` in the first column, then `text` wrapped at word boundaries into
 * the second. */
static void print_item(FILE *out, const char *left, const char *text)
{
    int col = fprintf(out, "%s", left);
    if (col > HELP_COLUMN - 2) {
        fputc('\n', out);
        col = 0;
    }
    while (*text != '\0') {
        size_t word = strcspn(text, " ");
        bool line_start = col <= HELP_COLUMN;
        if (!line_start && col + 1 + (int)word > HELP_WIDTH) {
            fputc('\n', out);
            col = 0;
            line_start = true;
        }
        if (line_start)
            col += fprintf(out, "%*s", HELP_COLUMN - col, "");
        else
            col += fprintf(out, " ");
        col += fprintf(out, "%.*s", (int)word, text);
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

/* The format table: names for --to and --from, and the extensions that
 * name a target. */
static void print_formats(FILE *out)
{
    fputs("Formats (NAME for --from and --to; without --to, the output's "
          "extension\nnames the target):\n", out);
    for (int i = 0; i < dc_format_count(); i++) {
        const dc_format_info *f = dc_format_get(i);
        char left[128];
        int n = snprintf(left, sizeof left, "  %-8s", f->name);
        if (!f->can_write)
            snprintf(left + n, sizeof left - (size_t)n, " (read only)");
        else if (f->writes_folder)
            snprintf(left + n, sizeof left - (size_t)n, " a folder");
        else
            for (const char *e = f->extensions; *e != '\0' && n < 100;) {
                size_t len = strcspn(e, ",");
                n += snprintf(left + n, sizeof left - (size_t)n, " .%.*s",
                              (int)len, e);
                e += len + (e[len] == ',');
            }
        print_item(out, left, f->description);
        for (int k = 0; k < f->option_count; k++) {
            snprintf(left, sizeof left, "    %s.%s=yes|no", f->name,
                     f->options[k].name);
            print_item(out, left, f->options[k].help);
        }
    }
}

static void print_usage(FILE *out)
{
    fputs("Usage: discconv COMMAND [OPTIONS]\n\n"
          "Convert optical disc images between formats.  Formats are "
          "detected by\ncontent, not by file extension.\n\nCommands:\n",
          out);
    for (int i = 0; i < COMMAND_COUNT; i++) {
        char left[64];
        snprintf(left, sizeof left, "  %s %s", commands[i].name,
                 commands[i].usage);
        print_item(out, left, commands[i].description);
    }
    for (size_t g = 0; g < sizeof option_groups / sizeof *option_groups; g++) {
        fprintf(out, "\n%s options (", option_groups[g].title);
        const char *separator = "";
        for (int i = 0; i < COMMAND_COUNT; i++)
            if (commands[i].options & option_groups[g].group) {
                fprintf(out, "%s%s", separator, commands[i].name);
                separator = ", ";
            }
        fprintf(out, "):\n%s", option_groups[g].text);
    }
    fputc('\n', out);
    fputs(other_options, out);
    fputc('\n', out);
    print_formats(out);
    fputc('\n', out);
    fputs(exit_codes, out);
}

int cli_usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", CLI_PROGRAM);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\nTry 'discconv --help'.\n");
    va_end(args);
    return EXIT_USAGE;
}

enum {
    OPT_FROM = 256, OPT_TRACK, OPT_RAW, OPT_COOKED, OPT_SPLIT, OPT_VERIFY,
    OPT_FORM2, OPT_JSON, OPT_WRITE_GAPS, OPT_FORMAT, OPT_TRACKS, OPT_PREGAP,
    OPT_NAME, OPT_SWAP_AUDIO, OPT_SYNC, OPT_OPTION, OPT_ALLOW_TRUNCATED
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"to", required_argument, NULL, 't'},
    {"from", required_argument, NULL, OPT_FROM},
    {"allow-truncated", no_argument, NULL, OPT_ALLOW_TRUNCATED},
    {"track", required_argument, NULL, OPT_TRACK},
    {"raw", no_argument, NULL, OPT_RAW},
    {"cooked", no_argument, NULL, OPT_COOKED},
    {"split", no_argument, NULL, OPT_SPLIT},
    {"write-gaps", no_argument, NULL, OPT_WRITE_GAPS},
    {"option", required_argument, NULL, OPT_OPTION},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"allow-form2-truncation", no_argument, NULL, OPT_FORM2},
    {"force", no_argument, NULL, 'f'},
    {"sync", no_argument, NULL, OPT_SYNC},
    {"quiet", no_argument, NULL, 'q'},
    {"json", no_argument, NULL, OPT_JSON},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"tracks", required_argument, NULL, OPT_TRACKS},
    {"pregap", required_argument, NULL, OPT_PREGAP},
    {"name", required_argument, NULL, OPT_NAME},
    {"swap-audio", no_argument, NULL, OPT_SWAP_AUDIO},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int parse_track(const char *text, int *track)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || n < 1 || n > DC_MAX_TRACKS)
        return cli_usage_error("--track takes a track number from 1 to 99, "
                               "not '%s'", text);
    *track = (int)n;
    return EXIT_OK;
}

/* Names for enum values, in enum order, NULL-terminated. */
static const char *const audio_formats[] = {"wav", "aiff", "flac", NULL};
static const char *const pregap_policies[] = {"append", "prepend", "drop",
                                              NULL};

static int parse_choice(const char *option, const char *text,
                        const char *const *names, int *value)
{
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(text, names[i]) == 0) {
            *value = i;
            return EXIT_OK;
        }
    return cli_usage_error("%s does not take '%s'", option, text);
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

/* Returns EXIT_OK, or the exit code to stop with (-1: help shown). */
static int parse(int argc, char **argv, command_line *cl)
{
    int c, rc;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:t:fqhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'o': cl->output = optarg; break;
        case 't': cl->convert.format_name = optarg; break;
        case OPT_FROM: cl->from = optarg; break;
        case OPT_ALLOW_TRUNCATED: cl->convert.allow_truncated = true; break;
        case OPT_TRACK:
            if ((rc = parse_track(optarg, &cl->convert.track_number)) != EXIT_OK)
                return rc;
            break;
        case OPT_RAW:
        case OPT_COOKED:
            if (cl->convert.framing != DC_FRAMING_DEFAULT)
                return cli_usage_error("--raw and --cooked exclude each "
                                       "other");
            cl->convert.framing = c == OPT_RAW ? DC_FRAMING_RAW
                                               : DC_FRAMING_USER;
            break;
        case OPT_SPLIT:
        case OPT_WRITE_GAPS:
        case OPT_OPTION:
            if ((rc = add_format_option(cl, c == OPT_SPLIT ? "bincue.split=yes"
                                            : c == OPT_WRITE_GAPS
                                                ? "bincue.write_gaps=yes"
                                                : optarg)) != EXIT_OK)
                return rc;
            break;
        case OPT_VERIFY: cl->convert.read.verify = true; break;
        case OPT_FORM2: cl->convert.read.allow_form2_truncation = true; break;
        case 'f': cl->convert.force = true; break;
        case OPT_SYNC: cl->convert.sync = true; break;
        case 'q': cl->quiet = true; break;
        case OPT_JSON: cl->json = true; break;
        case OPT_FORMAT:
            if ((rc = parse_choice("--format", optarg, audio_formats,
                                   (int *)&cl->convert.audio_format)) != EXIT_OK)
                return rc;
            break;
        case OPT_TRACKS: cl->convert.track_list = optarg; break;
        case OPT_PREGAP:
            if ((rc = parse_choice("--pregap", optarg, pregap_policies,
                                   (int *)&cl->convert.pregap)) != EXIT_OK)
                return rc;
            break;
        case OPT_NAME: cl->convert.name_template = optarg; break;
        case OPT_SWAP_AUDIO: cl->convert.read.swap_audio = true; break;
        case 'h': print_usage(stdout); return -1;
        case 'V': printf("discconv %s\n", dc_version()); return -1;
        case ':': return cli_usage_error("option '%s' needs a value",
                                         argv[optind - 1]);
        default: return cli_usage_error("unknown option '%s'",
                                        argv[optind - 1]);
        }
    }
    /* getopt_long moves the command and the image here, wherever the user
     * put them among the options. */
    for (; optind < argc; optind++) {
        if (cl->command == NULL)
            cl->command = argv[optind];
        else if (cl->input_count < DC_MAX_TRACKS)
            cl->inputs[cl->input_count++] = argv[optind];
        else
            return cli_usage_error("more than %d inputs", DC_MAX_TRACKS);
    }
    return EXIT_OK;
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
    if (cl.command == NULL) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    const command *cmd = NULL;
    for (int i = 0; i < COMMAND_COUNT && cmd == NULL; i++)
        if (strcmp(cl.command, commands[i].name) == 0)
            cmd = &commands[i];
    if (cmd == NULL)
        return cli_usage_error("unknown command '%s'", cl.command);
    if (cmd->max_inputs > 0 && cl.input_count == 0)
        return cli_usage_error("%s needs an IMAGE", cl.command);
    if (cmd->max_inputs == 1 && cl.input_count > 1)
        return cli_usage_error("%s takes one IMAGE", cl.command);
    return cmd->run(&cl);
}
