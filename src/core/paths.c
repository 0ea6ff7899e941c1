/* Path and string helpers. */
#include "paths.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

char *dc_strndup(const char *s, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy != NULL) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *dc_strdup(const char *s)
{
    return dc_strndup(s, strlen(s));
}

void dc_string_list_add(char ***list, int *count, const char *fmt,
                        va_list args)
{
    char text[512];
    vsnprintf(text, sizeof text, fmt, args);
    char **grown = realloc(*list, (size_t)(*count + 1) * sizeof *grown);
    if (grown == NULL)
        return; /* a lost message is not worth failing the work */
    *list = grown;
    grown[*count] = dc_strdup(text);
    if (grown[*count] != NULL)
        (*count)++;
}

char *dc_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return dc_strdup(".");
    if (slash == path)
        return dc_strdup("/");
    return dc_strndup(path, (size_t)(slash - path));
}

char *dc_path_join(const char *dir, const char *name)
{
    if (name[0] == '/' || dir == NULL || dir[0] == '\0' ||
        strcmp(dir, ".") == 0)
        return dc_strdup(name);
    /* "out/" given as the folder names "out/x", not "out//x". */
    size_t dir_len = strlen(dir);
    const char *slash = dir[dir_len - 1] == '/' ? "" : "/";
    size_t len = dir_len + strlen(name) + 2;
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s%s%s", dir, slash, name);
    return path;
}

const char *dc_path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

const char *dc_path_extension(const char *path)
{
    const char *base = dc_path_basename(path);
    const char *dot = strrchr(base, '.');
    return dot != NULL && dot != base ? dot + 1 : "";
}

char *dc_path_stem(const char *path)
{
    const char *base = dc_path_basename(path);
    const char *ext = dc_path_extension(base);
    return dc_strndup(base, ext[0] != '\0' ? (size_t)(ext - 1 - base)
                                            : strlen(base));
}

char *dc_path_with_extension(const char *path, const char *ext)
{
    const char *old = dc_path_extension(path);
    size_t stem = old[0] != '\0' ? (size_t)(old - 1 - path) : strlen(path);
    size_t len = stem + strlen(ext) + 2;
    char *result = malloc(len);
    if (result != NULL)
        snprintf(result, len, "%.*s.%s", (int)stem, path, ext);
    return result;
}

bool dc_path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

char *dc_path_find(const char *dir, const char *name)
{
    char *joined = dc_path_join(dir, name);
    if (joined == NULL || dc_path_exists(joined))
        return joined;

    /* The name may carry folders ("disc/Track 1.bin"): match the last part
     * without case inside the folder the rest names. */
    char *folder = dc_path_dirname(joined);
    const char *wanted = dc_path_basename(name);
    char *found = NULL;
    DIR *d = folder != NULL ? opendir(folder) : NULL;
    if (d != NULL) {
        struct dirent *entry;
        while (found == NULL && (entry = readdir(d)) != NULL)
            if (strcasecmp(entry->d_name, wanted) == 0)
                found = dc_path_join(folder, entry->d_name);
        closedir(d);
    }
    free(folder);
    free(joined);
    return found;
}
