/*
 * Path and string helpers.  Results are malloc'd (NULL when memory runs
 * out).
 */
#ifndef DC_PATHS_H
#define DC_PATHS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

char *dc_path_dirname(const char *path);
char *dc_path_join(const char *dir, const char *name);
const char *dc_path_basename(const char *path);
const char *dc_path_extension(const char *path); /* after the last dot */
/* The file name without folder and extension: "a/Disc.cue" -> "Disc". */
char *dc_path_stem(const char *path);
/* `path` with its extension replaced (ext without the dot). */
char *dc_path_with_extension(const char *path, const char *ext);
/* Finds `name` in `dir`, first exactly, then ignoring case.  NULL if
 * neither exists. */
char *dc_path_find(const char *dir, const char *name);
bool dc_path_exists(const char *path);

char *dc_strdup(const char *s);
char *dc_strndup(const char *s, size_t len);
/* Appends a formatted line to a list of strings; on running out of memory
 * the line is dropped (messages are not worth failing for). */
void dc_string_list_add(char ***list, int *count, const char *fmt,
                        va_list args) __attribute__((format(printf, 3, 0)));

#endif
