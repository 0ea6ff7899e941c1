/* What each discconv command does once the command line is parsed. */
#include "cli.h"
#include "text.h" /* dc_text_printable */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The library says what would help in its own terms; this names the flag.
 * No default case: -Wswitch flags advice left unmapped. */
const char *cli_advice_hint(dc_advice advice)
{
    switch (advice) {
    case DC_ADVICE_NONE: return NULL;
    case DC_ADVICE_FORCE: return "use --force";
    case DC_ADVICE_NAME_FORMAT: return "use --to FORMAT";
    case DC_ADVICE_LIST_FORMATS: return "see 'discconv formats'";
    case DC_ADVICE_CHOOSE_TRACK: return "use --tracks N";
    case DC_ADVICE_CHOOSE_TRACKS: return "use --tracks LIST";
    case DC_ADVICE_WRITE_AUDIO: return "use extract-audio";
    case DC_ADVICE_ALLOW_FORM2_TRUNCATION:
        return "use --allow-form2-truncation";
    case DC_ADVICE_SWAP_AUDIO: return "use --swap-audio";
    case DC_ADVICE_ALLOW_TRUNCATED: return "use --allow-truncated";
    case DC_ADVICE_NAME_INPUT_FORMAT: return "use --from FORMAT";
    case DC_ADVICE_PASSWORD: return "use --password TEXT";
    }
    return NULL;
}

/* One line: "discconv: [kind: ]message[ (hint)]". */
static void say(const char *kind, const char *message, dc_advice advice)
{
    const char *hint = cli_advice_hint(advice);
    fprintf(stderr, "%s: %s%s%s%s%s\n", CLI_PROGRAM, kind, message,
            hint != NULL ? " (" : "", hint != NULL ? hint : "",
            hint != NULL ? ")" : "");
}

static int fail(const dc_error *err)
{
    say("", err->message, err->advice);
    return cli_exit_code(err->status);
}

/* fail(), and with --json the same on standard output, so that a script
 * reading the JSON learns why there is no result. */
static int fail_json(const command_line *cl, const char *input,
                     const dc_error *err)
{
    int code = fail(err);
    if (!cl->json)
        return code;
    const char *hint = cli_advice_hint(err->advice);
    fputs("{\n  \"image\": ", stdout);
    json_string(stdout, input);
    printf(",\n  \"error\": {\n    \"exit_code\": %d,\n    \"status\": ",
           code);
    json_string(stdout, dc_status_name(err->status));
    fputs(",\n    \"message\": ", stdout);
    json_string(stdout, err->message);
    fputs(",\n    \"advice\": ", stdout);
    if (hint != NULL)
        json_string(stdout, hint);
    else
        fputs("null", stdout);
    fputs("\n  }\n}\n", stdout);
    return code;
}

static void print_warnings(const dc_image *image)
{
    for (int i = 0; i < dc_image_warning_count(image); i++)
        say("warning: ", dc_image_warning(image, i), DC_ADVICE_NONE);
}

int cli_fail(const dc_error *err)
{
    return fail(err);
}

void cli_warn(const char *message)
{
    say("warning: ", message, DC_ADVICE_NONE);
}

dc_open_options cli_open_options(const command_line *cl)
{
    return (dc_open_options){.format_name = cl->from,
                             .partition = cl->partition,
                             .ignore_checksums = cl->no_verify,
                             .password = cl->password};
}

int cmd_info(command_line *cl)
{
    dc_error err = {0};
    dc_image *image;
    dc_open_options options = cli_open_options(cl);
    if (dc_image_open_with(&image, cl->inputs[0], &options, &err) != DC_OK)
        return fail_json(cl, cl->inputs[0], &err);
    print_warnings(image);
    /* convert refuses a truncated image; info shows what there is. */
    const char *truncation = dc_image_truncation(image, NULL);
    if (truncation != NULL)
        say("warning: ", truncation, DC_ADVICE_NONE);
    if (cl->json)
        info_print_json(stdout, image);
    else
        info_print_text(stdout, image);
    dc_image_close(image);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_OUTPUT;
}

static const char *bad_kind_name(dc_bad_kind kind)
{
    return kind == DC_BAD_EDC ? "EDC" : "mode";
}

/* One line: "bad sectors: LBA 1200-1209, 3000 (EDC), 4000-4003 (mode)",
 * every run, the reason after each group of runs that share it, then the
 * counts. */
static void print_bad_sectors(const char *path, const dc_convert_result *r)
{
    const dc_read_report *report = &r->report;
    if (report->bad_edc + report->mode_mismatch == 0)
        return;
    fprintf(stderr, "%s: warning: %s: bad sectors: LBA ", CLI_PROGRAM, path);
    for (int i = 0; i < r->bad_range_count; i++) {
        const dc_bad_range *b = &r->bad_ranges[i];
        fprintf(stderr, "%s%lld", i > 0 ? ", " : "", (long long)b->first_lba);
        if (b->count > 1)
            fprintf(stderr, "-%lld", (long long)(b->first_lba + b->count - 1));
        if (i + 1 == r->bad_range_count || r->bad_ranges[i + 1].kind != b->kind)
            fprintf(stderr, " (%s)", bad_kind_name(b->kind));
    }
    if (report->bad_edc > 0)
        fprintf(stderr, "; %lld failed EDC/ECC verification",
                (long long)report->bad_edc);
    if (report->mode_mismatch > 0)
        fprintf(stderr, "; %lld have a mode that does not match their "
                "track, and each was read by its own mode byte",
                (long long)report->mode_mismatch);
    fputc('\n', stderr);
}

static void print_report(const dc_image *image, const dc_convert_result *r)
{
    const char *path = dc_image_path(image);
    const dc_read_report *report = &r->report;
    print_bad_sectors(path, r);
    if (report->form2_truncated > 0)
        fprintf(stderr, "%s: warning: %s: %lld Mode 2 Form 2 sectors were "
                "cut to 2048 bytes\n", CLI_PROGRAM, path,
                (long long)report->form2_truncated);
}

static void json_strings(FILE *out, const char *name, int count,
                         const char *(*item)(const void *, int),
                         const void *from)
{
    fprintf(out, "  \"%s\": [", name);
    for (int i = 0; i < count; i++) {
        fputs(i > 0 ? ", " : "", out);
        json_string(out, item(from, i));
    }
    fputs("],\n", out);
}

static const char *output_at(const void *r, int i)
{
    return ((const dc_convert_result *)r)->outputs[i];
}

static const char *note_at(const void *r, int i)
{
    return ((const dc_convert_result *)r)->notes[i];
}

static const char *warning_at(const void *image, int i)
{
    return dc_image_warning(image, i);
}

/* Every bad sector of one kind, by LBA. */
static void json_bad_lbas(FILE *out, const dc_convert_result *r,
                          dc_bad_kind kind)
{
    fprintf(out, "\"%s\": [", kind == DC_BAD_EDC ? "edc" : "mode");
    const char *separator = "";
    for (int i = 0; i < r->bad_range_count; i++) {
        const dc_bad_range *b = &r->bad_ranges[i];
        for (int64_t k = 0; b->kind == kind && k < b->count; k++) {
            fprintf(out, "%s%lld", separator, (long long)(b->first_lba + k));
            separator = ", ";
        }
    }
    fputc(']', out);
}

/* convert --json: what was written and what the reads found, with every
 * bad sector's LBA, for scripts. */
static void print_result_json(FILE *out, const dc_image *image,
                              const dc_convert_result *r)
{
    fputs("{\n  \"image\": ", out);
    json_string(out, dc_image_path(image));
    fputs(",\n", out);
    json_strings(out, "outputs", r->output_count, output_at, r);
    json_strings(out, "warnings", dc_image_warning_count(image), warning_at,
                 image);
    json_strings(out, "notes", r->note_count, note_at, r);
    fprintf(out, "  \"bad_edc\": %lld,\n  \"mode_mismatch\": %lld,\n"
            "  \"form2_truncated\": %lld,\n  \"bad_sectors\": {",
            (long long)r->report.bad_edc, (long long)r->report.mode_mismatch,
            (long long)r->report.form2_truncated);
    json_bad_lbas(out, r, DC_BAD_EDC);
    fputs(", ", out);
    json_bad_lbas(out, r, DC_BAD_MODE);
    fputs("}\n}\n", out);
}

/* One image, or several sound files as the tracks of one audio disc. */
static dc_status open_inputs(const command_line *cl, dc_image **image,
                             dc_error *err)
{
    dc_open_options options = cli_open_options(cl);
    if (cl->input_count == 1)
        return dc_image_open_with(image, cl->inputs[0], &options, err);
    return dc_image_open_audio_files(image, cl->inputs, cl->input_count, err);
}

/* `-o -`: the one output goes to standard output. */
static int use_standard_output(command_line *cl)
{
    if (cl->convert.format_name == NULL)
        return cli_usage_error("-o - needs the target format: --to FORMAT");
    if (isatty(STDOUT_FILENO))
        return cli_usage_error("standard output is a terminal; redirect it "
                               "to a file or a pipe");
    cl->output = "standard output";
    cl->convert.to_stream = true;
    cl->convert.stream_fd = STDOUT_FILENO;
    return EXIT_OK;
}

int cmd_convert(command_line *cl)
{
    int rc;
    if (strcmp(cl->output, "-") == 0 && cl->json)
        return cli_usage_error("--json prints to standard output, which -o - "
                               "takes for the image");
    if (strcmp(cl->output, "-") == 0 && (rc = use_standard_output(cl)) != EXIT_OK)
        return rc;
    dc_error err = {0};
    dc_image *image;
    if (open_inputs(cl, &image, &err) != DC_OK)
        return fail_json(cl, cl->inputs[0], &err);

    progress_catch_signals();
    progress *bar = progress_start("converting", !cl->quiet);
    cl->convert.progress = progress_update;
    cl->convert.progress_context = bar;
    dc_convert_result result;
    dc_status status = dc_convert(image, cl->output, &cl->convert, &result,
                                  &err);
    progress_finish(bar);
    int code = EXIT_OK;
    /* A refusal is one line: what the image's warnings would say again,
     * it says with what it means for this conversion. */
    if (status != DC_OK) {
        code = fail_json(cl, dc_image_path(image), &err);
    } else {
        print_warnings(image);
        print_report(image, &result);
        for (int i = 0; i < result.note_count; i++)
            say("note: ", result.notes[i], result.note_advice[i]);
        if (cl->json)
            print_result_json(stdout, image, &result);
        else if (!cl->quiet && !cl->convert.to_stream)
            for (int i = 0; i < result.output_count; i++) {
                char *printable = dc_text_printable(result.outputs[i]);
                printf("wrote %s\n", printable != NULL ? printable
                                                      : result.outputs[i]);
                free(printable);
            }
        if (result.report.bad_edc > 0 || result.report.mode_mismatch > 0)
            code = EXIT_BAD_SECTORS;
    }
    dc_convert_result_free(&result);
    dc_image_close(image);
    return code;
}

/* A conversion to the "audio" target: a folder of sound files. */
int cmd_extract_audio(command_line *cl)
{
    cl->convert.format_name = "audio";
    return cmd_convert(cl);
}

int cmd_formats(command_line *cl)
{
    printf("%-8s %-5s %-5s %-18s %s\n", "name", "read", "write", "extensions",
           "description");
    for (int i = 0; i < dc_format_count(); i++) {
        const dc_format_info *f = dc_format_get(i);
        printf("%-8s %-5s %-5s %-18s %s\n", f->name, f->can_read ? "yes" : "-",
               f->can_write ? "yes" : "-", f->extensions, f->description);
    }
    /* After a blank line: what --option FORMAT.NAME=VALUE sets, the
     * values column as wide as its widest. */
    char values[64];
    int width = (int)strlen("values");
    for (int i = 0; i < dc_format_count(); i++)
        for (int k = 0; k < dc_format_get(i)->option_count; k++) {
            help_option_values(&dc_format_get(i)->options[k], values,
                               sizeof values);
            if ((int)strlen(values) > width)
                width = (int)strlen(values);
        }
    printf("\n%-24s %-*s %s\n", "option", width, "values", "what it does");
    for (int i = 0; i < dc_format_count(); i++) {
        const dc_format_info *f = dc_format_get(i);
        for (int k = 0; k < f->option_count; k++) {
            help_option_values(&f->options[k], values, sizeof values);
            printf("%s.%-*s %-*s %s\n", f->name,
                   23 - (int)strlen(f->name), f->options[k].name, width,
                   values, f->options[k].help);
        }
    }
    return EXIT_OK;
}
