/* Fuzz target: the NRG reader (footer, chunk chain, cue points, DAO and
 * TAO tables, CD-TEXT), through the public open and read API. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("in.nrg", data, size);
    fuzz_open_and_read("in.nrg", "nrg");
    return 0;
}
