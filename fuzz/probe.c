/* Fuzz target: format detection, every format's probe over the bytes of
 * one file. */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("in.dat", data, size);
    char *path = fuzz_path("in.dat");
    const dc_format *format = NULL;
    dc_error err = {0};
    dc_status status = dc_format_detect(path, &format, &err);
    fuzz_check_error(status, &err);
    if (status == DC_OK && (format == NULL || format->open == NULL))
        abort(); /* detection must name a format that can read */
    free(path);
    return 0;
}
