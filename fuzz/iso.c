/* Fuzz target: the ISO reader and file-system probe, through the public
 * open and read API. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("in.iso", data, size);
    fuzz_open_and_read("in.iso", "iso");
    return 0;
}
