/* Error recording: the first error wins, until cleared, and carries a
 * one-line message. */
#include "discconv/discconv.h"

#include <stdarg.h>
#include <stdio.h>

static dc_status record(dc_error *err, dc_status status, dc_advice advice,
                        const char *fmt, va_list args)
    __attribute__((format(printf, 4, 0)));

static dc_status record(dc_error *err, dc_status status, dc_advice advice,
                        const char *fmt, va_list args)
{
    if (err == NULL || err->status != DC_OK)
        return status;
    err->status = status;
    err->advice = advice;
    vsnprintf(err->message, sizeof err->message, fmt, args);
    /* One line whatever a file's bytes put in it (a quoted name or value
     * with a newline escape in it): control characters become '?'. */
    for (char *c = err->message; *c != '\0'; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            *c = '?';
    return status;
}

dc_status dc_fail(dc_error *err, dc_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    record(err, status, DC_ADVICE_NONE, fmt, args);
    va_end(args);
    return status;
}

dc_status dc_fail_advise(dc_error *err, dc_status status, dc_advice advice,
                         const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    record(err, status, advice, fmt, args);
    va_end(args);
    return status;
}

void dc_error_clear(dc_error *err)
{
    if (err == NULL)
        return;
    err->status = DC_OK;
    err->advice = DC_ADVICE_NONE;
    err->message[0] = '\0';
}

const char *dc_status_name(dc_status status)
{
    switch (status) {
    case DC_OK: return "ok";
    case DC_ERR_USAGE: return "usage error";
    case DC_ERR_INPUT_IO: return "cannot read input";
    case DC_ERR_FORMAT: return "malformed input";
    case DC_ERR_UNSUPPORTED: return "unsupported input";
    case DC_ERR_OUTPUT: return "cannot write output";
    case DC_ERR_CANNOT_HOLD: return "target cannot hold the disc";
    case DC_ERR_BAD_SECTORS: return "sectors failed verification";
    case DC_ERR_NOMEM: return "out of memory";
    case DC_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown error";
}

const char *dc_version(void)
{
    return DC_VERSION;
}
