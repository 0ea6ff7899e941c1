/*
 * Writes CD-DA sectors of a stereo sine tone (44.1 kHz, 16-bit,
 * little-endian, as a BIN stores audio) to standard output, for the
 * project's sample disc and tests.
 *
 * usage: gen-tone SECTORS LEFT_HZ RIGHT_HZ
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SAMPLES_PER_SECTOR 588 /* 2352 bytes / 4 bytes per stereo sample */
#define RATE 44100.0
#define AMPLITUDE 12000.0

static void put_le16(int16_t value, FILE *out)
{
    uint16_t bits = (uint16_t)value;
    putc(bits & 0xFF, out);
    putc(bits >> 8, out);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen-tone SECTORS LEFT_HZ RIGHT_HZ\n");
        return 2;
    }
    long sectors = strtol(argv[1], NULL, 10);
    double left = strtod(argv[2], NULL), right = strtod(argv[3], NULL);
    if (sectors < 0 || left < 0 || right < 0) {
        fprintf(stderr, "gen-tone: counts and frequencies must be >= 0\n");
        return 2;
    }
    const double two_pi = 2.0 * acos(-1.0);
    for (long n = 0; n < sectors * SAMPLES_PER_SECTOR; n++) {
        double t = (double)n / RATE;
        put_le16((int16_t)lround(AMPLITUDE * sin(two_pi * left * t)), stdout);
        put_le16((int16_t)lround(AMPLITUDE * sin(two_pi * right * t)), stdout);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
