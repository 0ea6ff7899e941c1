/* Fuzz target: the ADC decoder (fuzz/codec.h says what it checks). */
#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_codec(dc_adc_decode, "ADC", data, size);
}
