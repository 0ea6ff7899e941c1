/* --help and the man page's lists, both printed from main.c's tables and
 * the library's format table, so that neither can drift from the parser. */
#include "cli.h"

#include <string.h>

#define HELP_COLUMN 31 /* where option explanations start */
#define HELP_WIDTH 79

/* `left`, then `text` wrapped at word boundaries from `column` on (on the
 * next line when `left` reaches it). */
static void print_wrapped(FILE *out, const char *left, const char *text,
                          int column)
{
    int col = fprintf(out, "%s", left);
    if (col > column - 2) {
        fputc('\n', out);
        col = 0;
    }
    while (*text != '\0') {
        size_t word = strcspn(text, " ");
        bool line_start = col <= column;
        if (!line_start && col + 1 + (int)word > HELP_WIDTH) {
            fputc('\n', out);
            col = 0;
            line_start = true;
        }
        if (line_start)
            col += fprintf(out, "%*s", column - col, "");
        else
            col += fprintf(out, " ");
        col += fprintf(out, "%.*s", (int)word, text);
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

/* "convert and extract-audio" */
void help_commands_of(const cli_option *option, char *text, size_t size)
{
    int count = 0, total = 0;
    for (int i = 0; i < cli_command_count; i++)
        total += (option->commands & cli_commands[i].bit) != 0;
    text[0] = '\0';
    for (int i = 0; i < cli_command_count; i++) {
        if (!(option->commands & cli_commands[i].bit))
            continue;
        size_t used = strlen(text);
        count++;
        snprintf(text + used, size - used, "%s%s",
                 count == 1 ? "" : count == total ? " and " : ", ",
                 cli_commands[i].name);
    }
}

static bool listed(const cli_option *option)
{
    return !(option->flags & OPTION_HIDDEN);
}

/* Options of one command; those of every command are listed once. */
static bool belongs_to(const cli_option *option, const cli_command *command)
{
    return listed(option) && option->commands != CMD_EVERY &&
           (option->commands & command->bit);
}

static void option_left(const cli_option *o, char *left, size_t size)
{
    int n = o->short_name != 0 ? snprintf(left, size, "  -%c, ", o->short_name)
                               : snprintf(left, size, "      ");
    snprintf(left + n, size - (size_t)n, "--%s%s%s", o->name,
             o->value != NULL ? " " : "", o->value != NULL ? o->value : "");
}

static void print_command(FILE *out, const cli_command *command)
{
    fprintf(out, "discconv %s%s%s\n", command->name,
            command->usage[0] != '\0' ? " " : "", command->usage);
    print_wrapped(out, "", command->description, 2);
    for (int i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        if (!belongs_to(o, command))
            continue;
        char left[64];
        option_left(o, left, sizeof left);
        print_wrapped(out, left, o->help, HELP_COLUMN);
    }
}

/* The format table: names for --to and --from, and the extensions that
 * name a target. */
void help_option_values(const dc_format_option *option, char *text,
                        size_t size)
{
    if (option->type != DC_OPTION_CHOICE) {
        snprintf(text, size, "yes|no");
        return;
    }
    snprintf(text, size, "%s", option->choices);
    for (char *p = text; *p != '\0'; p++)
        if (*p == ',')
            *p = '|';
}

static void print_formats(FILE *out)
{
    fputs("Formats (NAME or an extension for --from and --to; without --to, "
          "the\noutput's extension names the target):\n", out);
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
        print_wrapped(out, left, f->description, HELP_COLUMN);
        for (int k = 0; k < f->option_count; k++) {
            char values[64];
            help_option_values(&f->options[k], values, sizeof values);
            snprintf(left, sizeof left, "    %s.%s=%s", f->name,
                     f->options[k].name, values);
            print_wrapped(out, left, f->options[k].help, HELP_COLUMN);
        }
    }
}

static bool takes_format(const cli_command *command)
{
    for (int i = 0; i < cli_option_count; i++)
        if (belongs_to(&cli_options[i], command) &&
            cli_options[i].value != NULL &&
            strcmp(cli_options[i].value, "FORMAT") == 0)
            return true;
    return false;
}

void help_print(FILE *out, const cli_command *only)
{
    if (only != NULL) {
        print_command(out, only);
        if (takes_format(only)) {
            fputc('\n', out);
            print_formats(out);
        }
        return;
    }
    fputs("Usage: discconv COMMAND [OPTIONS]\n\n"
          "Convert optical disc images between formats.  Formats are "
          "detected by\ncontent, not by file extension.  An option that "
          "does not apply to the\ncommand is refused.\n",
          out);
    for (int i = 0; i < cli_command_count; i++) {
        fputc('\n', out);
        print_command(out, &cli_commands[i]);
    }
    fputs("\nOptions of every command:\n", out);
    for (int i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        if (listed(o) && o->commands == CMD_EVERY) {
            char left[64];
            option_left(o, left, sizeof left);
            print_wrapped(out, left, o->help, HELP_COLUMN);
        }
    }
    fputc('\n', out);
    print_formats(out);
    fputs("\nExit status:\n", out);
    for (int i = 0; i < cli_exit_code_count; i++)
        fprintf(out, "  %-3d %s\n", cli_exit_codes[i].code,
                cli_exit_codes[i].meaning);
}

/* --- the man page's lists ----------------------------------------------- */

/* Text as troff shows it literally: dashes as \-, backslashes as \e. */
static void troff_text(FILE *out, const char *text)
{
    for (; *text != '\0'; text++)
        if (*text == '-')
            fputs("\\-", out);
        else if (*text == '\\')
            fputs("\\e", out);
        else
            fputc(*text, out);
}

static void troff_font(FILE *out, char font, const char *text)
{
    fprintf(out, "\\f%c", font);
    troff_text(out, text);
    fputs("\\fR", out);
}

/* A usage word: options bold, placeholders (capitals) italic, brackets
 * and "..." roman. */
static void troff_usage_word(FILE *out, const char *word, size_t len)
{
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)len, word);
    char *start = text;
    if (*start == '[') {
        fputc('[', out);
        start++;
    }
    size_t body = strcspn(start, "].");
    char rest[64];
    snprintf(rest, sizeof rest, "%s", start + body);
    start[body] = '\0';
    troff_font(out, start[0] == '-' ? 'B' : 'I', start);
    fputs(rest, out);
}

static void troff_usage(FILE *out, const char *usage)
{
    for (const char *p = usage; *p != '\0';) {
        size_t len = strcspn(p, " ");
        fputc(' ', out);
        troff_usage_word(out, p, len);
        p += len;
        p += strspn(p, " ");
    }
}

static bool has_options(const cli_command *command)
{
    for (int i = 0; i < cli_option_count; i++)
        if (belongs_to(&cli_options[i], command))
            return true;
    return false;
}

static void man_synopsis(FILE *out)
{
    fputs(".SH SYNOPSIS\n", out);
    for (int i = 0; i < cli_command_count; i++) {
        const cli_command *c = &cli_commands[i];
        if (i > 0)
            fputs(".br\n", out);
        fputs("\\fBdiscconv ", out);
        troff_text(out, c->name);
        fputs("\\fR", out);
        troff_usage(out, c->usage);
        if (has_options(c))
            fputs(" [\\fIOPTIONS\\fR]", out);
        fputc('\n', out);
    }
}

static void man_commands(FILE *out)
{
    fputs(".SH COMMANDS\n", out);
    for (int i = 0; i < cli_command_count; i++) {
        fputs(".TP\n", out);
        troff_font(out, 'B', cli_commands[i].name);
        troff_usage(out, cli_commands[i].usage);
        fputc('\n', out);
    }
}

static void man_options(FILE *out)
{
    fputs(".SH OPTIONS\n", out);
    for (int i = 0; i < cli_option_count; i++) {
        const cli_option *o = &cli_options[i];
        if (!listed(o))
            continue;
        fputs(".TP\n", out);
        if (o->short_name != 0)
            fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
        fputs("\\fB\\-\\-", out);
        troff_text(out, o->name);
        fputs("\\fR", out);
        if (o->value != NULL) {
            fputc(' ', out);
            /* Choices (wav|aiff|flac) are typed as shown: bold. */
            bool literal = strpbrk(o->value, "abcdefghijklmnopqrstuvwxyz");
            troff_font(out, literal ? 'B' : 'I', o->value);
        }
        char where[128];
        help_commands_of(o, where, sizeof where);
        fputs(" (", out);
        troff_text(out, o->commands == CMD_EVERY ? "every command" : where);
        fputs(")\n", out);
    }
}

static void man_formats(FILE *out)
{
    fputs(".SH FORMATS\n", out);
    for (int i = 0; i < dc_format_count(); i++) {
        const dc_format_info *f = dc_format_get(i);
        fputs(".TP\n", out);
        troff_font(out, 'B', f->name);
        fputs(" (", out);
        for (const char *e = f->extensions; *e != '\0';) {
            size_t len = strcspn(e, ",");
            fprintf(out, "%s.%.*s", e == f->extensions ? "" : ", ", (int)len,
                    e);
            e += len + (e[len] == ',');
        }
        fputs(!f->can_write ? "; read only)\n"
              : f->writes_folder ? "; written as a folder)\n" : ")\n", out);
    }
}

static void man_exit_status(FILE *out)
{
    fputs(".SH EXIT STATUS\n", out);
    for (int i = 0; i < cli_exit_code_count; i++)
        fprintf(out, ".TP\n\\fB%d\\fR\n", cli_exit_codes[i].code);
}

void help_print_man_lists(FILE *out)
{
    man_synopsis(out);
    man_commands(out);
    man_options(out);
    man_formats(out);
    man_exit_status(out);
}
