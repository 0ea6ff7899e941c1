/* Fuzz target: format detection, every format's probe over the bytes of
 * one source (probes see bytes only). */
#include "fuzz.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const dc_format *format = NULL;
    dc_error err = {0};
    dc_source *source;
    if (dc_source_memory(&source, data, size, "in.dat", &err) != DC_OK)
        return 0;
    dc_status status = dc_format_detect(source, &format, &err);
    fuzz_check_error(status, &err);
    if (status == DC_OK && (format == NULL || format->open == NULL))
        abort(); /* detection must name a format that can read */
    dc_source_close(source);
    return 0;
}
