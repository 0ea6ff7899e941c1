/* Fuzz target: the LZFSE decoder, all its block kinds (fuzz/codec.h says
 * what it checks). */
#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec(dc_lzfse_decode, "LZFSE", data, size);
}
