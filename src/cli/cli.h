/* The discconv command line: shared pieces of its files. */
#ifndef DC_CLI_H
#define DC_CLI_H

#include "discconv/discconv.h"

#include <stdio.h>

/* Exit codes, documented in --help and discconv(1). */
enum {
    EXIT_OK = 0,
    EXIT_INTERNAL = 1,
    EXIT_USAGE = 2,
    EXIT_INPUT_UNREADABLE = 3,
    EXIT_INPUT_MALFORMED = 4,
    EXIT_INPUT_UNSUPPORTED = 5,
    EXIT_OUTPUT = 6,
    EXIT_CANNOT_HOLD = 7,
    EXIT_BAD_SECTORS = 8,
    EXIT_NO_MATCH = 9,
    EXIT_IMAGES_FAILED = 10,
    EXIT_INTERRUPTED = 130
};

#define CLI_PROGRAM "discconv"

/* What the user asked for. */
#define CLI_MAX_FORMAT_OPTIONS 32

typedef struct command_line {
    const char *command;
    int (*run)(struct command_line *cl); /* the command's function */
    const char *inputs[DC_MAX_TRACKS];
    int input_count;
    const char *output;
    const char *from;
    const char *partition; /* a container's partition, by number or name */
    bool no_verify;        /* a container's checksums not checked */
    const char *password;  /* an encrypted image's, or NULL */
    const char *dat;       /* verify: a Logiqx XML DAT, or NULL */
    bool json;
    bool quiet;
    dc_convert_options convert;
    const char *format_options[CLI_MAX_FORMAT_OPTIONS + 1]; /* NULL-ended */
    int format_option_count;
    struct {
        int jobs;          /* -j: images at once; 0: one per core */
        bool dry_run;
        bool plan;
        bool merge;
        bool keep_bincue;
        bool also_iso;
        bool progress;     /* show progress even when not on a terminal */
        const char *one;   /* --one: this image only, as a plan's line */
        const char *one_hex;
        const char *name;  /* --name: its outputs' name under the output */
    } normalize;
    bool help;     /* --help: show the command's help instead */
    bool version;
    bool help_man; /* the man page's lists, for checking doc/discconv.1 */
} command_line;

/* The commands, a bit each: an option lists the commands it applies to. */
enum {
    CMD_INFO = 1 << 0,
    CMD_CONVERT = 1 << 1,
    CMD_EXTRACT_AUDIO = 1 << 2,
    CMD_FORMATS = 1 << 3,
    CMD_HELP = 1 << 4,
    CMD_VERIFY = 1 << 5,
    CMD_NORMALIZE = 1 << 6,
    CMD_WRITING = CMD_CONVERT | CMD_EXTRACT_AUDIO,
    CMD_READING = CMD_INFO | CMD_WRITING | CMD_VERIFY,
    CMD_EVERY = (1 << 7) - 1
};

typedef struct cli_command {
    const char *name;
    unsigned bit;            /* CMD_* */
    int (*run)(command_line *cl);
    const char *usage;       /* what follows the name */
    const char *description; /* one sentence or two; help wraps it */
    int min_inputs, max_inputs;
    bool needs_output;       /* -o is required */
} cli_command;

struct cli_option;
/* What an option does with its value (NULL for a flag); EXIT_OK or the
 * exit code to stop with. */
typedef int (*cli_option_action)(command_line *cl,
                                 const struct cli_option *option,
                                 const char *value);

enum {
    OPTION_REPEATABLE = 1 << 0, /* may be given more than once */
    OPTION_HIDDEN = 1 << 1      /* for the build and tests: not in help */
};

typedef struct cli_option {
    const char *name;        /* long name, without the dashes */
    char short_name;         /* 0 for none */
    const char *value;       /* what it takes, as help shows it; NULL: none */
    unsigned commands;       /* CMD_* it applies to */
    unsigned flags;          /* OPTION_* */
    const char *same_as;     /* an alias: the long name of the option it
                                spells differently; NULL otherwise */
    cli_option_action action;
    size_t field;            /* the command_line member it sets, for the
                                generic actions */
    const char *help;        /* one or two lines; help wraps it */
} cli_option;

/* main.c: the tables (help and the man page are made from them). */
extern const cli_command cli_commands[];
extern const int cli_command_count;
extern const cli_option cli_options[];
extern const int cli_option_count;
typedef struct cli_exit_code_info {
    int code;
    const char *meaning;
} cli_exit_code_info;
extern const cli_exit_code_info cli_exit_codes[];
extern const int cli_exit_code_count;

/* help.c: --help for every command or one, and the man page's lists
 * (synopsis, commands, options, formats, exit status) in troff, which
 * doc/discconv.1 must match (tests/cli.sh). */
void help_print(FILE *out, const cli_command *only);
void help_print_man_lists(FILE *out);
/* "yes|no", "zlib|bzip2|lzma": the values a format's option takes. */
void help_option_values(const dc_format_option *option, char *text,
                        size_t size);
/* "convert and extract-audio": the commands an option applies to. */
void help_commands_of(const cli_option *option, char *text, size_t size);

/* main.c: prints "discconv: ..." and a pointer to the command's --help;
 * returns EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* commands.c: one function per command, returning the exit code. */
int cli_exit_code(dc_status status);
int cmd_info(command_line *cl);
int cmd_convert(command_line *cl);
int cmd_extract_audio(command_line *cl);
int cmd_formats(command_line *cl);
/* What the command line asks of opening an image. */
dc_open_options cli_open_options(const command_line *cl);
/* Prints the error as one line (with the flag its advice names); returns
 * its exit code. */
int cli_fail(const dc_error *err);
/* "discconv: warning: message" */
void cli_warn(const char *message);

/* verify.c */
int cmd_verify(command_line *cl);

/* normalize.c */
int cmd_normalize(command_line *cl);
/* commands.c: "use --force" for advice, or NULL. */
const char *cli_advice_hint(dc_advice advice);

/* info.c */
void info_print_text(FILE *out, dc_image *image);
void info_print_json(FILE *out, dc_image *image);
/* A JSON string of s, whatever bytes it holds. */
void json_string(FILE *out, const char *s);

/* progress.c: a bar on stderr when it is a terminal and the work is long */
typedef struct progress progress;
progress *progress_start(const char *label, bool enabled);
bool progress_update(void *context, int64_t done, int64_t total);
void progress_finish(progress *p);
/* Set by SIGINT/SIGTERM; makes progress_update ask to stop. */
void progress_catch_signals(void);
bool progress_interrupted(void);

#endif
