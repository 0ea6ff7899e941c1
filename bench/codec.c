/*
 * Sector codec speed: ns per Mode 1 encode, Form 2 encode and Mode 1
 * verify, and EDC throughput, for every implementation the CPU runs.
 * Each figure is the median of several runs, so one preempted run does not
 * skew it.  Not a test: timings vary by
 * machine and load; run it by hand (bench/codec).
 */
#include "sector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { RAW = 2352, SECTORS = 256, RUNS = 9, ROUNDS = 40, EDC_BYTES = 1 << 20 };

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *runs)
{
    qsort(runs, RUNS, sizeof *runs, compare_doubles);
    return runs[RUNS / 2];
}

typedef enum { MODE1_ENCODE, FORM2_ENCODE, MODE1_VERIFY } sector_task;

static uint8_t user[SECTORS][DC_USER_FORM2];
static uint8_t raw[SECTORS][RAW];
static uint8_t edc_data[EDC_BYTES];
/* Keeps the compiler from dropping the work. */
static volatile uint32_t sink;

/* Median ns per sector over SECTORS sectors, ROUNDS times per run. */
static double time_sectors(sector_task task)
{
    static const uint8_t form2_subheader[4] = {0, 0, 0x20, 0};
    double runs[RUNS];
    for (int run = 0; run < RUNS; run++) {
        uint32_t failures = 0;
        double start = now_ns();
        for (int round = 0; round < ROUNDS; round++)
            for (int i = 0; i < SECTORS; i++) {
                switch (task) {
                case MODE1_ENCODE:
                    dc_sector_encode_mode1(raw[i], i, user[i]);
                    break;
                case FORM2_ENCODE:
                    dc_sector_encode_form2(raw[i], i, form2_subheader,
                                           user[i]);
                    break;
                case MODE1_VERIFY:
                    failures += dc_sector_verify(raw[i]) != DC_CHECK_OK;
                    break;
                }
            }
        runs[run] = (now_ns() - start) / (ROUNDS * SECTORS);
        sink = failures;
    }
    return median(runs);
}

static double edc_gb_per_s(void)
{
    double runs[RUNS];
    for (int run = 0; run < RUNS; run++) {
        double start = now_ns();
        sink = dc_edc_compute(edc_data, sizeof edc_data);
        runs[run] = sizeof edc_data / (now_ns() - start);
    }
    return median(runs);
}

static void bench(void)
{
    const char *name = dc_sector_codec_name();
    double mode1 = time_sectors(MODE1_ENCODE);
    double verify = time_sectors(MODE1_VERIFY);
    double form2 = time_sectors(FORM2_ENCODE);
    printf("%-22s %12.0f %12.0f %12.0f %10.2f\n", name, mode1, form2, verify,
           edc_gb_per_s());
}

int main(void)
{
    uint32_t x = 1;
    for (size_t i = 0; i < sizeof user; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        user[i / DC_USER_FORM2][i % DC_USER_FORM2] = (uint8_t)(x >> 24);
    }
    memcpy(edc_data, user, sizeof edc_data < sizeof user ? sizeof edc_data
                                                        : sizeof user);
    printf("%-22s %12s %12s %12s %10s\n", "implementation", "mode1 ns",
           "form2 ns", "verify ns", "EDC GB/s");
    for (int impl = 0; impl < DC_CODEC_COUNT; impl++)
        if (dc_sector_codec_select((dc_codec_impl)impl))
            bench();
    return 0;
}
