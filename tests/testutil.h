/* Small helpers shared by the cmocka tests. */
#ifndef DC_TESTUTIL_H
#define DC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "discconv/discconv.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The third-party corpus folder, or NULL when it is absent (tests that
 * need it then skip). */
static inline const char *test_corpus(void)
{
    const char *dir = getenv("DC_CORPUS");
    struct stat st;
    if (dir == NULL || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return dir;
}

/* dir + "/" + name, malloc'd. */
static inline char *test_path(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    assert_non_null(path);
    snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static inline char *test_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir = test_path(base != NULL ? base : "/tmp", "discconv-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static inline void test_write_file(const char *path, const void *data,
                                   size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Whole file, malloc'd; NULL if it cannot be read. */
static inline uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc(size > 0 ? (size_t)size : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* Number of entries in a folder, "." and ".." not counted. */
static inline int test_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* Removes a flat temporary folder and its files. */
static inline void test_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = test_path(dir, e->d_name);
        unlink(path);
        free(path);
    }
    closedir(d);
    rmdir(dir);
}

/* A fresh temporary folder per test, removed afterwards. */
typedef struct test_dir {
    char *dir;
} test_dir;

static inline int test_dir_setup(void **state)
{
    test_dir *f = calloc(1, sizeof *f);
    f->dir = test_tempdir();
    *state = f;
    return 0;
}

static inline int test_dir_teardown(void **state)
{
    test_dir *f = *state;
    test_remove_dir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Repeatable pseudo-random bytes (a linear congruential generator). */
static inline void test_fill_random(uint8_t *data, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        data[i] = (uint8_t)(seed >> 16);
    }
}

static inline uint8_t *test_random_bytes(size_t len, unsigned seed)
{
    uint8_t *data = malloc(len > 0 ? len : 1);
    assert_non_null(data);
    test_fill_random(data, len, seed);
    return data;
}

/* Writes `len` repeatable random bytes to dir/name and returns them. */
static inline uint8_t *test_write_random(const char *dir, const char *name,
                                         size_t len, unsigned seed)
{
    uint8_t *data = test_random_bytes(len, seed);
    char *path = test_path(dir, name);
    test_write_file(path, data, len);
    free(path);
    return data;
}

/* Opens an image (format detected), failing the test if it cannot. */
static inline dc_image *test_open(const char *path)
{
    dc_image *image = NULL;
    dc_error err = {0};
    if (dc_image_open(&image, path, NULL, &err) != DC_OK)
        fail_msg("open %s: %s", path, err.message);
    return image;
}

/* The k-th index of a track is INDEX `number` at `offset`. */
static inline void test_assert_index(const dc_track *track, int k, int number,
                                     int64_t offset)
{
    assert_true(k < track->index_count);
    assert_int_equal(track->index[k].number, number);
    assert_int_equal(track->index[k].offset, offset);
}

#endif
