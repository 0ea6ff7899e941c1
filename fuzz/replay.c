/*
 * Runs a fuzz target's entry point over files, and the files in folders,
 * named on the command line: the seeds and every crash input kept in
 * fuzz/regressions/, replayed by `make check` with any compiler.  A folder
 * that does not exist is skipped (a target may have no regressions yet).
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    uint8_t *data = NULL;
    size_t size = 0, room = 0;
    for (;;) {
        if (size == room) {
            room = room != 0 ? room * 2 : 65536;
            uint8_t *grown = realloc(data, room);
            if (grown == NULL) {
                fclose(f);
                free(data);
                fprintf(stderr, "%s: out of memory\n", path);
                return -1;
            }
            data = grown;
        }
        size_t n = fread(data + size, 1, room - size, f);
        if (n == 0)
            break;
        size += n;
    }
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) {
        fprintf(stderr, "%s: read error\n", path);
        free(data);
        return -1;
    }
    /* An exact-size copy, so that reads past the input are caught by the
     * sanitizers as libFuzzer's would be. */
    uint8_t *exact = malloc(size != 0 ? size : 1);
    if (exact == NULL) {
        free(data);
        return -1;
    }
    memcpy(exact, data, size);
    free(data);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 1;
}

static int run_folder(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        size_t len = strlen(dir) + strlen(entry->d_name) + 2;
        char *path = malloc(len);
        if (path == NULL)
            break;
        snprintf(path, len, "%s/%s", dir, entry->d_name);
        struct stat st;
        int n = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? run_file(path)
                                                             : 0;
        free(path);
        if (n < 0) {
            count = -1;
            break;
        }
        count += n;
    }
    closedir(d);
    return count;
}

int main(int argc, char **argv)
{
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)
                    ? run_folder(argv[i])
                    : stat(argv[i], &st) == 0 ? run_file(argv[i])
                                              : 0;
        if (n < 0)
            return 1;
        total += n;
    }
    printf("%s: replayed %d inputs\n", argv[0], total);
    return 0;
}
