/* Fuzz target: cdrdao TOC text, held in memory as if beside the fixture
 * files (fuzz.h), opened by its reader, then read like any image. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_open_descriptor(&dc_format_toc, "fuzz.toc", data, size);
    return 0;
}
