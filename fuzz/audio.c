/* Fuzz target: a sound file (WAV, AIFF, FLAC... whatever libsndfile
 * recognises) opened as an audio disc through the BIN/CUE reader. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("in.wav", data, size);
    fuzz_open_and_read("in.wav", "audio");
    return 0;
}
