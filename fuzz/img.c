/* Fuzz target: the raw IMG reader (sector size and mode from the bytes)
 * and the framing of its sectors, through the public open and read API. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("in.img", data, size);
    fuzz_open_and_read("in.img", "img");
    return 0;
}
