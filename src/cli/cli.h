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
    EXIT_INTERRUPTED = 130
};

#define CLI_PROGRAM "discconv"

/* What the user asked for. */
#define CLI_MAX_FORMAT_OPTIONS 32

typedef struct command_line {
    const char *command;
    const char *inputs[DC_MAX_TRACKS];
    int input_count;
    const char *output;
    const char *from;
    bool json;
    bool quiet;
    dc_convert_options convert;
    const char *format_options[CLI_MAX_FORMAT_OPTIONS + 1]; /* NULL-ended */
    int format_option_count;
} command_line;

/* main.c: prints "discconv: ..." and a pointer to --help; returns
 * EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* commands.c: one function per command, returning the exit code. */
int cli_exit_code(dc_status status);
int cmd_info(command_line *cl);
int cmd_convert(command_line *cl);
int cmd_extract_audio(command_line *cl);
int cmd_formats(command_line *cl);

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
