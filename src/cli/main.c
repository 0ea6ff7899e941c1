/* discconv: the command line.  Subcommands: info, convert, formats. */
#include "cli.h"

#include <cdio/logging.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *program = "discconv";

static const char usage_text[] =
    "Usage: discconv COMMAND [OPTIONS]\n"
    "\n"
    "Convert optical disc images between formats.  Formats are detected by\n"
    "content, not by file extension.\n"
    "\n"
    "Commands:\n"
    "  info IMAGE [--json]          show tracks, metadata and file systems\n"
    "  convert IMAGE -o OUTPUT      convert to another format; audio tracks\n"
    "                               of a disc converted to ISO are written\n"
    "                               beside it as sound files\n"
    "  convert SOUND... -o OUT.cue  make an audio BIN/CUE from WAV, AIFF or\n"
    "                               FLAC files, one track each\n"
    "  extract-audio IMAGE -o DIR   write the audio tracks as sound files,\n"
    "                               with a cue sheet that rebuilds the disc\n"
    "  formats                      list the formats and what they can do\n"
    "\n"
    "Options for convert:\n"
    "  -o, --output PATH            where to write (required); - sends an\n"
    "                               ISO, IMG or NRG that is one file, or\n"
    "                               extract-audio's one track as WAV or\n"
    "                               AIFF, to standard output (convert\n"
    "                               needs --to)\n"
    "  -t, --to FORMAT              target format (default: from the\n"
    "                               output's extension: .iso .cue .bin .img)\n"
    "      --from FORMAT            skip detection and read as FORMAT\n"
    "      --track N                convert only track N\n"
    "      --raw                    write 2352-byte raw sectors, regenerating\n"
    "                               sync, header, EDC and ECC where the\n"
    "                               source has only user data (BIN default)\n"
    "      --cooked                 write user data only (MODE1/2048,\n"
    "                               MODE2/2336 in a cue sheet)\n"
    "      --split                  BIN/CUE: one .bin per track\n"
    "      --write-gaps             BIN/CUE: store PREGAP/POSTGAP gaps in the\n"
    "                               bin as silence or empty sectors\n"
    "      --verify                 check EDC/ECC of raw sectors while\n"
    "                               reading; report bad sectors by LBA\n"
    "      --allow-form2-truncation keep only 2048 of the 2324 bytes of\n"
    "                               Mode 2 Form 2 sectors in an ISO\n"
    "  -f, --force                  replace existing output files\n"
    "      --sync                   make outputs durable: on the disk, with\n"
    "                               their folder entries, before discconv\n"
    "                               reports success (slower; without it\n"
    "                               they are complete but may still be in\n"
    "                               the page cache, as with cp)\n"
    "\n"
    "Options for audio (extract-audio, and convert to ISO):\n"
    "      --format wav|aiff|flac   sound file format (default wav)\n"
    "      --tracks LIST            extract-audio: tracks such as 1,3-5\n"
    "      --pregap append|prepend|drop\n"
    "                               where INDEX 00 audio goes: the end of the\n"
    "                               previous track's file (default), the\n"
    "                               start of its own (redump), or nowhere\n"
    "      --name TEMPLATE          file names from {name} {track} {title}\n"
    "                               {performer} (default \"{name} (Track\n"
    "                               {track})\")\n"
    "      --swap-audio             the image's audio has the wrong byte\n"
    "                               order: swap every sample\n"
    "  -q, --quiet                  no progress bar, no summary\n"
    "\n"
    "Other options:\n"
    "      --json                   info: print JSON\n"
    "  -h, --help                   show this help\n"
    "  -V, --version                show the version\n"
    "\n"
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

int cli_exit_code(dc_status status)
{
    switch (status) {
    case DC_OK: return EXIT_OK;
    case DC_ERR_USAGE: return EXIT_USAGE;
    case DC_ERR_INPUT_IO: return EXIT_INPUT_UNREADABLE;
    case DC_ERR_FORMAT: return EXIT_INPUT_MALFORMED;
    case DC_ERR_UNSUPPORTED: return EXIT_INPUT_UNSUPPORTED;
    case DC_ERR_OUTPUT: return EXIT_OUTPUT;
    case DC_ERR_CANNOT_HOLD: return EXIT_CANNOT_HOLD;
    case DC_ERR_BAD_SECTORS: return EXIT_BAD_SECTORS;
    case DC_ERR_INTERRUPTED: return EXIT_INTERRUPTED;
    case DC_ERR_NOMEM: return EXIT_INTERNAL;
    }
    return EXIT_INTERNAL;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\nTry 'discconv --help'.\n");
    va_end(args);
    return EXIT_USAGE;
}

/* The library says what would help in its own terms; this names the flag.
 * No default case: -Wswitch flags advice left unmapped. */
static const char *advice_hint(dc_advice advice)
{
    switch (advice) {
    case DC_ADVICE_NONE: return NULL;
    case DC_ADVICE_FORCE: return "use --force";
    case DC_ADVICE_NAME_FORMAT: return "use --to FORMAT";
    case DC_ADVICE_LIST_FORMATS: return "see 'discconv formats'";
    case DC_ADVICE_CHOOSE_TRACK: return "use --track N";
    case DC_ADVICE_CHOOSE_TRACKS: return "use --tracks LIST";
    case DC_ADVICE_WRITE_AUDIO: return "use extract-audio";
    case DC_ADVICE_ALLOW_FORM2_TRUNCATION:
        return "use --allow-form2-truncation";
    case DC_ADVICE_SWAP_AUDIO: return "use --swap-audio";
    }
    return NULL;
}

/* One line: "discconv: [kind: ]message[ (hint)]". */
static void say(const char *kind, const char *message, dc_advice advice)
{
    const char *hint = advice_hint(advice);
    fprintf(stderr, "%s: %s%s%s%s%s\n", program, kind, message,
            hint != NULL ? " (" : "", hint != NULL ? hint : "",
            hint != NULL ? ")" : "");
}

static int fail(const dc_error *err)
{
    say("", err->message, err->advice);
    return cli_exit_code(err->status);
}

static void print_warnings(const dc_image *image)
{
    for (int i = 0; i < dc_image_warning_count(image); i++)
        fprintf(stderr, "%s: warning: %s\n", program,
                dc_image_warning(image, i));
}

enum {
    OPT_FROM = 256, OPT_TRACK, OPT_RAW, OPT_COOKED, OPT_SPLIT, OPT_VERIFY,
    OPT_FORM2, OPT_JSON, OPT_WRITE_GAPS, OPT_FORMAT, OPT_TRACKS, OPT_PREGAP,
    OPT_NAME, OPT_SWAP_AUDIO, OPT_SYNC
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"to", required_argument, NULL, 't'},
    {"from", required_argument, NULL, OPT_FROM},
    {"track", required_argument, NULL, OPT_TRACK},
    {"raw", no_argument, NULL, OPT_RAW},
    {"cooked", no_argument, NULL, OPT_COOKED},
    {"split", no_argument, NULL, OPT_SPLIT},
    {"write-gaps", no_argument, NULL, OPT_WRITE_GAPS},
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

typedef struct command_line {
    const char *command;
    const char *inputs[DC_MAX_TRACKS];
    int input_count;
    const char *output;
    const char *from;
    bool json;
    bool quiet;
    dc_convert_options convert;
} command_line;

static int parse_track(const char *text, int *track)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || n < 1 || n > DC_MAX_TRACKS)
        return usage_error("--track takes a track number from 1 to 99, not "
                           "'%s'", text);
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
    return usage_error("%s does not take '%s'", option, text);
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
        case OPT_TRACK:
            if ((rc = parse_track(optarg, &cl->convert.track_number)) != EXIT_OK)
                return rc;
            break;
        case OPT_RAW:
        case OPT_COOKED:
            if (cl->convert.framing != DC_FRAMING_DEFAULT)
                return usage_error("--raw and --cooked exclude each other");
            cl->convert.framing = c == OPT_RAW ? DC_FRAMING_RAW
                                               : DC_FRAMING_USER;
            break;
        case OPT_SPLIT: cl->convert.split = true; break;
        case OPT_WRITE_GAPS: cl->convert.write_gaps = true; break;
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
        case 'h': fputs(usage_text, stdout); return -1;
        case 'V': printf("discconv %s\n", dc_version()); return -1;
        case ':': return usage_error("option '%s' needs a value",
                                     argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
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
            return usage_error("more than %d inputs", DC_MAX_TRACKS);
    }
    return EXIT_OK;
}

static int run_info(const command_line *cl)
{
    dc_error err = {0};
    dc_image *image;
    if (dc_image_open(&image, cl->inputs[0], cl->from, &err) != DC_OK)
        return fail(&err);
    print_warnings(image);
    if (cl->json)
        info_print_json(stdout, image);
    else
        info_print_text(stdout, image);
    dc_image_close(image);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

static void print_report(const dc_image *image, const dc_read_report *report)
{
    const char *path = dc_image_path(image);
    if (report->mode_mismatch > 0)
        fprintf(stderr, "%s: warning: %s: %lld sectors have a mode that does "
                "not match their track (first at LBA %lld); each was read by "
                "its own mode byte\n", program, path,
                (long long)report->mode_mismatch,
                (long long)report->first_bad_lba);
    if (report->bad_edc > 0)
        fprintf(stderr, "%s: warning: %s: %lld sectors failed EDC/ECC "
                "verification (first at LBA %lld)\n", program, path,
                (long long)report->bad_edc, (long long)report->first_bad_lba);
    if (report->form2_truncated > 0)
        fprintf(stderr, "%s: warning: %s: %lld Mode 2 Form 2 sectors were "
                "cut to 2048 bytes\n", program, path,
                (long long)report->form2_truncated);
}

/* One image, or several sound files as the tracks of one audio disc. */
static dc_status open_inputs(const command_line *cl, dc_image **image,
                             dc_error *err)
{
    if (cl->input_count == 1)
        return dc_image_open(image, cl->inputs[0], cl->from, err);
    return dc_image_open_audio_files(image, cl->inputs, cl->input_count, err);
}

/* `-o -`: the one output goes to standard output. */
static int use_standard_output(command_line *cl)
{
    if (cl->convert.format_name == NULL)
        return usage_error("-o - needs the target format: --to FORMAT");
    if (isatty(STDOUT_FILENO))
        return usage_error("standard output is a terminal; redirect it to a "
                           "file or a pipe");
    cl->output = "standard output";
    cl->convert.to_stream = true;
    cl->convert.stream_fd = STDOUT_FILENO;
    return EXIT_OK;
}

static int run_convert(command_line *cl)
{
    if (cl->output == NULL)
        return usage_error("%s needs an output: -o PATH", cl->command);
    int rc;
    if (strcmp(cl->output, "-") == 0 && (rc = use_standard_output(cl)) != EXIT_OK)
        return rc;
    dc_error err = {0};
    dc_image *image;
    if (open_inputs(cl, &image, &err) != DC_OK)
        return fail(&err);
    print_warnings(image);

    progress_catch_signals();
    progress *bar = progress_start("converting", !cl->quiet);
    cl->convert.progress = progress_update;
    cl->convert.progress_context = bar;
    dc_convert_result result;
    dc_status status = dc_convert(image, cl->output, &cl->convert, &result,
                                  &err);
    progress_finish(bar);
    int code = EXIT_OK;
    if (status != DC_OK) {
        code = fail(&err);
    } else {
        print_report(image, &result.report);
        for (int i = 0; i < result.note_count; i++)
            say("note: ", result.notes[i], result.note_advice[i]);
        if (!cl->quiet && !cl->convert.to_stream)
            for (int i = 0; i < result.output_count; i++)
                printf("wrote %s\n", result.outputs[i]);
        if (result.report.bad_edc > 0 || result.report.mode_mismatch > 0)
            code = EXIT_BAD_SECTORS;
    }
    dc_convert_result_free(&result);
    dc_image_close(image);
    return code;
}

static int run_formats(void)
{
    printf("%-8s %-5s %-5s %-18s %s\n", "name", "read", "write", "extensions",
           "description");
    for (int i = 0; i < dc_format_count(); i++) {
        const dc_format_info *f = dc_format_get(i);
        printf("%-8s %-5s %-5s %-18s %s\n", f->name, f->can_read ? "yes" : "-",
               f->can_write ? "yes" : "-", f->extensions, f->description);
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
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cl.command, "formats") == 0)
        return run_formats();
    bool is_info = strcmp(cl.command, "info") == 0;
    bool is_extract = strcmp(cl.command, "extract-audio") == 0;
    if (!is_info && !is_extract && strcmp(cl.command, "convert") != 0)
        return usage_error("unknown command '%s'", cl.command);
    if (cl.input_count == 0)
        return usage_error("%s needs an IMAGE", cl.command);
    if (cl.input_count > 1 && !(strcmp(cl.command, "convert") == 0))
        return usage_error("%s takes one IMAGE", cl.command);
    if (is_extract)
        cl.convert.format_name = "audio";
    return is_info ? run_info(&cl) : run_convert(&cl);
}
