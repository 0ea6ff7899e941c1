/* Fuzz target: cdrdao TOC text, parsed by dc_toc_open_text against the
 * fixture files (fuzz.h), then read like any image. */
#include "fuzz.h"
#include "../src/formats/toc.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_write_fixtures();
        ready = true;
    }
    /* The parser takes NUL-free text (the file reader refuses a NUL). */
    const uint8_t *nul = memchr(data, '\0', size);
    size_t len = nul != NULL ? (size_t)(nul - data) : size;
    char *text = malloc(len + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, len);
    text[len] = '\0';

    dc_error err = {0};
    dc_image *image = dc_image_new("fuzz.toc", &dc_format_toc, &err);
    if (image != NULL) {
        dc_status status = dc_toc_open_text(image, text, "fuzz.toc",
                                            fuzz_dir(), &err);
        if (status == DC_OK)
            status = dc_disc_validate(&image->disc, "fuzz.toc", &err);
        fuzz_check_error(status, &err);
        if (status == DC_OK)
            fuzz_read_image(image);
        dc_image_close(image);
    }
    free(text);
    return 0;
}
