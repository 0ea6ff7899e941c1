/* Fuzz target: cdrdao TOC text, held in memory as if beside the fixture
 * files (fuzz.h), opened by the TOC reader, then read like any image. */
#include "fuzz.h"
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
    char *name = fuzz_path("fuzz.toc");
    dc_error err = {0};
    dc_source *source;
    dc_image *image = dc_image_new(name, &dc_format_toc, &err);
    if (image != NULL &&
        dc_source_memory(&source, data, size, name, &err) == DC_OK) {
        dc_status status = dc_image_use_source(image, source, &err);
        if (status == DC_OK)
            status = dc_format_toc.open(image, &err);
        if (status == DC_OK)
            status = dc_disc_validate(&image->disc, name, &err);
        fuzz_check_error(status, &err);
        if (status == DC_OK)
            fuzz_read_image(image);
    }
    dc_image_close(image);
    free(name);
    return 0;
}
