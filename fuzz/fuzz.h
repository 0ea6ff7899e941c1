/*
 * Shared by the fuzz targets in fuzz/: a private scratch folder, small
 * fixture files for cue sheets to name, and reading an opened image the
 * way `info` and a conversion do.  Each target defines
 * LLVMFuzzerTestOneInput; libFuzzer (./configure --enable-fuzzing) or
 * fuzz/replay.c (plain `make check`) calls it.
 */
#ifndef DC_FUZZ_H
#define DC_FUZZ_H

#include "discconv/discconv.h"
#include "format.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch folder, made on first use (in $TMPDIR, else /dev/shm, else
 * /tmp) and removed at exit. */
const char *fuzz_dir(void);
/* scratch/name, malloc'd. */
char *fuzz_path(const char *name);
/* Replaces scratch/name with the bytes. */
void fuzz_write(const char *name, const void *data, size_t size);
/* Writes the files the fuzz cue sheets name (fuzz/cue.dict lists them):
 * a.bin raw Mode 1, b.bin audio, c.iso 2048-byte Mode 1, d.bin raw
 * Mode 2 XA, e.bin Mode 2 as 2336 bytes, f.bin raw + subchannel,
 * m.bin big-endian audio, t.wav a short sound file, x.cdt CD-TEXT. */
void fuzz_write_fixtures(void);

/* Calls abort() (a finding) unless a failed call left a proper error: a
 * status, and a one-line message. */
void fuzz_check_error(dc_status status, const dc_error *err);
/* Opens scratch/name as `format` (NULL: detect), reads it, closes it. */
void fuzz_open_and_read(const char *name, const char *format);
/* Reads the first and last sectors of every track in every form, with
 * and without verification, and probes each track's file system. */
void fuzz_read_image(dc_image *image);
/* A descriptor's text held in memory as the file `name` beside the
 * fixtures, opened by `format`, checked and read like any image. */
void fuzz_open_descriptor(const dc_format *format, const char *name,
                          const uint8_t *data, size_t size);

#endif
