/* Fuzz target: a CloneCD set through the public open and read API.  The
 * input is the .ccd text, a NUL byte, the bytes of in.img, and optionally a
 * second NUL byte and the bytes of in.sub (the first NUL after the .img's
 * whole 2352-byte sectors ends the .img). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t ccd = nul != NULL ? (size_t)(nul - data) : size;
    const uint8_t *img = nul != NULL ? nul + 1 : data + size;
    size_t rest = nul != NULL ? size - ccd - 1 : 0;
    /* The .img is whole sectors; a NUL right after them starts the .sub. */
    size_t img_size = rest / 2352 * 2352;
    bool sub = img_size < rest && img[img_size] == '\0';
    if (!sub)
        img_size = rest;
    fuzz_write("in.ccd", data, ccd);
    fuzz_write("in.img", img, img_size);
    char *sub_path = fuzz_path("in.sub");
    if (sub)
        fuzz_write("in.sub", img + img_size + 1, rest - img_size - 1);
    else
        remove(sub_path);
    free(sub_path);
    fuzz_open_and_read("in.ccd", "ccd");
    return 0;
}
