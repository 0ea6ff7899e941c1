/* Fuzz target: a BIN/CUE pair through the public open and read API.  The
 * input is the cue sheet, a NUL byte, then the bytes of in.bin; sheets may
 * also name the fixture files (fuzz.h). */
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        fuzz_write_fixtures();
        ready = true;
    }
    const uint8_t *nul = memchr(data, '\0', size);
    size_t cue = nul != NULL ? (size_t)(nul - data) : size;
    size_t bin = nul != NULL ? size - cue - 1 : 0;
    fuzz_write("in.cue", data, cue);
    fuzz_write("in.bin", nul != NULL ? nul + 1 : data, bin);
    fuzz_open_and_read("in.cue", "bincue");
    return 0;
}
